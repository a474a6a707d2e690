// Shared fast-check arbitraries for the hostile-input tests: slash-command text a user (or an attacker with a
// stolen signing secret) might send. Unicode, control characters, bidi and zero-width marks, shell metacharacters,
// near-miss commands and incident ids.
import fc from 'fast-check';

export const NASTY_CHARS = [
  '\u0000', '\u0007', '\u001b', '\u007f', '\t', '\n', '\r', '\u000b', '\u000c', '\u0085', '\u00a0', '\u1680', '\u2000',
  '\u2028', '\u2029', '\u202f', '\u3000', '\ufeff', '\u200b', '\u200c', '\u200d', '\u2060', '\u200e', '\u200f',
  '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\ud800', '\udfff',
  '\ud83d\ude80', 'ı', 'İ', 'ſ', 'K', 'ﬁ', 'ß', 'Ω', 'é', 'e\u0301', 'ｄ', 'Ｉ', '١', '٣',
  ';', '|', '&', '&&', '$(', ')', '`', '>', '<', '*', '?', '~', '!', '#', '"', "'", '\\', '{', '}', '[', ']',
  '<!channel>', '<!here>', '<@U0LEAD>', '<#C0INCIDENTS>', '*', '_', '~', '```', '%00', '%0a', '../', '/', '.', '-', '--',
];

const nastyChar = fc.constantFrom(...NASTY_CHARS);
const VERBS = ['diagnose', 'incidents', 'timeline', 'note', 'resolve', 'export', 'help', 'DIAGNOSE', 'Diagnose', 'diagnos', 'diagnosee', 'reboot', 'delete', 'drain', 'remediate'];
const verb = fc.constantFrom(...VERBS);
const nodeish = fc.oneof(
  fc.constantFrom('node-1', 'node-7', 'node-legacy-01', 'ip-10-0-1-23.eu-west-1.compute.internal', 'NODE-1', 'node_1', '-node', 'node-', 'node..1', '.node', 'a'.repeat(63), 'a'.repeat(64), `${'a'.repeat(63)}.`.repeat(4), 'nöde', 'node-1;rm -rf /', '$(id)', '`id`', 'node-1\u200b', '\u202enode-1'),
  fc.stringMatching(/^[a-z0-9][-a-z0-9.]{0,70}$/),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const incidentish = fc.oneof(
  fc.constantFrom('INC-1', 'inc-1', 'INC-0', 'INC-01', 'INC-', 'INC--1', 'INC-99999999999', 'INC-9999999999', 'INC-1e3', 'INC-١', 'ınc-1', 'INC-1\u200b', 'INC1', '#INC-1'),
  fc.integer({ min: -5, max: 2 ** 40 }).map((n) => `INC-${n}`),
);
const freeText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 2500 }));
const flag = fc.constantFrom('--cluster', '--cluster=sandbox', '-c', '--', '--json', '--cluster sandbox', '--cluster ../etc', '--cluster prod;id', '--cluster sandbox --cluster other');
const sep = fc.oneof(fc.constant(' '), fc.constantFrom('  ', '\t', '\n', '\u00a0', '\u3000', '\u200b', '\u2028', ''));

/** A structured near-miss: verb, args built from plausible and hostile parts, joined by odd separators. */
const nearMiss = fc
  .tuple(verb, fc.array(fc.oneof(nodeish, incidentish, flag, freeText.map((s) => s.slice(0, 40)), nastyChar), { maxLength: 5 }), sep)
  .map(([v, args, s]) => [v, ...args].join(s));

/** Random text with hostile characters spliced in. */
const spliced = fc
  .array(fc.oneof(nastyChar, fc.string({ unit: 'grapheme', maxLength: 8 }), verb, fc.constant(' ')), { maxLength: 30 })
  .map((parts) => parts.join(''));

/** Arbitrary slash-command text: near misses, random unicode/binary, hostile splices, and huge inputs. */
export const commandText = fc.oneof(
  { weight: 5, arbitrary: nearMiss },
  { weight: 3, arbitrary: spliced },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: fc.tuple(verb, fc.integer({ min: 1900, max: 40_000 }), nastyChar).map(([v, n, c]) => `${v} INC-1 ${c.repeat(Math.ceil(n / c.length))}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('note INC-1 ', 'resolve INC-2 '), fc.integer({ min: 1990, max: 2010 })).map(([p, n]) => `${p}${'x'.repeat(n)}`) },
);

// Issue 17: every runbook regex runs in time linear in its input. A backtracking engine retries `A.*B` (and
// `A[^x]*B`) from every occurrence of A, so a 64 KB line holding A thousands of times and no B cost ~1 s per test
// (quadratic). Each regex is timed on texts made of its own literal text repeated; the rewritten ones are checked
// against their originals on random texts built from the same fragments (same answer, whatever the text).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adversarialPieces, cpuMs, fragmentsOf, repeatTo, runbookRegexes } from './runbook-regexes.ts';

/** A long agent line: the parser reads 64 KB of it; msg and error together are at most twice that. */
const SIZE = 2 * 65_536;
/** Linear regexes take ~1–10 ms on this size; the quadratic ones took 400–4,000 ms. */
const BUDGET_MS = 150;

/** Regexes applied only to the runbooks' own constants (never to collected evidence), with where. */
const CONSTANT_INPUT = new Map([
  ['kernel-too-old.ts', [String.raw`/ \(.*\)$/`]],
  // Applied to the links of the known-issue table (catalogue/known-issues/describe.ts), never to evidence.
  ['describe.ts', [String.raw`/launchpad\.net\/.*\/\+bug\/(\d+)/`, String.raw`/git\.kernel\.org\/.*[?&]id=([0-9a-f]{7,})/`]],
]);

/**
 * The patterns as they were before issue 17 and as they are now: `A.*B` → `A(?:(?!A).)*B`, each attempt stops at the
 * next A, so the attempts cover the line once. The same answer whenever no end of A can begin B; where one can
 * (CT_GC: A ends with the space B begins with), the stop skips an A that B follows.
 */
// (The version-advisory symptom regexes once rewritten here moved into catalogue/known-issues; the timing test covers them.)
const REWRITTEN: readonly [before: RegExp, after: RegExp][] = [
  [/Unable to create map \/|creating map: |map create: [^(]*\(MEMLOCK may be too low/i, /Unable to create map \/|creating map: |map create: (?:(?!map create: )[^(])*\(MEMLOCK may be too low/i],
  [/load program: (permission denied|operation not permitted)|Failed to load prog.*(permission denied|operation not permitted)|Prog section '[^']*' rejected: (?:Permission denied|Operation not permitted)|libbpf: load bpf program failed: (?:Permission denied|Operation not permitted)/i, /load program: (permission denied|operation not permitted)|Failed to load prog(?:(?!Failed to load prog).)*(permission denied|operation not permitted)|Prog section '[^']*' rejected: (?:Permission denied|Operation not permitted)|libbpf: load bpf program failed: (?:Permission denied|Operation not permitted)/i],
  [/Policy routing:NOT OK.*CONFIG_IP_MULTIPLE_TABLES/i, /Policy routing:NOT OK(?:(?!Policy routing:NOT OK).)*CONFIG_IP_MULTIPLE_TABLES/i],
  [/proxy routing rule.*address family not supported by protocol/i, /proxy routing rule(?:(?!proxy routing rule).)*address family not supported by protocol/i],
  [/the map is full|Failed to add PolicyMap key.*argument list too long|Unable to update element for LB bpf map|Unable to update element for (?:[A-Za-z0-9_]+ )?map with file descriptor \d+: (?:argument list too long|no space left on device)|Unable to update element: (?:argument list too long|no space left on device)/i, /the map is full|Failed to add PolicyMap key(?:(?!Failed to add PolicyMap key).)*argument list too long|Unable to update element for LB bpf map|Unable to update element for (?:[A-Za-z0-9_]+ )?map with file descriptor \d+: (?:argument list too long|no space left on device)|Unable to update element: (?:argument list too long|no space left on device)/i],
  [/Garbage collection on .* CT map failed to finish/i, /Garbage collection on (?:(?!Garbage collection on (?!CT map failed to finish)).)* CT map failed to finish/i],
  [/perf ring buffer.*can't mmap: operation not permitted|failed to create perf ring.*can't mmap: operation not permitted/i, /perf ring buffer(?:(?!perf ring buffer).)*can't mmap: operation not permitted|failed to create perf ring(?:(?!failed to create perf ring).)*can't mmap: operation not permitted/i],
  [/initialize wireguard agent.*address already in use/i, /initialize wireguard agent(?:(?!initialize wireguard agent).)*address already in use/i],
  [/(Red Hat|Rocky|AlmaLinux|CentOS|Oracle Linux).*\b8(\.\d+)?\b/i, /(Red Hat|Rocky|AlmaLinux|CentOS|Oracle Linux)(?:(?!Red Hat|Rocky|AlmaLinux|CentOS|Oracle Linux).)*\b8(\.\d+)?\b/i],
];

describe('runbook regexes run in linear time', () => {
  const all = runbookRegexes();

  it('finds the runbooks\' regexes, the rewritten ones among them', () => {
    expect(all.length).toBeGreaterThan(80);
    const sources = new Set(all.map((r) => String(r.re)));
    for (const [, after] of REWRITTEN) expect(sources.has(String(after)), String(after)).toBe(true);
    for (const [before] of REWRITTEN) expect(sources.has(String(before)), String(before)).toBe(false);
  });

  it(`each regex on ${SIZE / 1024} KB of its own text repeated: under ${BUDGET_MS} ms CPU`, () => {
    const slow: string[] = [];
    for (const { file, line, re } of all) {
      if (CONSTANT_INPUT.get(file)?.includes(String(re)) === true) continue;
      for (const piece of adversarialPieces(re)) {
        const text = repeatTo(piece, SIZE);
        const ms = Math.min(cpuMs(() => re.test(text)), cpuMs(() => re.test(text))); // best of 2: a descheduled run is not the regex
        if (ms > BUDGET_MS) {
          slow.push(`${file}:${line} ${String(re)} on ${JSON.stringify(piece)} × ${Math.round(SIZE / piece.length)}: ${ms.toFixed(0)} ms`);
          break;
        }
      }
    }
    expect(slow).toEqual([]);
    // Hundreds of regexes × several pieces × 128 KB, each run twice: tens of seconds on a busy 2-core machine.
  }, 240_000);

  it('the one exempt regex really is quadratic, so the timing above would catch its kind (even on a shorter text)', () => {
    const re = / \(.*\)$/;
    expect(cpuMs(() => re.test(repeatTo(' (', 64 * 1024)))).toBeGreaterThan(BUDGET_MS); // ~7× the 24 KB time: far above the budget on any machine
  });

  it('each rewritten regex answers as before, on random texts of the same fragments', () => {
    for (const [before, after] of REWRITTEN) {
      const frags = fragmentsOf(before);
      const text = fc.array(fc.oneof(fc.constantFrom(...frags), fc.constantFrom(' ', 'x', '(', '\n', '8', '8.1', 'ROCKY ', 'map create: ', 'CT map failed to finish')), { maxLength: 12 }).map((p) => p.join(''));
      fc.assert(fc.property(text, (t) => {
        expect(after.test(t), `${String(after)} on ${JSON.stringify(t)}`).toBe(before.test(t));
      }), { numRuns: 2000 });
    }
  });
});

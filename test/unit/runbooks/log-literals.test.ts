import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requiredLiterals, type RequiredLiterals } from '../../../runbooks/engine/log-literals.ts';
import { RUNBOOK_PATTERNS } from './log-arbitraries.ts';

/** ASCII lower case only: what the scanner's case folding does. */
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const holds = (req: RequiredLiterals, s: string) => req === null || req.some((alt) => alt.every((l) => fold(s).includes(l)));

/** A regex source and a string it matches, built together. */
type Piece = { src: string; sample: string };
const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const word = fc.constantFrom('map', 'is full', 'kernel', 'x509:', '(Linux', '5.1', 'load/prog', 'a-b', 'a{,2}', 'k8s', 'Z', 'q');
const leaf: fc.Arbitrary<Piece> = fc.oneof(
  word.map((w) => ({ src: w === 'a{,2}' ? w : escape(w), sample: w })),
  fc.constantFrom<Piece>(
    { src: '[a-z]', sample: 'm' }, { src: '\\d', sample: '7' }, { src: '.', sample: '#' }, { src: '\\s', sample: ' ' }, { src: '\\w', sample: 'k' },
    { src: '\\x41', sample: 'A' }, { src: '\\u0042', sample: 'B' }, { src: '\\cJ', sample: '\n' }, { src: '\\t', sample: '\t' }, { src: '\\/', sample: '/' },
    { src: '\\b', sample: '' }, { src: '(?=x)', sample: '' }, { src: '(?!zz)', sample: '' }, { src: '\\012', sample: '\n' },
  ),
);
const piece: fc.Arbitrary<Piece> = fc.letrec<{ p: Piece }>((tie) => ({
  p: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('p'), tie('p')).map(([a, b]) => ({ src: a.src + b.src, sample: a.sample + b.sample })),
    fc.tuple(tie('p'), tie('p'), fc.boolean(), fc.boolean()).map(([a, b, first, capture]) => ({ src: `(${capture ? '' : '?:'}${a.src}|${b.src})`, sample: first ? a.sample : b.sample })),
    fc.tuple(tie('p'), fc.constantFrom('?', '*', '+', '{2}', '{0,2}', '??', '+?'), fc.nat(2)).map(([a, q, n]) => {
      const min = q.startsWith('+') ? 1 : q === '{2}' ? 2 : 0;
      return { src: `(?:${a.src})${q}`, sample: a.sample.repeat(Math.max(min, q === '{2}' ? 2 : Math.min(n, 2))) };
    }),
    tie('p').map((a) => ({ src: `(${a.src})\\1`, sample: a.sample + a.sample })),
    fc.tuple(word, fc.constantFrom('?', '+', '*')).map(([w, q]) => ({ src: `${escape(w)}${q}`, sample: q === '*' || q === '?' ? w.slice(0, -1) : w })),
  ),
})).p;

describe('requiredLiterals', () => {
  it('is sound: whatever a regex matches holds one alternative of its literals', () => {
    fc.assert(fc.property(piece, fc.boolean(), fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), fc.boolean(), (p, i, before, after, upper) => {
      let re: RegExp;
      try {
        re = new RegExp(p.src, i ? 'i' : '');
      } catch {
        return;
      }
      const s = before + (i && upper ? p.sample.toUpperCase() : p.sample) + after;
      fc.pre(re.test(s));
      expect(holds(requiredLiterals(re), s)).toBe(true);
    }), { numRuns: 3000 });
  });

  it('gives lower-case ASCII literals without spaces or backslashes, for every runbook pattern', () => {
    for (const re of RUNBOOK_PATTERNS) {
      const req = requiredLiterals(re);
      expect(req, String(re)).not.toBeNull();
      for (const lit of (req ?? []).flat()) expect(lit).toMatch(/^[!-[\]-~]+$/);
      for (const lit of (req ?? []).flat()) expect(lit).toBe(fold(lit));
    }
  });

  it('reads the runbooks’ shapes', () => {
    expect(requiredLiterals(/Unable to contact k8s api-?server|x509: certificate is valid for/i)).toEqual([
      ['api', 'contact', 'k8s', 'server', 'to', 'unable'], ['certificate', 'for', 'is', 'valid', 'x509:'],
    ]);
    expect(requiredLiterals(/needs? kernel (\d+\.\d+(?:\.\d+)?) or newer/i)).toEqual([['.', 'kernel', 'need', 'newer', 'or']]);
    expect(requiredLiterals(/Error while (rewriting|reloading) endpoint/)).toEqual([
      ['endpoint', 'error', 'rewriting', 'while'], ['endpoint', 'error', 'reloading', 'while'],
    ]);
    // 443 lies inside 6443: the 6443 alternative adds nothing.
    expect(requiredLiterals(/dial tcp [^ ]+:(443|6443): refused/)).toEqual([['443', ':', 'dial', 'refused', 'tcp']]);
  });

  it('requires nothing it cannot read', () => {
    expect(requiredLiterals(/a\x41b/)).toEqual([['a', 'b']]);
    expect(requiredLiterals(/\cJoin/)).toEqual([['oin']]);
    expect(requiredLiterals(/(?<n>ab)\k<n>x/)).toEqual([['ab', 'x']]);
    expect(requiredLiterals(/\d+|map/)).toBeNull();
    expect(requiredLiterals(/(?!map)full/)).toEqual([['full']]);
    expect(requiredLiterals(/map/u)).toBeNull();
    expect(requiredLiterals(new RegExp('map', 'iv'))).toBeNull();
    expect(requiredLiterals(/a?/)).toBeNull();
  });
});

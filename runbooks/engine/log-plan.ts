// How log-scan.ts looks for a query's candidate lines in a given log. For each alternative of the query's required
// literals (log-query.ts) one literal, the anchor, is looked for through a table of byte pairs, and the others are
// confirmed on its line. The pass reads only every `stride`-th pair, so each anchor registers `stride` consecutive
// pairs of its own: wherever it occurs, one of them is read. A pair that is read is first checked against a hashed
// 4-byte gram of the anchor around it, then the anchor is compared. Which literal, pairs and grams are used is learnt
// from a sample of the same log (rarest wins), so the pass stops as seldom as it can; the choice affects speed,
// never which lines match.
import type { Buffer } from 'node:buffer';
import type { CompiledLogQuery } from './log-query.ts';

export const NL = 10;
export const BACKSLASH = 92;
export const BRACE = 0x7b;

/** ASCII case folding of a byte (what /i does to ASCII letters outside unicode mode). */
export const FOLD = Uint8Array.from({ length: 256 }, (_, b) => (b >= 65 && b <= 90 ? b + 32 : b));

/** The widest stride: anchors then need at least 4 bytes (every alternative of the runbooks' patterns has one). */
const MAX_STRIDE = 3;

export interface Anchor {
  /** Lower-case ASCII. */
  bytes: Uint8Array;
  /** For each alternative this anchor stands for: its other literals (rarest first), all of which the line holds. */
  confirms: Uint8Array[][];
}

export interface Probe {
  anchor: Anchor;
  /** Index in the anchor of the byte at which the pair ends. */
  at: number;
}

export interface Plan {
  query: CompiledLogQuery;
  /** No literal is known: every line is parsed. */
  everyLine: boolean;
  /** The pass reads the pairs ending at every stride-th byte. */
  stride: number;
  /**
   * Indexed by a pair of bytes (previous << 8 | current): 0 for none, else (index in probes << 4) | grams to check,
   * bit g for the 4 bytes i-3+g … i+g around a pair ending at i (looked up in `grams` first, any may pass); no bit:
   * no quick check for this pair.
   */
  table: Uint16Array;
  /** Hashed 4-byte runs (gramHash) of the anchors, loosely case-folded: 1 where an anchor may be. */
  grams: Uint8Array;
  probes: Probe[][];
}

const NO_GRAM = 4;

/** Hash of 4 bytes (b0 << 24 | … | b3) into 16 bits, after `| 0x20` on each byte: A–Z meet a–z (and a few more). */
export function gramHash(bytes4: number): number {
  return Math.imul(bytes4 | 0x20202020, 0x9e3779b1) >>> 16;
}

/** Bytes of a log sampled to learn which literals and byte pairs are common in it. */
const SAMPLE_BYTES = 64 * 1024;

/** The start of a log, case-folded and without backslashes (as the pass sees it), with counts of what it holds. */
export class LogSample {
  private readonly text: string;
  private readonly pairs = new Uint16Array(65536); // at most 65535 pairs in the sample
  private readonly counts = new Map<string, number>();

  constructor(buf: Buffer, from: number, to: number) {
    this.text = buf.toString('latin1', from, Math.min(to, from + SAMPLE_BYTES)).toLowerCase().replaceAll('\\', '');
    for (let i = 1; i < this.text.length; i++) {
      const pair = (this.text.charCodeAt(i - 1) << 8) | this.text.charCodeAt(i);
      this.pairs[pair] = (this.pairs[pair] ?? 0) + 1;
    }
  }

  /** Occurrences of the pair ending at index `at` of the literal (of the literal's last byte for a one-byte one). */
  pair(literal: string, at: number): number {
    return at === 0 ? this.count(literal) : (this.pairs[(literal.charCodeAt(at - 1) << 8) | literal.charCodeAt(at)] ?? 0);
  }

  count(literal: string): number {
    let n = this.counts.get(literal);
    if (n === undefined) {
      n = 0;
      for (let i = this.text.indexOf(literal); i !== -1; i = this.text.indexOf(literal, i + 1)) n++;
      this.counts.set(literal, n);
    }
    return n;
  }
}

export function buildPlan(query: CompiledLogQuery, sample: LogSample): Plan {
  const required = query.required;
  const plan: Plan = { query, everyLine: required === null, stride: 1, table: new Uint16Array(65536), grams: new Uint8Array(65536), probes: [[]] };
  if (required === null) return plan;
  // As wide as the shortest best anchor allows: an alternative of one-byte literals only means a stride of 1.
  plan.stride = Math.max(1, Math.min(MAX_STRIDE, ...required.map((alt) => Math.max(...alt.map((l) => l.length)) - 1)));
  // A pathological query (thousands of one-byte literals) would overflow the table: then every line is parsed.
  try {
    addAnchors(plan, required, sample);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { ...plan, everyLine: true };
  }
  return plan;
}

/**
 * Per alternative, the anchor (with its run of `stride` pairs, each with its gram) costing the pass least in the
 * sample: a stop at a pair costs a gram lookup, a gram that passes a look at the anchor, an occurrence of the whole
 * anchor a look at its line for the other literals.
 */
function addAnchors(plan: Plan, required: string[][], sample: LogSample): void {
  const k = plan.stride;
  const anchors = new Map<string, Anchor>();
  for (const alt of required) {
    let best = { lit: '', probes: [] as { at: number; gram: number }[], cost: Infinity };
    for (const lit of alt) {
      if (lit.length < k + 1 && !(k === 1 && lit.length === 1)) continue;
      const perPair = Array.from({ length: lit.length }, (_, at) => pairCost(lit, at, sample));
      for (let first = lit.length === 1 ? 0 : 1; first + k <= Math.max(lit.length, 1); first++) {
        const run = perPair.slice(first, first + k);
        const cost = run.reduce((sum, p) => sum + p.cost, 0) / k + 5 * sample.count(lit);
        if (cost < best.cost || (cost === best.cost && lit.length > best.lit.length)) {
          best = { lit, probes: run.map((p, n) => ({ at: first + n, gram: p.gram })), cost };
        }
      }
    }
    let anchor = anchors.get(best.lit);
    if (anchor === undefined) {
      anchor = { bytes: bytesOf(best.lit), confirms: [] };
      anchors.set(best.lit, anchor);
      for (const p of best.probes) addProbe(plan, { anchor, ...p });
    }
    const rarestFirst = alt.filter((l) => l !== best.lit).sort((a, b) => sample.count(a) - sample.count(b) || b.length - a.length);
    anchor.confirms.push(rarestFirst.map(bytesOf));
  }
}

/** For the pair ending at `at` of the literal: its rarest gram (4 bytes of the literal around it) and what it costs. */
function pairCost(lit: string, at: number, sample: LogSample): { gram: number; cost: number } {
  const stops = sample.pair(lit, at);
  let best = { gram: NO_GRAM, cost: stops };
  if (lit.length < 4) return best;
  for (let gram = Math.max(0, 3 - at); gram <= Math.min(3, lit.length - 1 - at); gram++) {
    const cost = 0.1 * stops + sample.count(lit.slice(at - 3 + gram, at + gram + 1));
    if (cost < best.cost || best.gram === NO_GRAM) best = { gram, cost };
  }
  return best;
}

function bytesOf(literal: string): Uint8Array {
  return Uint8Array.from(literal, (ch) => ch.charCodeAt(0));
}

function addProbe(plan: Plan, probe: Probe & { gram: number }): void {
  const a = probe.anchor.bytes;
  const gram = probe.gram;
  if (gram !== NO_GRAM) {
    const start = probe.at - 3 + gram;
    plan.grams[gramHash(((a[start] ?? 0) << 24) | ((a[start + 1] ?? 0) << 16) | ((a[start + 2] ?? 0) << 8) | (a[start + 3] ?? 0))] = 1;
  }
  // A one-byte anchor pairs with whatever byte precedes it (the pass over escaped lines skips backslashes).
  const firsts = probe.at === 0 ? Array.from({ length: 256 }, (_, b) => b).filter((b) => b !== BACKSLASH) : cases(a[probe.at - 1] ?? 0);
  for (const x of firsts) {
    for (const y of cases(a[probe.at] ?? 0)) {
      const pair = (x << 8) | y;
      const entry = plan.table[pair] ?? 0;
      let list = entry >> 4;
      const check = gram === NO_GRAM ? 0 : 1 << gram;
      if (list === 0) {
        list = plan.probes.push([]) - 1;
        if (list >= 1 << 12) throw new RangeError('too many probe lists');
        plan.table[pair] = (list << 4) | check;
      } else if ((entry & 15) !== 0) {
        plan.table[pair] = check === 0 ? list << 4 : entry | check; // a probe without a gram: no quick check at all
      }
      plan.probes[list]?.push(probe);
    }
  }
}

function cases(b: number): number[] {
  return b >= 97 && b <= 122 ? [b, b - 32] : [b];
}

// The agent-log matcher: runs a LogQuery over UTF-8 log bytes without splitting, decoding or parsing every line.
// One pass over the bytes stops only where a literal every matching line must hold may begin (a table of byte
// pairs, log-plan.ts); only a line holding the literals of one alternative is decoded, parsed (log-parser.ts) and
// tested with the query itself, so the answer is exactly that of parse-then-test on every line. Two kinds of line
// are handled apart because their msg/error are not plain substrings of the line: JSON lines (values are decoded),
// found through their brace (indexOf) and what starts the line, and always parsed; and lines with backslash escapes
// in logfmt values (also found with indexOf), passed over byte by byte with backslashes skipped, as the literal
// checks do (a literal of an unescaped value is a literal of the line once its backslashes are gone).
// Fed by LogText (log-text.ts: a collected chunk, for the runbooks) and by LogStream below (bytes arriving in blocks,
// e.g. a file: memory bounded by the block size).
import { Buffer } from 'node:buffer';
import { BACKSLASH, BRACE, buildPlan, FOLD, gramHash, LogSample, NL, type Anchor, type Plan, type Probe } from './log-plan.ts';
import { compileLogQuery, type CompiledLogQuery, type LogQuery } from './log-query.ts';
import { looksLikeJson, MAX_PARSED_CHARS, parseLogLine, type LogLine } from './log-parser.ts';

/** Receives each matching line, in order; returning false stops the scan. */
export type OnLogLine = (line: LogLine) => boolean | void;

const STOP = -2;
const GO_ON = -1;
/**
 * The parser reads a line's first MAX_PARSED_CHARS UTF-16 units, at most 3 bytes each in UTF-8: past this many bytes
 * from its start, nothing on a line can be part of its msg or error (verifier dumps run to megabytes).
 */
const PARSED_BYTES = 3 * MAX_PARSED_CHARS;
/** How often the pass checks whether it has run past PARSED_BYTES on one line. */
const WINDOW = 64 * 1024;
/** Bytes a JSON line can start with: `{`, whitespace (trimmed, or after a timestamp digit), a non-ASCII space. */
const JSON_START = Uint8Array.from({ length: 256 }, (_, b) =>
  (b === BRACE || b === 32 || (b >= 9 && b <= 13) || (b >= 48 && b <= 57) || b >= 0x80 ? 1 : 0));

/** Line numbers of byte positions, counted forward from a known one (positions asked for never go back). */
class LineCounter {
  constructor(private readonly buf: Buffer, private pos: number, private line: number) {}

  at(target: number): number {
    for (let nl = this.buf.indexOf(NL, this.pos); nl !== -1 && nl < target; nl = this.buf.indexOf(NL, nl + 1)) this.line++;
    this.pos = Math.max(this.pos, target);
    return this.line;
  }
}

/** One scan of whole lines buf[from, to) (the last may lack its newline). */
export class Scan {
  private readonly counter: LineCounter;
  /** The line around the last hit, found once per line (not once per hit: a line can hold thousands of anchors). */
  private hitLine: [start: number, end: number] = [-1, -1];
  /** Anchors whose line (by start) lacked their other literals: later hits of them on that line cost nothing. */
  private readonly rejected = new Map<Anchor, number>();

  constructor(
    private readonly buf: Buffer, private readonly from: number, private readonly to: number, firstLine: number,
    private readonly plan: Plan, private readonly onLine: OnLogLine, private readonly cache: Map<number, LogLine> | null,
  ) {
    this.counter = new LineCounter(buf, from, firstLine);
  }

  /** True when onLine asked to stop. */
  run(): boolean {
    return this.plan.everyLine ? this.everyLine() : this.candidates();
  }

  /** The number of the line after the range. */
  nextLine(): number {
    return this.counter.at(this.to);
  }

  private everyLine(): boolean {
    for (let ls = this.from; ls < this.to;) {
      const le = this.lineEnd(ls);
      if (this.evaluate(ls, le) === STOP) return true;
      ls = le + 1;
    }
    return false;
  }

  /**
   * Lines holding a backslash or a brace (found with indexOf, which is fast) are looked at one by one; the pass runs
   * over the stretches of lines between them.
   */
  private candidates(): boolean {
    const { buf, to } = this;
    let nextEscape = -1;
    let nextBrace = -1;
    for (let pos = this.from; pos < to;) {
      if (nextEscape !== to && nextEscape < pos) nextEscape = this.find(BACKSLASH, pos);
      if (nextBrace !== to && nextBrace < pos) nextBrace = this.find(BRACE, pos);
      const special = Math.min(nextEscape, nextBrace);
      const ls = special === to ? to : Math.max(pos, buf.lastIndexOf(NL, special) + 1);
      if (ls > pos && this.pass(pos, ls)) return true;
      if (ls === to) return false;
      const le = this.lineEnd(ls);
      const r = this.specialLine(ls, le, nextEscape < le, nextBrace < le);
      if (r === STOP) return true;
      pos = le + 1;
    }
    return false;
  }

  private find(byte: number, pos: number): number {
    const i = this.buf.indexOf(byte, pos);
    return i === -1 || i >= this.to ? this.to : i;
  }

  /** The pass over whole lines buf[s, e) free of backslashes and braces: reads the pair ending at every k-th byte. */
  private pass(s: number, e: number): boolean {
    const { buf } = this;
    const { table, grams, stride } = this.plan;
    let i = s + stride - 1;
    while (i < e) {
      for (const we = Math.min(e, i + WINDOW); i < we; i += stride) {
        const t = table[((buf[i - 1] as number) << 8) | (buf[i] as number)] as number;
        if (t === 0) continue;
        const check = t & 15;
        if (check !== 0) {
          // 4 bytes around the pair must be those of an anchor (hashed): most stops end here.
          let gram = 0;
          for (; gram < 4; gram++) {
            const j = i - 3 + gram;
            if ((check & (1 << gram)) === 0 || j < s || j + 3 >= e) continue;
            const bytes4 = ((buf[j] as number) << 24) | ((buf[j + 1] as number) << 16) | ((buf[j + 2] as number) << 8) | (buf[j + 3] as number);
            if (grams[gramHash(bytes4)] === 1) break;
          }
          if (gram === 4) continue;
        }
        const r = this.hit(i, t >> 4);
        if (r === STOP) return true;
        if (r !== GO_ON) i = r; // the line is decided: the next read is stride bytes into the next line
      }
      // Between windows: the rest of a line longer than the parser reads is skipped.
      if (i < e && i - Math.max(s, buf.lastIndexOf(NL, i) + 1) > PARSED_BYTES) i = this.lineEnd(i) + stride;
    }
    return false;
  }

  /** A line holding a backslash or a brace: JSON, or passed over byte by byte with backslashes skipped. */
  private specialLine(ls: number, le: number, escaped: boolean, brace: boolean): number {
    if (brace && JSON_START[this.buf[ls] as number] === 1 && looksLikeJson(this.decode(ls, le))) return this.evaluate(ls, le);
    if (!escaped) return this.pass(ls, Math.min(le + 1, this.to)) ? STOP : le;
    const { buf } = this;
    const table = this.plan.table;
    let h = NL;
    for (let j = ls, end = Math.min(le, ls + PARSED_BYTES); j < end; j++) {
      const c = buf[j] as number;
      if (c === BACKSLASH) continue;
      h = ((h & 0xff) << 8) | c;
      const t = table[h] as number;
      if (t === 0) continue;
      const r = this.hit(j, t >> 4);
      if (r !== GO_ON) return r;
    }
    return le;
  }

  private lineEnd(pos: number): number {
    const nl = this.buf.indexOf(NL, pos);
    return nl === -1 || nl >= this.to ? this.to : nl;
  }

  /** A pair of the table (probe list `list`) ends at i: the line's end when the line was decided, else GO_ON; or STOP. */
  private hit(i: number, list: number): number {
    for (const p of this.plan.probes[list] ?? []) {
      if (!this.anchorAt(p, i)) continue;
      const [ls, le] = this.lineAround(i);
      // Whether the line holds the other literals does not depend on where the anchor is: look once per line, or a
      // line full of one anchor would be searched again at each (2 MB of them took minutes).
      if (this.rejected.get(p.anchor) === ls) continue;
      for (const confirm of p.anchor.confirms) {
        let all = true;
        for (const lit of confirm) {
          if (this.holds(lit, ls, le)) continue;
          all = false;
          break;
        }
        if (all) return this.evaluate(ls, le);
      }
      this.rejected.set(p.anchor, ls);
    }
    return GO_ON;
  }

  private lineAround(i: number): [start: number, end: number] {
    const [start, end] = this.hitLine;
    if (i >= start && i <= end) return this.hitLine;
    this.hitLine = [Math.max(this.from, this.buf.lastIndexOf(NL, i) + 1), this.lineEnd(i)];
    return this.hitLine;
  }

  /** The line holds the literal where the parser reads (case-insensitive, backslashes skipped). */
  private holds(lit: Uint8Array, ls: number, lineEnd: number): boolean {
    const { buf } = this;
    const le = Math.min(lineEnd, ls + PARSED_BYTES);
    const first = lit[0];
    const n = lit.length;
    for (let p = ls; p <= le - n; p++) {
      if (FOLD[buf[p] as number] !== first) continue;
      let m = 1;
      for (let q = p + 1; m < n; m++, q++) {
        while (q < le && buf[q] === BACKSLASH) q++;
        if (q >= le || FOLD[buf[q] as number] !== lit[m]) break;
      }
      if (m === n) return true;
    }
    return false;
  }

  /**
   * The probe's anchor occurs around i (case-insensitive, backslashes skipped). Within i's line: an anchor holds no
   * newline, so a comparison running into the next or previous line fails by itself.
   */
  private anchorAt(p: Probe, i: number): boolean {
    const { buf, from, to } = this;
    const a = p.anchor.bytes;
    let pos = i - 1;
    for (let m = p.at - 1; m >= 0; m--, pos--) {
      while (pos >= from && buf[pos] === BACKSLASH) pos--;
      if (pos < from || FOLD[buf[pos] as number] !== a[m]) return false;
    }
    pos = i + 1;
    for (let m = p.at + 1; m < a.length; m++, pos++) {
      while (pos < to && buf[pos] === BACKSLASH) pos++;
      if (pos >= to || FOLD[buf[pos] as number] !== a[m]) return false;
    }
    return true;
  }

  private decode(ls: number, le: number): string {
    const end = le > ls && this.buf[le - 1] === 13 ? le - 1 : le;
    return this.buf.toString('utf8', ls, end);
  }

  /** Parses the line (once per cache) and tests it: the line's end, or STOP when onLine said so. */
  private evaluate(ls: number, le: number): number {
    let line = this.cache?.get(ls);
    if (line === undefined) {
      line = parseLogLine(this.decode(ls, le), this.counter.at(ls));
      this.cache?.set(ls, line);
    }
    return this.plan.query.test(line) && this.onLine(line) === false ? STOP : le;
  }
}

/**
 * The same matcher over a stream of UTF-8 bytes cut anywhere (a file read in blocks): memory stays bounded by the
 * block size and the longest line. Line numbers count from 1 at the start of the stream.
 */
export class LogStream {
  /** The start of a line cut by the end of the bytes written so far (kept in pieces: a long line is copied once). */
  private carry: Buffer[] = [];
  private next = 1;
  private stopped = false;
  private readonly query: CompiledLogQuery;
  /** Built from a sample of the first block. */
  private plan: Plan | null = null;

  constructor(query: LogQuery, private readonly onLine: OnLogLine) {
    this.query = compileLogQuery(query);
  }

  /** Lines seen so far (complete ones, and the last one once end() is called). */
  get lines(): number {
    return this.next - 1;
  }

  /** Feeds the next bytes; false once onLine has asked to stop. */
  write(chunk: Uint8Array): boolean {
    if (this.stopped) return false;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const first = buf.indexOf(NL);
    if (first === -1) {
      if (buf.length > 0) this.carry.push(Buffer.from(buf)); // a copy: the caller may reuse its buffer
      return true;
    }
    let from = 0;
    if (this.carry.length > 0) {
      // The line the previous bytes cut, completed.
      const head = Buffer.concat([...this.carry, buf.subarray(0, first + 1)]);
      this.carry = [];
      if (!this.block(head, 0, head.length)) return false;
      from = first + 1;
    }
    const last = buf.lastIndexOf(NL);
    if (!this.block(buf, from, last + 1)) return false;
    if (last + 1 < buf.length) this.carry.push(Buffer.from(buf.subarray(last + 1)));
    return true;
  }

  /** Matches the last line when it has no newline. */
  end(): void {
    if (this.stopped || this.carry.length === 0) return;
    const tail = Buffer.concat(this.carry);
    this.carry = [];
    this.block(tail, 0, tail.length);
    this.next++;
  }

  private block(buf: Buffer, from: number, to: number): boolean {
    if (from >= to) return true;
    this.plan ??= buildPlan(this.query, new LogSample(buf, from, to));
    const scan = new Scan(buf, from, to, this.next, this.plan, this.onLine, null);
    this.stopped = scan.run();
    if (!this.stopped) this.next = scan.nextLine();
    return !this.stopped;
  }
}

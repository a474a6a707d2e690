// Splits a Kubernetes list response (`{"kind":…,"metadata":{…},"items":[{…},{…}]}`) as its bytes arrive: each
// element of the top-level `items` array is parsed on its own and handed over at once, so a page of thousands of
// objects never exists as one string or one object tree. Everything outside `items` (kind, metadata with the
// continue token) is kept and parsed at the end, with `items` left empty.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const ITEMS = Buffer.from('items');

export class ListItemSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside the top-level `items` array. */
  private inItems = false;
  private itemsSeen = false;
  /** An item has started and not ended (its bytes so far are in `item`). */
  private itemOpen = false;
  private readonly item: Buffer[] = [];
  private readonly rest: Buffer[] = [];
  /** The last string completed at depth 1 (a key, or a short value): only compared with "items". */
  private readonly key = Buffer.alloc(8);
  private keyLength = 0;
  private lastKeyIsItems = false;

  constructor(private readonly onItem: (item: unknown) => void) {}

  write(chunk: Buffer): void {
    let restFrom = this.inItems ? -1 : 0;
    let itemFrom = this.itemOpen ? 0 : -1;
    const n = chunk.length;
    // Strings are most of a list's bytes: inside one, jump to the next quote or backslash (native scans) instead of
    // stepping byte by byte. The next quote and backslash found are remembered, so the scans stay linear in the chunk
    // (a string of many escapes would otherwise search again for its closing quote after each one).
    let nextQuote = -1;
    let nextBackslash = -1;
    for (let i = 0; i < n; i++) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          continue;
        }
        if (nextQuote < i && nextQuote !== n) {
          nextQuote = chunk.indexOf(QUOTE, i);
          if (nextQuote < 0) nextQuote = n;
        }
        const quote = nextQuote;
        if (nextBackslash < i && nextBackslash !== n) {
          nextBackslash = chunk.indexOf(BACKSLASH, i);
          if (nextBackslash < 0) nextBackslash = n;
        }
        if (nextBackslash < quote) {
          this.captureKey(chunk, i, nextBackslash);
          this.escaped = true;
          i = nextBackslash; // the loop steps past it; the escaped byte is skipped next
          continue;
        }
        this.captureKey(chunk, i, quote);
        if (quote === n) break; // the string goes on in the next chunk
        this.inString = false;
        if (this.depth === 1) this.lastKeyIsItems = this.keyLength === ITEMS.length && ITEMS.equals(this.key.subarray(0, this.keyLength));
        i = quote;
        continue;
      }
      const b = chunk[i] as number;
      if (b === QUOTE) {
        this.inString = true;
        this.keyLength = 0;
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        if (this.depth === 1 && b === OPEN_ARRAY && this.lastKeyIsItems && !this.itemsSeen) {
          this.inItems = true;
          this.itemsSeen = true;
          this.rest.push(chunk.subarray(restFrom, i + 1));
          restFrom = -1;
        } else if (this.inItems && this.depth === 2) {
          itemFrom = i;
          this.itemOpen = true;
        }
        this.depth += 1;
      } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        this.depth -= 1;
        if (this.depth < 0) throw new Error('malformed list response: unbalanced brackets');
        if (this.inItems && this.depth === 2 && this.itemOpen) {
          this.item.push(chunk.subarray(itemFrom, i + 1));
          this.emit();
          itemFrom = -1;
        } else if (this.inItems && this.depth === 1) {
          this.inItems = false;
          restFrom = i;
        }
      }
    }
    if (restFrom >= 0) this.rest.push(chunk.subarray(restFrom));
    if (this.itemOpen && itemFrom >= 0) this.item.push(chunk.subarray(itemFrom));
  }

  /** Bytes [from, to) of a string at depth 1 (a key, or a short value): the first few, to compare with "items". */
  private captureKey(chunk: Buffer, from: number, to: number): void {
    if (this.depth !== 1) return;
    for (let j = from; j < to && this.keyLength < this.key.length; j++) this.key[this.keyLength++] = chunk[j] as number;
  }

  /** The list without its items (`kind`, `metadata`…); throws when the response was cut short. */
  end(): Record<string, unknown> {
    if (this.depth !== 0 || this.inString || this.itemOpen) throw new Error('list response ended before the end of the JSON document');
    const parsed: unknown = JSON.parse(Buffer.concat(this.rest).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('list response is not a JSON object');
    return parsed as Record<string, unknown>;
  }

  private emit(): void {
    // Most items lie within one chunk: decoded in place, no copy of their bytes (only items cut by a chunk boundary).
    const text = (this.item.length === 1 ? (this.item[0] as Buffer) : Buffer.concat(this.item)).toString('utf8');
    this.item.length = 0;
    this.itemOpen = false;
    this.onItem(JSON.parse(text));
  }
}

// The files of a (gzipped) tar held in memory: the per-node cilium-bugtool archive inside a sysdump. A small ustar
// reader (512-byte headers; GNU long names and pax `path` records, which Go's archive/tar writes for long names);
// only regular files are kept. gunzip is bounded by maxOutputLength, so a gzip bomb stops at the entry limit.
import { gunzipSync } from 'node:zlib';
import { assertSafeEntryName, SysdumpError, type ArchiveBudget } from './archive-errors.ts';

const BLOCK = 512;

function cString(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number, where: string): number {
  const text = cString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new SysdumpError('corrupt', `${where}: a tar header has a size that is not octal`);
  return parseInt(text, 8);
}

/** pax extended header records: "<len> key=value\n". */
function paxPath(data: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(data);
  for (const line of text.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzipBounded(bytes: Uint8Array, budget: ArchiveBudget, where: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: budget.limits.maxEntryBytes });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new SysdumpError('too-large', `${where} inflates past the ${budget.limits.maxEntryBytes}-byte limit per entry; refused as a gzip bomb`);
    }
    throw new SysdumpError('corrupt', `${where} is not valid gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** name → bytes of the regular files of a tar or tar.gz (by its magic bytes, as bugtool writes either). */
export function readTarEntries(archive: Uint8Array, budget: ArchiveBudget, where: string): Map<string, Uint8Array> {
  const bytes = isGzip(archive) ? gunzipBounded(archive, budget, where) : archive;
  if (isGzip(archive)) budget.take(where, '(decompressed tar)', bytes.length);
  const out = new Map<string, Uint8Array>();
  let offset = 0;
  let entries = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    const magic = cString(header, 257, 6);
    if (magic !== 'ustar' && magic !== 'ustar ') throw new SysdumpError('corrupt', `${where} is not a tar archive (no ustar header at byte ${offset})`);
    const size = octal(header, 124, 12, where);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + BLOCK;
    if (dataStart + size > bytes.length) throw new SysdumpError('corrupt', `${where} is truncated`);
    const data = bytes.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (++entries > budget.limits.maxEntries) throw new SysdumpError('too-large', `${where} has more than ${budget.limits.maxEntries} entries`);
    if (type === 'L') {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const prefix = cString(header, 345, 155);
    const name = longName ?? (prefix === '' ? cString(header, 0, 100) : `${prefix}/${cString(header, 0, 100)}`);
    longName = undefined;
    if (type !== '0' && type !== '\0') continue; // directories, links, devices: nothing to read
    const clean = name.replace(/^\.\//, '');
    assertSafeEntryName(clean, where);
    out.set(clean, data);
  }
  return out;
}

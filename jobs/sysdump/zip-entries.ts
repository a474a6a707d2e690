// The entries of a .zip, in memory, read with fflate (central directory first, so Go's archive/zip output with data
// descriptors, as cilium-cli writes it, reads correctly). Every entry's declared size is checked against the limits
// before it is inflated, the inflated bytes are checked against its declared size and CRC-32 (a header that lies
// about its size to slip past the limits fails there), and names are checked before anything is read.
import { crc32 } from 'node:zlib';
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { assertSafeEntryName, SysdumpError, type ArchiveBudget } from './archive-errors.ts';

/** Local file header (PK\x03\x04) or, for an empty zip, the end of central directory (PK\x05\x06). */
function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

interface CentralEntry {
  crc: number;
}

/** CRC-32 of each entry from the central directory (fflate does not check it); name → crc. */
function centralCrcs(bytes: Uint8Array): Map<string, CentralEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new SysdumpError('corrupt', 'no zip end-of-central-directory record: the file is truncated or not a zip');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  // ZIP64: the real count and offset are in the zip64 end record, found through its locator just before the EOCD.
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== 0x06064b50) throw new SysdumpError('corrupt', 'broken zip64 end record');
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const out = new Map<string, CentralEntry>();
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) throw new SysdumpError('corrupt', `zip central directory entry ${i} is damaged`);
    const nameLen = view.getUint16(offset + 28, true);
    const extraLen = view.getUint16(offset + 30, true);
    const commentLen = view.getUint16(offset + 32, true);
    const name = decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLen));
    out.set(name, { crc: view.getUint32(offset + 16, true) });
    offset += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * name → bytes for every file entry (directories skipped). Throws SysdumpError: 'foreign' when the bytes are not a
 * zip, 'corrupt' when it cannot be read or an entry fails its CRC, 'too-large' past a limit, 'unsafe-name'.
 */
export function readZipEntries(bytes: Uint8Array, budget: ArchiveBudget, where = 'the archive'): Map<string, Uint8Array> {
  if (bytes.length > budget.limits.maxArchiveBytes) throw new SysdumpError('too-large', `${where} is ${bytes.length} bytes, over the ${budget.limits.maxArchiveBytes}-byte limit`);
  if (!looksLikeZip(bytes)) throw new SysdumpError('foreign', `${where} is not a zip file (a cilium sysdump is the .zip that \`cilium sysdump\` writes)`);
  const crcs = centralCrcs(bytes);
  if (crcs.size > budget.limits.maxEntries) throw new SysdumpError('too-large', `${where} has ${crcs.size} entries, over the limit of ${budget.limits.maxEntries}`);
  for (const name of crcs.keys()) assertSafeEntryName(name, where);
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f: UnzipFileInfo) => {
        if (f.name.endsWith('/')) return false;
        budget.take(where, f.name, f.originalSize);
        declared.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof SysdumpError) throw e;
    throw new SysdumpError('corrupt', `${where} cannot be read as a zip: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) {
    const want = crcs.get(name);
    if (want === undefined || data.length !== declared.get(name) || crc32(data) >>> 0 !== want.crc >>> 0) {
      throw new SysdumpError('corrupt', `${where}: entry ${name} does not match its recorded size and CRC-32 (damaged, or a header crafted to pass the size limits)`);
    }
    out.set(name, data);
  }
  return out;
}

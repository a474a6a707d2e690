// A minimal ustar writer for the bugtool archives the sandbox puts in a sysdump (regular files only, names < 100
// bytes after the 155-byte prefix split), as Go's archive/tar writes them for short names.
const BLOCK = 512;

function field(block: Uint8Array, offset: number, length: number, value: string): void {
  block.set(new TextEncoder().encode(value).subarray(0, length), offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  let prefix = '';
  let base = name;
  if (name.length > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  field(block, 0, 100, base);
  field(block, 100, 8, octal(0o600, 8));
  field(block, 108, 8, octal(0, 8));
  field(block, 116, 8, octal(0, 8));
  field(block, 124, 12, octal(size, 12));
  field(block, 136, 12, octal(mtime, 12));
  field(block, 148, 8, '        ');
  field(block, 156, 1, '0');
  field(block, 257, 6, 'ustar\0');
  field(block, 263, 2, '00');
  field(block, 345, 155, prefix);
  const sum = block.reduce((a, b) => a + b, 0);
  field(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

export function writeTar(files: Map<string, Uint8Array>, mtime: Date): Uint8Array {
  const parts: Uint8Array[] = [];
  const seconds = Math.floor(mtime.getTime() / 1000);
  for (const [name, data] of files) {
    parts.push(header(name, data.length, seconds), data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

// Writes the ~1 GB agent log once into bench/.data/ and reuses it (a stamp file names the generator version).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { logLine, rng } from './corpus.ts';

const VERSION = 'agent-log-v2';

export async function ensureLogFile(path: string, bytes: number): Promise<{ path: string; bytes: number; generatedMs: number | null }> {
  const stampPath = `${path}.stamp`;
  const want = `${VERSION} ${bytes}`;
  if (existsSync(path) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === want) return { path, bytes: statSync(path).size, generatedMs: null };
  mkdirSync(dirname(path), { recursive: true });
  const t0 = performance.now();
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  const r = rng(0xc111);
  let written = 0;
  let i = 0;
  try {
    while (written < bytes) {
      const batch: string[] = [];
      for (let k = 0; k < 20_000; k++) batch.push(logLine(r, i++));
      const buf = Buffer.from(`${batch.join('\n')}\n`, 'utf8');
      writeSync(fd, buf);
      written += buf.length;
      if (i % 1_000_000 < 20_000) await new Promise((res) => setImmediate(res));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  writeFileSync(stampPath, want);
  return { path, bytes: written, generatedMs: performance.now() - t0 };
}

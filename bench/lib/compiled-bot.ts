// The bot as the container image runs it: bot/, jobs/ and runbooks/ emitted as JavaScript with tsconfig.build.json
// (no tsx at run time), plus the bench's bot child and its loop probe, into a temporary folder beside a link to
// node_modules. Benches that judge the whole bot's memory and CPU run this rather than the TypeScript sources,
// whose in-memory compilation (tsx) is most of an idle bot's RSS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

export interface CompiledBotChild {
  /** The emitted bench/lib/bot-child.js: run it with `node` (no --import tsx). */
  entry: string;
  remove(): void;
}

export function compileBotChild(): CompiledBotChild {
  const dir = mkdtempSync(join(tmpdir(), 'cilium-runbook-bench-compiled-'));
  try {
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const tsconfig = join(dir, 'tsconfig.json');
    writeFileSync(tsconfig, JSON.stringify({
      extends: join(REPO, 'tsconfig.build.json'),
      compilerOptions: { rootDir: REPO, outDir: join(dir, 'dist') },
      include: ['bot', 'jobs', 'runbooks', 'bench/lib/bot-child.ts', 'bench/lib/loop-probe.ts'].map((p) => join(REPO, p)),
    }));
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/lib/tsc.js'), '-p', tsconfig], { cwd: REPO, encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`compiling the bot for the bench failed:\n${tsc.stdout}${tsc.stderr}`);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { entry: join(dir, 'dist/bench/lib/bot-child.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

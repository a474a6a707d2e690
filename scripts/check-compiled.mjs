// Checks the compiled image's entry point without Docker: builds bot/, jobs/ and runbooks/ with tsconfig.build.json
// into a temporary /app-like folder (dist/ beside a node_modules link), then
//   1. starts `node dist/bot/main.js` with no configuration: it must load every module and refuse with the
//      configuration error (exit 2, "SLACK_BOT_TOKEN"), not a module-resolution error;
//   2. runs one analysis through the compiled analysis worker thread (its entry is JavaScript, no tsx);
//   3. with --memory, prints the resident memory (VmRSS) after loading the bot's modules and a full GC, for tsx
//      (`node --import tsx`, from source) and for the compiled JavaScript.
// Usage: node scripts/check-compiled.mjs [--memory] [--keep]   (exit 0 when every check passes)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const app = mkdtempSync(join(tmpdir(), 'cilium-runbook-compiled-'));
const failures = [];
const run = (args, opts = {}) => spawnSync(process.execPath, args, { encoding: 'utf8', ...opts });

try {
  symlinkSync(join(repo, 'node_modules'), join(app, 'node_modules'), 'dir');
  const tsc = run([join(repo, 'node_modules/typescript/lib/tsc.js'), '-p', join(repo, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: repo });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);

  // 1. The entry point starts and gets as far as reading its configuration.
  const env = { PATH: process.env.PATH ?? '', HOME: app };
  const main = run([join(app, 'dist/bot/main.js')], { cwd: app, env, timeout: 60_000 });
  const out = `${main.stdout}${main.stderr}`;
  if (main.status !== 2 || !out.includes('cannot start; fix the configuration') || !out.includes('SLACK_BOT_TOKEN') || /ERR_MODULE_NOT_FOUND|Cannot find module|ERR_UNKNOWN_FILE_EXTENSION/.test(out)) {
    failures.push(`node dist/bot/main.js: expected the configuration error (exit 2), got exit ${main.status}:\n${out.slice(0, 2000)}`);
  } else console.log('ok: node dist/bot/main.js loads every module and stops at the configuration check');

  // 2. The analysis thread runs from the emitted JavaScript.
  const analysis = run(['--input-type=module', '-e', `
    const { AnalysisThread } = await import(${JSON.stringify(join(app, 'dist/jobs/analysis-thread.js'))});
    const { evidenceFromDocument } = await import(${JSON.stringify(join(app, 'dist/runbooks/engine/offline-evidence.js'))});
    const t = new AnalysisThread(20000);
    const report = await t.analyze(evidenceFromDocument({ node: { name: 'node-7', kernelVersion: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' }, cilium: { version: '1.15.6' } }));
    await t.close();
    console.log(report.findings[0]?.runbookId);
  `], { cwd: app, timeout: 60_000 });
  if (analysis.status !== 0 || analysis.stdout.trim() !== 'kernel-too-old') failures.push(`compiled analysis thread: exit ${analysis.status}, ${analysis.stdout}${analysis.stderr}`.slice(0, 2000));
  else console.log('ok: the compiled analysis thread answers (kernel-too-old on the minimal document)');

  // 3. Memory after start: the bot's whole module graph loaded, then a full GC.
  if (process.argv.includes('--memory')) {
    const rss = (args, cwd) => {
      const r = run(['--expose-gc', ...args], { cwd, timeout: 120_000 });
      const m = /VmRSS:\s+(\d+) kB/.exec(r.stdout);
      if (m === null) throw new Error(`no VmRSS from ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      return Math.round(Number(m[1]) / 1024);
    };
    const probe = (entry) => `await import(${JSON.stringify(entry)}); globalThis.gc(); await new Promise((r) => setTimeout(r, 200)); globalThis.gc(); console.log(require('node:fs').readFileSync('/proc/self/status', 'utf8'));`;
    const cjsProbe = (entry) => `(async () => { const require = (await import('node:module')).createRequire(import.meta.url); ${probe(entry).replace("require('node:fs')", 'require("node:fs")')} })()`;
    const samples = { tsx: [], compiled: [] };
    for (let i = 0; i < 3; i++) {
      samples.tsx.push(rss(['--import', 'tsx', '--input-type=module', '-e', cjsProbe(join(repo, 'bot/bot.ts'))], repo));
      samples.compiled.push(rss(['--input-type=module', '-e', cjsProbe(join(app, 'dist/bot/bot.js'))], app));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[1];
    console.log(`memory (VmRSS after loading bot/bot and a full GC, median of 3, Node ${process.version}): tsx ${median(samples.tsx)} MB [${samples.tsx.join(', ')}], compiled ${median(samples.compiled)} MB [${samples.compiled.join(', ')}]`);
  }
} finally {
  if (!process.argv.includes('--keep')) {
    // The link first, on its own: the recursive removal then never sees the shared node_modules behind it.
    try { unlinkSync(join(app, 'node_modules')); } catch { /* not created */ }
    rmSync(app, { recursive: true, force: true });
  }
}
if (failures.length > 0) {
  console.error(failures.join('\n\n'));
  process.exit(1);
}

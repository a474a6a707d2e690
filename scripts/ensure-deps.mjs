// Installs the locked dependencies when they are missing or stale, so that `npm test` and `npm run demo`
// work on a fresh clone with one command. `--always` installs unconditionally (CI).
//
// Why the fallback: some npm registry mirrors lack the other platforms' builds of optional native packages
// (e.g. @msgpackr-extract/msgpackr-extract-darwin-arm64, pulled in by bullmq → msgpackr). npm then leaves them out
// of package-lock.json, and `npm ci` refuses the lock as "out of sync". `npm install` resolves the same tree.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`cilium-runbook needs Node.js >= 20.19 (this is ${process.version}). Install a newer Node.js and rerun.`);
  process.exit(1);
}

const lock = 'package-lock.json';
const marker = 'node_modules/.package-lock.json';
const always = process.argv.includes('--always');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);

function npm(args) {
  return spawnSync('npm', args, { stdio: 'inherit' }).status ?? 1;
}

if (always || stale) {
  console.error('cilium-runbook: installing dependencies (npm ci)…');
  if (npm(['ci', '--no-audit', '--no-fund']) !== 0) {
    console.error('cilium-runbook: `npm ci` refused the lock file; retrying with `npm install`…');
    if (npm(['install', '--no-audit', '--no-fund']) !== 0) {
      console.error('cilium-runbook: installing dependencies failed; check access to the npm registry and rerun.');
      process.exit(1);
    }
  }
}

// The image's entry point, compiled as the Dockerfile's compile stage does (tsconfig.build.json), loads every module
// and stops at the configuration check; the analysis worker thread runs from the emitted JavaScript (no tsx).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from './render.ts';

const run = promisify(execFile);

describe('compiled JavaScript (node dist/bot/main.js)', () => {
  it('builds with tsconfig.build.json, starts as far as the configuration check, and the analysis thread answers', async () => {
    const { stdout } = await run(process.execPath, [join(REPO, 'scripts/check-compiled.mjs')], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain('ok: node dist/bot/main.js loads every module and stops at the configuration check');
    expect(stdout).toContain('ok: the compiled analysis thread answers (kernel-too-old on the minimal document)');
  }, 300_000);
});

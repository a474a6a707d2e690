// Where an idle bot's CPU goes: the compiled bot (as the image runs it) on a generated cluster, under
// `node --cpu-prof`, left idle after start-up; prints the CPU it used over the stretch and the profile's self time by
// area, by function and by what woke the process. A tool for finding idle costs, not a benchmark row.
//
//   node node_modules/tsx/dist/cli.mjs bench/idle-profile.ts [--no-watch] [--nodes 5000] [--damping 2m] [--settle 5]
//     [--seconds 60] [--every 10] [--no-profile] [--top 25]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCluster } from '../sandbox/scenario/index.ts';
import { DEFAULT_DAMPING_MS, parseDamping } from '../jobs/watch/watch-config.ts';
import { DEFAULT_LEASE_TIMING } from '../jobs/watch/lease-elector.ts';
import { compileBotChild } from './lib/compiled-bot.ts';
import { summariseProfile, type ProfileShare } from './lib/cpu-profile.ts';
import { DEMO_CHANNEL, startBenchStack } from './lib/stack.ts';
import { fmtMB } from './lib/stats.ts';
import type { LoopSample } from './lib/loop-probe.ts';
import { WATCH_LEASE, waitForWatchSync } from './lib/watch-sync.ts';

const { values } = parseArgs({
  options: {
    'no-watch': { type: 'boolean', default: false },
    nodes: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '60' },
    damping: { type: 'string' },
    top: { type: 'string', default: '25' },
    /** Print the CPU of every stretch this long (s) while idle: when start-up's costs (its GCs) end. */
    every: { type: 'string', default: '0' },
    'no-profile': { type: 'boolean', default: false },
    /** Seconds between settling (lists answered, CPU quiet) and the idle stretch. */
    settle: { type: 'string', default: '5' },
  },
});
const watch = values['no-watch'] !== true;
const dampingMs = values.damping === undefined ? DEFAULT_DAMPING_MS : parseDamping(values.damping);
if (dampingMs === null) throw new Error(`--damping ${values.damping ?? ''}: a duration such as 2m, 90s or 500ms`);
const seconds = Number(values.seconds);
const topN = Number(values.top);
const every = Number(values.every);
const settle = Number(values.settle);
const profile = values['no-profile'] !== true;
const cpuLine = (s: LoopSample): string => `CPU ${(s.cpuMs / s.wallMs * 100).toFixed(2)} % of a core (${s.cpuMs} ms in ${(s.wallMs / 1000).toFixed(1)} s), RSS ${fmtMB(s.rssBytes)}, heap ${fmtMB(s.heapUsedBytes)}, GC ${s.gcCount}× ${s.gcTotalMs} ms`;

const profDir = mkdtempSync(join(tmpdir(), 'cilium-runbook-idle-profile-'));
const compiled = compileBotChild();
const stack = await startBenchStack({
  scenario: generateCluster({ nodes: Number(values.nodes) }),
  mode: 'http', botIn: 'child', compiledChild: compiled.entry, loopResolutionMs: 50,
  ...(profile && { childNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] }),
  ...(watch && { configOverrides: { watch: { channelId: DEMO_CHANNEL.id, dampingMs, lease: { ...WATCH_LEASE, identity: 'idle-profile', timing: DEFAULT_LEASE_TIMING } } } }),
});
let stopped = false;
try {
  if (watch) await waitForWatchSync(stack, () => stack.probeBot());
  else await new Promise((r) => setTimeout(r, 10_000));
  await new Promise((r) => setTimeout(r, settle * 1000));
  await stack.probeBot();
  const requestsBefore = stack.kube.requestLog.entries().length;
  const stretches: LoopSample[] = [];
  const step = every > 0 ? every : seconds;
  for (let done = 0; done < seconds; done += step) {
    await new Promise((r) => setTimeout(r, Math.min(step, seconds - done) * 1000));
    const s = await stack.probeBot();
    if (s === null) throw new Error('the bot is not in a child process');
    stretches.push(s);
    if (every > 0) console.log(`  +${done + step} s: ${cpuLine(s)}`);
  }
  const cpuMs = stretches.reduce((n, s) => n + s.cpuMs, 0);
  const wallMs = stretches.reduce((n, s) => n + s.wallMs, 0);
  const last = stretches.at(-1);
  if (last === undefined) throw new Error('--seconds must be above 0');
  console.log(`idle ${watch ? `watching bot (damping ${dampingMs} ms)` : 'bot without the watch'}, ${settle} s after settling: CPU ${(cpuMs / wallMs * 100).toFixed(2)} % of a core (${cpuMs} ms in ${(wallMs / 1000).toFixed(1)} s), RSS ${fmtMB(last.rssBytes)}, heap ${fmtMB(last.heapUsedBytes)}`);
  const requests = new Map<string, number>();
  for (const e of stack.kube.requestLog.entries().slice(requestsBefore)) {
    const key = `${e.verb} ${e.resource}${e.subresource === undefined ? '' : `/${e.subresource}`}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
  }
  console.log(`Kubernetes API requests in the stretch: ${[...requests].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none'}`);
  stopped = true;
  await stack.stop(); // the child writes its profile as it exits
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (profile && file === undefined) throw new Error(`no .cpuprofile in ${profDir}`);
  if (file !== undefined) {
    const summary = summariseProfile(join(profDir, file), last.endUs - wallMs * 1000, last.endUs, topN);
    const show = (title: string, rows: ProfileShare[]) => {
      console.log(`\n${title}`);
      for (const r of rows) console.log(`  ${r.ms.toFixed(1).padStart(8)} ms  ${r.name}`);
    };
    console.log(`profile (main thread): ${summary.busyMs.toFixed(0)} ms sampled busy in ${(summary.wallMs / 1000).toFixed(1)} s; the profiler's sampling adds CPU of its own`);
    show('self time by area', summary.byArea);
    show('self time by function', summary.byFunction);
    show('inclusive time by what woke the process', summary.byEntry);
  }
} finally {
  if (!stopped) await stack.stop();
  compiled.remove();
  rmSync(profDir, { recursive: true, force: true });
}

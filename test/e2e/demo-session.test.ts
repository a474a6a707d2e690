// The interactive demo's session against the real bot (Bolt over Socket Mode, BullMQ on Redis, the emulators):
// every command's output as a person in Slack sees it, the incident commands' thread entries, the exported
// postmortem on disk, a sweep shown when posted, and remediation clicks as different users.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { DEMO_REMEDIATION } from '../../sandbox/demo/remediation-config.ts';
import { DemoSession } from '../../sandbox/demo/session.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function session(scenario: string, opts: { remediation?: boolean } = {}) {
  const stack: SandboxStack = await startSandboxStack({
    scenario: resolveScenario(scenario),
    redisUrl: inject('redisUrl'),
    startBot: false,
    ...(opts.remediation === true && { configOverrides: { remediation: DEMO_REMEDIATION } }),
  });
  cleanups.push(() => stack.stop());
  stack.bot = await startBot(stack.config, { logger: pino({ level: 'silent' }) });
  const dir = mkdtempSync(join(tmpdir(), 'demo-session-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let out: string[] = [];
  // A generous bound: a command that is never answered would hand the prompt back with "still working".
  const s = new DemoSession(stack, { out: (l) => out.push(l), filesDir: () => dir, via: 'socket', commandTimeoutMs: 25_000 });
  /** Runs one prompt line and returns everything it printed. */
  const run = async (line: string): Promise<string> => {
    out = [];
    await s.run(line);
    return out.join('\n');
  };
  return { stack, run, dir };
}

describe('npm run demo: the session', () => {
  it('/cilium alone prints the help; diagnose twice shows run 2 and what changed; note, export, resolve show their thread entries', async () => {
    const { run, dir } = await session('kernel-too-old');
    const help = await run('/cilium');
    expect(help).toContain('only you can see this (@oncall)');
    expect(help).toContain('`/cilium diagnose <node> [--cluster <name>]`');
    expect(help).not.toMatch(/\\n|\{\}|"text":/);

    const first = await run('/cilium diagnose node-legacy-01');
    expect(first).toContain('opened INC-1 for node node-legacy-01');
    expect(first).toMatch(/› thread .* · cilium-runbook \[bot\]/);
    expect(first).toContain('Diagnosis of node-legacy-01');

    const second = await run('/cilium diagnose node-legacy-01');
    expect(second).toContain('requested another diagnosis of node-legacy-01');
    expect(second).toMatch(/What changed since run 1.*this is run 2/);
    expect(second).not.toContain('still working');

    const note = await run('/cilium note INC-1 rolled back the kernel on one node');
    expect(note).toMatch(/› thread "INC-1[^"]*" · cilium-runbook \[bot\][^\n]*\n {2}<@U0ONCALL> rolled back the kernel on one node/);
    expect(note).toContain('Added to the INC-1 timeline');

    const exported = await run('/cilium export INC-1');
    const saved = join(dir, 'INC-1-postmortem.md');
    expect(exported).toContain(`saved to ${saved}`);
    expect(exported).toContain('  │ # Postmortem draft: INC-1 — node-legacy-01');
    expect(readFileSync(saved, 'utf8')).toContain('rolled back the kernel on one node');

    const resolved = await run('/cilium resolve INC-1 kernel upgraded');
    expect(resolved).toContain('resolved INC-1: kernel upgraded');
    expect(resolved).toMatch(/✎ edited · #incidents[^\n]*\n[^\n]*INC-1 · resolved/);
  });

  it('a sweep is shown when posted: its report is printed by the time the command returns', async () => {
    const { run } = await session('kernel-too-old');
    const sweep = await run('/cilium sweep');
    expect(sweep).toContain('Fleet sweep of sandbox');
    expect(sweep).toContain('12 nodes on kernel 4.14.352 in pool `workers-legacy`');
    expect(sweep).not.toContain('still working');
    const all = await run('/cilium diagnose --all');
    expect(all).toContain('Fleet sweep of sandbox');
  });

  it('demo commands: unknown button, unknown user, switching user', async () => {
    const { run } = await session('healthy');
    expect(await run('click 4 as @lead')).toContain('No button 4');
    expect(await run('user @nobody')).toContain('Unknown user "@nobody"');
    expect(await run('user @lead')).toContain('You are now @lead');
    expect(await run('/cilium incidents')).toContain('only you can see this (@lead)');
    expect(await run('help')).toContain('click <n> [as @user]');
  });

  it('--remediation: buttons numbered; a refusal, a cancelled dialog, then the dry run, apply and verification', async () => {
    const { stack, run } = await session('kernel-too-old', { remediation: true });
    const report = await run('/cilium diagnose node-legacy-01');
    expect(report).toMatch(/↳ buttons — 1\) Cordon node-legacy-01 · 2\) Label node-legacy-01[^\n]* · 3\) Keep cilium off/);

    const viewer = await run('click 1 as @viewer');
    expect(viewer).toContain('┌ dialog: Cordon node-legacy-01?');
    expect(viewer).toContain('<@U0VIEWER> tried to approve `cordon-node`');
    expect(viewer).toContain('only you can see this (@viewer)');

    const cancelled = await run('click 1 as @lead deny');
    expect(cancelled).toContain('cancelled in the dialog');
    expect(stack.kube.store.get('v1', 'Node', undefined, 'node-legacy-01')).not.toMatchObject({ spec: { unschedulable: true } });

    const applied = await run('click 1 as @lead');
    expect(applied).toContain('dry run (dryRun=All) accepted; it will change');
    expect(applied).toContain('spec.unschedulable false → true');
    expect(applied).toContain('applied, approved by <@U0LEAD>');
    expect(applied).toContain('Verification (run 2)');
    expect(stack.kube.store.get('v1', 'Node', undefined, 'node-legacy-01')).toMatchObject({ spec: { unschedulable: true } });
  });

  it('--remediation, high risk: the two-person rule — one approval is 1 of 2, and the one who asked cannot be the second', async () => {
    const { stack, run } = await session('kube-proxy-conflict', { remediation: true });
    const report = await run('/cilium diagnose node-2');
    const n = /(\d+)\) Remove the kube-proxy DaemonSet/.exec(report)?.[1];
    expect(n, report).toBeDefined();
    expect(await run(`click ${n} as @lead`)).toMatch(/approved .*\(1 of 2\)/);
    expect(await run(`click ${n} as @oncall`)).toContain('cannot be the second approver');
    expect(stack.kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy')).toBeDefined();
  });
});

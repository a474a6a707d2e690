// The emulator's kubelet for run-once pods, seen with the real kubectl: a probe pod created on a node is scheduled,
// runs, logs the probe script's sections and completes; one that never finishes is stopped at its
// activeDeadlineSeconds (Failed, DeadlineExceeded); an unknown program exits 127; delete removes it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePod } from '../../jobs/collect/node-probe/probe-pod.ts';
import { SECTION_BEGIN } from '../../jobs/collect/node-probe/probe-script.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { kubectlRunner, testScenario } from './fixture.ts';

const run = kubectlRunner();
const NS = 'default';
let emu: KubeEmulator;
let kubectl: (...args: string[]) => ReturnType<typeof run>;

beforeAll(async () => {
  emu = await startKubeEmulator({ scenario: { ...testScenario(), nodeData: [{ node: 'node-2', probeHangs: true }, { node: 'node-1', kernelLog: ['[ 9.1] Lockdown: cilium-agent: use of bpf to read kernel RAM is restricted; see man kernel_lockdown.7'] }] } });
  kubectl = (...args) => run(emu.kubeconfigPath, args);
});
afterAll(async () => {
  await emu.stop();
});

/** Polls kubectl until the pod's phase is one of `phases` (bounded). */
async function phaseOf(name: string, phases: string[]): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const r = await kubectl('get', 'pod', name, '-n', NS, '-o', 'jsonpath={.status.phase}');
    if (phases.includes(r.stdout)) return r.stdout;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`pod ${name} never reached ${phases.join('/')}`);
}

/** `kubectl create -f <file>` with the manifest written to a temporary file (the emulator serves no OpenAPI). */
async function createFrom(args: string[], manifest: string): ReturnType<typeof run> {
  const file = join(mkdtempSync(join(tmpdir(), 'probe-pod-')), 'pod.json');
  writeFileSync(file, manifest);
  return kubectl(...args.map((a) => (a === '-' ? file : a)), '--validate=false');
}

describe('run-once pods in the emulator, through kubectl', () => {
  it('a probe pod runs on its node, logs the sections, completes, and kubectl shows Completed', async () => {
    const pod = probePod({ node: 'node-1', namespace: NS, image: 'registry.example/probe:1', deadlineSeconds: 30, jobId: 'k' });
    const file = JSON.stringify({ ...pod, metadata: { ...pod.metadata, generateName: undefined, name: 'probe-node-1' } });
    const created = await createFrom(['create', '-f', '-'], file);
    expect(created.stderr).toBe('');
    expect(await phaseOf('probe-node-1', ['Succeeded', 'Failed'])).toBe('Succeeded');
    const table = await kubectl('get', 'pod', 'probe-node-1', '-n', NS);
    expect(table.stdout).toMatch(/probe-node-1\s+0\/1\s+Completed\s+0/);
    const logs = await kubectl('logs', 'probe-node-1', '-n', NS);
    expect(logs.stdout).toContain(`${SECTION_BEGIN}proc-version ===`);
    expect(logs.stdout).toContain('Lockdown: cilium-agent');
    expect((await kubectl('delete', 'pod', 'probe-node-1', '-n', NS)).stdout).toContain('deleted');
    expect((await kubectl('get', 'pod', 'probe-node-1', '-n', NS)).stderr).toContain('NotFound');
  });

  it('a probe that never finishes is stopped at activeDeadlineSeconds: Failed, DeadlineExceeded', async () => {
    const pod = probePod({ node: 'node-2', namespace: NS, image: 'registry.example/probe:1', deadlineSeconds: 1, jobId: 'k' });
    await createFrom(['create', '-f', '-'], JSON.stringify({ ...pod, metadata: { ...pod.metadata, generateName: undefined, name: 'probe-node-2' } }));
    expect(await phaseOf('probe-node-2', ['Running'])).toBe('Running');
    expect(await phaseOf('probe-node-2', ['Succeeded', 'Failed'])).toBe('Failed');
    expect((await kubectl('get', 'pod', 'probe-node-2', '-n', NS, '-o', 'jsonpath={.status.reason}')).stdout).toBe('DeadlineExceeded');
  });

  it('an unknown program exits 127, as sh does', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: NS }, spec: { nodeName: 'node-1', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['frobnicate'] }] } };
    await createFrom(['create', '-f', '-'], JSON.stringify(pod));
    expect(await phaseOf('other', ['Succeeded', 'Failed'])).toBe('Failed');
    expect((await kubectl('logs', 'other', '-n', NS)).stdout).toContain('frobnicate: not found');
  });
});

// The kubelet's part for run-once pods created through the API (restartPolicy Never, pinned by spec.nodeName):
// scheduled → ContainerCreating → Running → Succeeded/Failed, the container's log its program's output, and
// activeDeadlineSeconds enforced (Failed, reason DeadlineExceeded, as the kubelet's active-deadline handler sets it).
// A program the emulator does not know exits 127 as sh does; a pod deleted meanwhile stops the sequence.
import type { KubeObject, NodeData } from '../scenario/schema.ts';
import type { EmulatorState } from './api-types.ts';
import { isProbeCommand, runProbeProgram, type ProgramRun } from './node-probe-program.ts';
import { asRecord } from './resources.ts';

/** Between the kubelet's status updates. */
export const STEP_MS = 25;

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function program(state: EmulatorState, nodeData: NodeData[], pod: KubeObject, container: Record<string, unknown>): ProgramRun {
  const nodeName = String(asRecord(pod['spec'])['nodeName']);
  if (isProbeCommand(container['command'])) return runProbeProgram(state, nodeName, nodeData.find((d) => d.node === nodeName));
  const argv = Array.isArray(container['command']) ? container['command'].map(String) : [];
  return { log: `sh: 1: ${argv[0] ?? 'entrypoint'}: not found\n`, exitCode: 127, hangs: false };
}

export function runOncePod(state: EmulatorState, nodeData: NodeData[], created: KubeObject): void {
  const spec = asRecord(created['spec']);
  if (spec['restartPolicy'] !== 'Never' || typeof spec['nodeName'] !== 'string') return;
  if (state.store.get('v1', 'Node', undefined, spec['nodeName']) === undefined) return;
  const ns = created.metadata.namespace ?? 'default';
  const name = created.metadata.name;
  const containers = Array.isArray(spec['containers']) ? spec['containers'].map(asRecord) : [];
  const first = containers[0] ?? {};
  const startedAt = Date.now();
  const deadlineMs = typeof spec['activeDeadlineSeconds'] === 'number' ? spec['activeDeadlineSeconds'] * 1000 : Infinity;

  const update = (status: Record<string, unknown>): boolean => {
    const current = state.store.get('v1', 'Pod', ns, name);
    if (current === undefined || current.metadata['uid'] !== created.metadata['uid']) return false;
    state.store.put({ ...current, status });
    return true;
  };
  const statuses = (s: Record<string, unknown>) => containers.map((c) => ({ name: c['name'], image: c['image'], ready: false, restartCount: 0, started: false, ...s }));
  const later = (ms: number, fn: () => void) => setTimeout(fn, ms).unref();

  later(STEP_MS, () => {
    const scheduled = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now() }];
    if (!update({ phase: 'Pending', conditions: scheduled, startTime: now(), containerStatuses: statuses({ state: { waiting: { reason: 'ContainerCreating' } } }) })) return;
    later(STEP_MS, () => {
      const run = program(state, nodeData, created, first);
      const started = now();
      if (!update({ phase: 'Running', conditions: [...scheduled, { type: 'Ready', status: 'True', lastTransitionTime: started }], startTime: started, containerStatuses: statuses({ ready: true, started: true, state: { running: { startedAt: started } } }) })) return;
      state.logs.set(ns, name, typeof first['name'] === 'string' ? first['name'] : '', { current: run.log });
      const finishIn = run.hangs ? deadlineMs - (Date.now() - startedAt) : STEP_MS;
      if (!Number.isFinite(finishIn)) return;
      later(Math.max(0, finishIn), () => {
        const finished = now();
        const overDeadline = run.hangs || Date.now() - startedAt >= deadlineMs;
        const exitCode = overDeadline ? 137 : run.exitCode;
        update({
          phase: exitCode === 0 ? 'Succeeded' : 'Failed',
          ...(overDeadline && { reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline` }),
          conditions: [...scheduled, { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: finished }],
          startTime: started,
          containerStatuses: statuses({ state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: started, finishedAt: finished } } }),
        });
      });
    });
  });
}

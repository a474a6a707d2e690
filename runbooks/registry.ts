// The one list of runbooks analyze() runs (k8sgpt habit: one analyzer per file, registered in one place).
// Ids are stable: reports, tests and users key on them (issue 4's catalogue).
import type { Runbook } from './contract.ts';
import { agentCrashloop } from './agent-crashloop.ts';
import { bpfMapCreateFailed } from './bpf-map-create-failed.ts';
import { kernelTooOld } from './kernel-too-old.ts';
import { kubeProxyConflict } from './kube-proxy-conflict.ts';

export const RUNBOOKS: readonly Runbook[] = [kernelTooOld, bpfMapCreateFailed, kubeProxyConflict, agentCrashloop];

/** The fallback that specific critical findings make redundant. */
export const CRASHLOOP_FALLBACK_ID = agentCrashloop.id;

export function runbookById(id: string): Runbook | undefined {
  return RUNBOOKS.find((r) => r.id === id);
}

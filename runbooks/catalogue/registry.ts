// The one list of runbooks analyze() runs (k8sgpt habit: one analyzer per file, registered in one place).
// Ids are stable: reports, tests and users key on them (runbooks/README.md lists them).
// Listed root causes first (rank order); analyze() sorts by severity, then rank.
import type { Runbook } from '../engine/contract.ts';
import { agentCrashloop } from './agent-crashloop.ts';
import { apiserverUnreachable } from './apiserver-unreachable.ts';
import { bandwidthManagerUnsupported } from './bandwidth-manager-unsupported.ts';
import { bpfMapCreateFailed } from './bpf-map-create-failed.ts';
import { bpfProgramLoadDenied } from './bpf-program-load-denied.ts';
import { clustermeshClusterId } from './clustermesh-cluster-id.ts';
import { clustermeshKvstore } from './clustermesh-kvstore.ts';
import { clustermeshPodCidrOverlap } from './clustermesh-pod-cidr-overlap.ts';
import { clustermeshRemoteNotReady } from './clustermesh-remote-not-ready.ts';
import { clustermeshTls } from './clustermesh-tls.ts';
import { clustermeshVersionSkew } from './clustermesh-version-skew.ts';
import { crdUpgradeDrift } from './crd-upgrade-drift.ts';
import { fqdnDnsProxy } from './fqdn-dns-proxy.ts';
import { hubbleDisabled } from './hubble-disabled.ts';
import { hubbleNodeDrops } from './hubble-node-drops.ts';
import { ipamExhausted } from './ipam-exhausted.ts';
import { kernelConfigMissing } from './kernel-config-missing.ts';
import { kernelTooOld } from './kernel-too-old.ts';
import { kubeProxyConflict } from './kube-proxy-conflict.ts';
import { l7Policy } from './l7-policy.ts';
import { mapFull } from './map-full.ts';
import { memlockRlimit } from './memlock-rlimit.ts';
import { policyDefaultDeny } from './policy-default-deny.ts';
import { policySelectorDrift } from './policy-selector-drift.ts';
import { versionAdvisory } from './version-advisory.ts';
import { wireguardUnsupported } from './wireguard-unsupported.ts';

export const RUNBOOKS: readonly Runbook[] = [
  kernelTooOld, kernelConfigMissing, versionAdvisory, memlockRlimit, bpfProgramLoadDenied, bpfMapCreateFailed,
  wireguardUnsupported, bandwidthManagerUnsupported, crdUpgradeDrift, apiserverUnreachable,
  // ClusterMesh: specific causes before the not-ready fallback they supersede.
  clustermeshTls, clustermeshClusterId, clustermeshPodCidrOverlap, clustermeshKvstore, clustermeshVersionSkew, clustermeshRemoteNotReady,
  kubeProxyConflict,
  ipamExhausted, mapFull, fqdnDnsProxy, policyDefaultDeny, policySelectorDrift, l7Policy, hubbleNodeDrops, hubbleDisabled, agentCrashloop,
];

/** The fallback that specific critical findings make redundant. */
export const CRASHLOOP_FALLBACK_ID = agentCrashloop.id;

export function runbookById(id: string): Runbook | undefined {
  return RUNBOOKS.find((r) => r.id === id);
}

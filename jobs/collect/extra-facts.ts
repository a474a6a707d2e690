// The facts for the rest of the catalogue (runbooks/engine/evidence-extra.ts names the Kubernetes source of each field):
// the operator, Cilium's CRDs, the node's CiliumNode IPAM, pods cluster-wide for policy selectors, and, read
// through the agent, the kernel build config and the memlock limit.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { ciliumVersionFromImage } from '../../runbooks/engine/cilium-version.ts';
import type { CiliumCrd, CiliumNodeIpam, ClusterPod, KernelConfig, Memlock, OperatorInfo } from '../../runbooks/engine/evidence-extra.ts';

type Json = Record<string, unknown>;
const rec = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

export function toOperatorInfo(deployments: V1Deployment[]): OperatorInfo | null {
  const d = deployments.find((x) => x.metadata?.name === 'cilium-operator') ?? deployments[0];
  const container = d?.spec?.template.spec?.containers.find((c) => c.name === 'cilium-operator') ?? d?.spec?.template.spec?.containers[0];
  if (d === undefined || container?.image === undefined) return null;
  return {
    image: container.image,
    version: ciliumVersionFromImage(container.image),
    ...(d.spec?.replicas !== undefined && { replicas: d.spec.replicas }),
    ...(d.status?.readyReplicas !== undefined && { readyReplicas: d.status.readyReplicas }),
  };
}

export function toCiliumCrds(items: unknown[]): CiliumCrd[] {
  const out: CiliumCrd[] = [];
  for (const item of items) {
    const o = rec(item);
    const spec = rec(o?.spec);
    const meta = rec(o?.metadata);
    const name = str(meta?.name);
    if (spec?.group !== 'cilium.io' || name === undefined) continue;
    const versions = arr(spec.versions).map(rec).filter((v): v is Json => v !== undefined);
    const status = rec(o?.status);
    const established = arr(status?.conditions).map(rec).some((c) => c?.type === 'Established' && c.status === 'True');
    const schemaVersion = str(rec(meta?.labels)?.['io.cilium.k8s.crd.schema.version']);
    out.push({
      name,
      servedVersions: versions.filter((v) => v.served === true).map((v) => str(v.name) ?? ''),
      storageVersion: str(versions.find((v) => v.storage === true)?.name) ?? null,
      storedVersions: arr(status?.storedVersions).map((v) => str(v) ?? ''),
      established,
      ...(schemaVersion !== undefined && { schemaVersion }),
    });
  }
  return out;
}

export function toCiliumNodeIpam(obj: unknown): CiliumNodeIpam {
  const o = rec(obj);
  const ipam = rec(rec(o?.spec)?.ipam);
  const status = rec(rec(o?.status)?.ipam);
  const pool = rec(ipam?.pool);
  const used = rec(status?.used);
  const preAllocate = int(ipam?.['pre-allocate']);
  const minAllocate = int(ipam?.['min-allocate']);
  const maxAboveWatermark = int(ipam?.['max-above-watermark']);
  return {
    podCIDRs: arr(ipam?.podCIDRs).map((c) => str(c) ?? '').filter((c) => c !== ''),
    ...(pool !== undefined && { poolSize: Object.keys(pool).length }),
    ...(used !== undefined && { used: Object.keys(used).length }),
    operatorError: str(rec(status?.['operator-status'])?.error) ?? null,
    ...(preAllocate !== undefined && { preAllocate }),
    ...(minAllocate !== undefined && { minAllocate }),
    ...(maxAboveWatermark !== undefined && { maxAboveWatermark }),
  };
}

export function toClusterPods(pods: V1Pod[]): ClusterPod[] {
  return pods.map((p) => ({
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    phase: p.status?.phase ?? 'Unknown',
    labels: p.metadata?.labels ?? {},
  }));
}

/** The "Max locked memory" row of /proc/<pid>/limits: `Max locked memory  8388608  8388608  bytes`. */
export function parseMemlock(limits: string): Memlock | null {
  const m = /^Max locked memory\s+(\S+)\s+(\S+)/m.exec(limits);
  return m === null ? null : { soft: m[1] ?? '', hard: m[2] ?? '' };
}

/** CONFIG_X=y|m|value lines and "# CONFIG_X is not set" (as "n"). */
export function parseKernelConfig(text: string, source: string): KernelConfig {
  const options: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (set?.[1] !== undefined) options[set[1]] = (set[2] ?? '').replace(/^"|"$/g, '');
    const unset = /^# (CONFIG_[A-Z0-9_]+) is not set$/.exec(line);
    if (unset?.[1] !== undefined) options[unset[1]] = 'n';
  }
  return { source, options };
}

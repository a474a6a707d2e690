// CRD API-version changes between two Cilium releases that an upgrade has to act on. Only changes upstream documents
// are listed; each names its source.
import semver from 'semver';

export interface CrdChange {
  crd: string;
  kind: string;
  /** The first release where `to` is the version to write. */
  since: string;
  from: string;
  to: string;
  action: string;
  source: string;
}

export const CRD_CHANGES: readonly CrdChange[] = [
  {
    // The per-node config guide writes cilium.io/v2 from v1.16 on and cilium.io/v2alpha1 up to v1.15
    // (docs.cilium.io/en/v1.15 and /en/v1.16 configuration/per-node-config/); the agent's build-config reads v2.
    crd: 'ciliumnodeconfigs.cilium.io',
    kind: 'CiliumNodeConfig',
    since: '1.16.0',
    from: 'v2alpha1',
    to: 'v2',
    action: 'rewrite CiliumNodeConfig manifests with apiVersion cilium.io/v2 (v2alpha1 is deprecated), then re-apply them',
    source: 'https://docs.cilium.io/en/v1.16/configuration/per-node-config/',
  },
];

export interface CrdInUse {
  name: string;
  storedVersions: string[];
}

export interface CrdFinding {
  change: CrdChange;
  /** The stored versions the cluster holds for the CRD (what the running release wrote). */
  stored: string[];
}

/** Changes crossed by running → target whose old version the cluster still stores. */
export function crdChangesCrossed(running: string | null, target: string, crds: readonly CrdInUse[]): CrdFinding[] {
  const t = semver.coerce(target);
  const r = running === null ? null : semver.coerce(running);
  if (t === null) return [];
  const out: CrdFinding[] = [];
  for (const change of CRD_CHANGES) {
    if (semver.lt(t, change.since)) continue;
    if (r !== null && semver.gte(r, change.since)) continue;
    const crd = crds.find((c) => c.name === change.crd);
    if (crd === undefined || !crd.storedVersions.includes(change.from)) continue;
    out.push({ change, stored: crd.storedVersions });
  }
  return out;
}

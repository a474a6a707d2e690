// A scenario with Cilium installed outside kube-system (OpenShift/OLM `cilium`, a Helm release namespace): Cilium's
// own objects, their events, logs and exec results move to `namespace`; kube-proxy and the rest stay where they are.
import type { KubeObject, Scenario } from '../../sandbox/scenario/index.ts';

const FROM = 'kube-system';
/** Cilium's objects in the scenarios are named cilium*, hubble* (agent, operator, relay, cilium-config, …). */
const isCilium = (name: string): boolean => /^(cilium|hubble)/.test(name);

function moveObject(o: KubeObject, namespace: string): KubeObject {
  const involved = (o as { involvedObject?: { namespace?: string; name?: string } }).involvedObject;
  if (o.kind === 'Event' && involved?.namespace === FROM && isCilium(involved.name ?? '')) {
    return { ...o, metadata: { ...o.metadata, namespace }, involvedObject: { ...involved, namespace } };
  }
  if (o.metadata.namespace === FROM && isCilium(o.metadata.name)) return { ...o, metadata: { ...o.metadata, namespace } };
  return o;
}

export function relocateCilium(scenario: Scenario, namespace: string): Scenario {
  if (namespace === FROM) return scenario;
  const moves = <T extends { namespace: string; pod: string }>(e: T): T => (e.namespace === FROM && isCilium(e.pod) ? { ...e, namespace } : e);
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
  return {
    ...scenario,
    objects: [ns, ...scenario.objects.map((o) => moveObject(o, namespace))],
    logs: scenario.logs.map(moves),
    exec: scenario.exec.map(moves),
  };
}

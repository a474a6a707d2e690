// Policy and control-plane scenarios: the policies select (or fail to select) node-2's pods, Hubble is off, the
// operator lags the agents, node-2's pod CIDR is full, node-2's agent cannot reach the apiserver.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { agentLog, agentOn, agentStatus, config, get, nodeOf, ofKind, named, rulesText, selectedPods, workloadsOn } from './helpers.ts';

describe('fqdn-dns-proxy', () => {
  const s = resolveScenario('fqdn-dns-proxy');
  it('has a toFQDNs policy selecting only node-2 pods, with no DNS rule', () => {
    const policy = named(s, 'CiliumNetworkPolicy', 'payments-egress-stripe');
    const pods = selectedPods(s, policy);
    expect(pods.length).toBe(2);
    expect(pods.every((p) => nodeOf(p) === 'node-2')).toBe(true);
    const egress = rulesText(policy, 'egress');
    expect(egress).toContain('toFQDNs');
    expect(egress).not.toMatch(/"53"|"dns"/);
    expect(config(s)['enable-l7-proxy']).toBe('true');
  });
});

describe('policy-default-deny', () => {
  const s = resolveScenario('policy-default-deny');
  it('puts node-2 pods in ingress default-deny without an allow for checkout, and egress default-deny without DNS', () => {
    const ingress = named(s, 'CiliumNetworkPolicy', 'payments-from-frontend');
    const selected = selectedPods(s, ingress);
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.every((p) => nodeOf(p) === 'node-2')).toBe(true);
    expect(rulesText(ingress, 'ingress')).not.toContain('checkout');
    expect(ofKind(s, 'Pod').some((p) => p.metadata.labels?.['app'] === 'checkout' && nodeOf(p) === 'node-2')).toBe(true);
    const ccnp = named(s, 'CiliumClusterwideNetworkPolicy', 'payments-egress-lockdown');
    expect(selectedPods(s, ccnp).some((p) => nodeOf(p) === 'node-2')).toBe(true);
    expect(rulesText(ccnp, 'egress')).not.toMatch(/"53"|kube-dns/);
    expect(get(ccnp, 'spec', 'ingress')).toBeUndefined();
  });
});

describe('policy-selector-drift', () => {
  const s = resolveScenario('policy-selector-drift');
  it('has policies that select no running pod after the relabel; the pods on node-2 carry the new labels', () => {
    const policies = ofKind(s, 'CiliumNetworkPolicy');
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(selectedPods(s, p)).toEqual([]);
    const payments = ofKind(s, 'Pod').filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'payments');
    expect(payments.length).toBe(2);
    expect(payments.every((p) => nodeOf(p) === 'node-2' && p.metadata.labels?.['app'] === undefined)).toBe(true);
  });
});

describe('hubble-disabled', () => {
  const s = resolveScenario('hubble-disabled');
  it('has enable-hubble=false, no hubble-relay, and only healthy agents', () => {
    expect(config(s)['enable-hubble']).toBe('false');
    expect(s.objects.some((o) => o.metadata.name.startsWith('hubble-relay'))).toBe(false);
    for (const n of ['node-1', 'node-2', 'node-3']) expect(get(agentStatus(s, n), 'ready')).toBe(true);
  });
});

describe('crd-upgrade-drift', () => {
  const s = resolveScenario('crd-upgrade-drift');
  const tag = (image: unknown): string => /:v([\d.]+)/.exec(String(image))?.[1] ?? '';
  it('runs agent 1.16.3 on node-2 against operator 1.15.6; the rest of the rollout is pending', () => {
    const op = named(s, 'Deployment', 'cilium-operator');
    expect(tag(get(op, 'spec', 'template', 'spec', 'containers', 0, 'image'))).toBe('1.15.6');
    expect(tag(get(named(s, 'DaemonSet', 'cilium'), 'spec', 'template', 'spec', 'containers', 0, 'image'))).toBe('1.16.3');
    expect(tag(get(agentOn(s, 'node-2'), 'spec', 'containers', 0, 'image'))).toBe('1.16.3');
    expect(tag(get(agentOn(s, 'node-1'), 'status', 'containerStatuses', 0, 'image'))).toBe('1.15.6');
    const crds = ofKind(s, 'CustomResourceDefinition');
    expect(crds.length).toBeGreaterThanOrEqual(5);
    for (const c of crds) {
      expect(c.apiVersion).toBe('apiextensions.k8s.io/v1');
      expect(get(c, 'status', 'storedVersions')).toEqual([expect.stringMatching(/^v2/)]);
    }
  });
});

describe('ipam-exhausted', () => {
  const s = resolveScenario('ipam-exhausted');
  it("fills node-2's /27 and leaves new pods there waiting with range-is-full events", () => {
    const cn = named(s, 'CiliumNode', 'node-2');
    expect(cn.apiVersion).toBe('cilium.io/v2');
    expect(get(cn, 'spec', 'ipam', 'podCIDRs')).toEqual(['10.1.2.0/27']);
    expect(get(cn, 'status', 'ipam')).toBeDefined();
    const onNode = workloadsOn(s, 'node-2');
    const ips = onNode.map((p) => get(p, 'status', 'podIP')).filter((ip): ip is string => typeof ip === 'string');
    expect(ips.every((ip) => /^10\.1\.2\.([0-9]|[12][0-9]|3[01])$/.test(ip))).toBe(true);
    expect(new Set(ips).size + 2).toBe(30);
    const pending = onNode.filter((p) => get(p, 'status', 'containerStatuses', 0, 'state', 'waiting', 'reason') === 'ContainerCreating');
    expect(pending).toHaveLength(3);
    const events = s.objects.filter((o) => o.kind === 'Event' && String(get(o, 'message')).includes('postIpamFailure  range is full'));
    expect(events.map((e) => get(e, 'involvedObject', 'name')).sort()).toEqual(pending.map((p) => p.metadata.name).sort());
    expect(config(s)['cluster-pool-ipv4-mask-size']).toBe('27');
    expect(get(agentStatus(s, 'node-2'), 'ready')).toBe(true);
  });
});

describe('apiserver-unreachable', () => {
  const s = resolveScenario('apiserver-unreachable');
  it('crash-loops node-2 on the dead Service VIP: KPR on, no kube-proxy, no k8sServiceHost', () => {
    expect(get(agentStatus(s, 'node-2'), 'state', 'waiting', 'reason')).toBe('CrashLoopBackOff');
    const previous = agentLog(s, 'node-2').previous ?? '';
    expect(previous).toContain('msg="Establishing connection to apiserver" host="https://10.100.0.1:443"');
    expect(previous).toContain('msg="Unable to contact k8s api-server"');
    expect(config(s)['kube-proxy-replacement']).toBe('true');
    expect(ofKind(s, 'DaemonSet').some((d) => d.metadata.name === 'kube-proxy')).toBe(false);
    const env = JSON.stringify(get(agentOn(s, 'node-2'), 'spec', 'containers', 0, 'env'));
    expect(env).not.toContain('KUBERNETES_SERVICE_HOST');
    expect(get(named(s, 'Service', 'kubernetes'), 'spec', 'clusterIP')).toBe('10.100.0.1');
    expect(workloadsOn(s, 'node-2').every((p) => get(p, 'status', 'phase') === 'Pending')).toBe(true);
    for (const n of ['node-1', 'node-3', 'node-4']) expect(get(agentStatus(s, n), 'ready')).toBe(true);
  });
});

// Per-pool fixes: a CiliumNodeConfig (cilium.io/v2 from 1.16, v2alpha1 before) selecting the node's pool label turns
// off, for that pool only, the feature its kernel cannot run; the runbooks offer it beside the cluster-wide change
// when the node's pool label is known. Agent lines are the fixtures' real ones (fact sheet §2.6, §2.7).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bandwidthManagerUnsupported } from '../../../runbooks/catalogue/bandwidth-manager-unsupported.ts';
import { kernelConfigMissing } from '../../../runbooks/catalogue/kernel-config-missing.ts';
import { kernelTooOld } from '../../../runbooks/catalogue/kernel-too-old.ts';
import { wireguardUnsupported } from '../../../runbooks/catalogue/wireguard-unsupported.ts';
import type { FixStep } from '../../../runbooks/engine/contract.ts';
import type { EvidenceInput } from '../../../runbooks/engine/evidence.ts';
import { featureOffDefaults, nodeConfigApiVersion, perPoolNodeConfigYaml } from '../../../runbooks/engine/node-config-fix.ts';
import { poolLabel } from '../../../runbooks/engine/node-pool.ts';
import { agentLogs, crashingPod, exampleEvidence, LINES, ok, withNode } from './fixtures.ts';

interface NodeConfig {
  apiVersion: string; kind: string; metadata: { namespace: string; name: string };
  spec: { nodeSelector: { matchLabels: Record<string, string> }; defaults: Record<string, unknown> };
}

/** The node with these labels (the pool read from them as the collector does). */
function onNode(kernelVersion: string, labels: Record<string, string>): Partial<EvidenceInput> {
  const base = withNode({ kernelVersion });
  if (base.node === undefined || !base.node.ok) throw new Error('fixture node');
  return { node: ok({ ...base.node.value, labels, pool: poolLabel(labels)?.value ?? null }) };
}

const perPool = (steps: readonly FixStep[] | undefined): FixStep | undefined => steps?.find((s) => s.title.includes('(CiliumNodeConfig)'));

/** The CiliumNodeConfig inside the step's `kubectl apply -f - <<'EOF'` command. */
function nodeConfigOf(step: FixStep | undefined): NodeConfig {
  const heredoc = /^kubectl apply -f - <<'EOF'\n([\s\S]*)\nEOF$/.exec(step?.commands?.[0] ?? '');
  if (heredoc?.[1] === undefined) throw new Error(`no heredoc in ${step?.commands?.[0] ?? 'no step'}`);
  return parse(heredoc[1]) as NodeConfig;
}

describe('CiliumNodeConfig generator', () => {
  it('cilium.io/v2 from Cilium 1.16, v2alpha1 before (and v2 when the version is unknown)', () => {
    expect(nodeConfigApiVersion('1.15.6')).toBe('cilium.io/v2alpha1');
    expect(nodeConfigApiVersion('1.16.0')).toBe('cilium.io/v2');
    expect(nodeConfigApiVersion('1.18.2')).toBe('cilium.io/v2');
    expect(nodeConfigApiVersion(null)).toBe('cilium.io/v2');
  });

  it('selects the pool by its label, keeps the values strings, names the object in RFC 1123', () => {
    const cnc = parse(perPoolNodeConfigYaml({
      pool: { key: 'eks.amazonaws.com/nodegroup', value: 'Workers_Legacy' }, defaults: { 'enable-bandwidth-manager': 'false' },
      slug: 'bandwidth-manager', ciliumVersion: '1.15.6', namespace: 'kube-system',
    })) as NodeConfig;
    expect(cnc).toEqual({
      apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumNodeConfig', metadata: { namespace: 'kube-system', name: 'bandwidth-manager-off-workers-legacy' },
      spec: { nodeSelector: { matchLabels: { 'eks.amazonaws.com/nodegroup': 'Workers_Legacy' } }, defaults: { 'enable-bandwidth-manager': 'false' } },
    });
  });

  it('turns off what turned the feature on: KPR for socket LB under KPR, bpf-lb-sock alone otherwise; nothing for egress gateway', () => {
    expect(featureOffDefaults('socket-lb', { 'kube-proxy-replacement': 'true' })).toEqual({ 'kube-proxy-replacement': 'false' });
    expect(featureOffDefaults('socket-lb', { 'bpf-lb-sock': 'true' })).toEqual({ 'bpf-lb-sock': 'false' });
    expect(featureOffDefaults('netkit', { 'datapath-mode': 'netkit' })).toEqual({ 'datapath-mode': 'veth' });
    expect(featureOffDefaults('egress-gateway', {})).toBeNull();
  });
});

describe('runbooks offer the per-pool fix where the pool is known', () => {
  const legacy = { 'kubernetes.io/hostname': 'node-7', 'eks.amazonaws.com/nodegroup': 'workers-legacy' };

  it('bandwidth manager on a 4.19 pool: off for that nodegroup only, with the restart of its agents', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({
      ...onNode('4.19.0-18-cloud-amd64', legacy), ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }), ...agentLogs(null, [LINES.bwmNeeds51]),
    }));
    const step = perPool(f?.fixSteps);
    expect(step?.title).toBe('Or turn the bandwidth manager off for pool workers-legacy only (CiliumNodeConfig)');
    const cnc = nodeConfigOf(step);
    expect(cnc.spec).toEqual({ nodeSelector: { matchLabels: { 'eks.amazonaws.com/nodegroup': 'workers-legacy' } }, defaults: { 'enable-bandwidth-manager': 'false' } });
    expect(cnc.apiVersion).toBe('cilium.io/v2');
    expect(step?.commands?.[1]).toBe("kubectl get nodes -l eks.amazonaws.com/nodegroup=workers-legacy -o name | sed 's|^node/||' | xargs -I{} kubectl -n kube-system delete pod -l k8s-app=cilium --field-selector spec.nodeName={}");
    expect(step?.detail).toMatch(/read it only when they restart/);
    // The cluster-wide change is still offered first.
    expect(f?.fixSteps.findIndex((s) => s.helmValues === 'bandwidthManager:\n  enabled: false')).toBeLessThan(f?.fixSteps.indexOf(step ?? f.fixSteps[0] as FixStep) ?? -1);
  });

  it('BBR below 5.18 with the bandwidth manager kept: only enable-bbr goes off for the pool', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({
      ...onNode('5.15.0-1051-azure', { 'kubernetes.azure.com/agentpool': 'nodepool2' }),
      ciliumConfig: ok({ 'enable-bandwidth-manager': 'true', 'enable-bbr': 'true' }), agentPod: crashingPod(), ...agentLogs([LINES.bbrFatal]),
    }));
    expect(nodeConfigOf(perPool(f?.fixSteps)).spec.defaults).toEqual({ 'enable-bbr': 'false' });
  });

  it('kube-proxy replacement on a 5.0 pool (above 1.15\'s floor, below socket LB\'s need): KPR off for the pool, with kube-proxy there', () => {
    const f = kernelTooOld.match(exampleEvidence({
      ...onNode('5.0.21-050021-generic', { 'node-pool': 'workers-old' }),
      cilium: ok({ version: '1.15.6', image: 'quay.io/cilium/cilium:v1.15.6' }),
      ciliumConfig: ok({ 'kube-proxy-replacement': 'true' }),
    }));
    const step = perPool(f?.fixSteps);
    const cnc = nodeConfigOf(step);
    expect(cnc.apiVersion).toBe('cilium.io/v2alpha1');
    expect(cnc.spec.defaults).toEqual({ 'kube-proxy-replacement': 'false' });
    expect(cnc.spec.nodeSelector.matchLabels).toEqual({ 'node-pool': 'workers-old' });
    expect(step?.detail).toContain('these nodes need kube-proxy');
    // The admission guard holds the release's floor (4.19), not the feature's need: this pool may keep joining.
    const guard = f?.fixSteps.find((s) => s.title.includes('ValidatingAdmissionPolicy'));
    expect(guard?.commands?.[0]).toContain('variables.kernelNumber < 4019');
  });

  it('below the floor no feature switch helps: no per-pool config step', () => {
    const f = kernelTooOld.match(exampleEvidence({
      ...onNode('4.14.336-257.566.amzn2.x86_64', legacy), agentPod: crashingPod(),
      cilium: ok({ version: '1.16.3', image: 'quay.io/cilium/cilium:v1.16.3' }), ciliumConfig: ok({ 'kube-proxy-replacement': 'true' }),
    }));
    expect(f?.severity).toBe('critical');
    expect(perPool(f?.fixSteps)).toBeUndefined();
  });

  it('WireGuard: per pool on a 4.19 kernel and on a 6.6 kernel built without it, with the security caveat', () => {
    const old = wireguardUnsupported.match(exampleEvidence({
      ...onNode('4.19.0-18-cloud-amd64', legacy), ciliumConfig: ok({ 'enable-wireguard': 'true' }), agentPod: crashingPod(), ...agentLogs([LINES.wgNotSupported]),
    }));
    const step = perPool(old?.fixSteps);
    expect(nodeConfigOf(step).spec.defaults).toEqual({ 'enable-wireguard': 'false' });
    expect(step?.detail).toMatch(/unencrypted.*unknown/);
    const built = kernelConfigMissing.match(exampleEvidence({
      ...onNode('6.6.64.2-3.azl3', legacy), ciliumConfig: ok({ 'enable-wireguard': 'true' }), agentPod: crashingPod(), ...agentLogs([LINES.wgSlog]),
    }));
    expect(nodeConfigOf(perPool(built?.fixSteps)).spec.defaults).toEqual({ 'enable-wireguard': 'false' });
  });

  it('no pool label, no per-pool step (there is nothing to select the pool by)', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({
      ...onNode('4.19.0-18-cloud-amd64', { 'kubernetes.io/hostname': 'node-7' }), ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }), ...agentLogs(null, [LINES.bwmNeeds51]),
    }));
    expect(f).not.toBeNull();
    expect(perPool(f?.fixSteps)).toBeUndefined();
  });
});

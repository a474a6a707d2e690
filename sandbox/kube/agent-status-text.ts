// What `cilium-dbg status --verbose` (`cilium status --verbose` before 1.15) prints in a running agent, computed
// from the scenario: the line order and column layout of real output (cilium/cilium pkg/client/client.go
// FormatStatusResponse; samples: cilium/cilium#27142 (1.14.0, --verbose), #25984 (Host Routing … Cluster health),
// #29132 (the KubeProxyReplacement Details block)). Counts no runbook reads (flows, controllers) are plain values.
import type { KubeObject } from '../scenario/schema.ts';
import { asRecord } from './resources.ts';

const row = (label: string, value: string): string => `${`${label}:`.padEnd(24)}${value}`;

export interface AgentStatusInputs {
  ciliumVersion: string;
  kubeletVersion: string;
  architecture: string;
  podCIDR: string;
  kubeProxyReplacement: boolean;
  nodeIP: string;
}

export function agentStatusInputs(pod: KubeObject, node: KubeObject | undefined, config: Record<string, string>): AgentStatusInputs {
  const containers = asRecord(pod['spec'])['containers'];
  const rawImage = Array.isArray(containers) ? asRecord(containers[0])['image'] : undefined;
  const image = typeof rawImage === 'string' ? rawImage : '';
  const info = asRecord(asRecord(node?.['status'])['nodeInfo']);
  const addresses = asRecord(node?.['status'])['addresses'];
  const internal = Array.isArray(addresses) ? addresses.map(asRecord).find((a) => a['type'] === 'InternalIP')?.['address'] : undefined;
  return {
    ciliumVersion: /:v?(\d+\.\d+\.\d+)/.exec(image)?.[1] ?? '1.15.6',
    kubeletVersion: typeof info['kubeletVersion'] === 'string' ? info['kubeletVersion'] : 'v1.30.2',
    architecture: typeof info['architecture'] === 'string' ? info['architecture'] : 'amd64',
    podCIDR: typeof asRecord(node?.['spec'])['podCIDR'] === 'string' ? String(asRecord(node?.['spec'])['podCIDR']) : '10.0.1.0/24',
    kubeProxyReplacement: config['kube-proxy-replacement'] === 'true' || config['kube-proxy-replacement'] === 'strict',
    nodeIP: typeof internal === 'string' ? internal : '192.0.2.10',
  };
}

export function agentStatusText(i: AgentStatusInputs): string {
  const k8s = /^v?(\d+\.\d+)/.exec(i.kubeletVersion)?.[1] ?? '1.30';
  const router = i.podCIDR.replace(/\.0\/\d+$/, '.1');
  const kpr = i.kubeProxyReplacement ? 'True' : 'False';
  return [
    row('KVStore', 'Ok   Disabled'),
    row('Kubernetes', `Ok   ${k8s} (${i.kubeletVersion}) [linux/${i.architecture}]`),
    row('Kubernetes APIs', '["EndpointSliceOrEndpoint", "cilium/v2::CiliumClusterwideNetworkPolicy", "cilium/v2::CiliumEndpoint", "cilium/v2::CiliumNetworkPolicy", "cilium/v2::CiliumNode", "cilium/v2alpha1::CiliumCIDRGroup", "core/v1::Namespace", "core/v1::Pods", "core/v1::Service", "networking.k8s.io/v1::NetworkPolicy"]'),
    row('KubeProxyReplacement', `${kpr}   ${i.kubeProxyReplacement ? `[eth0   ${i.nodeIP} (Direct Routing)]` : ''}`),
    row('Host firewall', 'Disabled'),
    row('CNI Chaining', 'none'),
    row('Cilium', `Ok   ${i.ciliumVersion} (v${i.ciliumVersion}-sandbox)`),
    row('NodeMonitor', 'Listening for events on 2 CPUs with 64x4096 of shared memory'),
    row('Cilium health daemon', 'Ok   '),
    row('IPAM', `IPv4: 2/254 allocated from ${i.podCIDR}, `),
    'Allocated addresses:',
    `  ${router} (router)`,
    `  ${router.replace(/\.1$/, '.2')} (health)`,
    row('IPv4 BIG TCP', 'Disabled'),
    row('IPv6 BIG TCP', 'Disabled'),
    row('BandwidthManager', 'Disabled'),
    row('Host Routing', 'Legacy'),
    row('Masquerading', `IPTables [IPv4: Enabled, IPv6: Disabled]`),
    row('Controller Status', '24/24 healthy'),
    row('Proxy Status', `OK, ip ${router}, 0 redirects active on ports 10000-20000, Envoy: embedded`),
    row('Global Identity Range', 'min 256, max 65535'),
    row('Hubble', 'Ok              Current/Max Flows: 4095/4095 (100.00%), Flows/s: 1.02   Metrics: Disabled'),
    'KubeProxyReplacement Details:',
    `  Status:                 ${kpr}`,
    `  Socket LB:              ${i.kubeProxyReplacement ? 'Enabled' : 'Disabled'}`,
    '  Session Affinity:       Enabled',
    '  Graceful Termination:   Enabled',
    '  NAT46/64 Support:       Disabled',
    '  Services:',
    '  - ClusterIP:      Enabled',
    `  - NodePort:       ${i.kubeProxyReplacement ? 'Enabled (Range: 30000-32767)' : 'Disabled'}`,
    `  - LoadBalancer:   ${i.kubeProxyReplacement ? 'Enabled' : 'Disabled'}`,
    `  - externalIPs:    ${i.kubeProxyReplacement ? 'Enabled' : 'Disabled'}`,
    `  - HostPort:       ${i.kubeProxyReplacement ? 'Enabled' : 'Disabled'}`,
    row('Encryption', 'Disabled        '),
    row('Cluster health', '1/1 reachable   (2026-11-23T12:40:05Z)'),
    '',
  ].join('\n');
}

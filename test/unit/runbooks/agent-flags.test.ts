import { describe, expect, it } from 'vitest';
import { agentFlagsFromLogs } from '../../../runbooks/engine/agent-flags.ts';
import { effectiveConfigValue } from '../../../runbooks/engine/config-keys.ts';

/** Real startup dumps, each row from the thread it was quoted in. */
const DUMP = [
  // https://github.com/cilium/cilium/issues/16492 (v1.10.0)
  'level=info msg="  --k8s-api-server=\'\'" subsys=daemon',
  'level=info msg="  --k8s-namespace=\'kube-system\'" subsys=daemon',
  'level=info msg="  --k8s-watcher-endpoint-selector=\'metadata.name!=kube-scheduler,metadata.name!=kube-controller-manager,metadata.name!=etcd-operator,metadata.name!=gcp-controller-manager\'" subsys=daemon',
  'level=info msg="  --kube-proxy-replacement=\'partial\'" subsys=daemon',
  // https://github.com/cilium/cilium/issues/10517
  'level=info msg="  --ipam=\'crd\'" subsys=daemon',
  'level=info msg="  --ipv4-service-loopback-address=\'169.254.42.1\'" subsys=daemon',
  // https://github.com/cilium/cilium/issues/30061 (v1.14.5, kubectl --timestamps)
  '2023-12-28T07:47:34.086853584Z level=info msg="  --wireguard-encapsulate=\'false\'" subsys=daemon',
  '2023-12-28T07:47:34.086883917Z level=info msg="  --write-cni-conf-when-ready=\'/host/etc/cni/net.d/05-cilium.conflist\'" subsys=daemon',
  '2023-12-28T07:47:34.086909292Z level=info msg="     _ _ _" subsys=daemon',
];

describe('agentFlagsFromLogs', () => {
  it('reads the dump as cilium-config keys and values, empty values included', () => {
    expect(agentFlagsFromLogs(DUMP.join('\n'))).toEqual({
      'k8s-api-server': '',
      'k8s-namespace': 'kube-system',
      'k8s-watcher-endpoint-selector': 'metadata.name!=kube-scheduler,metadata.name!=kube-controller-manager,metadata.name!=etcd-operator,metadata.name!=gcp-controller-manager',
      'kube-proxy-replacement': 'partial',
      ipam: 'crd',
      'ipv4-service-loopback-address': '169.254.42.1',
      'wireguard-encapsulate': 'false',
      'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist',
    });
  });

  it('skips the operator\'s own dump (kubernetes-sigs/cluster-api#8984) and lines that only look alike', () => {
    const text = [
      'level=info msg="  --tunnel=\'vxlan\'" subsys=cilium-operator-generic',
      'level=warning msg="Deprecated value for --kube-proxy-replacement=\'strict\' given" subsys=daemon',
      'level=info msg="Invoked" function="cmd.glob..func4 (daemon_main.go:1607)" subsys=hive',
    ].join('\n');
    expect(agentFlagsFromLogs(text)).toEqual({});
  });

  it('reads JSON logs (log-format: json) and keeps the later of two starts', () => {
    // The logrus JSON shape of cilium/cilium#26942 around a dump line.
    const text = [
      '{"level":"info","msg":"  --routing-mode=\'native\'","subsys":"daemon"}',
      'level=info msg="  --routing-mode=\'tunnel\'" subsys=daemon',
    ].join('\n');
    expect(agentFlagsFromLogs(text)).toEqual({ 'routing-mode': 'tunnel' });
  });

  it('answers config questions when the ConfigMap is unreadable (1.10 partial → false)', () => {
    expect(effectiveConfigValue(agentFlagsFromLogs(DUMP.join('\n')), 'kube-proxy-replacement')).toBe('false');
  });
});

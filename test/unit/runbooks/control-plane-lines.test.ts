// Issue #16: the control-plane and datapath runbooks read the many ways agents, operators and kubectl phrase the same
// failure (1.6 → 1.18 log formats, pasted tables and flows), and stay quiet on near-misses. Lines are quoted from
// public threads other than the ones each matcher was written from, where one exists; the source is named per line.
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import type { StatedFacts } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { statedCiliumConfig } from '../../../runbooks/engine/pasted/stated-config.ts';

const first = (text: string, facts: StatedFacts = {}) => analyzePastedText(text, facts).report.findings[0];
const ids = (text: string, facts: StatedFacts = {}) => analyzePastedText(text, facts).report.findings.map((f) => f.runbookId);

describe('apiserver-unreachable from any Kubernetes API request that failed', () => {
  it('rancher/rke2#8106: an unknown CA is an x509 trust problem, not a certificate missing the address', () => {
    const line = 'time="2025-04-24T00:25:45.688951277Z" level=error msg="Unable to contact k8s api-server" error="Get \\"https://10.96.0.1:443/api/v1/namespaces/kube-system\\": tls: failed to verify certificate: x509: certificate signed by unknown authority" ipAddr="https://10.96.0.1:443" subsys=k8s-client-builder\n';
    const f = first(line);
    expect(f).toMatchObject({ runbookId: 'apiserver-unreachable', basis: 'explicit' });
    expect(f?.summary).toContain('does not trust');
    expect(f?.summary).not.toContain('does not cover the address');
  });

  it('imroc.cc TKE troubleshooting (1.18 config init container): EPERM on the agent\'s own connection names a host rule, from the hive start hook alone', () => {
    const hook = 'time=2026-01-03T23:17:26.850182994Z level=error msg="Start hook failed" subsys=cilium-dbg function="client.(*compositeClientset).onStart (k8s-client)" error="Get \\"https://10.15.1.8:443/api/v1/namespaces/kube-system\\": dial tcp 10.15.1.8:443: connect: operation not permitted"\n';
    const f = first(hook);
    expect(f).toMatchObject({ runbookId: 'apiserver-unreachable', basis: 'explicit' });
    expect(f?.summary).toContain('EPERM');
  });

  it('imroc.cc TKE troubleshooting (1.18): the attempts\' `ipAddr=` (not `host=`) names the address the agent keeps retrying', () => {
    const attempts = [
      'time=2026-01-03T23:17:16.844750142Z level=info msg="Establishing connection to apiserver" subsys=cilium-dbg module=k8s-client ipAddr=https://10.15.1.8:443',
      'time=2026-01-03T23:17:21.849247774Z level=info msg="Establishing connection to apiserver" subsys=cilium-dbg module=k8s-client ipAddr=https://10.15.1.8:443',
      '',
    ].join('\n');
    const f = first(attempts);
    expect(f).toMatchObject({ runbookId: 'apiserver-unreachable', confidence: 'medium' });
    expect(f?.summary).toContain('https://10.15.1.8:443');
  });

  it('zifeo/terraform-openstack-rke2#4 (logfmt ≤ 1.13): the fatal k8s-client failure is critical and explains the crash', () => {
    const fatal = 'level=fatal msg="Unable to initialize Kubernetes subsystem" error="unable to create k8s client: unable to create k8s client: Get \\"https://10.43.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.43.0.1:443: i/o timeout" subsys=daemon\n';
    const { report } = analyzePastedText(fatal);
    expect(report.findings[0]).toMatchObject({ runbookId: 'apiserver-unreachable', severity: 'critical', explainsAgentCrash: true });
    expect(report.findings.map((f) => f.runbookId)).not.toContain('agent-crashloop');
  });

  it('zifeo/terraform-openstack-rke2#4: a failure towards the first address of the service range on 443 (RKE2\'s 10.43.0.1) names the Service ClusterIP and offers k8sServiceHost', () => {
    const fatal = 'level=fatal msg="Unable to initialize Kubernetes subsystem" error="unable to create k8s client: unable to create k8s client: Get \\"https://10.43.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.43.0.1:443: i/o timeout" subsys=daemon\n';
    const f = first(fatal);
    expect(f?.summary).toContain('Service ClusterIP https://10.43.0.1:443');
    expect(f?.fixSteps.some((step) => step.helmValues?.includes('k8sServiceHost') === true)).toBe(true);
    // The API server's own address (port 6443) is not taken for the Service.
    expect(first(fatal.replace(/10\.43\.0\.1:443/g, '192.168.1.10:6443'))?.summary).not.toContain('ClusterIP');
  });

  it('an API server name the node cannot resolve says so (Go net error wording, as kubernetes/kubernetes#23618 prints it)', () => {
    // Constructed on the agent's hive line shape above with Go's DNS error; no public agent line with it was found.
    const lookup = 'level=error msg="Start hook failed" error="Get \\"https://k8s-api.example.lan:6443/api/v1/namespaces/kube-system\\": dial tcp: lookup k8s-api.example.lan on 10.0.0.2:53: no such host" function="client.(*compositeClientset).onStart" subsys=hive\n';
    expect(first(lookup)?.summary).toContain('does not resolve');
  });

  it('kubernetes/kubernetes#23618: a lookup failure towards a kubelet port (/containerLogs) is not the Kubernetes API', () => {
    const kubelet = 'Error from server: Get https://juliette:10250/containerLogs/default/chatroom-703e242e43275c569ae1525b244387aa-eekql/chatroom: dial tcp: lookup juliette on 10.255.255.1:53: no such host\n';
    expect(ids(kubelet)).not.toContain('apiserver-unreachable');
  });

  it('k3s-io/k3s#5898: an x509 SAN error on a kubelet URL (port 10250) is the kubelet\'s certificate, not the API server\'s', () => {
    // The thread's line, quoted by k9s with its table border in the middle; joined here into the one line kubectl prints.
    const kubelet = 'level=error msg="stream logs failed Get \\"https://192.168.23.70:10250/containerLogs/network/cilium-nf2gv/mount-bpf-fs?follow=true&tailLines=100&timestamps=true\\": x509: certificate is valid for 127.0.0.1, 192.168.23.71, not 192.168.23.70"\n';
    expect(ids(kubelet)).not.toContain('apiserver-unreachable');
    expect(ids(kubelet.replace(':10250/containerLogs/network/cilium-nf2gv/mount-bpf-fs?follow=true&tailLines=100&timestamps=true', ':6443/api/v1/namespaces/kube-system'))).toContain('apiserver-unreachable');
  });

  it('cilium/cilium#36979: Hubble Relay timing out on its peers is not the agent losing the API server', () => {
    const relay = 'time="2025-05-08T06:33:22Z" level=warning msg="Failed to create peer client for peers synchronization; will try again after the timeout has expired" error="context deadline exceeded" subsys=hubble-relay target="hubble-peer.cilium.svc.cluster.local:443"\n';
    expect(ids(relay)).not.toContain('apiserver-unreachable');
  });

  it('an info-level API failure (a workload\'s klog-style INFO) is not a finding', () => {
    // cilium/hubble#1678, CoreDNS's own log line.
    const info = '[INFO] plugin/kubernetes: pkg/mod/k8s.io/client-go@v0.32.3/tools/cache/reflector.go:251: failed to list *v1.EndpointSlice: Get "https://10.96.0.1:443/apis/discovery.k8s.io/v1/endpointslices?limit=500&resourceVersion=0": dial tcp 10.96.0.1:443: i/o timeout\n';
    expect(ids(info)).not.toContain('apiserver-unreachable');
  });
});

describe('crd-upgrade-drift from the operator and kubectl', () => {
  // kubesphere/kubesphere#4318: images bumped to 1.10.4 by hand, the operator cannot update the CRDs.
  const REFUSED = 'level=error msg="Unable to update CRD" error="customresourcedefinitions.apiextensions.k8s.io \\"ciliumidentities.cilium.io\\" is forbidden: User \\"system:serviceaccount:kube-system:cilium-operator\\" cannot update resource \\"customresourcedefinitions\\" in API group \\"apiextensions.k8s.io\\" at the cluster scope" name=CiliumIdentity/v2 subsys=k8s\n';

  it('kubesphere#4318: the operator refused updating a CRD is drift with its RBAC cause, a warning', () => {
    const f = first(REFUSED);
    expect(f).toMatchObject({ runbookId: 'crd-upgrade-drift', severity: 'warning', basis: 'explicit' });
    expect(f?.summary).toContain('ClusterRole');
  });

  it('the same refusal at debug level ("Unable to update CRD validation", retried) alone is not a finding', () => {
    const debug = 'level=debug msg="Unable to update CRD validation" error="customresourcedefinitions.apiextensions.k8s.io \\"ciliumendpoints.cilium.io\\" is forbidden: User \\"system:serviceaccount:kube-system:cilium-operator\\" cannot update resource \\"customresourcedefinitions\\" in API group \\"apiextensions.k8s.io\\" at the cluster scope" name=CiliumEndpoint/v2 subsys=k8s\n';
    expect(ids(debug)).not.toContain('crd-upgrade-drift');
  });

  it('kubernetes-sigs/kubespray#5723 (1.5 → 1.7): the agent refused listing a Cilium resource by its own ClusterRole is RBAC behind the binary', () => {
    const forbidden = 'level=error msg=k8sError error="github.com/cilium/cilium/pkg/k8s/watchers/cilium_clusterwide_network_policy.go:132: Failed to list *v2.CiliumClusterwideNetworkPolicy: ciliumclusterwidenetworkpolicies.cilium.io is forbidden: User \\"system:serviceaccount:kube-system:cilium\\" cannot list resource \\"ciliumclusterwidenetworkpolicies\\" in API group \\"cilium.io\\" at the cluster scope" subsys=k8s\n';
    const f = first(forbidden);
    expect(f).toMatchObject({ runbookId: 'crd-upgrade-drift', severity: 'warning' });
    expect(f?.summary).toContain('ClusterRole');
  });

  it('a Cilium type the API server does not serve, as client-go\'s reflector words it (no "(get …)"), is drift; a Kubernetes type is not (cilium/cilium#1873)', () => {
    const k8sType = 'E1027 10:00:00.000000       1 reflector.go:205] Failed to list *v1.NetworkPolicy: the server could not find the requested resource\n';
    expect(ids(k8sType)).not.toContain('crd-upgrade-drift');
    expect(ids(k8sType.replace('Failed to list *v1.NetworkPolicy', 'failed to list *v2alpha1.CiliumCIDRGroup'))).toContain('crd-upgrade-drift');
  });

  it('kubernetes-sigs/kubespray#13222: a Gateway API kind not served is not Cilium CRD drift', () => {
    const gateway = 'level=fatal msg="failed to start: failed to populate object graph: failed to create gateway controller: failed to setup reconciler: failed to setup field indexer \\"gatewayTLSRouteIndex\\": no matches for kind \\"TLSRoute\\" in version \\"gateway.networking.k8s.io/v1alpha2\\""\n';
    expect(ids(gateway)).not.toContain('crd-upgrade-drift');
    expect(first('error: resource mapping not found for name: "bgp" namespace: "" from "bgp.yaml": no matches for kind "CiliumBGPClusterConfig" in version "cilium.io/v2"\n')?.summary).toContain('does not serve CiliumBGPClusterConfig');
  });

  describe('a kubectl deprecation warning for a Cilium CRD version (cilium/cilium#47774 shape)', () => {
    const WARNING = 'Warning: cilium.io/v2alpha1 CiliumNodeConfig will be deprecated in cilium v1.16; use cilium.io/v2 CiliumNodeConfig\n';

    it('on a release past the one named, the old version lingered: drift, a warning of medium confidence', () => {
      expect(first(WARNING, { ciliumVersion: '1.20.0' })).toMatchObject({ runbookId: 'crd-upgrade-drift', severity: 'warning', confidence: 'medium' });
    });

    it('on the release that deprecated it, serving it is normal', () => {
      expect(ids(WARNING, { ciliumVersion: '1.16.3' })).not.toContain('crd-upgrade-drift');
    });

    it('with no version known, nothing can be compared', () => {
      expect(ids(WARNING)).not.toContain('crd-upgrade-drift');
    });

    it('another project\'s deprecation warning is not Cilium drift', () => {
      expect(ids('Warning: policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+\n', { ciliumVersion: '1.20.0' })).not.toContain('crd-upgrade-drift');
    });
  });
});

describe('ipam-exhausted in CRD-backed pools (ENI, Azure, AlibabaCloud)', () => {
  // The crd allocator's error (cilium/cilium pkg/ipam/crd.go allocateNext), as the CNI relays it in an event.
  const EVENT = '  Warning  FailedCreatePodSandBox  2m (x201 over 40m)  kubelet  Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "0f06846efa22": plugin type="cilium-cni" name="cilium" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  no IPs currently available on the node, allocation will be retried once Cilium Operator allocates more IPs\n';

  it('the pool empty until the operator attaches more is IPAM exhaustion; from events alone a likely warning', () => {
    expect(first(EVENT)).toMatchObject({ runbookId: 'ipam-exhausted', severity: 'warning', confidence: 'medium' });
  });

  it('a CNI error quoted wrapped before its reason still reads the reason, and like its event it cannot tell a full pool from a blocked range: a likely warning', () => {
    // The cilium#10627 title's wording, wrapped where chat and markdown wrap it.
    const wrapped = 'network: unable to allocate IP via local cilium agent:\n[POST /ipam][502] postIpamFailure  range is full\n';
    expect(first(wrapped)).toMatchObject({ runbookId: 'ipam-exhausted', basis: 'explicit', severity: 'warning', confidence: 'medium' });
    // The agent's own line says the pool itself is full (cilium#5517): critical.
    expect(first('level=fatal msg="Error while allocating cilium-health IP" error="range is full" subsys=daemon\n')).toMatchObject({ runbookId: 'ipam-exhausted', severity: 'critical' });
  });

  it('the operator\'s routine "No more IPs available, creating new ENI" is not exhaustion', () => {
    const routine = 'level=info msg="No more IPs available, creating new ENI" availabilityZone=eu-central-1a subnetTags="map[]" vpcID=vpc-0a1b subsys=eni\n';
    expect(ids(routine)).not.toContain('ipam-exhausted');
  });
});

describe('map-full from the datapath\'s own drop reason', () => {
  // Hubble's compact line for DropReason CT_MAP_INSERTION_FAILED (api/v1/flow/flow.proto; monitor text "CT: Map insertion failed").
  const DROP = 'Oct 12 10:01:02.345 [node-1]: default/client-7d5:51234 (ID:1234) -> default/server:80 (ID:5678) CT: Map insertion failed DROPPED (TCP Flags: SYN)\n';

  it('a CT map insertion drop is a full CT map: a warning, certain, with the CT sizing to raise', () => {
    const f = first(DROP);
    expect(f).toMatchObject({ runbookId: 'map-full', severity: 'warning', confidence: 'certain' });
    expect(f?.fixSteps.some((s) => s.helmValues?.includes('ctTcpMax') === true)).toBe(true);
  });

  it('the troubleshooting guide\'s `cilium-dbg monitor --type drop` line pasted alone is the same finding', () => {
    // Shape of Documentation/operations/troubleshooting.rst's monitor drop lines, with the CT insertion reason.
    const monitor = 'xx drop (CT: Map insertion failed) to endpoint 0, identity 261->264: 10.0.0.1:41234 -> 10.96.0.10:53 udp\n';
    expect(first(monitor)).toMatchObject({ runbookId: 'map-full', severity: 'warning' });
    expect(ids(monitor.replace('CT: Map insertion failed', 'Policy denied'))).not.toContain('map-full');
  });

  it('a policy drop is not a full map', () => {
    expect(ids(DROP.replace('CT: Map insertion failed', 'Policy denied'))).not.toContain('map-full');
  });
});

describe('kube-proxy-conflict from a pasted kubectl get pods', () => {
  const TABLE = [
    'NAMESPACE     NAME                               READY   STATUS    RESTARTS   AGE',
    'kube-system   cilium-8x7kq                       1/1     Running   0          10m',
    'kube-system   kube-proxy-4tq9z                   1/1     Running   0          3d',
    'kube-system   kube-proxy-wl2mx                   1/1     Running   0          3d',
    '',
  ].join('\n');

  it('kube-proxy pods all Running beside kube-proxy replacement: kube-proxy runs on the node (a DaemonSet covers every node), a warning as the node\'s own pods were not read', () => {
    expect(first(TABLE, { config: { 'kube-proxy-replacement': 'true' } })).toMatchObject({ runbookId: 'kube-proxy-conflict', severity: 'warning', confidence: 'medium' });
  });

  it('the same with the Helm spelling threads quote (`--set kubeProxyReplacement=true`)', () => {
    expect(first(TABLE, { config: { kubeProxyReplacement: 'true' } })).toMatchObject({ runbookId: 'kube-proxy-conflict' });
  });

  it('a cilium-config key stated beside its Helm spelling wins', () => {
    expect(statedCiliumConfig({ kubeProxyReplacement: 'true', 'kube-proxy-replacement': 'false', 'bpf.policyMapMax': '65536' }))
      .toMatchObject({ 'kube-proxy-replacement': 'false', 'bpf-policy-map-max': '65536' });
  });

  it('without kube-proxy replacement, kube-proxy pods are the normal setup', () => {
    expect(ids(TABLE, { config: { 'kube-proxy-replacement': 'false' } })).not.toContain('kube-proxy-conflict');
  });

  it('a table where a kube-proxy pod is not Running does not say this node runs one', () => {
    expect(ids(TABLE.replace('1/1     Running   0          3d\nkube-system   kube-proxy-wl2mx', '0/1     Pending   0          3d\nkube-system   kube-proxy-wl2mx'), { config: { 'kube-proxy-replacement': 'true' } })).not.toContain('kube-proxy-conflict');
  });
});

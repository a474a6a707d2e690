// Real JSON/YAML output for the structured-block tests, each with its source. Quoted verbatim (whole lines; an
// excerpt's cut line is left out). Where no verbatim sample of a whole shape was found, the constant says what was
// assembled and from what.

/**
 * cilium/hubble-ui#1125 (Cilium v1.18.7), the reporter's reproduction: three `---`-separated documents, a toFQDNs
 * egress policy with no DNS rule among them. The excerpt ends inside the Pod's container; the last whole lines kept.
 * https://github.com/cilium/hubble-ui/issues/1125
 */
export const CNP_MULTI_DOC_1125 = [
  'apiVersion: v1',
  'kind: Namespace',
  'metadata:',
  '  name: hubble-hostnet-test',
  '---',
  '# The egress rule makes egress default-deny for this pod without permitting the',
  '# host entity, so traffic to the node IP drops.',
  'apiVersion: cilium.io/v2',
  'kind: CiliumNetworkPolicy',
  'metadata:',
  '  name: hostnet-deny',
  '  namespace: hubble-hostnet-test',
  'spec:',
  '  endpointSelector:',
  '    matchLabels:',
  '      app: hostnet-deny',
  '  egress:',
  '    - toFQDNs:',
  "        - matchName: 'example.com'",
  '      toPorts:',
  '        - ports:',
  "            - port: '443'",
  '              protocol: TCP',
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: hostnet-deny',
  '  namespace: hubble-hostnet-test',
  '  labels:',
  '    app: hostnet-deny',
  'spec:',
  '  containers:',
  '    - name: curl',
  '      image: curlimages/curl:8.10.1',
  '      env:',
  '        - name: NODE_IP',
  '          valueFrom:',
  '            fieldRef:',
  '              fieldPath: status.hostIP',
  "      command: ['/bin/sh', '-c']",
].join('\n');

/**
 * cilium/cilium#44396: a Helm-templated egress fragment the reporter pasted (not valid YAML once pasted as is:
 * `{{ … }}` opens a flow mapping). https://github.com/cilium/cilium/issues/44396
 */
export const HELM_TEMPLATED_EGRESS_44396 = [
  '  egress:',
  '  - toEndpoints:',
  '    - matchLabels:',
  '        io.kubernetes.pod.namespace: {{ .Values.ciliumNetworkPolicy.dns.namespace | default "kube-system" }}',
  '        k8s-app: kube-dns',
  '      toPorts:',
  '      - ports:',
  '        - port: "53"',
  '          protocol: UDP',
  '        - port: "53"',
  '          protocol: TCP',
  '        rules:',
  '              dns:',
  '                - matchPattern: "*"',
].join('\n');

/**
 * Kubernetes documentation, "Default deny all egress traffic".
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
 */
export const KNP_DEFAULT_DENY_EGRESS = [
  '---',
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: default-deny-egress',
  'spec:',
  '  podSelector: {}',
  '  policyTypes:',
  '  - Egress',
].join('\n');

/** cilium/cilium examples/policies/l3/egress-default-deny/egress-default-deny.yaml (an egress section with no rule). */
export const CNP_EGRESS_DEFAULT_DENY = [
  'apiVersion: "cilium.io/v2"',
  'kind: CiliumNetworkPolicy',
  'metadata:',
  '  name: "deny-all-egress"',
  'spec:',
  '  endpointSelector:',
  '    matchLabels:',
  '      role: restricted',
  '  egress:',
].join('\n');

/**
 * cilium/hubble pkg/printer/printer_test.go (TestPrinter_WriteProtoFlow): the same dropped flow printed with
 * `-o json` (the bare flow) and `-o jsonpb` (wrapped in `flow`). Its event_type is a drop (type 1) whose sub_type
 * 133 is the drop reason; the compact printer shows it as "Policy denied DROPPED".
 */
export const HUBBLE_JSON_PRINTER = '{"time":"1970-01-01T00:20:34.567800Z","verdict":"DROPPED","IP":{"source":"1.1.1.1","destination":"2.2.2.2"},"l4":{"TCP":{"source_port":31793,"destination_port":8080}},"Type":"L3_L4","node_name":"k8s1","event_type":{"type":1,"sub_type":133},"Summary":"TCP Flags: SYN"}';
export const HUBBLE_JSONPB_PRINTER = '{"flow":{"time":"1970-01-01T00:20:34.567800Z","verdict":"DROPPED","IP":{"source":"1.1.1.1","destination":"2.2.2.2"},"l4":{"TCP":{"source_port":31793,"destination_port":8080}},"Type":"L3_L4","node_name":"k8s1","event_type":{"type":1,"sub_type":133},"Summary":"TCP Flags: SYN"}}';

/**
 * `cilium endpoint list` quoted in cilium/cilium PR #4942 (trailing spaces as printed); the row after it is cut in the
 * excerpt and left out. https://github.com/cilium/cilium/pull/4942
 */
export const ENDPOINT_LIST_4942 = [
  'ENDPOINT   POLICY (ingress)   POLICY (egress)   IDENTITY   LABELS (source:key[=value])                       IPv6                 IPv4          STATUS   ',
  '           ENFORCEMENT        ENFORCEMENT                                                                                                       ',
  '11230      Enabled            Disabled          4304       k8s:app=details                                   f00d::a0a:0:0:2bde   10.10.0.127   regenerating   ',
  '                                                           k8s:io.cilium.k8s.policy.serviceaccount=default                                                     ',
  '                                                           k8s:io.kubernetes.pod.namespace=default                                                             ',
  '                                                           k8s:track=stable                                                                                    ',
  '                                                           k8s:version=v1                                                                                      ',
  '                                                           k8s:zgroup=bookinfo                                                                                 ',
].join('\n');

/** cilium/cilium#27677 (host firewall): a host-network endpoint, no pod namespace label. https://github.com/cilium/cilium/issues/27677 */
export const ENDPOINT_LIST_27677 = [
  'root@1000-worker:/home/cilium# cilium endpoint list',
  'ENDPOINT   POLICY (ingress)   POLICY (egress)   IDENTITY   LABELS (source:key[=value])                                              IPv6                        IPv4             STATUS',
  '           ENFORCEMENT        ENFORCEMENT',
  '60         Disabled           Disabled          49353      k8s:app.kubernetes.io/part-of=control-plane                              fe80::c8e0:75ff:fec1:a45b   192.168.110.32   ready',
  '                                                           k8s:applicationinstance.tess.io/name=federateddeploymentcontroller',
  '                                                           k8s:io.cilium.k8s.namespace.labels.account.tess.io/name=fcp',
  '                                                           k8s:io.cilium.k8s.namespace.labels.app.kubernetes.io/managed-by=fedctl',
  '                                                           k8s:io.cilium.k8s.namespace.labels.bar.labels=bar',
  '                                                           k8s:io.cilium.k8s.namespace.labels.environment.tess.io/name=dev',
  '                                                           k8s:io.cilium.k8s.policy.cluster=kind-1000',
].join('\n');

/**
 * `cilium-dbg status -o json`. No whole `-o json` paste was found in the library, so this object is assembled: its
 * keys are the StatusResponse model's (cilium/cilium api/v1/models/status_response.go and the sub-models read by
 * pkg/client/client.go FormatStatusResponse); the values are the text status of cilium/cilium#18331 (the IPAM line,
 * `KubeProxyReplacement: Probe`, the failing `endpoint-595-regeneration-recovery` controller and its message); the
 * two healthy controller objects are verbatim from the `cilium debuginfo` JSON in cilium/cilium PR #5831.
 */
export const STATUS_JSON_18331 = JSON.stringify({
  kvstore: { state: 'Ok', msg: 'Disabled' },
  kubernetes: { state: 'Ok', msg: '1.19+ (v1.19.2-1049+f173eb4a83e557-dirty) [linux/amd64]', 'k8s-api-versions': ['cilium/v2::CiliumClusterwideNetworkPolicy', 'cilium/v2::CiliumEndpoint', 'core/v1::Service'] },
  'kube-proxy-replacement': { mode: 'Probe', deviceList: [{ name: 'eth0', ip: [] }], directRoutingDevice: 'eth0' },
  cilium: { state: 'Ok', msg: 'OK' },
  cluster: { ciliumHealth: { state: 'Ok' } },
  ipam: { status: 'IPv4: 510/511 allocated from 10.128.68.0/23,' },
  'bandwidth-manager': { enabled: false },
  masquerading: { enabled: true, mode: 'iptables' },
  controllers: [
    {
      configuration: { 'error-retry': true, interval: '5m0s' },
      name: 'ipcache-bpf-garbage-collection',
      status: { 'last-failure-timestamp': '0001-01-01T00:00:00.000Z', 'last-success-timestamp': '2018-10-08T18:28:40.772Z', 'success-count': 1 },
      uuid: 'fadc5cc9-cb27-11e8-8fb4-0800279075f3',
    },
    {
      configuration: { 'error-retry': true, interval: '5m0s' },
      name: 'sync-IPv6-identity-mapping (41018)',
      status: { 'last-failure-timestamp': '0001-01-01T00:00:00.000Z', 'last-success-timestamp': '2018-10-08T18:28:42.742Z', 'success-count': 1 },
      uuid: 'fbfa225a-cb27-11e8-8fb4-0800279075f3',
    },
    {
      name: 'endpoint-595-regeneration-recovery',
      status: { 'consecutive-failure-count': 1140, 'failure-count': 1140, 'last-failure-msg': 'regeneration recovery failed', 'last-failure-timestamp': '2018-10-08T18:06:05.742Z', 'last-success-timestamp': '0001-01-01T00:00:00.000Z' },
    },
  ],
}, null, 2);

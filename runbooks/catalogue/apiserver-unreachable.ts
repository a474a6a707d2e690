// apiserver-unreachable: the agent cannot reach the Kubernetes API, or sits waiting for CRDs the operator has not
// registered. Fact sheet §2.8: `Establishing connection to apiserver host="https://10.96.0.1:443" subsys=k8s-client`
// (routine info), `Unable to contact k8s api-server … dial tcp 10.96.0.1:443: i/o timeout`, the old fatal `Unable to
// initialize Kubernetes subsystem` (#28823, #35440, #8310, #1973), x509 SAN mismatch (#8310); `Still waiting for Cilium
// Operator to register the following CRDs` (#35927, #30341, `crd-wait-timeout`). Without kube-proxy the Service
// ClusterIP is dead until Cilium is up, so k8sServiceHost/Port must be set (#21148; kubeproxy-free.rst).
import type { EvidenceQuote, Finding, FixStep, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, lineText, quoteLogLine, type LogQuery, type SourcedLine } from '../engine/agent-logs.ts';
import { kubeProxyReplacementEnabled } from '../engine/cilium-version.ts';
import { agentUnhealthy, ciliumDoc, verifyAgentStep } from '../engine/runbook-kit.ts';
import { ciliumNamespace, helmUpgrade, rolloutRestart } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { isMeshOrKvstoreLine } from '../engine/clustermesh-signals.ts';

const ID = 'apiserver-unreachable';
// "Unable to initialize Kubernetes subsystem" wraps every k8s.Init() error (a Kubernetes version below the minimum, no
// node name …): only with a connection failure in the same line does it say the API server cannot be reached.
const UNREACHABLE = /Unable to contact k8s api-?server|Unable to initialize Kubernetes subsystem(?:(?!Unable to initialize Kubernetes subsystem).)*(?:i\/o timeout|connection refused|no route to host|TLS handshake timeout|context deadline exceeded|x509|EOF)|x509: certificate is valid for|dial tcp [^ ]+:(443|6443): (i\/o timeout|connect: (?:connection refused|no route to host|network is unreachable|operation not permitted))/i;
/**
 * A request to a Kubernetes API path (`Get "https://10.96.0.1:443/api/v1/namespaces/kube-system": …`) that failed on the
 * way: the hive's `Start hook failed … client.(*compositeClientset).onStart` and `Failed to start hive` (1.14+, also
 * from the `config` init container, cilium/cilium#28823, #35440, #46010), client-go reflector list errors, the 1.16+
 * `Build config failed: failed to start: …`. Any port: k8sServicePort may be 6443, 8443, 16443 or Talos' KubePrism
 * 7445 (the path stops at the next URL, so attempts cover the line once). `operation not permitted` is the socket refused by BPF/netfilter (host firewall, cilium/cilium#33277); a
 * lookup failure is a k8sServiceHost name the node cannot resolve (cilium/cilium#20679: a DNS control-plane endpoint).
 */
const API_REQUEST_FAILED = /\bhttps?:\/\/[^\s"\\/]+\/apis?\/(?:(?!https?:\/\/)[^\s"\\])*\\?"?: (?:dial tcp (?:\[[^\]\s]+\]|[^\s:]+):\d+: (?:i\/o timeout|connect: (?:connection refused|no route to host|network is unreachable|operation not permitted))|dial tcp: lookup \S+(?: on \S+)?: (?:no such host|server misbehaving|i\/o timeout)|net\/http: TLS handshake timeout|(?:tls: failed to verify certificate: )?x509: |context deadline exceeded)/i;
/** `https://10.43.0.1:443`, `https://[fd00::1]:443`: the first address of a range, on the Service port. */
const LIKELY_SERVICE_IP = /\/\/(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.1|\[[0-9a-f:]*::1\]):443\b/i;
const CRD_WAIT = /Still waiting for Cilium Operator to register the following CRDs/i;
const ESTABLISHING = /Establishing connection to apiserver/i;
/** Unreachable, said at warning level or worse. */
// ClusterMesh's etcd client prints the same x509 texts about remote clusters: clustermesh-tls reads those.
// A kubelet URL (port 10250: `stream logs failed Get "https://…:10250/containerLogs/…": x509: certificate is valid for …`,
// k3s-io/k3s#5898) is the kubelet's serving certificate, not the API server's.
const KUBELET_URL = /https?:\/\/[^\s"\\/]+:10250\//;
const UNREACHABLE_LINES: LogQuery = { text: [UNREACHABLE, API_REQUEST_FAILED], level: ['warn', 'error', 'fatal', 'panic'], where: (l) => !isMeshOrKvstoreLine(l) && !KUBELET_URL.test(lineText(l)) };
const CRD_WAIT_LINES: LogQuery = { text: [CRD_WAIT] };
const ESTABLISHING_LINES: LogQuery = { text: [ESTABLISHING] };
// Each attempt logs "Establishing connection" again; a success logs "Connected to apiserver". Attempts that repeat in
// one container's log with no success are the agent failing to reach the address, though the error line itself may
// be cut off (cilium-cli#865).
const CONNECTED_LINES: LogQuery = { text: [/Connected to apiserver/i] };
const RETRIES_WITHOUT_SUCCESS = 2;

export interface ApiserverSignals {
  unreachable: SourcedLine[];
  crdWait: SourcedLine[];
  host: string | null;
  /** Connection attempts when the logs hold no successful one; empty once any attempt connected. */
  retries: SourcedLine[];
}

export function apiserverSignals(e: Evidence): ApiserverSignals {
  const unreachable = findAgentLines(e, UNREACHABLE_LINES, 6);
  const crdWait = findAgentLines(e, CRD_WAIT_LINES, 20);
  const attempts = findAgentLines(e, ESTABLISHING_LINES, 10);
  const est = attempts[0];
  // Per container log: every agent start logs one attempt, so one per log across restarts is not a retry.
  const sameLog = attempts.filter((a) => a.source.chunk === est?.source.chunk);
  const retries = sameLog.length >= RETRIES_WITHOUT_SUCCESS && findAgentLines(e, CONNECTED_LINES, 1).length === 0 ? sameLog : [];
  // `host=` up to 1.15; the hive's k8s-client logs `ipAddr=` (1.16+, also on "Unable to contact k8s api-server").
  const host = est?.line.fields['host'] ?? est?.line.fields['ipAddr'] ?? unreachable.map((u) => u.line.fields['ipAddr'] ?? /\bhttps?:\/\/[^\s"\\/]+/.exec(lineText(u.line))?.[0]).find((a) => a !== undefined) ?? null;
  return { unreachable, crdWait, host, retries };
}

export const apiserverUnreachable: Runbook = {
  id: ID,
  title: 'Agent cannot reach the Kubernetes API',
  severity: 'critical',
  rank: 29,
  needs: ['agentLogs'],
  match(e) {
    const s = apiserverSignals(e);
    // One "still waiting" line is a normal start; repeated, or on an agent that is not ready, it is stuck.
    const crdStuck = s.crdWait.length >= 3 || (s.crdWait.length > 0 && agentUnhealthy(e) === true);
    const retrying = s.unreachable.length === 0 && s.retries.length > 0;
    if (s.unreachable.length === 0 && !crdStuck && !retrying) return null;
    const unhealthy = agentUnhealthy(e);
    const fatal = s.unreachable.some((l) => l.line.level === 'fatal');
    const critical = fatal || unhealthy === true;
    const kpr = e.ciliumConfig.ok && kubeProxyReplacementEnabled(e.ciliumConfig.value);
    const k8sSvc = e.services.ok ? e.services.value.find((x) => x.namespace === 'default' && x.name === 'kubernetes')?.clusterIP ?? null : null;
    // Without the Service read, an address that is the first of a range on port 443 is taken for the kubernetes Service:
    // kube-apiserver gives that Service the first IP of --service-cluster-ip-range (10.96.0.1 kubeadm, 10.43.0.1 k3s/RKE2).
    const viaClusterIP = s.host !== null && (k8sSvc !== null ? s.host.includes(k8sSvc) : LIKELY_SERVICE_IP.test(s.host));
    const kpGone = e.kubeProxy.ok && !e.kubeProxy.value.daemonSetPresent;
    const said = failureKind(s.unreachable.map((l) => lineText(l.line)).join('\n'));
    const evidence: EvidenceQuote[] = [...s.unreachable.slice(0, 4), ...s.crdWait.slice(-2), ...(retrying ? s.retries.slice(0, 3) : [])].map((l) => quoteLogLine(l.source, l.line));
    if (s.host !== null) evidence.push({ kind: 'fact', text: `agent connects to ${s.host}${viaClusterIP ? ' (the kubernetes Service ClusterIP)' : ''}`, source: 'cilium-agent "Establishing connection to apiserver" line' });
    if (kpr) evidence.push({ kind: 'fact', text: `kube-proxy-replacement on${kpGone ? ', no kube-proxy DaemonSet' : ''}`, source: `${configSource(e, 'kube-proxy-replacement')} / kube-system DaemonSets` });
    const cause = said !== null ? FAILURE_CAUSE[said]
      : viaClusterIP && kpr && kpGone ? 'it dials the kubernetes Service ClusterIP, which nothing serves without kube-proxy until Cilium itself is up: k8sServiceHost/k8sServicePort are not set'
        : viaClusterIP && s.unreachable.length > 0 ? `it dials the kubernetes Service ClusterIP ${s.host ?? ''}, which answers only while kube-proxy (or Cilium's own kube-proxy replacement) serves it on this node: kube-proxy is down, disabled or missing its rules, or the agent needs k8sServiceHost/k8sServicePort pointing at the API server itself`
        : s.unreachable.length > 0 ? 'connections to the API server fail (network path, firewall, or API server down)'
          : retrying && !crdStuck ? `it keeps retrying the connection to ${s.host ?? 'the API server'} and never connects (the error line is not in the quoted logs)`
          : 'it waits for CRDs that cilium-operator has not registered (operator down, old, or lacking RBAC)';

    const steps: FixStep[] = [];
    if (viaClusterIP) {
      steps.push({ title: 'Point the agent at the real API server', detail: 'Use the control-plane endpoint (load balancer or host IP), not the Service ClusterIP.', commands: [helmUpgrade(e, 'cilium-apiserver.yaml'), rolloutRestart(e)], helmValues: 'k8sServiceHost: <API server host or IP>\nk8sServicePort: 6443' });
    }
    if (s.crdWait.length > 0) {
      steps.push({ title: 'Check cilium-operator', detail: 'The operator registers Cilium CRDs; the agent blocks until they exist (crd-wait-timeout).', commands: [`kubectl -n ${ciliumNamespace(e)} get deploy cilium-operator`, `kubectl -n ${ciliumNamespace(e)} logs deploy/cilium-operator --tail=50`, 'kubectl get crd | grep cilium.io'] });
    }
    steps.push({ title: 'Test the path from the node', detail: 'From the node, the API server must answer on the address the agent uses.', commands: [`kubectl debug node/${e.nodeName} -it --image=curlimages/curl -- curl -sk ${s.host ?? 'https://<apiserver>:6443'}/healthz`] });
    steps.push(verifyAgentStep(e));

    return {
      runbookId: ID,
      title: s.unreachable.length > 0 || (retrying && !crdStuck) ? 'Agent cannot reach the Kubernetes API server' : 'Agent stuck waiting for Cilium CRDs',
      severity: critical ? 'critical' : 'warning',
      summary: `The cilium-agent on ${e.nodeName} cannot get going because ${cause}.`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: steps,
      docs: [ciliumDoc(e, 'Kubernetes without kube-proxy (k8sServiceHost)', 'network/kubernetes/kubeproxy-free/'), ciliumDoc(e, 'Troubleshooting', 'operations/troubleshooting/')],
      proposals: [],
      confidence: s.unreachable.length > 0 ? 'certain' : crdStuck ? 'high' : 'medium',
      basis: 'explicit',
      explainsAgentCrash: critical && (fatal || s.unreachable.length > 0 || crdStuck),
    } satisfies Finding;
  },
};

type FailureKind = 'x509-san' | 'x509-ca' | 'lookup' | 'eperm';

/** What the agent's own error says of the failure, when it says more than "timeout" or "refused". */
function failureKind(text: string): FailureKind | null {
  if (/x509: certificate is valid for/i.test(text)) return 'x509-san';
  if (/x509: /i.test(text)) return 'x509-ca';
  if (/dial tcp: lookup \S+/i.test(text)) return 'lookup';
  if (/connect: operation not permitted/i.test(text)) return 'eperm';
  return null;
}

const FAILURE_CAUSE: Record<FailureKind, string> = {
  'x509-san': 'the API server certificate does not cover the address the agent uses (x509)',
  'x509-ca': 'the API server presents a certificate the agent does not trust (x509: another CA than the service-account CA the agent holds)',
  lookup: 'the API server host name it was given does not resolve on the node (k8sServiceHost set to a DNS name; set the IP, or make the name resolvable without cluster DNS)',
  eperm: 'its own connection is refused on the node with EPERM (a host firewall, BPF or netfilter rule drops traffic to the API server)',
};

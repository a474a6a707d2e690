// clustermesh-remote-not-ready: the agent reports a remote cluster not ready and nothing more specific (TLS, cluster
// id, etcd quorum) explains it; those findings supersede this one. Status lines as the agent prints them
// (`0/1 clusters ready, 10 global-services`, `mesh-1: not-ready, 0 nodes, … 1 failures (last: 2m52s ago)`,
// `└  Waiting for initial connection to be established`: cilium/cilium#20729), and the warnings of
// pkg/clustermesh/common/remote_cluster.go (`Unable to establish etcd connection to remote cluster`, docs
// troubleshooting_clustermesh.rst). The usual causes there: hostAliases / the remote Service address not reachable,
// port 2379 (or the NodePort) blocked, the remote cluster's configuration missing from the cilium-clustermesh Secret.
import type { Finding, Runbook } from '../engine/contract.ts';
import { meshBlastRadius, meshNeeds, meshSignals, quoteAgentLines, quoteNotReady } from '../engine/clustermesh-signals.ts';
import { apiserverLogsStep, meshDocs, troubleshootStep } from '../engine/clustermesh-fixes.ts';
import { agentShell, ciliumNamespace } from '../engine/install-commands.ts';

const ID = 'clustermesh-remote-not-ready';

export const clustermeshRemoteNotReady: Runbook = {
  id: ID,
  title: 'ClusterMesh remote cluster not ready',
  severity: 'critical',
  rank: 36,
  needs: meshNeeds(['agentStatus']),
  match(e) {
    const s = meshSignals(e);
    const notReady = s.status?.clusters.filter((c) => !c.ready) ?? [];
    const unnamed = s.status !== null && s.status.ready < s.status.total && notReady.length === 0;
    if (notReady.length === 0 && !unnamed && s.remoteFailures.length === 0) return null;
    const names = notReady.map((c) => c.name);
    const waiting = notReady.some((c) => c.backend?.startsWith('Waiting for initial connection') === true);
    const ns = ciliumNamespace(e);
    const globals = s.status?.globalServices ?? 0;
    return {
      runbookId: ID,
      title: `Remote cluster${names.length > 1 ? 's' : ''} ${names.length > 0 ? names.join(', ') : ''} not ready`.replace(/\s+$/, ''),
      severity: globals > 0 && (notReady.length > 0 || unnamed) ? 'critical' : 'warning',
      summary: `${s.status !== null ? `${s.status.ready}/${s.status.total} remote clusters are ready from ${e.nodeName}` : `The agent on ${e.nodeName} fails to connect to a remote cluster`}${waiting ? '; the first connection was never established' : ''}. Nothing read names the cause: run the ClusterMesh checks below.`,
      evidence: [...quoteNotReady(e), ...quoteAgentLines(s.remoteFailures, 2)],
      blastRadius: meshBlastRadius(e, names),
      fixSteps: [
        troubleshootStep(e, names),
        {
          title: 'Check the path to the remote clustermesh-apiserver',
          detail: 'Without KVStoreMesh the agents dial the remote cluster\'s clustermesh-apiserver Service themselves (the names in the cilium-clustermesh Secret map to IPs through the agent DaemonSet\'s hostAliases); with KVStoreMesh the local clustermesh-apiserver does. The port (2379, or the NodePort/LoadBalancer in front) must be open between the clusters.',
          commands: [agentShell(e, 'ls /var/lib/cilium/clustermesh'), `kubectl -n ${ns} get ds cilium -o jsonpath='{.spec.template.spec.hostAliases}'`, 'kubectl -n <namespace> get svc clustermesh-apiserver  # in the remote cluster'],
        },
        apiserverLogsStep(e),
      ],
      docs: meshDocs(e),
      proposals: [],
      confidence: 'high',
      basis: 'observed',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

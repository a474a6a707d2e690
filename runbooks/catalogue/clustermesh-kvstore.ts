// clustermesh-kvstore: the etcd behind ClusterMesh is down or without quorum. Read from: a remote cluster's backend
// line in `cilium-dbg status` (`quorum check failed 39 times in a row: … since last heartbeat update has been
// received`, cilium/cilium#30797), the agent's own `KVStore: Failure   Err: quorum check failed …` (docs
// troubleshooting "etcd (kvstore)"), etcd errors (`etcdserver: request timed out`, `no leader`…, go.etcd.io rpctypes)
// or `context deadline exceeded` on kvstore/clustermesh lines, and the local clustermesh-apiserver Deployment (no
// ready replica, its etcd container restarting), which every remote cluster's agents depend on.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { apiserverLogLines, KVSTORE_PATTERN, meshBlastRadius, meshInUse, meshNeeds, meshSignals, quoteAgentLines, quoteApiserverLine, quoteNotReady } from '../engine/clustermesh-signals.ts';
import { apiserverLogsStep, meshDocs, troubleshootStep } from '../engine/clustermesh-fixes.ts';
import { agentStatusOf } from '../engine/agent-status.ts';
import { ciliumNamespace } from '../engine/install-commands.ts';

const ID = 'clustermesh-kvstore';
const BACKEND_DOWN = /quorum check failed|etcdserver:|context deadline exceeded|connection refused|no such host|i\/o timeout/;

export const clustermeshKvstore: Runbook = {
  id: ID,
  title: 'ClusterMesh kvstore (etcd) unreachable or without quorum',
  severity: 'critical',
  rank: 34,
  needs: meshNeeds(['agentStatus', 'clustermesh']),
  match(e) {
    const s = meshSignals(e);
    const remoteDown = s.status?.clusters.filter((c) => !c.ready && c.backend !== null && BACKEND_DOWN.test(c.backend)) ?? [];
    const status = agentStatusOf(e);
    const localKvFailure = status?.kvstore === 'Failure' ? status.fields['KVStore'] ?? null : null;
    const api = e.clustermesh.ok ? e.clustermesh.value.apiserver : null;
    const apiDown = api !== null && api.replicas > 0 && api.readyReplicas === 0;
    const etcdRestarts = api?.pods.flatMap((p) => p.containers.filter((c) => c.name === 'etcd' && (c.restartCount > 0 || c.reason === 'CrashLoopBackOff')).map((c) => ({ pod: p.name, c }))) ?? [];
    const apiEtcdLines = apiserverLogLines(e, (t) => KVSTORE_PATTERN.test(t), 2);
    // TLS lines mention deadlines too (the handshake never completes); clustermesh-tls owns those.
    const kvLines = s.kvstoreLines.filter((l) => !s.tls.some((t) => t.line === l.line));
    if (remoteDown.length === 0 && localKvFailure === null && !apiDown && etcdRestarts.length === 0 && kvLines.length === 0) return null;
    const evidence: EvidenceQuote[] = [
      ...(remoteDown.length > 0 ? quoteNotReady(e, (n) => remoteDown.some((c) => c.name === n)) : []),
      ...(localKvFailure !== null ? [{ kind: 'fact' as const, text: `KVStore: ${localKvFailure}`, source: s.statusSource }] : []),
      ...quoteAgentLines(kvLines, 2),
      ...(api !== null && (apiDown || etcdRestarts.length > 0) ? [{ kind: 'fact' as const, text: `Deployment ${api.namespace}/${api.deployment}: ${api.readyReplicas}/${api.replicas} ready${etcdRestarts.map((x) => `; ${x.pod} etcd ${x.c.reason ?? x.c.state}, ${x.c.restartCount} restarts`).join('')}`, source: `${api.namespace} Deployments and Pods` }] : []),
      ...apiEtcdLines.map(quoteApiserverLine),
    ];
    const where = remoteDown.length > 0 ? `the etcd of remote cluster${remoteDown.length > 1 ? 's' : ''} ${remoteDown.map((c) => c.name).join(', ')}`
      : localKvFailure !== null ? 'the agent\'s own kvstore' : apiDown || etcdRestarts.length > 0 ? 'this cluster\'s clustermesh-apiserver (what the other clusters connect to)' : 'the ClusterMesh etcd';
    const quorum = [...remoteDown.map((c) => c.backend ?? ''), localKvFailure ?? '', ...kvLines.map((l) => l.line.raw)].some((t) => /quorum check failed|no leader/.test(t));
    const ns = ciliumNamespace(e);
    const critical = remoteDown.length > 0 || localKvFailure !== null || apiDown;
    return {
      runbookId: ID,
      // The agent's own kvstore (kvstore identity mode) fails without any mesh too: say etcd, not ClusterMesh, then.
      title: `${meshInUse(e) === true ? 'ClusterMesh etcd' : 'Cilium kvstore (etcd)'} ${quorum ? 'lost quorum' : 'unreachable'}`,
      severity: critical ? 'critical' : 'warning',
      summary: `${where} ${quorum ? 'fails its quorum check (no heartbeat from the leader)' : 'cannot be reached or does not answer'}: state from ${remoteDown.length > 0 ? 'there' : 'it'} stops synchronising, and the agent restarts the connection until it recovers.`,
      evidence,
      blastRadius: meshBlastRadius(e, remoteDown.map((c) => c.name)),
      fixSteps: [
        {
          title: 'Bring the etcd back',
          detail: 'For a clustermesh-apiserver, its etcd sidecar holds the cluster\'s state for the others: check that the Deployment is ready, that its etcd container is not restarting (memory limits, a full data volume) and that its Service is reachable from the other clusters on its port (2379, or the NodePort/LoadBalancer in front of it). For an external etcd, check its members and leader.',
          commands: [`kubectl -n ${ns} get deploy clustermesh-apiserver`, `kubectl -n ${ns} get pods -l k8s-app=clustermesh-apiserver -o wide`, `kubectl -n ${ns} rollout restart deploy/clustermesh-apiserver  # once the cause is fixed`, 'etcdctl endpoint status --cluster -w table  # external etcd'],
        },
        troubleshootStep(e, remoteDown.map((c) => c.name)),
        apiserverLogsStep(e),
      ],
      docs: meshDocs(e),
      proposals: [],
      confidence: remoteDown.length > 0 || localKvFailure !== null || kvLines.length > 0 ? 'certain' : 'high',
      basis: remoteDown.length > 0 || localKvFailure !== null || kvLines.length > 0 ? 'explicit' : 'observed',
      explainsAgentCrash: false,
      supersedes: ['clustermesh-remote-not-ready'],
    } satisfies Finding;
  },
};

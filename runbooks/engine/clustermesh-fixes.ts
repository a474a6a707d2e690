// Fix steps and docs the clustermesh runbooks share. Commands come from the docs' troubleshooting guide
// (cilium/cilium Documentation/operations/troubleshooting_clustermesh.rst: `cilium-dbg troubleshoot clustermesh`,
// `cilium clustermesh status`, the clustermesh-apiserver logs) and the setup guide (network/clustermesh/clustermesh).
import type { DocLink, FixStep } from './contract.ts';
import type { Evidence } from './evidence.ts';
import { agentCli, ciliumNamespace } from './install-commands.ts';
import { ciliumDoc } from './runbook-kit.ts';

/** `cilium-dbg troubleshoot clustermesh [<cluster>]` in the node's own agent: DNS, TCP, TLS and etcd checks (1.15+). */
export function troubleshootStep(e: Evidence, clusters: readonly string[] = []): FixStep {
  return {
    title: 'Run the ClusterMesh checks from this node',
    detail: 'The agent checks DNS resolution, the TCP connection, the TLS handshake (and which CA and client certificate it uses) and etcd authorization towards each remote cluster; on an older agent use `cilium-dbg status --verbose` and the agent log.',
    commands: [agentCli(e, `troubleshoot clustermesh${clusters.length > 0 ? ` ${clusters.join(' ')}` : ''}`), 'cilium clustermesh status --context <each cluster>'],
  };
}

export function apiserverLogsStep(e: Evidence): FixStep {
  const ns = ciliumNamespace(e);
  return {
    title: 'Read the clustermesh-apiserver in each cluster',
    detail: 'Its etcd container logs rejected client connections; the apiserver (or kvstoremesh) container logs what it synchronises.',
    commands: [`kubectl -n ${ns} get deploy,pods,svc -l k8s-app=clustermesh-apiserver`, `kubectl -n ${ns} logs deploy/clustermesh-apiserver -c etcd --tail=100`, `kubectl -n ${ns} logs deploy/clustermesh-apiserver -c apiserver --tail=100`],
  };
}

export function meshDocs(e: Evidence): DocLink[] {
  return [ciliumDoc(e, 'Cluster Mesh troubleshooting', 'operations/troubleshooting/#troubleshooting-clustermesh'), ciliumDoc(e, 'Setting up Cluster Mesh', 'network/clustermesh/clustermesh/')];
}

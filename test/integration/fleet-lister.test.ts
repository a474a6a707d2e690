// The fleet facts read over a real client-node KubeConfig as streamed plain JSON (fleet-lister.ts) are the facts
// client-node's own paged calls give, kept objects included (as client-node models); a page that fails is retried
// whole (no node twice), a refused list is reported, not retried; gzip, auth and paging parameters on the wire.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../bot/ops/metrics.ts';
import { countKubeErrors } from '../../bot/ops/instrument.ts';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { collectFleetFacts } from '../../jobs/fleet/fleet-facts.ts';
import { fleetListerFor } from '../../jobs/fleet/fleet-lister.ts';
import { FleetCache, FleetNodeReader } from '../../jobs/fleet/fleet-reader.ts';
import { RateLimiter } from '../../jobs/fleet/rate-limit.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import type { ClusterReader } from '../../jobs/kube/cluster-reader.ts';
import { KubeApiError } from '../../jobs/kube/kube-api-error.ts';
import { modelsOnly } from './models-only.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { generateCluster, resolveScenario } from '../../sandbox/scenario/index.ts';

const NODES = 30;
let kube: KubeEmulator;
let reader: ClientNodeCluster;
/** The same cluster through client-node's models only: not a ClientNodeCluster, so no raw listing. */
let viaModels: ClusterReader;

beforeAll(async () => {
  kube = await startKubeEmulator({ scenario: generateCluster({ nodes: NODES, broken: { count: 3, reason: 'bpf-map-create-failed' }, kubeProxyReplacement: false }) });
  reader = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  viaModels = modelsOnly(reader);
});
afterAll(async () => {
  await kube.stop();
});

const calls = (path: string) => kube.requestLog.entries().filter((e) => e.path === path).length;

describe('fleet facts from streamed lists', () => {
  it('equal the facts read through client-node models, kept nodes and agents included', async () => {
    kube.faults.clear();
    const streamed = await collectFleetFacts(reader, { pageSize: 7 });
    const modelled = await collectFleetFacts(viaModels, { pageSize: 7 });
    expect(streamed).toEqual(modelled);
    expect(streamed.nodes).toHaveLength(NODES);
    expect(streamed.kubeProxyPods.size).toBe(NODES);
    // cilium-config, kube-proxy DaemonSets, the static kube-proxy pods (one empty page), then nodes, agents and
    // kube-proxy DaemonSet pods page by page.
    expect(streamed.calls).toBe(3 + 3 * Math.ceil(NODES / 7));
    // The crash-looping agents' nodes are kept whole, as client-node models (Dates, not strings).
    expect(streamed.deepAgents.size).toBe(3);
    const [name, node] = [...streamed.deepNodes][0] ?? [];
    expect(node).toBeInstanceOf(V1Node);
    expect(node).toEqual(await reader.getNode(name ?? ''));
    expect(node?.status?.conditions?.[0]?.lastTransitionTime).toBeInstanceOf(Date);
    expect([...streamed.deepAgents.values()][0]).toBeInstanceOf(V1Pod);
  });

  it('retries a failed page whole: every node once', async () => {
    kube.faults.clear();
    kube.requestLog.clear();
    kube.faults.add({ path: '/api/v1/nodes', query: 'continue=', status: 500, times: 2 });
    kube.faults.add({ path: '/api/v1/namespaces/kube-system/pods', query: 'continue=', drop: true, times: 1 });
    const facts = await collectFleetFacts(reader, { pageSize: 7 });
    expect(new Set(facts.nodes.map((n) => n.name)).size).toBe(NODES);
    expect(facts.nodes).toHaveLength(NODES);
    expect(facts.unavailable).toEqual([]);
    expect(calls('/api/v1/nodes')).toBe(Math.ceil(NODES / 7) + 2);
    kube.faults.clear();
  });

  it('reports a refused list with its Status message, without retrying it', async () => {
    kube.faults.clear();
    kube.requestLog.clear();
    // Agents are looked for in every namespace.
    kube.faults.add({ path: '/api/v1/pods', query: 'k8s-app%3Dcilium', status: 403 });
    const facts = await collectFleetFacts(reader, { pageSize: 7 });
    kube.faults.clear();
    expect(facts.unavailable).toEqual([expect.stringMatching(/^cilium-agent pods: .*forbidden/i)]);
    expect(kube.requestLog.entries().filter((e) => e.path === '/api/v1/pods' && e.query.includes('k8s-app%3Dcilium'))).toHaveLength(1);
    // No agent was read, so none is "missing" (and the crash loops are not seen: nothing is flagged).
    expect(facts.nodes).toHaveLength(NODES);
    expect([...facts.verdicts.values()].flatMap((v) => v.triggers)).not.toContain('agent-missing');
  });
});

describe('cluster-wide lists a sweep shares, slimmed', () => {
  let policy: KubeEmulator;
  beforeAll(async () => {
    // Policies exist (so every pod is listed for their selectors), Services with EndpointSlices on the nodes.
    policy = await startKubeEmulator({ scenario: resolveScenario('kube-proxy-conflict') });
  });
  afterAll(async () => {
    await policy.stop();
  });

  async function evidenceVia(r: ClusterReader, node: string) {
    const cache = new FleetCache(r, await collectFleetFacts(r), new RateLimiter());
    return collectEvidence(new FleetNodeReader(cache, node), node, { deadlineMs: 10_000, tailLines: 500, limitBytes: 1024 * 1024, now: () => new Date(0) });
  }

  it('give a deep collection the evidence whole objects give', async () => {
    const cluster = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: policy.kubeconfigPath }));
    for (const node of ['node-1', 'node-2']) {
      const slim = await evidenceVia(cluster, node);
      const whole = await evidenceVia(modelsOnly(cluster), node);
      // The emulator's exec errors carry a random exec id.
      const stable = (e: object) => JSON.parse(JSON.stringify(e).replace(/[0-9a-f]{64}/g, 'id')) as unknown;
      expect(stable(slim)).toEqual(stable(whole));
      expect(slim.clusterPods.ok && slim.clusterPods.value.length).toBeGreaterThan(0);
      expect(slim.services.ok && slim.services.value.some((s) => s.endpoints.length > 0)).toBe(true);
    }
  });
});

describe('streamed list on the wire', () => {
  let server: Server;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const nodes = Array.from({ length: 5 }, (_, i) => ({ metadata: { name: `n-${i}`, labels: { 'node.kubernetes.io/pool': 'p' } }, status: { nodeInfo: { kernelVersion: '6.1.0' } } }));

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if ((req.url ?? '').includes('fieldSelector=')) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', message: 'nodes is forbidden: User "u" cannot list resource "nodes"' }));
        return;
      }
      const body = gzipSync(JSON.stringify({ kind: 'NodeList', apiVersion: 'v1', metadata: { continue: 'next', remainingItemCount: 9 }, items: nodes }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      // Small chunks: items arrive split across writes.
      for (let i = 0; i < body.length; i += 16) res.write(body.subarray(i, i + 16));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function cluster(): ClientNodeCluster {
    const kc = new KubeConfig();
    const { port } = server.address() as AddressInfo;
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    return new ClientNodeCluster('c', kc);
  }

  it('sends the KubeConfig’s credentials and the paging parameters, reads a gzip body streamed in small chunks', async () => {
    const page = await fleetListerFor(cluster()).nodes({ limit: 5, continueToken: 'prev' }, (n) => n.metadata?.name);
    expect(page).toEqual({ items: ['n-0', 'n-1', 'n-2', 'n-3', 'n-4'], continueToken: 'next', remaining: 9 });
    const req = seen.at(-1);
    expect(req?.url).toBe('/api/v1/nodes?limit=5&continue=prev');
    expect(req?.headers.authorization).toBe('Bearer secret-token');
    expect(req?.headers['accept-encoding']).toBe('gzip');
  });

  it('turns an error Status into a KubeApiError naming what was attempted', async () => {
    const err: unknown = await fleetListerFor(cluster())
      .nodes({ limit: 5, fieldSelector: 'x=y' }, (n) => n)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 403, statusReason: 'Forbidden', attempted: 'list nodes', reason: 'forbidden' });
    expect((err as KubeApiError).message).toMatch(/cannot list resource "nodes"/);
  });

  it('counts a refused streamed list in the bot\'s Kubernetes API error metric, as any other read', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const counted = countKubeErrors(cluster(), metrics);
    await expect(fleetListerFor(counted).nodes({ limit: 5, fieldSelector: 'x=y' }, (n) => n)).rejects.toBeInstanceOf(KubeApiError);
    expect((await metrics.render()).body).toMatch(/cilium_runbook_kubernetes_api_errors_total\{reason="forbidden"\} 1/);
  });
});

// The remediation overlay adds only the writes of issue 5's actions. Each action's write is sent as the bot's
// service account with dryRun=All (authorised exactly like the real write, and nothing changes), against the
// emulator loaded with the rendered RBAC: the action's write is allowed, its neighbours are refused, and the
// read-only overlay refuses them all; with Cilium in kube-system and, moved by the documented patch, elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { relocateCilium } from './relocate-cilium.ts';
import { BOT_USER, kustomizeForCiliumNamespace, type RenderedObject } from './render.ts';
import { grantsFor, grantText, requestAttrs, unneededGrants } from './rbac-rules.ts';

const SA = { namespace: 'cilium-runbook', name: 'bot' };
const NODE = 'node-2';
type Call = () => Promise<unknown>;

async function emulatorWith(rbac: RenderedObject[], cns: string): Promise<KubeEmulator> {
  const kube = await startKubeEmulator({ scenario: relocateCilium(resolveScenario('kube-proxy-conflict'), cns) });
  kube.addUser({ token: `deploy-remediation-${Math.random().toString(36).slice(2)}`, username: BOT_USER });
  kube.loadRbac(rbac.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1'));
  return kube;
}

/** `cns`: the namespace Cilium runs in; kube-proxy is in kube-system either way. */
function clients(kube: KubeEmulator, cns: string) {
  const kc = loadKubeConfig({ kubeconfigPath: kube.kubeconfigFor(BOT_USER) });
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const agent = kube.store.list('v1', 'Pod', cns).find((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === NODE);
  const agentName = agent?.metadata.name ?? 'missing-agent';
  const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const dryRun = 'All';
  /** What each remediation action writes (issue 5), as dry runs. */
  const actions: Record<string, Call> = {
    'restart-agent: delete the cilium-agent pod': () => core.deleteNamespacedPod({ namespace: cns, name: agentName, dryRun }),
    'cordon-node: spec.unschedulable': () => core.patchNode({ name: NODE, body: { spec: { unschedulable: true } }, dryRun }, strategic),
    'label-node: cilium.io/kernel-compatible=false': () => core.patchNode({ name: NODE, body: { metadata: { labels: { 'cilium.io/kernel-compatible': 'false' } } }, dryRun }, merge),
    'disable-feature: set the key in cilium-config': () =>
      core.patchNamespacedConfigMap({ namespace: cns, name: 'cilium-config', body: { data: { 'enable-bandwidth-manager': 'false' } }, dryRun }, merge),
    'disable-feature / pin-agent-affinity: patch the cilium DaemonSet': () =>
      apps.patchNamespacedDaemonSet({ namespace: cns, name: 'cilium', body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } }, dryRun }, strategic),
    'remove-kube-proxy: delete the kube-proxy DaemonSet': () =>
      apps.deleteNamespacedDaemonSet({ namespace: 'kube-system', name: 'kube-proxy', dryRun, propagationPolicy: 'Foreground' }),
  };
  /** One step beside each action: must stay refused. */
  const neighbours: Record<string, Call> = {
    'delete the cilium DaemonSet': () => apps.deleteNamespacedDaemonSet({ namespace: cns, name: 'cilium', dryRun }),
    'patch the kube-proxy DaemonSet': () => apps.patchNamespacedDaemonSet({ namespace: 'kube-system', name: 'kube-proxy', body: { metadata: { labels: { x: 'y' } } }, dryRun }, merge),
    'patch the kube-proxy ConfigMap': () => core.patchNamespacedConfigMap({ namespace: 'kube-system', name: 'kube-proxy', body: { data: { x: 'y' } }, dryRun }, merge),
    'delete cilium-config': () => core.deleteNamespacedConfigMap({ namespace: cns, name: 'cilium-config', dryRun }),
    'replace (update) a node': () => core.replaceNode({ name: NODE, body: { metadata: { name: NODE } }, dryRun }),
    'delete a node': () => core.deleteNode({ name: NODE, dryRun }),
    'patch nodes/status': () => core.patchNodeStatus({ name: NODE, body: { status: { phase: 'x' } }, dryRun }, merge),
    'delete a pod outside the Cilium namespace': () => core.deleteNamespacedPod({ namespace: 'shop', name: 'web', dryRun }),
    'delete every pod in the Cilium namespace': () => core.deleteCollectionNamespacedPod({ namespace: cns, dryRun }),
    'patch a pod in the Cilium namespace': () => core.patchNamespacedPod({ namespace: cns, name: agentName, body: { metadata: { labels: { x: 'y' } } }, dryRun }, merge),
    'create a pod in the Cilium namespace': () =>
      core.createNamespacedPod({ namespace: cns, body: { metadata: { name: 'probe' }, spec: { containers: [{ name: 'p', image: 'busybox:1.36' }] } }, dryRun }),
    'list secrets': () => core.listSecretForAllNamespaces(),
    ...(cns !== 'kube-system' && {
      'delete a kube-proxy pod (kube-system is not Cilium\'s namespace here)': () =>
        core.deleteNamespacedPod({ namespace: 'kube-system', name: kube.store.list('v1', 'Pod', 'kube-system').find((p) => p.metadata.labels?.['k8s-app'] === 'kube-proxy')?.metadata.name ?? 'kube-proxy-x', dryRun }),
      'patch a cilium-config in kube-system': () => core.patchNamespacedConfigMap({ namespace: 'kube-system', name: 'cilium-config', body: { data: { x: 'y' } }, dryRun }, merge),
    }),
  };
  return { actions, neighbours };
}

/** The objects the actions touch: dry runs must leave them as they were. */
const snapshot = (kube: KubeEmulator, cns: string): string =>
  JSON.stringify([
    kube.store.get('v1', 'Node', undefined, NODE),
    kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy'),
    kube.store.get('apps/v1', 'DaemonSet', cns, 'cilium'),
    kube.store.get('v1', 'ConfigMap', cns, 'cilium-config'),
    kube.store.list('v1', 'Pod', cns).map((p) => p.metadata.name),
    kube.store.list('v1', 'Pod', 'kube-system').map((p) => p.metadata.name),
  ]);

const outcome = (call: Call): Promise<number | string> =>
  call().then(() => 200, (e: unknown) => (e instanceof ApiException ? e.code : String(e)));

describe.each(['kube-system', 'cilium'])('remediation overlay, Cilium in %s: the actions\' writes and nothing else', (cns) => {
  let remediation: RenderedObject[] = [];
  let readOnly: RenderedObject[] = [];
  const emulators: KubeEmulator[] = [];

  beforeAll(async () => {
    [remediation, readOnly] = await Promise.all([kustomizeForCiliumNamespace('deploy/overlays/remediation', cns), kustomizeForCiliumNamespace('deploy/overlays/read-only', cns)]);
  });
  afterAll(async () => {
    for (const k of emulators.splice(0)) await k.stop();
  });

  it('allows each action\'s dry-run write, refuses every neighbour, and changes nothing', async () => {
    const kube = await emulatorWith(remediation, cns);
    emulators.push(kube);
    const { actions, neighbours } = clients(kube, cns);
    const before = snapshot(kube, cns);
    for (const [what, call] of Object.entries(actions)) expect({ what, status: await outcome(call) }).toEqual({ what, status: 200 });
    for (const [what, call] of Object.entries(neighbours)) expect({ what, status: await outcome(call) }).toEqual({ what, status: 403 });
    expect(snapshot(kube, cns)).toEqual(before);

    // Every write grant the overlay adds is needed by one of the actions.
    const readGrants = new Set(grantsFor(readOnly, SA).map(grantText));
    const added = grantsFor(remediation, SA).filter((g) => !readGrants.has(grantText(g)));
    expect(added.map(grantText).sort()).toEqual([
      'delete apps/daemonsets[kube-proxy] @kube-system',
      `delete core/pods @${cns}`,
      `patch apps/daemonsets[cilium] @${cns}`,
      `patch core/configmaps[cilium-config] @${cns}`,
      'patch core/nodes @cluster',
    ].sort());
    const requests = kube.requestLog.entries().flatMap(requestAttrs);
    expect(unneededGrants(added, requests).map(grantText)).toEqual([]);
    // Nothing was written for real: every accepted write carried dryRun=All.
    const writes = kube.requestLog.entries().filter((e) => e.method !== 'GET' && e.status < 400);
    expect(writes.length).toBe(Object.keys(clients(kube, cns).actions).length);
    expect(writes.filter((e) => !new URLSearchParams(e.query).getAll('dryRun').includes('All'))).toEqual([]);
  });

  it('the read-only overlay refuses every action\'s write', async () => {
    const kube = await emulatorWith(readOnly, cns);
    emulators.push(kube);
    const { actions } = clients(kube, cns);
    for (const [what, call] of Object.entries(actions)) expect({ what, status: await outcome(call) }).toEqual({ what, status: 403 });
  });
});

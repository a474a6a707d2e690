// The ClusterReader the collectors read through, answered from a sysdump instead of an API server: the same
// collectEvidence() then builds the same Evidence, with every fact the archive lacks unavailable "not in the
// sysdump archive". Nothing is executed: node-level reads come from the bugtool archives (sysdump-evidence.ts).
import type { CoreV1Event, V1ConfigMap, V1DaemonSet, V1Deployment, V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ClusterReader, ExecQuery, ExecResult, LogQuery, PodQuery } from '../kube/cluster-reader.ts';
import { KubeApiError } from '../kube/kube-api-error.ts';
import { NotInArchiveError, type KubeItem, type SysdumpArchive } from './sysdump-archive.ts';
import type { SysdumpPart } from './layouts.ts';
import { matchesFields, matchesLabels } from './selectors.ts';

const CILIUM_CONFIG = 'cilium-config';
/** Marks objects the archive does not hold but its pod list proves (a DaemonSet from its pods' owner). */
export const INFERRED_ANNOTATION = 'cilium-runbook/inferred-from';

function meta(o: KubeItem): { name?: string; namespace?: string; labels?: Record<string, string>; ownerReferences?: { kind?: string; name?: string }[] } {
  const m = o.metadata;
  return typeof m === 'object' && m !== null ? (m) : {};
}

/** A synchronous read as a promise: a throw becomes the rejection, as an API error would. */
function answer<T>(read: () => T): Promise<T> {
  return new Promise((resolve) => resolve(read()));
}

function notFound(what: string): KubeApiError {
  return new KubeApiError(`${what}: not found in the sysdump archive's list`, 404, 'NotFound', undefined, what);
}

/** Custom resources the sysdump holds, by plural. */
const CUSTOM_PARTS: Record<string, SysdumpPart> = {
  ciliumnetworkpolicies: 'cnp',
  ciliumclusterwidenetworkpolicies: 'ccnp',
  ciliumnodes: 'ciliumNodes',
  ciliumnodeconfigs: 'nodeConfigs',
};

export class SysdumpClusterReader implements ClusterReader {
  readonly cluster: string;

  constructor(private readonly archive: SysdumpArchive, cluster?: string) {
    this.cluster = cluster ?? archive.name.replace(/^.*\//, '').replace(/\.zip$/, '');
  }

  private list<T>(part: SysdumpPart, what: string): T[] {
    return this.archive.items(part, what) as T[];
  }

  getNode(name: string): Promise<V1Node> {
    return answer(() => {
      const node = this.list<V1Node>('nodes', 'get node').find((n) => n.metadata?.name === name);
      if (node === undefined) throw notFound(`get node ${name}`);
      return node;
    });
  }

  listNodes(labelSelector?: string): Promise<V1Node[]> {
    return answer(() => {
      return this.list<V1Node>('nodes', 'list nodes').filter((n) => matchesLabels(labelSelector, n.metadata?.labels));
    });
  }

  listPods(q: PodQuery): Promise<V1Pod[]> {
    return answer(() => {
      return this.list<V1Pod>('pods', 'list pods').filter(
        (p) => (q.namespace === undefined || p.metadata?.namespace === q.namespace) && matchesLabels(q.labelSelector, p.metadata?.labels) && matchesFields(q.fieldSelector, p),
      );
    });
  }

  readPodLog(q: LogQuery): Promise<string> {
    return answer(() => {
      const file = this.archive.logFile(q.pod, q.container, q.previous);
      const text = this.archive.text(file);
      if (text === null) {
        // cilium-cli writes -prev only for a container that restarted; its absence then means "no previous container".
        if (q.previous) throw new KubeApiError(`previous terminated container "${q.container}" in pod "${q.pod}" not found (no ${file} in the sysdump)`, 400, 'BadRequest', undefined, 'get pods/log');
        throw new NotInArchiveError(file);
      }
      // cilium-cli asks for --limit-bytes (default 1 GiB); keep the collector's own bound and tail.
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const tail = lines.slice(-q.tailLines).join('\n');
      const bytes = Buffer.from(tail);
      return bytes.length > q.limitBytes ? bytes.subarray(bytes.length - q.limitBytes).toString('utf8') : tail;
    });
  }

  exec(q: ExecQuery): Promise<ExecResult> {
    return answer(() => {
      throw new Error(`a sysdump cannot run \`${q.command.join(' ')}\`; node-level facts come from the pod's cilium-bugtool archive`);
    });
  }

  /** The agent DaemonSet from its file, plus DaemonSets the pod list proves (kube-proxy), marked as inferred. */
  private daemonSets(): V1DaemonSet[] {
    const own = this.archive.has('daemonSet') ? this.list<V1DaemonSet>('daemonSet', 'get the agent daemonset') : [];
    const out = [...own];
    const seen = new Set(own.map((d) => `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`));
    for (const p of this.archive.has('pods') ? this.list<KubeItem>('pods', 'list pods') : []) {
      const m = meta(p);
      const owner = m.ownerReferences?.find((o) => o.kind === 'DaemonSet');
      if (owner?.name === undefined) continue;
      const key = `${m.namespace ?? ''}/${owner.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const labels = Object.fromEntries(Object.entries(m.labels ?? {}).filter(([k]) => k !== 'controller-revision-hash' && k !== 'pod-template-generation'));
      out.push({ metadata: { name: owner.name, ...(m.namespace !== undefined && { namespace: m.namespace }), labels, annotations: { [INFERRED_ANNOTATION]: `the owner of pod ${m.name ?? ''} in the sysdump's pod list` } } });
    }
    return out;
  }

  listDaemonSets(namespace: string, labelSelector?: string): Promise<V1DaemonSet[]> {
    return answer(() => {
      return this.daemonSets().filter((d) => d.metadata?.namespace === namespace && matchesLabels(labelSelector, d.metadata.labels));
    });
  }

  getDaemonSet(namespace: string, name: string): Promise<V1DaemonSet> {
    return answer(() => {
      if (!this.archive.has('daemonSet')) throw new NotInArchiveError(this.archive.partFile('daemonSet') ?? 'cilium-daemonset');
      const ds = this.daemonSets().find((d) => d.metadata?.namespace === namespace && d.metadata.name === name && d.metadata.annotations?.[INFERRED_ANNOTATION] === undefined);
      if (ds === undefined) throw notFound(`get daemonset ${namespace}/${name}`);
      return ds;
    });
  }

  /**
   * The operator and Hubble Relay Deployments. cilium-cli writes each only when it exists; a missing file is read as
   * "no such Deployment" only when the archive's (complete) pod list has no pod it would select either.
   */
  async listDeployments(namespace: string, labelSelector?: string): Promise<V1Deployment[]> {
    const parts: SysdumpPart[] = ['operator', 'hubbleRelay'];
    const held = parts.filter((p) => this.archive.has(p)).flatMap((p) => this.list<V1Deployment>(p, 'list deployments'));
    const matching = held.filter((d) => (d.metadata?.namespace ?? namespace) === namespace && matchesLabels(labelSelector, d.metadata?.labels));
    if (matching.length > 0 || labelSelector === undefined) return matching;
    const pods = await this.listPods({ namespace, labelSelector });
    if (pods.length === 0) return [];
    const part = labelSelector.includes('hubble-relay') ? 'hubbleRelay' : 'operator';
    throw new NotInArchiveError(this.archive.partFile(part) ?? part, `although pods ${labelSelector} are in its pod list`);
  }

  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap> {
    return answer(() => {
      if (name !== CILIUM_CONFIG) throw new NotInArchiveError(`ConfigMap ${namespace}/${name}`, 'cilium sysdump collects cilium-config only');
      const [cm] = this.list<V1ConfigMap>('ciliumConfig', 'get cilium-config');
      if (cm === undefined) throw notFound('get configmap cilium-config');
      return cm;
    });
  }

  listEvents(namespace: string | undefined, fieldSelector?: string): Promise<CoreV1Event[]> {
    return answer(() => {
      return this.list<CoreV1Event>('events', 'list events').filter((e) => (namespace === undefined || e.metadata.namespace === namespace) && matchesFields(fieldSelector, e));
    });
  }

  listServices(): Promise<V1Service[]> {
    return answer(() => {
      return this.list<V1Service>('services', 'list services');
    });
  }

  listEndpointSlices(): Promise<V1EndpointSlice[]> {
    return answer(() => {
      return this.list<V1EndpointSlice>('endpointSlices', 'list endpointslices');
    });
  }

  /** Nothing is refused: what is missing is missing from the archive, and says so. */
  canI(): Promise<boolean> {
    return answer(() => {
      return true;
    });
  }

  listCrds(): Promise<unknown[]> {
    return answer(() => {
      throw new NotInArchiveError('CustomResourceDefinitions', 'cilium sysdump does not collect them');
    });
  }

  getClusterCustomObject(group: string, version: string, plural: string, name: string): Promise<unknown> {
    return this.listCustomObjects(group, version, plural).then((items) => {
      const found = (items as KubeItem[]).find((o) => meta(o).name === name);
      if (found === undefined) throw notFound(`get ${plural} ${name}`);
      return found;
    });
  }

  listCustomObjects(group: string, version: string, plural: string, namespace?: string): Promise<unknown[]> {
    return answer(() => {
      const part = group === 'cilium.io' ? CUSTOM_PARTS[plural] : undefined;
      if (part === undefined) throw new NotInArchiveError(`${plural}.${group}`);
      const items = this.list<KubeItem>(part, `list ${plural}`).filter((o) => namespace === undefined || meta(o).namespace === undefined || meta(o).namespace === namespace);
      // Items of a typed list carry no apiVersion: they are at the version the CLI read (v2, v2alpha1 before 1.16 for CiliumNodeConfig).
      return items.filter((o) => typeof o.apiVersion !== 'string' || o.apiVersion === `${group}/${version}`);
    });
  }
}

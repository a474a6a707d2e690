// In-memory object storage: one resourceVersion counter for everything (like etcd's revision) and a bounded event
// history so watches can resume from a resourceVersion.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../scenario/schema.ts';
import type { ResourceRegistry } from './resources.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  object: KubeObject;
  resourceVersion: number;
  apiVersion: string;
  kind: string;
}

type Listener = (event: StoreEvent) => void;

const HISTORY_LIMIT = 5000;

export class ObjectStore {
  private readonly byType = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly compactListeners = new Set<() => void>();
  /** Resuming a watch from before this revision is 410 Gone (etcd compaction). */
  private compactedRevision = 0;
  private revision = 1000;
  /** Per type, its objects in list order; dropped whenever an object of the type is written or deleted. */
  private readonly sorted = new Map<string, KubeObject[]>();

  constructor(private readonly registry: ResourceRegistry) {}

  /** The current revision: what a list reports as its resourceVersion. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.byType.get(typeKey(apiVersion, kind))?.get(objectKey(namespace, name));
    return found === undefined ? undefined : structuredClone(found);
  }

  /** Objects of a type, in one namespace or all, sorted by namespace then name (the apiserver's etcd key order). */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.listStored(apiVersion, kind, namespace).map((o) => structuredClone(o));
  }

  /**
   * The stored objects themselves, in list order, for read paths that copy only what they answer (a page of a
   * paged list): callers must not modify them. The sorted order is kept per type until the type changes, as the
   * apiserver's watch cache serves lists without re-reading everything.
   */
  listStored(apiVersion: string, kind: string, namespace?: string): readonly KubeObject[] {
    const type = typeKey(apiVersion, kind);
    let all = this.sorted.get(type);
    if (all === undefined) {
      const keyed = [...(this.byType.get(type)?.values() ?? [])].map((o) => ({ o, key: objectKey(o.metadata.namespace, o.metadata.name) }));
      all = keyed.sort((a, b) => a.key.localeCompare(b.key)).map((k) => k.o);
      this.sorted.set(type, all);
    }
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Create or replace; fills uid, creationTimestamp, namespace; bumps resourceVersion. Returns the stored copy. */
  put(input: KubeObject): KubeObject {
    const obj = structuredClone(input);
    const def = this.registry.byKind(obj.apiVersion, obj.kind);
    if (def?.namespaced === true && obj.metadata.namespace === undefined) obj.metadata.namespace = 'default';
    if (def !== undefined && !def.namespaced) delete obj.metadata.namespace;
    const type = typeKey(obj.apiVersion, obj.kind);
    let objects = this.byType.get(type);
    if (objects === undefined) {
      objects = new Map();
      this.byType.set(type, objects);
    }
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const previous = objects.get(key);
    const meta = obj.metadata as Record<string, unknown>;
    meta['uid'] ??= previous?.metadata['uid'] ?? randomUUID();
    meta['creationTimestamp'] ??= previous?.metadata['creationTimestamp'] ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.revision += 1;
    meta['resourceVersion'] = String(this.revision);
    objects.set(key, obj);
    this.sorted.delete(type);
    if (obj.kind === 'CustomResourceDefinition') this.registry.registerCrd(obj);
    this.emit(previous === undefined ? 'ADDED' : 'MODIFIED', obj);
    return structuredClone(obj);
  }

  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const objects = this.byType.get(typeKey(apiVersion, kind));
    const key = objectKey(namespace, name);
    const found = objects?.get(key);
    if (objects === undefined || found === undefined) return undefined;
    objects.delete(key);
    this.sorted.delete(typeKey(apiVersion, kind));
    this.revision += 1;
    const gone = structuredClone(found);
    gone.metadata['resourceVersion'] = String(this.revision);
    this.emit('DELETED', gone);
    return structuredClone(gone);
  }

  /** Events after `sinceRevision` still in history, or undefined when history no longer reaches back that far. */
  eventsSince(sinceRevision: number): StoreEvent[] | undefined {
    if (sinceRevision < this.compactedRevision) return undefined;
    const first = this.history[0];
    if (first !== undefined && first.resourceVersion > sinceRevision + 1 && this.history.length >= HISTORY_LIMIT) {
      return undefined;
    }
    return this.history.filter((e) => e.resourceVersion > sinceRevision).map((e) => ({ ...e, object: structuredClone(e.object) }));
  }

  /**
   * Compacts history as etcd does: open watches end with a 410 Expired ERROR event and resuming from any earlier
   * resourceVersion is refused, so clients must relist (what an apiserver restart or a long disconnect causes).
   */
  compact(): void {
    this.history.length = 0;
    this.compactedRevision = this.revision;
    for (const listener of [...this.compactListeners]) listener();
  }

  onCompact(listener: () => void): () => void {
    this.compactListeners.add(listener);
    return () => this.compactListeners.delete(listener);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(type: WatchEventType, obj: KubeObject): void {
    const event: StoreEvent = { type, object: structuredClone(obj), resourceVersion: this.revision, apiVersion: obj.apiVersion, kind: obj.kind };
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    for (const listener of this.listeners) listener(event);
  }
}

function typeKey(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

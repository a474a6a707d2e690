// Checks across the expanded scenario that a per-field schema cannot make: duplicate objects, and logs / exec
// results that name a pod or container the scenario does not have (the emulator could never serve them).
import type { KubeObject, ScenarioExpect } from './schema.ts';
import { describeOrigin, type Expanded, type ExpandedScenario, type Origin } from './expand.ts';
import { formatPath, type ScenarioIssue } from './scenario-error.ts';

interface PodEntry {
  containers: string[];
  initContainers: string[];
  origin: Origin;
}

export function checkScenario(exp: ExpandedScenario, expect?: ScenarioExpect): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const pods = indexObjects(exp.objects, issues);
  if (expect !== undefined) {
    checkExpectedNode(exp, expect.node, ['expect', 'node'], issues);
    (expect.healthyNodes ?? []).forEach((n, i) => checkExpectedNode(exp, n, ['expect', 'healthyNodes', i], issues));
  }
  const seenLogs = new Map<string, Origin>();
  for (const { value: log, origin } of exp.logs) {
    checkContainerRef(pods, log, origin, issues);
    const key = `${log.namespace}/${log.pod}/${log.container}`;
    const first = seenLogs.get(key);
    if (first !== undefined) {
      issues.push(at(origin, ['container'], `logs for ${key} are already given at ${describeOrigin(first)}`));
    } else seenLogs.set(key, origin);
  }
  const seenCommands = new Map<string, Origin>();
  for (const { value: ex, origin } of exp.exec) {
    checkContainerRef(pods, ex, origin, issues);
    if (ex.commandPattern !== undefined) {
      try {
        new RegExp(ex.commandPattern);
      } catch (err) {
        issues.push(at(origin, ['commandPattern'], `not a valid JavaScript regular expression: ${(err as Error).message}`));
      }
    }
    if (ex.command !== undefined) {
      const key = `${ex.namespace}/${ex.pod}/${ex.container}: ${ex.command}`;
      const first = seenCommands.get(key);
      if (first !== undefined) issues.push(at(origin, ['command'], `the same command for the same container is already given at ${describeOrigin(first)}`));
      else seenCommands.set(key, origin);
    }
  }
  return issues;
}

/** `expect.node` (and each of `expect.healthyNodes`) must be one of the scenario's Nodes, or the demo and tests would diagnose a node that does not exist. */
function checkExpectedNode(exp: ExpandedScenario, node: string, segments: (string | number)[], issues: ScenarioIssue[]): void {
  const nodes = exp.objects.filter((o) => o.value.kind === 'Node').map((o) => o.value.metadata.name);
  if (nodes.includes(node)) return;
  const listed = nodes.length > 8 ? `${nodes.slice(0, 8).join(', ')}, …` : nodes.join(', ');
  issues.push({ path: formatPath(segments), segments, message: `no Node "${node}" among the scenario's objects (it has: ${listed || 'no nodes'})` });
}

/** Reports duplicate objects and returns the pods by `namespace/name`. */
function indexObjects(objects: readonly Expanded<KubeObject>[], issues: ScenarioIssue[]): Map<string, PodEntry> {
  const seen = new Map<string, Origin>();
  const pods = new Map<string, PodEntry>();
  for (const { value: obj, origin } of objects) {
    const ns = obj.metadata.namespace;
    const key = `${obj.apiVersion}|${obj.kind}|${ns ?? ''}|${obj.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const what = `${obj.kind} ${ns === undefined ? '' : `${ns}/`}${obj.metadata.name} (${obj.apiVersion})`;
      issues.push(at(origin, ['metadata', 'name'], `duplicate object: ${what} is already defined at ${describeOrigin(first)}`));
      continue;
    }
    seen.set(key, origin);
    if (obj.apiVersion === 'v1' && obj.kind === 'Pod') {
      // The apiserver puts a namespace-less pod into "default"; logs/exec must then say "default" too.
      pods.set(`${ns ?? 'default'}/${obj.metadata.name}`, {
        containers: containerNames(obj, 'containers'),
        initContainers: [...containerNames(obj, 'initContainers'), ...containerNames(obj, 'ephemeralContainers')],
        origin,
      });
    }
  }
  return pods;
}

function checkContainerRef(
  pods: ReadonlyMap<string, PodEntry>,
  ref: { namespace: string; pod: string; container: string },
  origin: Origin,
  issues: ScenarioIssue[],
): void {
  const pod = pods.get(`${ref.namespace}/${ref.pod}`);
  if (pod === undefined) {
    const sameName = [...pods.keys()].filter((k) => k.endsWith(`/${ref.pod}`));
    const hint = sameName.length > 0 ? ` (a pod of that name exists as ${sameName.join(', ')})` : '';
    issues.push(at(origin, ['pod'], `pod ${ref.namespace}/${ref.pod} is not among the scenario's objects${hint}`));
    return;
  }
  const all = [...pod.containers, ...pod.initContainers];
  if (all.length > 0 && !all.includes(ref.container)) {
    const listed = [...pod.containers, ...pod.initContainers.map((c) => `${c} (init)`)].join(', ');
    issues.push(at(origin, ['container'], `pod ${ref.namespace}/${ref.pod} has no container "${ref.container}" (it has: ${listed})`));
  }
}

function containerNames(pod: KubeObject, field: 'containers' | 'initContainers' | 'ephemeralContainers'): string[] {
  const spec: unknown = (pod as Record<string, unknown>)['spec'];
  if (spec === null || typeof spec !== 'object') return [];
  const list: unknown = (spec as Record<string, unknown>)[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((c: unknown) => {
    const name = c !== null && typeof c === 'object' ? (c as Record<string, unknown>)['name'] : undefined;
    return typeof name === 'string' ? [name] : [];
  });
}

function at(origin: Origin, field: string[], message: string): ScenarioIssue {
  const segments = [...origin.path, ...field];
  const path = formatPath(segments);
  return { path: origin.i === undefined ? path : `${path} (i=${origin.i})`, message, segments };
}

// Issue 21: every bundled scenario names its broken node and the findings a diagnosis of it must lead with, and the
// demo/tests use that node instead of guessing from pod states.
import { describe, expect, it } from 'vitest';
import { listScenarios, parseScenario, resolveScenario, ScenarioError } from '../../sandbox/scenario/index.ts';
import { brokenNodeOf } from '../../sandbox/sandbox-stack.ts';
import { RUNBOOKS } from '../../runbooks/catalogue/registry.ts';

const HEAD = 'name: t\ndescription: a test scenario\nobjects:\n  - {apiVersion: v1, kind: Node, metadata: {name: node-a}}\n  - {apiVersion: v1, kind: Node, metadata: {name: node-b}}\n';
const RUNBOOK_IDS = new Set(RUNBOOKS.map((r) => r.id));

describe('scenario expect block', () => {
  it('is given by every bundled scenario, names one of its Nodes and only known runbook ids', () => {
    for (const name of listScenarios()) {
      const s = resolveScenario(name);
      expect(s.expect, name).toBeDefined();
      const nodes = s.objects.filter((o) => o.kind === 'Node').map((o) => o.metadata.name);
      expect(nodes, name).toContain(s.expect?.node);
      for (const id of s.expect?.findings ?? []) expect(RUNBOOK_IDS.has(id), `${name}: ${id}`).toBe(true);
      for (const n of s.expect?.healthyNodes ?? []) {
        expect(nodes, name).toContain(n);
        expect(n, `${name}: the broken node cannot also be healthy`).not.toBe(s.expect?.node);
      }
    }
  });

  it('names the nodes that must not be reported where a story turns on them (Debian 4.19.0-21 is not too old)', () => {
    expect(resolveScenario('debian10-and-al2').expect?.healthyNodes).toEqual(['node-1', 'node-3']);
    expect(resolveScenario('ciliumnodeconfig-override').expect?.healthyNodes).toEqual(['node-1', 'node-3']);
    expect(resolveScenario('kernel-too-old').expect?.healthyNodes).toEqual(['node-1', 'node-2', 'node-3']);
    expect(() => parseScenario(`${HEAD}expect: {node: node-a, healthyNodes: [node-b, node-q]}\n`, 'x.yaml')).toThrow(/expect\.healthyNodes\[1\].*no Node "node-q"/s);
  });

  it('gives the broken nodes the stories describe (node-2 where the story centres on it)', () => {
    const nodeOf = (name: string): string | undefined => resolveScenario(name).expect?.node;
    for (const name of ['bandwidth-manager-unsupported', 'crd-upgrade-drift', 'fqdn-dns-proxy', 'map-full', 'ipam-exhausted']) expect(nodeOf(name), name).toBe('node-2');
    expect(nodeOf('kernel-too-old')).toBe('node-legacy-01');
    expect(resolveScenario('healthy').expect).toEqual({ node: 'node-1', findings: [] });
    expect(resolveScenario('kube-proxy-conflict').expect?.findings).toEqual(['kube-proxy-conflict']);
  });

  it('drives brokenNodeOf, which falls back to pod states only without one', () => {
    const withExpect = parseScenario(`${HEAD}expect: {node: node-b, findings: [kernel-too-old]}\n`, 'x.yaml');
    expect(brokenNodeOf(withExpect)).toBe('node-b');
    expect(brokenNodeOf(parseScenario(HEAD, 'y.yaml'))).toBe('node-a');
    // map-full's agent is running and ready: only the expect block knows node-2 is the one.
    expect(brokenNodeOf(resolveScenario('map-full'))).toBe('node-2');
  });

  it('defaults findings to none and rejects a node the scenario does not have, naming the nodes it has', () => {
    expect(parseScenario(`${HEAD}expect: {node: node-a}\n`, 'x.yaml').expect).toEqual({ node: 'node-a', findings: [] });
    let error: unknown;
    try {
      parseScenario(`${HEAD}expect: {node: node-z}\n`, 'bad.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect(String((error as Error).message)).toMatch(/expect\.node.*no Node "node-z".*node-a, node-b/s);
  });

  it('rejects unknown keys and malformed runbook ids in the block', () => {
    expect(() => parseScenario(`${HEAD}expect: {node: node-a, finding: [x]}\n`, 'x.yaml')).toThrow(/unknown key "finding"/);
    expect(() => parseScenario(`${HEAD}expect: {node: node-a, findings: ["Kernel Too Old"]}\n`, 'x.yaml')).toThrow(/runbook id/);
  });
});

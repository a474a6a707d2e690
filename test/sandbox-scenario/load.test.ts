// Loading and rejecting scenario files: every bad file names the file, the path inside it and what is wrong.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, MAX_SCENARIO_BYTES, parseScenario, ScenarioError } from '../../sandbox/scenario/index.ts';

const HEAD = 'name: t\ndescription: a test scenario\n';
const POD = '  - {apiVersion: v1, kind: Pod, metadata: {name: cilium-abcde, namespace: kube-system}, spec: {containers: [{name: cilium-agent}], initContainers: [{name: config}]}}\n';

function errorOf(text: string, file = 'bad.yaml'): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('expands repeat blocks with {{i}} and {{i2}} in every string, keys included', () => {
    const s = parseScenario(`${HEAD}repeat:
  - count: 3
    from: 9
    objects:
      - apiVersion: v1
        kind: Node
        metadata: {name: "node-{{i2}}", labels: {"pool-{{i}}": "n{{i}}"}}
        spec: {podCIDR: "10.0.{{i}}.0/24", nested: [{deep: "x{{i2}}y"}]}
`, 'repeat.yaml');
    expect(s.objects.map((o) => o.metadata.name)).toEqual(['node-09', 'node-10', 'node-11']);
    expect(s.objects[0]?.metadata.labels).toEqual({ 'pool-9': 'n9' });
    expect(s.objects[2]).toMatchObject({ spec: { podCIDR: '10.0.11.0/24', nested: [{ deep: 'x11y' }] } });
    expect(s.source).toBe('repeat.yaml');
  });

  it('keeps top-level items first, then repeat copies in order', () => {
    const s = parseScenario(`${HEAD}objects:\n${POD}repeat:\n  - count: 2\n    objects:\n      - {apiVersion: v1, kind: Node, metadata: {name: "n{{i}}"}}\n`, 'x.yaml');
    expect(s.objects.map((o) => o.metadata.name)).toEqual(['cilium-abcde', 'n1', 'n2']);
  });

  it('names file, path and problem for a wrong type', () => {
    const err = errorOf(`${HEAD}objects:\n  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: 42\n`, 'wrong-type.yaml');
    expect(err.file).toBe('wrong-type.yaml');
    expect(err.message).toContain('wrong-type.yaml');
    expect(err.message).toMatch(/objects\[0\]\.metadata\.name \(line 7, column \d+\): .*expected string/);
  });

  it('names an unknown key with its path', () => {
    const err = errorOf(`${HEAD}logs:\n  - {namespace: kube-system, pod: p, contianer: c}\n`);
    expect(err.message).toContain('logs[0].contianer');
    expect(err.message).toContain('unknown key "contianer"');
    expect(err.message).toContain('logs[0].container');
    expect(err.message).toContain('missing');
  });

  it('reports a missing metadata.name', () => {
    const err = errorOf(`${HEAD}objects:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {namespace: kube-system}}\n`, 'noname.yaml');
    expect(err.message).toContain('noname.yaml');
    expect(err.message).toContain('objects[0].metadata.name');
    expect(err.message).toContain('missing (expected string)');
  });

  it('reports YAML syntax errors with line and column', () => {
    const err = errorOf(`${HEAD}objects: [\n  - a: b\n`, 'syntax.yaml');
    expect(err.message).toContain('syntax.yaml');
    expect(err.message).toMatch(/\(YAML syntax\) \(line \d+, column \d+\)/);
  });

  it('rejects duplicate objects, also those produced by a repeat block', () => {
    const err = errorOf(`${HEAD}objects:\n${POD}repeat:\n  - count: 2\n    objects:\n      - {apiVersion: v1, kind: Pod, metadata: {name: cilium-abcde, namespace: kube-system}}\n`, 'dup.yaml');
    expect(err.message).toContain('dup.yaml');
    expect(err.message).toContain('repeat[0].objects[0].metadata.name (i=1)');
    expect(err.message).toContain('duplicate object: Pod kube-system/cilium-abcde (v1) is already defined at objects[0]');
  });

  it('rejects logs and exec for pods or containers the scenario lacks, naming the pod', () => {
    const err = errorOf(`${HEAD}objects:\n${POD}logs:\n  - {namespace: kube-system, pod: cilium-zzzzz, container: cilium-agent, current: x}\n  - {namespace: kube-system, pod: cilium-abcde, container: agent, current: x}\nexec:\n  - {namespace: default, pod: cilium-abcde, container: cilium-agent, command: ls}\n`, 'refs.yaml');
    expect(err.message).toContain('logs[0].pod');
    expect(err.message).toContain('pod kube-system/cilium-zzzzz is not among the scenario\'s objects');
    expect(err.message).toContain('logs[1].container');
    expect(err.message).toContain('has no container "agent" (it has: cilium-agent, config (init))');
    expect(err.message).toContain('exec[0].pod');
    expect(err.message).toContain('(a pod of that name exists as kube-system/cilium-abcde)');
  });

  it('rejects unknown placeholders and invalid command patterns', () => {
    const err = errorOf(`${HEAD}objects:\n${POD}exec:\n  - {namespace: kube-system, pod: cilium-abcde, container: cilium-agent, commandPattern: "iptables-save ("}\nrepeat:\n  - count: 2\n    objects:\n      - {apiVersion: v1, kind: Node, metadata: {name: "n-{{ i }}"}}\n`);
    expect(err.message).toContain('exec[0].commandPattern');
    expect(err.message).toContain('not a valid JavaScript regular expression');
    expect(err.message).toContain('repeat[0].objects[0].metadata.name');
    expect(err.message).toContain('unknown placeholder {{ i }}');
    expect(err.issues.filter((i) => i.message.includes('placeholder'))).toHaveLength(1);
  });

  it('rejects several documents and an empty file', () => {
    expect(errorOf(`${HEAD}---\n${HEAD}`).message).toContain('expected one YAML document, found 2');
    expect(errorOf('').message).toContain('the file is empty');
  });

  it('refuses text over the size limit before parsing', () => {
    const err = errorOf('#'.repeat(MAX_SCENARIO_BYTES + 1), 'huge.yaml');
    expect(err.message).toContain('huge.yaml');
    expect(err.message).toContain('limited to 16.0 MiB');
  });
});

describe('loadScenarioFile', () => {
  it('loads a file and reports an unreadable one with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const path = join(dir, 'ok.yaml');
    writeFileSync(path, `${HEAD}objects:\n${POD}`);
    expect(loadScenarioFile(path).objects).toHaveLength(1);
    expect(() => loadScenarioFile(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml[\s\S]*cannot read/);
  });
});

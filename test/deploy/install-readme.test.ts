// deploy/README.md "Install in a cluster", followed as far as this machine allows: every path it names exists,
// every `kubectl apply -k` renders, the Secret it creates is the one the Deployment reads (name and keys), the
// example overlay renders, and the rule tables match what the overlays grant.
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeploymentSpec } from './k8s-schemas.ts';
import { find, kustomize, parseManifests, REPO, runKubectl } from './render.ts';

const readme = readFileSync(join(REPO, 'deploy/README.md'), 'utf8');
const install = readme.slice(readme.indexOf('## Install in a cluster'), readme.indexOf('## Local use with Docker Compose'));
const blocks = (lang: string): string[] => [...install.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
const shell = blocks('sh').join('\n').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** Renders a README overlay where it is meant to sit: next to deploy/ (a link to the real one), as my-cluster/. */
async function renderBeside(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-readme-'));
  temps.push(dir);
  symlinkSync(join(REPO, 'deploy'), join(dir, 'deploy'));
  mkdirSync(join(dir, 'my-cluster'));
  writeFileSync(join(dir, 'my-cluster', 'kustomization.yaml'), yaml);
  return runKubectl(['kustomize', join(dir, 'my-cluster')]);
}

describe('deploy/README.md: Install in a cluster', () => {
  it('exists with the steps: manifest, install, Secret, apply read-only, enable remediation', () => {
    expect(install).toMatch(/From a manifest/);
    expect(install).toMatch(/deploy\/slack\/manifest\.yaml/);
    expect(install).toMatch(/connections:write/);
    expect(shell).toContain('kubectl apply -k deploy/overlays/read-only');
    expect(shell).toContain('kubectl apply -k deploy/overlays/remediation');
  });

  it('names only paths that exist', () => {
    for (const m of install.matchAll(/`?(deploy\/[\w./-]+[\w/])`?/g)) expect(existsSync(join(REPO, m[1] ?? '')), m[1]).toBe(true);
  });

  it('every `kubectl apply -k` and `-f` in it renders or parses', async () => {
    for (const line of shell.filter((l) => /^kubectl (apply|delete) -[kf] /.test(l))) {
      const [, verb, flag, path = ''] = line.split(/\s+/);
      if (flag === '-k') expect((await kustomize(path)).length, `${verb} ${path}`).toBeGreaterThan(0);
      else expect(parseManifests(readFileSync(join(REPO, path), 'utf8')).map((o) => o.kind)).toEqual(['Namespace']);
    }
  });

  it('creates the Secret the Deployment reads, in its namespace, with its keys', async () => {
    const create = shell.find((l) => l.includes('create secret generic'));
    const m = /^kubectl -n (\S+) create secret generic (\S+) (.*)$/.exec(create ?? '');
    expect(m).not.toBeNull();
    const keys = [...(m?.[3] ?? '').matchAll(/--from-literal=([A-Z_]+)=/g)].map((k) => k[1]);
    const objects = await kustomize('deploy/overlays/read-only');
    const deployment = find(objects, 'Deployment', 'cilium-runbook', 'cilium-runbook');
    const env = DeploymentSpec.parse(deployment).spec.template.spec.containers[0]?.env ?? [];
    const refs = env.flatMap((e) => (e.valueFrom?.secretKeyRef === undefined ? [] : [e.valueFrom.secretKeyRef]));
    expect(m?.[1]).toBe(deployment.metadata.namespace);
    expect(refs.map((r) => r.name)).toEqual(refs.map(() => m?.[2]));
    expect(keys.sort()).toEqual(refs.map((r) => r.key).sort());
  });

  it('its own-overlay example renders and sets CLUSTER_NAME', async () => {
    const yaml = blocks('yaml')[0] ?? '';
    const out = await renderBeside(yaml);
    expect(out.stderr).toBe('');
    const cm = parseManifests(out.stdout).find((o) => o.kind === 'ConfigMap');
    expect(z.object({ data: z.record(z.string(), z.string()) }).parse(cm).data).toMatchObject({ CLUSTER_NAME: 'prod-eu-1', KUBE_IN_CLUSTER: 'true' });
  });

  it('its remediation table lists exactly the resources the remediation overlay adds', async () => {
    const table = install.slice(install.indexOf('### Enabling remediation'), install.indexOf('RBAC cannot say'));
    for (const name of ['nodes', 'pods', 'configmaps `cilium-config`', 'daemonsets `cilium`', 'daemonsets `kube-proxy`']) expect(table).toContain(name);
    const objects = await kustomize('deploy/overlays/remediation');
    const roles = objects.filter((o) => o.metadata.name.includes('remediate'));
    expect(roles.length).toBe(6);
    // "Back to read-only" deletes every remediation object, each with its kind and namespace.
    const deletes = shell.filter((l) => l.includes('delete') && l.includes('remediate'));
    for (const o of roles) {
      const line = deletes.find((l) => l.split(/\s+/).includes(o.metadata.name));
      expect(line, `${o.kind}/${o.metadata.name}`).toBeDefined();
      expect(line?.toLowerCase()).toContain(o.kind.toLowerCase());
      if (o.metadata.namespace !== undefined) expect(line).toContain(`-n ${o.metadata.namespace}`);
    }
  });

  it('its Cilium-namespace example is the one in deploy/examples and moves the Cilium-namespace rules', async () => {
    const yaml = blocks('yaml').find((b) => b.includes('cilium-runbook.io/cilium-namespace')) ?? '';
    const out = await renderBeside(yaml);
    expect(out.stderr).toBe('');
    const key = (o: { kind: string; metadata: { name: string; namespace?: string } }): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    expect(parseManifests(out.stdout).map(key).sort()).toEqual((await kustomize('deploy/examples/cilium-namespace')).map(key).sort());
    expect(parseManifests(out.stdout).filter((o) => o.metadata.namespace === 'cilium').length).toBeGreaterThanOrEqual(2);
  });
});

// Renders a kustomization with the machine's real `kubectl kustomize` (private HOME and cache) and parses it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

export const REPO = resolve(import.meta.dirname, '../..');
export const KUBECTL = '/usr/bin/kubectl';
export const BOT_USER = 'system:serviceaccount:cilium-runbook:bot';

const RenderedObject = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
});
export type RenderedObject = z.infer<typeof RenderedObject>;

export function runKubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'deploy-kubectl-'));
  return new Promise((done) => {
    execFile(
      KUBECTL,
      args,
      { cwd: REPO, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      },
    );
  });
}

export function parseManifests(text: string): RenderedObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null ? [] : [RenderedObject.parse(value)];
  });
}

/** `kubectl kustomize <dir>` (relative to the repository), parsed; throws with kubectl's stderr on failure. */
export async function kustomize(dir: string): Promise<RenderedObject[]> {
  const out = await runKubectl(['kustomize', dir]);
  if (out.code !== 0) throw new Error(`kubectl kustomize ${dir} failed (${out.code}): ${out.stderr}`);
  return parseManifests(out.stdout);
}

export function find(objects: RenderedObject[], kind: string, name: string, namespace?: string): RenderedObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
  if (found === undefined) throw new Error(`rendered output has no ${kind} ${namespace ?? ''}/${name}`);
  return found;
}

/** The documented way to install for Cilium outside kube-system (deploy/examples/cilium-namespace), applied to
 * `overlay`: the example's patches and ConfigMap merge, with its namespace replaced by `ciliumNamespace`. */
export async function kustomizeForCiliumNamespace(overlay: string, ciliumNamespace: string): Promise<RenderedObject[]> {
  if (ciliumNamespace === 'kube-system') return kustomize(overlay);
  const example = readFileSync(join(REPO, 'deploy/examples/cilium-namespace/kustomization.yaml'), 'utf8');
  const rewritten = example
    .replace(/^resources:\n(\s+- .*\n)+/m, `resources:\n  - ../${overlay}\n`)
    .replace(/value: cilium$/m, `value: ${ciliumNamespace}`)
    .replace(/CILIUM_NAMESPACE=cilium$/m, `CILIUM_NAMESPACE=${ciliumNamespace}`);
  // kustomize takes resources by relative path only: a temporary directory beside a link to the real deploy/.
  const root = mkdtempSync(join(tmpdir(), 'deploy-cilium-ns-'));
  try {
    symlinkSync(join(REPO, 'deploy'), join(root, 'deploy'));
    mkdirSync(join(root, 'mine'));
    writeFileSync(join(root, 'mine', 'kustomization.yaml'), rewritten);
    const out = await runKubectl(['kustomize', join(root, 'mine')]);
    if (out.code !== 0) throw new Error(`kubectl kustomize (${overlay} for Cilium in ${ciliumNamespace}) failed (${out.code}): ${out.stderr}`);
    return parseManifests(out.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

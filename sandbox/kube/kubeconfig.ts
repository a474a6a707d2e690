// Kubeconfig files (certificate-authority-data + bearer token) that both kubectl and client-node load.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export function kubeconfigYaml(opts: { server: string; caPem: string; userName: string; token: string; namespace: string }): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sandbox', cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') } }],
    contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: opts.userName, namespace: opts.namespace } }],
    'current-context': 'sandbox',
    users: [{ name: opts.userName, user: { token: opts.token } }],
    preferences: {},
  });
}

/** Writes a kubeconfig for one user into `dir`; the file name is derived from the user name. */
export function writeKubeconfig(dir: string, opts: Parameters<typeof kubeconfigYaml>[0]): string {
  const file = join(dir, `kubeconfig-${opts.userName.replace(/[^A-Za-z0-9._-]/g, '_')}.yaml`);
  writeFileSync(file, kubeconfigYaml(opts), { mode: 0o600 });
  return file;
}

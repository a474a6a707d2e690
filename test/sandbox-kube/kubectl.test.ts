// Fidelity with the machine's real kubectl (the gcloud dispatcher picks kubectl 1.32 from /version).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { kubectlRunner, RESTRICTED_USER, testScenario } from './fixture.ts';

const run = kubectlRunner();
let emu: KubeEmulator;
let admin: (...args: string[]) => ReturnType<typeof run>;

beforeAll(async () => {
  emu = await startKubeEmulator({ scenario: testScenario() });
  admin = (...args) => run(emu.kubeconfigPath, args);
});
afterAll(async () => {
  await emu.stop();
});

describe('real kubectl against the emulator', () => {
  it('get nodes -o wide shows the kernel and runtime columns', async () => {
    const r = await admin('get', 'nodes', '-o', 'wide');
    expect(r.stderr).toBe('');
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    expect(rows.find((l) => l.startsWith('node-1'))).toMatch(/Ready\s+worker\s+3d\s+v1.30.2\s+10.20.0.1\s+<none>\s+Ubuntu 22.04.4 LTS\s+4.14.355-275.582.amzn2.x86_64\s+containerd:\/\/1.7.12/);
  });

  it('get pods with label and field selectors shows CrashLoopBackOff for that node only', async () => {
    const r = await admin('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=cilium', '--field-selector', 'spec.nodeName=node-1');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^cilium-aaaaa\s+1\/2\s+CrashLoopBackOff\s+17 \(2m\d*s? ago\)\s+90m$/);
  });

  it('rejects a field selector the kind does not support, like the apiserver', async () => {
    const r = await admin('get', 'pods', '--field-selector', 'spec.foo=bar');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo');
  });

  it('get of a missing node prints the NotFound Status', async () => {
    const r = await admin('get', 'node', 'node-9');
    expect(r.stderr.trim()).toBe('Error from server (NotFound): nodes "node-9" not found');
  });

  it('logs --previous and logs -c read the scripted container logs', async () => {
    const previous = await admin('logs', 'cilium-aaaaa', '-c', 'cilium-agent', '--previous');
    expect(previous.stdout).toContain('level=fatal msg="BPF template compilation failed"');
    // CrashLoopBackOff: "current" logs are the last terminated instance, as the kubelet serves them.
    const current = await admin('logs', 'cilium-aaaaa', '-c', 'cilium-agent');
    expect(current.stdout).toBe(previous.stdout);
    const monitor = await admin('logs', 'cilium-bbbbb', '-c', 'cilium-monitor');
    expect(monitor.stdout).toBe('monitor line\n');
    const tail = await admin('logs', 'cilium-bbbbb', '-c', 'cilium-agent', '--tail=1');
    expect(tail.stdout).toBe('line 3\n');
  });

  it('logs --previous of a container that never restarted is the kubelet 400', async () => {
    const r = await admin('logs', 'cilium-bbbbb', '-c', 'cilium-agent', '--previous');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (BadRequest): previous terminated container "cilium-agent" in pod "cilium-bbbbb" not found');
  });

  it('exec returns stdout, and propagates stderr and a non-zero exit code', async () => {
    const ok = await admin('exec', 'cilium-bbbbb', '-c', 'cilium-agent', '--', 'iptables-save', '-t', 'nat');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n');
    const failing = await admin('exec', 'cilium-bbbbb', '-c', 'cilium-agent', '--', 'cilium-dbg', 'status', '--verbose');
    expect(failing.code).toBe(3);
    expect(failing.stdout).toBe('KubeProxyReplacement: True\n');
    expect(failing.stderr).toContain('warning: degraded');
    expect(failing.stderr).toContain('command terminated with exit code 3');
  });

  it('exec into an unknown container fails with the apiserver message (WebSocket refused, SPDY refused)', async () => {
    const r = await admin('exec', 'cilium-bbbbb', '-c', 'nope', '--', 'ls');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (BadRequest): container nope is not valid for pod cilium-bbbbb');
  });

  it('label node patches the labels and bumps resourceVersion', async () => {
    const before = emu.store.get('v1', 'Node', undefined, 'node-1');
    const r = await admin('label', 'node', 'node-1', 'cilium-runbook/diagnosed=true');
    expect(r.stdout.trim()).toBe('node/node-1 labeled');
    const after = emu.store.get('v1', 'Node', undefined, 'node-1');
    expect(after?.metadata.labels?.['cilium-runbook/diagnosed']).toBe('true');
    expect(Number(after?.metadata['resourceVersion'])).toBeGreaterThan(Number(before?.metadata['resourceVersion']));
    // kubectl validates `label` arguments itself; a raw patch reaches the server's validation.
    const invalid = await admin('patch', 'node', 'node-1', '--type=merge', '-p', '{"metadata":{"labels":{"bad":"not valid!"}}}');
    expect(invalid.stderr).toContain('The Node "node-1" is invalid: metadata.labels: Invalid value: "not valid!"');
  });

  it('cordon sets spec.unschedulable via strategic merge patch and shows SchedulingDisabled', async () => {
    const r = await admin('cordon', 'node-2');
    expect(r.stdout.trim()).toBe('node/node-2 cordoned');
    const node = emu.store.get('v1', 'Node', undefined, 'node-2');
    expect((node?.['spec'] as { unschedulable?: boolean }).unschedulable).toBe(true);
    const get = await admin('get', 'node', 'node-2');
    expect(get.stdout).toMatch(/node-2\s+Ready,SchedulingDisabled/);
    const again = await admin('uncordon', 'node-2');
    expect(again.stdout.trim()).toBe('node/node-2 uncordoned');
  });

  it('delete --dry-run=server leaves the DaemonSet in place; a real delete removes it', async () => {
    const dry = await admin('delete', 'ds', 'kube-proxy', '-n', 'kube-system', '--dry-run=server');
    expect(dry.stdout.trim()).toBe('daemonset.apps "kube-proxy" deleted (server dry run)');
    expect(emu.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy')).toBeDefined();
    const real = await admin('delete', 'ds', 'kube-proxy', '-n', 'kube-system');
    expect(real.stdout.trim()).toBe('daemonset.apps "kube-proxy" deleted');
    expect(emu.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy')).toBeUndefined();
  });

  it('deleting a DaemonSet pod brings a fresh Running replacement on the same node', async () => {
    const r = await admin('delete', 'pod', 'cilium-aaaaa', '-n', 'kube-system');
    expect(r.stdout.trim()).toBe('pod "cilium-aaaaa" deleted');
    const get = await admin('get', 'pods', '-n', 'kube-system', '--field-selector', 'spec.nodeName=node-1', '-o', 'wide');
    const row = get.stdout.trim().split('\n')[1] ?? '';
    expect(row).toMatch(/^cilium-[a-z0-9]{5}\s+2\/2\s+Running\s+0\s+/);
    expect(row).not.toContain('cilium-aaaaa');
    expect(row).toContain('node-1');
  });

  it('get cnp -A lists CiliumNetworkPolicies with the CRD printer columns', async () => {
    const r = await admin('get', 'cnp', '-A');
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^NAMESPACE\s+NAME\s+AGE\s+VALID$/),
      expect.stringMatching(/^default\s+allow-dns\s+\d+s\s+True$/),
    ]);
  });

  it('a restricted user gets the real Forbidden message, and auth can-i answers truthfully', async () => {
    const kubeconfig = emu.kubeconfigFor(RESTRICTED_USER);
    const logs = await run(kubeconfig, ['logs', 'cilium-bbbbb', '-c', 'cilium-agent']);
    expect(logs.code).toBe(1);
    expect(logs.stderr.trim()).toBe('Error from server (Forbidden): pods "cilium-bbbbb" is forbidden: User "system:serviceaccount:cilium-runbook:bot" cannot get resource "pods/log" in API group "" in the namespace "kube-system"');
    const nodes = await run(kubeconfig, ['get', 'nodes']);
    expect(nodes.code).toBe(0);
    const cm = await run(kubeconfig, ['get', 'cm', 'cilium-config']);
    expect(cm.stderr.trim()).toBe('Error from server (Forbidden): configmaps "cilium-config" is forbidden: User "system:serviceaccount:cilium-runbook:bot" cannot get resource "configmaps" in API group "" in the namespace "kube-system"');
    const yes = await run(kubeconfig, ['auth', 'can-i', 'list', 'nodes']);
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    const no = await run(kubeconfig, ['auth', 'can-i', 'create', 'pods/exec', '-n', 'kube-system']);
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
  });

  it('an unknown token is refused with 401', async () => {
    const bad = emu.kubeconfigPath.replace(/\.yaml$/, '-bad.yaml');
    const { readFileSync } = await import('node:fs');
    writeFileSync(bad, readFileSync(emu.kubeconfigPath, 'utf8').replace(/token: .*/, 'token: not-a-real-token'));
    const r = await run(bad, ['get', 'nodes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});

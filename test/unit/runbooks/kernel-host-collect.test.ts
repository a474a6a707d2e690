// The collector's one procfs exec in the agent: /proc/version, plus /proc/version_signature where Ubuntu has it
// (the upstream patch level is only there), against the Kubernetes API emulator's scripted exec.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../../jobs/collect/collect-evidence.ts';
import { HOST_KERNEL_COMMAND } from '../../../jobs/collect/agent-reads.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../../jobs/kube/client-node-cluster.ts';
import { startKubeEmulator, type KubeEmulator } from '../../../sandbox/kube/index.ts';
import { resolveScenario } from '../../../sandbox/scenario/index.ts';

const COMMAND = HOST_KERNEL_COMMAND.join(' ');
const opts = { deadlineMs: 10_000, tailLines: 200, limitBytes: 256 * 1024 };

let kube: KubeEmulator;
let reader: ClientNodeCluster;
let agentPod = '';
beforeAll(async () => {
  const scenario = resolveScenario('kube-proxy-conflict');
  const pod = scenario.objects.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith('cilium-')
    && (o as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-2' && o.metadata.labels?.['k8s-app'] === 'cilium');
  agentPod = pod?.metadata.name ?? '';
  kube = await startKubeEmulator({ scenario });
  reader = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
});
afterAll(async () => {
  await kube.stop();
});

describe('hostKernel collection', () => {
  it('the command succeeds where /proc/version_signature does not exist (only Ubuntu has it)', async () => {
    const [shell = 'sh', ...args] = HOST_KERNEL_COMMAND;
    const { stdout } = await promisify(execFile)(shell, args);
    expect(stdout.startsWith('Linux version ')).toBe(true);
  });

  it('keeps Ubuntu\'s version signature (second line) beside /proc/version', async () => {
    expect(agentPod).not.toBe('');
    // Ubuntu 22.04's banner and signature (quoted in a public syslog: "(Ubuntu 5.15.0-57.63-generic 5.15.74)").
    kube.setExec({ namespace: 'kube-system', pod: agentPod, container: 'cilium-agent', command: COMMAND, stderr: '', exitCode: 0,
      stdout: 'Linux version 5.15.0-57-generic (buildd@bos02-arm64-057) (gcc (Ubuntu 11.3.0-1ubuntu1~22.04) 11.3.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #63-Ubuntu SMP Thu Nov 24 13:48:31 UTC 2022\nUbuntu 5.15.0-57.63-generic 5.15.74\n' });
    const e = await collectEvidence(reader, 'node-2', opts);
    expect(e.hostKernel).toEqual({ ok: true, value: {
      procVersion: 'Linux version 5.15.0-57-generic (buildd@bos02-arm64-057) (gcc (Ubuntu 11.3.0-1ubuntu1~22.04) 11.3.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #63-Ubuntu SMP Thu Nov 24 13:48:31 UTC 2022',
      versionSignature: 'Ubuntu 5.15.0-57.63-generic 5.15.74', source: 'agent-exec',
    } });
  });

  it('a Debian node has no signature: only /proc/version (the runbooks read its patch level from it)', async () => {
    const node = await reader.getNode('node-2');
    const release = node.status?.nodeInfo?.kernelVersion ?? '';
    kube.setExec({ namespace: 'kube-system', pod: agentPod, container: 'cilium-agent', command: COMMAND, stderr: '', exitCode: 0,
      stdout: `Linux version ${release} (debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6)) #1 SMP Debian 4.19.249-2 (2022-06-30)\n` });
    const e = await collectEvidence(reader, 'node-2', opts);
    if (!e.hostKernel.ok) throw new Error(`hostKernel not collected: ${e.hostKernel.detail}`);
    expect(e.hostKernel.value.versionSignature).toBeUndefined();
    expect(e.hostKernel.value.procVersion).toBe(`Linux version ${release} (debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6)) #1 SMP Debian 4.19.249-2 (2022-06-30)`);
  });
});

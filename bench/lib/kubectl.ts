// The seed's manual diagnosis, with the real kubectl against the emulator: node kernel, the node's cilium pod,
// logs --previous, the kube-proxy DaemonSet, iptables-save in the agent. Discovery is cached in a warm KUBECACHEDIR.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBECTL = '/usr/bin/kubectl';

interface Step {
  args: string[];
  ms: number;
  exitCode: number;
}

function kubectl(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; exitCode: number }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ stdout, exitCode: code });
    });
  });
}

export interface KubectlSequence {
  run(node: string): Promise<{ totalMs: number; steps: Step[] }>;
  cleanup(): void;
}

export function kubectlSequence(kubeconfigPath: string): KubectlSequence {
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-kubecache-'));
  const env = { ...process.env, KUBECONFIG: kubeconfigPath, KUBECACHEDIR: cacheDir };
  return {
    async run(node) {
      const steps: Step[] = [];
      const step = async (args: string[]) => {
        const t0 = performance.now();
        const r = await kubectl(args, env);
        steps.push({ args, ms: performance.now() - t0, exitCode: r.exitCode });
        return r.stdout;
      };
      const t0 = performance.now();
      await step(['get', 'node', node, '-o', 'jsonpath={.status.nodeInfo.kernelVersion}']);
      const pod = (await step(['-n', 'kube-system', 'get', 'pod', '-l', 'k8s-app=cilium', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      // The seed reads the previous container; on a never-restarted agent kubectl answers 400 and exits 1 (as it would for a human).
      await step(['-n', 'kube-system', 'logs', pod, '-c', 'cilium-agent', '--previous', '--tail=2000']);
      await step(['-n', 'kube-system', 'get', 'ds', 'kube-proxy']);
      await step(['-n', 'kube-system', 'exec', pod, '-c', 'cilium-agent', '--', 'iptables-save', '-t', 'nat']);
      return { totalMs: performance.now() - t0, steps };
    },
    cleanup: () => rmSync(cacheDir, { recursive: true, force: true }),
  };
}

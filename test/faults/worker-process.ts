// A worker-only bot process (ROLE=worker) that tests can SIGKILL and restart, pointed at a sandbox stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { SandboxStack } from '../../sandbox/sandbox-stack.ts';

const ROOT = join(import.meta.dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  kill: () => Promise<void>;
}

export function workerEnv(s: SandboxStack, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ROLE: 'worker',
    SLACK_BOT_TOKEN: s.slack.botToken,
    SLACK_APP_TOKEN: s.slack.appToken,
    SLACK_API_URL: s.slack.apiUrl,
    REDIS_URL: s.config.redisUrl,
    QUEUE_PREFIX: s.config.queuePrefix,
    KUBECONFIG: s.config.kube.kubeconfigPath ?? '',
    CLUSTER_NAME: s.config.clusterName,
    JOB_LOCK_MS: '1000',
    HEALTH_PORT: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

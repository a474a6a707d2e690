// `npm run demo`: the real bot (Bolt in Socket Mode, BullMQ on Redis, client-node) against the sandbox emulators.
//   npm run demo                          interactive: type `/cilium diagnose node-legacy-01`, read the thread
//   npm run demo -- --once                scripted: diagnose the scenario's broken node, print the thread, exit
//   npm run demo -- --scenario healthy    pick a scenario (sandbox/scenarios/*.yaml, or a path)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RedisUnavailableError } from './redis.ts';
import { scenarioFromArgOrExit } from './scenario-arg.ts';
import { brokenNodeOf, DEMO_CHANNEL, DEMO_USERS, startSandboxStack, type SandboxStack } from './sandbox-stack.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'kernel-too-old' },
    once: { type: 'boolean', default: false },
    node: { type: 'string' },
    redis: { type: 'string' },
    timeout: { type: 'string', default: '60' },
  },
});

const user = DEMO_USERS[0]?.id ?? 'U0ONCALL';

async function diagnose(stack: SandboxStack, text: string, timeoutMs: number): Promise<boolean> {
  const before = new Set(stack.slack.messages(DEMO_CHANNEL.id).map((m) => m.ts));
  const sent = await stack.slack.slashCommand({ text, userId: user, channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  console.log(`> /cilium ${text}   (acknowledged in ${sent.ackMs.toFixed(0)} ms)`);
  const root = await stack.slack
    .waitFor(() => stack.slack.messages(DEMO_CHANNEL.id).find((m) => !before.has(m.ts)), { timeoutMs: 5_000, description: 'root message' })
    .catch(() => undefined);
  if (root === undefined) {
    await new Promise((r) => setTimeout(r, 300));
    for (const p of stack.slack.responseUrlPosts(sent.responseUrl)) console.log(`(only you can see this) ${JSON.stringify(p.body)}`);
    if (sent.body !== '') console.log(`(only you can see this) ${sent.body}`);
    return false;
  }
  const outcome = await stack.slack
    .waitFor(
      () => stack.slack.thread(DEMO_CHANNEL.id, root.ts).find((m) => (m.text ?? '').startsWith('Diagnosis of') || (m.text ?? '').startsWith(':x: The diagnosis')),
      { timeoutMs, description: 'diagnosis to finish' },
    )
    .catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300)); // let the root summary edit land before printing
  console.log('');
  console.log(stack.slack.renderThread(DEMO_CHANNEL.id, root.ts));
  return outcome !== undefined && !(outcome.text ?? '').startsWith(':x:');
}

async function main(): Promise<void> {
  const scenario = scenarioFromArgOrExit(values.scenario);
  const redisUrl = values.redis ?? process.env.REDIS_URL;
  const stack = await startSandboxStack({ scenario, ...(redisUrl !== undefined && { redisUrl }) });
  const node = values.node ?? brokenNodeOf(scenario) ?? 'node-1';
  const timeoutMs = Number(values.timeout) * 1000;
  console.log(`Sandbox up: scenario "${scenario.name}" — ${scenario.description}`);
  console.log(`KUBECONFIG=${stack.kube.kubeconfigPath}`);
  try {
    if (values.once) {
      const ok = await diagnose(stack, `diagnose ${node}`, timeoutMs);
      process.exitCode = ok ? 0 : 1;
      return;
    }
    console.log(`Type a command as you would in Slack, e.g. "/cilium diagnose ${node}" (Ctrl-D to quit).`);
    const rl = createInterface({ input: process.stdin, prompt: '#incidents> ' });
    rl.prompt();
    for await (const line of rl) {
      const text = line.trim().replace(/^\/cilium\s*/, '');
      if (text !== '') await diagnose(stack, text, timeoutMs);
      rl.prompt();
    }
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  if (e instanceof RedisUnavailableError) console.error(e.message);
  else console.error('demo failed:', e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});

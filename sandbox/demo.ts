// `npm run demo`: the real bot (Bolt, BullMQ on Redis, client-node) against the sandbox emulators, at a prompt
// that shows #incidents as a person in Slack sees it. `npm run demo -- --help` lists the options; `help` at the
// prompt lists the commands (slash commands, `click <n> as @user`, `buttons`, `user`, `thread`).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseOptionsOrExit } from './cli-args.ts';
import { diagnoseOnce } from './demo/once.ts';
import { DEMO_REMEDIATION, DEMO_HELP_HINT } from './demo/remediation-config.ts';
import { DemoSession } from './demo/session.ts';
import { RedisUnavailableError } from './redis.ts';
import { scenarioFromArgOrExit } from './scenario-arg.ts';
import { brokenNodeOf, startSandboxStack } from './sandbox-stack.ts';
import { stopOnSignals } from './shutdown.ts';

const USAGE = `Usage: npm run demo -- [options]

Starts Redis, the Kubernetes API and Slack emulators and the real bot, then a #incidents prompt.

Options:
  --scenario <name|path>   a scenario of sandbox/scenarios/ or a YAML file (default: kernel-too-old)
  --node <name>            the node --once diagnoses (default: the scenario's broken node, its expect.node)
  --once                   diagnose that node, print the thread, check the scenario's expected finding, exit
                           (exit 1 when the report is missing or does not match)
  --remediation            enable remediation buttons; approvers: low @oncall @lead, medium @lead @oncall,
                           high the @sre group (@oncall, @lead; two different people, not who asked)
  --http                   deliver commands and clicks as signed HTTP requests instead of Socket Mode
  --redis <url>            use this Redis instead of a private redis-server (also REDIS_URL)
  --timeout <seconds>      how long one command may hold the prompt (default 60)
  -h, --help               this help`;

const values = parseOptionsOrExit('demo', USAGE, process.argv.slice(2), {
  scenario: { type: 'string', default: 'kernel-too-old' },
  once: { type: 'boolean', default: false },
  node: { type: 'string' },
  remediation: { type: 'boolean', default: false },
  http: { type: 'boolean', default: false },
  redis: { type: 'string' },
  timeout: { type: 'string', default: '60' },
});

async function main(): Promise<void> {
  const scenario = scenarioFromArgOrExit(values.scenario);
  const timeoutS = Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    console.error(`demo: --timeout takes a number of seconds, not "${values.timeout}" (see --help)`);
    process.exit(2);
  }
  const redisUrl = values.redis ?? process.env.REDIS_URL;
  const stack = await startSandboxStack({
    scenario,
    mode: values.http ? 'http' : 'socket',
    ...(redisUrl !== undefined && { redisUrl }),
    ...(values.remediation && { configOverrides: { remediation: DEMO_REMEDIATION } }),
    hubbleRelay: true,
  });
  stopOnSignals(() => stack.stop());
  // Made on the first upload only, and kept: the exported postmortem is the reader's to open.
  let files: string | undefined;
  const filesDir = (): string => (files ??= mkdtempSync(join(tmpdir(), 'cilium-runbook-demo-files-')));
  const node = values.node ?? brokenNodeOf(scenario) ?? 'node-1';
  const timeoutMs = timeoutS * 1000;
  console.log(`Sandbox up: scenario "${scenario.name}" — ${scenario.description}`);
  console.log(`KUBECONFIG=${stack.kube.kubeconfigPath}`);
  if (stack.relay !== undefined) console.log(`Hubble Relay emulator: ${stack.relay.address} (the scenario's flows; try /cilium why-dropped)`);
  console.log(`Remediation: ${values.remediation ? `on. ${DEMO_HELP_HINT}` : 'off (start with --remediation to get fix buttons)'}`);
  try {
    if (values.once) {
      const r = await diagnoseOnce(stack, node, { timeoutMs, filesDir, out: (l) => console.log(l) });
      console.log('');
      console.log(r.transcript);
      if (r.expectation !== undefined) console.log(`${r.expectation.met ? 'OK' : 'MISMATCH'}: ${node} — ${r.expectation.detail}`);
      process.exitCode = r.reported && r.expectation?.met !== false ? 0 : 1;
      return;
    }
    await interactive(stack, node, filesDir, timeoutMs);
  } finally {
    await stack.stop();
  }
}

async function interactive(stack: Awaited<ReturnType<typeof startSandboxStack>>, node: string, filesDir: () => string, timeoutMs: number): Promise<void> {
  const tty = process.stdout.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '#incidents> ', terminal: process.stdin.isTTY === true });
  let atPrompt = false;
  // Output that lands while the prompt is shown (a late thread reply) is printed above it, keeping what was typed.
  const out = (text: string): void => {
    if (atPrompt && tty) {
      process.stdout.write('\r\x1b[K');
      console.log(text);
      rl.prompt(true);
    } else console.log(text);
  };
  // On a terminal readline takes Ctrl-C itself (and would only pause): hand it to the shutdown handler.
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  const session = new DemoSession(stack, { out, filesDir, via: stack.config.slack.mode, commandTimeoutMs: timeoutMs });
  session.feed.skipExisting();
  session.startFeed();
  console.log(`Type a command as you would in Slack, e.g. "/cilium diagnose ${node}"; "help" lists the demo commands (Ctrl-D to quit).`);
  console.log('Files the bot uploads (the exported postmortem) are printed and saved; the path is shown with each.');
  const prompt = (): void => {
    atPrompt = true;
    rl.setPrompt(`#incidents (@${session.user})> `);
    rl.prompt();
  };
  prompt();
  try {
    for await (const line of rl) {
      atPrompt = false;
      if (!(await session.run(line))) break;
      prompt();
    }
  } finally {
    session.stopFeed();
    rl.close();
  }
}

main().catch((e: unknown) => {
  if (e instanceof RedisUnavailableError) console.error(e.message);
  else console.error('demo failed:', e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});

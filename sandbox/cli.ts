// `npm run sandbox -- --scenario kernel-too-old`: the Kubernetes API emulator (and the Slack emulator) for a person
// with kubectl. Prints `KUBECONFIG=<path>` on its own line and serves until interrupted (Ctrl-C removes its
// temporary kubeconfig folder).
import { parseOptionsOrExit } from './cli-args.ts';
import { startKubeEmulator } from './kube/index.ts';
import { startSlackEmulator } from './slack/index.ts';
import { scenarioFromArgOrExit } from './scenario-arg.ts';
import { DEMO_CHANNEL, DEMO_USERS } from './sandbox-stack.ts';
import { stopOnSignals } from './shutdown.ts';
import { writeScenarioSysdumpFile } from './sysdump/index.ts';
import { startRelayEmulator } from './hubble/relay-emulator.ts';
import { loadScenarioFlows } from './hubble/scenario-flows.ts';
import { SCENARIOS_DIR } from './scenario/load.ts';
import { join } from 'node:path';

const USAGE = `Usage: npm run sandbox -- [options]

Serves the Kubernetes API emulator (and a Slack emulator, and a Hubble Relay emulator when the scenario has
Hubble flows) with one scenario until Ctrl-C.

Options:
  --scenario <name|path>   a scenario of sandbox/scenarios/ or a YAML file (default: healthy)
  --no-slack               do not start the Slack emulator
  --sysdump <out.zip>      write a cilium sysdump of the scenario (current cilium-cli layout) and exit
  -h, --help               this help`;

const values = parseOptionsOrExit('sandbox', USAGE, process.argv.slice(2), {
  scenario: { type: 'string', default: 'healthy' },
  slack: { type: 'boolean', default: true },
  'no-slack': { type: 'boolean', default: false },
  sysdump: { type: 'string' },
});

async function main(): Promise<void> {
  const scenario = scenarioFromArgOrExit(values.scenario);
  if (values.sysdump !== undefined) {
    // `--sysdump out.zip`: write the scenario's cilium sysdump (current cilium-cli layout) and exit.
    const size = await writeScenarioSysdumpFile(scenario, values.sysdump);
    console.error(`wrote ${values.sysdump} (${size} bytes): a cilium sysdump of scenario "${scenario.name}"; try: npm run cli -- analyze ${values.sysdump}`);
    return;
  }
  const kube = await startKubeEmulator({ scenario });
  const withSlack = values.slack && !values['no-slack'];
  const slack = withSlack ? await startSlackEmulator({ users: DEMO_USERS, channels: [DEMO_CHANNEL] }) : undefined;
  const flows = scenario.hubbleFlows === undefined ? undefined : loadScenarioFlows(join(SCENARIOS_DIR, scenario.hubbleFlows), new Date());
  const relay = flows === undefined ? undefined : await startRelayEmulator({ responses: flows.responses, connectedNodes: flows.connectedNodes, unavailableNodes: flows.unavailableNodes });
  stopOnSignals(async () => {
    await relay?.close();
    await slack?.stop();
    await kube.stop();
  });
  console.log(`KUBECONFIG=${kube.kubeconfigPath}`);
  console.error(`Kubernetes API emulator: ${kube.url} (scenario "${scenario.name}": ${scenario.description})`);
  if (slack !== undefined) {
    console.error(`Slack emulator: ${slack.apiUrl}  SLACK_BOT_TOKEN=${slack.botToken} SLACK_APP_TOKEN=${slack.appToken}`);
  }
  if (relay !== undefined) console.error(`Hubble Relay emulator: ${relay.address}  HUBBLE_RELAY_ADDR=${relay.address}`);
  console.error('Try: KUBECONFIG=<path above> kubectl get nodes -o wide    (Ctrl-C to stop)');
}

main().catch((e: unknown) => {
  console.error('sandbox failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});

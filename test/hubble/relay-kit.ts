// What the Hubble tests set up around the Relay emulator: a scenario's flows served over gRPC on loopback, a
// loopback port nobody listens on (Relay unreachable), the sandbox bot pointed at a Relay address, and the
// `cilium-runbook` CLI run as a child process. One place, so the tests differ only in what they assert.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import type { SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { startRelayEmulator, type RelayEmulator } from '../../sandbox/hubble/relay-emulator.ts';
import { loadScenarioFlows } from '../../sandbox/hubble/scenario-flows.ts';

/** The path of a bundled flows file, e.g. `hubbleFlowsFile('egress-no-dns')` → sandbox/scenarios/hubble/egress-no-dns.json. */
export function hubbleFlowsFile(name: string): string {
  return fileURLToPath(new URL(`../../sandbox/scenarios/hubble/${name}.json`, import.meta.url));
}

/**
 * Starts the Relay emulator serving a flows file. `now` shifts the flows so the newest is 30 s old (readers that
 * ask with `since` need it); without it the recorded times are kept. The caller closes it.
 */
export async function startScenarioRelay(flowsFile: string, opts: { now?: Date; unavailableNodes?: string[] } = {}): Promise<RelayEmulator> {
  const flows = loadScenarioFlows(flowsFile, opts.now);
  return startRelayEmulator({
    responses: flows.responses,
    connectedNodes: flows.connectedNodes,
    ...(opts.unavailableNodes !== undefined && { unavailableNodes: opts.unavailableNodes }),
  });
}

/** A loopback port that was free a moment ago and is closed now: a Relay address that refuses connections. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
  const addr = srv.address();
  await new Promise<void>((res) => srv.close(() => res()));
  return typeof addr === 'object' && addr !== null ? addr.port : 1;
}

/**
 * Starts the stack's bot (the stack was started with `startBot: false`) reading Hubble flows from Relay at `address`,
 * as HUBBLE_RELAY_ADDR would configure it; `deadlineMs` overrides the collection deadline when given.
 */
export async function startBotOnRelay(s: SandboxStack, address: string, opts: { deadlineMs?: number } = {}): Promise<void> {
  const collect = {
    ...s.config.collect,
    ...(opts.deadlineMs !== undefined && { deadlineMs: opts.deadlineMs }),
    hubbleFlows: { env: { HUBBLE_RELAY_ADDR: address }, windowMinutes: 15, maxFlows: 1000 },
  };
  s.bot = await startBot({ ...s.config, collect }, { logger: pino({ level: 'silent' }) });
}

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/cilium-runbook.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cilium-runbook <args>` with `env` over this process's environment; a non-zero exit is a result, not a throw. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

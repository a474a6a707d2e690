// `npm run demo -- --once`: diagnose one node, print its thread, and check the report against the scenario's
// `expect:` block when that node is the one it names (its findings first, in order; none for a healthy node).
import { DEMO_CHANNEL, DEMO_USERS, type SandboxStack } from '../sandbox-stack.ts';
import { DemoSession } from './session.ts';

export interface OnceResult {
  node: string;
  /** The incident thread (or, when the bot opened none, every reply it posted) as readable text. */
  transcript: string;
  /** The report was posted (not a failed diagnosis). */
  reported: boolean;
  /** Runbook ids of the report's findings, in order. */
  findings: string[];
  /** Set when the scenario's expect block names this node: whether the report matches it, and why not. */
  expectation?: { met: boolean; detail: string };
}

/** The runbook ids of a report's findings, in order (each is rendered with its id in backticks and severity). */
export function reportFindingIds(transcript: string): string[] {
  return [...transcript.matchAll(/`([a-z0-9-]+)` \((critical|warning|info), /g)].map((m) => m[1] ?? '');
}

/** The findings the scenario expects of this sandbox: with its Hubble flows served, `hubbleFindings` when it has them. */
export function expectedFindings(stack: SandboxStack): string[] {
  const expect = stack.scenario.expect;
  if (expect === undefined) return [];
  return stack.relay !== undefined && expect.hubbleFindings !== undefined ? expect.hubbleFindings : expect.findings;
}

export function checkExpectation(expected: string[], transcript: string): { met: boolean; detail: string } {
  const got = reportFindingIds(transcript);
  if (expected.length === 0) {
    const serious = /\((critical|warning), /.test(transcript);
    return serious ? { met: false, detail: `expected a healthy node, got ${got.join(', ')}` } : { met: true, detail: 'healthy, as the scenario expects' };
  }
  const lead = got.slice(0, expected.length);
  const met = lead.length === expected.length && lead.every((id, i) => id === expected[i]);
  return met
    ? { met, detail: `${expected.join(', ')} first, as the scenario expects` }
    : { met, detail: `expected ${expected.join(', ')} first, got ${got.length === 0 ? 'no finding' : got.join(', ')}` };
}

export async function diagnoseOnce(stack: SandboxStack, node: string, opts: { timeoutMs: number; out?: (line: string) => void; filesDir: () => string }): Promise<OnceResult> {
  const session = new DemoSession(stack, { out: opts.out ?? (() => undefined), filesDir: opts.filesDir, via: stack.config.slack.mode, commandTimeoutMs: opts.timeoutMs });
  const before = new Set(stack.slack.messages(DEMO_CHANNEL.id).map((m) => m.ts));
  await session.slash(`diagnose ${node}`, DEMO_USERS[0]?.id);
  const roots = stack.slack.messages(DEMO_CHANNEL.id).filter((m) => !before.has(m.ts));
  const root = roots.find((m) => m.text.includes(node)) ?? roots[0];
  const transcript = root === undefined ? stack.slack.ephemerals({ channelId: DEMO_CHANNEL.id }).map((e) => e.text).join('\n') : stack.slack.renderThread(DEMO_CHANNEL.id, root.ts);
  const reported = /Diagnosis of/.test(transcript) && !/:x: The diagnosis/.test(transcript);
  const expect = stack.scenario.expect;
  return {
    node,
    transcript,
    reported,
    findings: reportFindingIds(transcript),
    ...(expect !== undefined && expect.node === node && { expectation: checkExpectation(expectedFindings(stack), transcript) }),
  };
}

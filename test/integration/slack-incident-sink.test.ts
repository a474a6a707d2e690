// The Slack side of a report through the real WebClient into the Slack emulator: replies in the thread, evidence
// that does not fit uploaded as a file into the same thread, the root message edited with the outcome.
import { WebClient } from '@slack/web-api';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentStore } from '../../jobs/incidents/incident-store.ts';
import { SlackIncidentSink } from '../../bot/slack-incident-sink.ts';
import { ReportSchema } from '../../runbooks/engine/contract.ts';
import { startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';

let slack: SlackEmulator;
let redis: Redis;
beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  slack = await startSlackEmulator({ users: [{ id: 'U0ONCALL', name: 'oncall' }], channels: [{ id: 'C0INCIDENTS', name: 'incidents' }] });
});
afterAll(async () => {
  redis.disconnect();
  await slack.stop();
});

const blast = {
  node: 'node-7',
  pods: { known: true, total: 1, byPhase: {}, byNamespace: {}, stuck: 0, stuckPods: [], hostNetwork: 0 },
  statefulSetMembers: [],
  services: { known: true, onlyHere: [], partlyHere: 0 },
  peers: { known: true, affected: [], reason: null, sameKernel: 0, samePool: 0, sameOsImage: 0 },
  kubeProxyReplacement: null,
  hubbleEnabled: null,
  sentences: [],
};

describe('SlackIncidentSink', () => {
  it('posts the report in the thread, uploads long evidence as a file there, and edits the root message', async () => {
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const root = await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'Diagnosing node-7…' });
    const store = new IncidentStore(redis, `test-${randomUUID()}`);
    const { incident } = await store.openOrReuse({ cluster: 'sandbox', node: 'node-7', channelId: 'C0INCIDENTS', openedBy: 'U0ONCALL' });
    await store.update(incident.id, { threadTs: root.ts ?? '', topFinding: 'agent-crashloop: cilium-agent crash-loops', severity: 'critical' });
    const target = { incidentId: incident.id, cluster: 'sandbox', node: 'node-7', channelId: 'C0INCIDENTS', threadTs: root.ts ?? '', requestedBy: 'U0ONCALL' };
    const evidence = Array.from({ length: 300 }, (_, i) => ({ kind: 'log', text: `level=error msg="line ${i}" password=hunter2hunter2 subsys=daemon`, source: `previous, line ${i + 1}` }));
    const report = ReportSchema.parse({
      schemaVersion: 1,
      cluster: 'sandbox',
      node: 'node-7',
      collectedAt: new Date().toISOString(),
      ciliumVersion: '1.16.3',
      findings: [{ runbookId: 'agent-crashloop', title: 'cilium-agent crash-loops', severity: 'critical', summary: 's', evidence, blastRadius: blast, fixSteps: [], docs: [], proposals: [], confidence: 'medium', basis: 'explicit', explainsAgentCrash: true }],
      unavailable: [],
      inconclusive: [],
      healthySummary: null,
      checked: ['agent-crashloop'],
    });
    const sink = new SlackIncidentSink(client, store);
    await sink.report(target, report, { run: 1, diff: null });

    const replies = slack.thread('C0INCIDENTS', target.threadTs);
    expect(replies.length).toBeGreaterThanOrEqual(1);
    const files = slack.files();
    expect(files).toHaveLength(1);
    const file = files[0];
    const content = file === undefined ? '' : JSON.stringify(file);
    expect(content).toContain('evidence-agent-crashloop.txt');
    expect(slack.renderThread('C0INCIDENTS', target.threadTs)).toContain('evidence-agent-crashloop.txt');
    expect(slack.renderThread('C0INCIDENTS', target.threadTs)).not.toContain('hunter2');
    expect(slack.message('C0INCIDENTS', target.threadTs)?.text).toMatch(/^INC-\d+ investigating: node-7 — agent-crashloop/);
  });
});

// Issue 17 item 6 at the sink: a report whose blocks Slack refuses (`invalid_blocks`) is still posted, as text,
// with its full content as a file; the job does not fail (and retry into the same refusal four times).
import { describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import type { IncidentStore } from '../../../jobs/incidents/incident-store.ts';
import type { Incident } from '../../../jobs/incidents/incident.ts';
import { SlackIncidentSink } from '../../../bot/slack-incident-sink.ts';
import { finding, report } from './report-fixture.ts';

interface Call {
  method: string;
  args: Record<string, unknown>;
}

const incident: Incident = {
  id: 'INC-1', cluster: 'prod', node: 'node-7', channelId: 'C0INCIDENT', threadTs: '1700000000.000100', status: 'investigating',
  openedBy: 'U0ONCALL', openedAt: '2026-11-23T03:00:00.000Z', updatedAt: '2026-11-23T03:05:00.000Z', topFinding: '', severity: 'unknown', runs: 1,
};

/** A Web API client that refuses every message with blocks, as Slack does for a block it will not take. */
function refusingClient(calls: Call[]): WebClient {
  const platformError = (error: string) => Object.assign(new Error(`An API error occurred: ${error}`), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
  return {
    chat: {
      postMessage: (args: Record<string, unknown>) => {
        calls.push({ method: 'chat.postMessage', args });
        if (args.blocks !== undefined) return Promise.reject(platformError('invalid_blocks'));
        return Promise.resolve({ ok: true, ts: `1700000001.00000${calls.length}` });
      },
      update: (args: Record<string, unknown>) => Promise.resolve(void calls.push({ method: 'chat.update', args })),
    },
    filesUploadV2: (args: Record<string, unknown>) => Promise.resolve(void calls.push({ method: 'files.uploadV2', args })),
  } as unknown as WebClient;
}

const store = { get: () => Promise.resolve(incident), timeline: () => Promise.resolve([]) } as unknown as IncidentStore;

describe('SlackIncidentSink', () => {
  it('posts a report Slack refuses as blocks as text, with the report as a file', async () => {
    const calls: Call[] = [];
    const sink = new SlackIncidentSink(refusingClient(calls), store);
    const target = { incidentId: 'INC-1', cluster: 'prod', node: 'node-7', channelId: 'C0INCIDENT', threadTs: '1700000000.000100', requestedBy: 'U0ONCALL' };
    await sink.report(target, report([finding('kernel-too-old')]), { run: 1, diff: null });
    const posted = calls.filter((c) => c.method === 'chat.postMessage' && c.args.blocks === undefined);
    expect(posted).toHaveLength(1);
    expect(String(posted[0]?.args.text)).toMatch(/^Diagnosis of node-7: kernel-too-old.*invalid_blocks/s);
    const uploads = calls.filter((c) => c.method === 'files.uploadV2');
    expect(JSON.stringify(uploads)).toContain('kubectl cordon node-7');
    expect(calls.some((c) => c.method === 'chat.update')).toBe(true);
  });

  it('still fails loudly for errors that are not a refusal of the layout', async () => {
    const client = { chat: { postMessage: () => Promise.reject(Object.assign(new Error('channel_not_found'), { data: { error: 'channel_not_found' } })) } } as unknown as WebClient;
    const sink = new SlackIncidentSink(client, store);
    await expect(sink.postEntry(incident, { seq: 1, at: '2026-11-23T03:00:00.000Z', actor: 'U0ONCALL', kind: 'note', text: 'x', links: [] })).rejects.toThrow('channel_not_found');
  });
});

// The queued-thread flow shared by `/cilium diagnose pod` and `/cilium preflight` (bot/thread-job-slack.ts): a busy
// target is refused privately with nothing posted, otherwise the root message goes up before the job is queued with
// its ts, a lost enqueue race rewrites the root (when the command says how), and a report goes into the thread.
import { describe, expect, it } from 'vitest';
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { QueueUnavailableError } from '../../../bot/errors.ts';
import { startPreflight } from '../../../bot/preflight-slack.ts';
import { alreadyRunningText, postInThread, startThreadJob, withQueue, type JobThread } from '../../../bot/thread-job-slack.ts';

interface Call {
  method: string;
  args: unknown;
}

function fakeClient(calls: Call[], opts: { rootTs?: string; permalink?: 'ok' | 'fails' } = {}): WebClient {
  return {
    chat: {
      postMessage: (args: unknown) => Promise.resolve(void calls.push({ method: 'chat.postMessage', args })).then(() => ({ ok: true, ts: opts.rootTs })),
      update: (args: unknown) => Promise.resolve(void calls.push({ method: 'chat.update', args })),
      getPermalink: () => (opts.permalink === 'fails' ? Promise.reject(new Error('channel_not_found')) : Promise.resolve({ ok: true, permalink: 'https://slack.test/archives/C1/p1' })),
    },
    files: { uploadV2: (args: unknown) => Promise.resolve(void calls.push({ method: 'files.uploadV2', args })) },
  } as unknown as WebClient;
}

const command = { channel_id: 'C0INCIDENT', user_id: 'U0ONCALL' };
const respondInto = (calls: Call[]): RespondFn => ((args: unknown) => Promise.resolve(void calls.push({ method: 'respond', args }))) as unknown as RespondFn;

describe('startThreadJob', () => {
  it('a busy target: the private reply only, nothing posted, nothing queued', async () => {
    const calls: Call[] = [];
    const enqueued: unknown[] = [];
    await startThreadJob(fakeClient(calls, { rootTs: '1.1' }), command, respondInto(calls), {
      busy: () => Promise.resolve('already running'),
      rootText: 'root',
      enqueue: (t) => Promise.resolve(void enqueued.push(t)).then(() => ({ queued: true })),
    });
    expect(calls).toEqual([{ method: 'respond', args: { response_type: 'ephemeral', text: 'already running' } }]);
    expect(enqueued).toEqual([]);
  });

  it('otherwise the root message, then the job with its ts and the requester; a won race leaves the root alone', async () => {
    const calls: Call[] = [];
    const enqueued: Array<JobThread & { requestedBy: string; requestedAt: string }> = [];
    await startThreadJob(fakeClient(calls, { rootTs: '1700000001.000200' }), command, respondInto(calls), {
      busy: () => Promise.resolve(null),
      rootText: ':mag: working…',
      enqueue: (t) => {
        calls.push({ method: 'enqueue', args: t });
        enqueued.push(t);
        return Promise.resolve({ queued: true });
      },
      lostRaceText: 'lost',
    });
    expect(calls.map((c) => c.method)).toEqual(['chat.postMessage', 'enqueue']);
    expect(calls[0]?.args).toEqual({ channel: 'C0INCIDENT', text: ':mag: working…' });
    expect(enqueued[0]).toMatchObject({ channelId: 'C0INCIDENT', threadTs: '1700000001.000200', requestedBy: 'U0ONCALL' });
    expect(Number.isNaN(Date.parse(enqueued[0]?.requestedAt ?? ''))).toBe(false);
  });

  it('a lost race rewrites the root when the command gives the text, and not otherwise', async () => {
    const lost = (): Promise<{ queued: boolean }> => Promise.resolve({ queued: false });
    const withText: Call[] = [];
    await startThreadJob(fakeClient(withText, { rootTs: '2.2' }), command, respondInto(withText), { busy: () => Promise.resolve(null), rootText: 'root', enqueue: lost, lostRaceText: 'already; see that thread' });
    expect(withText.at(-1)).toEqual({ method: 'chat.update', args: { channel: 'C0INCIDENT', ts: '2.2', text: 'already; see that thread' } });
    const without: Call[] = [];
    await startThreadJob(fakeClient(without, { rootTs: '2.2' }), command, respondInto(without), { busy: () => Promise.resolve(null), rootText: 'root', enqueue: lost });
    expect(without.map((c) => c.method)).toEqual(['chat.postMessage']);
  });

  it('a root message without a ts is an error before anything is queued', async () => {
    let enqueued = false;
    const run = startThreadJob(fakeClient([]), command, respondInto([]), {
      busy: () => Promise.resolve(null),
      rootText: 'root',
      enqueue: () => Promise.resolve({ queued: (enqueued = true) }),
    });
    await expect(run).rejects.toThrow('chat.postMessage returned no ts');
    expect(enqueued).toBe(false);
  });
});

describe('the pieces', () => {
  it('alreadyRunningText links the running thread, or names its channel when the permalink fails', async () => {
    const job = { channelId: 'C0INCIDENT', threadTs: '1.1' };
    expect(await alreadyRunningText(fakeClient([]), 'shop/checkout', job)).toBe('`shop/checkout` is already being diagnosed; the report will be in <https://slack.test/archives/C1/p1|this thread>.');
    expect(await alreadyRunningText(fakeClient([], { permalink: 'fails' }), 'shop/checkout', job)).toBe('`shop/checkout` is already being diagnosed; the report will be in its thread in <#C0INCIDENT>.');
  });

  it('withQueue turns a Redis failure into QueueUnavailableError without the password', async () => {
    const err = await withQueue(() => Promise.reject(new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.5:6379'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueUnavailableError);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('postInThread: the messages in order into the thread, then the attachments as files there', async () => {
    const calls: Call[] = [];
    await postInThread(fakeClient(calls), { channelId: 'C1', threadTs: '1.1' }, {
      messages: [{ text: 'one', blocks: [] }, { text: 'two', blocks: [] }],
      attachments: [{ filename: 'nodes.txt', title: 'Nodes', content: 'node-1' }],
    });
    expect(calls).toEqual([
      { method: 'chat.postMessage', args: { channel: 'C1', thread_ts: '1.1', text: 'one', blocks: [] } },
      { method: 'chat.postMessage', args: { channel: 'C1', thread_ts: '1.1', text: 'two', blocks: [] } },
      { method: 'files.uploadV2', args: { channel_id: 'C1', thread_ts: '1.1', filename: 'nodes.txt', title: 'Nodes', content: 'node-1' } },
    ]);
  });
});

describe('startPreflight', () => {
  it('a preflight that lost the enqueue race to another request rewrites its root instead of leaving "reading the nodes…"', async () => {
    const calls: Call[] = [];
    const queue = { activeJobFor: () => Promise.resolve(null), enqueue: () => Promise.resolve({ queued: false as const, existingJobId: 'j1' }) };
    await startPreflight(queue, fakeClient(calls, { rootTs: '1.5' }), command, respondInto(calls), 'prod', { kind: 'preflight', target: '1.18.2' });
    expect(calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(calls[1]?.args).toMatchObject({ channel: 'C0INCIDENT', ts: '1.5', text: expect.stringContaining('already running') as unknown });
  });
});

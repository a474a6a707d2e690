// Sends prepared, signed slash commands to the bot from a process of its own, as Slack's edge does: its timing
// shares no event loop with the emulators that serve the bot's Web API and Kubernetes calls meanwhile. Reads one
// JSON batch per stdin line ({requests, concurrent}); answers one JSON line of {status, ackMs} per request, in order.
import { createInterface } from 'node:readline';
import type { PreparedHttpRequest } from '../../sandbox/slack/types.ts';

export interface SenderBatch {
  requests: PreparedHttpRequest[];
  concurrent: boolean;
}

export interface SenderResult {
  status: number;
  ackMs: number;
}

async function send(r: PreparedHttpRequest): Promise<SenderResult> {
  const started = performance.now();
  const res = await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body, signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  return { status: res.status, ackMs: performance.now() - started };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const batch = JSON.parse(line) as SenderBatch;
  const results: SenderResult[] = [];
  if (batch.concurrent) results.push(...(await Promise.all(batch.requests.map(send))));
  else for (const r of batch.requests) results.push(await send(r));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

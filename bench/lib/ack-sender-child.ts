// Sends prepared, signed slash commands to the bot from a process of its own, as Slack's edge does: its timing
// shares no event loop with the emulators that serve the bot's Web API and Kubernetes calls meanwhile. Reads one
// JSON batch per stdin line ({requests, concurrent}); answers one JSON line of {status, ackMs} per request, in order.
// Slack's edge is not a process that just started: before the first batch, the sender warms its own HTTP client
// with concurrent bursts against a sink of its own, so its cold start is not counted against the bot's acks.
import { createServer } from 'node:http';
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

async function warmUp(): Promise<void> {
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const address = sink.address();
  if (address === null || typeof address === 'string') throw new Error('warm-up sink has no port');
  const request: PreparedHttpRequest = {
    url: `http://127.0.0.1:${address.port}/slack/events`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `command=%2Fcilium&text=${'x'.repeat(400)}`,
    responseUrl: '',
  };
  for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 50 }, () => send(request)));
  sink.closeAllConnections();
  await new Promise((r) => sink.close(r));
}

await warmUp();
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const batch = JSON.parse(line) as SenderBatch;
  const results: SenderResult[] = [];
  if (batch.concurrent) results.push(...(await Promise.all(batch.requests.map(send))));
  else for (const r of batch.requests) results.push(await send(r));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

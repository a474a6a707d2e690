// Inside the analysis thread: runs analyze() on each evidence posted to it, one at a time, and posts the report
// back. Runbooks are pure CPU work; here they cannot hold up the bot's event loop (acks, lock renewals).
import { parentPort } from 'node:worker_threads';
import { analyze } from '../runbooks/engine/analyze.ts';
import type { Evidence } from '../runbooks/engine/evidence.ts';
import type { AnalysisReply, AnalysisRequest } from './analysis-thread.ts';

const port = parentPort;
if (port === null) throw new Error('analysis-thread-main.ts runs only as a worker thread (jobs/analysis-thread.ts starts it)');
port.on('message', (req: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    reply = { id: req.id, report: analyze(req.evidence as Evidence) };
  } catch (e) {
    reply = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });

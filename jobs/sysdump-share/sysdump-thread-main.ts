// Inside a sysdump analysis thread: unzips, parses and analyses one archive (CPU work that would hold the event loop
// for seconds on a large sysdump) and posts the result back, or the refusal (SysdumpError) with its problem kind.
import { parentPort, workerData } from 'node:worker_threads';
import { SysdumpError } from '../sysdump/archive-errors.ts';
import { analyseSysdump } from './sysdump-analysis.ts';
import type { SysdumpThreadReply, SysdumpThreadRequest } from './sysdump-thread.ts';

const port = parentPort;
if (port === null) throw new Error('sysdump-thread-main.ts runs only as a worker thread (sysdump-thread.ts starts it)');
const req = workerData as SysdumpThreadRequest;
let reply: SysdumpThreadReply;
try {
  reply = { analysis: await analyseSysdump(req.bytes, req.name) };
} catch (e) {
  reply = e instanceof SysdumpError ? { refused: { problem: e.problem, message: e.message } } : { error: e instanceof Error ? e.message : String(e) };
}
port.postMessage(reply);

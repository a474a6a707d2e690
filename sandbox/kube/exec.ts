// pods/exec over WebSocket (v5.channel.k8s.io / v4.channel.k8s.io): binary frames, channel byte first, an empty
// readiness frame, stdout/stderr, then one Status on channel 3 and a normal close (protocols.md B.1, C.4).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ExecOutcome } from './exec-results.ts';

const SUPPORTED = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface ExecStreams {
  stdout: boolean;
  stderr: boolean;
}

export function execStreams(query: URLSearchParams): ExecStreams {
  return { stdout: query.get('stdout') === 'true' || query.get('stdout') === '1', stderr: query.get('stderr') === 'true' || query.get('stderr') === '1' };
}

/** The subprotocol the server would pick, or undefined when the client offers none we speak. */
export function pickSubprotocol(header: string | undefined): string | undefined {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  return SUPPORTED.find((p) => offered.includes(p));
}

export class ExecServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => SUPPORTED.find((p) => protocols.has(p)) ?? false,
  });
  private readonly sockets = new Set<WebSocket>();

  /** Completes the upgrade and plays the outcome; `onDone` fires when the socket closes. */
  serve(req: IncomingMessage, socket: Duplex, head: Buffer, streams: ExecStreams, argv: string[], outcome: ExecOutcome, onDone: () => void): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => {
        this.sockets.delete(ws);
        onDone();
      });
      ws.on('error', () => ws.terminate());
      // Client frames (stdin, resize, [255,0] close-stdin) are accepted and ignored: results are scripted.
      ws.on('message', () => undefined);
      const ready = streams.stdout ? 1 : streams.stderr ? 2 : 3;
      ws.send(Buffer.from([ready]), { binary: true });
      if (streams.stdout && outcome.stdout !== '') ws.send(frame(1, outcome.stdout), { binary: true });
      if (streams.stderr && outcome.stderr !== '') ws.send(frame(2, outcome.stderr), { binary: true });
      ws.send(frame(3, JSON.stringify(statusFor(outcome, argv))), { binary: true });
      ws.close(1000);
    });
  }

  closeAll(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }
}

function frame(channel: number, text: string): Buffer {
  return Buffer.concat([Buffer.from([channel]), Buffer.from(text)]);
}

function statusFor(outcome: ExecOutcome, argv: string[]): Record<string, unknown> {
  if (outcome.failure !== undefined) {
    return {
      metadata: {},
      status: 'Failure',
      message: outcome.failure.message,
      reason: outcome.failure.reason,
      details: { causes: [{ message: outcome.failure.message }] },
      code: outcome.failure.code,
    };
  }
  if (outcome.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${outcome.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] },
  };
}

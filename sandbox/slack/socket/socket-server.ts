// Socket Mode server (A.5): single-use tickets from apps.connections.open, `hello` first, envelopes with
// envelope_id, acks with payload, server-initiated `disconnect` messages.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { DisconnectReason } from '../types.ts';

export interface EnvelopeAck {
  acked: boolean;
  payload?: unknown;
  ackMs: number;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, (payload: unknown) => void>();
  private next = 0;

  constructor(
    private readonly appId: string,
    private readonly baseUrl: () => string,
  ) {}

  mintUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${this.baseUrl().replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** Takes the upgrade if it is a Socket Mode link; a wrong or reused ticket is refused with 401. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/link/' && url.pathname !== '/link') return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    return true;
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => this.sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: unknown;
      try {
        const chunks = Array.isArray(data) ? data : [Buffer.isBuffer(data) ? data : Buffer.from(data)];
        msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return;
      }
      if (typeof msg !== 'object' || msg === null || !('envelope_id' in msg)) return;
      const resolve = this.pending.get(String(msg.envelope_id));
      if (resolve) resolve('payload' in msg ? msg.payload : undefined);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open().length,
        debug_info: { host: 'applink-sandbox', build_number: 10, approximate_connection_time: 3600 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  private open(): WebSocket[] {
    return [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN);
  }

  count(): number {
    return this.open().length;
  }

  /** Sends an envelope to one open connection and waits (up to the deadline) for its ack. */
  async send(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown, deadlineMs: number): Promise<EnvelopeAck> {
    const open = this.open();
    if (open.length === 0) throw new Error('Slack emulator: no Socket Mode connection is open (did app.start() finish?)');
    const ws = open[this.next++ % open.length];
    if (!ws) throw new Error('Slack emulator: no Socket Mode connection');
    const envelopeId = randomUUID();
    const started = performance.now();
    const acked = new Promise<EnvelopeAck>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve({ acked: false, ackMs: performance.now() - started });
      }, deadlineMs);
      this.pending.set(envelopeId, (p) => {
        clearTimeout(timer);
        this.pending.delete(envelopeId);
        resolve({ acked: true, payload: p, ackMs: performance.now() - started });
      });
    });
    ws.send(
      JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: type !== 'events_api', payload }),
    );
    return acked;
  }

  disconnect(reason: DisconnectReason): void {
    for (const ws of this.open()) {
      if (reason === 'drop') {
        ws.terminate();
        continue;
      }
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-sandbox' } }));
      // The client closes on its own; make sure a stuck one does not linger after a real refresh.
      if (reason !== 'warning') setTimeout(() => ws.terminate(), 2000).unref();
    }
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

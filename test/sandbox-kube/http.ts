// A bare HTTPS client for wire-level assertions (status codes, headers, exact bodies).
import { request } from 'node:https';
import type { KubeEmulator } from '../../sandbox/kube/index.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

export interface RawOptions {
  token?: string | null;
  body?: unknown;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
}

export function raw(emu: KubeEmulator, method: string, path: string, opts: RawOptions = {}): Promise<RawResponse> {
  const url = new URL(path, emu.url);
  const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  const token = opts.token === undefined ? emu.adminToken : opts.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    // Node sends DELETE bodies without framing unless told the length.
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: emu.caPem, timeout: opts.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

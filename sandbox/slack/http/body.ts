// Reading request bodies the way Slack's edge accepts them: form-encoded (what WebClient sends, with JSON
// strings inside fields), JSON, multipart, plus query-string parameters.
import type { IncomingMessage } from 'node:http';

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export type Params = Record<string, unknown>;

/** Parses form / JSON / multipart bodies into one flat object; multipart files become Buffers. */
export async function parseParams(req: IncomingMessage, raw: Buffer): Promise<Params> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const params: Params = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return params;
  if (type === 'application/json') {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(params, parsed);
    return params;
  }
  if (type === 'multipart/form-data') {
    const headers = new Headers({ 'content-type': req.headers['content-type'] ?? '' });
    const form = await new Response(new Uint8Array(raw), { headers }).formData();
    for (const [k, v] of form.entries()) {
      params[k] = typeof v === 'string' ? v : Buffer.from(await v.arrayBuffer());
    }
    return params;
  }
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params[k] = v;
  return params;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m?.[1]?.trim();
}

export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function bool(params: Params, key: string): boolean {
  const v = params[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** WebClient JSON-stringifies non-scalars into form fields; JSON bodies carry them as-is. */
export function jsonField(params: Params, key: string): { present: boolean; value?: unknown; malformed?: boolean } {
  const v = params[key];
  if (v === undefined || v === '') return { present: false };
  if (typeof v !== 'string') return { present: true, value: v };
  try {
    return { present: true, value: JSON.parse(v) as unknown };
  } catch {
    return { present: true, malformed: true };
  }
}

// The v2 file upload flow (what WebClient.filesUploadV2 does): files.getUploadURLExternal → POST the
// bytes to the returned URL → files.completeUploadExternal shares the file to a channel or thread.
import { randomBytes } from 'node:crypto';
import { isObject } from '../block-kit/checks.ts';
import { jsonField, str } from '../http/body.ts';
import type { WorkspaceStore } from '../store.ts';
import type { StoredFile } from '../types.ts';
import { resolveChannel } from './chat.ts';
import type { CallContext, MethodSpec } from './context.ts';
import { failure, type ApiBody } from './message-content.ts';

function getUploadUrl({ params, store, env }: CallContext): ApiBody {
  const filename = str(params, 'filename');
  const length = Number(str(params, 'length'));
  if (!filename || !Number.isInteger(length) || length < 0) return failure('invalid_arguments');
  const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
  const snippet = str(params, 'snippet_type');
  const alt = str(params, 'alt_text');
  store.fileMap.set(id, {
    id,
    name: filename,
    title: filename,
    length,
    content: Buffer.alloc(0),
    completed: false,
    ...(snippet ? { snippet_type: snippet } : {}),
    ...(alt ? { alt_text: alt } : {}),
  });
  return { ok: true, upload_url: `${env.baseUrl}/upload/v1/${id}`, file_id: id };
}

/**
 * Stores uploaded bytes. WebClient 8 posts them through its form serializer as multipart (a single part
 * named `body`); raw bodies (curl --data-binary) are taken as they are.
 */
export async function receiveUpload(store: WorkspaceStore, fileId: string, contentType: string, raw: Buffer): Promise<number> {
  const file = store.fileMap.get(fileId);
  if (!file) return 404;
  file.content = await decodeUpload(contentType, raw);
  return 200;
}

async function decodeUpload(contentType: string, raw: Buffer): Promise<Buffer> {
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) return raw;
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const parts = [...form.values()];
  const file = parts.find((v) => typeof v !== 'string');
  if (file) return Buffer.from(await file.arrayBuffer());
  const text = parts[0];
  return typeof text === 'string' ? Buffer.from(text) : raw;
}

function complete({ params, store }: CallContext): ApiBody {
  const list = jsonField(params, 'files');
  if (!list.present || list.malformed || !Array.isArray(list.value) || list.value.length === 0) {
    return failure('invalid_arguments');
  }
  const files: StoredFile[] = [];
  for (const entry of list.value as unknown[]) {
    const id = isObject(entry) && typeof entry.id === 'string' ? entry.id : '';
    const f = store.fileMap.get(id);
    if (!f) return failure('file_not_found');
    if (isObject(entry) && typeof entry.title === 'string') f.title = entry.title;
    files.push(f);
  }
  const rawChannel = str(params, 'channel_id') ?? str(params, 'channels');
  const channel = rawChannel !== undefined ? resolveChannel(store, rawChannel.split(',')[0]) : undefined;
  if (rawChannel !== undefined && !channel) return failure('channel_not_found');
  const threadTs = str(params, 'thread_ts');
  const comment = str(params, 'initial_comment');
  for (const f of files) {
    f.completed = true;
    if (channel) f.channel = channel;
    if (threadTs) f.thread_ts = threadTs;
    if (comment) f.initial_comment = comment;
  }
  if (channel) {
    const blocks = jsonField(params, 'blocks');
    const msg = store.addMessage({
      channel,
      text: comment ?? '',
      blocks: Array.isArray(blocks.value) ? blocks.value : [],
      ...(threadTs ? { thread_ts: threadTs } : {}),
      user: store.identity.botUserId,
      bot_id: store.identity.botId,
      files,
      source: 'files.completeUploadExternal',
    });
    for (const f of files) f.message_ts = msg.ts;
  }
  return {
    ok: true,
    files: files.map((f) => ({
      id: f.id,
      name: f.name,
      title: f.title,
      size: f.content.length,
      mimetype: f.snippet_type ? 'text/plain' : 'application/octet-stream',
      user: store.identity.botUserId,
      channels: f.channel ? [f.channel] : [],
    })),
  };
}

export const FILE_METHODS: Record<string, MethodSpec> = {
  'files.getUploadURLExternal': { token: 'bot', handler: getUploadUrl },
  'files.completeUploadExternal': { token: 'bot', handler: complete },
};

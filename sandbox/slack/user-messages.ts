// Messages people post, with the files they share in them: stored like Slack's hosted files (completed, shared to
// the channel, uploaded by that person), so files.info and url_private downloads answer for them. The text is stored
// as the Slack client sends what a person typed: `&`, `<` and `>` as entities
// (docs.slack.dev/messaging/formatting-message-text#escaping); URLs are not auto-linked here.
import { randomBytes } from 'node:crypto';
import type { WorkspaceStore } from './store.ts';
import type { StoredFile, StoredMessage, UserMessageArgs } from './types.ts';

export function postUserMessage(store: WorkspaceStore, a: UserMessageArgs): StoredMessage {
  if (!store.channels.has(a.channelId)) throw new Error(`Slack emulator: no channel ${a.channelId}`);
  if (!store.isMember(a.channelId, a.userId)) throw new Error(`Slack emulator: ${a.userId} is not in ${a.channelId}`);
  const files: StoredFile[] = (a.files ?? []).map((f) => {
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    const content = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
    const stored: StoredFile = {
      id,
      name: f.name,
      title: f.title ?? f.name,
      length: content.length,
      content,
      completed: true,
      channel: a.channelId,
      user: a.userId,
      created: Math.floor(Date.now() / 1000),
      ...(f.mimetype !== undefined && { mimetype: f.mimetype }),
    };
    store.fileMap.set(id, stored);
    return stored;
  });
  const msg = store.addMessage({
    channel: a.channelId,
    text: a.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    blocks: [],
    user: a.userId,
    source: 'user',
    ...(a.threadTs !== undefined && { thread_ts: a.threadTs }),
    ...(files.length > 0 && { files }),
  });
  for (const f of files) f.message_ts = msg.ts;
  return msg;
}

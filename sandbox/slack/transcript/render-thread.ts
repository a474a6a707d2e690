// Renders a thread (root, replies, the ephemerals shown in it, files and reactions) as a readable
// transcript for the demo and for test failure messages. Edited messages show their latest version.
import type { WorkspaceStore } from '../store.ts';
import type { EphemeralMessage, StoredMessage } from '../types.ts';
import { messageBodyLines } from './blocks-to-text.ts';

function clock(ts: string): string {
  return new Date(Number(ts.split('.')[0]) * 1000).toISOString().slice(11, 19);
}

function author(store: WorkspaceStore, m: { user?: string; bot_id?: string }): string {
  const name = m.user ? (store.users.get(m.user)?.name ?? m.user) : 'unknown';
  return m.bot_id ? `${name} [bot]` : `@${name}`;
}

function renderMessage(store: WorkspaceStore, m: StoredMessage, indent: string): string[] {
  const tags = [m.edited ? '(edited)' : '', m.reply_broadcast ? '(also sent to channel)' : ''].filter(Boolean);
  const head = `${indent}${author(store, m)}  ${clock(m.ts)}  ts=${m.ts}${tags.length ? `  ${tags.join(' ')}` : ''}`;
  const body = messageBodyLines(m.text, m.blocks).map((l) => `${indent}  ${l}`);
  const files = (m.files ?? []).map((f) => `${indent}  📎 ${f.title} (${f.name}, ${f.content.length} bytes)`);
  const reactions = store.reactionsOf(m.channel, m.ts).map((r) => `:${r.name}:`);
  const react = reactions.length ? [`${indent}  ${reactions.join(' ')}`] : [];
  return [head, ...body, ...files, ...react];
}

function renderEphemeral(store: WorkspaceStore, e: EphemeralMessage, indent: string): string[] {
  const who = store.users.get(e.user)?.name ?? e.user;
  const head = `${indent}(only visible to @${who})  ${clock(e.ts)}  ts=${e.ts}`;
  return [head, ...messageBodyLines(e.text, e.blocks).map((l) => `${indent}  ${l}`)];
}

export function renderThread(store: WorkspaceStore, channel: string, threadTs: string): string {
  const name = store.channels.get(channel)?.name ?? channel;
  const root = store.find(channel, threadTs);
  const out = [`#${name} · thread ${threadTs}`, ''];
  out.push(...(root ? renderMessage(store, root, '') : [`(root message ${threadTs} not found)`]));
  const replies: Array<{ ts: string; lines: string[] }> = store
    .replies(channel, threadTs)
    .map((m) => ({ ts: m.ts, lines: renderMessage(store, m, '    ') }));
  const ephemerals = store.ephemeralList
    .filter((e) => e.channel === channel && e.thread_ts === threadTs && !e.deleted)
    .map((e) => ({ ts: e.ts, lines: renderEphemeral(store, e, '    ') }));
  // Slack ts strings share one fixed-width format, so string order is time order.
  const all = [...replies, ...ephemerals].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  for (const r of all) out.push('', ...r.lines);
  return `${out.join('\n')}\n`;
}

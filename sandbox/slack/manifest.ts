// The app manifest as the emulator reads it: the shortcuts it declares decide which `message_action`s a person can
// send (Slack shows only those in a message's "More actions" menu).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { SlackShortcutSeed } from './types.ts';

/** `features.shortcuts` of an app manifest (YAML or JSON text); malformed entries are an error naming the field. */
export function shortcutsFromManifest(text: string): SlackShortcutSeed[] {
  const doc: unknown = parse(text);
  const features = typeof doc === 'object' && doc !== null ? (doc as { features?: { shortcuts?: unknown } }).features : undefined;
  const list = features?.shortcuts ?? [];
  if (!Array.isArray(list)) throw new Error('app manifest: features.shortcuts must be a list');
  return list.map((raw: unknown, i) => {
    const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { callback_id: callbackId, type, name, description } = s;
    if (typeof callbackId !== 'string' || callbackId === '') throw new Error(`app manifest: features.shortcuts[${i}].callback_id is required`);
    if (type !== 'message' && type !== 'global') throw new Error(`app manifest: features.shortcuts[${i}].type must be "message" or "global"`);
    if (typeof name !== 'string' || typeof description !== 'string') throw new Error(`app manifest: features.shortcuts[${i}] needs name and description`);
    return { callback_id: callbackId, type, name, description };
  });
}

export function shortcutsFromManifestFile(path: string): SlackShortcutSeed[] {
  return shortcutsFromManifest(readFileSync(path, 'utf8'));
}

/** `settings.event_subscriptions.bot_events` of an app manifest (YAML or JSON text): the events Slack sends the bot. */
export function botEventsFromManifest(text: string): string[] {
  const doc: unknown = parse(text);
  const settings = typeof doc === 'object' && doc !== null ? (doc as { settings?: { event_subscriptions?: { bot_events?: unknown } } }).settings : undefined;
  const list = settings?.event_subscriptions?.bot_events ?? [];
  if (!Array.isArray(list) || !list.every((e): e is string => typeof e === 'string')) throw new Error('app manifest: settings.event_subscriptions.bot_events must be a list of event names');
  return list;
}

// deploy/slack/manifest.yaml against the app-manifest rules (protocols.md A.7, slackapi/manifest-schema 1.0.0 for
// the fields we use), and its bot scopes against the Web API calls the code makes: no scope unused, none missing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO } from './render.ts';
import { MESSAGE_SHORTCUT_CALLBACK_ID } from '../../bot/shortcut/message-shortcut.ts';

const url = z.url({ protocol: /^https$/ });
const ManifestSchema = z
  .strictObject({
    _metadata: z.strictObject({ major_version: z.literal(1), minor_version: z.number().int().min(0) }),
    display_information: z.strictObject({
      name: z.string().min(1).max(35),
      description: z.string().max(140).optional(),
      long_description: z.string().min(175).max(4000).optional(),
      background_color: z.string().regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/).optional(),
    }),
    features: z.strictObject({
      bot_user: z.strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean().optional() }).optional(),
      slash_commands: z
        .array(z.strictObject({
          command: z.string().min(2).max(32).regex(/^\/[^\s/]+$/),
          description: z.string().min(1).max(2000),
          usage_hint: z.string().max(1000).optional(),
          should_escape: z.boolean().optional(),
          url: url.optional(),
        }))
        .max(50)
        .optional(),
      shortcuts: z
        .array(z.strictObject({
          name: z.string().min(1).max(24),
          type: z.enum(['message', 'global']),
          callback_id: z.string().min(1).max(255),
          description: z.string().min(1).max(150),
        }))
        .min(1)
        .max(10)
        .optional(),
    }),
    oauth_config: z.strictObject({
      scopes: z.strictObject({
        bot: z.array(z.string().regex(/^[a-z_]+(:[a-z_.]+)*$/)).max(255).refine((s) => new Set(s).size === s.length, 'duplicate scope').optional(),
      }),
      redirect_urls: z.array(url).optional(),
    }),
    settings: z.strictObject({
      // Manifest schema: settings.event_subscriptions {request_url, bot_events, user_events} (api.slack.com/reference/manifests).
      event_subscriptions: z.strictObject({ request_url: url.optional(), bot_events: z.array(z.string().regex(/^[a-z_]+(\.[a-z_]+)?$/)).max(100).optional(), user_events: z.array(z.string()).optional() }).optional(),
      interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: url.optional(), message_menu_options_url: url.optional() }).optional(),
      org_deploy_enabled: z.boolean().optional(),
      socket_mode_enabled: z.boolean().optional(),
      token_rotation_enabled: z.boolean().optional(),
    }),
  })
  .superRefine((m, ctx) => {
    const socket = m.settings.socket_mode_enabled === true;
    const bot = m.oauth_config.scopes.bot ?? [];
    if (bot.length > 0 && m.features.bot_user === undefined) ctx.addIssue({ code: 'custom', message: 'bot scopes need features.bot_user' });
    if ((m.features.slash_commands ?? []).length > 0 && !bot.includes('commands')) ctx.addIssue({ code: 'custom', message: 'slash commands need the commands scope' });
    // message.channels is delivered only with channels:history (docs.slack.dev/reference/events/message.channels).
    if ((m.settings.event_subscriptions?.bot_events ?? []).includes('message.channels') && !bot.includes('channels:history')) ctx.addIssue({ code: 'custom', message: 'message.channels needs the channels:history scope' });
    if (!socket) {
      if ((m.settings.event_subscriptions?.bot_events ?? []).length > 0 && m.settings.event_subscriptions?.request_url === undefined) ctx.addIssue({ code: 'custom', message: 'bot events need a request_url without Socket Mode' });
      for (const c of m.features.slash_commands ?? []) if (c.url === undefined) ctx.addIssue({ code: 'custom', message: `${c.command} needs a url without Socket Mode` });
      if (m.settings.interactivity?.is_enabled === true && m.settings.interactivity.request_url === undefined) {
        ctx.addIssue({ code: 'custom', message: 'interactivity needs a request_url without Socket Mode' });
      }
    }
  });

/** Web API method → bot scope (null: none needed). A method missing here fails the test: look it up and add it. */
const METHOD_SCOPES: Record<string, string | null> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.getPermalink': null,
  // Public channels; a private incident channel also needs groups:history (listed in the manifest's comment).
  'conversations.replies': 'channels:history',
  'files.uploadV2': 'files:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'files.info': 'files:read',
  'reactions.add': 'reactions:write',
  'reactions.remove': 'reactions:write',
  'users.info': 'users:read',
  'usergroups.users.list': 'usergroups:read',
  'usergroups.list': 'usergroups:read',
  'views.open': null,
  'auth.test': null,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every Slack Web API method and Bolt listener the production code uses, with where. */
function slackUsage(): { methods: Map<string, string>; listeners: Map<string, string> } {
  const methods = new Map<string, string>();
  const listeners = new Map<string, string>();
  for (const file of ['bot', 'jobs'].flatMap((d) => sources(join(REPO, d)))) {
    const text = readFileSync(file, 'utf8');
    const where = relative(REPO, file);
    for (const m of text.matchAll(/\bclient\.((?:[a-z]+\.)+[a-zA-Z]+)\s*\(/g)) methods.set(m[1] ?? '', where);
    if (/\bclient\.filesUploadV2\s*\(/.test(text)) methods.set('files.uploadV2', where);
    for (const m of text.matchAll(/\.apiCall\(\s*['"]([\w.]+)['"]/g)) methods.set(m[1] ?? '', where);
    for (const m of text.matchAll(/\bapp\.(command|action|event|shortcut|view|options)(?:<[^(]*>)?\(\s*['"/]?([^'",)]*)/g)) listeners.set(`${m[1] ?? ''}:${m[2] ?? ''}`, where);
  }
  return { methods, listeners };
}

const manifest = ManifestSchema.parse(parse(readFileSync(join(REPO, 'deploy/slack/manifest.yaml'), 'utf8')));

describe('deploy/slack/manifest.yaml', () => {
  it('is a valid app manifest for Socket Mode with interactivity and the /cilium command', () => {
    expect(manifest.settings).toMatchObject({ socket_mode_enabled: true, interactivity: { is_enabled: true } });
    const cilium = manifest.features.slash_commands?.find((c) => c.command === '/cilium');
    expect(cilium?.usage_hint).toMatch(/diagnose <node>/);
    expect(cilium?.description.length).toBeGreaterThan(10);
    expect(cilium?.url).toBeUndefined();
  });

  it('declares every slash command the code listens to, and only those', () => {
    const commands = [...slackUsage().listeners.keys()].filter((k) => k.startsWith('command:')).map((k) => k.slice('command:'.length));
    expect(commands.length).toBeGreaterThan(0);
    expect((manifest.features.slash_commands ?? []).map((c) => c.command).sort()).toEqual([...new Set(commands)].sort());
  });

  it('declares the message shortcut the bot listens to, as type message, and no other', () => {
    expect([...slackUsage().listeners.keys()].filter((k) => k.startsWith('shortcut:'))).toHaveLength(1);
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: MESSAGE_SHORTCUT_CALLBACK_ID })]);
  });

  it('asks for exactly the bot scopes the code\'s Web API calls need', () => {
    const { methods, listeners } = slackUsage();
    expect([...methods.keys()].filter((m) => !(m in METHOD_SCOPES))).toEqual([]);
    const needed = new Set<string>();
    for (const m of methods.keys()) {
      const scope = METHOD_SCOPES[m];
      if (scope !== null && scope !== undefined) needed.add(scope);
    }
    if ([...listeners.keys()].some((k) => k.startsWith('command:') || k.startsWith('shortcut:'))) needed.add('commands');
    // A shared file is read from its url_private with the bot token, which needs files:read (no Web API call to scan).
    if (/\burl_private(_download)?\b/.test(readFileSync(join(REPO, 'bot/shortcut/message-files.ts'), 'utf8'))) needed.add('files:read');
    expect([...(manifest.oauth_config.scopes.bot ?? [])].sort()).toEqual([...needed].sort());
    // Sanity: the scan sees the calls we know about.
    expect([...methods.keys()]).toEqual(expect.arrayContaining(['chat.postMessage', 'chat.update', 'files.uploadV2']));
  });

  it('rejects what the schema forbids', () => {
    const bad = (patch: (m: Record<string, unknown>) => void): boolean => {
      const m = parse(readFileSync(join(REPO, 'deploy/slack/manifest.yaml'), 'utf8')) as Record<string, unknown>;
      patch(m);
      return ManifestSchema.safeParse(m).success;
    };
    expect(bad((m) => ((m['display_information'] as Record<string, unknown>)['name'] = 'x'.repeat(36)))).toBe(false);
    expect(bad((m) => ((m['settings'] as Record<string, unknown>)['socket_mode_enabled'] = false))).toBe(false);
    expect(bad((m) => ((m['features'] as { slash_commands: Array<Record<string, unknown>> }).slash_commands[0]!['command'] = 'cilium'))).toBe(false);
    expect(bad(() => undefined)).toBe(true);
  });
});

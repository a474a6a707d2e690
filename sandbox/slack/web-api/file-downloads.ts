// Files people share, as an app reads them: `files.info` returns the file object (docs.slack.dev/reference/objects/
// file-object: id, name, title, mimetype, filetype, size, mode, url_private, url_private_download, channels…), and
// the bytes come from `url_private(_download)` with `Authorization: Bearer <token>` (Slack platform blog, "Important
// Changes to Files in the Web API", 2015: url_private needs a token with files:read).
// Without a valid token Slack does not answer 401/403: it redirects (302 "Found") to the workspace's sign-in page,
// `https://<team>.slack.com/?redir=%2Ffiles-pri%2F…`, which is HTTP 200 text/html (slackapi/node-slack-sdk#1750,
// slackapi/bolt-js#2585). The emulator does the same, so a bot that forgets the header gets HTML, as in production.
import { str } from '../http/body.ts';
import type { WorkspaceStore } from '../store.ts';
import type { StoredFile } from '../types.ts';
import type { CallContext, MethodSpec } from './context.ts';
import { failure, type ApiBody } from './message-content.ts';

const TYPES: Record<string, { mimetype: string; filetype: string; pretty: string }> = {
  txt: { mimetype: 'text/plain', filetype: 'text', pretty: 'Plain Text' },
  log: { mimetype: 'text/plain', filetype: 'text', pretty: 'Plain Text' },
  json: { mimetype: 'application/json', filetype: 'json', pretty: 'JSON' },
  yaml: { mimetype: 'text/plain', filetype: 'yaml', pretty: 'YAML' },
  yml: { mimetype: 'text/plain', filetype: 'yaml', pretty: 'YAML' },
  png: { mimetype: 'image/png', filetype: 'png', pretty: 'PNG' },
  gz: { mimetype: 'application/gzip', filetype: 'gzip', pretty: 'GZip' },
  zip: { mimetype: 'application/zip', filetype: 'zip', pretty: 'Zip' },
};
const BINARY = { mimetype: 'application/octet-stream', filetype: 'binary', pretty: 'Binary' };

function typeOf(f: StoredFile): { mimetype: string; filetype: string; pretty: string } {
  const ext = /\.([A-Za-z0-9]+)$/.exec(f.name)?.[1]?.toLowerCase() ?? '';
  const known = TYPES[ext] ?? (f.snippet_type ? TYPES.txt : BINARY) ?? BINARY;
  return f.mimetype === undefined ? known : { ...known, mimetype: f.mimetype };
}

function privatePath(store: WorkspaceStore, f: StoredFile, download: boolean): string {
  return `/files-pri/${store.identity.teamId}-${f.id}/${download ? 'download/' : ''}${encodeURIComponent(f.name)}`;
}

/** The file object Slack puts in files.info and in the `files` of a message. */
export function fileObject(store: WorkspaceStore, baseUrl: string, f: StoredFile): Record<string, unknown> {
  const t = typeOf(f);
  const created = f.created ?? Math.floor(Date.now() / 1000);
  return {
    id: f.id,
    created,
    timestamp: created,
    name: f.name,
    title: f.title,
    mimetype: t.mimetype,
    filetype: t.filetype,
    pretty_type: t.pretty,
    user: f.user ?? store.identity.botUserId,
    user_team: store.identity.teamId,
    editable: false,
    size: f.content.length,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: f.channel !== undefined && f.channel.startsWith('C'),
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: `${baseUrl}${privatePath(store, f, false)}`,
    url_private_download: `${baseUrl}${privatePath(store, f, true)}`,
    permalink: `https://${store.identity.teamDomain}.slack.com/files/${f.user ?? store.identity.botUserId}/${f.id}/${encodeURIComponent(f.name)}`,
    comments_count: 0,
    channels: f.channel?.startsWith('C') ? [f.channel] : [],
    groups: f.channel?.startsWith('G') ? [f.channel] : [],
    ims: f.channel?.startsWith('D') ? [f.channel] : [],
    has_rich_preview: false,
  };
}

function filesInfo({ params, store, env }: CallContext): ApiBody {
  const f = store.fileMap.get(str(params, 'file') ?? '');
  if (!f || !f.completed) return failure('file_not_found');
  return { ok: true, file: fileObject(store, env.baseUrl, f), comments: [], response_metadata: { next_cursor: '' } };
}

export const FILE_READ_METHODS: Record<string, MethodSpec> = {
  'files.info': { token: 'bot', handler: filesInfo },
};

export interface PrivateFileAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

const SIGN_IN_PAGE = '<!DOCTYPE html><html lang="en-US"><head><title>Slack</title></head><body>Sign in to your workspace</body></html>';

/** GET of a `url_private(_download)` path, or of the sign-in page it redirects to; undefined = not a file path. */
export function answerPrivateFile(
  store: WorkspaceStore,
  a: { path: string; search: string; bearer: string | undefined; botToken: string },
): PrivateFileAnswer | undefined {
  if (a.path === '/' && a.search.startsWith('?redir=')) {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: SIGN_IN_PAGE };
  }
  const m = /^\/files-pri\/([A-Z0-9]+)-([A-Z0-9]+)\/(download\/)?[^/]+$/.exec(a.path);
  if (!m) return undefined;
  if (a.bearer !== a.botToken) {
    return { status: 302, headers: { location: `/?redir=${encodeURIComponent(a.path)}`, 'content-type': 'text/html' }, body: `<a href="/?redir=${encodeURIComponent(a.path)}">Found</a>.` };
  }
  const f = store.fileMap.get(m[2] ?? '');
  if (m[1] !== store.identity.teamId || !f || !f.completed) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'file_not_found' };
  const t = typeOf(f);
  return {
    status: 200,
    headers: {
      'content-type': t.mimetype,
      ...(m[3] !== undefined && { 'content-disposition': `attachment; filename="${f.name.replace(/"/g, '')}"` }),
    },
    body: f.content,
  };
}

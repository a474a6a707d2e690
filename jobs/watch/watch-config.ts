// WATCH_* from the environment: off unless WATCH_ENABLED=true, and then a channel is required. Problems come back
// as sentences naming the variable, for bot/config.ts to report with the rest.
import { DEFAULT_LEASE_TIMING, type LeaseTiming } from './lease-elector.ts';

export interface WatchConfig {
  channelId: string;
  dampingMs: number;
  lease: { namespace: string; name: string; identity: string; timing: LeaseTiming };
}

export const DEFAULT_DAMPING_MS = 120_000;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** "2m", "90s", "500ms" → milliseconds; null otherwise. */
export function parseDamping(text: string): number | null {
  const m = /^(\d{1,7})(ms|s|m)$/.exec(text);
  if (m?.[1] === undefined) return null;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

export function parseWatchEnv(env: Record<string, string | undefined>): { config: WatchConfig | null; problems: string[] } {
  const problems: string[] = [];
  const enabled = (env['WATCH_ENABLED'] ?? '').trim();
  if (!['', 'true', 'false', '1', '0', 'yes', 'no'].includes(enabled)) problems.push(`WATCH_ENABLED: "${enabled}" is not true or false`);
  const on = enabled === 'true' || enabled === '1' || enabled === 'yes';
  const channel = (env['WATCH_CHANNEL'] ?? '').trim();
  const dampingText = (env['WATCH_DAMPING'] ?? '').trim();
  const dampingMs = dampingText === '' ? DEFAULT_DAMPING_MS : parseDamping(dampingText);
  if (dampingMs === null || dampingMs < 100) problems.push(`WATCH_DAMPING: "${dampingText}" must be a duration such as 2m, 90s or 500ms (at least 100ms): how long a problem must last before the watch posts it`);
  if (on && channel === '') problems.push('WATCH_CHANNEL is missing: WATCH_ENABLED=true needs the channel id (C…) the watch opens incidents in; invite the bot there');
  else if (channel !== '' && !/^[CG][A-Z0-9]{2,}$/.test(channel)) problems.push(`WATCH_CHANNEL: "${channel}" is not a channel id (C…; the name does not work: copy the id from the channel's details)`);
  // The Lease lives in the bot's own namespace (POD_NAMESPACE from the downward API in deploy/base).
  const namespace = (env['WATCH_LEASE_NAMESPACE'] ?? env['POD_NAMESPACE'] ?? '').trim() || 'default';
  if (!NAMESPACE.test(namespace)) problems.push(`WATCH_LEASE_NAMESPACE: "${namespace}" is not a namespace name`);
  if (!on || problems.length > 0 || dampingMs === null) return { config: null, problems };
  const host = (env['HOSTNAME'] ?? '').trim() || 'cilium-runbook';
  return {
    config: {
      channelId: channel,
      dampingMs,
      lease: { namespace, name: (env['WATCH_LEASE_NAME'] ?? '').trim() || 'cilium-runbook-watch', identity: `${host}_${Math.random().toString(36).slice(2, 10)}`, timing: DEFAULT_LEASE_TIMING },
    },
    problems,
  };
}

// NODE_PROBE_* from the environment: off unless NODE_PROBE_ENABLED=true, and then an image is required. Problems
// come back as sentences naming the variable, for bot/config.ts to report with the rest.

export interface NodeProbeConfig {
  image: string;
  namespace: string;
  timeoutSeconds: number;
}

export const DEFAULT_PROBE_NAMESPACE = 'cilium-runbook-probe';
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 60;

/** registry/path/name[:tag][@sha256:digest], lower-case repository (the reference grammar of distribution/reference). */
const IMAGE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseNodeProbeEnv(env: Record<string, string | undefined>): { config: NodeProbeConfig | null; problems: string[] } {
  const problems: string[] = [];
  const enabled = (env['NODE_PROBE_ENABLED'] ?? '').trim();
  if (!['', 'true', 'false', '1', '0', 'yes', 'no'].includes(enabled)) problems.push(`NODE_PROBE_ENABLED: "${enabled}" is not true or false`);
  const on = enabled === 'true' || enabled === '1' || enabled === 'yes';
  const image = (env['NODE_PROBE_IMAGE'] ?? '').trim();
  const namespace = (env['NODE_PROBE_NAMESPACE'] ?? '').trim() || DEFAULT_PROBE_NAMESPACE;
  const timeoutText = (env['NODE_PROBE_TIMEOUT'] ?? '').trim();
  const timeoutMatch = /^(\d+)s?$/.exec(timeoutText);
  const timeoutSeconds = timeoutText === '' ? DEFAULT_PROBE_TIMEOUT_SECONDS : Number(timeoutMatch?.[1] ?? NaN);
  if (!NAMESPACE.test(namespace)) problems.push(`NODE_PROBE_NAMESPACE: "${namespace}" is not a namespace name (RFC 1123 label); it is where the probe pods run (the namespace of deploy/overlays/node-probe)`);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 5 || timeoutSeconds > 600) {
    problems.push(`NODE_PROBE_TIMEOUT: "${timeoutText}" must be whole seconds from 5 to 600 (e.g. 60 or 60s): the probe pod's activeDeadlineSeconds and how long a diagnosis waits for it`);
  }
  if (on && image === '') problems.push('NODE_PROBE_IMAGE is missing: NODE_PROBE_ENABLED=true needs the probe image (with sh, iptables-legacy-save, iptables-nft-save, dmesg, zcat, stat), ideally pinned by digest, and the same image in the overlay\'s admission policy');
  else if (image !== '' && !IMAGE.test(image)) problems.push(`NODE_PROBE_IMAGE: "${image}" is not an image reference (registry/name:tag or …@sha256:<digest>)`);
  if (!on || problems.length > 0) return { config: null, problems };
  return { config: { image, namespace, timeoutSeconds }, problems };
}

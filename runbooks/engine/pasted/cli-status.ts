// What the cilium-cli status box says of Hubble Relay. The box prints one summary per component, `Hubble Relay:`
// (older cilium-cli: `Hubble:`) for the hubble-relay Deployment: `disabled` when the Deployment is not there, `OK`
// when its pods are fine, else error/warning counts (cilium/cilium cilium-cli/status/status.go, statusSummary and
// SetDisabled). Real box: cilium/cilium#24587. The same box lists each Deployment's readiness and the image versions
// (statusSummary, `Image versions`), which give the operator's version beside the agent's (crd-upgrade-drift).
import type { OperatorInfo } from '../evidence.ts';
import { ciliumVersionFromImage } from '../cilium-version.ts';
const RELAY_LINE = /\bHubble(?: Relay)?:\s+(\S.*?)\s*$/;

/** false: no relay Deployment; true: relay OK; null: the box does not say (or says errors, which need the pods). */
export function relayFromCliStatus(lines: readonly string[]): boolean | null {
  for (const line of lines) {
    const value = RELAY_LINE.exec(line)?.[1]?.toLowerCase();
    if (value === 'disabled') return false;
    if (value === 'ok') return true;
  }
  return null;
}

/**
 * A Deployment row of the box: `Deployment  hubble-relay  Desired: 1, Ready: 1/1, Available: 1/1` or `Desired: 1,
 * Unavailable: 1/1` (cilium-cli status, one row per Deployment/DaemonSet it checks; cilium/cilium-cli#334).
 */
const DEPLOYMENT_ROW = /^\s*Deployment\s+(\S+)\s+Desired:\s*(\d+)(.*)$/;

interface DeploymentRow { desired: number; ready: number | null }

function deploymentRow(lines: readonly string[], name: string): DeploymentRow | null {
  for (const line of lines) {
    const m = DEPLOYMENT_ROW.exec(line);
    if (m?.[1] !== name) continue;
    const desired = Number(m[2]);
    const rest = m[3] ?? '';
    const ready = /\bReady:\s*(\d+)\/\d+/.exec(rest);
    const unavailable = /\bUnavailable:\s*(\d+)\/\d+/.exec(rest);
    return { desired, ready: ready !== null ? Number(ready[1]) : unavailable !== null ? Math.max(desired - Number(unavailable[1]), 0) : null };
  }
  return null;
}

/** The relay Deployment's readiness from its row: false when some replica is unavailable; null when no row. */
export function relayReadyFromCliStatus(lines: readonly string[]): boolean | null {
  const row = deploymentRow(lines, 'hubble-relay');
  return row === null || row.ready === null ? null : row.ready >= row.desired;
}

/**
 * The `Image versions` rows: `Image versions    cilium    quay.io/cilium/cilium:v1.9.8: 2`, continued by rows indented
 * to the component column. Component → images listed (a rollout in progress lists two).
 */
export function imagesFromCliStatus(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let inImages = false;
  for (const line of lines) {
    const head = /^Image versions\s+(\S+)\s+(\S+?):\s*\d+\s*$/.exec(line);
    const cont = inImages ? /^\s{10,}(\S+)\s+(\S+?):\s*\d+\s*$/.exec(line) : null;
    const m = head ?? cont;
    if (m === null) {
      inImages = false;
      continue;
    }
    inImages = true;
    const [, component = '', image = ''] = m;
    out.set(component, [...(out.get(component) ?? []), image]);
  }
  return out;
}

/** The operator as the box shows it: its image (one listed), version and ready replicas; null when the box omits it. */
export function operatorFromCliStatus(lines: readonly string[]): OperatorInfo | null {
  const images = imagesFromCliStatus(lines).get('cilium-operator') ?? [];
  const row = deploymentRow(lines, 'cilium-operator');
  if (images.length !== 1 || images[0] === undefined) return null;
  return {
    image: images[0], version: ciliumVersionFromImage(images[0]),
    ...(row === null ? {} : { replicas: row.desired, ...(row.ready === null ? {} : { readyReplicas: row.ready }) }),
  };
}

/** The agent's version from its image, when the box lists exactly one agent image. */
export function agentVersionFromCliStatus(lines: readonly string[]): string | null {
  const images = imagesFromCliStatus(lines).get('cilium') ?? [];
  return images.length === 1 && images[0] !== undefined ? ciliumVersionFromImage(images[0]) : null;
}

// What the cilium-cli status box says of Hubble Relay. The box prints one summary per component, `Hubble Relay:`
// (older cilium-cli: `Hubble:`) for the hubble-relay Deployment: `disabled` when the Deployment is not there, `OK`
// when its pods are fine, else error/warning counts (cilium/cilium cilium-cli/status/status.go, statusSummary and
// SetDisabled). Real box: cilium/cilium#24587.
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

// hubble-disabled: Hubble or Hubble Relay is not deployed or not ready — an observability blackout during the
// incident, never the cause of one (issue 4: info/warning, never critical). Fact sheet §3.1 (`enable-hubble`
// [hubble.enabled]), §3.2 (Deployment hubble-relay, label k8s-app=hubble-relay, PR #39860; relay port 4245,
// server port 4244). cilium-cli's status box prints `Hubble Relay: disabled` when it finds no hubble-relay Deployment
// (cilium/cilium cilium-cli/status/status.go statusSummary, `SetDisabled` on the relay Deployment; #24587).
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { ciliumDoc, configValue } from '../engine/runbook-kit.ts';
import { ciliumCli, ciliumNamespace, helmUpgrade, rolloutRestart } from '../engine/install-commands.ts';

const ID = 'hubble-disabled';

/** What the bot cannot answer until Relay is reachable (jobs/hubble reads flows only through Relay). */
const WITHOUT_HUBBLE = 'Until then the bot cannot list what was dropped on this node, answer `/cilium why-dropped`, or confirm default deny from real POLICY_DENIED drops (it infers it from the policy objects only).';

export const hubbleDisabled: Runbook = {
  id: ID,
  title: 'Hubble flow visibility unavailable',
  severity: 'warning',
  rank: 90,
  needs: ['hubble'],
  match(e) {
    const cfg = configValue(e, 'enable-hubble');
    const enabled = (e.hubble.ok ? e.hubble.value.enabled : null) ?? (cfg === null ? null : cfg.toLowerCase() === 'true');
    const relayPresent = e.hubble.ok ? e.hubble.value.relayPresent : null;
    const relayReady = e.hubble.ok ? e.hubble.value.relayReady : undefined;
    // A relay known to be absent is a finding even when enable-hubble was not read (a pasted cilium-cli status), and
    // so is a relay Deployment whose replicas are not ready (a pasted box's `Desired: 1, Unavailable: 1/1` row).
    if (enabled === null && relayPresent !== false && !(relayPresent === true && relayReady === false)) return null;
    const evidence: EvidenceQuote[] = enabled === null ? [] : [{ kind: 'fact', text: `enable-hubble=${enabled}`, source: e.hubble.ok && e.hubble.value.enabled !== null ? 'hubble fact (cilium-config)' : 'cilium-config ConfigMap' }];
    let state: 'off' | 'no-relay' | 'relay-down';
    if (enabled === false) state = 'off';
    else if (relayPresent === false) state = 'no-relay';
    else if (relayPresent === true && relayReady === false) state = 'relay-down';
    else return null;
    const pasted = e.hubble.ok && e.hubble.value.source === 'pasted';
    if (relayPresent !== null) {
      evidence.push(pasted && state === 'relay-down' ? { kind: 'fact', text: 'Deployment hubble-relay: replicas unavailable', source: 'pasted cilium status (cilium-cli Deployment row)' }
        : pasted ? { kind: 'fact', text: `Hubble Relay: ${relayPresent ? 'OK' : 'disabled'}`, source: 'pasted cilium status (cilium-cli: disabled = no hubble-relay Deployment)' }
          : { kind: 'fact', text: `Deployment hubble-relay ${relayPresent ? `present, ready=${String(relayReady ?? 'unknown')}` : 'absent'}`, source: `${ciliumNamespace(e)} Deployments` });
    }
    const text = {
      off: 'Hubble is disabled, so there is no flow log to see what the datapath drops during this incident.',
      'no-relay': enabled === null
        ? 'Hubble Relay is not deployed, so there is no cluster-wide flow view during this incident (whether Hubble runs on the agents was not read).'
        : 'Hubble runs on the agents but Hubble Relay is not deployed, so flows can only be read node by node.',
      'relay-down': 'Hubble Relay is deployed but not ready, so the cluster-wide flow view is unavailable.',
    }[state];
    return {
      runbookId: ID,
      title: state === 'off' ? 'Hubble is disabled' : state === 'no-relay' ? 'Hubble Relay not deployed' : 'Hubble Relay not ready',
      // A relay that is deployed but down is something broken; a choice not to deploy is information.
      severity: state === 'relay-down' ? 'warning' : 'info',
      summary: text,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: state === 'relay-down' ? [{
        title: 'Look at the relay',
        detail: 'The relay needs to reach every agent’s Hubble server on port 4244 (TLS).',
        commands: [`kubectl -n ${ciliumNamespace(e)} get pods -l k8s-app=hubble-relay`, `kubectl -n ${ciliumNamespace(e)} logs deploy/hubble-relay --tail=50`],
      }] : [{
        title: 'Enable Hubble and Relay',
        detail: `Agents restart to pick up enable-hubble. ${WITHOUT_HUBBLE} Meanwhile, \`${ciliumCli(e)} monitor --type drop\` in the node's agent shows drops.`,
        commands: [helmUpgrade(e, 'cilium-hubble.yaml'), rolloutRestart(e), 'cilium hubble port-forward & hubble status'],
        helmValues: state === 'off' || enabled === null ? 'hubble:\n  enabled: true\n  relay:\n    enabled: true' : 'hubble:\n  relay:\n    enabled: true',
      }],
      docs: [ciliumDoc(e, 'Setting up Hubble observability', 'observability/hubble/setup/')],
      proposals: [],
      confidence: 'certain',
      basis: 'observed',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

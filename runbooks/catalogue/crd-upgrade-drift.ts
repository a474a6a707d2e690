// crd-upgrade-drift: Cilium CRDs or the operator out of step with the agent after an upgrade. Fact sheet §2.8: CRDs
// are registered by cilium-operator, upgrades can leave them old (rancher/rke2#4053, #29444), the operator only
// upgrades, never downgrades (#27770), agents do not wait for the right CRD version (PR #31416, closed); missing-CRD
// watch errors `failed to list *v2.CiliumEnvoyConfig: the server could not find the requested resource` (#19964,
// #10814). Dropping a version still in status.storedVersions breaks upgrades (#47774, fixed by PR #48087).
// The operator must run the agent's version (upgrade guide); when the agent is stuck waiting for CRDs because of
// this drift, apiserver-unreachable's CRD-wait finding is folded in (`supersedes`).
// The agent's own verdict on missing CRDs is the fatal `Unable to find all Cilium CRDs necessary within %v timeout.
// … The following CRDs were not found: %v` (pkg/k8s/synced/crd.go, after `crd-wait-timeout`): the operator did not
// register them (down, older, or run with another config than the agent, cilium/cilium-service-mesh-beta#25), and
// the agent died of it. An API server refusing a Cilium object with `cannot be handled as a Cilium…: strict decoding
// error: unknown field` serves an older schema than the client writes (CRDs not upgraded, #29444). A CRD update refused
// with `status.storedVersions[0]: Invalid value: "v2alpha1": must appear in spec.versions` (kubernetes apiextensions
// validation, ValidateCustomResourceDefinitionStoredVersions) drops a version still stored (#47774).
import semver from 'semver';
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, lineText, quoteLogLine, type LogQuery } from '../engine/agent-logs.ts';
import { apiserverSignals } from './apiserver-unreachable.ts';
import { agentUnhealthy, ciliumDoc } from '../engine/runbook-kit.ts';
import { agentDaemonSet, ciliumNamespace, helmUpgrade, rolloutRestart } from '../engine/install-commands.ts';

const ID = 'crd-upgrade-drift';
const MISSING_RESOURCE = /the server could not find the requested resource \(get [a-z]+\.cilium\.io\)/i;
/**
 * The same refusal as client-go's reflector words it, naming the Cilium type instead of the resource (`failed to list
 * *v2alpha1.CiliumCIDRGroup: the server could not find the requested resource`), and kubectl's `no matches for kind
 * "CiliumBGPClusterConfig" in version "cilium.io/v2"`: the API server does not serve that Cilium kind at that version.
 */
const MISSING_TYPE = /failed to (?:list|watch) \*v2(?:alpha1|beta1)?\.Cilium\w+: the server could not find the requested resource|no matches for kind "Cilium\w+" in version "cilium\.io\/v\w+"/i;
const MISSING_RESOURCE_LINES: LogQuery = { text: [MISSING_RESOURCE, MISSING_TYPE] };
/**
 * A Cilium binary refused listing a Cilium resource by its own ClusterRole (`Failed to watch
 * *v2alpha1.CiliumLoadBalancerIPPool: … is forbidden: User "system:serviceaccount:cilium:cilium-operator" cannot list
 * resource …`): the binary is newer than the RBAC installed with it — an operator image ahead of its 1.12 chart
 * (cilium/cilium#22516, aanm: that type exists only from 1.13), or an installer's ClusterRole left at an older release.
 */
const RBAC_BEHIND_LINES: LogQuery = { text: [/failed to (?:list|watch) \*v2(?:alpha1|beta1)?\.Cilium\w+: [a-z0-9.]+\.cilium\.io is forbidden: User "system:serviceaccount:[^"]*cilium[^"]*" cannot (?:list|watch|get) resource/i] };
const CRDS_NOT_FOUND_LINES: LogQuery = { text: [/Unable to find all Cilium CRDs necessary within/i] };
const OLD_SCHEMA_LINES: LogQuery = { text: [/cannot be handled as a Cilium\w+: strict decoding error: unknown field/i] };
/** The API server refusing a Cilium CRD whose new spec drops a version objects are still stored in. */
const STORED_UNSERVED_LINES: LogQuery = { text: [/"[a-z0-9-]+\.cilium\.io"[^"]*is invalid: status\.storedVersions\[\d+\]: Invalid value: "[^"]+": must appear in spec\.versions/i] };
/**
 * kubectl relaying the deprecation warning a Cilium CRD version carries (`Warning: cilium.io/v2alpha1 CiliumNodeConfig
 * will be deprecated in cilium v1.16; use cilium.io/v2 CiliumNodeConfig`, the CRD's `deprecationWarning`): the API
 * server still serves that version. On a release past the one named, the CRD kept a version the upgrade meant to
 * retire, typically because objects are still stored in it (cilium/cilium#47774, fixed by PR #48210, "Operator:
 * migrate CRD storage versions").
 */
const DEPRECATED_VERSION = /\bcilium\.io\/(v\d+\w*) (Cilium\w+) (?:is|will be) deprecated in cilium v?(\d+\.\d+)/i;
const DEPRECATED_VERSION_LINES: LogQuery = { text: [DEPRECATED_VERSION] };
/**
 * cilium-operator refused when it updates or registers the CRDs of its release (`Unable to update CRD`, fatal `Unable
 * to register CRDs`, pkg/k8s/apis/cilium.io/client): the CRDs stay at the old schema. After an upgrade the usual cause
 * is a ClusterRole without `update` on customresourcedefinitions (kubernetes-sigs/kubespray PR #7416, 1.8.8 → 1.9.5;
 * cilium/cilium PR #22824, a new CRD). A debug-level `Unable to update CRD validation` is the same refusal, retried.
 */
const OPERATOR_CRD_REFUSED_LINES: LogQuery = { text: [/Unable to update CRD\b|Unable to register CRDs/i], level: ['warn', 'error', 'fatal', 'panic'] };
const CORE_CRDS = ['ciliumnetworkpolicies.cilium.io', 'ciliumclusterwidenetworkpolicies.cilium.io', 'ciliumendpoints.cilium.io', 'ciliumidentities.cilium.io', 'ciliumnodes.cilium.io'];

export const crdUpgradeDrift: Runbook = {
  id: ID,
  title: 'Cilium CRDs or operator out of step with the agent',
  severity: 'critical',
  rank: 28,
  needs: ['cilium', 'operator', 'crds'],
  match(e) {
    const evidence: EvidenceQuote[] = [];
    const problems: string[] = [];
    const agent = e.cilium.ok ? e.cilium.value.version : null;
    const op = e.operator.ok ? e.operator.value.version : null;
    let skew = false;
    if (agent !== null && op !== null) {
      const a = semver.coerce(agent);
      const o = semver.coerce(op);
      if (a !== null && o !== null && (a.major !== o.major || a.minor !== o.minor)) {
        skew = true;
        problems.push(`cilium-operator runs ${op} but the agent runs ${agent}${semver.lt(o, a) ? ': the older operator registers older CRD schemas, so fields the agent relies on may be pruned or policies ignored' : ''}`);
        evidence.push({ kind: 'comparison', text: `agent ${agent} vs operator ${op} (image ${e.operator.ok ? e.operator.value.image : '?'})`, source: 'DaemonSet cilium / Deployment cilium-operator images' });
      }
    }
    if (e.operator.ok && e.operator.value.readyReplicas === 0 && (e.operator.value.replicas ?? 1) > 0) {
      problems.push('cilium-operator has no ready replica, so nothing registers or upgrades the CRDs');
      evidence.push({ kind: 'fact', text: `cilium-operator readyReplicas 0 of ${e.operator.value.replicas ?? '?'}`, source: `Deployment ${ciliumNamespace(e)}/cilium-operator status` });
    }
    if (e.crds.ok) {
      const names = new Set(e.crds.value.map((c) => c.name));
      // A resource the API just served is registered, whatever the CRD list says; and an empty list while Cilium
      // resources are served means the list is incomplete (not readable), not that every CRD is gone.
      const served = new Set<string>();
      if (e.policies.ok) served.add('ciliumnetworkpolicies.cilium.io').add('ciliumclusterwidenetworkpolicies.cilium.io');
      if (e.ciliumNode.ok) served.add('ciliumnodes.cilium.io');
      const listTrustworthy = e.crds.value.length > 0 || served.size === 0;
      const missing = listTrustworthy ? CORE_CRDS.filter((n) => !names.has(n) && !served.has(n)) : [];
      if (missing.length > 0) {
        problems.push(`CRDs missing: ${missing.join(', ')}`);
        evidence.push({ kind: 'fact', text: `not registered: ${missing.join(', ')}`, source: 'apiextensions.k8s.io CustomResourceDefinitions' });
      }
      for (const c of e.crds.value) {
        const unserved = c.storedVersions.filter((v) => !c.servedVersions.includes(v));
        if (unserved.length > 0) {
          problems.push(`${c.name} still has objects stored as ${unserved.join(', ')}, which is no longer served`);
          evidence.push({ kind: 'fact', text: `${c.name}: storedVersions [${c.storedVersions.join(', ')}], served [${c.servedVersions.join(', ')}]`, source: 'CRD status.storedVersions / spec.versions' });
        }
        if (!c.established) {
          problems.push(`${c.name} is not Established`);
          evidence.push({ kind: 'fact', text: `${c.name}: Established != True`, source: 'CRD status.conditions' });
        }
      }
    }
    const gaveUp = findAgentLines(e, CRDS_NOT_FOUND_LINES, 1);
    if (gaveUp.length > 0) problems.push('the agent gave up waiting for Cilium CRDs that cilium-operator had not registered, and exited');
    const oldSchema = findAgentLines(e, OLD_SCHEMA_LINES, 2);
    if (oldSchema.length > 0) problems.push('the API server refused a Cilium object with fields its installed CRD schema does not know (CRDs older than the release)');
    const storedUnserved = findAgentLines(e, STORED_UNSERVED_LINES, 2);
    if (storedUnserved.length > 0) problems.push('the CRD upgrade was refused: objects are still stored in a version the new CRD no longer lists (migrate them, then drop it from status.storedVersions)');
    const lingering = agent === null ? [] : findAgentLines(e, DEPRECATED_VERSION_LINES, 3).filter((l) => pastDeprecation(lineText(l.line), agent));
    for (const l of lingering.slice(0, 1)) {
      const m = DEPRECATED_VERSION.exec(lineText(l.line));
      problems.push(`the API server still serves cilium.io/${m?.[1] ?? '?'} ${m?.[2] ?? ''}, deprecated since Cilium ${m?.[3] ?? '?'}, on ${agent ?? '?'}: the CRD kept an old version through the upgrade (objects still stored in it keep it in status.storedVersions)`);
    }
    const refused = findAgentLines(e, OPERATOR_CRD_REFUSED_LINES, 2);
    if (refused.length > 0) {
      const rbac = refused.some((l) => /forbidden/i.test(lineText(l.line))) || refused.some((l) => l.line.error !== null && /^customresourcedefinitions\.apiextensions/i.test(l.line.error));
      problems.push(`cilium-operator could not update the Cilium CRDs${rbac ? ' (its ClusterRole does not allow update on customresourcedefinitions)' : ''}, so they keep the schema of the release that last registered them`);
    }
    const rbacBehind = findAgentLines(e, RBAC_BEHIND_LINES, 2);
    if (rbacBehind.length > 0) problems.push('a Cilium component is refused reading a Cilium resource by its own ClusterRole: the binary runs a newer release than the RBAC (and CRDs) installed with it');
    const missingLines = findAgentLines(e, MISSING_RESOURCE_LINES, 3);
    if (missingLines.length > 0 && problems.length === 0) {
      const kind = missingLines.map((l) => /no matches for kind "(Cilium\w+)" in version "(cilium\.io\/v\w+)"/.exec(lineText(l.line))).find((m) => m !== null);
      problems.push(kind != null ? `the API server does not serve ${kind[1] ?? ''} in ${kind[2] ?? ''}: the installed Cilium CRDs are older than the manifests that use it (or were never registered)`
        : 'the agent watches a Cilium resource the API server does not know');
    }
    const agentSaid = [...gaveUp, ...oldSchema, ...storedUnserved, ...refused, ...rbacBehind, ...lingering.slice(0, 1), ...missingLines];
    evidence.push(...agentSaid.map((s) => quoteLogLine(s.source, s.line)));
    if (problems.length === 0) return null;
    const waiting = apiserverSignals(e);
    // One "still waiting" line is every agent's normal start (apiserver-unreachable): the wait is the agent failing
    // only when it gave up, repeated the line, or its pod was read unhealthy.
    const waitStuck = waiting.crdWait.length >= 3 || (waiting.crdWait.length > 0 && agentUnhealthy(e) === true);
    const explainsWait = waiting.unreachable.length === 0 && (waitStuck || gaveUp.length > 0);
    evidence.push(...waiting.crdWait.slice(-1).map((s) => quoteLogLine(s.source, s.line)));
    const critical = explainsWait || problems.some((p) => p.startsWith('CRDs missing'));

    return {
      runbookId: ID,
      title: skew ? 'Operator and agent versions differ' : 'Cilium CRDs out of step',
      severity: critical ? 'critical' : 'warning',
      summary: `After an upgrade, Cilium's control plane is out of step: ${problems.join('; ')}.`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        {
          title: 'Bring the operator to the agent’s version',
          detail: 'Agent and operator come from the same chart release; a half-applied upgrade leaves them apart. Re-run the upgrade with the same chart version for both.',
          commands: [
            `kubectl -n ${ciliumNamespace(e)} get ds/${agentDaemonSet(e)} deploy/cilium-operator -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.spec.template.spec.containers[0].image}{"\\n"}{end}'`,
            helmUpgrade(e, 'cilium-values.yaml').replace(' -f cilium-values.yaml', ` --version ${agent ?? '<agent version>'}`),
          ],
        },
        {
          title: 'Check the CRDs the operator registered',
          detail: 'Every Cilium CRD should be Established and serve each version in its storedVersions.',
          commands: ['kubectl get crd -o custom-columns=NAME:.metadata.name,STORED:.status.storedVersions,SCHEMA:.metadata.labels.io\\.cilium\\.k8s\\.crd\\.schema\\.version | grep cilium.io'],
        },
        { title: 'Restart the agents once the CRDs are current', detail: 'Agents do not wait for a newer CRD version on their own (PR #31416).', commands: [rolloutRestart(e)] },
      ],
      docs: [ciliumDoc(e, 'Upgrade guide', 'operations/upgrade/')],
      proposals: [],
      // A deprecation warning alone says the old version is served, not that objects are stored in it.
      confidence: e.operator.ok || e.crds.ok ? 'certain' : lingering.length > 0 && problems.length === 1 ? 'medium' : 'high',
      basis: agentSaid.length > 0 ? 'explicit' : 'observed',
      explainsAgentCrash: explainsWait && critical,
      ...(explainsWait ? { supersedes: ['apiserver-unreachable'] } : {}),
    } satisfies Finding;
  },
};

/** The running release is past the one the deprecation warning names (1.20 against "deprecated in cilium v1.16"). */
function pastDeprecation(text: string, running: string): boolean {
  const since = semver.coerce(DEPRECATED_VERSION.exec(text)?.[3] ?? '');
  const now = semver.coerce(running);
  return since !== null && now !== null && (now.major > since.major || (now.major === since.major && now.minor > since.minor));
}

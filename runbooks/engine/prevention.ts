// Prevention steps for a fleet-wide cause (kernel below the floor, kernel options missing, a known-bad kernel on a
// pool): the lessons of an autoscaler adding nodes from an image the running Cilium cannot support. Three layers:
// the upgrade preflight in CI, a check baked into the node image's bootstrap, and an admission guard keeping the
// agent off nodes labelled incompatible (a ValidatingAdmissionPolicy that makes below-floor nodes carry the label, and
// the agent's node affinity honouring it). Pure: returns fix steps (FixStep) the runbooks append and the fleet
// renderers print; everything is ready to paste.
import { admissionGuardScope, admissionGuardYaml } from './admission-guard.ts';
import type { FixStep } from './contract.ts';
import { ciliumKernelFloor } from './kernel-matrix.ts';
import { formatTriple, type KernelTriple } from './kernel-version.ts';

/** The node label the kernel runbooks set on incompatible nodes (kernel-too-old's fix steps use the same). */
export const KERNEL_COMPAT_LABEL = 'cilium.io/kernel-compatible';

export type PreventableCause = 'kernel-too-old' | 'kernel-config-missing' | 'known-issue';

export interface PreventionInput {
  cause: PreventableCause;
  /** The Cilium release the fleet runs (or is going to); the preflight targets it. */
  ciliumVersion: string | null;
  /** The kernel the nodes need (the floor, or a feature's need); defaults to the release's floor. */
  minimumKernel?: KernelTriple | null;
  /** Kernel options the agent needs that the nodes lacked (kernel-config-missing), e.g. CONFIG_NET_CLS_BPF. */
  kernelOptions?: readonly string[];
  pool?: string | null;
}

/** The kernel check for the node image: POSIX sh, exits 1 below `need`; reads the vendor's real patch level when uname hides it. */
export function kernelFloorScript(need: KernelTriple, releases: string, options: readonly string[] = []): string {
  const lines = [
    '#!/bin/sh',
    `# Node image check: Cilium ${releases} needs Linux >= ${formatTriple(need)} (docs.cilium.io operations/system_requirements).`,
    'set -eu',
    `need=${formatTriple(need)}`,
    'have=$(uname -r | sed "s/[^0-9.].*//")',
    '# Ubuntu and Debian ABI numbers hide the upstream patch level: take the one the vendor recorded.',
    '[ -r /proc/version_signature ] && have=$(awk \'{print $NF}\' /proc/version_signature)',
    'deb=$(sed -n "s/.* Debian \\([0-9][0-9.]*\\)-.*/\\1/p" /proc/version)',
    '[ -n "$deb" ] && have=$deb',
    'if [ "$(printf "%s\\n%s\\n" "$need" "$have" | sort -V | head -n1)" != "$need" ]; then',
    `  echo "kernel $(uname -r) (upstream $have) is below $need, the minimum for Cilium ${releases}" >&2`,
    '  exit 1',
    'fi',
  ];
  if (options.length > 0) {
    lines.push(
      'config=$( (zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)") )',
      `for opt in ${options.join(' ')}; do`,
      '  echo "$config" | grep -Eq "^$opt=(y|m)$" || { echo "kernel option $opt is not set (Cilium needs it)" >&2; exit 1; }',
      'done',
    );
  }
  return lines.join('\n');
}

/** Helm values keeping the agent off nodes labelled incompatible, with the chart's default anti-affinity kept. */
export function agentAffinityValues(): string {
  return [
    'affinity:',
    '  nodeAffinity:',
    '    requiredDuringSchedulingIgnoredDuringExecution:',
    '      nodeSelectorTerms:',
    '        - matchExpressions:',
    `            - key: ${KERNEL_COMPAT_LABEL}`,
    '              operator: NotIn',
    '              values: ["false"]',
    '  # the chart\'s default, kept: one agent per node',
    '  podAntiAffinity:',
    '    requiredDuringSchedulingIgnoredDuringExecution:',
    '      - topologyKey: kubernetes.io/hostname',
    '        labelSelector:',
    '          matchLabels:',
    '            k8s-app: cilium',
  ].join('\n');
}

export function preventionSteps(input: PreventionInput): FixStep[] {
  const floor = input.ciliumVersion === null ? null : ciliumKernelFloor(input.ciliumVersion);
  const need = input.minimumKernel ?? floor?.minimum ?? null;
  const releases = floor?.releases ?? input.ciliumVersion ?? 'this release';
  const target = input.ciliumVersion ?? '<version>';
  const where = input.pool === undefined || input.pool === null ? 'the node image' : `the image of pool ${input.pool}`;
  const steps: FixStep[] = [{
    title: 'Prevent: run the upgrade preflight in CI',
    detail: `Before every Cilium upgrade and every node-image change, run the preflight against the cluster: it exits 3 when a node's kernel, an enabled feature, a known-bad kernel or a removed config key would break ${target}, which fails the pipeline.`,
    commands: [`cilium-runbook preflight --target ${target} --values values.yaml`],
  }];
  if (need !== null && input.cause !== 'known-issue') {
    steps.push({
      title: 'Prevent: check the kernel when the node image is built and when the node boots',
      detail: `Run this in ${where}'s build and bootstrap (before the kubelet starts): it exits 1 on a kernel below ${formatTriple(need)}${input.kernelOptions !== undefined && input.kernelOptions.length > 0 ? ' or without the kernel options Cilium needs' : ''}. On failure, fail the build, or register the node with \`--node-labels=${KERNEL_COMPAT_LABEL}=false\` so the admission guard below keeps the agent off it.`,
      commands: [kernelFloorScript(need, releases, input.kernelOptions ?? [])],
    });
  }
  // The guard holds the release's own floor, where no configuration helps and the agent must stay off; a feature's
  // higher need is met by turning the feature off (per pool, with a CiliumNodeConfig), not by refusing the node.
  const guardFloor = floor?.minimum ?? need;
  if (guardFloor !== null) {
    steps.push({
      title: 'Prevent: refuse nodes below the kernel floor at admission (ValidatingAdmissionPolicy)',
      detail: `${admissionGuardScope(guardFloor)} Apply once per cluster; to try it first, set the binding's validationActions to [Warn, Audit].`,
      commands: [`kubectl apply -f - <<'EOF'\n${admissionGuardYaml({ floor: guardFloor, needBy: floor === null ? `Cilium ${releases}` : `Cilium ${floor.releases}` })}\nEOF`],
    });
  }
  steps.push({
    title: 'Prevent: keep the agent off nodes labelled incompatible',
    detail: `A node labelled ${KERNEL_COMPAT_LABEL}=false gets no cilium-agent (so no crash loop); cordon it, since pods there get no network. Apply these Helm values to the Cilium release.`,
    commands: [`kubectl label node <node> ${KERNEL_COMPAT_LABEL}=false --overwrite`, 'kubectl cordon <node>'],
    helmValues: agentAffinityValues(),
  });
  return steps;
}

const PREVENTABLE: Readonly<Record<string, PreventableCause>> = {
  'kernel-too-old': 'kernel-too-old',
  'kernel-config-missing': 'kernel-config-missing',
  // Known issues (kernel × release combinations) are reported by the version-advisory runbook.
  'version-advisory': 'known-issue',
};

export interface FleetCauseGroup {
  runbookId: string;
  severity: string;
  version: string | null;
  pool: string | null;
}

/**
 * Prevention for a fleet report: one set of steps for every critical group of a fleet-wide cause (the pools named
 * together), null when there is none. The floor is the highest among the groups' releases.
 */
export function fleetPrevention(groups: readonly FleetCauseGroup[]): { causes: string[]; pools: string[]; steps: FixStep[] } | null {
  const hit = groups.filter((g) => g.severity === 'critical' && Object.hasOwn(PREVENTABLE, g.runbookId));
  const first = hit[0];
  if (first === undefined) return null;
  const causes = [...new Set(hit.map((g) => g.runbookId))];
  const pools = [...new Set(hit.map((g) => g.pool).filter((p): p is string => p !== null))].sort();
  const version = hit.map((g) => g.version).find((v) => v !== null) ?? null;
  const cause = PREVENTABLE[causes.includes('kernel-too-old') ? 'kernel-too-old' : first.runbookId] ?? 'known-issue';
  return { causes, pools, steps: preventionSteps({ cause, ciliumVersion: version, pool: pools.length === 1 ? pools[0] ?? null : null }) };
}

// The file names `cilium sysdump` has used, per release line, from cilium-cli's own source. `<ts>` is the collection
// time as Go's "20060102-150405" (timeFormat in the same file); `%s` are the pod and container names, in order.
//
// | layout | what names it | source (sysdump/constants.go) |
// | --- | --- | --- |
// | `cilium-cli-2021-short` | `cilium-cm-<ts>.yaml`, `cilium-ds-`, `k8s-no-`, `po-`, `k8s-ev-`, `cnp-`, logs `%s-%s-<ts>.log`, bugtool `.tar` | cilium/cilium-cli `sysdump/constants.go`, the 2021 revision that names `ciliumConfigMapFileName = "cilium-cm-<ts>.yaml"` (bugtool "ARCHIVE at" regex) |
// | `cilium-cli-2021-long` | `cilium-config-configmap-<ts>.yaml`, `cilium-daemonset-`, `k8s-nodes-`, `k8s-pods-`, `k8s-events-`, `ciliumnetworkpolicies-`, logs `logs-%s-%s-<ts>.log`, bugtool `.tar` | cilium/cilium-cli `sysdump/constants.go`, the revisions that name `ciliumConfigMapFileName = "cilium-config-configmap-<ts>.yaml"` (aws-node files added) |
// | `cilium-cli-current` | `cilium-configmap-<ts>.yaml`, bugtool `cilium-bugtool-%s-<ts>.tar.gz`, `ciliumnodeconfigs-`, `hubble-relay-deployment-`, `k8s-endpointslices-` | cilium/cilium-cli `sysdump/constants.go` @010667fe05df4c07c8877babbcc02c245046076d; cilium/cilium `cilium-cli/sysdump/constants.go` @026740195c43504fcf9e1fd6b8c92754d45c0f5d (the CLI moved into cilium/cilium) |
//
// All three write into one folder named after `--output-filename` (default `cilium-sysdump-<ts>`) and zip it.
// Logs of every container and init container of the Cilium pods are written, `-prev` when the container restarted
// (`SubmitLogsTasks`, sysdump/sysdump.go). Inside the bugtool archive, each command's output is
// `cmd/<command with "/" and " " turned into "-">.md` and the kernel config is copied to `conf/kernel-config.gz`,
// `conf/kernel-config` or `conf/kernel-config-<release>` (cilium/cilium bugtool/cmd/root.go writeCmdToFile,
// bugtool/cmd/configuration.go copyConfigCommands).

export type SysdumpPart =
  | 'nodes' | 'pods' | 'events' | 'services' | 'endpointSlices' | 'ciliumConfig' | 'daemonSet' | 'operator'
  | 'cnp' | 'ccnp' | 'ciliumNodes' | 'nodeConfigs' | 'hubbleRelay';

export interface SysdumpLayout {
  id: 'cilium-cli-2021-short' | 'cilium-cli-2021-long' | 'cilium-cli-current';
  /** Which releases wrote it, for messages. */
  releases: string;
  /** File name per part, `<ts>` for the timestamp; a part the layout never wrote is absent. */
  files: Partial<Record<SysdumpPart, string>>;
  /** `%s` pod, `%s` container. */
  logs: string;
  previousLogs: string;
  /** `%s` pod; either extension is read (bugtool writes tar or tar.gz as asked). */
  bugtool: string;
}

const COMMON_LONG: Partial<Record<SysdumpPart, string>> = {
  nodes: 'k8s-nodes-<ts>.yaml',
  pods: 'k8s-pods-<ts>.yaml',
  events: 'k8s-events-<ts>.yaml',
  services: 'k8s-services-<ts>.yaml',
  daemonSet: 'cilium-daemonset-<ts>.yaml',
  operator: 'cilium-operator-deployment-<ts>.yaml',
  cnp: 'ciliumnetworkpolicies-<ts>.yaml',
  ccnp: 'ciliumclusterwidenetworkpolicies-<ts>.yaml',
  ciliumNodes: 'ciliumnodes-<ts>.yaml',
  hubbleRelay: 'hubble-relay-deployment-<ts>.yaml',
};

/** What `cilium sysdump` writes today; the sandbox writes it too. */
export const CURRENT_LAYOUT: SysdumpLayout = {
  id: 'cilium-cli-current',
  releases: 'cilium-cli from the release that switched bugtool to .tar.gz on, and the cilium-cli inside cilium/cilium',
  files: { ...COMMON_LONG, ciliumConfig: 'cilium-configmap-<ts>.yaml', nodeConfigs: 'ciliumnodeconfigs-<ts>.yaml', endpointSlices: 'k8s-endpointslices-<ts>.yaml' },
  logs: 'logs-%s-%s-<ts>.log',
  previousLogs: 'logs-%s-%s-<ts>-prev.log',
  bugtool: 'cilium-bugtool-%s-<ts>.tar.gz',
};

export const LAYOUTS: readonly SysdumpLayout[] = [
  CURRENT_LAYOUT,
  {
    id: 'cilium-cli-2021-long',
    releases: 'cilium-cli of late 2021',
    files: { ...COMMON_LONG, ciliumConfig: 'cilium-config-configmap-<ts>.yaml' },
    logs: 'logs-%s-%s-<ts>.log',
    previousLogs: 'logs-%s-%s-<ts>-prev.log',
    bugtool: 'cilium-bugtool-%s-<ts>.tar',
  },
  {
    id: 'cilium-cli-2021-short',
    releases: 'the first cilium-cli releases (2021)',
    files: {
      nodes: 'k8s-no-<ts>.yaml',
      pods: 'po-<ts>.yaml',
      events: 'k8s-ev-<ts>.yaml',
      services: 'svc-<ts>.yaml',
      ciliumConfig: 'cilium-cm-<ts>.yaml',
      daemonSet: 'cilium-ds-<ts>.yaml',
      operator: 'cilium-operator-deploy-<ts>.yaml',
      cnp: 'cnp-<ts>.yaml',
      ccnp: 'ccnp-<ts>.yaml',
      ciliumNodes: 'cn-<ts>.yaml',
      hubbleRelay: 'hubble-relay-deploy-<ts>.yaml',
    },
    logs: '%s-%s-<ts>.log',
    previousLogs: '%s-%s-<ts>-prev.log',
    bugtool: 'cilium-bugtool-%s-<ts>.tar',
  },
];

/** Go's "20060102-150405". */
export const TS_PATTERN = /(\d{8}-\d{6})/;

export function fileName(template: string, ts: string, ...args: string[]): string {
  let i = 0;
  return template.replace(/%s/g, () => args[i++] ?? '').replace('<ts>', ts);
}

/** The timestamp a name carries when it is `template` with some `<ts>`, else null. */
export function timestampOf(template: string, name: string): string | null {
  const [before = '', after = ''] = template.split('<ts>');
  if (!name.startsWith(before) || !name.endsWith(after)) return null;
  const ts = name.slice(before.length, name.length - after.length);
  return /^\d{8}-\d{6}$/.test(ts) ? ts : null;
}

export interface DetectedLayout {
  layout: SysdumpLayout;
  ts: string;
}

/**
 * The layout whose node or pod list is in `names` (basenames), with its timestamp; the one with most parts present
 * when several match. Null when none does: not a cilium sysdump.
 */
export function detectLayout(names: Iterable<string>): DetectedLayout | null {
  const list = [...names];
  let best: (DetectedLayout & { score: number }) | null = null;
  for (const layout of LAYOUTS) {
    for (const anchor of [layout.files.nodes, layout.files.pods, layout.files.ciliumConfig]) {
      if (anchor === undefined) continue;
      for (const name of list) {
        const ts = timestampOf(anchor, name);
        if (ts === null) continue;
        const present = new Set(list);
        // Layouts share most names; the bugtool archive's extension (.tar.gz or .tar) tells them apart when the
        // config file, the one name that differs, is missing.
        const ext = layout.bugtool.slice(layout.bugtool.indexOf('.tar'));
        const bugtools = list.some((n) => n.startsWith('cilium-bugtool-') && n.endsWith(`-${ts}${ext}`)) ? 1 : 0;
        const score = Object.values(layout.files).filter((t) => present.has(fileName(t, ts))).length + bugtools;
        if (best === null || score > best.score) best = { layout, ts, score };
      }
    }
  }
  return best === null ? null : { layout: best.layout, ts: best.ts };
}

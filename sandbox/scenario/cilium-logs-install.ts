// Log lines of the real-install scenarios: the `config` init container failing to reach the apiserver, and the
// agent's start-up banner that carries the version when the image has no tag. Each line names its source.

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The `config` init container (`cilium-dbg build-config`, 1.15+) when the kubernetes Service VIP is not reachable
 * before Cilium runs (kube-proxy removed, no k8sServiceHost): cilium/cilium#29094 is this failure on EKS
 * (Init:CrashLoopBackOff, "config initContainer fails to contact the kube-apiserver"); the line is verbatim as a
 * public walkthrough quotes it after removing kube-proxy on a kubeadm-style 10.96.0.0/12 Service network (its
 * Cilium version is not stated there). `vip` is the only value that varies.
 */
export function buildConfigTimeout(vip: string): string {
  return `level=fatal msg="Build config failed" subsys=cilium-dbg error="failed to start: Get \\"https://${vip}:443/api/v1/namespaces/kube-system\\": dial tcp ${vip}:443: i/o timeout"`;
}

/**
 * The start-up banner of cilium-agent, logged by initEnv in daemon/cmd/daemon_main.go (1.12–1.17, logrus):
 * four `log.Info` lines of ASCII art, then `log.Infof("Cilium %s", version.Version)`.
 */
export const BANNER_ART = [
  'level=info msg="     _ _ _" subsys=daemon',
  'level=info msg=" ___|_| |_|_ _ _____" subsys=daemon',
  'level=info msg="|  _| | | | | |     |" subsys=daemon',
  'level=info msg="|___|_|_|_|___|_|_|_|" subsys=daemon',
];

export interface BuildInfo {
  /** e.g. 1.16.3 */
  version: string;
  /** The release commit, abbreviated as version.Version prints it. */
  shortCommit: string;
  buildDate: string;
  goVersion: string;
}

/**
 * `Cilium <version.Version>`: pkg/version's string is `<version> <commit> <build date> go version <go> <os>/<arch>`
 * (the shape `cilium version` prints, e.g. "1.9.4 609a63dfb 2021-04-12T15:01:54-07:00 go version go1.15.7
 * linux/amd64" quoted in a public GKE Dataplane V2 write-up).
 */
export function bannerVersionLine(b: BuildInfo): string {
  return `level=info msg="Cilium ${b.version} ${b.shortCommit} ${b.buildDate} go version ${b.goVersion} linux/amd64" subsys=daemon`;
}

export function agentBanner(b: BuildInfo): string[] {
  return [...BANNER_ART, bannerVersionLine(b)];
}

/** cilium-logs.ts adds these to its table of allowed lines. */
export const INSTALL_CITATIONS: readonly (readonly [RegExp, string])[] = [
  [/^level=fatal msg="Build config failed" subsys=cilium-dbg error="failed to start: Get \\"https:\/\/(\d+\.\d+\.\d+\.\d+):443\/api\/v1\/namespaces\/kube-system\\": dial tcp \1:443: i\/o timeout"$/, 'cilium/cilium#29094 (config init container cannot reach the apiserver, Init:CrashLoopBackOff); line verbatim from a public walkthrough of the same failure'],
  ...BANNER_ART.map((l) => [new RegExp(`^${escapeRe(l)}$`), 'daemon/cmd/daemon_main.go initEnv: log.Info banner (1.12–1.17)'] as const),
  [/^level=info msg="Cilium \d+\.\d+\.\d+ [0-9a-f]{7,10} \S+ go version go\d+\.\d+(\.\d+)? linux\/amd64" subsys=daemon$/, 'daemon/cmd/daemon_main.go initEnv: log.Infof("Cilium %s", version.Version)'],
];

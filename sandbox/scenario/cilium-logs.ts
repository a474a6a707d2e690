// Agent log text for generated scenarios. Every line is one Cilium really prints, in the logrus format of 1.14–1.17
// (`level=… msg=… subsys=…`, no timestamp: cilium-facts §2.0); the comment above each names its source. Never add
// the folklore lines of cilium-facts §2.10. Failure lines of the other scenarios: cilium-logs-failures.ts.
import { FAILURE_CITATIONS } from './cilium-logs-failures.ts';
import { INSTALL_CITATIONS } from './cilium-logs-install.ts';
import { CLUSTERMESH_CITATIONS } from './cilium-logs-clustermesh.ts';

/** The ratio Helm sets (`bpf-map-dynamic-size-ratio: "0.0025"`); the agent prints it rounded to 3 places. */
const DYNAMIC_SIZE_RATIO = 0.0025;
/** Bytes of memory per CT TCP entry implied by real logs (#20390: 1351705323B → 4742825), floored at 131072 (#29341). */
const BYTES_PER_CT_ENTRY = 285;
const MIN_CT_TCP = 131072;

export interface AgentLogContext {
  /** The node's memory in bytes (status.capacity.memory). */
  memoryBytes: number;
  /** What the agent connects to: the kubernetes Service VIP, or k8sServiceHost when kube-proxy is replaced. */
  apiserver: string;
  kubeProxyReplacement: boolean;
}

/**
 * The real map-creation error of 1.14+ (cilium/ebpf): cilium-facts §2.2, from #30437 (Cilium 1.14.6 on a 4.19 kernel).
 * Runbooks match on this text; keep it byte-for-byte.
 */
export const MAP_CREATE_ENOMEM_ERROR =
  'level=error msg="error while opening/creating BPF maps" error="initializing conntrack map cilium_ct_any4_global: creating map: map create: cannot allocate memory (without BTF k/v)" subsys=daemon';

/** The fatal line that ends the same run, verbatim from #30437; the `failed to start: daemon creation failed:` wrapper is cilium-facts §2.1 (metal-stack#399). */
export const MAP_CREATE_ENOMEM_FATAL =
  'level=fatal msg="failed to start: daemon creation failed: error while opening/creating BPF maps: initializing conntrack map cilium_ct_any4_global: creating map: map create: cannot allocate memory (without BTF k/v); failed to stop: unable to find controller ipcache-inject-labels" subsys=daemon';

function ctTcpMax(memoryBytes: number): number {
  return Math.max(MIN_CT_TCP, Math.floor((memoryBytes * DYNAMIC_SIZE_RATIO) / BYTES_PER_CT_ENTRY));
}

/** The first lines every agent prints: map sizing and part of the flag dump. */
export function agentStartLines(ctx: AgentLogContext): string[] {
  const available = Math.floor(ctx.memoryBytes * DYNAMIC_SIZE_RATIO);
  return [
    // Not in cilium-facts; seen verbatim in #29341 and #21470 (1.12–1.14): the dynamic map sizing preamble.
    `level=info msg="Memory available for map entries (0.003% of ${ctx.memoryBytes}B): ${available}B" subsys=config`,
    // cilium-facts §2.4 (#21470): "option bpf-ct-global-tcp-max set by dynamic sizing to …".
    `level=info msg="option bpf-ct-global-tcp-max set by dynamic sizing to ${ctTcpMax(ctx.memoryBytes)}" subsys=config`,
    // Not in cilium-facts; the flag dump as printed in #29341 (the taint key matches cilium-facts §3.2).
    `level=info msg="  --agent-health-port='9879'" subsys=daemon`,
    `level=info msg="  --agent-not-ready-taint-key='node.cilium.io/agent-not-ready'" subsys=daemon`,
    `level=info msg="  --kube-proxy-replacement='${String(ctx.kubeProxyReplacement)}'" subsys=daemon`,
    // cilium-facts §2.8 (#28823, #35440): the apiserver connection line.
    `level=info msg="Establishing connection to apiserver" host="${ctx.apiserver}" subsys=k8s-client`,
  ];
}

/** A healthy start up to the health server. */
export function healthyAgentLog(ctx: AgentLogContext): string {
  const lines = agentStartLines(ctx);
  if (ctx.kubeProxyReplacement) {
    // cilium-facts §2.5: printed when kube-proxy-replacement is true (kube_proxy_replacement.go).
    lines.push('level=info msg="Auto-enabling \\"enable-node-port\\", \\"enable-external-ips\\", \\"bpf-lb-sock\\", \\"enable-host-port\\", \\"enable-session-affinity\\" features" subsys=daemon');
  }
  // cilium-facts §2.5: the info-level host-routing fallback when BPF masquerade is off (daemon_main.go).
  lines.push('level=info msg="BPF host routing requires enable-bpf-masquerade. Falling back to legacy host routing (enable-host-legacy-routing=true)." subsys=daemon');
  // cilium-facts §2.9: "Starting healthz status API server" on 127.0.0.1:9879 (#44967 text, logrus rendering per §2.0).
  lines.push('level=info msg="Starting healthz status API server" address="127.0.0.1:9879" subsys=daemon');
  return `${lines.join('\n')}\n`;
}

/** A run that dies creating the conntrack map (cilium-facts §2.2): what `kubectl logs --previous` shows. */
export function mapCreateCrashLog(ctx: AgentLogContext): string {
  return `${[...agentStartLines(ctx), MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL].join('\n')}\n`;
}

/** The first seconds of a fresh container, before it gets as far as the maps. */
export function shortStartLog(ctx: AgentLogContext): string {
  return `${agentStartLines(ctx).slice(0, 3).join('\n')}\n`;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every line the scenarios may contain, with its source. A line matching none of these is not allowed in a scenario. */
const CITATIONS: readonly (readonly [RegExp, string])[] = [
  [/^level=info msg="Memory available for map entries \(0\.003% of \d+B\): \d+B" subsys=config$/, 'not in cilium-facts; verbatim form in cilium#29341, cilium#21470'],
  [/^level=info msg="option bpf-ct-global-tcp-max set by dynamic sizing to \d+" subsys=config$/, 'cilium-facts §2.4 (cilium#21470)'],
  [/^level=info msg=" {2}--[a-z0-9-]+='[^']*'" subsys=daemon$/, 'not in cilium-facts; the flag dump as printed in cilium#29341'],
  [/^level=info msg="Establishing connection to apiserver" host="https:\/\/[^"]+" subsys=k8s-client$/, 'cilium-facts §2.8 (cilium#28823, #35440)'],
  [/^level=info msg="Auto-enabling \\"enable-node-port\\", \\"enable-external-ips\\", \\"bpf-lb-sock\\", \\"enable-host-port\\", \\"enable-session-affinity\\" features" subsys=daemon$/, 'cilium-facts §2.5 (kube_proxy_replacement.go)'],
  [/^level=info msg="BPF host routing requires enable-bpf-masquerade\. Falling back to legacy host routing \(enable-host-legacy-routing=true\)\." subsys=daemon$/, 'cilium-facts §2.5 (daemon_main.go)'],
  [/^level=info msg="Starting healthz status API server" address="127\.0\.0\.1:9879" subsys=daemon$/, 'cilium-facts §2.9 (msg text from cilium#44967; logrus form per §2.0)'],
  [new RegExp(`^${escapeRe(MAP_CREATE_ENOMEM_ERROR)}$`), 'cilium-facts §2.2 (cilium#30437, 1.14.6 on 4.19)'],
  [new RegExp(`^${escapeRe(MAP_CREATE_ENOMEM_FATAL)}$`), 'cilium#30437 verbatim; the error is cilium-facts §2.2, the "failed to start: daemon creation failed:" wrapper §2.1 (metal-stack#399)'],
  ...FAILURE_CITATIONS,
  ...INSTALL_CITATIONS,
  ...CLUSTERMESH_CITATIONS,
];

/** The source of a log line, or undefined when the line is not one we know Cilium prints. */
export function citeLogLine(line: string): string | undefined {
  return CITATIONS.find(([re]) => re.test(line))?.[1];
}

// wireguard-unsupported: WireGuard encryption is enabled but cannot run on this node. Fact sheet §0.5 and §1.2
// (in-tree WireGuard is Linux 5.6; older kernels need the out-of-tree module, v1.10 WireGuard guide; 1.11+ userspace
// fallback PR #17451), §2.7 lines: PR #15825 `Failed to initialize wireguard agent … wireguard not supported by the
// Linux kernel (netlink: operation not supported)`, the newer `failed to initialize WireGuard agent: WireGuard not
// supported …` (microsoft/azurelinux#16243), `failed to set link up: address already in use` (UDP 51871 taken,
// #35928), 1.13 `Wireguard (--enable-wireguard) is not compatible with L7 proxy` (kubespray#10538).
// The agent prints "failed to initialize WireGuard agent" only when enable-wireguard is on (daemon/cmd/daemon.go,
// `if params.WGAgent != nil && option.Config.EnableWireguard`) and the L7 check names --enable-wireguard, so each line
// is enough without the ConfigMap (pasted logs).
// A port clash is not "unsupported": the title says WireGuard cannot start and the fix finds what holds UDP 51871.
// Split with kernel-config-missing: the "not supported by the Linux kernel" line on a kernel ≥ 5.6 is a missing
// CONFIG_WIREGUARD (azurelinux#16243: 6.6) and belongs there; below 5.6 (or kernel unknown) it is reported here.
// The node probe's /proc/modules (hostKernel.modules) tells the out-of-tree module apart below 5.6.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, lineText, quoteLogLine } from '../engine/agent-logs.ts';
import { compareTriples, formatTriple, type KernelTriple } from '../engine/kernel-version.ts';
import { ciliumDoc, configValue, disableFeature, nodeKernel, peersBelow, verifyAgentStep } from '../engine/runbook-kit.ts';
import { helmUpgrade, rolloutRestart } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { moduleQuote, moduleState } from '../engine/node-modules.ts';
import { perPoolConfigStep } from '../engine/node-config-fix.ts';

const ID = 'wireguard-unsupported';
const WG_MIN: KernelTriple = [5, 6, 0];
export const WG_NOT_SUPPORTED = /wireguard not supported by the linux kernel/i;
const PORT_IN_USE = /initialize wireguard agent(?:(?!initialize wireguard agent).)*address already in use/i;
const L7_CONFLICT = /Wireguard \(--enable-wireguard\) is not compatible with L7 proxy/i;
const WG_PATTERNS = [WG_NOT_SUPPORTED, PORT_IN_USE, L7_CONFLICT];

export const wireguardUnsupported: Runbook = {
  id: ID,
  title: 'WireGuard cannot start on the node',
  severity: 'critical',
  rank: 24,
  needs: ['ciliumConfig', 'node', 'agentLogs'],
  match(e) {
    const enabled = e.ciliumConfig.ok && configValue(e, 'enable-wireguard')?.toLowerCase() === 'true';
    // A config that says WireGuard is off wins over old lines (an earlier container's); lines stand in only without it.
    if (e.ciliumConfig.ok && !enabled) return null;
    const k = nodeKernel(e);
    const kernelOld = k !== null && compareTriples(k.effective, WG_MIN) < 0;
    // Below 5.6 there is no in-tree WireGuard, so /proc/modules settles it: the out-of-tree module loaded means the
    // node runs WireGuard after all (only the agent's own lines count then); not loaded leaves little doubt.
    const wgModule = moduleState(e, 'wireguard');
    const old = enabled && kernelOld && wgModule !== 'loaded';
    const lines = findAgentLines(e, {
      text: WG_PATTERNS,
      where: (l) => {
        const t = lineText(l);
        return (WG_NOT_SUPPORTED.test(t) && (k === null || kernelOld)) || PORT_IN_USE.test(t) || L7_CONFLICT.test(t);
      },
    }, 4);
    if (!old && lines.length === 0) return null;

    const texts = lines.map((s) => lineText(s.line));
    const portInUse = texts.some((t) => PORT_IN_USE.test(t));
    const l7 = texts.some((t) => L7_CONFLICT.test(t));
    const kernelSaid = texts.some((t) => WG_NOT_SUPPORTED.test(t));
    const evidence: EvidenceQuote[] = [enabled
      ? { kind: 'fact', text: 'enable-wireguard=true', source: configSource(e, 'enable-wireguard') }
      : { kind: 'fact', text: 'WireGuard is enabled: the agent initialises it only with enable-wireguard=true', source: 'cilium-agent log (daemon/cmd/daemon.go)' }];
    if (k !== null) {
      evidence.push({ kind: 'fact', text: `kernelVersion: ${k.parsed.raw}`, source: `node ${e.nodeName} status.nodeInfo` });
      if (kernelOld) evidence.push({ kind: 'comparison', text: `kernel ${formatTriple(k.effective)} < 5.6.0 (in-tree WireGuard)`, source: 'fact sheet §1.2; v1.10 WireGuard guide' });
    }
    const moduleFact = kernelOld ? moduleQuote(e, 'wireguard') : null;
    if (moduleFact !== null) evidence.push(moduleFact);
    evidence.push(...lines.map((s) => quoteLogLine(s.source, s.line)));
    const why = portInUse ? 'another process already holds WireGuard\'s UDP port 51871 (#35928)'
      : l7 ? 'this Cilium release cannot combine WireGuard with the L7 proxy (1.13, kubespray#10538)'
        : kernelSaid ? 'the kernel has no WireGuard support (netlink: operation not supported)'
          : 'the kernel is older than 5.6 and has no in-tree WireGuard (it works only if the out-of-tree module is installed)';
    // The agent line proves the failure; the version alone is "likely" (the out-of-tree module may be loaded).
    const certain = lines.length > 0;

    return {
      runbookId: ID,
      title: portInUse ? `WireGuard cannot start on ${e.nodeName}: UDP port 51871 is already in use` : `WireGuard cannot start on ${e.nodeName}`,
      severity: certain ? 'critical' : 'warning',
      summary: `${e.nodeName} has WireGuard encryption enabled but ${why}${certain ? ', so the cilium-agent fails to start and pods on the node get no network' : ''}.`,
      evidence,
      blastRadius: computeBlastRadius(e, old ? { affects: peersBelow(WG_MIN), reason: 'run kernels below 5.6 and lack in-tree WireGuard too' } : undefined),
      fixSteps: [
        portInUse ? {
          title: 'Find what holds UDP port 51871 on the node, and free it',
          detail: 'The kernel supports WireGuard: bringing cilium_wg0 up binds UDP 51871 and another socket already has it — another WireGuard interface (wg-quick, a mesh VPN, a second CNI) or, on kind and other nested setups, a sibling node sharing the network namespace. Stop or move that listener, then restart the agent.',
          commands: [`kubectl debug node/${e.nodeName} -it --profile=sysadmin --image=busybox -- chroot /host sh -c 'ss -ulpn "sport = :51871" || netstat -ulpn | grep 51871; ip -d link show type wireguard'`],
        } : l7 ? {
          title: 'Upgrade Cilium or turn the L7 proxy off',
          detail: 'Later releases combine WireGuard with the L7 proxy; on 1.13 one of them must go.',
          commands: [helmUpgrade(e, 'cilium-wireguard-fix.yaml')],
          helmValues: 'l7Proxy: false',
        } : {
          title: 'Give the node a kernel with WireGuard',
          detail: 'Kernel 5.6+ built with CONFIG_WIREGUARD, or install the wireguard kernel module for this kernel (https://www.wireguard.com/install/).',
          commands: [`kubectl debug node/${e.nodeName} -it --image=busybox -- sh -c 'uname -r; grep -i wireguard /proc/modules || echo "wireguard module not loaded"'`],
        },
        {
          title: 'Or turn WireGuard off until the nodes can run it',
          detail: 'Pod traffic between nodes then travels unencrypted: agree this with whoever owns the security requirement first.',
          commands: [helmUpgrade(e, 'cilium-wireguard-off.yaml'), rolloutRestart(e)],
          helmValues: 'encryption:\n  enabled: false',
        },
        // The kernel (one pool's image) is the cause: WireGuard off for that pool only keeps it elsewhere.
        ...(portInUse || l7 ? [] : [perPoolConfigStep(e, {
          what: 'WireGuard', slug: 'wireguard', defaults: { 'enable-wireguard': 'false' },
          caveat: 'Traffic to and from these nodes is then unencrypted; Cilium\'s docs do not say how a cluster with WireGuard on some nodes only behaves (unknown): try it on a test cluster and agree it with whoever owns the security requirement.',
        })].filter((s) => s !== null)),
        verifyAgentStep(e),
      ],
      docs: [ciliumDoc(e, 'WireGuard transparent encryption', 'security/network/encryption-wireguard/'), ciliumDoc(e, 'System requirements', 'operations/system_requirements/')],
      proposals: certain && !portInUse ? [disableFeature('enable-wireguard', 'false', 'Lets the agent start; inter-node pod traffic is no longer encrypted (security trade-off).')] : [],
      // The version alone is medium: the out-of-tree module may be loaded; the probe's /proc/modules saying it is not, high.
      confidence: certain ? 'certain' : wgModule === 'not-loaded' ? 'high' : 'medium',
      basis: certain ? 'explicit' : 'inferred',
      explainsAgentCrash: certain,
    } satisfies Finding;
  },
};

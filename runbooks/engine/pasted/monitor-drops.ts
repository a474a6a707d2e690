// `cilium monitor` / `cilium-dbg monitor --type drop` text → Flow, so a pasted monitor capture counts as the flows
// `hubble observe` would have shown. Two line shapes (cilium/cilium pkg/monitor/datapath_drop.go and
// datapath_policy.go DumpInfo), with the optional parts varying by release:
//   xx drop (Policy denied) flow 0xf0433d07 to endpoint 0, identity 29995->1351: 100.96.3.106:51013 -> 100.96.3.61:8053 udp
//   xx drop (Policy denied) flow 0x8a1f2c3d to endpoint 164, ifindex 42, file bpf_lxc.c:1998, , identity 52901->46212: 10.244.1.14:41022 -> 10.244.1.87:8080 tcp SYN
//   Policy verdict log: flow 0x48357586 local EP ID 211, remote ID world, proto 6, ingress, action deny, match none, 172.26.50.201:60556 -> 10.0.1.185:8082 tcp SYN
// A drop line does not say its direction ("to endpoint 0" is printed for egress drops and for replies dropped at
// ingress alike), so it stays unknown; a policy-verdict line says it. Identities keep their number; reserved names map to theirs
// (pkg/identity/numericidentity.go: host 1, world 2, unmanaged 3, health 4, init 5, remote-node 6, kube-apiserver 7,
// ingress 8). Pure.
import type { Flow } from '../evidence-flows.ts';

const RESERVED: Record<string, number> = { host: 1, world: 2, unmanaged: 3, health: 4, init: 5, 'remote-node': 6, 'kube-apiserver': 7, ingress: 8 };
const ADDR = String.raw`(\[?[0-9A-Fa-f:.]+\]?(?::\d+)?)`;
const DROP = new RegExp(String.raw`^xx drop \(([^)]+)\) flow 0x[0-9a-f]+ to endpoint (\d+),.*?identity ([\w-]+)->([\w-]+): ${ADDR} -> ${ADDR}\s+(\w+)(.*)$`);
// 1.8 printed `dst port 80, proto 6, ingress true` (false: egress); later releases add `auth: disabled` (#36467).
const VERDICT = new RegExp(String.raw`^Policy verdict log: flow 0x[0-9a-f]+ local EP ID (\d+), remote ID ([\w-]+), (?:dst port \d+, )?proto \d+, (ingress|egress)(?: (true|false))?, action (\w+), (?:auth: [\w-]+, )?match ([\w-]+), ${ADDR} -> ${ADDR}\s+(\w+)(.*)$`);

const identityOf = (id: string): string => String(RESERVED[id] ?? id);
const end = (addr: string, id: string): string => `${addr} (ID:${identityOf(id)})`;

/** The flow a `cilium monitor` drop or policy-verdict line prints, or null. */
export function parseMonitorLine(raw: string): Flow | null {
  const line = raw.trim();
  if (line.length > 4096) return null;
  const drop = DROP.exec(line);
  if (drop !== null) {
    const [, reason = '', , src = '', dst = '', from = '', to = '', proto = '', rest = ''] = drop;
    return {
      verdict: 'DROPPED', reason, direction: null,
      source: end(from, src), destination: end(to, dst), summary: `${proto.toUpperCase()}${rest.trim() === '' ? '' : ` ${rest.trim()}`}`, raw: line,
      ...(identityOf(dst) === '2' && { destinationLabels: ['reserved:world'] }),
    };
  }
  const verdict = VERDICT.exec(line);
  if (verdict === null) return null;
  const [, , remote = '', dir = '', flag = '', action = '', match = '', from = '', to = '', proto = '', rest = ''] = verdict;
  // The remote side is the source at ingress, the destination at egress; the local endpoint's identity is not printed.
  const ingress = dir === 'ingress' && flag !== 'false';
  return {
    // `redirect` sends the packet to a proxy: forwarded, not denied.
    verdict: action === 'deny' ? 'DENIED' : action === 'audit' ? 'AUDIT' : 'FORWARDED', reason: `policy-verdict:${match}`, direction: ingress ? 'ingress' : 'egress',
    source: ingress ? end(from, remote) : from, destination: ingress ? to : end(to, remote),
    summary: `${proto.toUpperCase()}${rest.trim() === '' ? '' : ` ${rest.trim()}`}`, raw: line,
    ...(!ingress && identityOf(remote) === '2' && { destinationLabels: ['reserved:world'] }),
  };
}

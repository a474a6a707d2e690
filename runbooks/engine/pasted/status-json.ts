// `cilium-dbg status -o json` (`cilium status -o json` inside the agent before 1.15) → the text `cilium-dbg status`
// prints, so the `agentStatus` fact stays one shape and engine/agent-status.ts reads both. The JSON is the agent's
// StatusResponse (cilium/cilium api/v1/models/status_response.go: `kvstore`, `container-runtime`, `kubernetes`,
// `kube-proxy-replacement`, `cilium`, `cluster.ciliumHealth`, `ipam`, `cluster-mesh`, `bandwidth-manager`, `routing`,
// `masquerading`, `controllers`, `proxy`, `hubble`, `encryption`, …); the lines follow pkg/client/client.go
// FormatStatusResponse. Older agents sent `ipam.ipv4` (the addresses) instead of the `ipam.status` line
// (api/v1/models/ip_a_m_status.go before PR #8016); such a paste gives the count but no pool total. Pure.

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

/** Top-level keys only a StatusResponse has; two of them make an object one. */
const STATUS_KEYS = ['kube-proxy-replacement', 'kvstore', 'container-runtime', 'controllers', 'ipam', 'cluster', 'nodeMonitor',
  'proxy', 'cni-chaining', 'cni-file', 'bandwidth-manager', 'masquerading', 'routing', 'identity-range', 'cluster-mesh', 'host-firewall'];

export function isStatusResponse(v: unknown): v is Json {
  const o = asRecord(v);
  if (o === undefined) return false;
  let n = 0;
  for (const k of STATUS_KEYS) if (k in o) n++;
  return n >= 2 || (n >= 1 && asRecord(o.cilium)?.state !== undefined);
}

/** A Status object (`{state, msg}`) as the agent prints it: "Ok   msg". */
function status(v: unknown): string | null {
  const s = asRecord(v);
  if (s === undefined) return null;
  return `${str(s.state)}   ${str(s.msg)}`.trimEnd();
}

/** Go's zero time, which the agent sends for "never". */
const ZERO_TIME = /^0001-01-01T/;

export function statusTextFromJson(sr: Json): string {
  const out: string[] = [];
  const line = (key: string, value: string | null): void => { if (value !== null) out.push(`${key}:\t${value}`); };
  line('KVStore', status(sr.kvstore));
  line('ContainerRuntime', status(sr['container-runtime']));
  const k8s = asRecord(sr.kubernetes);
  if (k8s !== undefined) {
    line('Kubernetes', status(k8s));
    const apis = asArray(k8s['k8s-api-versions']).map(str);
    if (apis.length > 0) line('Kubernetes APIs', `["${apis.join('", "')}"]`);
  }
  const kpr = asRecord(sr['kube-proxy-replacement']);
  if (kpr !== undefined) {
    const devices = asArray(kpr.deviceList).map(asRecord).filter((d): d is Json => d !== undefined)
      .map((d) => `${str(d.name)} ${asArray(d.ip).map(str).join(' ')}`.trim() + (str(d.name) === str(kpr.directRoutingDevice) && str(d.name) !== '' ? ' (Direct Routing)' : ''));
    line('KubeProxyReplacement', `${str(kpr.mode)}${devices.length > 0 && str(kpr.mode) !== 'False' ? `\t[${devices.join(', ')}]` : ''}`);
  }
  const cni = asRecord(sr['cni-chaining']);
  if (cni !== undefined) line('CNI Chaining', str(cni.mode));
  line('Cilium', status(sr.cilium));
  const nm = asRecord(sr.nodeMonitor);
  line('NodeMonitor', nm === undefined ? 'Disabled' : `Listening for events on ${str(nm.cpus)} CPUs with ${str(nm.npages)}x${str(nm.pagesize)} of shared memory`);
  line('Cilium health daemon', status(asRecord(sr.cluster)?.ciliumHealth));
  const ipam = asRecord(sr.ipam);
  if (ipam !== undefined) {
    const legacy = [asArray(ipam.ipv4).length > 0 ? `IPv4: ${asArray(ipam.ipv4).length} allocated` : '', asArray(ipam.ipv6).length > 0 ? `IPv6: ${asArray(ipam.ipv6).length} allocated` : ''].filter((s) => s !== '').join(', ');
    line('IPAM', typeof ipam.status === 'string' ? ipam.status : legacy);
  }
  const mesh = asRecord(sr['cluster-mesh']);
  if (mesh !== undefined) {
    const clusters = asArray(mesh.clusters).map(asRecord).filter((c): c is Json => c !== undefined);
    line('ClusterMesh', `${clusters.filter((c) => c.ready === true).length}/${clusters.length} clusters ready, ${str(mesh['num-global-services']) || '0'} global-services`);
    for (const c of clusters.filter((x) => x.ready !== true)) out.push(`   ${str(c.name)}: not-ready, ${str(c['num-nodes']) || '0'} nodes, ${str(c['num-failures']) || '0'} failures`, `   └  ${str(c.status)}`);
  }
  const bwm = asRecord(sr['bandwidth-manager']);
  if (bwm !== undefined) line('BandwidthManager', bwm.enabled === true ? `EDT with BPF [${str(bwm.congestionControl).toUpperCase()}] [${asArray(bwm.devices).map(str).join(', ')}]` : 'Disabled');
  const routing = asRecord(sr.routing);
  if (routing !== undefined) line('Routing', `Network: ${str(routing['inter-host-routing-mode'])}\tHost: ${str(routing['intra-host-routing-mode'])}`);
  const masq = asRecord(sr.masquerading);
  if (masq !== undefined) line('Masquerading', masq.enabled === false ? 'Disabled' : str(masq.mode) === 'BPF' ? 'BPF' : str(masq.mode) === 'iptables' ? 'IPTables' : str(masq.mode) || 'Enabled');
  controllerLines(asArray(sr.controllers), out);
  const hubble = asRecord(sr.hubble);
  if (hubble !== undefined) line('Hubble', `${str(hubble.state)} ${str(hubble.msg)}`.trim());
  const enc = asRecord(sr.encryption);
  if (enc !== undefined) line('Encryption', `${str(enc.mode)}${str(enc.msg) === '' ? '' : `\t${str(enc.msg)}`}`);
  return out.join('\n');
}

/**
 * `Controller Status: n/m healthy` and a row per failing controller (consecutive failures > 0), as the agent prints
 * them. The JSON carries timestamps, not ages, and has no clock of its own: ages are counted back from its newest
 * controller timestamp, the moment closest to when the status was taken.
 */
function controllerLines(controllers: unknown[], out: string[]): void {
  if (controllers.length === 0) return;
  const rows = controllers.map(asRecord).filter((c): c is Json => c !== undefined).map((c) => ({ name: str(c.name), s: asRecord(c.status) ?? {} }));
  const times = rows.flatMap((r) => [str(r.s['last-success-timestamp']), str(r.s['last-failure-timestamp'])]).filter((t) => t !== '' && !ZERO_TIME.test(t)).map(Date.parse).filter(Number.isFinite);
  const newest = times.length > 0 ? Math.max(...times) : null;
  const ago = (t: unknown): string => {
    const ms = ZERO_TIME.test(str(t)) || str(t) === '' ? NaN : Date.parse(str(t));
    return newest === null || !Number.isFinite(ms) ? 'never' : `${goDuration(newest - ms)} ago`;
  };
  const failing = rows.filter((r) => Number(r.s['consecutive-failure-count'] ?? 0) > 0);
  out.push(`Controller Status:\t${rows.length - failing.length}/${rows.length} healthy`);
  if (failing.length === 0) return;
  out.push('  Name\tLast success\tLast error\tCount\tMessage');
  for (const r of failing) {
    out.push(`  ${r.name}\t${ago(r.s['last-success-timestamp'])}\t${ago(r.s['last-failure-timestamp'])}\t${str(r.s['consecutive-failure-count'])}\t${str(r.s['last-failure-msg']) || 'no error'}`);
  }
}

/** Go's time.Duration.String() truncated to seconds: "22m37s", "1h0m5s", "0s". */
function goDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

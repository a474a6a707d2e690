// Reading bugtool's files: its file-name rule, markdown-wrapped output (--enable-markdown), the pre-1.15 `cilium`
// command name, `iptables-save -c` counters, and `uname -a` turned into the /proc/version line the kernel
// resolution reads (Debian's real patch level).
import { describe, expect, it } from 'vitest';
import { agentStatusFromBugtool, bugtoolCommandFile, commandOutput, hostKernelFromUname, iptablesFromBugtool, stripCounters } from '../../jobs/sysdump/bugtool-facts.ts';
import type { BugtoolFiles } from '../../jobs/sysdump/sysdump-archive.ts';
import { resolveKernel } from '../../runbooks/engine/kernel-resolved.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const bugtool = (files: Record<string, string>): BugtoolFiles => ({ archiveName: 'cilium-bugtool-x.tar.gz', files: new Map(Object.entries(files).map(([k, v]) => [k, enc(v)])) });

describe('bugtool files', () => {
  it('names a command file as bugtool does: "/" and " " become "-"', () => {
    expect(bugtoolCommandFile('cilium-dbg status --verbose')).toBe('cilium-dbg-status---verbose.md');
    expect(bugtoolCommandFile('cat /proc/net/xfrm_stat')).toBe('cat--proc-net-xfrm_stat.md');
  });

  it('unwraps markdown output and drops the trailing error note', () => {
    const b = bugtool({ 'd/cmd/uname--a.md': "# uname -a\n\n```\nLinux n1 6.1.0 #1 SMP x86_64 GNU/Linux\n```\n> Error while running 'uname -a':  exit status 1\n\n" });
    expect(commandOutput(b, 'uname -a')?.text).toBe('Linux n1 6.1.0 #1 SMP x86_64 GNU/Linux');
  });

  it('reads `cilium status --verbose` from bugtools of releases before cilium-dbg', () => {
    const status = agentStatusFromBugtool(bugtool({ 'd/cmd/cilium-status---verbose.md': 'Cilium: Ok 1.14.5\n' }));
    expect(status).toEqual({ ok: true, value: { text: 'Cilium: Ok 1.14.5\n', verbose: true, source: 'sysdump' } });
    const none = agentStatusFromBugtool(bugtool({}));
    expect(none.ok).toBe(false);
  });

  it('strips iptables-save -c counters so rules count', () => {
    expect(stripCounters('[3:180] -A KUBE-SERVICES -j X\n:KUBE-SVC-A - [0:0]\n')).toBe('-A KUBE-SERVICES -j X\n:KUBE-SVC-A - [0:0]\n');
    const f = iptablesFromBugtool(bugtool({ 'd/cmd/iptables-nft-save--c.md': '*nat\n[1:60] -A KUBE-SEP-1 -j DNAT\nCOMMIT\n' }));
    expect(f.ok && f.value.kubeProxyChains.sep).toBe(1);
  });

  it('turns uname -a into the /proc/version line that settles Debian numbering', () => {
    const host = hostKernelFromUname('Linux node-7 4.19.0-21-amd64 #1 SMP Debian 4.19.249-2 (2022-06-30) x86_64 GNU/Linux');
    expect(host?.procVersion).toMatch(/^Linux version 4\.19\.0-21-amd64 .*#1 SMP Debian 4\.19\.249-2 \(2022-06-30\)$/);
    if (host === null) throw new Error('unparsed');
    const kernel = resolveKernel('4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', host);
    expect(kernel).toMatchObject({ version: [4, 19, 249], exact: true });
    expect(hostKernelFromUname('Darwin mac 23.1.0')).toBeNull();
  });
});

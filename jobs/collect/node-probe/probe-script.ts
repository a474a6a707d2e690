// The node probe's one fixed script: the pod's own command (no exec), printing each read as a delimited section of
// its log. Fixed so the admission policy can pin it byte for byte; small reads first, iptables last, so a log cut
// at its byte limit loses the largest section, not all of them.

/** Sections in print order; each is `BEGIN <name>` … `END <name> rc=<exit code>`. */
export const PROBE_SECTIONS = [
  'proc-version', 'version-signature', 'kernel-config', 'memlock', 'modules', 'bpffs', 'kernel-log', 'iptables-legacy', 'iptables-nft',
] as const;
export type ProbeSection = (typeof PROBE_SECTIONS)[number];

export const SECTION_BEGIN = '=== cilium-runbook-probe BEGIN ';
export const SECTION_END = '=== cilium-runbook-probe END ';

/** Where the host's /boot is mounted read-only (kernel config when /proc/config.gz is absent). */
export const HOST_BOOT = '/host/boot';
/** Where the host's /sys/fs/bpf is mounted read-only (is bpffs mounted there?). */
export const HOST_BPFFS = '/host/sys/fs/bpf';
/** Kernel log lines kept: the tail, after filtering. */
export const KERNEL_LOG_LINES = 200;
/**
 * What the kernel log is filtered to: BPF and verifier messages, SELinux AVC records (`avc:  denied { prog_load }
 * … tclass=bpf`), AppArmor denials and lockdown refusals (`Lockdown: …`).
 */
export const KERNEL_LOG_FILTER = 'bpf|verifier|avc: |apparmor="DENIED"|lockdown';
/** Modules whose presence the runbooks read (WireGuard encryption, the bandwidth manager's fq qdisc, tunnels). */
export const PROBE_MODULES = ['wireguard', 'sch_fq', 'vxlan', 'geneve', 'xt_socket', 'xt_TPROXY', 'ip_tables', 'nf_tables'];

/**
 * POSIX sh. The kernel log is read with `dmesg` (the syslog(2) READ_ALL action), not /dev/kmsg: it needs only
 * CAP_SYSLOG where kernel.dmesg_restrict=1 (kernel/printk check_syslog_permissions; the container runtimes' default
 * seccomp profile allows syslog(2) with CAP_SYSLOG), returns at once, and needs no host device mounted, where
 * /dev/kmsg would need the host's device node and blocks at the end of the buffer. memlock: the limits a container
 * starts with on this node (what the agent container gets), from the probe's own /proc/self/limits; with hostPID,
 * a running cilium-agent process's own limits win.
 */
export const PROBE_SCRIPT = [
  'b() { echo "' + SECTION_BEGIN + '$1 ==="; }',
  'e() { echo "' + SECTION_END + '$1 rc=$2 ==="; }',
  'b proc-version; cat /proc/version; e proc-version $?',
  'b version-signature; cat /proc/version_signature 2>/dev/null; e version-signature $?',
  `b kernel-config; if [ -r /proc/config.gz ]; then echo "# source: /proc/config.gz"; zcat /proc/config.gz; else echo "# source: /boot/config-$(uname -r)"; cat "${HOST_BOOT}/config-$(uname -r)"; fi; e kernel-config $?`,
  'b memlock; p=$(pidof cilium-agent 2>/dev/null | cut -d" " -f1); if [ -n "$p" ] && [ -r "/proc/$p/limits" ]; then echo "# source: cilium-agent pid $p"; cat "/proc/$p/limits"; else echo "# source: container default"; cat /proc/self/limits; fi; e memlock $?',
  `b modules; grep -E '^(${PROBE_MODULES.join('|')}) ' /proc/modules; e modules 0`,
  `b bpffs; stat -f -c %T ${HOST_BPFFS}; e bpffs $?`,
  `b kernel-log; k=$(dmesg 2>&1); r=$?; if [ $r -eq 0 ]; then printf '%s\\n' "$k" | grep -iE '${KERNEL_LOG_FILTER}' | tail -n ${KERNEL_LOG_LINES}; else printf '%s\\n' "$k" | tail -n 3; fi; e kernel-log $r`,
  'b iptables-legacy; iptables-legacy-save -t nat; e iptables-legacy $?',
  'b iptables-nft; iptables-nft-save -t nat; e iptables-nft $?',
].join('\n');

/** The container's command: the script above, run by the image's sh. */
export const PROBE_COMMAND: readonly string[] = ['/bin/sh', '-c', PROBE_SCRIPT];

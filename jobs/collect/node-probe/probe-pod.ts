// The probe pod: pinned to one node, every taint tolerated, host PID and network namespaces, the three
// capabilities its reads need and two read-only host mounts; it runs PROBE_COMMAND once and stops. The admission
// policy in deploy/overlays/node-probe admits exactly this shape, so change both together.
import type { V1Pod } from '@kubernetes/client-node';
import { HOST_BOOT, HOST_BPFFS, PROBE_COMMAND } from './probe-script.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'cilium-runbook';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const COMPONENT = 'node-probe';
export const PROBE_FOR_LABEL = 'cilium-runbook/probe-for';
export const PROBE_CONTAINER = 'probe';
/** The selector the sweeper lists probe pods with. */
export const PROBE_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY},${COMPONENT_LABEL}=${COMPONENT}`;

/**
 * NET_ADMIN + NET_RAW: iptables-save reads the tables through a raw socket's getsockopt (legacy) or netlink (nft).
 * SYSLOG: dmesg where kernel.dmesg_restrict=1. Nothing else: no privileged, no SYS_ADMIN, no writable host path.
 */
export const PROBE_CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'SYSLOG'] as const;

export interface ProbePodSpec {
  node: string;
  namespace: string;
  image: string;
  /** activeDeadlineSeconds: the kubelet stops the pod after this even if the worker is gone. */
  deadlineSeconds: number;
  /** The diagnosis job it serves (label value, so sanitised to a label). */
  jobId: string;
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? 'unknown' : cleaned;
}

export function probePod(spec: ProbePodSpec): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `cilium-runbook-probe-${labelValue(spec.node).slice(0, 30).replace(/[^a-z0-9-]/g, '-').replace(/-+$/, '')}-`,
      namespace: spec.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: COMPONENT, [PROBE_FOR_LABEL]: labelValue(spec.jobId) },
    },
    spec: {
      nodeName: spec.node,
      // Every taint, NoExecute included: the node under diagnosis is often the tainted one (agent-not-ready).
      tolerations: [{ operator: 'Exists' }],
      hostPID: true,
      hostNetwork: true,
      restartPolicy: 'Never',
      activeDeadlineSeconds: spec.deadlineSeconds,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 0,
      containers: [{
        name: PROBE_CONTAINER,
        image: spec.image,
        imagePullPolicy: 'IfNotPresent',
        command: [...PROBE_COMMAND],
        securityContext: {
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsUser: 0,
          capabilities: { drop: ['ALL'], add: [...PROBE_CAPABILITIES] },
        },
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        volumeMounts: [
          { name: 'host-boot', mountPath: HOST_BOOT, readOnly: true },
          { name: 'host-bpffs', mountPath: HOST_BPFFS, readOnly: true },
        ],
      }],
      volumes: [
        { name: 'host-boot', hostPath: { path: '/boot', type: 'Directory' } },
        { name: 'host-bpffs', hostPath: { path: '/sys/fs/bpf', type: 'Directory' } },
      ],
    },
  };
}

// The configuration an engineer states beside a paste, in either spelling: cilium-config keys (`kube-proxy-replacement`)
// or the Helm values they set, flattened with dots (`kubeProxyReplacement`, `bpf.policyMapMax`), as threads quote their
// `--set` flags. The chart copies these values into cilium-config as they are (cilium/cilium
// install/kubernetes/cilium/templates/cilium-configmap.yaml), so each is answered under its cilium-config key; a
// cilium-config key stated too wins. Helm values the template transforms (encryption.type, eni.enabled) are left alone.
import { HELM_TO_CONFIG } from '../preflight/helm-config.ts';

/** Helm path → cilium-config key for values the runbooks read that preflight/helm-config.ts does not list. */
const MORE_HELM_TO_CONFIG: readonly (readonly [string, string])[] = [
  ['ipam.mode', 'ipam'],
  ['hubble.enabled', 'enable-hubble'],
  ['l7Proxy', 'enable-l7-proxy'],
  ['bpf.masquerade', 'enable-bpf-masquerade'],
  ['bpf.policyMapMax', 'bpf-policy-map-max'],
  ['bpf.lbMapMax', 'bpf-lb-map-max'],
  ['bpf.ctTcpMax', 'bpf-ct-global-tcp-max'],
  ['bpf.ctAnyMax', 'bpf-ct-global-any-max'],
  ['bpf.natMax', 'bpf-nat-global-max'],
  ['bpf.mapDynamicSizeRatio', 'bpf-map-dynamic-size-ratio'],
];

const ALL = [...HELM_TO_CONFIG, ...MORE_HELM_TO_CONFIG];

/** The stated config with each Helm-spelled value also under its cilium-config key (unless that key was stated). */
export function statedCiliumConfig(config: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...config };
  for (const [path, key] of ALL) {
    const v = config[path];
    if (v !== undefined && path !== key && !Object.hasOwn(config, key)) out[key] = v;
  }
  return out;
}

// Writes the bundled scenario files from the author modules: `npx tsx sandbox/scenario/author/write.ts`.
// A test compares the committed files with this output, so they cannot drift apart.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { scenarioPath } from '../load.ts';
import { healthyYaml } from './healthy.ts';
import { kernelTooOldYaml } from './kernel-too-old.ts';
import { kubeProxyConflictYaml } from './kube-proxy-conflict.ts';
import { bpfMapCreateFailedYaml, bpfProgramLoadDeniedYaml, mapFullYaml, memlockRlimitYaml, versionAdvisoryYaml } from './agent-failures.ts';
import { bandwidthManagerUnsupportedYaml, kernelConfigMissingYaml, wireguardUnsupportedYaml } from './kernel-features.ts';
import { fqdnDnsProxyYaml, policyDefaultDenyYaml, policySelectorDriftYaml } from './policy.ts';
import { l7PolicyYaml } from './l7-policy.ts';
import { agentInitStuckYaml, ciliumNamespaceYaml, digestOnlyImageYaml } from './real-installs.ts';
import { gkeDataplaneV2Yaml, rke2StaticKubeProxyYaml } from './platforms.ts';
import { ciliumNodeConfigOverrideYaml, debian10AndAl2Yaml } from './node-overrides.ts';
import { fqdnNoDnsVisibilityYaml } from './fqdn-no-dns-visibility.ts';
import { clustermeshKvstoreYaml, clustermeshPodCidrOverlapYaml, clustermeshTlsYaml } from './clustermesh.ts';
import { apiserverUnreachableYaml, crdUpgradeDriftYaml, hubbleDisabledYaml, ipamExhaustedYaml } from './control-plane.ts';

/** Every authored scenario: name → YAML text. */
export const AUTHORED_SCENARIOS: Readonly<Record<string, () => string>> = {
  healthy: healthyYaml,
  'kernel-too-old': kernelTooOldYaml,
  'kube-proxy-conflict': kubeProxyConflictYaml,
  'bpf-map-create-failed': bpfMapCreateFailedYaml,
  'kernel-config-missing': kernelConfigMissingYaml,
  'memlock-rlimit': memlockRlimitYaml,
  'bpf-program-load-denied': bpfProgramLoadDeniedYaml,
  'map-full': mapFullYaml,
  'fqdn-dns-proxy': fqdnDnsProxyYaml,
  'policy-default-deny': policyDefaultDenyYaml,
  'policy-selector-drift': policySelectorDriftYaml,
  'l7-policy': l7PolicyYaml,
  'fqdn-no-dns-visibility': fqdnNoDnsVisibilityYaml,
  'hubble-disabled': hubbleDisabledYaml,
  'crd-upgrade-drift': crdUpgradeDriftYaml,
  'bandwidth-manager-unsupported': bandwidthManagerUnsupportedYaml,
  'wireguard-unsupported': wireguardUnsupportedYaml,
  'ipam-exhausted': ipamExhaustedYaml,
  'apiserver-unreachable': apiserverUnreachableYaml,
  'version-advisory': versionAdvisoryYaml,
  'cilium-namespace': ciliumNamespaceYaml,
  'agent-init-stuck': agentInitStuckYaml,
  'digest-only-image': digestOnlyImageYaml,
  'rke2-static-kube-proxy': rke2StaticKubeProxyYaml,
  'gke-dataplane-v2': gkeDataplaneV2Yaml,
  'ciliumnodeconfig-override': ciliumNodeConfigOverrideYaml,
  'debian10-and-al2': debian10AndAl2Yaml,
  'clustermesh-tls': clustermeshTlsYaml,
  'clustermesh-pod-cidr-overlap': clustermeshPodCidrOverlapYaml,
  'clustermesh-kvstore': clustermeshKvstoreYaml,
};

export function writeScenarios(): string[] {
  return Object.entries(AUTHORED_SCENARIOS).map(([name, render]) => {
    const path = scenarioPath(name);
    writeFileSync(path, render());
    return path;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const path of writeScenarios()) console.log(`wrote ${path}`);
}

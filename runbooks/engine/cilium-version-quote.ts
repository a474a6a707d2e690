// The "Cilium <version>" evidence line, saying where the version came from: the image tag, the agent's startup
// banner (digest-only images), the operator's image, or a hand-written evidence document that states only the
// version. Never "(image undefined)".
import type { EvidenceQuote } from './contract.ts';
import type { CiliumInfo } from './evidence.ts';

const SOURCE: Record<NonNullable<CiliumInfo['versionSource']>, string> = {
  'image-tag': 'cilium-agent image tag',
  'log-banner': "cilium-agent's startup banner",
  'operator-image': 'cilium-operator image tag',
  stated: 'evidence document (cilium.version)',
};

export function ciliumVersionQuote(info: CiliumInfo, version: string | null): EvidenceQuote {
  const source = info.versionSource ?? (info.image === undefined ? 'stated' : 'image-tag');
  const image = info.image === undefined ? '' : source === 'image-tag' ? ` (image ${info.image})` : ` (agent image ${info.image}, no version in its tag)`;
  return { kind: 'fact', text: `Cilium ${version ?? 'unknown'}${image}`, source: SOURCE[source] };
}

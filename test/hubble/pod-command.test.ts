// `diagnose pod` before anything is queued: the grammar, the pod's resolution (exact name, a Deployment's generated
// name, ambiguous, missing with the closest names), the Relay filters, and the scenario file as its author renders it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseCiliumCommand, USAGE } from '../../bot/command-grammar.ts';
import { InvalidCommandError, PodNotFoundError } from '../../bot/errors.ts';
import { resolvePod } from '../../bot/diagnose-pod-lookup.ts';
import { findPod } from '../../jobs/pod/find-pod.ts';
import { podFlowFilters } from '../../jobs/hubble/pod-flows.ts';
import { fqdnNoDnsVisibilityYaml } from '../../sandbox/scenario/author/fqdn-no-dns-visibility.ts';

function problemOf(text: string): string {
  try {
    parseCiliumCommand(text);
  } catch (e) {
    if (e instanceof InvalidCommandError) return e.problem;
    throw e;
  }
  return '(parsed)';
}

describe('diagnose pod grammar', () => {
  it('parses the pod and the cluster in either order; `diagnose pod` alone is still the node named "pod"', () => {
    expect(parseCiliumCommand('diagnose pod shop/checkout')).toEqual({ kind: 'diagnose-pod', pod: { namespace: 'shop', pod: 'checkout' } });
    expect(parseCiliumCommand('diagnose --cluster prod pod shop/checkout')).toEqual({ kind: 'diagnose-pod', pod: { namespace: 'shop', pod: 'checkout' }, cluster: 'prod' });
    expect(parseCiliumCommand('DIAGNOSE pod shop/checkout --cluster prod')).toEqual({ kind: 'diagnose-pod', pod: { namespace: 'shop', pod: 'checkout' }, cluster: 'prod' });
    expect(parseCiliumCommand('diagnose pod')).toEqual({ kind: 'diagnose', node: 'pod' });
    expect(USAGE).toContain('`/cilium diagnose pod <ns>/<pod> [--cluster <name>]`');
  });

  it('refuses what is not one <ns>/<pod>', () => {
    expect(problemOf('diagnose pod checkout')).toMatch(/"checkout" is not a pod: .*e\.g\. `\/cilium diagnose pod shop\/checkout`/);
    expect(problemOf('diagnose pod shop/a shop/b')).toMatch(/takes one pod/);
    expect(problemOf('diagnose pod shop/a --all')).toMatch(/diagnoses one pod/);
    expect(problemOf('diagnose pod shop/a --force')).toMatch(/Unknown option "--force"/);
    expect(problemOf('diagnose pod shop/$(reboot)')).toMatch(/is not a pod/);
  });
});

const pod = (ns: string, name: string, node?: string): V1Pod => ({ metadata: { namespace: ns, name, labels: { app: name.split('-')[0] ?? '' } }, spec: { containers: [], ...(node !== undefined && { nodeName: node }) }, status: { phase: 'Running' } });
const PODS = [pod('shop', 'checkout-7c9f8b6d4-x2x9q', 'node-2'), pod('shop', 'web-1', 'node-1'), pod('shop', 'web-2', 'node-3'), pod('shop', 'api-1'), pod('kube-system', 'coredns-1', 'node-1')];
const reader = { listPods: (q: { namespace?: string }) => Promise.resolve(PODS.filter((p) => q.namespace === undefined || p.metadata?.namespace === q.namespace)) };

describe('finding the pod', () => {
  it('the exact name, or the one pod a Deployment name prefixes', async () => {
    expect(await findPod(reader, 'shop', 'web-1')).toEqual({ kind: 'found', pod: { namespace: 'shop', name: 'web-1', node: 'node-1', labels: { app: 'web' }, phase: 'Running' } });
    expect(await findPod(reader, 'shop', 'checkout')).toMatchObject({ kind: 'found', pod: { name: 'checkout-7c9f8b6d4-x2x9q', node: 'node-2' } });
  });

  it('several pods for one prefix are ambiguous; an unscheduled pod has no node to diagnose', async () => {
    expect(await findPod(reader, 'shop', 'web')).toEqual({ kind: 'ambiguous', names: ['shop/web-1', 'shop/web-2'] });
    expect(await findPod(reader, 'shop', 'api-1')).toEqual({ kind: 'unscheduled', name: 'shop/api-1' });
  });

  it('missing: the closest names, from the namespace, or from every namespace when it has no pods', async () => {
    const lister = { findPod: (_c: string, ns: string, name: string) => findPod(reader, ns, name) };
    const err = await resolvePod(lister, 'prod', { namespace: 'shop', pod: 'chekout' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PodNotFoundError);
    expect((err as PodNotFoundError).suggestions[0]).toBe('shop/checkout-7c9f8b6d4-x2x9q');
    expect((err as Error).message).toMatch(/^Pod `shop\/chekout` does not exist in cluster `prod`\. Did you mean `shop\/checkout-7c9f8b6d4-x2x9q`/);
    const wrongNs = await resolvePod(lister, 'prod', { namespace: 'kube-sytem', pod: 'coredns-1' }).catch((e: unknown) => e);
    expect((wrongNs as PodNotFoundError).suggestions[0]).toBe('kube-system/coredns-1');
    const ambiguous = await resolvePod(lister, 'prod', { namespace: 'shop', pod: 'web' }).catch((e: unknown) => e);
    expect((ambiguous as Error).message).toBe('`shop/web` matches several pods in cluster `prod`: `shop/web-1`, `shop/web-2`. Name one of them.');
  });
});

describe('the Relay request for a pod', () => {
  it('drops and errors with the pod as source OR destination, and its DNS and HTTP flows', () => {
    expect(podFlowFilters('shop', 'checkout-7c9f8b6d4-x2x9q')).toEqual([
      { source_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], verdict: ['DROPPED', 'ERROR'] },
      { destination_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], verdict: ['DROPPED', 'ERROR'] },
      { source_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], protocol: ['dns', 'http'] },
      { destination_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], protocol: ['dns', 'http'] },
    ]);
  });
});

describe('the fqdn-no-dns-visibility scenario', () => {
  it('is what its author module renders (edit sandbox/scenario/author/fqdn-no-dns-visibility.ts, not the file)', () => {
    const path = fileURLToPath(new URL('../../sandbox/scenarios/fqdn-no-dns-visibility.yaml', import.meta.url));
    expect(readFileSync(path, 'utf8')).toBe(fqdnNoDnsVisibilityYaml());
  });
});

// Prevention steps: the node-image kernel check really runs (sh) and refuses a kernel below the floor; the fleet
// report gets one prevention section for its critical fleet-wide causes; the kernel runbook ends with them.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { agentAffinityValues, fleetPrevention, kernelFloorScript, KERNEL_COMPAT_LABEL, preventionSteps } from '../../../runbooks/engine/prevention.ts';
import { parse } from 'yaml';
import { preventionBlocks, preventionText } from '../../../bot/render/prevention-text.ts';
import { MAX_SECTION_TEXT } from '../../../bot/render/report-blocks.ts';

/** Runs the script with `uname` answering `release` (a stub first on PATH) and no vendor files readable. */
function runScript(script: string, release: string): { code: number; stderr: string } {
  const stubbed = script.replaceAll('uname -r', `echo ${release}`).replace(/\/proc\/version_signature/g, '/nonexistent').replace(/\/proc\/version\b/g, '/dev/null');
  try {
    execFileSync('sh', ['-c', stubbed], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stderr?: Buffer };
    return { code: err.status ?? -1, stderr: err.stderr?.toString() ?? '' };
  }
}

describe('kernelFloorScript', () => {
  const script = kernelFloorScript([5, 10, 0], '1.18+');
  it('exits 1 below the floor with a message naming both, 0 at or above it', () => {
    const low = runScript(script, '4.14.352-268.569.amzn2.x86_64');
    expect(low.code).toBe(1);
    expect(low.stderr).toMatch(/kernel 4\.14\.352-268\.569\.amzn2\.x86_64 \(upstream 4\.14\.352\) is below 5\.10\.0, the minimum for Cilium 1\.18\+/);
    expect(runScript(script, '5.10.0').code).toBe(0);
    expect(runScript(script, '6.1.115-126.197.amzn2023.x86_64').code).toBe(0);
    // Numeric, not lexical: 5.9 < 5.10.
    expect(runScript(script, '5.9.16').code).toBe(1);
  });
});

describe('preventionSteps', () => {
  it('CI preflight for the release, the image check at its floor, and the admission guard as valid Helm values', () => {
    const steps = preventionSteps({ cause: 'kernel-too-old', ciliumVersion: '1.18.2', pool: 'workers-legacy' });
    expect(steps.map((s) => s.title)).toEqual([
      'Prevent: run the upgrade preflight in CI',
      'Prevent: check the kernel when the node image is built and when the node boots',
      'Prevent: refuse nodes below the kernel floor at admission (ValidatingAdmissionPolicy)',
      'Prevent: keep the agent off nodes labelled incompatible',
    ]);
    expect(steps[2]?.commands?.[0]).toMatch(/^kubectl apply -f - <<'EOF'\n[\s\S]*kind: ValidatingAdmissionPolicy\n[\s\S]*variables.kernelNumber < 5010[\s\S]*\nEOF$/);
    expect(steps[0]?.commands).toEqual(['cilium-runbook preflight --target 1.18.2 --values values.yaml']);
    expect(steps[1]?.commands?.[0]).toContain('need=5.10.0');
    expect(steps[1]?.detail).toContain('pool workers-legacy');
    const values = parse(steps[3]?.helmValues ?? '') as { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchExpressions: unknown[] }[] } } } };
    expect(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]?.matchExpressions).toEqual([{ key: KERNEL_COMPAT_LABEL, operator: 'NotIn', values: ['false'] }]);
    expect(agentAffinityValues()).toContain('podAntiAffinity');
  });

  it('kernel options are checked in the image script; a known issue gets no floor script', () => {
    const cfg = preventionSteps({ cause: 'kernel-config-missing', ciliumVersion: '1.16.3', kernelOptions: ['CONFIG_NET_CLS_BPF'] });
    expect(cfg[1]?.commands?.[0]).toMatch(/for opt in CONFIG_NET_CLS_BPF; do/);
    expect(preventionSteps({ cause: 'known-issue', ciliumVersion: '1.18.6' }).map((s) => s.title)).not.toContain('Prevent: check the kernel when the node image is built and when the node boots');
  });
});

describe('fleetPrevention', () => {
  it('one section for the critical fleet-wide causes, none for warnings or other causes', () => {
    const p = fleetPrevention([
      { runbookId: 'kernel-too-old', severity: 'critical', version: '1.15.6', pool: 'workers-legacy' },
      { runbookId: 'agent-unhealthy', severity: 'critical', version: '1.15.6', pool: 'workers' },
    ]);
    expect(p?.causes).toEqual(['kernel-too-old']);
    expect(p?.pools).toEqual(['workers-legacy']);
    expect(p?.steps[1]?.commands?.[0]).toContain('need=4.19.57');
    expect(preventionText(p ?? { causes: [], pools: [], steps: [] })[0]).toBe('Prevention (kernel-too-old in pool workers-legacy): keep the next node or upgrade from breaking the same way');
    expect(fleetPrevention([{ runbookId: 'kernel-too-old', severity: 'warning', version: '1.15.6', pool: null }])).toBeNull();
    expect(fleetPrevention([{ runbookId: 'agent-unhealthy', severity: 'critical', version: null, pool: null }])).toBeNull();
  });
});

describe('kernel-too-old ends a critical finding with the prevention steps', () => {
  it('CI preflight for the running release, the image check at the floor of the pool\'s image, the guard', async () => {
    const { kernelTooOld } = await import('../../../runbooks/catalogue/kernel-too-old.ts');
    const { crashingPod, exampleEvidence, LINES, logChunk, ok, withNode } = await import('../runbooks/fixtures.ts');
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '4.14.336-257.566.amzn2.x86_64', osImage: 'Amazon Linux 2', pool: 'workers-legacy' }),
      agentPod: crashingPod(),
      agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.apiserverInfo, LINES.largePrograms]) }),
    });
    const f = kernelTooOld.match(e);
    expect(f?.severity).toBe('critical');
    const titles = f?.fixSteps.map((s) => s.title) ?? [];
    expect(titles.slice(-4)).toEqual([
      'Prevent: run the upgrade preflight in CI',
      'Prevent: check the kernel when the node image is built and when the node boots',
      'Prevent: refuse nodes below the kernel floor at admission (ValidatingAdmissionPolicy)',
      'Prevent: keep the agent off nodes labelled incompatible',
    ]);
    expect(f?.fixSteps.at(-4)?.commands).toEqual(['cilium-runbook preflight --target 1.16.3 --values values.yaml']);
    expect(f?.fixSteps.at(-3)?.commands?.[0]).toContain('need=5.4.0');
    expect(f?.fixSteps.at(-3)?.detail).toContain('pool workers-legacy');
    expect(f?.fixSteps.at(-2)?.commands?.[0]).toContain('variables.kernelNumber < 5004');
  });
});

describe('preventionBlocks', () => {
  it('a step too long for one section (the admission policy) keeps its YAML whole in a section of its own', () => {
    const p = fleetPrevention([{ runbookId: 'kernel-too-old', severity: 'critical', version: '1.18.2', pool: 'workers-legacy' }]);
    if (p === null) throw new Error('no prevention');
    const texts = preventionBlocks(p).map((b) => (b.type === 'section' ? b.text?.text ?? '' : ''));
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    const yaml = texts.find((t) => t.includes('kind: ValidatingAdmissionPolicy\n'));
    expect(yaml).toMatch(/^```kubectl apply -f - &lt;&lt;'EOF'\n[\s\S]*validationActions: \[Deny\]\nEOF```$/);
    expect(texts.some((t) => t.startsWith('*3. Prevent: refuse nodes below the kernel floor at admission'))).toBe(true);
  });
});

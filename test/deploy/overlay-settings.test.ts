// The overlays as an operator uses them (deploy/README.md): the remediation overlay turns the bot's switch on beside
// its RBAC, the README's own overlays replace the placeholder image, and what they render is a configuration the
// bot accepts (with the Secret's two tokens).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../bot/config.ts';
import { DeploymentSpec } from './k8s-schemas.ts';
import { find, kustomize, parseManifests, REPO, runKubectl, type RenderedObject } from './render.ts';

const readme = readFileSync(join(REPO, 'deploy/README.md'), 'utf8');
const overlays = [...readme.matchAll(/```yaml\n(# my-cluster\/kustomization\.yaml\n[\s\S]*?)```/g)].map((m) => m[1] ?? '');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

async function renderBeside(yaml: string): Promise<RenderedObject[]> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-overlay-'));
  temps.push(dir);
  symlinkSync(join(REPO, 'deploy'), join(dir, 'deploy'));
  mkdirSync(join(dir, 'my-cluster'));
  writeFileSync(join(dir, 'my-cluster', 'kustomization.yaml'), yaml);
  const out = await runKubectl(['kustomize', join(dir, 'my-cluster')]);
  if (out.code !== 0) throw new Error(`kubectl kustomize failed: ${out.stderr}`);
  return parseManifests(out.stdout);
}

const ConfigMapData = z.object({ data: z.record(z.string(), z.string()) });
const botConfig = (objects: RenderedObject[]) => ConfigMapData.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cilium-runbook-config'))).data;
const botImage = (objects: RenderedObject[]) => DeploymentSpec.parse(find(objects, 'Deployment', 'cilium-runbook', 'cilium-runbook')).spec.template.spec.containers[0]?.image;
const tokens = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-2-abc' };

describe('overlays as deploy/README.md uses them', () => {
  it('the remediation overlay sets REMEDIATION_ENABLED and the approver keys; without approvers the bot refuses to start, saying why', async () => {
    const env = botConfig(await kustomize('deploy/overlays/remediation'));
    expect(env).toMatchObject({ REMEDIATION_ENABLED: 'true', REMEDIATION_APPROVERS_LOW: '', REMEDIATION_APPROVERS_MEDIUM: '', REMEDIATION_APPROVERS_HIGH: '' });
    expect(() => loadConfig({ ...env, ...tokens })).toThrow(/REMEDIATION_ENABLED=true needs approvers/);
    // The read-only overlay leaves remediation off.
    expect(botConfig(await kustomize('deploy/overlays/read-only'))).not.toHaveProperty('REMEDIATION_ENABLED');
  });

  it('every README overlay replaces the placeholder image and renders a configuration the bot accepts', async () => {
    const withImages = overlays.filter((o) => /^images:/m.test(o));
    expect(withImages.length).toBeGreaterThanOrEqual(2);
    for (const yaml of withImages) {
      const objects = await renderBeside(yaml);
      expect(botImage(objects)).toBe('registry.example.com/platform/cilium-runbook:0.1.0');
      expect(JSON.stringify(objects)).not.toContain('ghcr.io/example/');
      loadConfig({ ...botConfig(objects), ...tokens });
    }
  });

  it('the README\'s remediation overlay turns remediation on with its approvers', async () => {
    const yaml = overlays.find((o) => o.includes('overlays/remediation'));
    expect(yaml).toBeDefined();
    const config = loadConfig({ ...botConfig(await renderBeside(yaml ?? '')), ...tokens });
    expect(config.remediation.enabled).toBe(true);
    expect(config.remediation.approvers).toEqual({ low: ['S0ONCALL'], medium: ['S0ONCALL'], high: ['U0LEAD1', 'U0LEAD2'] });
  });
});

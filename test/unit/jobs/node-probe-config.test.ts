// NODE_PROBE_*: off by default, and when on, every problem at once with what the variable is for.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../bot/config.ts';
import { ConfigError } from '../../../bot/errors.ts';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-abc', REDIS_URL: 'redis://127.0.0.1:6379', KUBECONFIG: '/tmp/kubeconfig' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('NODE_PROBE_* configuration', () => {
  it('is off unless NODE_PROBE_ENABLED=true', () => {
    expect(loadConfig(base).nodeProbe).toBeUndefined();
    expect(loadConfig({ ...base, NODE_PROBE_IMAGE: 'registry.example/probe:1.0' }).nodeProbe).toBeUndefined();
  });

  it('when on: image required, namespace and timeout defaulted', () => {
    expect(loadConfig({ ...base, NODE_PROBE_ENABLED: 'true', NODE_PROBE_IMAGE: 'registry.example/cilium-runbook-probe:1.0' }).nodeProbe)
      .toEqual({ image: 'registry.example/cilium-runbook-probe:1.0', namespace: 'cilium-runbook-probe', timeoutSeconds: 60 });
    const digest = `registry.example/probe@sha256:${'a'.repeat(64)}`;
    expect(loadConfig({ ...base, NODE_PROBE_ENABLED: 'true', NODE_PROBE_IMAGE: digest, NODE_PROBE_NAMESPACE: 'probes', NODE_PROBE_TIMEOUT: '45s' }).nodeProbe)
      .toEqual({ image: digest, namespace: 'probes', timeoutSeconds: 45 });
  });

  it('reports every NODE_PROBE_* problem at once, each naming its variable', () => {
    const problems = problemsOf({ ...base, NODE_PROBE_ENABLED: 'true', NODE_PROBE_NAMESPACE: 'Bad_NS', NODE_PROBE_TIMEOUT: '2h' });
    expect(problems.map((p) => p.split(/[: ]/)[0])).toEqual(['NODE_PROBE_NAMESPACE', 'NODE_PROBE_TIMEOUT', 'NODE_PROBE_IMAGE']);
    expect(problems.join('\n')).toContain('iptables-legacy-save');
    expect(problemsOf({ ...base, NODE_PROBE_ENABLED: 'maybe' })[0]).toMatch(/^NODE_PROBE_ENABLED/);
    expect(problemsOf({ ...base, NODE_PROBE_ENABLED: 'true', NODE_PROBE_IMAGE: 'Not An Image' })[0]).toMatch(/^NODE_PROBE_IMAGE: "Not An Image" is not an image reference/);
  });
});

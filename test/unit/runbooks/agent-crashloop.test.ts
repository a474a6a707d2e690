import { describe, expect, it } from 'vitest';
import { agentCrashloop, isCrashLooping } from '../../../runbooks/catalogue/agent-crashloop.ts';
import { crashingPod, exampleEvidence, LINES, logChunk, missing, ok } from './fixtures.ts';

describe('agent-crashloop', () => {
  it('quotes the previous container’s last fatal lines and the termination', () => {
    const f = agentCrashloop.match(exampleEvidence({
      agentPod: crashingPod(),
      agentLogs: ok({ current: logChunk([LINES.apiserverInfo]), previous: logChunk([LINES.apiserverInfo, LINES.probeHelper]) }),
    }));
    expect(f?.severity).toBe('critical');
    expect(f?.evidence.map((q) => q.text)).toEqual(expect.arrayContaining([expect.stringContaining('exit code 1 (Error)'), LINES.probeHelper]));
    expect(f?.summary).toContain('its last error was "failed to probe helper"');
  });

  it('still reports when logs are unavailable, saying so', () => {
    const f = agentCrashloop.match(exampleEvidence({ agentPod: crashingPod(), agentLogs: missing('forbidden', 'pods/log is forbidden') }));
    expect(f?.evidence.some((q) => q.text.includes('agent logs unavailable'))).toBe(true);
  });

  it('a ready agent, or one restarted once, is not crash-looping', () => {
    expect(agentCrashloop.match(exampleEvidence())).toBeNull();
    expect(isCrashLooping({ name: 'a', namespace: 'kube-system', phase: 'Running', ready: true, restartCount: 1, containers: [], initContainers: [], conditions: [], lastTermination: { exitCode: 137, reason: 'OOMKilled', finishedAt: null } })).toBe(false);
  });
});

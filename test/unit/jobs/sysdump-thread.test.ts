// The shared sysdump's analysis in a thread of its own: the same result as in-process, refusals keep their kind
// across the thread boundary, and past its budget the thread is stopped with what to do instead.
import { describe, expect, it } from 'vitest';
import { analyseSysdump } from '../../../jobs/sysdump-share/sysdump-analysis.ts';
import { analyseSysdumpInThread, SysdumpTooSlowError } from '../../../jobs/sysdump-share/sysdump-thread.ts';
import { SysdumpError } from '../../../jobs/sysdump/archive-errors.ts';
import { resolveScenario } from '../../../sandbox/scenario/index.ts';
import { scenarioSysdump } from '../../../sandbox/sysdump/index.ts';

describe('analyseSysdumpInThread', () => {
  it('memlock-rlimit: the fleet groups and the one critical node, as analysed in-process', async () => {
    const { name, bytes } = await scenarioSysdump(resolveScenario('memlock-rlimit'));
    const threaded = await analyseSysdumpInThread(bytes, name);
    const local = await analyseSysdump(bytes, name);
    expect(threaded.critical.map((c) => [c.node, c.report.findings[0]?.runbookId])).toEqual([['node-2', 'memlock-rlimit']]);
    expect(threaded.critical.map((c) => c.node)).toEqual(local.critical.map((c) => c.node));
    expect(threaded.fleet.groups.map((g) => g.sentence)).toEqual(local.fleet.groups.map((g) => g.sentence));
    expect(threaded.layout).toBe('cilium-cli-current');
  });

  it('a zip that is not a sysdump: SysdumpError with its problem, from inside the thread', async () => {
    const err = await analyseSysdumpInThread(new TextEncoder().encode('not a zip at all'), 'cilium-sysdump-x.zip').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SysdumpError);
    expect((err as SysdumpError).problem).toBe('foreign');
  });

  it('past the budget the thread is stopped and the error says what to do instead', async () => {
    const { name, bytes } = await scenarioSysdump(resolveScenario('kernel-too-old'));
    const err = await analyseSysdumpInThread(bytes, name, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SysdumpTooSlowError);
    expect((err as Error).message).toContain(`cilium-runbook analyze ${name}`);
  });
});

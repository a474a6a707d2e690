import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCiliumCommand, USAGE } from '../../../bot/command-grammar.ts';
import { InvalidCommandError } from '../../../bot/errors.ts';

function problemOf(text: string): string {
  try {
    parseCiliumCommand(text);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidCommandError);
    return (e as InvalidCommandError).problem;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('/cilium grammar', () => {
  it('parses diagnose with a node, tolerating extra whitespace and case in the verb', () => {
    expect(parseCiliumCommand('diagnose node-7')).toEqual({ kind: 'diagnose', node: 'node-7' });
    expect(parseCiliumCommand('  DIAGNOSE   ip-10-0-1-2.eu-west-1.compute.internal ')).toEqual({
      kind: 'diagnose',
      node: 'ip-10-0-1-2.eu-west-1.compute.internal',
    });
    expect(parseCiliumCommand('diagnose node-7 --cluster prod-eu')).toEqual({ kind: 'diagnose', node: 'node-7', cluster: 'prod-eu' });
    expect(parseCiliumCommand('help')).toEqual({ kind: 'help' });
  });

  it('refuses empty text, unknown subcommands and missing node names with the usage', () => {
    expect(problemOf('')).toMatch(/what to do/);
    expect(problemOf('reboot node-7')).toMatch(/Unknown subcommand "reboot"/);
    expect(problemOf('diagnose')).toMatch(/needs a node name/);
    expect(problemOf('diagnose a b')).toMatch(/one node name/);
    expect(problemOf('diagnose node-7 --force')).toMatch(/Unknown option "--force"/);
    expect(problemOf('diagnose node-7 --cluster')).toMatch(/needs a cluster name/);
    expect(problemOf('diagnose -node')).toMatch(/Unknown option/);
    try {
      parseCiliumCommand('nope');
    } catch (e) {
      expect((e as InvalidCommandError).usage).toBe(USAGE);
    }
  });

  it('refuses node names that are not RFC 1123: shell metacharacters, upper case, unicode, 300 chars', () => {
    for (const bad of ['node-7;rm', '$(id)', 'node`x`', 'Node-7', 'nöde', 'node-', 'a..b', 'x'.repeat(300), 'node|cat']) {
      expect(problemOf(`diagnose ${bad}`)).toMatch(/is not a node name/);
    }
  });

  it('never throws anything but InvalidCommandError, and only accepts RFC 1123 names (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        try {
          const cmd = parseCiliumCommand(text);
          if (cmd.kind === 'diagnose') expect(cmd.node).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidCommandError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parses the incident commands, keeping note text as typed', () => {
    expect(parseCiliumCommand('incidents')).toEqual({ kind: 'incidents' });
    expect(parseCiliumCommand('timeline inc-12')).toEqual({ kind: 'timeline', incidentId: 'INC-12' });
    expect(parseCiliumCommand('export INC-3')).toEqual({ kind: 'export', incidentId: 'INC-3' });
    expect(parseCiliumCommand('resolve INC-3')).toEqual({ kind: 'resolve', incidentId: 'INC-3' });
    expect(parseCiliumCommand('resolve INC-3   kernel  rolled forward ')).toEqual({ kind: 'resolve', incidentId: 'INC-3', note: 'kernel  rolled forward' });
    expect(parseCiliumCommand('note INC-3 drained <node> & cordoned')).toEqual({ kind: 'note', incidentId: 'INC-3', text: 'drained <node> & cordoned' });
    expect(problemOf('note INC-3')).toMatch(/needs text/);
    expect(problemOf('timeline')).toMatch(/one incident id/);
    expect(problemOf('timeline INC-0')).toMatch(/not an incident id/);
    expect(problemOf('export INC-1; rm')).toMatch(/one incident id/);
    expect(problemOf(`note INC-1 ${'x'.repeat(2001)}`)).toMatch(/at most 2000/);
  });
});

// Hostile slash-command text. Part 1: 10,000+ generated texts through the pure grammar (parseCiliumCommand): it
// never throws anything but InvalidCommandError, every accepted node name is RFC 1123, every accepted note fits.
// Part 2: a few hundred through the REAL Bolt app over signed HTTP (sandbox stack, http mode): 200, an ephemeral
// usage error for invalid text, no job queued, no unhandled rejection, no error logged.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL } from '../../sandbox/sandbox-stack.ts';
import { InvalidCommandError } from '../../bot/errors.ts';
import { parseCiliumCommand } from '../../bot/command-grammar.ts';
import { commandText } from './arbitraries.ts';
import { diagnoseJobCount, fuzzStack, rejectionCounter, type FuzzStack } from './stack.ts';

// eslint-disable-next-line no-control-regex -- the point: control characters must not survive into a note
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const VISIBLE = /[^\s\p{Cc}\p{Cf}\p{Cs}]/u;
const RFC1123 = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** The grammar's contract on one text: returns a well-formed command or throws InvalidCommandError with the usage. */
function checkGrammar(text: string): void {
  let parsed;
  try {
    parsed = parseCiliumCommand(text);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidCommandError);
    const err = e as InvalidCommandError;
    expect(err.usage).toMatch(/Usage/);
    // The problem echoes at most a short excerpt of what was typed, never the whole (possibly huge) text.
    expect(err.problem.length).toBeLessThan(400);
    return;
  }
  switch (parsed.kind) {
    case 'diagnose':
      expect(parsed.node).toMatch(RFC1123);
      if (parsed.cluster !== undefined) expect(parsed.cluster).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/);
      break;
    case 'note':
      expect(parsed.text.length).toBeGreaterThan(0);
      expect(parsed.text.length).toBeLessThanOrEqual(2000);
      expect(parsed.text).toMatch(VISIBLE);
      expect(parsed.text).not.toMatch(CONTROL);
      expect(parsed.incidentId).toMatch(/^INC-[1-9][0-9]{0,9}$/);
      break;
    case 'resolve':
      if (parsed.note !== undefined) {
        expect(parsed.note.length).toBeLessThanOrEqual(2000);
        expect(parsed.note).toMatch(VISIBLE);
        expect(parsed.note).not.toMatch(CONTROL);
      }
      expect(parsed.incidentId).toMatch(/^INC-[1-9][0-9]{0,9}$/);
      break;
    case 'timeline':
    case 'export':
      expect(parsed.incidentId).toMatch(/^INC-[1-9][0-9]{0,9}$/);
      break;
    case 'help':
    case 'incidents':
      break;
  }
}

describe('parseCiliumCommand under fuzzing', () => {
  it('20,000 generated texts: only InvalidCommandError, RFC 1123 nodes, notes ≤ 2000', () => {
    fc.assert(fc.property(commandText, checkGrammar), { numRuns: 20_000 });
  });

  it('10,000 fully random strings (any code unit) never throw anything else', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), checkGrammar), { numRuns: 10_000 });
  });

  it('control characters are dropped from notes; the rest of the text keeps its spacing', () => {
    expect(parseCiliumCommand('note INC-3 rolled \u001b[31mback\u0007  the kernel')).toEqual({ kind: 'note', incidentId: 'INC-3', text: 'rolled [31mback  the kernel' });
    expect(parseCiliumCommand('resolve INC-3 \u200b')).toEqual({ kind: 'resolve', incidentId: 'INC-3' });
  });

  it('near misses from the usage are refused with a reason', () => {
    for (const text of ['diagnose node-1 --cluster', 'diagnose --cluster sandbox', 'diagnose node-1 node-2', 'diagnose node-1 --cluster=sandbox',
      'diagnose Node-1', 'diagnose node-1.', 'diagnose node_1', 'diagnose nöde', 'diagnose node-1\u200b', 'diagnose \u202enode-1',
      'timeline INC-0', 'timeline INC-01', 'timeline INC-', 'timeline', 'timeline INC-1 INC-2', 'note INC-1', 'note INC-1 \u200b', 'note INC-1 \u202e\u2066', 'note INC-1 \u0007\u001b',
      'export INC-99999999999', 'help me', 'incidents all', '', '   ', '\u3000', 'diagnose node-1;id', 'diagnose $(id)']) {
      expect(() => parseCiliumCommand(text), text).toThrow(InvalidCommandError);
    }
  });
});

describe('the real Bolt app over signed HTTP under fuzzing', () => {
  const stacks: FuzzStack[] = [];
  afterAll(async () => {
    for (const s of stacks.splice(0)) await s.stop();
  });

  it('400 generated texts: 200, ephemeral usage error for invalid text, nothing queued or posted, no crash', async () => {
    const rejections = rejectionCounter();
    try {
      const s = await fuzzStack(resolveScenario('healthy'), { mode: 'http' });
      stacks.push(s);
      const texts = fc.sample(commandText, { numRuns: 2000, seed: 8 })
        // What the bot receives: form encoding turns lone surrogates into U+FFFD.
        .map((t) => new URLSearchParams(new URLSearchParams({ t }).toString()).get('t') ?? '')
        // A valid `diagnose` of a real node would rightly queue a job; those are not hostile input.
        .filter((t) => { try { return parseCiliumCommand(t).kind !== 'diagnose'; } catch { return true; } })
        .slice(0, 400);
      expect(texts.length).toBe(400);
      let invalid = 0;
      for (let i = 0; i < texts.length; i += 8) {
        await Promise.all(texts.slice(i, i + 8).map(async (text) => {
          const sent = await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'http' });
          expect(sent.status, text).toBe(200);
          let valid = true;
          try {
            parseCiliumCommand(text);
          } catch {
            valid = false;
          }
          if (!valid) {
            invalid++;
            const ack = sent.ackPayload as { response_type?: string; text?: string } | undefined;
            expect(ack?.response_type, text).toBe('ephemeral');
            expect(ack?.text, text).toMatch(/\*Usage\*/);
          }
        }));
      }
      expect(invalid).toBeGreaterThan(300);
      // Valid incident commands for incidents that do not exist answer through response_url: let them finish.
      await new Promise((r) => setTimeout(r, 500));
      // The server still answers, and a normal command still works after the storm.
      const help = await s.slack.slashCommand({ text: 'help', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'http' });
      expect(JSON.stringify(help.ackPayload)).toMatch(/Usage/);
      expect(await diagnoseJobCount(s)).toBe(0);
      expect(s.slack.messages(DEMO_CHANNEL.id)).toEqual([]);
      expect(s.logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
      expect(rejections.reasons).toEqual([]);
    } finally {
      rejections.dispose();
    }
  });
});

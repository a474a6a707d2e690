// `cilium-runbook analyze <file>`: a file of agent JSON (`cilium-dbg status -o json`, `hubble observe -o json` lines,
// a policy) is pasted text for the recogniser, not an evidence document; evidence documents and bad JSON behave as before.
import { describe, expect, it } from 'vitest';
import { analyzeInput, classifyInput, recognisedLine } from '../../../../bot/analyze-input.ts';
import { recognisedLine as slackRecognisedLine } from '../../../../bot/render/pasted-report.ts';
import { analyzeMessageText } from '../../../../bot/pasted-analysis.ts';
import { CNP_MULTI_DOC_1125, HUBBLE_JSON_PRINTER, HUBBLE_JSONPB_PRINTER, STATUS_JSON_18331 } from './structured-samples.ts';

describe('classifyInput with agent JSON and policies', () => {
  it('cilium-dbg status -o json is pasted text and analyses to ipam-exhausted', () => {
    const input = classifyInput(Buffer.from(STATUS_JSON_18331), 'status.json');
    expect(input.kind).toBe('pasted');
    const outcome = analyzeInput(input, {});
    expect(outcome.parts?.map((p) => p.kind)).toEqual(['agent-status-json']);
    expect(outcome.report.findings[0]?.runbookId).toBe('ipam-exhausted');
    expect(recognisedLine(outcome.parts ?? [])).toBe('recognised: cilium-dbg status -o json');
  });

  it('hubble observe -o json lines (not one JSON value) are pasted text, not "not JSON"', () => {
    expect(classifyInput(Buffer.from(`${HUBBLE_JSONPB_PRINTER}\n${HUBBLE_JSON_PRINTER}\n`), 'flows.json').kind).toBe('pasted');
  });

  it('a policy YAML is pasted text; evidence documents and truncated JSON are unchanged', () => {
    const input = classifyInput(Buffer.from(CNP_MULTI_DOC_1125), 'cnp.yaml');
    expect(input.kind).toBe('pasted');
    const parts = analyzeInput(input, {}).parts ?? [];
    expect(recognisedLine(parts)).toBe('recognised: network policies (1 CiliumNetworkPolicy)');
    expect(slackRecognisedLine({ label: 'cnp.yaml', parts })).toBe('Recognised in cnp.yaml: network policies (1 CiliumNetworkPolicy)');
    expect(classifyInput(Buffer.from('{"node":{"name":"n"}}'), 'f').kind).toBe('document');
    expect(() => classifyInput(Buffer.from('{"node":'), 'f')).toThrow(/is not JSON/);
  });
});

describe('the Slack shortcut adapter with agent JSON', () => {
  it('a pasted `cilium-dbg status -o json` is recognised by name and analysed (not taken for an evidence document)', async () => {
    const r = await analyzeMessageText(STATUS_JSON_18331);
    expect(r.parts).toEqual([{ kind: 'agent-status-json', lines: STATUS_JSON_18331.split('\n').length, label: 'cilium-dbg status -o json' }]);
    expect(r.report.findings[0]?.runbookId).toBe('ipam-exhausted');
  });
});

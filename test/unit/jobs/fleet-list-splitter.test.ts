import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListItemSplitter } from '../../../jobs/kube/list-splitter.ts';

// Items with what trips a naive splitter: braces, brackets and quotes inside strings, escapes, multi-byte UTF-8,
// and nested `items` keys (a configMap volume's `items`, as real cilium-agent pods have).
const items = [
  { metadata: { name: 'cilium-a', annotations: { note: 'a } brace, a ] bracket, a "quote" and a \\ backslash {[' } }, spec: { nodeName: 'node-1' } },
  { metadata: { name: 'cilium-b' }, spec: { nodeName: 'nœud-2 ✓', volumes: [{ name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } }] } },
  { metadata: { name: 'cilium-c', labels: { items: 'x' } }, spec: { containers: [], nodeName: 'node-3' }, status: { phase: 'Running' } },
];
const list = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '42', continue: 'tok', remainingItemCount: 7 }, items };
const withoutItems = { ...list, items: [] };

function split(doc: Buffer, cuts: number[]): { items: unknown[]; rest: Record<string, unknown> } {
  const out: unknown[] = [];
  const s = new ListItemSplitter((i) => out.push(i));
  let from = 0;
  for (const cut of [...cuts, doc.length]) {
    s.write(doc.subarray(from, cut));
    from = cut;
  }
  return { items: out, rest: s.end() };
}

describe('ListItemSplitter', () => {
  const doc = Buffer.from(JSON.stringify(list));

  it('hands over every item, parsed, and keeps the rest of the list with `items` empty', () => {
    expect(split(doc, [])).toEqual({ items, rest: withoutItems });
  });

  it('gives the same result wherever the chunks are cut (every byte boundary, including inside UTF-8 sequences)', () => {
    for (let cut = 1; cut < doc.length; cut++) expect(split(doc, [cut])).toEqual({ items, rest: withoutItems });
    const bytes = Array.from({ length: doc.length - 1 }, (_, i) => i + 1);
    expect(split(doc, bytes)).toEqual({ items, rest: withoutItems });
  });

  it('reads metadata that comes after the items, whitespace, and an empty list', () => {
    const after = Buffer.from(`{ "items" : [ ${items.map((i) => JSON.stringify(i)).join(' ,\n ')} ] ,\n "metadata": {"continue": ""}, "kind": "PodList" }`);
    expect(split(after, [5, 40])).toEqual({ items, rest: { items: [], metadata: { continue: '' }, kind: 'PodList' } });
    expect(split(Buffer.from('{"kind":"NodeList","metadata":{},"items":[]}'), [])).toEqual({ items: [], rest: { kind: 'NodeList', metadata: {}, items: [] } });
  });

  it('refuses a response cut short, mid-item or mid-list', () => {
    for (const cut of [doc.length - 1, Math.floor(doc.length / 2), 20]) {
      const s = new ListItemSplitter(() => {});
      s.write(doc.subarray(0, cut));
      expect(() => s.end()).toThrow(/ended before the end/);
    }
  });

  it('lets an error thrown by the consumer stop the read', () => {
    const s = new ListItemSplitter(() => {
      throw new Error('consumer failed');
    });
    expect(() => s.write(doc)).toThrow('consumer failed');
  });

  it('any JSON objects as items, cut anywhere: exactly what JSON.parse gives (property)', () => {
    // Strings full of what the scan jumps to (quotes, backslashes, brackets) and multi-byte characters.
    const text = fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', 'a', 'é', '✓', ' ', 'items'), maxLength: 12 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(text, tie('node'), { maxKeys: 3 })),
    })).node;
    const item = fc.dictionary(text, value, { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (things, rawCuts) => {
        const whole = { kind: 'List', metadata: { continue: 'c' }, items: things };
        const doc = Buffer.from(JSON.stringify(whole));
        const cuts = [...new Set(rawCuts.map((c) => c % doc.length))].filter((c) => c > 0).sort((a, b) => a - b);
        expect(split(doc, cuts)).toEqual({ items: things, rest: { ...whole, items: [] } });
      }),
      { numRuns: 500 },
    );
  });
});


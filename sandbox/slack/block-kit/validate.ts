// Block Kit validation for messages, modelled on what chat.postMessage answers (protocols.md A.4):
// limits per block type, unknown types, plain_text where required, duplicate ids, 50 blocks per message.
import { checkArray, checkString, checkText, isObject, Problems } from './checks.ts';
import { checkElement } from './elements.ts';

export const MAX_MESSAGE_BLOCKS = 50;

const CONTEXT_ELEMENT_TEXT = new Set(['plain_text', 'mrkdwn']);
const ACTIONS_ELEMENTS = (t: string): boolean => t !== 'image' && t !== 'plain_text_input' && t !== 'file_input';
const ACCESSORY_ELEMENTS = (t: string): boolean => t !== 'plain_text_input' && t !== 'file_input' && t !== 'rich_text_input';
const INPUT_ELEMENTS = (t: string): boolean => t !== 'button' && t !== 'image' && t !== 'overflow' && t !== 'workflow_button';

type BlockCheck = (p: Problems, b: Record<string, unknown>, at: string) => void;

const BLOCKS: Record<string, BlockCheck> = {
  section(p, b, at) {
    if (b.text === undefined && b.fields === undefined) p.add('missing required field: text', at);
    checkText(p, b.text, `${at}/text`, { kind: 'any', max: 3000, parentPointer: at, name: 'text' });
    const fields = checkArray(p, b.fields, `${at}/fields`, { min: 1, max: 10, parentPointer: at, name: 'fields' });
    fields?.forEach((f, i) =>
      checkText(p, f, `${at}/fields/${i}`, { kind: 'any', max: 2000, required: true, parentPointer: at, name: 'fields' }),
    );
    if (b.accessory !== undefined) checkElement(p, b.accessory, `${at}/accessory`, ACCESSORY_ELEMENTS);
  },
  divider() {},
  header(p, b, at) {
    checkText(p, b.text, `${at}/text`, { kind: 'plain_text', max: 150, required: true, parentPointer: at, name: 'text' });
  },
  context(p, b, at) {
    const els = checkArray(p, b.elements, `${at}/elements`, { min: 1, max: 10, required: true, parentPointer: at, name: 'elements' });
    els?.forEach((e, i) => {
      const ep = `${at}/elements/${i}`;
      if (isObject(e) && typeof e.type === 'string' && CONTEXT_ELEMENT_TEXT.has(e.type)) {
        checkText(p, e, ep, { kind: 'any', max: 3000, required: true, parentPointer: ep, name: 'text' });
      } else {
        checkElement(p, e, ep, (t) => t === 'image');
      }
    });
  },
  actions(p, b, at) {
    const els = checkArray(p, b.elements, `${at}/elements`, { min: 1, max: 25, required: true, parentPointer: at, name: 'elements' });
    const seen = new Set<string>();
    els?.forEach((e, i) => {
      checkElement(p, e, `${at}/elements/${i}`, ACTIONS_ELEMENTS);
      const id = isObject(e) ? e.action_id : undefined;
      if (typeof id === 'string') {
        if (seen.has(id)) p.add(`duplicate action_id: ${id}`, `${at}/elements/${i}/action_id`);
        seen.add(id);
      }
    });
  },
  image(p, b, at) {
    checkString(p, b.image_url, `${at}/image_url`, { max: 3000, min: 1, required: b.slack_file === undefined, name: 'image_url' }, at);
    checkString(p, b.alt_text, `${at}/alt_text`, { max: 2000, min: 1, required: true, name: 'alt_text' }, at);
    checkText(p, b.title, `${at}/title`, { kind: 'plain_text', max: 2000, parentPointer: at, name: 'title' });
  },
  rich_text(p, b, at) {
    checkArray(p, b.elements, `${at}/elements`, { min: 1, max: 100, required: true, parentPointer: at, name: 'elements' });
  },
  markdown(p, b, at) {
    checkString(p, b.text, `${at}/text`, { max: 12_000, min: 1, required: true, name: 'text' }, at);
  },
  input(p, b, at) {
    checkText(p, b.label, `${at}/label`, { kind: 'plain_text', max: 2000, required: true, parentPointer: at, name: 'label' });
    if (b.element === undefined) p.add('missing required field: element', at);
    else checkElement(p, b.element, `${at}/element`, INPUT_ELEMENTS);
    checkText(p, b.hint, `${at}/hint`, { kind: 'plain_text', max: 2000, parentPointer: at, name: 'hint' });
  },
  file(p, b, at) {
    checkString(p, b.external_id, `${at}/external_id`, { max: 255, min: 1, required: true, name: 'external_id' }, at);
  },
  video(p, b, at) {
    checkString(p, b.video_url, `${at}/video_url`, { max: 3000, min: 1, required: true, name: 'video_url' }, at);
    checkText(p, b.title, `${at}/title`, { kind: 'plain_text', max: 200, required: true, parentPointer: at, name: 'title' });
  },
  table(p, b, at) {
    checkArray(p, b.rows, `${at}/rows`, { min: 1, max: 100, required: true, parentPointer: at, name: 'rows' });
  },
};

/** Error strings in Slack's format; empty when the blocks would be accepted. */
export function validateBlocks(blocks: unknown[], root = '/blocks', maxBlocks = MAX_MESSAGE_BLOCKS): string[] {
  const p = new Problems();
  if (blocks.length > maxBlocks) p.add(`no more than ${maxBlocks} items allowed`, root);
  const blockIds = new Set<string>();
  blocks.forEach((b, i) => {
    const at = `${root}/${i}`;
    if (!isObject(b)) return p.add('must be an object', at);
    if (typeof b.type !== 'string') return p.add('missing required field: type', at);
    const check = BLOCKS[b.type];
    if (!check) return p.add(`unsupported type: ${b.type}`, `${at}/type`);
    if (b.block_id !== undefined) {
      checkString(p, b.block_id, `${at}/block_id`, { max: 255, min: 1 });
      if (typeof b.block_id === 'string') {
        if (blockIds.has(b.block_id)) p.add(`duplicate block_id: ${b.block_id}`, `${at}/block_id`);
        blockIds.add(b.block_id);
      }
    }
    check(p, b, at);
  });
  return p.errors;
}

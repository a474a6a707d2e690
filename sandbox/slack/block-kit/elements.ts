// Interactive elements (buttons, selects, overflow...) and confirm dialogs, with the limits of
// @slack/types block-elements.d.ts / composition-objects.d.ts. Buttons are checked in full; other
// elements get their common fields checked (action_id, placeholder, options).
import { checkArray, checkString, checkText, isObject, type Problems } from './checks.ts';

const SELECT_TYPES = new Set([
  'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select',
  'multi_static_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select',
  'multi_channels_select',
]);
const OTHER_INTERACTIVE = new Set([
  'overflow', 'datepicker', 'timepicker', 'datetimepicker', 'checkboxes', 'radio_buttons',
  'plain_text_input', 'number_input', 'email_text_input', 'url_text_input', 'rich_text_input',
  'file_input', 'workflow_button',
]);

export function isKnownElementType(type: string): boolean {
  return type === 'button' || type === 'image' || SELECT_TYPES.has(type) || OTHER_INTERACTIVE.has(type);
}

export function checkConfirm(p: Problems, value: unknown, pointer: string): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    p.add('must be an object', pointer);
    return;
  }
  checkText(p, value.title, `${pointer}/title`, { kind: 'plain_text', max: 100, required: true, parentPointer: pointer, name: 'title' });
  checkText(p, value.text, `${pointer}/text`, { kind: 'any', max: 300, required: true, parentPointer: pointer, name: 'text' });
  checkText(p, value.confirm, `${pointer}/confirm`, { kind: 'plain_text', max: 30, required: true, parentPointer: pointer, name: 'confirm' });
  checkText(p, value.deny, `${pointer}/deny`, { kind: 'plain_text', max: 30, required: true, parentPointer: pointer, name: 'deny' });
  if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
    p.add('must be a valid enum value', `${pointer}/style`);
  }
}

function checkOptions(p: Problems, value: unknown, pointer: string, parent: string, max: number, min = 1): void {
  const options = checkArray(p, value, pointer, { min, max, parentPointer: parent, name: 'options' });
  options?.forEach((o, i) => {
    const at = `${pointer}/${i}`;
    if (!isObject(o)) return p.add('must be an object', at);
    checkText(p, o.text, `${at}/text`, { kind: 'any', max: 75, required: true, parentPointer: at, name: 'text' });
    checkString(p, o.value, `${at}/value`, { max: 150, required: true, name: 'value' }, at);
  });
}

/** Validates one element; `allowed` says which element types the containing block accepts. */
export function checkElement(p: Problems, value: unknown, pointer: string, allowed: (type: string) => boolean): void {
  if (!isObject(value)) {
    p.add('must be an object', pointer);
    return;
  }
  const type = value.type;
  if (typeof type !== 'string') {
    p.add('missing required field: type', pointer);
    return;
  }
  if (!isKnownElementType(type) || !allowed(type)) {
    p.add(`unsupported type: ${type}`, `${pointer}/type`);
    return;
  }
  if (type === 'image') {
    checkString(p, value.image_url, `${pointer}/image_url`, { max: 3000, min: 1, name: 'image_url', required: value.slack_file === undefined }, pointer);
    checkString(p, value.alt_text, `${pointer}/alt_text`, { max: 2000, min: 1, required: true, name: 'alt_text' }, pointer);
    return;
  }
  checkString(p, value.action_id, `${pointer}/action_id`, { max: 255, min: 1 });
  checkConfirm(p, value.confirm, `${pointer}/confirm`);
  if (type === 'button') {
    checkText(p, value.text, `${pointer}/text`, { kind: 'plain_text', max: 75, required: true, parentPointer: pointer, name: 'text' });
    checkString(p, value.value, `${pointer}/value`, { max: 2000, min: 1 });
    checkString(p, value.url, `${pointer}/url`, { max: 3000, min: 1 });
    checkString(p, value.accessibility_label, `${pointer}/accessibility_label`, { max: 75, min: 1 });
    if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
      p.add('must be a valid enum value', `${pointer}/style`);
    }
    return;
  }
  if (value.placeholder !== undefined) {
    checkText(p, value.placeholder, `${pointer}/placeholder`, { kind: 'plain_text', max: 150, parentPointer: pointer, name: 'placeholder' });
  }
  if (type === 'overflow') checkOptions(p, value.options, `${pointer}/options`, pointer, 5, 1);
  else if (type === 'static_select' || type === 'multi_static_select') {
    if (value.option_groups === undefined) checkOptions(p, value.options, `${pointer}/options`, pointer, 100);
  } else if (type === 'checkboxes' || type === 'radio_buttons') checkOptions(p, value.options, `${pointer}/options`, pointer, 10);
}

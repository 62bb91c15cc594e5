// The filter builder: rows of attribute / operator / value that produce SPEC's `filters` JSON list.
// It types values by attribute (numbers, booleans, lists) but leaves judging them to the API, whose
// 400 message the views show as it is.
import { h, clear } from './dom.js';

const STRING = 'string';
const NUMBER = 'number';
const BOOLEAN = 'boolean';
const LIST = 'list';
const DATES = 'dates';
const JSON_ = 'json';

// Every attribute of SPEC "Filters" (seed 002's table, mobile and web); JSON ones take a path.
export const ATTRIBUTES = [
  ['date_range', DATES],
  ['app_version', STRING],
  ['device_class', STRING],
  ['device_id', STRING],
  ['device_manufacturer', STRING],
  ['device_model', STRING],
  ['device_os_name', STRING],
  ['device_os_version', STRING],
  ['device_platform', STRING],
  ['device_type', STRING],
  ['sdk_version', STRING],
  ['browser_name', STRING],
  ['browser_version', STRING],
  ['device_country', STRING],
  ['device_city', STRING],
  ['referer', STRING],
  ['referer_domain', STRING],
  ['utm', JSON_],
  ['user_first_screen_name', STRING],
  ['user_first_referer', STRING],
  ['user_first_referer_domain', STRING],
  ['user_first_utm', JSON_],
  ['event_name', LIST],
  ['session_screen_list', LIST],
  ['session_id', STRING],
  ['user_id', STRING],
  ['uxcamuserid', STRING],
  ['user_name', STRING],
  ['session_crashed', BOOLEAN],
  ['session_has_video', BOOLEAN],
  ['session_duration', NUMBER],
  ['session_gesture_count', NUMBER],
  ['session_rage_gesture_count', NUMBER],
  ['session_responsive_gesture_count', NUMBER],
  ['session_unresponsive_gesture_count', NUMBER],
  ['session_screen_count', NUMBER],
  ['session_unique_screen_count', NUMBER],
  ['session_number_of_user', NUMBER],
  ['user_metadata', JSON_],
  ['user_custom_property', JSON_],
];
const KIND = Object.fromEntries(ATTRIBUTES);

/** The string attributes sessions can be grouped by (analytics), besides JSON paths. */
export const GROUPABLE = ATTRIBUTES.filter(([name, kind]) => kind === STRING && name !== 'session_id').map(([name]) => name);

export const OPERATORS = [
  'equal',
  'not_equal',
  'in',
  'not_in',
  'contains',
  'greater_than',
  'less_than',
  'between',
  'is_set',
  'is_not_set',
];
const NO_VALUE = new Set(['is_set', 'is_not_set']);
const MANY = new Set(['in', 'not_in', 'between']);

/** One value typed by the attribute's kind: what a person types into a text box becomes JSON. */
export function typedValue(kind, text) {
  const raw = text.trim();
  if (kind === NUMBER) return raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (kind === BOOLEAN) return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (kind === JSON_) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw; // a bare word is a string
    }
  }
  return raw;
}

/** The SPEC filter of one row's inputs. */
export function toFilter({ attribute, path, operator, value, lower, upper }) {
  const kind = KIND[attribute];
  // A JSON attribute with a path is `<attribute>.<path>`; utm and user_first_utm also stand alone.
  const name = kind === JSON_ && path.trim() !== '' ? `${attribute}.${path.trim()}` : attribute;
  if (kind === DATES) {
    return {
      attribute: name,
      operator: 'between_dates',
      value: { lower: lower ? `${lower}T00:00:00Z` : '', upper: upper ? `${upper}T23:59:59.999Z` : '' },
    };
  }
  if (NO_VALUE.has(operator)) return { attribute: name, operator };
  if (MANY.has(operator)) {
    const parts = value.split(',');
    const given = parts.filter((part) => part.trim() !== ''); // 'a, b,' is [a, b]; '' stays [''] for the API to judge
    return { attribute: name, operator, value: (given.length ? given : parts).map((part) => typedValue(kind, part)) };
  }
  return { attribute: name, operator, value: typedValue(kind, value) };
}

const HINTS = {
  in: 'a, b, c',
  not_in: 'a, b, c',
  between: 'low, high',
};

let rowIds = 0;

/** The builder: `element` to place in a form, `filters()` the current list (or undefined). */
export function filterBuilder(onChange = () => {}) {
  const rows = [];
  const list = h('ol', { class: 'filter-rows' });
  const preview = h('output', { class: 'filters-json', 'aria-label': 'Filters JSON' });

  function changed() {
    rows.forEach((row, index) => row.number(index + 1));
    const current = filters();
    preview.textContent = current ? JSON.stringify(current) : '';
    onChange(current);
  }

  function filters() {
    return rows.length ? rows.map((row) => toFilter(row.read())) : undefined;
  }

  function addRow(initial = {}) {
    const id = ++rowIds;
    const attribute = h(
      'select',
      { id: `f${id}-attribute` },
      ATTRIBUTES.map(([name]) => h('option', { value: name, selected: name === (initial.attribute || 'device_model') }, name)),
    );
    const path = h('input', { id: `f${id}-path`, autocomplete: 'off', placeholder: 'plan or order.total', value: initial.path || '' });
    const operator = h(
      'select',
      { id: `f${id}-operator` },
      OPERATORS.map((name) => h('option', { value: name, selected: name === (initial.operator || 'equal') }, name)),
    );
    const value = h('input', { id: `f${id}-value`, autocomplete: 'off', value: initial.value || '' });
    const lower = h('input', { id: `f${id}-lower`, type: 'date', value: initial.lower || '' });
    const upper = h('input', { id: `f${id}-upper`, type: 'date', value: initial.upper || '' });
    const remove = h('button', { type: 'button', class: 'remove' }, 'Remove');
    const labels = {
      attribute: h('label', { for: attribute.id }),
      path: h('label', { for: path.id }),
      operator: h('label', { for: operator.id }),
      value: h('label', { for: value.id }),
      lower: h('label', { for: lower.id }),
      upper: h('label', { for: upper.id }),
    };
    const pathField = h('span', { class: 'field' }, labels.path, path);
    const operatorField = h('span', { class: 'field' }, labels.operator, operator);
    const valueField = h('span', { class: 'field' }, labels.value, value);
    const datesField = h('span', { class: 'field' }, labels.lower, lower, labels.upper, upper);
    const item = h(
      'li',
      { class: 'filter-row' },
      h('span', { class: 'field' }, labels.attribute, attribute),
      pathField,
      operatorField,
      valueField,
      datesField,
      remove,
    );

    function layout() {
      const kind = KIND[attribute.value];
      pathField.hidden = kind !== JSON_;
      datesField.hidden = kind !== DATES;
      operatorField.hidden = kind === DATES;
      valueField.hidden = kind === DATES || NO_VALUE.has(operator.value);
      value.placeholder = HINTS[operator.value] || (kind === NUMBER ? '0' : kind === BOOLEAN ? 'true' : '');
    }

    const row = {
      read: () => ({
        attribute: attribute.value,
        path: path.value,
        operator: operator.value,
        value: value.value,
        lower: lower.value,
        upper: upper.value,
      }),
      number: (n) => {
        labels.attribute.textContent = `Filter ${n} attribute`;
        labels.path.textContent = `Filter ${n} path`;
        labels.operator.textContent = `Filter ${n} operator`;
        labels.value.textContent = `Filter ${n} value`;
        labels.lower.textContent = `Filter ${n} from`;
        labels.upper.textContent = `Filter ${n} to`;
        remove.setAttribute('aria-label', `Remove filter ${n}`);
      },
    };
    for (const input of [attribute, operator]) input.addEventListener('change', () => (layout(), changed()));
    for (const input of [path, value, lower, upper]) input.addEventListener('input', changed);
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1);
      item.remove();
      changed();
    });
    rows.push(row);
    list.append(item);
    layout();
    changed();
    return row;
  }

  const add = h('button', { type: 'button', onclick: () => addRow() }, 'Add filter');
  const element = h('fieldset', { class: 'filters' }, h('legend', {}, 'Filters'), list, add, preview);
  return {
    element,
    filters,
    addRow,
    read: () => rows.map((row) => row.read()),
    clearRows: () => {
      rows.length = 0;
      clear(list);
      changed();
    },
  };
}

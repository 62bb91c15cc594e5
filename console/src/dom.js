// A tiny element builder. Text always goes in as text nodes, never as HTML, so data from the API
// cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Unix milliseconds as a UTC timestamp, the way analytics buckets days. */
export function when(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

/** A hash link inside the console (ids are encoded, so any character survives). */
export function link(text, ...segments) {
  return h('a', { href: '#/' + segments.map((s) => encodeURIComponent(s)).join('/') }, text);
}

/** An error box that screen readers announce; empty when there is no error. */
export function alertBox() {
  return h('p', { class: 'error', role: 'alert' });
}

export function showError(box, error) {
  box.textContent = error ? (error.code ? `${error.message} (${error.code})` : String(error.message || error)) : '';
}

/** A table of key/value pairs (metadata, metacounter); an empty note when there are none. */
export function pairs(caption, object) {
  const entries = Object.entries(object || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.length) return h('section', {}, h('h3', {}, caption), h('p', { class: 'muted' }, 'None.'));
  return h(
    'section',
    {},
    h('h3', {}, caption),
    h(
      'table',
      { class: 'pairs', 'aria-label': caption },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'key'), h('th', { scope: 'col' }, 'value'))),
      h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, String(v))))),
    ),
  );
}

export function document_(caption, value) {
  return h('section', {}, h('h3', {}, caption), h('pre', { class: 'json', 'aria-label': caption }, json(value)));
}

/** A list table: columns are [header, row => cell]. */
export function table(label, columns, rows) {
  return h(
    'table',
    { class: 'list', 'aria-label': label },
    h('thead', {}, h('tr', {}, columns.map(([title]) => h('th', { scope: 'col' }, title)))),
    h(
      'tbody',
      {},
      rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row))))),
    ),
  );
}

import { get } from '../api.js';
import { h, link, when, table } from '../dom.js';
import { filterBuilder } from '../filters.js';
import { pager } from '../pager.js';

export const STATUSES = ['RUNNING', 'COMPLETED', 'TIMED_OUT', 'ERROR'];

export function sessionTable(sessions) {
  return table(
    'Sessions',
    [
      ['id', (s) => link(s.id, 'sessions', s.id)],
      ['status', (s) => h('span', { class: `status status-${s.status}` }, s.status)],
      ['user', (s) => (s.user_id ? link(s.user_id, 'users', s.user_id) : '—')],
      ['device', (s) => [s.device && s.device.model, s.device && s.device.platform].filter(Boolean).join(' · ')],
      ['created', (s) => when(s.created_at)],
      ['duration (s)', (s) => s.duration_s],
      ['events', (s) => s.event_count],
    ],
    sessions,
  );
}

// The search survives a visit to a session and back (not the URL: nothing of it goes in one).
const state = { q: '', status: '', rows: [] };

export function renderSessions(main) {
  const q = h('input', {
    id: 'sessions-q',
    name: 'q',
    autocomplete: 'off',
    spellcheck: 'false',
    value: state.q,
    placeholder: "user_metadata['plan']:'pro' AND user_metadata['age']>=30",
  });
  const status = h(
    'select',
    { id: 'sessions-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    STATUSES.map((name) => h('option', { value: name, selected: name === state.status }, name)),
  );
  const builder = filterBuilder();
  for (const row of state.rows) builder.addRow(row);

  const list = pager(
    'Sessions',
    (cursor) => {
      const filters = builder.filters();
      return get('sessions', {
        limit: 20,
        next: cursor,
        q: q.value.trim() || undefined,
        status: status.value || undefined,
        filters: filters ? JSON.stringify(filters) : undefined,
      });
    },
    sessionTable,
  );
  const form = h(
    'form',
    {
      class: 'search',
      'aria-label': 'Search sessions',
      onsubmit: (event) => {
        event.preventDefault();
        state.q = q.value;
        state.status = status.value;
        state.rows = builder.read();
        list.reload();
      },
    },
    h('div', { class: 'toolbar' }, h('label', { for: q.id }, 'Query (q)'), q, h('label', { for: status.id }, 'Status'), status),
    builder.element,
    h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary' }, 'Search')),
  );
  main.append(h('h2', {}, 'Sessions'), form, list.element);
  list.reload();
}

import { get } from '../api.js';
import { h, link, when, pairs, document_, table, alertBox, showError } from '../dom.js';
import { pager } from '../pager.js';
import { sessionTable } from './sessions.js';

function metadataCell(metadata) {
  const keys = Object.keys(metadata || {}).sort();
  return keys.length ? h('span', { class: 'chips' }, keys.map((k) => h('span', { class: 'chip' }, `${k}=${metadata[k]}`))) : '';
}

export function renderUsers(main) {
  const key = h('input', { id: 'users-key', name: 'metadatakey', autocomplete: 'off' });
  const values = h('input', { id: 'users-values', name: 'metadatavalues_in', autocomplete: 'off', placeholder: 'v1,v2' });
  const list = pager(
    'Users',
    (cursor) =>
      get('users', {
        limit: 20,
        next: cursor,
        metadatakey: key.value.trim() || undefined,
        metadatavalues_in: key.value.trim() ? values.value : undefined,
      }),
    (users) =>
      table(
        'Users',
        [
          ['user_id', (u) => link(u.user_id, 'users', u.user_id)],
          ['nickname', (u) => u.nickname],
          ['metadata', (u) => metadataCell(u.metadata)],
          ['created', (u) => when(u.created_at)],
        ],
        users,
      ),
  );
  const form = h(
    'form',
    {
      class: 'toolbar',
      'aria-label': 'Filter users',
      onsubmit: (event) => {
        event.preventDefault();
        list.reload();
      },
    },
    h('label', { for: 'users-key' }, 'Metadata key'),
    key,
    h('label', { for: 'users-values' }, 'Values'),
    values,
    h('button', { type: 'submit' }, 'Filter'),
  );
  main.append(h('h2', {}, 'Users'), form, list.element);
  list.reload();
}

export async function renderUser(main, userId) {
  const error = alertBox();
  main.append(h('p', {}, link('← Users', 'users')), h('h2', {}, 'User ', h('code', {}, userId)), error);
  try {
    const user = await get(['users', userId]);
    main.append(
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'nickname'),
        h('dd', {}, user.nickname || '—'),
        h('dt', {}, 'profile_url'),
        h('dd', {}, user.profile_url || '—'),
        h('dt', {}, 'created'),
        h('dd', {}, when(user.created_at)),
      ),
      pairs('Metadata', user.metadata),
      document_('Meta', user.meta),
    );
    const sessions = pager(
      'Sessions of the user',
      (cursor) => get(['users', userId, 'sessions'], { limit: 20, next: cursor }),
      (items) => sessionTable(items),
    );
    main.append(h('h3', {}, 'Sessions'), sessions.element);
    sessions.reload();
  } catch (err) {
    showError(error, err);
  }
}

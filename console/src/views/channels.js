import { get } from '../api.js';
import { h, link, when, pairs, document_, table, alertBox, showError } from '../dom.js';
import { pager } from '../pager.js';

export const CHANNEL_TYPES = { open_channels: 'Open channels', group_channels: 'Group channels' };

function counters(metacounter) {
  const keys = Object.keys(metacounter || {}).sort();
  return keys.length ? h('span', { class: 'chips' }, keys.map((k) => h('span', { class: 'chip' }, `${k}: ${metacounter[k]}`))) : '';
}

export function renderChannels(main, type) {
  const key = h('input', { id: 'channels-key', autocomplete: 'off' });
  const values = h('input', { id: 'channels-values', autocomplete: 'off', placeholder: 'v1,v2' });
  const list = pager(
    CHANNEL_TYPES[type],
    (cursor) =>
      get(type, {
        limit: 20,
        next: cursor,
        metadata_key: key.value.trim() || undefined,
        metadata_values: key.value.trim() ? values.value : undefined,
      }),
    (channels) =>
      table(
        CHANNEL_TYPES[type],
        [
          ['channel_url', (c) => link(c.channel_url, 'channels', type, c.channel_url)],
          ['name', (c) => c.name],
          ['metacounter', (c) => counters(c.metacounter)],
          ['metadata keys', (c) => Object.keys(c.metadata || {}).length],
          ['created', (c) => when(c.created_at)],
        ],
        channels,
      ),
  );
  const form = h(
    'form',
    {
      class: 'toolbar',
      'aria-label': 'Filter channels',
      onsubmit: (event) => {
        event.preventDefault();
        list.reload();
      },
    },
    h('label', { for: 'channels-key' }, 'Metadata key'),
    key,
    h('label', { for: 'channels-values' }, 'Values'),
    values,
    h('button', { type: 'submit' }, 'Filter'),
  );
  main.append(h('h2', {}, CHANNEL_TYPES[type]), form, list.element);
  list.reload();
}

export async function renderChannel(main, type, url) {
  const error = alertBox();
  main.append(h('p', {}, link(`← ${CHANNEL_TYPES[type]}`, 'channels', type)), h('h2', {}, 'Channel ', h('code', {}, url)), error);
  try {
    const channel = await get([type, url]);
    main.append(
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'name'),
        h('dd', {}, channel.name || '—'),
        h('dt', {}, 'created'),
        h('dd', {}, when(channel.created_at)),
      ),
      pairs('Metacounter', channel.metacounter),
      pairs('Metadata', channel.metadata),
      document_('Meta', channel.meta),
      h('section', {}, h('h3', {}, 'Data'), h('pre', { class: 'json', 'aria-label': 'Data' }, channel.data || '—')),
    );
    const messages = pager(
      'Messages',
      (cursor) => get([type, url, 'messages'], { limit: 20, next: cursor }),
      (items) =>
        table(
          'Messages',
          [
            ['id', (m) => m.message_id],
            ['user', (m) => (m.user_id ? link(m.user_id, 'users', m.user_id) : '—')],
            ['message', (m) => m.message],
            [
              'sorted_metaarray',
              (m) => h('span', { class: 'chips' }, (m.sorted_metaarray || []).map((e) => h('span', { class: 'chip' }, `${e.key}: ${e.value.join(', ')}`))),
            ],
            ['sent', (m) => when(m.created_at)],
          ],
          items,
        ),
    );
    main.append(h('h3', {}, 'Messages'), messages.element);
    messages.reload();
  } catch (err) {
    showError(error, err);
  }
}

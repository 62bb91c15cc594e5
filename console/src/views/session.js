import { get } from '../api.js';
import { h, link, when, document_, alertBox, showError } from '../dom.js';

const PAGE = 20;

function fact(name, value) {
  return [h('dt', {}, name), h('dd', {}, value === null || value === undefined || value === '' ? '—' : value)];
}

function eventItem(event) {
  return h(
    'li',
    { class: `event event-${event.type}` },
    h('time', { datetime: new Date(event.timestamp).toISOString() }, when(event.timestamp)),
    h('span', { class: 'event-type' }, event.type),
    h('span', { class: 'event-name' }, event.name || ''),
    event.properties !== null && event.properties !== undefined
      ? h('code', { class: 'event-properties' }, JSON.stringify(event.properties))
      : '',
  );
}

export async function renderSession(main, sessionId) {
  const error = alertBox();
  main.append(h('p', {}, link('← Sessions', 'sessions')), h('h2', {}, 'Session ', h('code', {}, sessionId)), error);
  let session;
  try {
    session = await get(['sessions', sessionId]);
  } catch (err) {
    showError(error, err);
    return;
  }
  const device = session.device || {};
  const location = session.location || {};
  main.append(
    h(
      'dl',
      { class: 'facts' },
      fact('status', h('span', { class: `status status-${session.status}` }, session.status)),
      fact('user', session.user_id ? link(session.user_id, 'users', session.user_id) : null),
      fact('session number', session.session_number),
      fact('created', when(session.created_at)),
      fact('last event', when(session.last_event_at)),
      fact('ended', when(session.ended_at)),
      fact('duration (s)', session.duration_s),
      fact('events', session.event_count),
      fact('screens', `${session.screen_count} (${session.unique_screen_count} unique)`),
      fact('gestures', `${session.gesture_count} (${session.rage_gesture_count} rage)`),
      fact('device', [device.manufacturer, device.model, device.platform, device.os_version].filter(Boolean).join(' · ')),
      fact('app version', device.app_version),
      fact('location', [location.city, location.country].filter(Boolean).join(', ')),
    ),
    document_('User metadata', session.user_metadata),
  );

  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Events' });
  const more = h('button', { type: 'button', hidden: true }, 'Load more events');
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const eventsError = alertBox();
  let cursor = null;
  let shown = 0;

  async function load() {
    more.disabled = true;
    showError(eventsError, null);
    try {
      const page = await get(['sessions', sessionId, 'events'], { limit: PAGE, next: cursor });
      timeline.append(...page.data.map(eventItem));
      shown += page.data.length;
      cursor = page.next;
      more.hidden = !cursor;
      count.textContent = cursor ? `${shown} events shown, oldest first; more to load.` : `${shown} events, oldest first.`;
    } catch (err) {
      showError(eventsError, err);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', load);
  main.append(h('section', { 'aria-label': 'Event timeline' }, h('h3', {}, 'Events'), eventsError, timeline, count, more));
  await load();
}

import { h, clear, alertBox, showError } from './dom.js';

/**
 * A paged list: `load(cursor)` fetches one page ({data, next}); `render(items)` draws it. Previous
 * pages are kept as the cursors that led to them, so Previous needs no cursor from the API.
 */
export function pager(label, load, render) {
  const body = h('div', { class: 'page-body' });
  const error = alertBox();
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  const previous = h('button', { type: 'button', disabled: true }, 'Previous page');
  const next = h('button', { type: 'button', disabled: true }, 'Next page');
  const cursors = [null];
  let nextCursor = null;

  async function show(index) {
    showError(error, null);
    status.textContent = 'Loading…';
    try {
      const page = await load(cursors[index]);
      cursors.length = index + 1;
      nextCursor = page.next;
      clear(body).append(render(page.data));
      status.textContent = page.data.length ? `Page ${index + 1}` : 'Nothing found.';
      previous.disabled = index === 0;
      next.disabled = !nextCursor;
    } catch (err) {
      clear(body);
      status.textContent = '';
      showError(error, err);
    }
  }

  previous.addEventListener('click', () => show(Math.max(0, cursors.length - 2)));
  next.addEventListener('click', () => {
    cursors.push(nextCursor);
    show(cursors.length - 1);
  });
  const element = h('section', { class: 'pager', 'aria-label': label }, error, body, h('nav', { class: 'pages' }, previous, next, status));
  return { element, reload: () => show(0) };
}

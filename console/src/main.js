// Annex console: a token once (sessionStorage), then hash routes for each view. Every request goes
// to the API that served this page; the Content-Security-Policy it is served with enforces that.
import { get, token, whenUnauthorized } from './api.js';
import { h, clear, alertBox, showError } from './dom.js';
import { renderUsers, renderUser } from './views/users.js';
import { renderChannels, renderChannel, CHANNEL_TYPES } from './views/channels.js';
import { renderSessions } from './views/sessions.js';
import { renderSession } from './views/session.js';
import { renderAnalytics } from './views/analytics.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
let refusal = '';

const NAV = [
  ['Users', '#/users'],
  ['Open channels', '#/channels/open_channels'],
  ['Group channels', '#/channels/group_channels'],
  ['Sessions', '#/sessions'],
  ['Analytics', '#/analytics'],
];

function renderLogin(main) {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const error = alertBox();
  if (refusal) error.textContent = refusal;
  const form = h(
    'form',
    {
      class: 'login',
      'aria-label': 'Sign in',
      onsubmit: async (event) => {
        event.preventDefault();
        token.set(input.value.trim());
        try {
          await get('users', { limit: 1 }, { signingIn: true }); // any read tells whether the token is known
          refusal = '';
          if (!location.hash || location.hash === '#/' || location.hash === '#/login') location.hash = '#/sessions';
          else route();
        } catch (err) {
          token.clear();
          showError(error, err);
        }
      },
    },
    h('h2', {}, 'Sign in'),
    h('p', {}, 'Enter an application token (annex-admin tokens create). It is kept in this tab only and sent only to this API.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    error,
  );
  main.append(form);
  input.focus();
}

function decode(parts) {
  return parts.map((part) => decodeURIComponent(part));
}

function route() {
  // Each view draws into its own element: a slow answer for a view left behind lands nowhere.
  clear(main);
  const view = h('div', { class: 'view' });
  main.append(view);
  const signedIn = Boolean(token.get());
  nav.hidden = !signedIn;
  signOut.hidden = !signedIn;
  if (!signedIn) {
    renderLogin(view);
    return;
  }
  const parts = decode(location.hash.replace(/^#\/?/, '').split('/').filter(Boolean));
  for (const a of nav.querySelectorAll('a')) {
    const current = location.hash.startsWith(a.getAttribute('href'));
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const [name, a, b] = parts;
  if (name === 'users' && a) renderUser(view, a);
  else if (name === 'users') renderUsers(view);
  else if (name === 'channels' && CHANNEL_TYPES[a] && b) renderChannel(view, a, b);
  else if (name === 'channels' && CHANNEL_TYPES[a]) renderChannels(view, a);
  else if (name === 'sessions' && a) renderSession(view, a);
  else if (name === 'analytics') renderAnalytics(view);
  else renderSessions(view);
}

whenUnauthorized(() => {
  token.clear();
  refusal = 'The API refused the token (401): sign in again.';
  route();
});

nav.append(...NAV.map(([label, href]) => h('a', { href }, label)));
signOut.addEventListener('click', () => {
  token.clear();
  refusal = '';
  route();
});
window.addEventListener('hashchange', route);
route();

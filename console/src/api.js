// The API the console talks to is the one that served it: the page lives at <api>/console/, so the
// API's root is one level up, with or without a stage (/v1/console/ → /v1/). Nothing else is fetched.
export const apiBase = new URL('../', window.location.href.split('#')[0]);

// The token is kept for this tab only (sessionStorage), and only ever sent as the Api-Token header.
const TOKEN_KEY = 'annex.token';
export const token = {
  get: () => window.sessionStorage.getItem(TOKEN_KEY),
  set: (value) => window.sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => window.sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

/** The URL of an API path ('sessions', ['sessions', id, 'events']) with query parameters. */
export function apiUrl(path, params = {}) {
  const segments = Array.isArray(path) ? path : [path];
  const url = new URL(segments.map((s) => encodeURIComponent(s)).join('/'), apiBase);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  return url;
}

/**
 * GET an API path as JSON; a non-2xx answer throws ApiError with the API's code and message.
 * A 401 also signs the console out, unless `signingIn` (the sign-in form reports it itself).
 */
export async function get(path, params = {}, { signingIn = false } = {}) {
  const response = await fetch(apiUrl(path, params), {
    headers: { 'Api-Token': token.get() || '', Accept: 'application/json' },
    credentials: 'omit',
    cache: 'no-store',
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = new ApiError(
      response.status,
      (body && body.code) || `http_${response.status}`,
      (body && body.message) || response.statusText || `HTTP ${response.status}`,
    );
    if (response.status === 401 && !signingIn) onUnauthorized(error);
    throw error;
  }
  return body;
}

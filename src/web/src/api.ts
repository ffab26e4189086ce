// The console's only way to the server: same-origin fetches to /api/admin, the session cookie
// sent by the browser and the CSRF token on every request that changes something.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** The server wants the password again before this action (403 with `reauth: true`). */
    readonly reauth = false,
    /** Seconds to wait before trying again (429 with Retry-After). */
    readonly retryAfter: number | null = null,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export type QueryValue = string | number | boolean | null | undefined;

/** `path?k=v&…` with empty values left out, so filters that are unset do not reach the URL. */
export function withQuery(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The error text and reauth flag of a cargo-shaped error body, whatever else it holds. */
export function parseErrorBody(status: number, text: string): { detail: string; reauth: boolean } {
  let detail = '';
  let reauth = false;
  try {
    const body = JSON.parse(text) as {
      errors?: { detail?: unknown; reauth?: unknown }[];
      reauth?: unknown;
      detail?: unknown;
    };
    const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
    if (first && typeof first.detail === 'string') detail = first.detail;
    else if (typeof body.detail === 'string') detail = body.detail;
    reauth = body.reauth === true || first?.reauth === true;
  } catch {
    // Not JSON (a proxy's error page): fall back to the status line below.
  }
  if (!detail) detail = `the server answered ${status}`;
  return { detail: detail.slice(0, 500), reauth };
}

export interface ApiClient {
  get<T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  setCsrfToken(token: string | null): void;
  /** Called when a request (other than signing in) finds the session gone. */
  onUnauthorized(listener: () => void): () => void;
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export function createApi(fetchImpl: FetchLike = (input, init) => fetch(input, init)): ApiClient {
  let csrf: string | null = null;
  const listeners = new Set<() => void>();

  async function request<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') {
      if (csrf) headers['x-csrf-token'] = csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
    }
    const res = await fetchImpl(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: method !== 'GET' && body !== undefined ? JSON.stringify(body) : null,
      ...(signal ? { signal } : {}),
    });
    const text = await res.text();
    if (!res.ok) {
      const { detail, reauth } = parseErrorBody(res.status, text);
      const retry = res.headers.get('retry-after');
      const retryAfter = retry !== null && /^\d+$/.test(retry) ? Number(retry) : null;
      // Signing in answers 401 for a wrong password; anywhere else it means the session ended.
      if (res.status === 401 && !path.startsWith('/api/admin/session')) for (const l of listeners) l();
      throw new ApiError(res.status, detail, reauth, retryAfter);
    }
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'the server sent an answer that is not JSON');
    }
  }

  return {
    get: (path, query, signal) => request('GET', withQuery(path, query), undefined, signal),
    send: (method, path, body) => request(method, path, body),
    setCsrfToken(token) {
      csrf = token;
    },
    onUnauthorized(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The console's client. */
export const api = createApi();

/** A path segment, escaped (crate names and logins are plain, but never trust that). */
export const seg = (s: string | number): string => encodeURIComponent(String(s));

// Signs in to the admin API as a browser would: the session cookie plus the CSRF token.
import type { Harness } from './registry-harness.js';

export interface ConsoleSession {
  cookie: string;
  csrf: string;
  setCookie: string;
  /** A request with the session cookie (and the CSRF token unless `csrf: false`). */
  call(method: string, path: string, body?: unknown, opts?: { csrf?: boolean }): Promise<Response>;
}

export async function createAdmin(
  h: Harness,
  login: string,
  password: string,
  isAdmin = true,
): Promise<void> {
  const user =
    (await h.services.users.findByLogin(login)) ?? (await h.services.users.create({ login, isAdmin }));
  await h.services.users.setPassword(user.id, password);
}

export async function signIn(h: Harness, login: string, password: string): Promise<ConsoleSession> {
  const res = await fetch(`${h.url}/api/admin/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrf: csrfToken,
    setCookie,
    call: (method, path, body, opts = {}) =>
      fetch(`${h.url}${path}`, {
        method,
        headers: {
          cookie,
          ...(opts.csrf === false ? {} : { 'x-csrf-token': csrfToken }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}

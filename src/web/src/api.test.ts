import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApi, parseErrorBody, withQuery } from './api.js';

function fakeFetch(status: number, body: string, headers: Record<string, string> = {}) {
  return vi.fn(async (_input: string, _init: RequestInit) => new Response(body, { status, headers }));
}

describe('withQuery', () => {
  it('leaves out unset filters and escapes values', () => {
    expect(withQuery('/a', { x: '', y: undefined, z: null })).toBe('/a');
    expect(withQuery('/a', { q: 'a&b=c d', n: 0, t: true })).toBe('/a?q=a%26b%3Dc+d&n=0&t=true');
  });
});

describe('parseErrorBody', () => {
  it("reads cargo's error shape and the reauth flag wherever the server puts it", () => {
    expect(parseErrorBody(400, '{"errors":[{"detail":"a reason is required"}]}')).toEqual({
      detail: 'a reason is required',
      reauth: false,
    });
    expect(parseErrorBody(403, '{"errors":[{"detail":"confirm"}],"reauth":true}').reauth).toBe(true);
    expect(parseErrorBody(403, '{"errors":[{"detail":"confirm","reauth":true}]}').reauth).toBe(true);
  });

  it('survives bodies that are not what it expects', () => {
    for (const body of [
      '',
      '<html>bad gateway</html>',
      '{"errors":',
      'null',
      '[]',
      '{"errors":[null]}',
      '"x"',
    ]) {
      const r = parseErrorBody(502, body);
      expect(r.detail, body).toBe('the server answered 502');
      expect(r.reauth).toBe(false);
    }
    expect(
      parseErrorBody(400, JSON.stringify({ errors: [{ detail: 'x'.repeat(10_000) }] })).detail,
    ).toHaveLength(500);
  });
});

describe('createApi', () => {
  it('sends the CSRF token on changes only, always same-origin credentials, JSON bodies', async () => {
    const f = fakeFetch(200, '{"ok":true}');
    const api = createApi(f);
    api.setCsrfToken('tok-123');
    await api.get('/api/admin/overview');
    await api.send('POST', '/api/admin/names', { name: 'x', action: 'block', reason: 'squat' });
    await api.send('DELETE', '/api/admin/session');
    const [get, post, del] = f.mock.calls.map((c) => c[1]);
    expect(get!.credentials).toBe('same-origin');
    expect(get!.headers).not.toHaveProperty('x-csrf-token');
    expect(get!.body).toBeNull();
    expect(post!.credentials).toBe('same-origin');
    expect(post!.headers).toMatchObject({ 'x-csrf-token': 'tok-123', 'content-type': 'application/json' });
    expect(JSON.parse(post!.body as string)).toEqual({ name: 'x', action: 'block', reason: 'squat' });
    expect(del!.headers).toMatchObject({ 'x-csrf-token': 'tok-123' });
    expect(del!.headers).not.toHaveProperty('content-type');
  });

  it('turns error answers into ApiError with status, detail, reauth and Retry-After', async () => {
    const reauth = createApi(fakeFetch(403, '{"errors":[{"detail":"confirm your password"}],"reauth":true}'));
    const e1 = await reauth
      .send('POST', '/api/admin/users/x/lock', { reason: 'abc' })
      .catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect(e1).toMatchObject({ status: 403, detail: 'confirm your password', reauth: true });

    const limited = createApi(
      fakeFetch(429, '{"errors":[{"detail":"slow down"}]}', { 'retry-after': '120' }),
    );
    await expect(limited.send('POST', '/api/admin/session', {})).rejects.toMatchObject({ retryAfter: 120 });
    const odd = createApi(fakeFetch(429, '{}', { 'retry-after': 'Wed, 21 Oct 2099 07:28:00 GMT' }));
    await expect(odd.send('POST', '/api/admin/session', {})).rejects.toMatchObject({ retryAfter: null });
  });

  it('reports an ended session, but not a wrong password at sign-in', async () => {
    const api = createApi(fakeFetch(401, '{"errors":[{"detail":"sign in"}]}'));
    const ended = vi.fn();
    const off = api.onUnauthorized(ended);
    await expect(
      api.send('POST', '/api/admin/session', { login: 'a', password: 'b' }),
    ).rejects.toBeInstanceOf(ApiError);
    expect(ended).not.toHaveBeenCalled();
    await expect(api.get('/api/admin/alerts')).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledTimes(1);
    off();
    await expect(api.get('/api/admin/alerts')).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('refuses a success answer that is not JSON rather than handing pages a string', async () => {
    const api = createApi(fakeFetch(200, '<html>captive portal</html>'));
    await expect(api.get('/api/admin/overview')).rejects.toThrow(/not JSON/);
    expect(await createApi(fakeFetch(200, '')).get('/x')).toBeUndefined();
  });
});

// With request logging on (`serve --log`), a whole session of secret-bearing requests leaves
// no secret in the log: the console password, the session cookie, the CSRF token, API tokens
// (good and bad), the metrics token. Every line is JSON with a request id.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, signIn } from '../support/console-session.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'a password nobody logs 4711';
const METRICS_TOKEN = 'metrics-secret-value-0123456789';

describe('secrets never reach the log', () => {
  let h: Harness;
  const lines: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (d: Buffer) => lines.push(...d.toString('utf8').split('\n').filter(Boolean)));
    h = await startRegistry({ logStream: stream, config: { metricsToken: METRICS_TOKEN } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('logs every request with its id and none of the secrets', async () => {
    await createAdmin(h, 'root', PASSWORD);
    const secrets: string[] = [PASSWORD, METRICS_TOKEN];
    // A wrong password first (a failed sign-in is logged too), then the real sign-in.
    const wrong = await fetch(`${h.url}/api/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'root', password: `${PASSWORD}-wrong` }),
    });
    expect(wrong.status).toBe(401);
    secrets.push(`${PASSWORD}-wrong`);
    const session = await signIn(h, 'root', PASSWORD);
    secrets.push(session.cookie.split('=')[1]!, session.csrf);
    // A mutation with cookie and CSRF token, and a re-authentication carrying the password.
    expect((await session.call('POST', '/api/admin/session/reauth', { password: PASSWORD })).status).toBe(
      200,
    );
    expect((await session.call('GET', '/api/admin/session')).status).toBe(200);
    // Tokens: one created, used to publish (raw header and Bearer), one bogus.
    const token = await h.token('publisher');
    secrets.push(token);
    expect((await publishMinimal(h.url, token, 'logged-crate', '1.0.0')).status).toBe(200);
    expect((await publishMinimal(h.url, `Bearer ${token}`, 'logged-crate', '1.0.1')).status).toBe(200);
    const bogus = 'ck_bogus-token-value-that-must-not-be-logged';
    secrets.push(bogus);
    expect((await publishMinimal(h.url, bogus, 'logged-crate', '1.0.2')).status).toBe(403);
    expect(
      (await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status,
    ).toBe(200);
    expect((await session.call('DELETE', '/api/admin/session')).status).toBe(200);
    await h.app.close(); // flush: every response has been logged
    const log = lines.join('\n');
    // The log is real: a line per request and response, each with its request id.
    const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string; req?: { url?: string } });
    expect(parsed.filter((p) => p.req?.url === '/api/v1/crates/new')).toHaveLength(3);
    expect(parsed.every((p) => p.reqId === undefined || /^req-/.test(p.reqId))).toBe(true);
    expect(parsed.filter((p) => p.reqId !== undefined).length).toBeGreaterThan(15);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(log, `a secret (${secret.slice(0, 4)}…) is in the log`).not.toContain(secret);
    }
  });
});

// Real cargo meets the rate limit: the 429's message is what the user reads, and the token's
// expiry warning is printed after a publish that succeeded.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishMinimal } from '../support/publish-body.js';
import { CargoEnv, startRegistry, writeCrate, type Harness } from '../support/registry-harness.js';

describe('cargo and the rate limit', () => {
  let h: Harness;
  let work: string;
  let cargo: CargoEnv;

  beforeAll(async () => {
    h = await startRegistry({
      config: {
        rateLimits: { 'publish-new': { rateMs: 600_000, burst: 2 } },
        rateLimitContact: 'help@registry.example',
      },
    });
    work = await mkdtemp(join(tmpdir(), 'ck-ratelimit-'));
    cargo = await CargoEnv.create(work, h.url);
  });

  afterAll(async () => {
    await h?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('prints the warning of an expiring token, then the 429 message when new crates come too fast', async () => {
    const user = await h.services.users.create({ login: 'eve' });
    const { token } = await h.services.tokens.create({
      userId: user.id,
      name: 'laptop',
      scopes: ['publish-new', 'publish-update'],
      expiresInDays: 3,
    });
    const first = await cargo.run(
      ['publish', '--registry', 'ck', '--no-verify'],
      await writeCrate(work, { name: 'eve-one', version: '0.1.0' }),
      token,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/warning: .*expires in 3 days.*cratekeeper token rotate/);
    // The second token of the burst goes through the API; cargo then meets the empty bucket.
    expect((await publishMinimal(h.url, token, 'eve-two', '0.1.0')).status).toBe(200);
    const refused = await cargo.run(
      ['publish', '--registry', 'ck', '--no-verify'],
      await writeCrate(work, { name: 'eve-three', version: '0.1.0' }),
      token,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('status 429 Too Many Requests');
    expect(refused.stderr).toMatch(
      /You have published too many new crates in a short period of time\. Please try again after .+ GMT or email help@registry\.example to have your limit increased\./,
    );
    expect(await h.services.crates.findByName('eve-three')).toBeUndefined();
  });
});

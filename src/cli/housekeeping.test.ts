import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertBareCrate } from '../../test/support/databases.js';
import { startRegistry, type Harness } from '../../test/support/registry-harness.js';
import { startHousekeeping } from './housekeeping.js';

describe('housekeeping', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('removes expired owner invitations at start and on its interval, audited', async () => {
    const alice = await h.services.users.create({ login: 'alice' });
    const bob = await h.services.users.create({ login: 'bob' });
    const krate = await insertBareCrate(h.services.db, 'kept');
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    await h.services.invitations.invite(krate, bob, { id: alice.id, login: alice.login }, {}, longAgo);
    const lines: string[] = [];
    const stop = startHousekeeping(h.services, (l) => lines.push(l), 50);
    try {
      await expect.poll(() => lines.join('\n'), { timeout: 5000 }).toMatch(/1 expired/);
      expect((await h.services.audit.list({ action: 'owner-invite-expire' })).total).toBe(1);
    } finally {
      stop();
    }
  });
});

import type { KyselyPlugin, PluginTransformResultArgs, QueryResult, UnknownRow } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { minimalPublishRecord } from '../../test/support/publish-record.js';
import { CrateRepository } from './crates.js';
import { UserRepository } from './users.js';
import { buildRegistryGraph } from './registry-graph.js';

/** Runs `act` once, right after the first query whose rows have the columns `pattern` matches. */
function afterQuery(pattern: RegExp, act: () => Promise<void>): KyselyPlugin {
  let done = false;
  return {
    transformQuery: (args) => args.node,
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const rows = args.result.rows;
      if (!done && rows.length > 0 && pattern.test(Object.keys(rows[0]!).sort().join(','))) {
        done = true;
        await act();
      }
      return args.result;
    },
  };
}

// PostgreSQL, where several processes share the database: the graph's reads are separate
// queries, and another process's publish can land between them.
describe('the registry graph on postgres', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await openTestDatabase('postgres');
  });
  afterEach(() => t.cleanup());

  it('is built from what it read even when a crate is published between its reads', async () => {
    const crates = new CrateRepository(t.db.kysely);
    const users = new UserRepository(t.db.kysely);
    const u = await users.create({ login: 'p' });
    const publish = (name: string, version: string) =>
      t.db.kysely
        .transaction()
        .execute((trx) => crates.publish(trx, minimalPublishRecord(name, version, u.id)));
    await publish('first', '1.0.0');
    // Between the read of the crates and the read of the versions, another request publishes
    // a new crate: its version is then read for a crate the graph has not seen.
    const interleaved = afterQuery(/^id,name$/, () => publish('late', '0.1.0').then(() => undefined));
    const graph = await buildRegistryGraph(t.db.kysely.withPlugin(interleaved));
    expect(graph.crateCount).toBe(1);
  });
});

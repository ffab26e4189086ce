// The db-dump fixture and the index fixture describe the same crates; both importers must
// produce the same graph (the dump adds owners, which an index does not carry).
import { describe, expect, it } from 'vitest';
import { dbDumpFixture, fixtureGraph } from '../../test/fixtures/graph/fixture-graph.js';
import type { GraphData } from './ecosystem-graph.js';
import { importDbDump } from './import-db-dump.js';

const OWNER_KEYS = new Set(['crateOwnerStart', 'ownerRefs', 'owners', 'stats', 'strings']);
// String-table indexes depend on insertion order; compare the strings themselves.
const STRING_REFS = new Set(['depName', 'depReq', 'depFeatures', 'depTarget', 'depRename']);

function comparable(d: GraphData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (OWNER_KEYS.has(k)) continue;
    const values = ArrayBuffer.isView(v) ? Array.from(v as Uint32Array) : v;
    out[k] = STRING_REFS.has(k) ? (values as number[]).map((i) => d.strings[i]) : values;
  }
  const { owners: _o, ownerships: _s, buildMs: _b, ...stats } = d.stats;
  out.stats = stats;
  return out;
}

describe('db-dump import', async () => {
  const fromIndex = await fixtureGraph();
  const dump = await importDbDump((await dbDumpFixture()).tarball);
  const fromDump = dump.builder.build();

  it('gives the same graph as the equivalent index', () => {
    expect(comparable(fromDump.data())).toEqual(comparable(fromIndex.data()));
  });

  it('adds owners from crate_owners, users and teams', () => {
    expect(fromDump.ownersOf(fromDump.crateId('base'))).toEqual(['team:github:org:core', 'user:alice']);
    expect(fromDump.ownersOf(fromDump.crateId('app'))).toEqual(['user:bob']);
    expect(fromDump.ownersOf(fromDump.crateId('mid'))).toEqual([]);
    expect(fromDump.stats).toMatchObject({ owners: 3, ownerships: 4 });
    expect(dump.dangling).toEqual({ versions: 0, dependencies: 0, owners: 0 });
    expect(dump.timestamp).toBe('2019-11-10T02:00:03.123456Z');
  });
});

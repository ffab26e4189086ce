// The ecosystem graph of this registry's own database: crates, the versions that reached
// the index, their dependencies and owners. Cached per process and rebuilt after a write.
import type { Kysely } from 'kysely';
import { DUPLICATE_VERSION, GraphBuilder } from '../graph/graph-builder.js';
import type { EcosystemGraph } from '../graph/ecosystem-graph.js';
import type { Database } from './schema.js';

export async function buildRegistryGraph(db: Kysely<Database>): Promise<EcosystemGraph> {
  const builder = new GraphBuilder();
  const crates = await db.selectFrom('crates').select(['id', 'name']).orderBy('id').execute();
  const names = new Map(crates.map((c) => [c.id, c.name]));
  for (const c of crates) builder.addCrate(c.name);
  const versions = await db
    .selectFrom('versions')
    .select(['id', 'crate_id', 'num', 'yanked', 'published_at'])
    .where('status', '=', 'published')
    .orderBy('id')
    .execute();
  // The reads are separate queries: a crate published after the crates were read may have its
  // versions, dependencies or owners read all the same. The graph is as of the crates read;
  // the rest waits for the next build (every publish invalidates the graph).
  const handles = new Map<number, number>();
  for (const v of versions) {
    const crate = names.get(v.crate_id);
    if (crate === undefined) continue;
    const h = builder.addVersion(crate, v.num, {
      yanked: v.yanked === 1,
      publishedAt: v.published_at,
    });
    if (h !== DUPLICATE_VERSION) handles.set(v.id, h);
  }
  // Streamed in id order in pages, so a large registry never holds every row at once.
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('dependencies')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(50_000)
      .execute();
    if (page.length === 0) break;
    for (const d of page) {
      const h = handles.get(d.version_id);
      if (h === undefined) continue;
      builder.addDependency(h, {
        crate: d.crate_name,
        req: d.req,
        kind: d.kind,
        optional: d.optional === 1,
        defaultFeatures: d.default_features === 1,
        features: JSON.parse(d.features) as string[],
        target: d.target,
        rename: d.explicit_name,
        registry: d.registry,
      });
    }
    after = page[page.length - 1]!.id;
  }
  const owners = await db
    .selectFrom('crate_owners')
    .innerJoin('users', 'users.id', 'crate_owners.user_id')
    .select(['crate_owners.crate_id', 'users.login'])
    .execute();
  for (const o of owners) {
    const crate = names.get(o.crate_id);
    if (crate !== undefined) builder.addOwner(crate, { login: o.login, kind: 'user' });
  }
  return builder.build();
}

/** One graph per process, rebuilt lazily when a publish, yank or status change (of any process) marked it stale. */
export class RegistryGraphCache {
  private graph: EcosystemGraph | null = null;
  private building: Promise<EcosystemGraph> | null = null;
  private generation = 0;

  constructor(
    private readonly db: Kysely<Database>,
    /** Applies other processes' changes first (the change feed's `sync`). */
    private readonly fresh: () => Promise<void> = () => Promise.resolve(),
  ) {}

  invalidate(): void {
    this.generation++;
    this.graph = null;
  }

  async get(): Promise<EcosystemGraph> {
    await this.fresh();
    if (this.graph) return this.graph;
    if (!this.building) {
      const gen = this.generation;
      this.building = buildRegistryGraph(this.db)
        .then((g) => {
          if (gen === this.generation) this.graph = g;
          return g;
        })
        .finally(() => (this.building = null));
    }
    return this.building;
  }
}

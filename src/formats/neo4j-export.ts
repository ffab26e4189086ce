// Neo4j exports in Painter's schema (rustfoundation/painter):
//   (:Crate {name}), (:Version {name, version, major, minor, patch, pre, build}),
//   (:Version)-[:VERSION_OF]->(:Crate),
//   (:Version)-[:DEPENDS_ON {requirement, features, kind, optional}]->(:Crate)
// plus, as cratekeeper extensions, `yanked`, `latest` and `published` on versions, `target`
// and `rename` on DEPENDS_ON, and (:Version)-[:RESOLVES_TO {requirement, kind, optional}]->
// (:Version) for the resolved edges. With source analyses: Painter's
// (:Version)-[:INVOKES {caller, callee}]->(:Crate) (caller and callee full function paths; Painter
// itself is inconsistent in these names and in VERSION_OF's direction, here always
// Version->Crate) and `unsafe_*` counts on the analysed versions. Two forms: CSV files with typed headers for
// `neo4j-admin database import full`, and a Cypher script for small graphs.

export interface Neo4jCrate {
  name: string;
}

export interface Neo4jVersion {
  /** Unique node id, `name@version`. */
  id: string;
  name: string;
  version: string;
  /** Null when the version string is not valid semver. */
  major: number | null;
  minor: number | null;
  patch: number | null;
  pre: string;
  build: string;
  yanked: boolean;
  latest: boolean;
  /** RFC 3339, or null when unknown. */
  published: string | null;
}

export interface Neo4jDependsOn {
  /** Version node id. */
  from: string;
  /** Crate name. */
  to: string;
  requirement: string;
  features: string[];
  kind: string;
  optional: boolean;
  target: string | null;
  rename: string | null;
}

export interface Neo4jResolvesTo {
  from: string;
  to: string;
  requirement: string;
  kind: string;
  optional: boolean;
}

/** cargo-geiger's counts of the files the build uses: the unsafe side of each counter. */
export interface Neo4jUnsafe {
  functions: number;
  exprs: number;
  impls: number;
  traits: number;
  methods: number;
  forbids: boolean;
}

export interface Neo4jInvokes {
  /** Version node id. */
  from: string;
  /** Crate name. */
  to: string;
  /** Calling function, `crate_name::module::fn`. */
  caller: string;
  /** Called function, `callee_crate::module::fn`. */
  callee: string;
}

export interface Neo4jGraph {
  crates: Iterable<Neo4jCrate>;
  versions: Iterable<Neo4jVersion>;
  dependsOn: Iterable<Neo4jDependsOn>;
  resolvesTo?: Iterable<Neo4jResolvesTo>;
  /** Present when analyses were given: then versions get `unsafe_*` columns (empty when not analysed). */
  unsafety?: ReadonlyMap<string, Neo4jUnsafe>;
  invokes?: Iterable<Neo4jInvokes>;
}

const UNSAFE_HEADER =
  ',unsafe_functions:long,unsafe_exprs:long,unsafe_impls:long,unsafe_traits:long,unsafe_methods:long,forbids_unsafe:boolean';

function unsafeCells(u: Neo4jUnsafe | undefined): (number | boolean | null)[] {
  return u
    ? [u.functions, u.exprs, u.impls, u.traits, u.methods, u.forbids]
    : [null, null, null, null, null, null];
}

export interface Neo4jCsvFile {
  name: string;
  kind: 'nodes' | 'relationships';
  /** The file's text in chunks (one per row), header first. */
  lines: Iterable<string>;
}

/** One CSV field as neo4j-admin reads it (RFC 4180 quoting; arrays joined by `;`). */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n;]/.test(s) || s === '' ? `"${s.replaceAll('"', '""')}"` : s;
}

function row(values: (string | number | boolean | null)[]): string {
  return values.map(csvField).join(',') + '\n';
}

/** Array property: `;`-joined (neo4j-admin's default array delimiter); empty means unset. */
function arrayField(values: string[]): string | null {
  const kept = values.filter((v) => v.length > 0 && !v.includes(';'));
  return kept.length === 0 ? null : kept.join(';');
}

function* rows<T>(header: string, items: Iterable<T>, toRow: (item: T) => string): Generator<string> {
  yield header + '\n';
  for (const item of items) yield toRow(item);
}

/**
 * The CSV files for `neo4j-admin database import full`. Iterables are consumed lazily, once
 * each; `versions` is read for both the node file and VERSION_OF, so pass something re-iterable.
 */
export function neo4jCsvFiles(g: Neo4jGraph): Neo4jCsvFile[] {
  const files: Neo4jCsvFile[] = [
    {
      name: 'crates.csv',
      kind: 'nodes',
      lines: rows('name:ID(Crate),:LABEL', g.crates, (c) => row([c.name, 'Crate'])),
    },
    {
      name: 'versions.csv',
      kind: 'nodes',
      lines: rows(
        `:ID(Version),name,version,major:long,minor:long,patch:long,pre,build,yanked:boolean,latest:boolean,published:datetime${g.unsafety ? UNSAFE_HEADER : ''},:LABEL`,
        g.versions,
        (v) =>
          row([
            v.id,
            v.name,
            v.version,
            v.major,
            v.minor,
            v.patch,
            v.pre,
            v.build,
            v.yanked,
            v.latest,
            v.published,
            ...(g.unsafety ? unsafeCells(g.unsafety.get(v.id)) : []),
            'Version',
          ]),
      ),
    },
    {
      name: 'version_of.csv',
      kind: 'relationships',
      lines: rows(':START_ID(Version),:END_ID(Crate),:TYPE', g.versions, (v) =>
        row([v.id, v.name, 'VERSION_OF']),
      ),
    },
    {
      name: 'depends_on.csv',
      kind: 'relationships',
      lines: rows(
        ':START_ID(Version),:END_ID(Crate),requirement,features:string[],kind,optional:boolean,target,rename,:TYPE',
        g.dependsOn,
        (d) =>
          row([
            d.from,
            d.to,
            d.requirement,
            arrayField(d.features),
            d.kind,
            d.optional,
            d.target,
            d.rename,
            'DEPENDS_ON',
          ]),
      ),
    },
  ];
  if (g.resolvesTo) {
    files.push({
      name: 'resolves_to.csv',
      kind: 'relationships',
      lines: rows(
        ':START_ID(Version),:END_ID(Version),requirement,kind,optional:boolean,:TYPE',
        g.resolvesTo,
        (r) => row([r.from, r.to, r.requirement, r.kind, r.optional, 'RESOLVES_TO']),
      ),
    });
  }
  if (g.invokes) {
    files.push({
      name: 'invokes.csv',
      kind: 'relationships',
      lines: rows(':START_ID(Version),:END_ID(Crate),caller,callee,:TYPE', g.invokes, (r) =>
        row([r.from, r.to, r.caller, r.callee, 'INVOKES']),
      ),
    });
  }
  return files;
}

/** The import command for files written to `dir`. */
export function neo4jImportCommand(files: readonly Neo4jCsvFile[], dir: string, database = 'neo4j'): string {
  const args = files.map((f) => `--${f.kind}=${dir.replace(/\/$/, '')}/${f.name}`);
  return ['neo4j-admin database import full', ...args, '--overwrite-destination', database].join(' \\\n  ');
}

/** A Cypher string literal. */
export function cypherString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${s.replace(/[\\'\n\r\t\u0000-\u001f]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case "'":
        return "\\'";
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  })}'`;
}

function cypherValue(v: string | number | boolean | null | string[]): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(cypherString).join(', ')}]`;
  if (typeof v === 'string') return cypherString(v);
  return String(v);
}

function cypherMap(m: Record<string, string | number | boolean | null | string[]>): string {
  return `{${Object.entries(m)
    .map(([k, v]) => `${k}: ${cypherValue(v)}`)
    .join(', ')}}`;
}

function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * A Cypher script (for cypher-shell) creating the same graph with batched UNWIND statements.
 * Meant for subgraphs; the CSV import is the way for the whole ecosystem.
 */
export function* cypherScript(g: Neo4jGraph, batchSize = 500): Generator<string> {
  yield '// cratekeeper ecosystem graph, Painter schema\n';
  yield 'CREATE CONSTRAINT crate_name IF NOT EXISTS FOR (c:Crate) REQUIRE c.name IS UNIQUE;\n';
  yield 'CREATE CONSTRAINT version_id IF NOT EXISTS FOR (v:Version) REQUIRE v.id IS UNIQUE;\n';
  for (const b of batches(g.crates, batchSize)) {
    yield `UNWIND [${b.map((c) => cypherMap({ name: c.name })).join(', ')}] AS row\nMERGE (:Crate {name: row.name});\n`;
  }
  for (const b of batches(g.versions, batchSize)) {
    const maps = b.map((v) => {
      const u = g.unsafety?.get(v.id);
      return cypherMap({
        id: v.id,
        name: v.name,
        version: v.version,
        major: v.major,
        minor: v.minor,
        patch: v.patch,
        pre: v.pre,
        build: v.build,
        yanked: v.yanked,
        latest: v.latest,
        published: v.published,
        ...(u
          ? {
              unsafe_functions: u.functions,
              unsafe_exprs: u.exprs,
              unsafe_impls: u.impls,
              unsafe_traits: u.traits,
              unsafe_methods: u.methods,
              forbids_unsafe: u.forbids,
            }
          : {}),
      });
    });
    const unsafeProps = g.unsafety
      ? ', unsafe_functions: row.unsafe_functions, unsafe_exprs: row.unsafe_exprs, unsafe_impls: row.unsafe_impls, ' +
        'unsafe_traits: row.unsafe_traits, unsafe_methods: row.unsafe_methods, forbids_unsafe: row.forbids_unsafe'
      : '';
    yield (
      `UNWIND [${maps.join(', ')}] AS row\n` +
      'MATCH (c:Crate {name: row.name})\n' +
      'CREATE (v:Version {id: row.id, name: row.name, version: row.version, major: row.major, minor: row.minor, ' +
      'patch: row.patch, pre: row.pre, build: row.build, yanked: row.yanked, latest: row.latest, ' +
      `published: CASE WHEN row.published IS NULL THEN null ELSE datetime(row.published) END${unsafeProps}})\n` +
      'CREATE (v)-[:VERSION_OF]->(c);\n'
    );
  }
  for (const b of batches(g.dependsOn, batchSize)) {
    const maps = b.map((d) =>
      cypherMap({
        from: d.from,
        to: d.to,
        requirement: d.requirement,
        features: d.features,
        kind: d.kind,
        optional: d.optional,
        target: d.target,
        rename: d.rename,
      }),
    );
    yield (
      `UNWIND [${maps.join(', ')}] AS row\n` +
      'MATCH (v:Version {id: row.from}), (c:Crate {name: row.to})\n' +
      'CREATE (v)-[:DEPENDS_ON {requirement: row.requirement, features: row.features, kind: row.kind, ' +
      'optional: row.optional, target: row.target, rename: row.rename}]->(c);\n'
    );
  }
  if (g.resolvesTo) {
    for (const b of batches(g.resolvesTo, batchSize)) {
      const maps = b.map((r) =>
        cypherMap({ from: r.from, to: r.to, requirement: r.requirement, kind: r.kind, optional: r.optional }),
      );
      yield (
        `UNWIND [${maps.join(', ')}] AS row\n` +
        'MATCH (a:Version {id: row.from}), (b:Version {id: row.to})\n' +
        'CREATE (a)-[:RESOLVES_TO {requirement: row.requirement, kind: row.kind, optional: row.optional}]->(b);\n'
      );
    }
  }
  if (g.invokes) {
    for (const b of batches(g.invokes, batchSize)) {
      const maps = b.map((r) => cypherMap({ from: r.from, to: r.to, caller: r.caller, callee: r.callee }));
      yield (
        `UNWIND [${maps.join(', ')}] AS row\n` +
        'MATCH (v:Version {id: row.from}), (c:Crate {name: row.to})\n' +
        'CREATE (v)-[:INVOKES {caller: row.caller, callee: row.callee}]->(c);\n'
      );
    }
  }
}

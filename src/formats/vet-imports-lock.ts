// cargo-vet's `imports.lock` (`format.rs` `ImportsFile`): `[[unpublished.CRATE]]`,
// `[[publisher.CRATE]]` (who published each version and when, from crates.io's API) and
// `[audits.IMPORT]`, the used part of each imported audits file with its criteria already
// mapped into the local names. Read and written as cargo-vet does.
import {
  auditsFileFromTable,
  auditsFileNodes,
  orderValuesFirst,
  readCratesSource,
  type AuditsFile,
  type CratesSource,
  type UserInfo,
  type WriteOptions,
} from './vet-audits.js';
import {
  arraysOf,
  compareOptional,
  compareStrings,
  compareVetVersions,
  FieldReader,
  formatVetVersion,
  parseVetToml,
  sortedByKey,
  tableOf,
  type Extra,
  type VetVersion,
} from './vet-common.js';
import { nodeFromParsed, renderDocument, table, tables, value, type TomlNode } from './vet-toml-writer.js';

export type PublisherSource =
  { userId: bigint; userLogin: string; userName?: string } | { trustedPublisher: string };

export interface CratesPublisher {
  version: VetVersion;
  /** Publication day (UTC), `YYYY-MM-DD`. */
  when: string;
  source: PublisherSource;
  extra: Extra;
}

export interface UnpublishedEntry {
  version: VetVersion;
  auditedAs: VetVersion;
  extra: Extra;
}

export interface ImportsFile {
  unpublished: [string, UnpublishedEntry[]][];
  publisher: [string, CratesPublisher[]][];
  audits: [string, AuditsFile][];
  extra: Extra;
}

export const IMPORTS_LOCK = 'imports.lock';
const KNOWN_TOP = ['unpublished', 'publisher', 'audits'];

export function emptyImportsFile(): ImportsFile {
  return { unpublished: [], publisher: [], audits: [], extra: [] };
}

export function parseImportsLock(text: string, opts: { file?: string; strict?: boolean } = {}): ImportsFile {
  const file = opts.file ?? IMPORTS_LOCK;
  const doc = parseVetToml(file, text);
  const out = emptyImportsFile();
  for (const [crate, list] of arraysOf(file, 'unpublished', doc['unpublished'])) {
    out.unpublished.push([
      crate,
      list.map((t, i): UnpublishedEntry => {
        const r: FieldReader = new FieldReader(file, `unpublished.${crate}[${i}]`, t);
        const version = r.version('version');
        const auditedAs = r.version('audited_as');
        if (version === undefined) r.fail("missing field 'version'");
        if (auditedAs === undefined) r.fail("missing field 'audited_as'");
        return { version, auditedAs, extra: r.extra() };
      }),
    ]);
  }
  for (const [crate, list] of arraysOf(file, 'publisher', doc['publisher'])) {
    out.publisher.push([
      crate,
      list.map((t, i) => readPublisher(new FieldReader(file, `publisher.${crate}[${i}]`, t))),
    ]);
  }
  for (const [name, t] of tableOf(file, 'audits', doc['audits'])) {
    out.audits.push([name, auditsFileFromTable(t, file, `audits.${name}`, opts.strict ?? false)]);
  }
  out.extra = Object.keys(doc)
    .filter((k) => !KNOWN_TOP.includes(k))
    .map((k) => [k, doc[k]]);
  return out;
}

function readPublisher(r: FieldReader): CratesPublisher {
  const version = r.version('version');
  if (version === undefined) r.fail("missing field 'version'");
  const when = r.requiredDate('when');
  let source: PublisherSource;
  if (r.has('user-id')) {
    const s = readCratesSource(r) as { userId: bigint };
    const login = r.requiredString('user-login');
    const name = r.string('user-name');
    source =
      name === undefined
        ? { userId: s.userId, userLogin: login }
        : { userId: s.userId, userLogin: login, userName: name };
  } else {
    source = readCratesSource(r) as { trustedPublisher: string };
  }
  return { version, when, source, extra: r.extra() };
}

/** Whether a publisher is the account or trusted publisher a wildcard or trusted entry names. */
export function publisherMatches(p: PublisherSource, s: CratesSource): boolean {
  if ('userId' in p) return 'userId' in s && s.userId === p.userId;
  return 'trustedPublisher' in s && s.trustedPublisher === p.trustedPublisher;
}

/** The `user-id` comments cargo-vet writes: "Name (login)" or "login" (`CratesCacheUser`). */
export function userInfoFromImports(imports: ImportsFile): UserInfo {
  const users: UserInfo = new Map();
  for (const [, list] of imports.publisher) {
    for (const p of list) {
      if ('userId' in p.source) {
        users.set(
          p.source.userId,
          p.source.userName !== undefined
            ? `${p.source.userName} (${p.source.userLogin})`
            : p.source.userLogin,
        );
      }
    }
  }
  return users;
}

// ---- writing ----

const IMPORTS_HEADING = '\n# cargo-vet imports lock\n';

export function writeImportsLock(imports: ImportsFile, opts: WriteOptions = {}): string {
  const tidy = opts.tidy ?? true;
  const users = opts.users ?? userInfoFromImports(imports);
  const out: [string, TomlNode][] = [];
  const lists = <E>(rows: [string, E[]][], cmp: (a: E, b: E) => number): [string, E[]][] => {
    const kept = rows.filter(([, l]) => l.length > 0);
    return tidy ? sortedByKey(kept).map(([k, l]) => [k, [...l].sort(cmp)]) : kept;
  };
  const unpublished = lists(imports.unpublished, compareUnpublished);
  if (unpublished.length > 0) {
    out.push(['unpublished', table(unpublished.map(([k, l]) => [k, tables(l.map(unpublishedNodes))]))]);
  }
  const publisher = lists(imports.publisher, comparePublishers);
  if (publisher.length > 0)
    out.push(['publisher', table(publisher.map(([k, l]) => [k, tables(l.map(publisherNodes))]))]);
  const audits = tidy ? sortedByKey(imports.audits) : imports.audits;
  if (audits.length > 0)
    out.push(['audits', table(audits.map(([k, a]) => [k, table(auditsFileNodes(a, { tidy, users }))]))]);
  for (const [k, v] of imports.extra) out.push([k, nodeFromParsed(k, v)]);
  return IMPORTS_HEADING + renderDocument(out);
}

function extraNodes(extra: Extra): [string, TomlNode][] {
  return extra.map(([k, v]) => [k, nodeFromParsed(k, v)]);
}

function unpublishedNodes(e: UnpublishedEntry): [string, TomlNode][] {
  return orderValuesFirst([
    ['version', value(formatVetVersion(e.version))],
    ['audited_as', value(formatVetVersion(e.auditedAs))],
    ...extraNodes(e.extra),
  ]);
}

function publisherNodes(p: CratesPublisher): [string, TomlNode][] {
  const out: [string, TomlNode][] = [
    ['version', value(formatVetVersion(p.version))],
    ['when', value(p.when)],
  ];
  if ('userId' in p.source) {
    out.push(['user-id', value(p.source.userId)], ['user-login', value(p.source.userLogin)]);
    if (p.source.userName !== undefined) out.push(['user-name', value(p.source.userName)]);
  } else {
    out.push(['trusted-publisher', value(p.source.trustedPublisher)]);
  }
  return orderValuesFirst([...out, ...extraNodes(p.extra)]);
}

function compareUnpublished(a: UnpublishedEntry, b: UnpublishedEntry): number {
  return compareVetVersions(a.version, b.version) || compareVetVersions(a.auditedAs, b.auditedAs);
}

function comparePublishers(a: CratesPublisher, b: CratesPublisher): number {
  const c = compareVetVersions(a.version, b.version) || compareStrings(a.when, b.when);
  if (c !== 0) return c;
  const ra = 'userId' in a.source ? 0 : 1;
  const rb = 'userId' in b.source ? 0 : 1;
  if (ra !== rb) return ra - rb;
  if ('userId' in a.source && 'userId' in b.source) {
    if (a.source.userId !== b.source.userId) return a.source.userId < b.source.userId ? -1 : 1;
    return (
      compareStrings(a.source.userLogin, b.source.userLogin) ||
      compareOptional(a.source.userName, b.source.userName, compareStrings)
    );
  }
  return compareStrings(
    (a.source as { trustedPublisher: string }).trustedPublisher,
    (b.source as { trustedPublisher: string }).trustedPublisher,
  );
}

// What a responder needs to judge an alert: the code around each finding, and what changed
// since the previous version (dependencies, build script, binaries, publisher).
import { readCrateArchive } from '../formats/crate-archive.js';
import { executableFormat } from '../security/scanner/file-kind.js';
import type { RegistryServices } from '../registry/services.js';
import type { VersionRow } from '../store/schema.js';

export interface CodeLine {
  n: number;
  text: string;
}

export interface VersionDiff {
  previousVersion: string | null;
  addedDependencies: string[];
  removedDependencies: string[];
  buildScriptAdded: boolean;
  binariesAdded: string[];
  filesAdded: number;
  filesRemoved: number;
  publisherChanged: { from: string | null; to: string | null } | null;
}

const CONTEXT_LINES = 4;
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** Lines `line ± CONTEXT_LINES` of each requested file of a stored crate, keyed by `file:line`. */
export async function codeAround(
  bytes: Buffer,
  wanted: { file: string; line: number }[],
): Promise<Map<string, CodeLine[]>> {
  const files = new Set(wanted.map((w) => w.file));
  const out = new Map<string, CodeLine[]>();
  if (files.size === 0) return out;
  const archive = await readCrateArchive(bytes, {
    keep: (path, size) => files.has(path) && size <= MAX_SOURCE_BYTES,
  });
  const byPath = new Map(
    archive.files.filter((f) => f.data).map((f) => [f.path, f.data!.toString('utf8').split('\n')]),
  );
  for (const w of wanted) {
    const lines = byPath.get(w.file);
    if (!lines) continue;
    const from = Math.max(1, w.line - CONTEXT_LINES);
    const to = Math.min(lines.length, w.line + CONTEXT_LINES);
    const snippet: CodeLine[] = [];
    for (let n = from; n <= to; n++) snippet.push({ n, text: (lines[n - 1] ?? '').slice(0, 400) });
    out.set(`${w.file}:${w.line}`, snippet);
  }
  return out;
}

export async function diffAgainstPrevious(
  services: RegistryServices,
  version: VersionRow,
): Promise<VersionDiff> {
  const db = services.db.kysely;
  const previous = await db
    .selectFrom('versions')
    .selectAll()
    .where('crate_id', '=', version.crate_id)
    .where('id', '<', version.id)
    .where('status', '=', 'published')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const depsOf = async (id: number) =>
    new Set(
      (await db.selectFrom('dependencies').select('crate_name').where('version_id', '=', id).execute()).map(
        (d) => d.crate_name,
      ),
    );
  const now = await depsOf(version.id);
  const before = previous ? await depsOf(previous.id) : new Set<string>();
  const login = async (id: number | null) =>
    id === null ? null : ((await services.users.findById(id))?.login ?? null);

  const filesOf = async (v: VersionRow | undefined) => {
    if (!v) return new Map<string, Buffer | null>();
    const bytes = await services.blobs.get(v.checksum);
    if (!bytes) return new Map<string, Buffer | null>();
    // Only the first bytes matter for the executable check; keep files small enough to look at.
    const archive = await readCrateArchive(bytes, { keep: (_p, size) => size <= MAX_SOURCE_BYTES });
    return new Map(archive.files.map((f) => [f.path, f.data]));
  };
  const [newFiles, oldFiles] = await Promise.all([filesOf(version), filesOf(previous)]);
  const added = [...newFiles.keys()].filter((p) => !oldFiles.has(p));
  const [from, to] = await Promise.all([login(previous?.published_by ?? null), login(version.published_by)]);
  return {
    previousVersion: previous?.num ?? null,
    addedDependencies: [...now].filter((d) => !before.has(d)).sort(),
    removedDependencies: [...before].filter((d) => !now.has(d)).sort(),
    buildScriptAdded: version.has_build_script === 1 && (previous ? previous.has_build_script === 0 : true),
    binariesAdded: added.filter((p) => {
      const data = newFiles.get(p);
      return data ? executableFormat(data) !== null : false;
    }),
    filesAdded: added.length,
    filesRemoved: [...oldFiles.keys()].filter((p) => !newFiles.has(p)).length,
    publisherChanged: previous && from !== to ? { from, to } : null,
  };
}

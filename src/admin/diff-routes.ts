// The diff viewer's API for delta audits: the file tree between any two versions of a crate
// (either direction) from their stored `.crate` files, and one file's hunks, each with the
// scanner findings of the `to` version on that file and line; with the tree, what the stored
// source analyses say changed (unsafe counts, calls into other crates, per file where kept).
import { CrateArchiveError } from '../formats/crate-archive.js';
import { RegistryError, badRequest, notFound } from '../registry/errors.js';
import { ArchiveCache, CrateDiffError, diffCrateFile, diffCrateTrees } from '../security/diff/crate-diff.js';
import type { VersionRow } from '../store/schema.js';
import {
  CrateDiff,
  DiffFileQuery,
  DiffQuery,
  FileDiffAnswer,
  Params,
  type DiffFinding,
  type DiffVersion,
} from './api-types.js';
import { diffAnalysis } from './diff-analysis.js';
import { adminRoute, type AdminContext } from './plugin.js';

const MAX_PATH = 1024;

function queryString(q: Record<string, unknown>, key: string, max = 200): string {
  const v = q[key];
  if (typeof v !== 'string' || v === '') throw badRequest(`missing query parameter \`${key}\``);
  if (v.length > max) throw badRequest(`query parameter \`${key}\` is longer than ${max} characters`);
  return v;
}

function findingsOf(raw: string | undefined): DiffFinding[] {
  if (!raw) return [];
  const parsed = JSON.parse(raw) as unknown;
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((f): DiffFinding[] => {
    if (!f || typeof f !== 'object') return [];
    const r = f as Record<string, unknown>;
    return [
      {
        ruleId: String(r.ruleId ?? ''),
        severity: (r.severity ?? 'info') as DiffFinding['severity'],
        title: String(r.title ?? ''),
        file: typeof r.file === 'string' ? r.file : null,
        line: typeof r.line === 'number' ? r.line : null,
        ...(typeof r.evidence === 'string' ? { evidence: r.evidence.slice(0, 2000) } : {}),
        ...(typeof r.why === 'string' ? { why: r.why.slice(0, 2000) } : {}),
      },
    ];
  });
}

function archiveFailure(err: unknown): never {
  if (err instanceof CrateArchiveError) {
    throw new RegistryError(422, `a stored .crate file cannot be read: ${err.message}`);
  }
  if (err instanceof CrateDiffError) throw notFound(err.message);
  throw err;
}

export function registerDiffRoutes({ app, services, pipeline }: AdminContext): void {
  // The console asks for the tree and then a file of the same two versions: read them once.
  const cache = new ArchiveCache();
  /** Both versions, their crate files and the `to` version's findings. */
  const load = async (name: string, query: Record<string, unknown>) => {
    const fromNum = queryString(query, 'from');
    const toNum = queryString(query, 'to');
    const krate = await services.crates.findByName(name);
    if (!krate) throw notFound(`no crate \`${name.slice(0, 100)}\``);
    const version = async (num: string): Promise<VersionRow> => {
      const v = await services.crates.findVersion(krate.id, num);
      if (!v) throw notFound(`${krate.name} has no version \`${num.slice(0, 100)}\``);
      return v;
    };
    const [from, to] = [await version(fromNum), await version(toNum)];
    const bytes = async (v: VersionRow): Promise<Buffer> => {
      const b = await services.blobs.get(v.checksum);
      if (!b) throw notFound(`the .crate file of ${krate.name} ${v.num} is not in storage`);
      return b;
    };
    const [fromBytes, toBytes] = await Promise.all([bytes(from), bytes(to)]);
    const [fromScan, toScan] = await Promise.all([
      pipeline.scans.latest(from.id),
      pipeline.scans.latest(to.id),
    ]);
    const findings = findingsOf(toScan?.findings);
    const side = (v: VersionRow, scan: typeof toScan): DiffVersion => ({
      version: v.num,
      checksum: v.checksum,
      size: v.size,
      status: v.status,
      yanked: v.yanked === 1,
      publishedAt: v.published_at,
      scan: scan ? { verdict: scan.verdict, findings: findingsOf(scan.findings).length } : null,
    });
    return {
      crate: krate.name,
      from: side(from, fromScan),
      to: side(to, toScan),
      fromBytes,
      toBytes,
      findings,
      fromId: from.id,
      toId: to.id,
    };
  };

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/diff',
      summary:
        'File tree diff of two versions (either direction): change kinds, sizes, line counts, the `to` version findings per file',
      access: { crateParam: 'name', auditor: 'or-admin' }, // auditors review deltas here
      params: Params.name,
      query: DiffQuery,
      response: CrateDiff,
    },
    async (req) => {
      const l = await load(req.params.name, req.query);
      const tree = await diffCrateTrees(l.fromBytes, l.toBytes, { cache }).catch(archiveFailure);
      const byFile = new Map<string, DiffFinding[]>();
      for (const f of l.findings) if (f.file !== null) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
      return {
        crate: l.crate,
        from: l.from,
        to: l.to,
        files: tree.files.map((f) => ({
          ...f,
          // Findings belong to the `to` version: a removed file has none.
          findings: f.change === 'removed' ? [] : (byFile.get(f.path) ?? []),
        })),
        totals: tree.totals,
        approximate: tree.approximate,
        crateFindings: l.findings.filter((f) => f.file === null),
        analysis: diffAnalysis(
          { version: l.from.version, row: await pipeline.analyses.get(l.fromId) },
          { version: l.to.version, row: await pipeline.analyses.get(l.toId) },
        ),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/diff/file',
      summary: "One file's hunks between two versions, with the `to` version's findings on their lines",
      access: { crateParam: 'name', auditor: 'or-admin' },
      params: Params.name,
      query: DiffFileQuery,
      response: FileDiffAnswer,
    },
    async (req) => {
      const name = req.params.name;
      const query = req.query as Record<string, unknown>;
      const path = queryString(query, 'path', MAX_PATH);
      const contextText = typeof query.context === 'string' ? query.context : '3';
      if (!/^\d{1,3}$/.test(contextText)) throw badRequest('`context` must be a number of lines (0–100)');
      const l = await load(name, query);
      const onFile = l.findings.filter((f) => f.file === path);
      const lines = onFile.flatMap((f) => (f.line !== null ? [f.line] : []));
      const d = await diffCrateFile(l.fromBytes, l.toBytes, path, {
        context: Math.min(Number(contextText), 100),
        focusNewLines: lines,
        cache,
      }).catch(archiveFailure);
      const shownLines = new Set<number>();
      if (d.diff.kind === 'text')
        for (const h of d.diff.hunks)
          for (const line of h.lines) if (line.newLine !== null) shownLines.add(line.newLine);
      return {
        crate: l.crate,
        from: l.from.version,
        to: l.to.version,
        path: d.path,
        change: d.change,
        old: d.old,
        new: d.new,
        diff: d.diff,
        findings: (d.change === 'removed' ? [] : onFile).map((f) => ({
          ...f,
          shown: f.line !== null && shownLines.has(f.line),
        })),
      };
    },
  );
}

// The diff viewer for delta audits: two versions of a crate picked from its version list, the
// file tree with what changed (and the newer scan's findings and the source analysis's changes
// per file), what the analysis says changed overall (unsafe items, new calls into other crates),
// and the selected file's hunks with line numbers and each finding under the line it is on.
import { Fragment } from 'react';
import { seg } from '../api.js';
import type {
  CrateDetail,
  CrateDiff,
  DiffAnalysis,
  DiffFileEntry,
  DiffFileFacts,
  DiffFinding,
  DiffLine,
  FileDiffAnswer,
} from '../api-types.js';
import { SeverityBadge, Verdict, VersionBadges } from '../components/badges.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatBytes, formatCount, plural } from '../format.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useApi } from '../use-api.js';

const CHANGE_LABEL: Record<DiffFileEntry['change'], string> = {
  added: 'added',
  removed: 'removed',
  modified: 'modified',
  unchanged: 'unchanged',
};

function FindingNote({ f }: { f: DiffFinding }) {
  return (
    <div className="finding-head">
      <SeverityBadge severity={f.severity} />
      <strong>{f.title}</strong>
      <span className="mono muted">{f.ruleId}</span>
      {f.why && <span className="small">{f.why}</span>}
    </div>
  );
}

function LineCounts({ f }: { f: DiffFileEntry }) {
  if (f.linesAdded === null || f.linesRemoved === null)
    return <span className="muted small">{f.content === 'binary' ? 'binary' : 'not compared'}</span>;
  return (
    <span className="small mono">
      <span className="diff-plus">+{f.linesAdded}</span> <span className="diff-minus">−{f.linesRemoved}</span>
    </span>
  );
}

const COUNTER_LABEL: Record<string, string> = {
  functions: 'unsafe fns',
  exprs: 'unsafe expressions',
  itemImpls: 'unsafe impls',
  itemTraits: 'unsafe traits',
  methods: 'unsafe methods',
};

const signed = (n: number) => (n > 0 ? `+${n}` : `${n === 0 ? '±0' : `−${-n}`}`);

/** `unsafe +2 · 1 new call`: a file's analysis changes in the tree. */
function FactsBadges({ facts }: { facts: DiffFileFacts | undefined }) {
  if (!facts) return null;
  const delta = (facts.unsafeAfter ?? 0) - (facts.unsafeBefore ?? 0);
  return (
    <>
      {facts.unsafe.length > 0 && (
        <span className={`badge ${delta > 0 ? 'sev-high' : 'verdict-clean'}`} data-testid="unsafe-delta">
          unsafe {signed(delta)}
        </span>
      )}
      {facts.callsAdded.length > 0 && (
        <span className="badge sev-medium">{plural(facts.callsAdded.length, 'new call')}</span>
      )}
    </>
  );
}

function CounterChanges({ list }: { list: DiffFileFacts['unsafe'] }) {
  return (
    <ul className="plain-list">
      {list.map((c) => (
        <li key={c.counter} data-counter={c.counter}>
          {COUNTER_LABEL[c.counter] ?? c.counter}: {c.before} → {c.after} ({signed(c.after - c.before)})
        </li>
      ))}
    </ul>
  );
}

function CallList({
  calls,
  label,
}: {
  calls: { crate?: string; path: string; calls: number }[];
  label: string;
}) {
  if (calls.length === 0) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <ul className="plain-list">
          {calls.map((c) => (
            <li key={`${c.crate ?? ''}:${c.path}`} className="mono small">
              {c.path} <span className="muted">({plural(c.calls, 'call site')})</span>
            </li>
          ))}
        </ul>
      </dd>
    </>
  );
}

/** What the source analysis says changed in the selected file. */
function FileFactsPanel({
  facts,
  analysis,
}: {
  facts: DiffFileFacts | undefined;
  analysis: DiffAnalysis | null;
}) {
  if (!analysis || !analysis.from.perFile || !analysis.to.perFile) return null;
  if (!facts)
    return (
      <p className="muted small" data-testid="file-facts">
        Source analysis: no change in unsafe code or calls into other crates.
      </p>
    );
  return (
    <div className="panel-note" data-testid="file-facts">
      <dl className="facts">
        {facts.unsafe.length > 0 && (
          <>
            <dt>Unsafe items</dt>
            <dd>
              {facts.unsafeBefore ?? 0} → {facts.unsafeAfter ?? 0}
              <CounterChanges list={facts.unsafe} />
            </dd>
          </>
        )}
        <CallList calls={facts.callsAdded} label="New calls into other crates" />
        <CallList calls={facts.callsRemoved} label="Calls no longer made" />
      </dl>
    </div>
  );
}

function sideNote(s: DiffAnalysis['from']): string {
  if (s.status === 'pending') return `${s.version} has not been analysed yet`;
  if (s.status === 'failed') return `the analysis of ${s.version} failed`;
  return `${s.version}: ${plural(s.unsafeUsed ?? 0, 'unsafe item')}${s.forbidsUnsafe ? ', forbids unsafe code' : ''}`;
}

/** The delta's source-analysis facts as a whole; says what is missing rather than guessing. */
function AnalysisSummary({ analysis }: { analysis: DiffAnalysis | null }) {
  return (
    <section className="panel" aria-labelledby="diff-analysis-h" data-testid="diff-analysis">
      <h2 id="diff-analysis-h">Source analysis</h2>
      {!analysis ? (
        <p className="muted">Neither version has been analysed yet.</p>
      ) : (
        <>
          <p>
            {sideNote(analysis.from)} · {sideNote(analysis.to)}
          </p>
          {analysis.unsafe && analysis.unsafe.length > 0 && <CounterChanges list={analysis.unsafe} />}
          <dl className="facts">
            <CallList calls={analysis.callsAdded ?? []} label="New calls into other crates" />
            <CallList calls={analysis.callsRemoved ?? []} label="Calls no longer made" />
          </dl>
          {analysis.unsafe && analysis.unsafe.length === 0 && (analysis.callsAdded ?? []).length === 0 && (
            <p className="muted small">No change in unsafe code or in calls into other crates.</p>
          )}
          {(!analysis.from.perFile || !analysis.to.perFile) &&
            analysis.from.status === 'analyzed' &&
            analysis.to.status === 'analyzed' && (
              <p className="muted small">
                Facts per file are not available for these versions (analysed before they were kept).
              </p>
            )}
        </>
      )}
    </section>
  );
}

function FileTree({
  files,
  selected,
  onSelect,
  facts,
}: {
  files: DiffFileEntry[];
  selected: string | null;
  onSelect: (path: string) => void;
  facts: Map<string, DiffFileFacts>;
}) {
  return (
    <ul className="plain-list diff-tree">
      {files.map((f) => (
        <li key={f.path}>
          <button
            type="button"
            className={`diff-file change-${f.change}`}
            aria-pressed={f.path === selected}
            onClick={() => onSelect(f.path)}
          >
            <span className={`badge change-badge change-${f.change}`}>{CHANGE_LABEL[f.change]}</span>
            <span className="mono break">{f.path}</span>
            <LineCounts f={f} />
            {f.findings.length > 0 && (
              <span className="badge sev-high">{plural(f.findings.length, 'finding')}</span>
            )}
            <FactsBadges facts={facts.get(f.path)} />
          </button>
        </li>
      ))}
    </ul>
  );
}

const SIGN: Record<DiffLine['kind'], string> = { add: '+', del: '−', context: ' ' };

function Hunks({ answer }: { answer: FileDiffAnswer }) {
  const { diff, findings } = answer;
  if (diff.kind !== 'text') {
    return (
      <div className="panel-note">
        <p>
          {diff.changed ? 'Changed' : 'Unchanged'} ({diff.reason}).
        </p>
        <dl className="facts">
          <dt>Before</dt>
          <dd className="mono checksum">{diff.oldSha256 ?? '—'}</dd>
          <dt>After</dt>
          <dd className="mono checksum">{diff.newSha256 ?? '—'}</dd>
        </dl>
      </div>
    );
  }
  const byLine = new Map<number, DiffFinding[]>();
  for (const f of findings)
    if (f.line !== null && f.shown) byLine.set(f.line, [...(byLine.get(f.line) ?? []), f]);
  const elsewhere = findings.filter((f) => !f.shown);
  return (
    <>
      {elsewhere.length > 0 && (
        <ul className="plain-list findings-elsewhere" aria-label="Findings on the file">
          {elsewhere.map((f, i) => (
            <li key={i}>
              <FindingNote f={f} />
              {f.line !== null && <span className="muted small">line {f.line}</span>}
            </li>
          ))}
        </ul>
      )}
      {diff.approximate && (
        <p className="hint">
          The files differ too much for an exact diff; some regions are shown replaced whole.
        </p>
      )}
      {diff.truncated && <p className="hint">The diff is long; later hunks are left out.</p>}
      {diff.hunks.length === 0 ? (
        <p className="muted">{diff.changed ? 'Only the line endings differ.' : 'No changes in this file.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="diff" data-testid="diff-hunks">
            <thead className="visually-hidden">
              <tr>
                <th scope="col">Old line</th>
                <th scope="col">New line</th>
                <th scope="col">Change</th>
                <th scope="col">Text</th>
              </tr>
            </thead>
            {diff.hunks.map((h) => (
              <tbody key={`${h.oldStart}:${h.newStart}`}>
                <tr className="diff-hunk-head">
                  <td colSpan={4} className="mono">
                    @@ −{h.oldStart},{h.oldLines} +{h.newStart},{h.newLines} @@
                  </td>
                </tr>
                {h.lines.map((l, i) => {
                  const notes = l.kind !== 'del' && l.newLine !== null ? byLine.get(l.newLine) : undefined;
                  return (
                    <Fragment key={i}>
                      <tr
                        className={`diff-${l.kind === 'context' ? 'context' : l.kind}${notes ? ' diff-hit' : ''}`}
                      >
                        <td className="ln-cell">{l.oldLine ?? ''}</td>
                        <td className="ln-cell">{l.newLine ?? ''}</td>
                        <td
                          className="sign-cell"
                          aria-label={l.kind === 'add' ? 'added' : l.kind === 'del' ? 'removed' : undefined}
                        >
                          {SIGN[l.kind]}
                        </td>
                        <td className="text-cell">
                          {l.text}
                          {l.eol === 'crlf' && <span className="eol-mark">␍</span>}
                          {l.eol === 'none' && <span className="eol-mark">no newline at end of file</span>}
                          {l.clipped && <span className="eol-mark">…</span>}
                        </td>
                      </tr>
                      {notes && (
                        <tr className="diff-finding">
                          <td colSpan={4}>
                            {notes.map((f, j) => (
                              <FindingNote key={j} f={f} />
                            ))}
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            ))}
          </table>
        </div>
      )}
    </>
  );
}

function DiffView({ name, from, to, path }: { name: string; from: string; to: string; path: string | null }) {
  const tree = useApi<CrateDiff>(`/api/admin/crates/${seg(name)}/diff`, { from, to });
  const selected =
    path ?? tree.data?.files.find((f) => f.findings.length > 0 && f.change !== 'unchanged')?.path ?? null;
  const file = useApi<FileDiffAnswer>(selected ? `/api/admin/crates/${seg(name)}/diff/file` : null, {
    from,
    to,
    path: selected,
  });
  if (tree.error && !tree.data) return <ErrorMessage error={tree.error} onRetry={tree.reload} />;
  if (!tree.data) return <Loading what="the diff" />;
  const { totals, files, crateFindings, analysis } = tree.data;
  const facts = new Map((analysis?.files ?? []).map((f) => [f.path, f]));
  const changed = files.filter((f) => f.change !== 'unchanged');
  const unchanged = files.filter((f) => f.change === 'unchanged');
  const select = (p: string) => navigate(paths.diff(name, { from, to, path: p }), { replace: true });
  return (
    <>
      <p className="meta-row" data-testid="diff-totals">
        {plural(totals.added, 'file')} added · {formatCount(totals.removed)} removed ·{' '}
        {formatCount(totals.modified)} modified · {formatCount(totals.unchanged)} unchanged ·{' '}
        <span className="diff-plus">+{formatCount(totals.linesAdded)}</span>{' '}
        <span className="diff-minus">−{formatCount(totals.linesRemoved)}</span> lines · scan of {to}:{' '}
        <Verdict verdict={tree.data.to.scan?.verdict} />
      </p>
      {crateFindings.length > 0 && (
        <section className="panel" aria-labelledby="crate-findings-h">
          <h2 id="crate-findings-h">Findings on {to} as a whole</h2>
          <ul className="plain-list">
            {crateFindings.map((f, i) => (
              <li key={i}>
                <FindingNote f={f} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <AnalysisSummary analysis={analysis} />
      <div className="diff-grid">
        <section className="panel" aria-labelledby="diff-files-h" data-testid="diff-tree">
          <h2 id="diff-files-h">Files ({files.length})</h2>
          <FileTree files={changed} selected={selected} onSelect={select} facts={facts} />
          {unchanged.length > 0 && (
            <details>
              <summary className="muted">{plural(unchanged.length, 'unchanged file')}</summary>
              <FileTree files={unchanged} selected={selected} onSelect={select} facts={facts} />
            </details>
          )}
        </section>
        <section className="panel diff-file-panel" aria-labelledby="diff-file-h">
          <h2 id="diff-file-h" className="mono break">
            {selected ?? 'Pick a file'}
          </h2>
          {selected === null ? (
            <p className="muted">Pick a file on the left to see its changes.</p>
          ) : file.error && !file.data ? (
            <ErrorMessage error={file.error} onRetry={file.reload} />
          ) : !file.data ? (
            <Loading what={selected} />
          ) : (
            <>
              <p className="muted small">
                {file.data.change} · {file.data.old ? formatBytes(file.data.old.size) : '—'} →{' '}
                {file.data.new ? formatBytes(file.data.new.size) : '—'}
              </p>
              <FileFactsPanel facts={facts.get(selected)} analysis={analysis} />
              <Hunks answer={file.data} />
            </>
          )}
        </section>
      </div>
    </>
  );
}

export function CrateDiffPage({ name, query }: { name: string; query: URLSearchParams }) {
  const crate = useApi<CrateDetail>(`/api/admin/crates/${seg(name)}`);
  const title = `${name}: compare versions`;
  if (crate.error && !crate.data) return <ErrorMessage error={crate.error} onRetry={crate.reload} />;
  if (!crate.data) return <Loading what={name} />;
  // Newest first, as the crate page lists them.
  const versions = crate.data.versions;
  const to = query.get('to') ?? versions[0]?.num ?? '';
  const from = query.get('from') ?? versions[1]?.num ?? to;
  const path = query.get('path');
  const pick = (next: { from: string; to: string }) =>
    navigate(paths.diff(name, { ...next, ...(path ? { path } : {}) }), { replace: true });
  const picker = (label: string, value: string, onChange: (v: string) => void) => (
    <div className="field">
      <label htmlFor={`pick-${label}`}>{label} version</label>
      <select id={`pick-${label}`} value={value} onChange={(e) => onChange(e.target.value)}>
        {versions.map((v) => (
          <option key={v.num} value={v.num}>
            {v.num}
            {v.yanked ? ' (yanked)' : v.status !== 'published' ? ` (${v.status})` : ''}
          </option>
        ))}
      </select>
    </div>
  );
  const toVersion = versions.find((v) => v.num === to);
  return (
    <>
      <PageHeader title={title}>
        <div className="button-row">
          <Link to={paths.crate(name)}>Back to {name}</Link>
          {versions.length > 1 && from !== to && (
            <Link to={paths.vetAudit(name, { from, to })}>Record an audit of this delta</Link>
          )}
        </div>
      </PageHeader>
      <div className="filters" role="group" aria-label="Versions to compare">
        {picker('From', from, (v) => pick({ from: v, to }))}
        {picker('To', to, (v) => pick({ from, to: v }))}
        {toVersion && <VersionBadges yanked={toVersion.yanked} status={toVersion.status} />}
      </div>
      {versions.length < 2 ? (
        <p className="muted">{name} has only one version: there is nothing to compare.</p>
      ) : (
        <DiffView key={`${from}→${to}`} name={name} from={from} to={to} path={path} />
      )}
    </>
  );
}

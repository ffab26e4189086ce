// A version's source analysis on the crate page: cargo-geiger's unsafe counts (used and unused
// files), whether it forbids unsafe code, how much of it parsed, the crates and functions it
// calls, and the registry's versions that call into this crate.
import { seg } from '../api.js';
import type {
  CalledBy,
  CallsInto,
  GeigerCounters,
  VersionAnalysisAnswer,
} from '../../../admin/analysis-types.js';
import { formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';
import { DataTable } from './data-table.js';
import { ErrorMessage, Loading } from './page-state.js';

const COUNTERS: [keyof GeigerCounters, string][] = [
  ['functions', 'Functions'],
  ['exprs', 'Expressions'],
  ['itemImpls', 'Impls'],
  ['itemTraits', 'Traits'],
  ['methods', 'Methods'],
];

const pct = (x: number) => `${(x * 100).toFixed(x === 1 ? 0 : 1)}%`;

function Paths({ paths: list }: { paths: { path: string; calls: number }[] }) {
  const shown = list.slice(0, 8);
  return (
    <ul className="plain-list">
      {shown.map((p) => (
        <li key={p.path} className="mono small">
          {p.path} <span className="muted">×{p.calls}</span>
        </li>
      ))}
      {list.length > shown.length && <li className="muted small">and {list.length - shown.length} more</li>}
    </ul>
  );
}

function CallsIntoTable({ rows }: { rows: CallsInto[] }) {
  return (
    <DataTable
      columns={['Crate', { label: 'Calls', numeric: true }, 'Functions']}
      isEmpty={rows.length === 0}
      empty="No resolved calls into other crates."
      testId="calls-into"
    >
      {rows.map((c) => (
        <tr key={c.crate} data-crate={c.crate}>
          <td>{c.inRegistry ? <Link to={paths.crate(c.crate)}>{c.crate}</Link> : <span>{c.crate}</span>}</td>
          <td className="num">{formatCount(c.calls)}</td>
          <td>
            <Paths paths={c.paths} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function CalledByTable({ rows, version }: { rows: CalledBy[]; version: string }) {
  return (
    <DataTable
      columns={['Caller', 'Requirement', { label: 'Calls', numeric: true }, 'Functions']}
      isEmpty={rows.length === 0}
      empty="No analysed version in this registry calls into this crate."
      testId="called-by"
    >
      {rows.map((c) => (
        <tr key={`${c.crate}@${c.version}`} data-caller={`${c.crate}@${c.version}`}>
          <td>
            <Link to={paths.crate(c.crate)}>{c.crate}</Link> <span className="mono">{c.version}</span>
            {c.status !== 'published' && <span className={`badge state-${c.status}`}>{c.status}</span>}
          </td>
          <td>
            <span className="mono">{c.requirement ?? '—'}</span>{' '}
            {c.acceptsThisVersion ? (
              <span className="badge verdict-medium">uses {version}</span>
            ) : (
              <span className="muted small">not {version}</span>
            )}
          </td>
          <td className="num">{formatCount(c.calls)}</td>
          <td>
            <Paths paths={c.paths} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function VersionAnalysis({ crate, version }: { crate: string; version: string }) {
  const { data, error, reload } = useApi<VersionAnalysisAnswer>(
    `/api/admin/crates/${seg(crate)}/versions/${seg(version)}/analysis`,
  );
  if (error && !data) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return <Loading what={`the analysis of ${version}`} />;
  const u = data.unsafe;
  return (
    <div data-testid="version-analysis" data-version={version}>
      {data.status === 'pending' ? (
        <p className="muted">
          Not analysed yet: the analysis job is queued, or the version predates stored analyses (
          <span className="mono">cratekeeper rescan --analysis {crate}</span> fills it in).
        </p>
      ) : data.status === 'failed' ? (
        <p className="error-text">The source could not be analysed: {data.error}</p>
      ) : (
        u && (
          <>
            <p data-testid="unsafe-summary">
              <strong>{formatCount(u.unsafeUsed)} unsafe</strong> items in the files the build uses ·{' '}
              {u.forbidsUnsafe ? (
                <span className="badge verdict-clean">#![forbid(unsafe_code)]</span>
              ) : (
                <span className="muted">does not forbid unsafe code</span>
              )}{' '}
              · {pct(u.parsedFraction)} of the source parsed · analysed {formatTime(data.analyzedAt)}
            </p>
            <DataTable
              columns={[
                'Unsafe / total',
                { label: 'Used files', numeric: true },
                { label: 'Unused files', numeric: true },
              ]}
              isEmpty={false}
              empty=""
              testId="unsafe-counts"
            >
              {COUNTERS.map(([k, label]) => (
                <tr key={k} data-counter={k}>
                  <th scope="row">{label}</th>
                  <td className="num mono">
                    {u.used[k].unsafe}/{u.used[k].safe + u.used[k].unsafe}
                  </td>
                  <td className="num mono">
                    {u.unused[k].unsafe}/{u.unused[k].safe + u.unused[k].unsafe}
                  </td>
                </tr>
              ))}
            </DataTable>
            {data.error && (
              <details>
                <summary className="muted">Parts of the source did not parse</summary>
                <pre className="note-text small">{data.error}</pre>
              </details>
            )}
          </>
        )
      )}
      <h3>Calls into</h3>
      <CallsIntoTable rows={data.callsInto} />
      <h3>Called by</h3>
      <CalledByTable rows={data.calledBy} version={version} />
    </div>
  );
}

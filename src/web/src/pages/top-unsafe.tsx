// The crates with the most unsafe code in the files their build uses (cargo-geiger's counts,
// each crate's newest live version), with what their dependencies add: the unsafe items of every
// analysed version their normal and build dependencies resolve to.
import type { TopUnsafeAnswer } from '../api-types.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount } from '../format.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useApi } from '../use-api.js';

const LIMITS = [20, 50, 100, 500] as const;

export function TopUnsafePage({ query }: { query: URLSearchParams }) {
  const asked = Number.parseInt(query.get('limit') ?? '', 10);
  const limit = (LIMITS as readonly number[]).includes(asked) ? asked : LIMITS[0];
  const { data, error, reload } = useApi<TopUnsafeAnswer>('/api/admin/analysis/top-unsafe', { limit });
  return (
    <>
      <PageHeader title="Unsafe code">
        <p className="muted">
          Crates by unsafe items in the files their build uses (functions, expressions, impls, traits and
          methods, counted as cargo-geiger counts them), newest live version of each.
        </p>
      </PageHeader>
      <form className="filters" aria-label="How many crates" onSubmit={(e) => e.preventDefault()}>
        <label>
          Show
          <select
            value={limit}
            onChange={(e) => navigate(paths.topUnsafe(Number(e.target.value)), { replace: true })}
          >
            {LIMITS.map((n) => (
              <option key={n} value={n}>
                top {n}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the crates with the most unsafe code" />}
      {data && (
        <DataTable
          columns={[
            'Crate',
            { label: 'Unsafe items', numeric: true },
            { label: 'With dependencies', numeric: true },
            { label: 'Analysed dependencies', numeric: true },
            'Forbids unsafe',
          ]}
          isEmpty={data.crates.length === 0}
          empty="No version has been analysed yet."
          testId="top-unsafe"
        >
          {data.crates.map((c, i) => (
            <tr key={c.crate} data-crate={c.crate} data-rank={i + 1}>
              <td>
                <Link to={paths.crate(c.crate)}>{c.crate}</Link> <span className="mono">{c.version}</span>
              </td>
              <td className="num">{formatCount(c.unsafeUsed)}</td>
              <td className="num" title="this version and every analysed crate it depends on">
                {formatCount(c.transitiveUnsafe)}
              </td>
              <td className="num">{formatCount(c.analyzedDependencies)}</td>
              <td>
                {c.forbidsUnsafe ? (
                  <span className="badge verdict-clean">#![forbid(unsafe_code)]</span>
                ) : (
                  <span className="muted">no</span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

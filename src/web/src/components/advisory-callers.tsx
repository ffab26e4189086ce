// The advisory page's callers: versions in this registry whose analysed source calls one of the
// advisory's affected functions — the dependents that are exposed for certain, to contact first.
import { seg } from '../api.js';
import type { AdvisoryCallersAnswer } from '../../../admin/analysis-types.js';
import { formatCount } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { DataTable } from './data-table.js';
import { useApi } from '../use-api.js';
import { ErrorMessage, Loading } from './page-state.js';

/** Loads the callers when the advisory names affected functions; null path: nothing to ask. */
export function useAdvisoryCallers(id: string, hasFunctions: boolean) {
  return useApi<AdvisoryCallersAnswer>(hasFunctions ? `/api/admin/advisories/${seg(id)}/callers` : null);
}

export function AdvisoryCallers({
  answer,
  error,
  onRetry,
}: {
  answer: AdvisoryCallersAnswer | null;
  error: Error | null;
  onRetry: () => void;
}) {
  if (error && !answer) return <ErrorMessage error={error} onRetry={onRetry} />;
  if (!answer) return <Loading what="the callers" />;
  return (
    <DataTable
      columns={['Caller', 'Version', 'Affected functions called', { label: 'Calls', numeric: true }]}
      isEmpty={answer.callers.length === 0}
      empty="No analysed version in this registry calls an affected function."
      testId="advisory-callers"
    >
      {answer.callers.map((c) => (
        <tr key={`${c.crate}@${c.version}`} data-caller={`${c.crate}@${c.version}`}>
          <td>
            <Link to={paths.crate(c.crate)}>{c.crate}</Link>
          </td>
          <td className="mono">
            {c.version} {c.latest && <span className="muted small">latest</span>}
          </td>
          <td>
            <ul className="plain-list">
              {c.functions.map((f) => (
                <li key={f.path} className="mono small">
                  {f.path} <span className="muted">×{f.calls}</span>
                  {f.affected !== f.path && (
                    <span className="muted" data-testid="through-reexport">
                      {' '}
                      (re-export of {f.affected})
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </td>
          <td className="num">{formatCount(c.calls)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

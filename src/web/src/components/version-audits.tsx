// The crate page's audit status per version: which criteria the registry's signed audits certify
// (a full audit, or a chain of deltas from one; implied criteria marked), by whom, whether the
// signatures verify, and violations. Each version links to the audit form.
import { seg } from '../api.js';
import type { CrateAuditStatus } from '../../../admin/vet-console-types.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';
import { DataTable } from './data-table.js';
import { ErrorMessage, Loading } from './page-state.js';

export function VersionAudits({ crate }: { crate: string }) {
  const { data, error, reload } = useApi<CrateAuditStatus>(`/api/admin/crates/${seg(crate)}/vet/status`);
  if (error && !data) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return <Loading what="the audit status" />;
  // Newest first, as the version table lists them.
  const versions = [...data.versions].reverse();
  return (
    <DataTable
      columns={['Version', 'Certified criteria', 'Violations', '']}
      isEmpty={versions.length === 0}
      empty="No versions."
      testId="audit-status"
    >
      {versions.map((v) => (
        <tr key={v.version} data-version={v.version}>
          <th scope="row" className="mono">
            {v.version}
          </th>
          <td>
            {v.certified.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <ul className="plain-list">
                {v.certified.map((c) => (
                  <li key={c.criteria} data-criteria={c.criteria}>
                    <span className="badge verdict-clean">{c.criteria}</span>
                    {c.implied && <span className="muted small"> (implied)</span>}{' '}
                    <span className="small">
                      by{' '}
                      {c.by.map((b, i) => (
                        <span key={b.auditId}>
                          {i > 0 && ' then '}
                          {b.who} ({b.how}
                          {b.signatureValid ? ', signature valid' : ', SIGNATURE INVALID'})
                        </span>
                      ))}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {v.invalid.length > 0 && (
              <div className="error-text small">
                {v.invalid.length} audit{v.invalid.length === 1 ? '' : 's'} naming this version fail signature
                verification and certify nothing
              </div>
            )}
          </td>
          <td>
            {v.violations.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <ul className="plain-list">
                {v.violations.map((x) => (
                  <li key={x.auditId}>
                    <span className="badge sev-high">violation</span> {x.criteria.join(', ')} ({x.violation})
                    by {x.who}
                  </li>
                ))}
              </ul>
            )}
          </td>
          <td>
            <Link to={paths.vetAudit(data.crate, { version: v.version })}>Record an audit</Link>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

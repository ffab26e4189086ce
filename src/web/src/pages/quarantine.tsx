// The quarantine queue: every version held for review, oldest first (it has waited longest),
// with its scan verdict, top finding and open alerts, released or rejected from here.
import type { QuarantineQueue } from '../../../admin/responder-types.js';
import { actions } from '../actions.js';
import { ActionButton } from '../components/action-dialog.js';
import { Verdict } from '../components/badges.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { ReleaseButton } from '../components/release-action.js';
import { formatAge, formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

export function QuarantinePage() {
  const { data, error, reload } = useApi<QuarantineQueue>('/api/admin/quarantine/queue');
  return (
    <>
      <PageHeader title="Quarantine">
        {data && (
          <p className="muted">
            {formatCount(data.versions.length)} held {data.versions.length === 1 ? 'version' : 'versions'},
            oldest first
          </p>
        )}
      </PageHeader>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the quarantine queue" />}
      {data && (
        <DataTable
          columns={[
            'Version',
            'Held for',
            'Publisher',
            'Verdict',
            'Top finding',
            { label: 'Open alerts', numeric: true },
            'Actions',
          ]}
          isEmpty={data.versions.length === 0}
          empty="Nothing is held in quarantine."
          testId="quarantine-table"
        >
          {data.versions.map((v) => (
            <tr key={`${v.crate}@${v.version}`} data-version={`${v.crate}@${v.version}`}>
              <td>
                <Link to={paths.crate(v.crate)}>{v.crate}</Link> <span className="mono">{v.version}</span>
              </td>
              <td className="nowrap" title={formatTime(v.publishedAt)}>
                {formatAge(v.publishedAt)}
              </td>
              <td>{v.publisher ? <Link to={paths.user(v.publisher)}>{v.publisher}</Link> : '—'}</td>
              <td>
                <Verdict verdict={v.verdict} />
              </td>
              <td>
                {v.topFinding ?? <span className="muted">—</span>}
                {v.findingCount > 1 && <span className="muted small"> (+{v.findingCount - 1})</span>}
              </td>
              <td className="num">
                {v.openAlerts > 0 ? (
                  <Link to={paths.alerts({ crate: v.crate })}>{formatCount(v.openAlerts)}</Link>
                ) : (
                  0
                )}
              </td>
              <td>
                <div className="button-row">
                  <ReleaseButton crate={v.crate} version={v.version} onDone={reload} />
                  <ActionButton spec={actions.reject(v.crate, v.version)} onDone={reload} />
                </div>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

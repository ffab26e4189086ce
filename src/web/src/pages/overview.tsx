// Overview: open alerts by severity and kind, recent publishes (refreshing on its own), and
// publishes, alerts and downloads per day.
import { DataTable } from '../components/data-table.js';
import type { Overview } from '../api-types.js';
import { SEVERITIES } from '../api-types.js';
import { SeverityBadge, Verdict, VersionBadges } from '../components/badges.js';
import { BarChart } from '../components/bar-chart.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatAge, formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

export const OVERVIEW_REFRESH_MS = 5000;

export function OverviewPage() {
  const { data, error, loadedAt, reload } = useApi<Overview>(
    '/api/admin/overview',
    {},
    {
      refreshMs: OVERVIEW_REFRESH_MS,
    },
  );

  return (
    <>
      <PageHeader title="Overview">
        {data?.jobs && (
          <p className="muted">
            Jobs: {formatCount(data.jobs.queued ?? 0)} queued, {formatCount(data.jobs.running ?? 0)} running
            {(data.jobs.failed ?? 0) > 0 && (
              <strong className="error-text">, {formatCount(data.jobs.failed ?? 0)} failed</strong>
            )}
          </p>
        )}
        <p className="muted" aria-live="polite" data-testid="refreshed">
          {loadedAt ? `Updated ${formatTime(loadedAt.toISOString())}` : ''}
        </p>
      </PageHeader>
      {error && !data && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the overview" />}
      {data && (
        <>
          <section className="cards" aria-labelledby="open-alerts-h">
            <h2 id="open-alerts-h" className="visually-hidden">
              Open alerts
            </h2>
            <Link className="card card-total" to={paths.alerts({ status: 'open' })}>
              <span className="card-number">{formatCount(data.alerts.open)}</span>
              <span className="card-label">open alerts</span>
            </Link>
            {SEVERITIES.map((s) => (
              <Link
                key={s}
                className={`card card-sev sev-edge-${s}`}
                to={paths.alerts({ status: 'open', severity: s })}
              >
                <span className="card-number">{formatCount(data.alerts.bySeverity[s] ?? 0)}</span>
                <span className="card-label">
                  <SeverityBadge severity={s} />
                </span>
              </Link>
            ))}
          </section>
          <section className="kinds" aria-label="Open alerts by kind">
            {Object.entries(data.alerts.byKind).length === 0 ? (
              <p className="muted">No open alerts of any kind.</p>
            ) : (
              <ul className="inline-list">
                {Object.entries(data.alerts.byKind).map(([kind, n]) => (
                  <li key={kind}>
                    <Link to={paths.alerts({ status: 'open', kind })}>
                      {kind}: <strong>{formatCount(n)}</strong>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="overview-grid">
            <section className="panel" aria-labelledby="recent-h">
              <h2 id="recent-h">Recent publishes</h2>
              <DataTable
                columns={['Crate', 'Version', 'Publisher', 'Scan', 'When']}
                isEmpty={data.recentPublishes.length === 0}
                empty="Nothing published yet."
                bodyTestId="recent-publishes"
                live
              >
                {data.recentPublishes.map((p) => (
                  <tr key={`${p.crate}@${p.version}`}>
                    <td>
                      <Link to={paths.crate(p.crate)}>{p.crate}</Link>
                    </td>
                    <td className="mono">
                      {p.version} <VersionBadges yanked={p.yanked} status={p.status} />
                    </td>
                    <td>{p.publisher ? <Link to={paths.user(p.publisher)}>{p.publisher}</Link> : '—'}</td>
                    <td>
                      <Verdict verdict={p.verdict} />
                    </td>
                    <td className="nowrap" title={formatTime(p.publishedAt)}>
                      {formatAge(p.publishedAt)}
                    </td>
                  </tr>
                ))}
              </DataTable>
            </section>
            <section className="panel charts" aria-labelledby="per-day-h">
              <h2 id="per-day-h">Last 30 days</h2>
              <BarChart title="Publishes per day" days={data.perDay.days} values={data.perDay.publishes} />
              <BarChart
                title="Alerts per day"
                days={data.perDay.days}
                values={data.perDay.alerts}
                tone="alert"
              />
              <BarChart
                title="Downloads per day"
                days={data.perDay.days}
                values={data.perDay.downloads}
                tone="muted"
              />
            </section>
          </div>
        </>
      )}
    </>
  );
}

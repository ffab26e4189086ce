// The alert queue: filter by kind, severity, status and crate (kept in the URL so a filtered
// queue can be shared), newest first, paged.
import { Pager } from '../components/pager.js';
import { DataTable } from '../components/data-table.js';
import { useEffect, useState, type FormEvent } from 'react';
import type { Alert } from '../api-types.js';
import { KINDS, SEVERITIES, STATUSES } from '../api-types.js';
import { SeverityBadge, StatusBadge } from '../components/badges.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatAge, formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useApi } from '../use-api.js';

const PER_PAGE = 50;

export function AlertsPage({ query }: { query: URLSearchParams }) {
  // Unless the URL says otherwise the queue shows what still needs someone.
  const status = query.get('status') ?? 'open';
  const kind = query.get('kind') ?? '';
  const severity = query.get('severity') ?? '';
  const crate = query.get('crate') ?? '';
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const [crateInput, setCrateInput] = useState(crate);
  useEffect(() => setCrateInput(crate), [crate]);

  const { data, error, reload } = useApi<{ total: number; alerts: Alert[] }>('/api/admin/alerts', {
    status: status === 'any' ? undefined : status,
    kind,
    severity,
    crate,
    offset,
    per_page: PER_PAGE,
  });

  const go = (change: Record<string, string>) => {
    const next: Record<string, string> = { status, kind, severity, crate, ...change };
    if (!('offset' in change)) next.offset = '';
    if (next.status === 'open') next.status = '';
    navigate(paths.alerts(Object.fromEntries(Object.entries(next).filter(([, v]) => v))), { replace: true });
  };

  const onCrate = (e: FormEvent) => {
    e.preventDefault();
    go({ crate: crateInput.trim() });
  };

  return (
    <>
      <PageHeader title="Alerts">
        {data && (
          <p className="muted" aria-live="polite">
            {formatCount(data.total)} {data.total === 1 ? 'alert' : 'alerts'}
          </p>
        )}
      </PageHeader>
      <form className="filters" onSubmit={onCrate} aria-label="Filter alerts">
        <label>
          Status
          <select value={status} onChange={(e) => go({ status: e.target.value })}>
            <option value="any">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => go({ severity: e.target.value })}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => go({ kind: e.target.value })}>
            <option value="">any</option>
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Crate
          <input value={crateInput} onChange={(e) => setCrateInput(e.target.value)} placeholder="name" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="alerts" />}
      {data && (
        <DataTable
          columns={[
            'Severity',
            'Alert',
            'Kind',
            'Crate',
            'Status',
            { label: 'Score', numeric: true },
            'Raised',
          ]}
          isEmpty={data.alerts.length === 0}
          empty="No alerts match these filters."
          testId="alert-table"
        >
          {data.alerts.map((a) => (
            <tr key={a.id}>
              <td>
                <SeverityBadge severity={a.severity} />
              </td>
              <td>
                <Link to={paths.alert(a.id)}>{a.title}</Link>
              </td>
              <td>{a.kind}</td>
              <td>
                <Link to={paths.crate(a.crate)}>{a.crate}</Link>
                {a.version && <span className="mono muted"> {a.version}</span>}
              </td>
              <td>
                <StatusBadge status={a.status} />
              </td>
              <td className="num">{a.score ?? '—'}</td>
              <td className="nowrap" title={formatTime(a.created_at)}>
                {formatAge(a.created_at)}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {data && (
        <Pager
          label="Alert pages"
          offset={offset}
          perPage={PER_PAGE}
          total={data.total}
          onOffset={(o) => go({ offset: String(o) })}
        />
      )}
    </>
  );
}

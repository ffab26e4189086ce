// The alert queue: filter by kind, severity, status and crate (kept in the URL so a filtered
// queue can be shared), most severe first, paged. Each row shows what the alert is about as it
// stands now (the version's state, its dependents, its publisher) and what was done about it;
// rows, or every alert the filter matches, can be triaged at once with a structured reason.
import { Pager } from '../components/pager.js';
import { DataTable } from '../components/data-table.js';
import { useEffect, useState, type FormEvent } from 'react';
import type { AlertQueuePage, AlertQueueRow, BulkTriageAnswer } from '../../../admin/responder-types.js';
import { RESOLUTION_TEXT } from '../../../admin/responder-types.js';
import { ApiError, api } from '../api.js';
import { useAnnounce } from '../announce.js';
import {
  KINDS,
  SEVERITIES,
  STATUSES,
  TRIAGE_RESOLUTIONS,
  TRIAGE_SCALE,
  type TriageResolution,
} from '../api-types.js';
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

  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const filterKey = `${status}|${kind}|${severity}|${crate}`;
  // A new filter is a new selection.
  useEffect(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, [filterKey]);

  const { data, error, reload } = useApi<AlertQueuePage>('/api/admin/alerts', {
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
      {data && data.alerts.length > 0 && (
        <BulkTriage
          selectedIds={[...selected]}
          allMatching={allMatching}
          total={data.total}
          filter={{
            ...(status !== 'any' ? { status } : {}),
            ...(kind ? { kind } : {}),
            ...(severity ? { severity } : {}),
            ...(crate ? { crate } : {}),
          }}
          onSelectAllMatching={(on) => setAllMatching(on)}
          onDone={() => {
            setSelected(new Set());
            setAllMatching(false);
            reload();
          }}
        />
      )}
      {data && (
        <DataTable
          columns={[
            {
              label: (
                <input
                  type="checkbox"
                  aria-label="Select every alert on this page"
                  checked={data.alerts.length > 0 && data.alerts.every((a) => selected.has(a.id))}
                  onChange={(e) =>
                    setSelected(e.target.checked ? new Set(data.alerts.map((a) => a.id)) : new Set())
                  }
                />
              ),
            },
            'Severity',
            'Kind',
            'Alert',
            'Crate',
            'State',
            { label: 'Dependents', numeric: true },
            'Publisher',
            'Status',
            'Raised',
          ]}
          isEmpty={data.alerts.length === 0}
          empty="No alerts match these filters."
          className="alert-queue"
          testId="alert-table"
        >
          {data.alerts.map((a) => (
            <QueueRow
              key={a.id}
              a={a}
              checked={allMatching || selected.has(a.id)}
              onCheck={(on) => {
                const next = new Set(selected);
                if (on) next.add(a.id);
                else next.delete(a.id);
                setSelected(next);
                if (!on) setAllMatching(false);
              }}
            />
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

function QueueRow({
  a,
  checked,
  onCheck,
}: {
  a: AlertQueueRow;
  checked: boolean;
  onCheck: (on: boolean) => void;
}) {
  const last =
    a.resolution ?? (a.lastAction ? { resolution: a.lastAction.action, by: a.lastAction.actor } : null);
  return (
    <tr data-alert={a.id}>
      <td>
        <input
          type="checkbox"
          aria-label={`Select alert #${a.id}`}
          checked={checked}
          onChange={(e) => onCheck(e.target.checked)}
        />
      </td>
      <td>
        <SeverityBadge severity={a.severity} />
      </td>
      <td>{a.kind}</td>
      <td>
        <Link to={paths.alert(a.id)}>{a.title}</Link>
      </td>
      <td>
        <Link to={paths.crate(a.crate)}>{a.crate}</Link>
        {a.version && <span className="mono muted"> {a.version}</span>}
      </td>
      <td>
        <span className={`badge state-${a.state}`} data-testid="alert-state">
          {a.state}
        </span>
      </td>
      <td className="num" data-testid="alert-dependents">
        {a.impact ? formatCount(a.impact.directDependents) : '—'}
      </td>
      <td>
        {a.publisher ? (
          <>
            <Link to={paths.user(a.publisher.login)}>{a.publisher.login}</Link>
            {a.publisher.locked && <span className="badge state-locked"> locked</span>}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <StatusBadge status={a.status} />
        {last && (
          <span className="small muted" data-testid="alert-follow-up">
            {' '}
            {RESOLUTION_TEXT[last.resolution] ?? last.resolution}
            {last.by ? ` · ${last.by}` : ''}
          </span>
        )}
      </td>
      <td className="nowrap" title={formatTime(a.created_at)}>
        {formatAge(a.created_at)}
      </td>
    </tr>
  );
}

/** Triage of the selected rows, or of every alert the filter matches, with a structured reason. */
function BulkTriage(props: {
  selectedIds: number[];
  allMatching: boolean;
  total: number;
  filter: Record<string, string>;
  onSelectAllMatching: (on: boolean) => void;
  onDone: () => void;
}) {
  const announce = useAnnounce();
  const [resolution, setResolution] = useState<TriageResolution>(TRIAGE_RESOLUTIONS[0]);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const count = props.allMatching ? props.total : props.selectedIds.length;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (count === 0) return setError('Select alerts first.');
    if (note.trim().length < 3)
      return setError('Write a note of at least 3 characters; it goes into the audit log.');
    setBusy(true);
    setError(null);
    try {
      const answer = await api.send<BulkTriageAnswer>('POST', '/api/admin/alerts/bulk-triage', {
        ...(props.allMatching ? { filter: props.filter } : { ids: props.selectedIds }),
        resolution,
        note: note.trim(),
      });
      announce(`${answer.count} ${answer.count === 1 ? 'alert' : 'alerts'} ${answer.status}`);
      setNote('');
      props.onDone();
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="bulk-triage filters" onSubmit={submit} aria-label="Triage selected alerts">
      <p className="muted" data-testid="selection-count">
        {count === 0 ? 'No alerts selected' : `${formatCount(count)} selected`}
        {!props.allMatching && props.total > props.selectedIds.length && (
          <>
            {' · '}
            <button type="button" className="link-button" onClick={() => props.onSelectAllMatching(true)}>
              Select all {formatCount(props.total)} matching this filter
            </button>
          </>
        )}
        {props.allMatching && (
          <>
            {' · '}
            <button type="button" className="link-button" onClick={() => props.onSelectAllMatching(false)}>
              Clear selection
            </button>
          </>
        )}
      </p>
      <label>
        Resolution
        <select value={resolution} onChange={(e) => setResolution(e.target.value as TriageResolution)}>
          {TRIAGE_RESOLUTIONS.map((r) => (
            <option key={r} value={r}>
              {TRIAGE_SCALE[r].label} ({TRIAGE_SCALE[r].settles})
            </option>
          ))}
        </select>
      </label>
      <label>
        Note
        <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="why, for the audit log" />
      </label>
      <button type="submit" disabled={busy || count === 0}>
        {busy ? 'Working…' : `Triage ${count === 0 ? '' : formatCount(count)}`.trim()}
      </button>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

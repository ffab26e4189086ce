// The audit log: every admin action and security event, filterable, with a check of the hash
// chain that would show an edited or removed row.
import { Pager } from '../components/pager.js';
import { DataTable } from '../components/data-table.js';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import type { AuditEntry, AuditVerify } from '../api-types.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount, formatTime } from '../format.js';
import { auditTargetPath, paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useApi } from '../use-api.js';

const PER_PAGE = 100;
const FILTERS = ['action', 'actor', 'target'] as const;
/** The server matches each filter exactly; the examples say what a value looks like. */
const EXAMPLES: Record<(typeof FILTERS)[number], string> = {
  action: 'yank',
  actor: 'login',
  target: 'crate@1.0.0',
};
/** Actors that are the registry itself, not a user with a page. */
const SYSTEM_ACTORS = new Set(['cli', 'system']);

function VerifyChain() {
  const [state, setState] = useState<{ busy: boolean; result?: AuditVerify; error?: string }>({
    busy: false,
  });
  const run = async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, result: await api.get<AuditVerify>('/api/admin/audit-log/verify') });
    } catch (e) {
      setState({ busy: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const r = state.result;
  return (
    <div className="verify">
      <button type="button" onClick={() => void run()} disabled={state.busy}>
        {state.busy ? 'Verifying…' : 'Verify the hash chain'}
      </button>
      <p
        role="status"
        aria-live="polite"
        data-testid="verify-result"
        className={r ? (r.ok ? 'ok-text' : 'error-text') : ''}
      >
        {r &&
          (r.ok
            ? `Chain intact: ${formatCount(r.checked)} entries checked.`
            : `Chain BROKEN at entry #${r.firstBroken?.id ?? '?'}: ${r.firstBroken?.reason ?? 'mismatch'} (${formatCount(r.checked)} checked).`)}
        {state.error && `Could not verify: ${state.error}`}
      </p>
    </div>
  );
}

function Target({ e }: { e: AuditEntry }) {
  if (!e.target) return <>—</>;
  const to = auditTargetPath(e.targetType, e.target);
  return to ? <Link to={to}>{e.target}</Link> : <>{e.target}</>;
}

export function AuditLogPage({ query }: { query: URLSearchParams }) {
  const values = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const [inputs, setInputs] = useState(values);
  const key = FILTERS.map((f) => values[f]).join('\n');
  // Back/forward changes the URL: show its filters in the form again.
  useEffect(() => setInputs(values), [key]);
  const { data, error, reload } = useApi<{ total: number; entries: AuditEntry[] }>('/api/admin/audit-log', {
    ...values,
    offset,
    per_page: PER_PAGE,
  });

  const go = (next: Record<string, string>) =>
    navigate(paths.audit(Object.fromEntries(Object.entries(next).filter(([, v]) => v.trim()))), {
      replace: true,
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go(inputs);
  };

  return (
    <>
      <PageHeader title="Audit log">
        <VerifyChain />
      </PageHeader>
      <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
        {FILTERS.map((f) => (
          <label key={f}>
            {f[0]!.toUpperCase() + f.slice(1)}
            <input
              value={inputs[f]}
              placeholder={EXAMPLES[f]}
              onChange={(e) => setInputs({ ...inputs, [f]: e.target.value })}
            />
          </label>
        ))}
        <button type="submit">Filter</button>
        {FILTERS.some((f) => values[f]) && (
          <button type="button" onClick={() => go({})}>
            Clear
          </button>
        )}
      </form>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the audit log" />}
      {data && (
        <>
          <p className="muted">{formatCount(data.total)} entries</p>
          <DataTable
            columns={[
              { label: '#', numeric: true },
              'When',
              'Actor',
              'Action',
              'Target',
              'Reason',
              'From',
              'Hash',
            ]}
            isEmpty={data.entries.length === 0}
            empty="No entries match."
            className="audit"
            testId="audit-table"
          >
            {data.entries.map((e) => (
              <tr
                key={e.id}
                id={`entry-${e.id}`}
                data-entry={e.id}
                // An alert's "audit entry" link lands here with `entry`: that row is marked.
                className={String(e.id) === query.get('entry') ? 'linked-entry' : undefined}
                aria-current={String(e.id) === query.get('entry') ? 'true' : undefined}
              >
                <td className="num">{e.id}</td>
                <td className="nowrap">{formatTime(e.at)}</td>
                <td>
                  {e.actor && !SYSTEM_ACTORS.has(e.actor) ? (
                    <Link to={paths.user(e.actor)}>{e.actor}</Link>
                  ) : (
                    <span className="muted">{e.actor ?? 'system'}</span>
                  )}
                </td>
                <td className="mono">{e.action}</td>
                <td>
                  {e.targetType && <span className="muted small">{e.targetType} </span>}
                  <Target e={e} />
                </td>
                <td className="reason">
                  {e.reason ?? ''}
                  <EntryDetails details={e.details} />
                </td>
                <td className="mono small">{e.ip ?? '—'}</td>
                <td className="mono small" title={`hash ${e.hash}\nprev ${e.prevHash ?? '—'}`}>
                  {e.hash.slice(0, 12)}
                </td>
              </tr>
            ))}
          </DataTable>
          {data && (
            <Pager
              label="Audit log pages"
              offset={offset}
              perPage={PER_PAGE}
              total={data.total}
              onOffset={(o) => go({ ...values, offset: String(o) })}
              words={['Newer', 'Older']}
            />
          )}
        </>
      )}
    </>
  );
}

/** Keys every entry of a kind carries; shown only in the full record. */
const ROUTINE_DETAILS = new Set(['via', 'tokenId']);

/**
 * What the entry recorded beyond its reason (a triage note, a failure's message, the checksum
 * of a publish): the notable fields inline, the whole record one click away.
 */
function EntryDetails({ details }: { details: unknown }) {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return null;
  const fields = Object.entries(details as Record<string, unknown>).filter(
    ([k, v]) => !ROUTINE_DETAILS.has(k) && v !== null && v !== undefined && v !== '',
  );
  if (fields.length === 0) return null;
  const show = (v: unknown) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  };
  return (
    <details className="entry-details">
      <summary>
        {fields
          .slice(0, 2)
          .map(([k, v]) => `${k}: ${show(v)}`)
          .join(' · ')}
        {fields.length > 2 ? ` · +${fields.length - 2}` : ''}
      </summary>
      <dl>
        {fields.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className="mono small">{show(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

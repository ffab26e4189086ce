// Search across crates, users and alerts; a name nobody holds can be reserved or blocked here.
import { useEffect, useState, type FormEvent } from 'react';
import { actions } from '../actions.js';
import type { SearchResult } from '../api-types.js';
import { ActionButton } from '../components/action-dialog.js';
import { SeverityBadge, StatusBadge } from '../components/badges.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useApi } from '../use-api.js';
import type { ProvenanceAnswer, ProvenanceHit } from '../../../admin/responder-types.js';
import { DataTable } from '../components/data-table.js';
import { formatTime } from '../format.js';

/** Cargo's name rule, loosely: what could be reserved as a crate name. */
const CRATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function SearchPage({ q }: { q: string }) {
  const [input, setInput] = useState(q);
  useEffect(() => setInput(q), [q]);
  const { data, error, reload } = useApi<SearchResult>(q ? '/api/admin/search' : null, { q });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(paths.search(input.trim()));
  };
  const exact = data?.crates.some((c) => c.name.toLowerCase() === q.toLowerCase());
  const empty = data && !data.crates.length && !data.users.length && !data.alerts.length;

  return (
    <>
      <PageHeader title={q ? `Search: ${q}` : 'Search'} />
      <form className="filters" role="search" onSubmit={submit}>
        <label>
          Crates, users and alerts
          <input type="search" value={input} onChange={(e) => setInput(e.target.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {!q && (
        <p className="muted">
          Type a crate name, a login or words from an alert; a checksum, a client address, a token name or a
          publisher finds versions by how they were published.
        </p>
      )}
      {q && <ProvenanceResults q={q} />}
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {q && !data && !error && <Loading what="results" />}
      {empty && <p>Nothing matches “{q}”.</p>}
      {data && (
        <div className="search-results">
          {data.crates.length > 0 && (
            <section className="panel" aria-labelledby="res-crates-h">
              <h2 id="res-crates-h">Crates ({data.crates.length})</h2>
              <ul className="results">
                {data.crates.map((c) => (
                  <li key={c.name}>
                    <Link to={paths.crate(c.name)}>{c.name}</Link>{' '}
                    {c.maxVersion && <span className="mono muted">{c.maxVersion}</span>}
                    {c.description && <p className="muted small">{c.description}</p>}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {data.users.length > 0 && (
            <section className="panel" aria-labelledby="res-users-h">
              <h2 id="res-users-h">Users ({data.users.length})</h2>
              <ul className="results">
                {data.users.map((u) => (
                  <li key={u.login}>
                    <Link to={paths.user(u.login)}>{u.login}</Link>
                    {u.name && <span className="muted"> {u.name}</span>}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {data.alerts.length > 0 && (
            <section className="panel" aria-labelledby="res-alerts-h">
              <h2 id="res-alerts-h">Alerts ({data.alerts.length})</h2>
              <ul className="results">
                {data.alerts.map((a) => (
                  <li key={a.id}>
                    <SeverityBadge severity={a.severity} /> <Link to={paths.alert(a.id)}>{a.title}</Link>{' '}
                    <StatusBadge status={a.status} />
                  </li>
                ))}
              </ul>
            </section>
          )}
          {!exact && CRATE_NAME.test(q) && (
            <section className="panel" aria-labelledby="names-h">
              <h2 id="names-h">The name “{q}”</h2>
              <p className="muted">No crate has this name. Keep it from being registered:</p>
              <div className="button-row">
                <ActionButton spec={actions.name(q, 'reserve')} onDone={reload} />
                <ActionButton spec={actions.name(q, 'block')} onDone={reload} />
              </div>
            </section>
          )}
        </div>
      )}
    </>
  );
}

/** What a query can name in a version's provenance: a checksum, an address, else a token or publisher. */
function provenanceFields(q: string): ('checksum' | 'ip' | 'token' | 'publisher')[] {
  if (/^[0-9a-f]{8,64}$/i.test(q)) return ['checksum'];
  if (/^[0-9.]+$/.test(q) && q.includes('.')) return ['ip'];
  if (/^[0-9a-f:]+$/i.test(q) && q.includes(':')) return ['ip'];
  return ['publisher', 'token'];
}

/** Versions found by provenance; shown only when there are any. */
function ProvenanceResults({ q }: { q: string }) {
  const [first, second] = provenanceFields(q);
  const a = useApi<ProvenanceAnswer>('/api/admin/provenance', { [first!]: q });
  const b = useApi<ProvenanceAnswer>(second ? '/api/admin/provenance' : null, second ? { [second]: q } : {});
  const hits: (ProvenanceHit & { field: string })[] = [
    ...(a.data?.versions.map((v) => ({ ...v, field: a.data!.field })) ?? []),
    ...(b.data?.versions.map((v) => ({ ...v, field: b.data!.field })) ?? []),
  ];
  if (hits.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="provenance-h">
      <h2 id="provenance-h">Versions by provenance ({hits.length})</h2>
      <DataTable
        columns={['Version', 'Matched', 'State', 'Publisher', 'Token', 'From', 'Published']}
        isEmpty={false}
        empty=""
        testId="provenance-table"
      >
        {hits.map((v) => (
          <tr key={`${v.field}-${v.crate}@${v.version}`}>
            <td>
              <Link to={paths.crate(v.crate)}>{v.crate}</Link> <span className="mono">{v.version}</span>
            </td>
            <td>{v.field}</td>
            <td>
              <span className={`badge state-${v.state}`}>{v.state}</span>
            </td>
            <td>{v.publisher ? <Link to={paths.user(v.publisher)}>{v.publisher}</Link> : '—'}</td>
            <td className="mono">{v.tokenName ?? '—'}</td>
            <td className="mono small">
              {v.clientIp ?? '—'} {v.userAgent && <span className="muted">{v.userAgent}</span>}
            </td>
            <td className="nowrap">{formatTime(v.publishedAt)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

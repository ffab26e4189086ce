// Advisories the registry holds (synced from advisory databases or authored here), newest
// first, filtered by text, category, origin and whether the crate is in this registry.
import { Pager } from '../components/pager.js';
import { useEffect, useState, type FormEvent } from 'react';
import type { AdvisoryList } from '../api-types.js';
import { AdvisoryBadges } from '../components/advisory-badges.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount } from '../format.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useApi } from '../use-api.js';

const PER_PAGE = 50;

export function AdvisoriesPage({ query }: { query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const category = query.get('category') ?? '';
  const origin = query.get('origin') ?? '';
  const present = query.get('present') === 'true';
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const { data, error, reload } = useApi<AdvisoryList>('/api/admin/advisories', {
    q,
    category,
    origin,
    present: present ? 'true' : undefined,
    offset,
    per_page: PER_PAGE,
  });
  const go = (change: Record<string, string>) => {
    const next: Record<string, string> = { q, category, origin, present: present ? 'true' : '', ...change };
    if (!('offset' in change)) next.offset = '';
    navigate(paths.advisories(Object.fromEntries(Object.entries(next).filter(([, v]) => v))), {
      replace: true,
    });
  };
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    go({ q: text.trim() });
  };

  return (
    <>
      <PageHeader title="Advisories">
        {data && (
          <p className="muted" aria-live="polite">
            {formatCount(data.total)} {data.total === 1 ? 'advisory' : 'advisories'}
          </p>
        )}
      </PageHeader>
      <form className="filters" onSubmit={onSearch} aria-label="Filter advisories">
        <label>
          Id, crate or title
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder="RUSTSEC-2024-…" />
        </label>
        <label>
          Category
          <select value={category} onChange={(e) => go({ category: e.target.value })}>
            <option value="">any</option>
            {['malicious', 'memory-corruption', 'code-execution', 'denial-of-service', 'crypto-failure'].map(
              (c) => (
                <option key={c}>{c}</option>
              ),
            )}
          </select>
        </label>
        <label>
          Origin
          <select value={origin} onChange={(e) => go({ origin: e.target.value })}>
            <option value="">any</option>
            <option value="synced">synced</option>
            <option value="authored">authored here</option>
          </select>
        </label>
        <label className="checkbox">
          <span>
            <input
              type="checkbox"
              checked={present}
              onChange={(e) => go({ present: e.target.checked ? 'true' : '' })}
            />{' '}
            Crates in this registry only
          </span>
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="advisories" />}
      {data && (
        <DataTable
          columns={['Advisory', 'Crate', 'Title', 'Kind', 'Date', 'Origin']}
          isEmpty={data.advisories.length === 0}
          empty="No advisories match these filters. Sync a database with `cratekeeper advisories sync --from …`."
          testId="advisory-table"
        >
          {data.advisories.map((a) => (
            <tr key={a.id} data-advisory={a.id}>
              <td className="mono nowrap">
                <Link to={paths.advisory(a.id)}>{a.id}</Link>
              </td>
              <td>
                {a.present ? <Link to={paths.crate(a.package)}>{a.package}</Link> : <span>{a.package}</span>}
                {a.present && <span className="badge state-build">in registry</span>}
              </td>
              <td>{a.title}</td>
              <td>
                <AdvisoryBadges
                  categories={a.categories}
                  informational={a.informational}
                  withdrawn={a.withdrawn}
                  {...(a.present ? { scope: a.scope } : {})}
                />
              </td>
              <td className="nowrap">{a.date}</td>
              <td>{a.origin === 'authored' ? 'authored here' : a.database}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {data && (
        <Pager
          label="Advisory pages"
          offset={offset}
          perPage={PER_PAGE}
          total={data.total}
          onOffset={(o) => go({ offset: String(o) })}
        />
      )}
    </>
  );
}

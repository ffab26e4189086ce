// One advisory: what it says, this registry's versions it affects, and its blast radius —
// the crates whose latest version depends on an affected version, directly or through
// others, with their owners (who to tell). The description is shown as text, not rendered.
import { seg } from '../api.js';
import { actions } from '../actions.js';
import type { AdvisoryDetail } from '../api-types.js';
import { ActionButton } from '../components/action-dialog.js';
import { AdvisoryBadges } from '../components/advisory-badges.js';
import { AdvisoryCallers, useAdvisoryCallers } from '../components/advisory-callers.js';
import { VersionBadges } from '../components/badges.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

const list = (xs: string[]) => (xs.length ? xs.join(', ') : '—');

export function AdvisoryPage({ id }: { id: string }) {
  const { data, error, reload } = useApi<AdvisoryDetail>(`/api/admin/advisories/${seg(id)}`);
  const hasFunctions = Object.keys(data?.advisory.affectedFunctions ?? {}).length > 0;
  const callers = useAdvisoryCallers(id, hasFunctions);
  if (error && !data) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return <Loading what={id} />;
  const { advisory: a, affectedVersions, blastRadius } = data;
  // Dependents whose code calls an affected function are exposed for certain: they come first.
  const calling = new Set((callers.data?.callers ?? []).map((c) => `${c.crate}@${c.version}`));
  const dependents = blastRadius
    ? [...blastRadius.dependents].sort(
        (x, y) =>
          Number(calling.has(`${y.crate}@${y.version}`)) - Number(calling.has(`${x.crate}@${x.version}`)),
      )
    : [];
  return (
    <>
      <PageHeader title={`${a.id}: ${a.title}`}>
        <div className="button-row">
          {a.origin === 'authored' && !a.withdrawn && (
            <ActionButton spec={actions.withdrawAdvisory(a.id)} onDone={reload} />
          )}
        </div>
      </PageHeader>
      <p className="lead">
        <AdvisoryBadges
          categories={a.categories}
          informational={a.informational}
          withdrawn={a.withdrawn}
          {...(a.present ? { scope: a.scope } : {})}
        />
      </p>
      <div className="detail-grid">
        <div className="detail-main">
          <section className="panel" aria-labelledby="affected-h">
            <h2 id="affected-h">Affected versions in this registry</h2>
            {!a.present ? (
              <p className="muted">This registry has no crate named {a.package}.</p>
            ) : (
              <DataTable
                columns={['Version', 'State']}
                isEmpty={affectedVersions.length === 0}
                empty={a.withdrawn ? 'Withdrawn: it affects no version.' : 'No version here is affected.'}
                testId="affected-versions"
              >
                {affectedVersions.map((v) => (
                  <tr key={v.num} data-version={v.num}>
                    <th scope="row" className="mono">
                      {v.num}
                    </th>
                    <td>
                      <VersionBadges yanked={v.yanked} status={v.status} />
                      {v.status === 'published' && !v.yanked && <span className="muted">published</span>}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          {blastRadius && (
            <section className="panel" aria-labelledby="blast-h">
              <h2 id="blast-h">Blast radius</h2>
              <p data-testid="blast-summary">
                <strong>
                  {formatCount(blastRadius.direct)} direct and {formatCount(blastRadius.transitive)}{' '}
                  transitive dependent {blastRadius.transitive === 1 ? 'crate' : 'crates'}
                </strong>{' '}
                (latest versions, normal and build dependencies, optional ones included)
                {blastRadius.outOfIndex.length > 0 && (
                  <>
                    ; {list(blastRadius.outOfIndex)} {blastRadius.outOfIndex.length === 1 ? 'is' : 'are'} held
                    (no resolution selects them), counted by the requirements that accept them
                  </>
                )}
                .
              </p>
              <DataTable
                columns={['Dependent', 'Version', 'How', 'Owners']}
                isEmpty={dependents.length === 0}
                empty="Nothing in this registry depends on an affected version."
                testId="blast-radius"
              >
                {dependents.map((d) => (
                  <tr key={`${d.crate}@${d.version}`} data-dependent={`${d.crate}@${d.version}`}>
                    <td>
                      <Link to={paths.crate(d.crate)}>{d.crate}</Link>
                      {calling.has(`${d.crate}@${d.version}`) && (
                        <span className="badge sev-high">calls affected code</span>
                      )}
                    </td>
                    <td className="mono">{d.version}</td>
                    <td>{d.depth === 1 ? 'direct' : `transitive (${d.depth} steps)`}</td>
                    <td>
                      {d.owners.length === 0
                        ? '—'
                        : d.owners.map((o, i) => (
                            <span key={o}>
                              {i > 0 && ', '}
                              {o.includes(':') ? o : <Link to={paths.user(o)}>{o}</Link>}
                            </span>
                          ))}
                    </td>
                  </tr>
                ))}
              </DataTable>
            </section>
          )}
          {hasFunctions && (
            <section className="panel" aria-labelledby="callers-h">
              <h2 id="callers-h">Dependents calling the affected functions</h2>
              <AdvisoryCallers answer={callers.data} error={callers.error} onRetry={callers.reload} />
            </section>
          )}
          <section className="panel" aria-labelledby="desc-h">
            <h2 id="desc-h">Description</h2>
            <div className="advisory-text">{a.description || 'No description.'}</div>
          </section>
          <section className="panel" aria-labelledby="file-h">
            <h2 id="file-h">RustSec file</h2>
            <pre className="advisory-file">{a.markdown}</pre>
          </section>
        </div>
        <aside className="detail-side" aria-label="About the advisory">
          <section className="panel" aria-labelledby="facts-h">
            <h2 id="facts-h">Facts</h2>
            <dl className="facts">
              <dt>Crate</dt>
              <dd>{a.present ? <Link to={paths.crate(a.package)}>{a.package}</Link> : a.package}</dd>
              <dt>Date</dt>
              <dd>{a.date}</dd>
              <dt>Patched</dt>
              <dd className="mono">{list(a.patched)}</dd>
              <dt>Unaffected</dt>
              <dd className="mono">{list(a.unaffected)}</dd>
              <dt>Source</dt>
              <dd className="mono break">{a.source ?? 'crates.io'}</dd>
              <dt>Origin</dt>
              <dd>
                {a.origin === 'authored'
                  ? `authored here by ${a.author ?? 'unknown'}`
                  : `synced from ${a.database}`}
              </dd>
              <dt>Categories</dt>
              <dd>{list(a.categories)}</dd>
              <dt>Aliases</dt>
              <dd className="mono">{list(a.aliases)}</dd>
              {a.cvss && (
                <>
                  <dt>CVSS</dt>
                  <dd className="mono break">{a.cvss}</dd>
                </>
              )}
              {Object.keys(a.affectedFunctions).length > 0 && (
                <>
                  <dt>Functions</dt>
                  <dd className="mono break">{Object.keys(a.affectedFunctions).join(', ')}</dd>
                </>
              )}
              {a.url && (
                <>
                  <dt>URL</dt>
                  {/* Shown, not linked, like a crate's links. */}
                  <dd className="mono break">{a.url}</dd>
                </>
              )}
              <dt>Updated</dt>
              <dd>{formatTime(a.updatedAt)}</dd>
            </dl>
          </section>
        </aside>
      </div>
    </>
  );
}

// A crate: metadata, owners, every version with how it was published and what the scanner and
// typosquat checks said, downloads, and who depends on it; per version, the source analysis
// (unsafe counts, calls into and from other crates) and the audit status.
import { Fragment, useState } from 'react';
import { actions } from '../actions.js';
import { seg } from '../api.js';
import type { Alert, CrateDetail, Owner, Version } from '../api-types.js';
import type { CrateAnalysisList, CrateAnalysisVersion } from '../../../admin/analysis-types.js';
import { ActionButton } from '../components/action-dialog.js';
import { SeverityBadge, Verdict, VersionBadges } from '../components/badges.js';
import { BarChart } from '../components/bar-chart.js';
import { DependentsTree } from '../components/dependents-tree.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { SecurityTab } from '../components/security-tab.js';
import { VersionActions } from '../components/version-actions.js';
import { VersionAnalysis } from '../components/version-analysis.js';
import { VersionAudits } from '../components/version-audits.js';
import { formatBytes, formatCount, formatTime, plural } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { useApi } from '../use-api.js';

const ownerLogin = (o: Owner): string => (typeof o === 'string' ? o : o.login);

function findingCount(scan: Version['scan']): number | null {
  if (!scan) return null;
  return Array.isArray(scan.findings)
    ? scan.findings.length
    : typeof scan.findings === 'number'
      ? scan.findings
      : null;
}

function VersionAlerts({ alerts, linked }: { alerts: Alert[]; linked: boolean }) {
  if (alerts.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain-list">
      {alerts.map((a) => (
        <li key={a.id}>
          <SeverityBadge severity={a.severity} />{' '}
          {linked ? <Link to={paths.alert(a.id)}>{a.kind}</Link> : <span>{a.kind}</span>}
        </li>
      ))}
    </ul>
  );
}

/** A user's page is an administrator's: an auditor sees the login only. */
function UserName({ login, linked }: { login: string; linked: boolean }) {
  return linked ? <Link to={paths.user(login)}>{login}</Link> : <span>{login}</span>;
}

function UnsafeCell({ a, onShow }: { a: CrateAnalysisVersion | undefined; onShow: () => void }) {
  if (!a || a.status === 'pending') return <span className="muted">not analysed</span>;
  if (a.status === 'failed') return <span className="error-text small">analysis failed</span>;
  return (
    <button
      type="button"
      className="link-button"
      onClick={onShow}
      aria-label={`Source analysis of ${a.version}`}
    >
      {formatCount(a.unsafeUsed)} unsafe
      {a.forbidsUnsafe && <span className="badge verdict-clean">forbids</span>}
    </button>
  );
}

/** A version's downloads and the dependents whose requirement accepts it (yanked or not). */
function VersionReachCell({ v }: { v: Version }) {
  if (!v.downloads || !v.dependents) return <span className="muted">—</span>;
  return (
    <>
      <div>{plural(v.downloads.total, 'download')}</div>
      <div className="muted small">{formatCount(v.downloads.last30Days)} in 30 days</div>
      <div className="muted small">{formatCount(v.downloads.last7Days)} in 7 days</div>
      <div
        className="small"
        data-testid="version-dependents"
        title="Crates whose requirement accepts this version: their lockfiles may pin it, yanked or not"
      >
        {plural(v.dependents.crates, 'dependent')}
        {v.dependents.versions > v.dependents.crates && (
          <span className="muted"> ({plural(v.dependents.versions, 'version')})</span>
        )}
      </div>
    </>
  );
}

type CrateTab = 'versions' | 'security' | 'analysis' | 'audits';

export function CratePage({ name }: { name: string }) {
  const { data, error, reload } = useApi<CrateDetail>(`/api/admin/crates/${seg(name)}`);
  const analyses = useApi<CrateAnalysisList>(`/api/admin/crates/${seg(name)}/analysis`);
  const [tab, setTab] = useState<CrateTab>('versions');
  const [analysed, setAnalysed] = useState<string | null>(null);
  // Auditors read this page too; what only administrators may do or open is left out for them.
  const isAdmin = useSession().user.isAdmin;
  if (error && !data) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return <Loading what={name} />;
  const { crate, owners, versions, alerts, downloadsPerDay, dependents } = data;
  const created = crate.createdAt;
  const updated = crate.updatedAt;
  const crateAlerts = alerts.filter((a) => !a.version);
  const advisories = data.advisories ?? [];
  const liveAdvisories = advisories.filter((a) => !a.withdrawn).length;
  const analysisOf = new Map((analyses.data?.versions ?? []).map((a) => [a.version, a]));
  const shownVersion = analysed ?? versions[0]?.num ?? null;
  const tabButton = (id: CrateTab, label: string) => (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={tab === id}
      aria-controls={`panel-${id}`}
      onClick={() => setTab(id)}
    >
      {label}
    </button>
  );

  return (
    <>
      <PageHeader title={crate.name}>
        <div className="button-row">
          {versions.length > 1 && <Link to={paths.diff(crate.name)}>Compare versions</Link>}
          <ActionButton spec={actions.deleteCrate(crate.name)} onDone={reload} />
        </div>
      </PageHeader>
      {crate.description && <p className="lead">{crate.description}</p>}
      <div className="detail-grid">
        <div className="detail-main">
          <div className="tabs" role="tablist" aria-label="Crate views">
            <button
              type="button"
              role="tab"
              id="tab-versions"
              aria-selected={tab === 'versions'}
              aria-controls="panel-versions"
              onClick={() => setTab('versions')}
            >
              Versions
            </button>
            <button
              type="button"
              role="tab"
              id="tab-security"
              aria-selected={tab === 'security'}
              aria-controls="panel-security"
              onClick={() => setTab('security')}
            >
              Security{liveAdvisories > 0 ? ` (${liveAdvisories})` : ''}
            </button>
            {tabButton('analysis', 'Source analysis')}
            {tabButton('audits', 'Audits')}
          </div>
          {tab === 'analysis' && (
            <div role="tabpanel" id="panel-analysis" aria-labelledby="tab-analysis">
              <section className="panel" aria-labelledby="analysis-h">
                <h2 id="analysis-h">Source analysis</h2>
                <div className="filters">
                  <label>
                    Version
                    <select value={shownVersion ?? ''} onChange={(e) => setAnalysed(e.target.value)}>
                      {versions.map((v) => (
                        <option key={v.num} value={v.num}>
                          {v.num}
                        </option>
                      ))}
                    </select>
                  </label>
                </div>
                {shownVersion && (
                  <VersionAnalysis key={shownVersion} crate={crate.name} version={shownVersion} />
                )}
              </section>
            </div>
          )}
          {tab === 'audits' && (
            <div role="tabpanel" id="panel-audits" aria-labelledby="tab-audits">
              <section className="panel" aria-labelledby="audits-h">
                <h2 id="audits-h">Audit status (cargo-vet)</h2>
                <VersionAudits crate={crate.name} />
              </section>
            </div>
          )}
          {tab === 'security' && (
            <div role="tabpanel" id="panel-security" aria-labelledby="tab-security">
              <SecurityTab crate={crate.name} versions={versions} advisories={advisories} />
            </div>
          )}
          <div role="tabpanel" id="panel-versions" aria-labelledby="tab-versions" hidden={tab !== 'versions'}>
            <section className="panel" aria-labelledby="versions-h">
              <h2 id="versions-h">Versions ({versions.length})</h2>
              <div className="table-wrap">
                <table className="versions" data-testid="versions">
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Published</th>
                      <th scope="col">Checksum (SHA-256) · size</th>
                      <th scope="col">Downloads · dependents</th>
                      <th scope="col">Scan</th>
                      <th scope="col">Unsafe</th>
                      <th scope="col">Alerts</th>
                      {isAdmin && <th scope="col">Actions</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {versions.map((v) => (
                      <tr key={v.num} data-version={v.num}>
                        <th scope="row" className="mono">
                          {v.num} <VersionBadges yanked={v.yanked} status={v.status} />
                          {v.hasBuildScript && <span className="badge state-build">build.rs</span>}
                        </th>
                        <td data-label="Published">
                          <div>{formatTime(v.publishedAt)}</div>
                          <div>
                            by {v.publisher ? <UserName login={v.publisher} linked={isAdmin} /> : '—'}
                            {v.tokenName && (
                              <>
                                {' '}
                                with token <span className="mono">{v.tokenName}</span>
                              </>
                            )}
                          </div>
                          {isAdmin && (
                            <div className="muted small">
                              from <span className="mono">{v.clientIp ?? '—'}</span> ·{' '}
                              <span className="ua">{v.userAgent ?? 'no user agent'}</span>
                            </div>
                          )}
                        </td>
                        <td data-label="Checksum (SHA-256) · size">
                          <div className="mono checksum">{v.checksum}</div>
                          <div className="muted small">{formatBytes(v.size)}</div>
                        </td>
                        <td data-label="Downloads · dependents" data-testid="version-reach">
                          <VersionReachCell v={v} />
                        </td>
                        <td className="col-scan" data-label="Scan" data-testid="version-scan">
                          <Verdict verdict={v.scan?.verdict} />
                          {findingCount(v.scan) !== null && (
                            <div className="muted small">{formatCount(findingCount(v.scan))} findings</div>
                          )}
                        </td>
                        <td data-label="Unsafe">
                          <UnsafeCell
                            a={analysisOf.get(v.num)}
                            onShow={() => {
                              setAnalysed(v.num);
                              setTab('analysis');
                            }}
                          />
                        </td>
                        <td data-label="Alerts">
                          <VersionAlerts
                            alerts={alerts.filter((a) => a.version === v.num)}
                            linked={isAdmin}
                          />
                        </td>
                        {isAdmin && (
                          <td className="col-actions" data-label="Actions" data-testid="version-actions">
                            <VersionActions
                              crate={crate.name}
                              version={v.num}
                              yanked={v.yanked}
                              status={v.status}
                              onDone={reload}
                            />
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
            {isAdmin && (
              // The dependents tree walks the whole ecosystem graph: an administrator's view.
              <section className="panel" aria-labelledby="dependents-h">
                <h2 id="dependents-h">Dependents</h2>
                <DependentsTree
                  crate={crate.name}
                  direct={dependents.direct}
                  directCount={dependents.directCount}
                  transitiveCount={dependents.transitiveCount}
                />
              </section>
            )}
          </div>
        </div>
        <aside className="detail-side" aria-label="About the crate">
          <section className="panel" aria-labelledby="meta-h">
            <h2 id="meta-h">Metadata</h2>
            <dl className="facts">
              <dt>Latest</dt>
              <dd className={crate.maxVersion ? 'mono' : 'muted'}>
                {crate.maxVersion ?? 'no live version (held, rejected or deleted)'}
              </dd>
              <dt>Created</dt>
              <dd>{formatTime(created)}</dd>
              <dt>Updated</dt>
              <dd>{formatTime(updated)}</dd>
              {crate.keywords && crate.keywords.length > 0 && (
                <>
                  <dt>Keywords</dt>
                  <dd>{crate.keywords.join(', ')}</dd>
                </>
              )}
              {crate.downloads !== undefined && (
                <>
                  <dt>Downloads</dt>
                  <dd>{formatCount(crate.downloads)}</dd>
                </>
              )}
              {(['repository', 'homepage', 'documentation'] as const).map((k) =>
                crate[k] ? (
                  <Fragment key={k}>
                    <dt>{k}</dt>
                    {/* Shown, not linked: a suspect crate's links are not to be clicked by accident. */}
                    <dd className="mono break">{crate[k]}</dd>
                  </Fragment>
                ) : null,
              )}
            </dl>
          </section>
          <section className="panel" aria-labelledby="owners-h">
            <h2 id="owners-h">Owners</h2>
            {owners.length === 0 ? (
              <p className="muted">No owners.</p>
            ) : (
              <ul className="plain-list owners">
                {owners.map((o) => {
                  const login = ownerLogin(o);
                  return (
                    <li key={login}>
                      <UserName login={login} linked={isAdmin} />
                      <ActionButton spec={actions.removeOwner(crate.name, login)} onDone={reload} />
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          {crateAlerts.length > 0 && (
            <section className="panel" aria-labelledby="crate-alerts-h">
              <h2 id="crate-alerts-h">Alerts on the crate</h2>
              <VersionAlerts alerts={crateAlerts} linked={isAdmin} />
            </section>
          )}
          <section className="panel" aria-labelledby="downloads-h">
            <h2 id="downloads-h" className="visually-hidden">
              Downloads
            </h2>
            <BarChart
              title="Downloads per day"
              days={downloadsPerDay.map((d) => d.date)}
              values={downloadsPerDay.map((d) => d.downloads)}
              tone="muted"
            />
          </section>
        </aside>
      </div>
    </>
  );
}

// One alert: what it is, what it touches, the evidence, triage with notes, and the actions on
// the crate, version and publisher one click away.
import { useState, type FormEvent } from 'react';
import { actions } from '../actions.js';
import { api, seg } from '../api.js';
import type { CrateDetail } from '../api-types.js';
import type { AlertFollowUpView, TakeoverSignals } from '../../../admin/responder-types.js';
import { RESOLUTION_TEXT } from '../../../admin/responder-types.js';
import { useAnnounce } from '../announce.js';
import { ActionButton } from '../components/action-dialog.js';
import { SeverityBadge, StatusBadge, VersionBadges } from '../components/badges.js';
import { EvidenceView } from '../components/evidence-view.js';
import { VersionActions } from '../components/version-actions.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { evidenceOf, normalizeAlertDetail } from '../evidence.js';
import { formatTime, impactSentence } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

type Triage = 'acknowledge' | 'escalate' | 'reopen' | 'settle';

/** What triage still applies: an open alert can be settled; a settled one only reopened. */
function triageFor(status: string): Triage[] {
  switch (status) {
    case 'open':
      return ['acknowledge', 'escalate', 'settle'];
    case 'acknowledged':
      return ['escalate', 'settle'];
    case 'escalated':
      return ['acknowledge', 'settle'];
    default:
      return ['reopen'];
  }
}

function NoteForm({ alertId, onDone }: { alertId: number; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const announce = useAnnounce();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) return setError('Write a note first.');
    try {
      await api.send('POST', `/api/admin/alerts/${seg(alertId)}/notes`, { note: note.trim() });
      setNote('');
      setError(null);
      announce('Note added');
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form onSubmit={submit} className="note-form">
      <label htmlFor="new-note">Add a note</label>
      <textarea id="new-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="submit">Add note</button>
    </form>
  );
}

export function AlertDetailPage({ id }: { id: number }) {
  const loaded = useApi<unknown>(`/api/admin/alerts/${seg(id)}`);
  const detail = loaded.data ? normalizeAlertDetail(loaded.data) : null;
  const crateName = detail?.alert.crate ?? null;
  const followUp = useApi<AlertFollowUpView>(`/api/admin/alerts/${seg(id)}/follow-up`);
  const live = followUp.data?.crateExists === true;
  const krate = useApi<CrateDetail>(crateName && live ? `/api/admin/crates/${seg(crateName)}` : null);
  const reload = () => {
    loaded.reload();
    followUp.reload();
    krate.reload();
  };

  if (loaded.error && !detail) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />;
  if (!detail) return <Loading what={`alert #${id}`} />;
  const { alert, notes, impact } = detail;
  const evidence = evidenceOf(alert, detail.evidence);
  const version = alert.version ? krate.data?.versions.find((v) => v.num === alert.version) : undefined;
  const f = followUp.data;
  const publisher = f?.publisher ?? null;
  const versionGone = f?.state === 'deleted';

  return (
    <>
      <PageHeader title={alert.title} />
      <div className="meta-row">
        <SeverityBadge severity={alert.severity} />
        <StatusBadge status={alert.status} />
        <span>{alert.kind}</span>
        <span>
          <Link to={paths.crate(alert.crate)}>{alert.crate}</Link>
          {alert.version && <span className="mono"> {alert.version}</span>}{' '}
          {version && <VersionBadges yanked={version.yanked} status={version.status} />}
        </span>
        {alert.score !== null && <span>score {alert.score}</span>}
        <span className="muted">
          alert #{alert.id} · raised {formatTime(alert.created_at)}
        </span>
      </div>
      {impact && (
        <p className="impact-line" data-testid="alert-impact">
          {impactSentence(impact.directDependents, impact.transitiveDependents)}.
        </p>
      )}
      <div className="detail-grid">
        <div className="detail-main">
          <section className="panel" aria-labelledby="evidence-h">
            <h2 id="evidence-h">Evidence</h2>
            <EvidenceView evidence={evidence} />
            <details className="raw">
              <summary>Raw alert details</summary>
              <pre className="code">
                <code>{JSON.stringify(alert.details, null, 2)}</code>
              </pre>
            </details>
          </section>
        </div>
        <aside className="detail-side" aria-label="Triage and actions">
          <section className="panel" aria-labelledby="triage-h">
            <h2 id="triage-h">Triage</h2>
            <div className="button-row">
              {triageFor(alert.status).map((t) => (
                <ActionButton
                  key={t}
                  spec={
                    t === 'settle'
                      ? actions.settle(alert.id, alert.crate, alert.version)
                      : actions.triage(alert.id, t, alert.crate, alert.version)
                  }
                  onDone={reload}
                />
              ))}
            </div>
          </section>
          {f && <FollowUpPanel f={f} />}
          <section className="panel" aria-labelledby="act-h">
            <h2 id="act-h">Act on {alert.crate}</h2>
            {!f ? (
              <Loading what="what still applies" />
            ) : !f.crateExists ? (
              // Nothing left to yank or delete: only the name can still be kept from reuse.
              <p className="muted" data-testid="no-actions">
                The crate {alert.crate} has been deleted.
              </p>
            ) : (
              <>
                {alert.version &&
                  (versionGone ? (
                    <p className="muted" data-testid="no-actions">
                      Version {alert.version} has been deleted.
                    </p>
                  ) : (
                    version && (
                      <VersionActions
                        crate={alert.crate}
                        version={alert.version}
                        yanked={version.yanked}
                        status={version.status}
                        onDone={reload}
                      />
                    )
                  ))}
                <div className="button-row">
                  <ActionButton spec={actions.deleteCrate(alert.crate)} onDone={reload} />
                </div>
              </>
            )}
            <div className="button-row">
              <ActionButton spec={actions.name(alert.crate, 'block')} onDone={reload} />
            </div>
            {publisher && (
              <>
                <h3>
                  Publisher <Link to={paths.user(publisher.login)}>{publisher.login}</Link>
                  {publisher.locked && <span className="badge state-locked"> locked</span>}
                </h3>
                <div className="button-row">
                  {publisher.locked ? (
                    <ActionButton spec={actions.unlockUser(publisher.login)} onDone={reload} />
                  ) : (
                    <ActionButton spec={actions.lockUser(publisher.login)} onDone={reload} />
                  )}
                  <ActionButton spec={actions.revokeAllTokens(publisher.login)} onDone={reload} />
                </div>
              </>
            )}
          </section>
          {alert.version && f && f.crateExists && !versionGone && (
            <SignalsPanel crate={alert.crate} version={alert.version} onDone={reload} />
          )}
          <section className="panel" aria-labelledby="notes-h">
            <h2 id="notes-h">Notes</h2>
            {notes.length === 0 ? (
              <p className="muted">No notes yet.</p>
            ) : (
              <ol className="notes">
                {notes.map((n, i) => (
                  <li key={i}>
                    <p className="note-meta">
                      <strong>{n.user}</strong> <span className="muted">{formatTime(n.at)}</span>
                    </p>
                    <p className="note-text">{n.note}</p>
                  </li>
                ))}
              </ol>
            )}
            <NoteForm alertId={alert.id} onDone={reload} />
          </section>
        </aside>
      </div>
    </>
  );
}

/** What was done about the alert: each action with who, when, why and its audit entry. */
function FollowUpPanel({ f }: { f: AlertFollowUpView }) {
  return (
    <section className="panel" aria-labelledby="follow-h" data-testid="follow-up">
      <h2 id="follow-h">Actions taken</h2>
      <p>
        Now: <span className={`badge state-${f.state}`}>{f.state}</span>
        {f.resolution && (
          <span data-testid="resolution">
            {' '}
            · settled as{' '}
            <strong>{RESOLUTION_TEXT[f.resolution.resolution] ?? f.resolution.resolution}</strong>
            {f.resolution.by && ` by ${f.resolution.by}`}
            {f.resolution.at && ` ${formatTime(f.resolution.at)}`}
          </span>
        )}
      </p>
      {f.actions.length === 0 ? (
        <p className="muted">Nothing has been done about this alert yet.</p>
      ) : (
        <ol className="notes">
          {f.actions.map((a) => (
            <li key={a.auditId} data-testid="alert-action">
              <p className="note-meta">
                <strong className="mono">{a.action}</strong> by <strong>{a.actor}</strong>{' '}
                <span className="muted">{formatTime(a.at)}</span>
                {a.settled && <span className="badge status-resolved"> settled it</span>}{' '}
                <Link to={paths.audit({ action: a.action, entry: String(a.auditId) })}>
                  audit #{a.auditId}
                </Link>
              </p>
              {a.reason && <p className="note-text">{a.reason}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Account-takeover signals of the version, and revoking the token that published it. */
function SignalsPanel({ crate, version, onDone }: { crate: string; version: string; onDone: () => void }) {
  const s = useApi<TakeoverSignals>(`/api/admin/crates/${seg(crate)}/versions/${seg(version)}/signals`);
  const reload = () => {
    s.reload();
    onDone();
  };
  if (s.error) return <ErrorMessage error={s.error} onRetry={s.reload} />;
  if (!s.data) return null;
  const d = s.data;
  const items: [boolean, string][] = [
    [
      d.publisherChanged,
      d.publisherChanged
        ? `Publisher changed: ${d.previousPublisher ?? 'unknown'} published ${d.previousVersion}, ${d.publisher ?? 'unknown'} this one`
        : 'Same publisher as the previous version',
    ],
    [
      d.tokenChanged,
      d.tokenChanged
        ? 'Published with a different token than the previous version'
        : 'Same token as the previous version',
    ],
    [
      d.newIpRange !== null,
      d.newIpRange
        ? `First publish from ${d.newIpRange} for this user`
        : `Address ${d.clientIp ?? 'unknown'} seen before`,
    ],
    [
      d.newUserAgent,
      d.newUserAgent ? `First publish with user agent “${d.userAgent}”` : 'User agent seen before',
    ],
    [
      d.youngToken,
      d.token
        ? `Token “${d.token.name}” was ${d.token.ageAtPublishDays} days old at publish${d.token.revoked ? ' (revoked)' : ''}`
        : 'No token on record',
    ],
  ];
  return (
    <section className="panel" aria-labelledby="signals-h" data-testid="takeover-signals">
      <h2 id="signals-h">Account takeover signals ({d.raised})</h2>
      <ul className="signals">
        {items.map(([raised, text], i) => (
          <li key={i} className={raised ? 'signal raised' : 'signal'}>
            <span className="visually-hidden">{raised ? 'Raised: ' : 'Not raised: '}</span>
            {text}
          </li>
        ))}
      </ul>
      {d.token && !d.token.revoked && (
        <ActionButton
          spec={actions.revokePublishingToken(crate, version, d.token.name, d.publisher)}
          onDone={reload}
        />
      )}
    </section>
  );
}

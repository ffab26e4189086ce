// One alert: what it is, what it touches, the evidence, triage with notes, and the actions on
// the crate, version and publisher one click away.
import { useState, type FormEvent } from 'react';
import { actions } from '../actions.js';
import { api, seg } from '../api.js';
import type { CrateDetail } from '../api-types.js';
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

type Triage = 'acknowledge' | 'escalate' | 'dismiss' | 'reopen' | 'resolve';

function triageFor(status: string): Triage[] {
  switch (status) {
    case 'open':
      return ['acknowledge', 'escalate', 'dismiss', 'resolve'];
    case 'acknowledged':
      return ['escalate', 'dismiss', 'resolve'];
    case 'escalated':
      return ['acknowledge', 'dismiss', 'resolve'];
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
  const krate = useApi<CrateDetail>(crateName ? `/api/admin/crates/${seg(crateName)}` : null);
  const reload = () => {
    loaded.reload();
    krate.reload();
  };

  if (loaded.error && !detail) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />;
  if (!detail) return <Loading what={`alert #${id}`} />;
  const { alert, notes, impact } = detail;
  const evidence = evidenceOf(alert, detail.evidence);
  const version = alert.version ? krate.data?.versions.find((v) => v.num === alert.version) : undefined;
  const publisher = version?.publisher ?? null;

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
                  spec={actions.triage(alert.id, t, alert.crate, alert.version)}
                  onDone={reload}
                />
              ))}
            </div>
          </section>
          <section className="panel" aria-labelledby="act-h">
            <h2 id="act-h">Act on {alert.crate}</h2>
            {alert.version &&
              (krate.data && !version ? (
                <p className="muted">Version {alert.version} no longer exists.</p>
              ) : (
                <VersionActions
                  crate={alert.crate}
                  version={alert.version}
                  yanked={version?.yanked ?? null}
                  status={version?.status ?? null}
                  onDone={reload}
                />
              ))}
            <div className="button-row">
              {krate.data && <ActionButton spec={actions.deleteCrate(alert.crate)} onDone={reload} />}
              <ActionButton spec={actions.name(alert.crate, 'block')} onDone={reload} />
            </div>
            {publisher && (
              <>
                <h3>
                  Publisher <Link to={paths.user(publisher)}>{publisher}</Link>
                </h3>
                <div className="button-row">
                  <ActionButton spec={actions.lockUser(publisher)} onDone={reload} />
                  <ActionButton spec={actions.revokeAllTokens(publisher)} onDone={reload} />
                </div>
              </>
            )}
          </section>
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

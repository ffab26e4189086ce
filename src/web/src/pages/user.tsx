// A user: the crates they own, their tokens, what they published, and their sign-ins; lock and
// unlock, revoke one token or all of them.
import { DataTable } from '../components/data-table.js';
import { actions } from '../actions.js';
import { seg } from '../api.js';
import type { Token, UserDetail } from '../api-types.js';
import { ActionButton } from '../components/action-dialog.js';
import { Verdict, VersionBadges } from '../components/badges.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatAge, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

const scopesOf = (t: Token): string => (Array.isArray(t.scopes) ? t.scopes.join(', ') : (t.scopes ?? 'all'));

export function isUserLocked(u: UserDetail['user'], now = Date.now()): boolean {
  if (u.lockedUntil) return new Date(u.lockedUntil).getTime() > now;
  return Boolean(u.lockReason);
}

export function UserPage({ login }: { login: string }) {
  const { data, error, reload } = useApi<UserDetail>(`/api/admin/users/${seg(login)}`);
  if (error && !data) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return <Loading what={login} />;
  const { user, crates, tokens, publishes, signIns } = data;
  const locked = isUserLocked(user);
  const live = tokens.filter((t) => !t.revokedAt);

  return (
    <>
      <PageHeader title={user.login}>
        <div className="button-row">
          {locked ? (
            <ActionButton spec={actions.unlockUser(user.login)} onDone={reload} />
          ) : (
            <ActionButton spec={actions.lockUser(user.login, crates.length)} onDone={reload} />
          )}
          {live.length > 0 && (
            <ActionButton
              spec={actions.revokeAllTokens(user.login, crates.length, live.length)}
              onDone={reload}
            />
          )}
        </div>
      </PageHeader>
      <div className="meta-row">
        {user.name && <span>{user.name}</span>}
        {user.isAdmin && <span className="badge state-admin">administrator</span>}
        {locked ? (
          <span className="badge state-locked">
            locked{user.lockedUntil ? ` until ${formatTime(user.lockedUntil)}` : ''}
          </span>
        ) : (
          <span className="muted">not locked</span>
        )}
        {user.lockReason && locked && <span className="muted">reason: {user.lockReason}</span>}
      </div>
      <div className="detail-grid">
        <div className="detail-main">
          <section className="panel" aria-labelledby="tokens-h">
            <h2 id="tokens-h">Tokens</h2>
            <DataTable
              columns={['Name', 'Scopes', 'Created', 'Last used', 'Expires', 'State']}
              isEmpty={tokens.length === 0}
              empty="No tokens."
            >
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td className="mono">{t.name}</td>
                  <td className="small">
                    {scopesOf(t)}
                    {t.crates && t.crates.length > 0 && (
                      <div className="muted">
                        crates: <span className="mono">{t.crates.join(', ')}</span>
                      </div>
                    )}
                  </td>
                  <td>{formatTime(t.createdAt)}</td>
                  <td title={formatTime(t.lastUsedAt)}>{t.lastUsedAt ? formatAge(t.lastUsedAt) : 'never'}</td>
                  <td>{t.expiresAt ? formatTime(t.expiresAt) : 'never'}</td>
                  <td>
                    {t.revokedAt ? (
                      <span className="badge state-yanked">revoked {formatTime(t.revokedAt)}</span>
                    ) : (
                      <ActionButton spec={actions.revokeToken(user.login, t.id, t.name)} onDone={reload} />
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          </section>
          <section className="panel" aria-labelledby="publishes-h">
            <h2 id="publishes-h">Publish history</h2>
            <DataTable
              columns={['Crate', 'Version', 'Scan', 'When', 'From']}
              isEmpty={publishes.length === 0}
              empty="Nothing published."
            >
              {publishes.map((p) => (
                <tr key={`${p.crate}@${p.version}`}>
                  <td>
                    <Link to={paths.crate(p.crate)}>{p.crate}</Link>
                  </td>
                  <td className="mono">
                    {p.version} <VersionBadges yanked={p.yanked} status={p.status} />
                  </td>
                  <td>
                    <Verdict verdict={p.verdict} />
                  </td>
                  <td>{formatTime(p.publishedAt)}</td>
                  <td className="small">
                    <span className="mono">{p.clientIp ?? '—'}</span>
                    {p.userAgent && <div className="muted ua">{p.userAgent}</div>}
                  </td>
                </tr>
              ))}
            </DataTable>
          </section>
        </div>
        <aside className="detail-side" aria-label="Crates and sign-ins">
          <section className="panel" aria-labelledby="owned-h">
            <h2 id="owned-h">Crates owned ({crates.length})</h2>
            {crates.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="plain-list">
                {crates.map((c) => (
                  <li key={c.name}>
                    <Link to={paths.crate(c.name)}>{c.name}</Link>{' '}
                    {c.maxVersion && <span className="mono muted">{c.maxVersion}</span>}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="panel" aria-labelledby="signins-h">
            <h2 id="signins-h">Sign-ins</h2>
            {signIns.length === 0 ? (
              <p className="muted">No console sign-ins.</p>
            ) : (
              <ul className="plain-list signins">
                {signIns.map((s, i) => (
                  <li key={i}>
                    <span className={s.success ? 'ok-text' : 'error-text'}>
                      {s.success ? 'ok' : 'failed'}
                    </span>{' '}
                    {formatTime(s.at)}
                    <div className="muted small">
                      <span className="mono">{s.ip ?? '—'}</span> ·{' '}
                      <span className="ua">{s.userAgent ?? '—'}</span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </aside>
      </div>
    </>
  );
}

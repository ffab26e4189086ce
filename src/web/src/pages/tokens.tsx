// API tokens, of everyone or of one user: scopes, crate limits, last use, expiry, revoke.
import { useEffect, useState, type FormEvent } from 'react';
import type { NewTokenAnswer, TokenListRow } from '../api-types.js';
import { actions } from '../actions.js';
import { ActionButton } from '../components/action-dialog.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatAge, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useApi } from '../use-api.js';

const when = (t: string | null, none: string) =>
  t ? <span title={formatTime(t)}>{formatAge(t)}</span> : <span className="muted">{none}</span>;

export function TokensPage({ user }: { user: string }) {
  const [input, setInput] = useState(user);
  useEffect(() => setInput(user), [user]);
  const { data, error, reload } = useApi<{ tokens: TokenListRow[] }>('/api/admin/tokens', { user });
  const [created, setCreated] = useState<NewTokenAnswer | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(paths.tokens(input.trim()), { replace: true });
  };
  const now = new Date().toISOString();
  return (
    <>
      <PageHeader title={user ? `Tokens of ${user}` : 'Tokens'}>
        <ActionButton
          spec={actions.newToken()}
          className="primary"
          onDone={(answer) => {
            setCreated(answer as NewTokenAnswer);
            reload();
          }}
        />
      </PageHeader>
      {created && (
        <div className="new-token" role="status" data-testid="new-token">
          <p>
            Token <span className="mono">{created.created.name}</span> created. Copy it now: it is not shown
            again.
          </p>
          <input
            className="mono secret"
            readOnly
            aria-label="The new token"
            value={created.token}
            onFocus={(e) => e.target.select()}
          />
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <form className="filters" onSubmit={submit} aria-label="Filter tokens">
        <label>
          User
          <input value={input} onChange={(e) => setInput(e.target.value)} placeholder="login" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="tokens" />}
      {data && (
        <DataTable
          columns={['User', 'Name', 'Scopes', 'Crates', 'Created', 'Last used', 'Expires', 'State']}
          isEmpty={data.tokens.length === 0}
          empty="No tokens."
          testId="tokens-table"
        >
          {data.tokens.map((t) => {
            const expired = t.expiresAt !== null && t.expiresAt < now;
            return (
              <tr key={t.id} data-token={t.id}>
                <td>
                  <Link to={paths.user(t.user)}>{t.user}</Link>
                </td>
                <td className="mono">{t.name}</td>
                <td className="small">{t.scopes.join(', ')}</td>
                <td className="small">
                  {t.crates ? t.crates.join(', ') : <span className="muted">any</span>}
                </td>
                <td>{when(t.createdAt, '—')}</td>
                <td>{when(t.lastUsedAt, 'never')}</td>
                <td>
                  {t.expiresAt ? (
                    <span title={formatTime(t.expiresAt)}>{t.expiresAt.slice(0, 10)}</span>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td>
                  {t.revokedAt ? (
                    <span className="badge state-revoked">revoked</span>
                  ) : expired ? (
                    <span className="badge">expired</span>
                  ) : (
                    <ActionButton spec={actions.revokeToken(t.user, t.id, t.name)} onDone={reload} />
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </>
  );
}

// Every user: admin role, lock state and last sign-in, with lock/unlock where it applies.
import type { UserListRow } from '../api-types.js';
import { actions } from '../actions.js';
import { ActionButton } from '../components/action-dialog.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatAge, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { useApi } from '../use-api.js';

export function UsersPage() {
  const { user: me } = useSession();
  const { data, error, reload } = useApi<{ users: UserListRow[] }>('/api/admin/users');
  return (
    <>
      <PageHeader title="Users" />
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="users" />}
      {data && (
        <DataTable
          columns={['Login', 'Name', 'Role', 'State', 'Last sign-in', 'Tokens', 'Actions']}
          isEmpty={data.users.length === 0}
          empty="No users."
          testId="users-table"
        >
          {data.users.map((u) => (
            <tr key={u.id} data-user={u.login}>
              <td>
                <Link to={paths.user(u.login)}>{u.login}</Link>
              </td>
              <td>{u.name ?? <span className="muted">—</span>}</td>
              <td>{u.isAdmin ? <span className="badge">admin</span> : 'user'}</td>
              <td>
                {u.locked ? (
                  <span className="badge state-locked" title={u.lockReason ?? undefined}>
                    locked{u.lockedUntil ? ` until ${formatTime(u.lockedUntil)}` : ''}
                  </span>
                ) : (
                  'active'
                )}
              </td>
              <td className="nowrap" title={u.lastSignInAt ? formatTime(u.lastSignInAt) : undefined}>
                {u.lastSignInAt ? formatAge(u.lastSignInAt) : <span className="muted">never</span>}
              </td>
              <td>
                <Link to={paths.tokens(u.login)}>tokens</Link>
              </td>
              <td>
                {u.login !== me.login &&
                  (u.locked ? (
                    <ActionButton spec={actions.unlockUser(u.login)} onDone={reload} />
                  ) : (
                    <ActionButton spec={actions.lockUser(u.login)} onDone={reload} />
                  ))}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

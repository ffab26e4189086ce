// Pending owner invitations: who was invited to own which crate, by whom, how long ago and
// until when. Admins see all of them; an invitation addressed to the signed-in admin can be
// accepted or declined here (nobody can answer for someone else).
import { useState } from 'react';
import { api, seg } from '../api.js';
import type { OwnerInvitation, OwnerInvitationAnswer, OwnerInvitationList } from '../api-types.js';
import { useAnnounce } from '../announce.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatAge, formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { useApi } from '../use-api.js';

function Answer({ invitation, onDone }: { invitation: OwnerInvitation; onDone: () => void }) {
  const announce = useAnnounce();
  const [busy, setBusy] = useState(false);
  const send = async (accept: boolean) => {
    setBusy(true);
    try {
      const r = await api.send<OwnerInvitationAnswer>(
        'POST',
        `/api/admin/owner-invitations/${seg(invitation.id)}/${accept ? 'accept' : 'decline'}`,
      );
      announce(r.accepted ? `You are now an owner of ${r.crate}.` : `Invitation to own ${r.crate} declined.`);
      onDone();
    } catch (e) {
      announce(e instanceof Error ? e.message : String(e), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="button-row">
      {!invitation.expired && (
        <button type="button" disabled={busy} onClick={() => void send(true)}>
          Accept
        </button>
      )}
      <button type="button" disabled={busy} onClick={() => void send(false)}>
        Decline
      </button>
    </div>
  );
}

export function InvitationsPage() {
  const { user } = useSession();
  const { data, error, reload } = useApi<OwnerInvitationList>('/api/admin/owner-invitations', {
    per_page: 500,
  });
  return (
    <>
      <PageHeader title="Owner invitations" />
      <p className="muted">
        <span className="mono">cargo owner --add</span> invites; the invitee becomes an owner only by
        accepting, within 30 days.
      </p>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="owner invitations" />}
      {data && (
        <>
          <p className="muted">{formatCount(data.total)} pending</p>
          <DataTable
            columns={['Crate', 'Invitee', 'Invited by', 'Invited', 'Expires', '']}
            isEmpty={data.invitations.length === 0}
            empty="No pending owner invitations."
            testId="invitations-table"
          >
            {data.invitations.map((i) => (
              <tr key={i.id}>
                <td>
                  <Link to={paths.crate(i.crate)}>{i.crate}</Link>
                </td>
                <td>
                  <Link to={paths.user(i.invitee)}>{i.invitee}</Link>
                </td>
                <td>{i.inviter ? <Link to={paths.user(i.inviter)}>{i.inviter}</Link> : '—'}</td>
                <td className="nowrap" title={formatTime(i.createdAt)}>
                  {formatAge(i.createdAt)}
                </td>
                <td className="nowrap">
                  {formatTime(i.expiresAt)}{' '}
                  {i.expired && <span className="badge state-rejected">expired</span>}
                </td>
                <td>{i.invitee === user.login && <Answer invitation={i} onDone={reload} />}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </>
  );
}

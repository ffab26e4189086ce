// The actions on one version, offered where they apply: yank or unyank, release or reject from
// quarantine, delete.
import { actions } from '../actions.js';
import { ActionButton } from './action-dialog.js';
import { ReleaseButton } from './release-action.js';
import { useSession } from '../session.js';

export function VersionActions({
  crate,
  version,
  yanked,
  status,
  onDone,
}: {
  crate: string;
  version: string;
  yanked: boolean | null;
  status: string | null;
  onDone: () => void;
}) {
  // Administrators only (the release check it starts with is an admin read too).
  if (!useSession().user.isAdmin) return null;
  return (
    <div className="button-row">
      {status === 'quarantined' ? (
        <>
          <ReleaseButton crate={crate} version={version} onDone={onDone} />
          <ActionButton spec={actions.reject(crate, version)} onDone={onDone} />
        </>
      ) : yanked ? (
        <ActionButton spec={actions.unyank(crate, version)} onDone={onDone} />
      ) : (
        status !== 'rejected' && <ActionButton spec={actions.yank(crate, version)} onDone={onDone} />
      )}
      <ActionButton spec={actions.deleteVersion(crate, version)} onDone={onDone} />
    </div>
  );
}

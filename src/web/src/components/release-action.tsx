// Releasing from quarantine, the riskiest action: the dialog first loads the version's verdict
// and top findings and shows them, always asks for the password, and for a critical verdict
// asks the responder to type `crate@version` (the server checks both too).
import { useState } from 'react';
import type { ReleaseCheck } from '../../../admin/responder-types.js';
import { actions } from '../actions.js';
import { api, seg } from '../api.js';
import { ActionDialog } from './action-dialog.js';
import { Verdict } from './badges.js';

function ReleasePreface({ check }: { check: ReleaseCheck }) {
  return (
    <div className="release-check" data-testid="release-check">
      <h3>
        Scan verdict <Verdict verdict={check.verdict} />
      </h3>
      {check.topFindings.length > 0 ? (
        <ol className="top-findings">
          {check.topFindings.map((f, i) => (
            <li key={i}>
              <span className={`badge sev sev-${f.severity}`}>{f.severity}</span> {f.title}
              {f.file && (
                <span className="mono muted">
                  {' '}
                  {f.file}
                  {f.line ? `:${f.line}` : ''}
                </span>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No findings.</p>
      )}
      {check.findingCount > check.topFindings.length && (
        <p className="muted small">and {check.findingCount - check.topFindings.length} more</p>
      )}
    </div>
  );
}

export function ReleaseButton({
  crate,
  version,
  onDone,
}: {
  crate: string;
  version: string;
  onDone: () => void;
}) {
  const [check, setCheck] = useState<ReleaseCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    setError(null);
    try {
      setCheck(
        await api.get<ReleaseCheck>(`/api/admin/crates/${seg(crate)}/versions/${seg(version)}/release-check`),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <>
      <button type="button" className="danger-outline" aria-haspopup="dialog" onClick={() => void open()}>
        Release {version}
      </button>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
      {check && (
        <ActionDialog
          spec={actions.release(crate, version, {
            preface: <ReleasePreface check={check} />,
            typedConfirmation: check.confirmText,
          })}
          onClose={() => setCheck(null)}
          onDone={() => {
            setCheck(null);
            onDone();
          }}
        />
      )}
    </>
  );
}

// Every admin action goes through this dialog: it shows the action's impact (how many crates
// depend on what it touches), demands a reason, and asks for the password again when the
// server wants a fresh re-authentication, then retries.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, api, withQuery } from '../api.js';
import type { Impact } from '../api-types.js';
import { useAnnounce } from '../announce.js';
import { actionBody, MIN_REASON, offeredTo, type ActionSpec } from '../actions.js';
import { useSession } from '../session.js';
import { downloadsSentence, impactSentence, plural, requirementSentence } from '../format.js';
import { Dialog } from './dialog.js';

function ImpactLine({ impact }: { impact: ActionSpec['impact'] }) {
  const [state, setState] = useState<{ impact?: Impact; error?: string }>({});
  useEffect(() => {
    if (!impact) return;
    const ctrl = new AbortController();
    api
      .get<Impact>(
        withQuery('/api/admin/impact', { crate: impact.crate, version: impact.version ?? undefined }),
        {},
        ctrl.signal,
      )
      .then((i) => setState({ impact: i }))
      .catch((e: unknown) => {
        if (!ctrl.signal.aborted) setState({ error: e instanceof Error ? e.message : String(e) });
      });
    return () => ctrl.abort();
  }, [impact?.crate, impact?.version]);

  if (!impact) return null;
  const target = impact.version ? `${impact.crate} ${impact.version}` : impact.crate;
  return (
    <div className="impact" aria-live="polite">
      <h3>Impact</h3>
      {state.impact ? (
        <>
          <p data-testid="impact">
            <strong>
              {impactSentence(state.impact.directDependents, state.impact.transitiveDependents)}
            </strong>
            {typeof state.impact.versions === 'number' && (
              <>
                {' '}
                · the action touches {plural(state.impact.versions, 'version')} of {target}
              </>
            )}
          </p>
          {state.impact.downloads && state.impact.requirementDependents && (
            <ul className="impact-reach">
              <li data-testid="impact-downloads">{downloadsSentence(state.impact.downloads)}</li>
              <li data-testid="impact-requirements">
                {requirementSentence(state.impact.requirementDependents)}
              </li>
            </ul>
          )}
        </>
      ) : state.error ? (
        <p className="error-text">Impact unknown: {state.error}</p>
      ) : (
        <p className="muted">Counting what depends on {target}…</p>
      )}
    </div>
  );
}

export function ActionDialog({
  spec,
  onClose,
  onDone,
}: {
  spec: ActionSpec;
  onClose: () => void;
  onDone: (answer: unknown) => void;
}) {
  const announce = useAnnounce();
  const id = useId();
  const [reason, setReason] = useState('');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries((spec.fields ?? []).map((f) => [f.name, f.initial ?? ''])),
  );
  const [password, setPassword] = useState('');
  const [needPassword, setNeedPassword] = useState(spec.alwaysReauth === true);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < MIN_REASON) {
      setError(`Give a reason of at least ${MIN_REASON} characters; it goes into the audit log.`);
      return;
    }
    for (const f of spec.fields ?? []) {
      if (f.required && !(values[f.name] ?? '').trim()) {
        setError(`${f.label} is required.`);
        return;
      }
    }
    if (spec.typedConfirmation && typed.trim() !== spec.typedConfirmation) {
      setError(`Type ${spec.typedConfirmation} exactly to confirm.`);
      return;
    }
    if (needPassword && !password) {
      setError('Enter your password to confirm.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (needPassword) {
        await api.send('POST', '/api/admin/session/reauth', { password });
        setPassword('');
      }
      const body = actionBody(spec, reason, values);
      if (spec.typedConfirmation) body.confirm = typed.trim();
      const answer = await api.send(spec.method, spec.path, body);
      announce(spec.done);
      onDone(answer);
    } catch (err) {
      if (err instanceof ApiError && err.reauth) {
        setNeedPassword(true);
        setError(
          needPassword
            ? 'The server still wants a re-authentication; check your password.'
            : 'This action needs your password again.',
        );
      } else if (err instanceof ApiError && needPassword && (err.status === 401 || err.status === 403)) {
        setError(`Re-authentication failed: ${err.message}`);
      } else if (err instanceof ApiError && err.status === 429) {
        setError(`Too many attempts; try again${err.retryAfter ? ` in ${err.retryAfter} s` : ' later'}.`);
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={spec.title} onClose={onClose} className={spec.destructive ? 'destructive' : undefined}>
      <form onSubmit={submit} noValidate>
        <p className="dialog-description">{spec.description}</p>
        {spec.preface}
        <ImpactLine impact={spec.impact} />
        {spec.impactNote && (
          <div className="impact">
            <h3>Impact</h3>
            <p data-testid="impact">
              <strong>{spec.impactNote}</strong>
            </p>
          </div>
        )}
        {(spec.fields ?? []).map((f) => (
          <div className="field" key={f.name}>
            <label htmlFor={`${id}-${f.name}`}>
              {f.label}
              {!f.required && <span className="muted"> (optional)</span>}
            </label>
            {f.type === 'checkbox' ? (
              <input
                id={`${id}-${f.name}`}
                type="checkbox"
                checked={values[f.name] === 'true'}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.checked ? 'true' : '' })}
              />
            ) : f.type === 'textarea' ? (
              <textarea
                id={`${id}-${f.name}`}
                name={f.name}
                rows={f.rows ?? 2}
                className={f.rows ? 'mono' : undefined}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              />
            ) : f.type === 'select' ? (
              <select
                id={`${id}-${f.name}`}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              >
                {(f.options ?? []).map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`${id}-${f.name}`}
                type={f.type}
                min={f.type === 'number' ? 0 : undefined}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              />
            )}
            {f.hint && <p className="hint">{f.hint}</p>}
          </div>
        ))}
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason (required, recorded in the audit log)</label>
          <textarea
            id={`${id}-reason`}
            name="reason"
            rows={3}
            required
            minLength={MIN_REASON}
            maxLength={2000}
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        {spec.typedConfirmation && (
          <div className="field typed-confirmation">
            <label htmlFor={`${id}-confirm`}>
              Type <span className="mono">{spec.typedConfirmation}</span> to confirm
            </label>
            <input
              id={`${id}-confirm`}
              name="confirm"
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </div>
        )}
        {needPassword && (
          <div className="field reauth">
            <label htmlFor={`${id}-password`}>Your password (re-authentication for 5 minutes)</label>
            <input
              id={`${id}-password`}
              name="password"
              type="password"
              autoComplete="current-password"
              autoFocus={!spec.alwaysReauth}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
        )}
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={spec.destructive ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : needPassword ? `Confirm and ${spec.label.toLowerCase()}` : spec.label}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A button that opens the action's dialog; `onDone` typically reloads the page's data. */
export function ActionButton({
  spec,
  onDone,
  className,
}: {
  spec: ActionSpec;
  onDone: (answer: unknown) => void;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const { user } = useSession();
  // An action is offered only to whom the server lets do it: an auditor sees no admin action.
  if (!offeredTo(spec, user)) return null;
  return (
    <>
      <button
        type="button"
        className={className ?? (spec.destructive ? 'danger-outline' : undefined)}
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        {spec.label}
      </button>
      {open && (
        <ActionDialog
          spec={spec}
          onClose={() => setOpen(false)}
          onDone={(answer) => {
            setOpen(false);
            onDone(answer);
          }}
        />
      )}
    </>
  );
}

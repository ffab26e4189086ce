// The audit form: an auditor records a cargo-vet audit of one version (full), of a delta
// between two versions (linked from the diff viewer), or a violation, certifying criteria —
// cargo-vet's built-in ones and the registry's own, with what each implies. The registry signs
// the audit with the auditor's Ed25519 key over the entry and the reviewed files' checksums.
import { useState, type FormEvent } from 'react';
import { ApiError, api, seg } from '../api.js';
import type {
  CriteriaAnswer,
  CrateAuditStatus,
  RecordAuditAnswer,
} from '../../../admin/vet-console-types.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

type Kind = 'full' | 'delta' | 'violation';

export function VetAuditPage({ name, query }: { name: string; query: URLSearchParams }) {
  const status = useApi<CrateAuditStatus>(`/api/admin/crates/${seg(name)}/vet/status`);
  const criteria = useApi<CriteriaAnswer>('/api/admin/vet/criteria');
  const initialKind: Kind = query.get('from') && query.get('to') ? 'delta' : 'full';
  const [kind, setKind] = useState<Kind>(initialKind);
  const [version, setVersion] = useState(query.get('version') ?? '');
  const [from, setFrom] = useState(query.get('from') ?? '');
  const [to, setTo] = useState(query.get('to') ?? '');
  const [violation, setViolation] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [notes, setNotes] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [recorded, setRecorded] = useState<RecordAuditAnswer | null>(null);

  if (status.error && !status.data) return <ErrorMessage error={status.error} onRetry={status.reload} />;
  if (criteria.error && !criteria.data)
    return <ErrorMessage error={criteria.error} onRetry={criteria.reload} />;
  if (!status.data || !criteria.data) return <Loading what="the audit form" />;
  const versions = [...status.data.versions].reverse().map((v) => v.version);
  const all = [...criteria.data.builtIn, ...criteria.data.custom];
  const pick = versions[0] ?? '';
  // A delta defaults to the two newest versions, older first.
  const pickFrom = versions[1] ?? pick;

  const toggle = (c: string) =>
    setChosen((s) => {
      const next = new Set(s);
      if (next.has(c)) next.delete(c);
      else next.add(c);
      return next;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    const body: Record<string, unknown> = { criteria: [...chosen].sort(), reason, notes: notes || null };
    if (kind === 'full') body.version = version || pick;
    else if (kind === 'delta') body.delta = `${from || pickFrom} -> ${to || pick}`;
    else body.violation = violation;
    setBusy(true);
    try {
      const answer = await api.send<RecordAuditAnswer>(
        'POST',
        `/api/admin/crates/${seg(name)}/vet/audits`,
        body,
      );
      setRecorded(answer);
      status.reload();
    } catch (err) {
      setFailure(err instanceof ApiError ? err.detail : String(err));
    } finally {
      setBusy(false);
    }
  };

  const versionSelect = (id: string, label: string, value: string, set: (v: string) => void, dflt = pick) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value || dflt} onChange={(e) => set(e.target.value)}>
        {versions.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <>
      <PageHeader title={`Record an audit of ${name}`}>
        <div className="button-row">
          <Link to={paths.crate(name)}>Back to {name}</Link>
          {kind === 'delta' && (
            <Link to={paths.diff(name, { from: from || pickFrom, to: to || pick })}>Review this delta</Link>
          )}
        </div>
      </PageHeader>
      {recorded && (
        <section className="panel" aria-labelledby="recorded-h" data-testid="audit-recorded">
          <h2 id="recorded-h">Audit recorded and signed</h2>
          <dl className="facts">
            <dt>Audit</dt>
            <dd>
              {recorded.audit.kind === 'full'
                ? `full ${recorded.audit.version}`
                : recorded.audit.kind === 'delta'
                  ? `delta ${recorded.audit.delta}`
                  : `violation ${recorded.audit.violation}`}
            </dd>
            <dt>Criteria</dt>
            <dd>{recorded.audit.criteria.join(', ')}</dd>
            <dt>Who</dt>
            <dd>{recorded.audit.who}</dd>
            <dt>Key</dt>
            <dd className="mono">{recorded.audit.keyId}</dd>
            <dt>Signature</dt>
            <dd className="mono break">{recorded.audit.signature}</dd>
            <dt>Files reviewed</dt>
            <dd>
              {recorded.audit.checksums.map((c) => (
                <div key={c.version} className="mono small">
                  {c.version}: {c.sha256}
                </div>
              ))}
            </dd>
          </dl>
        </section>
      )}
      <form className="panel audit-form" onSubmit={(e) => void submit(e)} aria-labelledby="form-h">
        <h2 id="form-h">Audit</h2>
        <fieldset>
          <legend>What was reviewed</legend>
          {(
            [
              ['full', 'One version, in full'],
              ['delta', 'The changes between two versions (delta)'],
              ['violation', 'A violation: versions that fail the criteria'],
            ] as const
          ).map(([k, label]) => (
            <label key={k} className="check">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {label}
            </label>
          ))}
        </fieldset>
        {kind === 'full' && versionSelect('audit-version', 'Version', version, setVersion)}
        {kind === 'delta' && (
          <div className="filters">
            {versionSelect('audit-from', 'From version', from, setFrom, pickFrom)}
            {versionSelect('audit-to', 'To version', to, setTo)}
          </div>
        )}
        {kind === 'violation' && (
          <div className="field">
            <label htmlFor="audit-violation">Version requirement</label>
            <input
              id="audit-violation"
              value={violation}
              placeholder=">=1.2.0, <1.3.0"
              onChange={(e) => setViolation(e.target.value)}
            />
          </div>
        )}
        <fieldset>
          <legend>Criteria</legend>
          {all.map((c) => (
            <label key={c.name} className="check">
              <input
                type="checkbox"
                name="criteria"
                value={c.name}
                checked={chosen.has(c.name)}
                onChange={() => toggle(c.name)}
              />
              <span>
                <strong className="mono">{c.name}</strong> — {c.description}
                {c.implies.length > 0 && (
                  <span className="muted small"> (implies {c.implies.join(', ')})</span>
                )}
              </span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="audit-notes">Notes (published in audits.toml)</label>
          <textarea id="audit-notes" rows={4} value={notes} onChange={(e) => setNotes(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-reason">Reason (for the audit log)</label>
          <input
            id="audit-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            minLength={3}
          />
        </div>
        {failure && (
          <p className="error-text" role="alert">
            {failure}
          </p>
        )}
        <button type="submit" disabled={busy || chosen.size === 0}>
          {busy ? 'Signing…' : 'Sign and record the audit'}
        </button>
      </form>
    </>
  );
}

// The audit authority in the console: the signed-in auditor's Ed25519 keys (what others pin to
// trust this registry's audits) with the interval each was valid for, rotating the current one,
// a crate to review, the criteria audits can certify, the audit sets imported from other
// organisations, and for administrators every auditor's keys with revocation of a compromised one.
import { useState, type FormEvent } from 'react';
import type {
  AuditorKey,
  AuditorSelf,
  CriteriaAnswer,
  ImportedAuditSets,
} from '../../../admin/vet-console-types.js';
import { actions } from '../actions.js';
import type { AuditorList } from '../api-types.js';
import { ActionButton } from '../components/action-dialog.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';
import { useApi } from '../use-api.js';

function keyStateText(k: AuditorKey): string {
  if (k.state === 'revoked')
    return `revoked as compromised ${formatTime(k.revokedAt)}${k.revokedReason ? ` (${k.revokedReason})` : ''}: its audits fail verification`;
  if (k.state === 'retired')
    return `retired: valid from ${formatTime(k.createdAt)} to ${formatTime(k.retiredAt)}, its audits stay verifiable`;
  return `current: signs new audits, valid since ${formatTime(k.createdAt)}`;
}

function KeyFacts({ k }: { k: AuditorKey }) {
  return (
    <dl className="facts">
      <dt>Key id</dt>
      <dd className="mono">{k.keyId}</dd>
      <dt>State</dt>
      <dd data-testid="key-state">{keyStateText(k)}</dd>
      <dt>Audits signed</dt>
      <dd>{formatCount(k.auditsSigned)}</dd>
      <dt>Public key (Ed25519, SPKI PEM)</dt>
      <dd>
        <pre className="public-key mono" data-testid="public-key">
          {k.publicKey}
        </pre>
      </dd>
    </dl>
  );
}

/** Opens a crate page by name: an auditor has no search, and needs none to review a crate. */
function OpenCrate() {
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) navigate(paths.crate(name.trim()));
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Open a crate">
      <div className="field">
        <label htmlFor="open-crate">Crate to review</label>
        <input id="open-crate" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} />
      </div>
      <button type="submit">Open</button>
    </form>
  );
}

function AllAuditors() {
  const list = useApi<AuditorList>('/api/admin/vet/auditors');
  if (list.error && !list.data) return <ErrorMessage error={list.error} onRetry={list.reload} />;
  if (!list.data) return <Loading what="the auditors" />;
  return (
    <DataTable
      columns={['Auditor', 'Key', 'State', 'Audits signed', '']}
      isEmpty={list.data.auditors.length === 0}
      empty="No auditors yet."
      testId="auditor-keys"
    >
      {list.data.auditors.flatMap((a) =>
        a.keys.map((k) => (
          <tr key={k.keyId} data-key={k.keyId}>
            <td>
              {a.login}
              {!a.isAuditor && <span className="muted small"> (role revoked)</span>}
            </td>
            <td className="mono">{k.keyId}</td>
            <td>{keyStateText(k)}</td>
            <td>{formatCount(k.auditsSigned)}</td>
            <td>
              {k.state !== 'revoked' && (
                <ActionButton spec={actions.revokeSigningKey(a.login, k.keyId)} onDone={list.reload} />
              )}
            </td>
          </tr>
        )),
      )}
    </DataTable>
  );
}

export function AuditorPage() {
  const { user } = useSession();
  const me = useApi<AuditorSelf>('/api/admin/vet/me');
  const criteria = useApi<CriteriaAnswer>('/api/admin/vet/criteria');
  const imports = useApi<ImportedAuditSets>('/api/admin/vet/imports');
  if (me.error && !me.data) return <ErrorMessage error={me.error} onRetry={me.reload} />;
  if (!me.data) return <Loading what="the audit authority" />;
  const m = me.data;
  return (
    <>
      <PageHeader title="Audits (cargo-vet)" />
      <section className="panel" aria-labelledby="review-h">
        <h2 id="review-h">Review a crate</h2>
        <OpenCrate />
      </section>
      <section className="panel" aria-labelledby="me-h" data-testid="auditor-self">
        <h2 id="me-h">{m.isAuditor ? 'Your signing keys' : 'You are not an auditor'}</h2>
        {!m.isAuditor && (
          <p className="muted">
            An administrator grants the auditor role; the registry then generates your key.
          </p>
        )}
        {m.isAuditor && (
          <div className="button-row">
            <ActionButton spec={actions.rotateSigningKey()} onDone={me.reload} />
          </div>
        )}
        {m.keys.length === 0 ? (
          m.isAuditor && <p className="muted">No key.</p>
        ) : (
          <ul className="plain-list" data-testid="own-keys">
            {m.keys.map((k) => (
              <li key={k.keyId} data-key={k.keyId} data-state={k.state}>
                <KeyFacts k={k} />
              </li>
            ))}
          </ul>
        )}
        <p className="muted small">
          {m.login} has recorded {formatCount(m.auditsRecorded)} audit{m.auditsRecorded === 1 ? '' : 's'}.
          Record one from a crate page&apos;s Audits tab or from the diff viewer.
        </p>
      </section>
      {user.isAdmin && (
        <section className="panel" aria-labelledby="auditors-h">
          <h2 id="auditors-h">Auditors and their keys</h2>
          <AllAuditors />
        </section>
      )}
      <section className="panel" aria-labelledby="criteria-h">
        <h2 id="criteria-h">Criteria</h2>
        {criteria.data ? (
          <DataTable
            columns={['Criteria', 'Description', 'Implies']}
            isEmpty={false}
            empty=""
            testId="criteria"
          >
            {[...criteria.data.builtIn, ...criteria.data.custom].map((c) => (
              <tr key={c.name}>
                <td className="mono">{c.name}</td>
                <td>{c.description}</td>
                <td className="mono">{c.implies.join(', ') || '—'}</td>
              </tr>
            ))}
          </DataTable>
        ) : criteria.error ? (
          <ErrorMessage error={criteria.error} onRetry={criteria.reload} />
        ) : (
          <Loading what="the criteria" />
        )}
      </section>
      <section className="panel" aria-labelledby="imports-h">
        <h2 id="imports-h">Imported audit sets</h2>
        {imports.error && !imports.data ? (
          <ErrorMessage error={imports.error} onRetry={imports.reload} />
        ) : !imports.data ? (
          <Loading what="the imported audits" />
        ) : imports.data.imports.length === 0 ? (
          <p className="muted">
            None imported (<span className="mono">cratekeeper vet import NAME URL</span> adds one).
          </p>
        ) : (
          imports.data.imports.map((i) => (
            <details key={i.name} data-import={i.name}>
              <summary>
                <strong>{i.name}</strong> · {formatCount(i.auditCount)} audits · from{' '}
                <span className="mono break">{i.source}</span> · {formatTime(i.importedAt)}
              </summary>
              <DataTable
                columns={['Crate', 'Audit', 'Criteria', 'Who']}
                isEmpty={i.audits.length === 0}
                empty="No audits in this set."
              >
                {i.audits.map((a, n) => (
                  <tr key={n}>
                    <td>
                      <Link to={paths.crate(a.crate)}>{a.crate}</Link>
                    </td>
                    <td className="mono">
                      {a.kind} {a.target}
                    </td>
                    <td>{a.criteria.join(', ')}</td>
                    <td>{a.who.join(', ')}</td>
                  </tr>
                ))}
              </DataTable>
            </details>
          ))
        )}
      </section>
    </>
  );
}

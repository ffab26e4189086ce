// The audit authority in the console: the signed-in auditor's Ed25519 public key (what others
// pin to trust this registry's audits), the criteria audits can certify, and the audit sets
// imported from other organisations.
import type { AuditorSelf, CriteriaAnswer, ImportedAuditSets } from '../../../admin/vet-console-types.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount, formatTime } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

export function AuditorPage() {
  const me = useApi<AuditorSelf>('/api/admin/vet/me');
  const criteria = useApi<CriteriaAnswer>('/api/admin/vet/criteria');
  const imports = useApi<ImportedAuditSets>('/api/admin/vet/imports');
  if (me.error && !me.data) return <ErrorMessage error={me.error} onRetry={me.reload} />;
  if (!me.data) return <Loading what="the audit authority" />;
  const m = me.data;
  return (
    <>
      <PageHeader title="Audits (cargo-vet)" />
      <section className="panel" aria-labelledby="me-h" data-testid="auditor-self">
        <h2 id="me-h">{m.isAuditor ? 'Your signing key' : 'You are not an auditor'}</h2>
        {!m.isAuditor && (
          <p className="muted">
            An administrator grants the auditor role; the registry then generates your key.
          </p>
        )}
        {m.keys.length === 0 ? (
          m.isAuditor && <p className="muted">No key.</p>
        ) : (
          <ul className="plain-list">
            {m.keys.map((k) => (
              <li key={k.keyId} data-key={k.keyId}>
                <dl className="facts">
                  <dt>Key id</dt>
                  <dd className="mono">{k.keyId}</dd>
                  <dt>State</dt>
                  <dd>
                    {k.revokedAt
                      ? `retired ${formatTime(k.revokedAt)}`
                      : `active since ${formatTime(k.createdAt)}`}
                  </dd>
                  <dt>Public key (Ed25519, SPKI PEM)</dt>
                  <dd>
                    <pre className="public-key mono" data-testid="public-key">
                      {k.publicKey}
                    </pre>
                  </dd>
                </dl>
              </li>
            ))}
          </ul>
        )}
        <p className="muted small">
          {m.login} has recorded {formatCount(m.auditsRecorded)} audit{m.auditsRecorded === 1 ? '' : 's'}.
          Record one from a crate page&apos;s Audits tab or from the diff viewer.
        </p>
      </section>
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

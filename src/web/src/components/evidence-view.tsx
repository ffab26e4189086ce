// The evidence behind an alert: scanner findings with the code around them, the crate a name
// imitates and its owners, and what changed since the previous version.
import type { Evidence, Finding } from '../api-types.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';
import { SeverityBadge } from './badges.js';

function CodeListing({ code, line }: { code: { n: number; text: string }[]; line: number | null }) {
  return (
    <pre className="code" aria-label="Source around the finding">
      <code>
        {code.map((c) => (
          <span key={c.n} className={c.n === line ? 'code-line hit' : 'code-line'}>
            <span className="ln" aria-hidden="true">
              {c.n}
            </span>
            <span className="visually-hidden">line {c.n}: </span>
            {c.text}
            {'\n'}
          </span>
        ))}
      </code>
    </pre>
  );
}

function FindingItem({ f }: { f: Finding }) {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : null;
  return (
    <li className="finding">
      <div className="finding-head">
        <SeverityBadge severity={f.severity} />
        <strong>{f.title}</strong>
        <span className="mono muted">{f.ruleId}</span>
        {where && <span className="mono">{where}</span>}
      </div>
      {f.why && <p>{f.why}</p>}
      {f.code && f.code.length > 0 ? (
        <CodeListing code={f.code} line={f.line} />
      ) : (
        f.evidence && (
          <pre className="code">
            <code>{f.evidence}</code>
          </pre>
        )
      )}
    </li>
  );
}

function yesNo(v: boolean) {
  return v ? <strong className="flag">yes</strong> : <span className="muted">no</span>;
}

export function EvidenceView({ evidence }: { evidence: Evidence }) {
  const { findings, squat, diff } = evidence;
  const nothing = !findings?.length && !squat && !diff;
  return (
    <div className="evidence">
      {nothing && <p className="muted">No evidence recorded beyond the alert itself.</p>}
      {squat && (
        <section aria-labelledby="squat-h">
          <h3 id="squat-h">Imitated crate</h3>
          <dl className="facts">
            <dt>Looks like</dt>
            <dd>
              <Link to={paths.crate(squat.target)}>{squat.target}</Link>
            </dd>
            <dt>Its owners</dt>
            <dd>
              {squat.targetOwners.length === 0
                ? '—'
                : squat.targetOwners.map((o, i) => (
                    <span key={o}>
                      {i > 0 && ', '}
                      <Link to={paths.user(o)}>{o}</Link>
                    </span>
                  ))}
            </dd>
            <dt>Check</dt>
            <dd className="mono">{squat.check}</dd>
            {squat.similarity !== null && (
              <>
                <dt>Similarity</dt>
                <dd>{squat.similarity}</dd>
              </>
            )}
            <dt>Why</dt>
            <dd>{squat.message}</dd>
          </dl>
        </section>
      )}
      {diff && (
        <section aria-labelledby="diff-h">
          <h3 id="diff-h">
            {diff.previousVersion ? (
              <>
                Changes since <span className="mono">{diff.previousVersion}</span>
              </>
            ) : (
              'Changes: first version of the crate'
            )}
          </h3>
          <dl className="facts">
            <dt>Added dependencies</dt>
            <dd>
              {diff.addedDependencies.length ? (
                <span className="mono flag">{diff.addedDependencies.join(', ')}</span>
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Removed dependencies</dt>
            <dd className="mono">
              {diff.removedDependencies.length ? diff.removedDependencies.join(', ') : '—'}
            </dd>
            <dt>Build script added</dt>
            <dd>{yesNo(diff.buildScriptAdded)}</dd>
            <dt>Binaries added</dt>
            <dd>
              {diff.binariesAdded.length ? (
                <span className="mono flag">{diff.binariesAdded.join(', ')}</span>
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Publisher changed</dt>
            <dd>
              {typeof diff.publisherChanged === 'object' && diff.publisherChanged !== null ? (
                <strong className="flag">
                  {diff.publisherChanged.from ?? '?'} → {diff.publisherChanged.to ?? '?'}
                </strong>
              ) : (
                yesNo(Boolean(diff.publisherChanged))
              )}
            </dd>
          </dl>
        </section>
      )}
      {findings && findings.length > 0 && (
        <section aria-labelledby="findings-h">
          <h3 id="findings-h">Scanner findings ({findings.length})</h3>
          <ol className="findings">
            {findings.map((f, i) => (
              <FindingItem key={`${f.ruleId}-${i}`} f={f} />
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}

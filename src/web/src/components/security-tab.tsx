// The crate page's Security tab: each version with the advisories that affect it (as
// crates.io shows RustSec data), every advisory naming the crate, and the authoring form.
import { actions } from '../actions.js';
import type { AdvisorySummary, Version } from '../api-types.js';
import { paths } from '../routes.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';
import { ActionButton } from './action-dialog.js';
import { AdvisoryBadges } from './advisory-badges.js';
import { VersionBadges } from './badges.js';
import { DataTable } from './data-table.js';

/** An advisory's page is an administrator's: an auditor sees the id (the rest is shown here). */
function AdvisoryId({ id, className }: { id: string; className?: string }) {
  return useSession().user.isAdmin ? (
    <Link className={className} to={paths.advisory(id)}>
      {id}
    </Link>
  ) : (
    <span className={className}>{id}</span>
  );
}

export function SecurityTab({
  crate,
  versions,
  advisories,
}: {
  crate: string;
  versions: Version[];
  advisories: AdvisorySummary[];
}) {
  const affected = versions.filter((v) => (v.advisories ?? []).some((a) => !a.withdrawn));
  return (
    <>
      <section className="panel" aria-labelledby="security-versions-h">
        <div className="page-header">
          <h2 id="security-versions-h">Advisories by version</h2>
          <ActionButton
            spec={actions.authorAdvisory(crate)}
            onDone={(answer) => {
              const id = (answer as { id?: string } | undefined)?.id;
              if (id) navigate(paths.advisory(id));
            }}
          />
        </div>
        <p className="muted">
          {affected.length === 0
            ? 'No advisory affects any version of this crate.'
            : `${affected.length} of ${versions.length} versions are affected by an advisory.`}
        </p>
        <DataTable
          columns={['Version', 'Advisories']}
          isEmpty={versions.length === 0}
          empty="No versions."
          testId="security-versions"
        >
          {versions.map((v) => (
            <tr key={v.num} data-version={v.num}>
              <th scope="row" className="mono">
                {v.num} <VersionBadges yanked={v.yanked} status={v.status} />
              </th>
              <td>
                {(v.advisories ?? []).length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className="plain-list">
                    {(v.advisories ?? []).map((a) => (
                      <li key={a.id}>
                        <AdvisoryId className="mono" id={a.id} /> {a.title}{' '}
                        <AdvisoryBadges
                          categories={a.categories}
                          informational={a.informational}
                          withdrawn={a.withdrawn}
                          scope={a.scope}
                        />
                        <div className="muted small">
                          {a.patched.length ? `patched: ${a.patched.join(', ')}` : 'no patched version'}
                        </div>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
      <section className="panel" aria-labelledby="security-all-h">
        <h2 id="security-all-h">Every advisory naming {crate}</h2>
        <DataTable
          columns={['Advisory', 'Title', 'Kind', 'Date', 'Origin']}
          isEmpty={advisories.length === 0}
          empty="None."
          testId="crate-advisories"
        >
          {advisories.map((a) => (
            <tr key={a.id}>
              <td className="mono nowrap">
                <AdvisoryId id={a.id} />
              </td>
              <td>{a.title}</td>
              <td>
                <AdvisoryBadges
                  categories={a.categories}
                  informational={a.informational}
                  withdrawn={a.withdrawn}
                  scope={a.scope}
                />
              </td>
              <td className="nowrap">{a.date}</td>
              <td>{a.origin === 'authored' ? 'authored here' : a.database}</td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}

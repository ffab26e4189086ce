// How an advisory is labelled wherever it is listed: malicious, its informational kind,
// withdrawn, and whether it is for this registry's crate or only shares its name.
import type { AdvisoryScope } from '../api-types.js';

export function AdvisoryBadges(props: {
  categories: string[];
  informational: string | null;
  withdrawn: string | null;
  scope?: AdvisoryScope;
}) {
  return (
    <>
      {props.categories.includes('malicious') && <span className="badge sev sev-critical">malicious</span>}
      {props.informational ? (
        <span className="badge advisory-informational">{props.informational}</span>
      ) : (
        !props.categories.includes('malicious') && <span className="badge sev sev-high">vulnerability</span>
      )}
      {props.withdrawn && <span className="badge state-yanked">withdrawn {props.withdrawn}</span>}
      {props.scope === 'name-only' && (
        <span
          className="badge advisory-name-only"
          title="The advisory is for another registry's crate of this name"
        >
          same name only
        </span>
      )}
    </>
  );
}

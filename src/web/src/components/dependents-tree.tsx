// The interactive dependency view: who depends on a crate, expandable level by level (each
// level asks the graph API for that crate's direct dependents), plus the transitive list.
import { useState } from 'react';
import { api, withQuery } from '../api.js';
import type { DependentsAnswer } from '../api-types.js';
import { formatCount } from '../format.js';
import { paths } from '../routes.js';
import { Link } from '../router.js';

const SHOWN = 50;

async function directDependents(crate: string): Promise<string[]> {
  const answer = await api.get<DependentsAnswer>(withQuery('/api/admin/graph/dependents', { spec: crate }));
  return [...new Set(answer.dependents.map((d) => d.crate))];
}

function Node({ name, ancestors }: { name: string; ancestors: string[] }) {
  const [open, setOpen] = useState(false);
  const [children, setChildren] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cycle = ancestors.includes(name);

  const toggle = async () => {
    if (open) return setOpen(false);
    setOpen(true);
    if (children === null) {
      try {
        setChildren(await directDependents(name));
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    }
  };

  return (
    <li>
      <span className="tree-row">
        {cycle ? (
          <span className="tree-toggle muted" aria-hidden="true">
            ↻
          </span>
        ) : (
          <button
            type="button"
            className="tree-toggle"
            aria-expanded={open}
            aria-label={`${open ? 'Collapse' : 'Expand'} dependents of ${name}`}
            onClick={() => void toggle()}
          >
            {open ? '▾' : '▸'}
          </button>
        )}
        <Link to={paths.crate(name)}>{name}</Link>
        {cycle && <span className="muted"> (already above)</span>}
      </span>
      {open && !cycle && (
        <Children names={children} error={error} ancestors={[...ancestors, name]} parent={name} />
      )}
    </li>
  );
}

function Children({
  names,
  error,
  ancestors,
  parent,
}: {
  names: string[] | null;
  error: string | null;
  ancestors: string[];
  parent: string;
}) {
  if (error) return <p className="error-text">{error}</p>;
  if (names === null) return <p className="muted tree-note">Loading…</p>;
  if (names.length === 0) return <p className="muted tree-note">Nothing depends on {parent}.</p>;
  return (
    <ul className="tree">
      {names.slice(0, SHOWN).map((n) => (
        <Node key={n} name={n} ancestors={ancestors} />
      ))}
      {names.length > SHOWN && <li className="muted">… {formatCount(names.length - SHOWN)} more</li>}
    </ul>
  );
}

export function DependentsTree({
  crate,
  direct,
  directCount,
  transitiveCount,
}: {
  crate: string;
  direct: string[];
  directCount: number;
  transitiveCount: number;
}) {
  const [transitive, setTransitive] = useState<DependentsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const loadTransitive = async () => {
    try {
      setTransitive(
        await api.get<DependentsAnswer>(
          withQuery('/api/admin/graph/dependents', { spec: crate, transitive: 'true' }),
        ),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="dependents">
      <p>
        <strong>{formatCount(directCount)}</strong> direct and <strong>{formatCount(transitiveCount)}</strong>{' '}
        transitive dependents (latest versions).
      </p>
      <div className="tree-root">
        <span className="tree-row">
          <strong>{crate}</strong>
        </span>
        <Children names={direct} error={null} ancestors={[crate]} parent={crate} />
      </div>
      {transitiveCount > 0 && !transitive && (
        <button type="button" onClick={() => void loadTransitive()}>
          List all {formatCount(transitiveCount)} transitive dependents
        </button>
      )}
      {error && <p className="error-text">{error}</p>}
      {transitive && (
        <table className="compact">
          <caption>Transitive dependents of {crate}, nearest first</caption>
          <thead>
            <tr>
              <th scope="col">Crate</th>
              <th scope="col">Version</th>
              <th scope="col">Depth</th>
            </tr>
          </thead>
          <tbody>
            {transitive.dependents.slice(0, 500).map((d) => (
              <tr key={`${d.crate}@${d.version}`}>
                <td>
                  <Link to={paths.crate(d.crate)}>{d.crate}</Link>
                </td>
                <td className="mono">{d.version}</td>
                <td>{d.depth}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

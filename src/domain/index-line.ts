// One line of a crate's file in a Cargo registry index: one published version, as JSON.
// Field names and meanings follow cargo's registry-index documentation.
import { setOwn } from './safe-record.js';

export type DependencyKind = 'normal' | 'build' | 'dev';

export interface IndexDependency {
  /** The name the dependent uses; the real crate is `package` when renamed. */
  name: string;
  req: string;
  features: string[];
  optional: boolean;
  default_features: boolean;
  target: string | null;
  kind: DependencyKind;
  /** Index URL of another registry; absent means this registry. */
  registry?: string | null;
  /** The real crate name when the dependency is renamed. */
  package?: string | null;
}

export interface IndexLine {
  name: string;
  vers: string;
  deps: IndexDependency[];
  /** SHA-256 of the `.crate` file, lowercase hex. */
  cksum: string;
  features: Record<string, string[]>;
  yanked: boolean;
  links?: string | null;
  /** 2 when `features2` is present (features using `dep:` or `?` syntax). */
  v?: number;
  features2?: Record<string, string[]>;
  rust_version?: string | null;
  /** RFC 3339 publish time (cargo 1.93+ reads it for `publish-time` resolution). */
  pubtime?: string;
}

/** Serializes one index line, keeping cargo's field order and omitting absent optional fields. */
export function formatIndexLine(line: IndexLine): string {
  const out: Record<string, unknown> = {
    name: line.name,
    vers: line.vers,
    deps: line.deps.map((d) => {
      const dep: Record<string, unknown> = {
        name: d.name,
        req: d.req,
        features: d.features,
        optional: d.optional,
        default_features: d.default_features,
        target: d.target,
        kind: d.kind,
      };
      if (d.registry) dep.registry = d.registry;
      if (d.package) dep.package = d.package;
      return dep;
    }),
    cksum: line.cksum,
    features: line.features,
    yanked: line.yanked,
  };
  if (line.links) out.links = line.links;
  if (line.features2 && Object.keys(line.features2).length > 0) {
    out.features2 = line.features2;
    out.v = 2;
  } else if (line.v && line.v !== 1) {
    out.v = line.v;
  }
  if (line.rust_version) out.rust_version = line.rust_version;
  if (line.pubtime) out.pubtime = line.pubtime;
  return JSON.stringify(out);
}

/**
 * Features that use `dep:` or `name?/feat` syntax go to `features2` so that cargo older than
 * 1.60 skips the version instead of failing to parse it (what crates.io does).
 */
export function splitFeatures(features: Record<string, string[]>): {
  features: Record<string, string[]>;
  features2: Record<string, string[]>;
} {
  const plain: Record<string, string[]> = {};
  const extended: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(features)) {
    const needsV2 = values.some((v) => v.startsWith('dep:') || v.includes('?/'));
    // setOwn: a feature named `__proto__` must stay a key, not replace the prototype.
    setOwn(needsV2 ? extended : plain, name, values);
  }
  return { features: plain, features2: extended };
}

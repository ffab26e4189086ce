// A Cargo.toml as cargo reads it, aimed at the normalized manifest inside a published `.crate`
// (cargo rewrites it at package time: workspace inheritance resolved, paths stripped), but
// tolerant of the older spellings such manifests still carry (`[project]`, `dev_dependencies`,
// `default_features`, `proc_macro`). Types are checked strictly: a wrong type is an error
// naming the key, never a silently dropped field.
import { parse as parseToml, TomlError } from 'smol-toml';
import type { DependencyKind } from './index-line.js';
import type { PublishDependency, PublishMetadata } from './publish-metadata.js';
import { SemverError, parseVersion } from './semver.js';
import { setOwn } from './safe-record.js';
import { isTable, own, toPlain, tomlTypeName } from './toml-values.js';
import type { TomlTableLike } from './toml-values.js';

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export interface ManifestDependency {
  /** The real crate name (`package = …` when renamed, else the key). */
  name: string;
  /** The key in Cargo.toml when `package = …` renames the dependency. */
  rename: string | null;
  /** The version requirement as written; `*` when the manifest gives none. */
  req: string;
  kind: DependencyKind;
  /** `cfg(…)` expression or target triple from `[target.….dependencies]`. */
  target: string | null;
  optional: boolean;
  defaultFeatures: boolean;
  features: string[];
  /** `registry-index` (a URL, as normalized manifests have it) or else `registry` (a name). */
  registry: string | null;
  path: string | null;
  git: string | null;
  /** False when the manifest gives no `version` (path-only, git-only or bare `{}`). */
  versionSpecified?: boolean;
}

export interface ManifestBin {
  name: string;
  path: string | null;
}

export interface Manifest {
  name: string;
  version: string;
  edition: string | null;
  description: string | null;
  license: string | null;
  licenseFile: string | null;
  readme: string | null;
  repository: string | null;
  homepage: string | null;
  documentation: string | null;
  keywords: string[];
  categories: string[];
  authors: string[];
  links: string | null;
  /**
   * Path of the build script: explicit `build = "x.rs"`; `build = false` => null; absent =>
   * `build.rs` only if hasFile("build.rs") says it exists.
   */
  build: string | null;
  rustVersion: string | null;
  procMacro: boolean;
  /** `[lib] path`, else `src/lib.rs` when hasFile says it exists (and `autolib` is not off). */
  libPath: string | null;
  /** `[[bin]]` targets, plus the implicit `src/main.rs` one when hasFile says it exists. */
  bins: ManifestBin[];
  dependencies: ManifestDependency[];
  /** `[features]` as written; cargo adds no implicit features for optional deps here. */
  features: Record<string, string[]>;
  badges: Record<string, unknown>;
  /** `publish = false | true | ["registry", …]`; null when absent. */
  publish: boolean | string[] | null;
}

/** Far above any real manifest (the largest on crates.io are a few hundred KiB). */
export const MAX_MANIFEST_LENGTH = 8 * 1024 * 1024;

/** Inline nesting cap handed to smol-toml; real manifests nest a handful of levels. */
const MAX_TOML_DEPTH = 100;

const DEFAULT_README_FILES = ['README.md', 'README.txt', 'README'];

const DEPENDENCY_SECTIONS: readonly (readonly [string, string | null, DependencyKind])[] = [
  ['dependencies', null, 'normal'],
  ['dev-dependencies', 'dev_dependencies', 'dev'],
  ['build-dependencies', 'build_dependencies', 'build'],
];

export function parseManifest(tomlText: string, hasFile: (path: string) => boolean = () => false): Manifest {
  if (typeof tomlText !== 'string') throw new ManifestError('Cargo.toml must be text');
  if (tomlText.length > MAX_MANIFEST_LENGTH) {
    throw new ManifestError(
      `Cargo.toml is too large (${tomlText.length} characters, max ${MAX_MANIFEST_LENGTH})`,
    );
  }
  let doc: TomlTableLike;
  try {
    doc = parseToml(tomlText, { maxDepth: MAX_TOML_DEPTH }) as TomlTableLike;
  } catch (e) {
    if (e instanceof TomlError) throw new ManifestError(`Cargo.toml is not valid TOML: ${e.message}`);
    if (e instanceof RangeError) throw new ManifestError('Cargo.toml is nested too deeply');
    throw e;
  }

  // `[project]` is the pre-1.0 spelling of `[package]`; cargo still reads it.
  const pkgKey = own(doc, 'package') !== undefined ? 'package' : 'project';
  const pkg = own(doc, pkgKey);
  if (pkg === undefined)
    throw new ManifestError('Cargo.toml has no [package] section (a virtual workspace?)');
  if (!isTable(pkg)) throw new ManifestError(`\`${pkgKey}\` must be a table, found ${tomlTypeName(pkg)}`);
  const field = (key: string) => new FieldReader(pkg, `${pkgKey}.${key}`, key);

  const name = field('name').string();
  if (name === null) throw new ManifestError(`\`${pkgKey}.name\` is missing`);
  if (name.length === 0) throw new ManifestError(`\`${pkgKey}.name\` cannot be empty`);

  // Since cargo 1.75 `version` may be omitted: it means 0.0.0 and implies `publish = false`.
  const versionText = field('version').string();
  const version = versionText ?? '0.0.0';
  try {
    parseVersion(version);
  } catch (e) {
    if (e instanceof SemverError) throw new ManifestError(`\`${pkgKey}.version\`: ${e.message}`);
    throw e;
  }

  const lib = optionalTable(doc, 'lib');
  const libPath = lib ? new FieldReader(lib, 'lib.path', 'path').string() : null;
  const procMacro = lib ? (kebabOrSnake(lib, 'lib', 'proc-macro', 'proc_macro').boolean() ?? false) : false;

  const publishField = field('publish').booleanOrStrings();

  return {
    name,
    version,
    edition: field('edition').string(),
    description: field('description').string(),
    license: field('license').string(),
    licenseFile: field('license-file').string(),
    readme: resolveReadme(field('readme').stringOrBoolean(), hasFile),
    repository: field('repository').string(),
    homepage: field('homepage').string(),
    documentation: field('documentation').string(),
    keywords: field('keywords').strings() ?? [],
    categories: field('categories').strings() ?? [],
    authors: field('authors').strings() ?? [],
    links: field('links').string(),
    build: resolveBuild(field('build').stringOrBoolean(), hasFile),
    rustVersion: field('rust-version').string(),
    procMacro,
    libPath:
      libPath ??
      ((lib !== null || field('autolib').boolean() !== false) && hasFile('src/lib.rs') ? 'src/lib.rs' : null),
    bins: readBins(doc, name, field('autobins').boolean() ?? true, hasFile),
    dependencies: readAllDependencies(doc),
    features: readFeatures(doc),
    badges: readBadges(doc),
    publish: publishField ?? (versionText === null ? false : null),
  };
}

function resolveReadme(v: string | boolean | null, hasFile: (path: string) => boolean): string | null {
  if (v === false) return null;
  if (v === true) return 'README.md';
  if (v !== null) return v;
  return DEFAULT_README_FILES.find((f) => hasFile(f)) ?? null;
}

function resolveBuild(v: string | boolean | null, hasFile: (path: string) => boolean): string | null {
  if (v === false) return null;
  if (v === true) return 'build.rs';
  if (v !== null) return v;
  return hasFile('build.rs') ? 'build.rs' : null;
}

/** Reads one key of a table with strict types; absent reads as null. */
class FieldReader {
  readonly value: unknown;
  constructor(
    table: TomlTableLike,
    readonly path: string,
    key: string,
  ) {
    this.value = own(table, key);
    // Normalized manifests have workspace inheritance resolved; `{ workspace = true }` here
    // means we were handed a source manifest and every inherited value would be wrong.
    if (isTable(this.value) && own(this.value, 'workspace') !== undefined) {
      throw new ManifestError(
        `\`${path}\` is inherited from the workspace (\`{ workspace = true }\`): the manifest is not normalized`,
      );
    }
  }

  private wrong(expected: string): never {
    throw new ManifestError(`\`${this.path}\` must be ${expected}, found ${tomlTypeName(this.value)}`);
  }

  string(): string | null {
    if (this.value === undefined) return null;
    if (typeof this.value !== 'string') this.wrong('a string');
    return this.value;
  }

  boolean(): boolean | null {
    if (this.value === undefined) return null;
    if (typeof this.value !== 'boolean') this.wrong('a boolean');
    return this.value;
  }

  stringOrBoolean(): string | boolean | null {
    if (this.value === undefined) return null;
    if (typeof this.value !== 'string' && typeof this.value !== 'boolean')
      this.wrong('a string or a boolean');
    return this.value;
  }

  strings(): string[] | null {
    if (this.value === undefined) return null;
    if (!Array.isArray(this.value)) this.wrong('an array of strings');
    return this.value.map((item, i) => {
      if (typeof item !== 'string') {
        throw new ManifestError(`\`${this.path}[${i}]\` must be a string, found ${tomlTypeName(item)}`);
      }
      return item;
    });
  }

  booleanOrStrings(): boolean | string[] | null {
    if (typeof this.value === 'boolean') return this.value;
    if (this.value !== undefined && !Array.isArray(this.value))
      this.wrong('a boolean or an array of strings');
    return this.strings();
  }
}

/** Cargo accepts both spellings; when both are present the kebab-case one wins, as in cargo. */
function kebabOrSnake(table: TomlTableLike, prefix: string, kebab: string, snake: string): FieldReader {
  const key = own(table, kebab) !== undefined || own(table, snake) === undefined ? kebab : snake;
  return new FieldReader(table, `${prefix}.${key}`, key);
}

function optionalTable(doc: TomlTableLike, key: string, path = key): TomlTableLike | null {
  const v = own(doc, key);
  if (v === undefined) return null;
  if (!isTable(v)) throw new ManifestError(`\`${path}\` must be a table, found ${tomlTypeName(v)}`);
  return v;
}

function readBins(
  doc: TomlTableLike,
  packageName: string,
  autobins: boolean,
  hasFile: (path: string) => boolean,
): ManifestBin[] {
  const raw = own(doc, 'bin');
  const bins: ManifestBin[] = [];
  if (raw !== undefined) {
    if (!Array.isArray(raw))
      throw new ManifestError(`\`bin\` must be an array of tables ([[bin]]), found ${tomlTypeName(raw)}`);
    raw.forEach((entry, i) => {
      if (!isTable(entry))
        throw new ManifestError(`\`bin[${i}]\` must be a table, found ${tomlTypeName(entry)}`);
      const name = new FieldReader(entry, `bin[${i}].name`, 'name').string();
      if (name === null || name.length === 0) throw new ManifestError(`\`bin[${i}].name\` is required`);
      bins.push({ name, path: new FieldReader(entry, `bin[${i}].path`, 'path').string() });
    });
  }
  // Cargo infers a binary named after the package from src/main.rs unless autobins is off.
  if (
    autobins &&
    hasFile('src/main.rs') &&
    !bins.some((b) => b.path === 'src/main.rs' || b.name === packageName)
  ) {
    bins.push({ name: packageName, path: 'src/main.rs' });
  }
  return bins;
}

function readAllDependencies(doc: TomlTableLike): ManifestDependency[] {
  const out: ManifestDependency[] = [];
  readDependencySections(doc, '', null, out);
  const targets = optionalTable(doc, 'target');
  if (targets) {
    for (const target of Object.keys(targets)) {
      const path = `target.${quoteKey(target)}`;
      const t = own(targets, target);
      if (!isTable(t)) throw new ManifestError(`\`${path}\` must be a table, found ${tomlTypeName(t)}`);
      readDependencySections(t, `${path}.`, target, out);
    }
  }
  return out;
}

function readDependencySections(
  table: TomlTableLike,
  prefix: string,
  target: string | null,
  out: ManifestDependency[],
): void {
  for (const [kebab, snake, kind] of DEPENDENCY_SECTIONS) {
    const key = own(table, kebab) !== undefined || snake === null ? kebab : snake;
    const section = optionalTable(table, key, `${prefix}${key}`);
    if (!section) continue;
    for (const depKey of Object.keys(section)) {
      out.push(
        readDependency(depKey, own(section, depKey), `${prefix}${key}.${quoteKey(depKey)}`, kind, target),
      );
    }
  }
}

function readDependency(
  key: string,
  spec: unknown,
  path: string,
  kind: DependencyKind,
  target: string | null,
): ManifestDependency {
  if (key.length === 0) throw new ManifestError(`\`${path}\`: dependency name cannot be empty`);
  const base = {
    kind,
    target,
    optional: false,
    defaultFeatures: true,
    features: [] as string[],
    registry: null,
    path: null,
    git: null,
  };
  if (typeof spec === 'string') {
    return { name: key, rename: null, req: spec, versionSpecified: true, ...base };
  }
  if (!isTable(spec)) {
    throw new ManifestError(`\`${path}\` must be a version string or a table, found ${tomlTypeName(spec)}`);
  }
  if (own(spec, 'workspace') !== undefined) {
    throw new ManifestError(
      `\`${path}\` is inherited from the workspace (\`workspace = true\`): the manifest is not normalized`,
    );
  }
  const f = (k: string) => new FieldReader(spec, `${path}.${k}`, k);
  const pkgName = f('package').string();
  if (pkgName !== null && pkgName.length === 0)
    throw new ManifestError(`\`${path}.package\` cannot be empty`);
  const version = f('version').string();
  return {
    name: pkgName ?? key,
    rename: pkgName !== null ? key : null,
    req: version ?? '*',
    versionSpecified: version !== null,
    kind,
    target,
    optional: f('optional').boolean() ?? false,
    defaultFeatures: kebabOrSnake(spec, path, 'default-features', 'default_features').boolean() ?? true,
    features: f('features').strings() ?? [],
    registry: f('registry-index').string() ?? f('registry').string(),
    path: f('path').string(),
    git: f('git').string(),
  };
}

function quoteKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function readFeatures(doc: TomlTableLike): Record<string, string[]> {
  const table = optionalTable(doc, 'features');
  const out: Record<string, string[]> = {};
  if (!table) return out;
  for (const name of Object.keys(table)) {
    const values = new FieldReader(table, `features.${quoteKey(name)}`, name).strings();
    setOwn(out, name, values ?? []);
  }
  return out;
}

function readBadges(doc: TomlTableLike): Record<string, unknown> {
  const table = optionalTable(doc, 'badges');
  return table ? (toPlain(table) as Record<string, unknown>) : {};
}

/**
 * The metadata `cargo publish` would send for this manifest. Path or git dependencies without
 * a version cannot be published: cargo strips them when they are dev-dependencies and refuses
 * the package otherwise. `readme` is the README's content when the caller has it.
 */
export function manifestToPublishMetadata(m: Manifest, readmeContent: string | null = null): PublishMetadata {
  const deps: PublishDependency[] = [];
  for (const d of m.dependencies) {
    const unversioned = d.versionSpecified === false && (d.path !== null || d.git !== null);
    if (unversioned) {
      if (d.kind === 'dev') continue;
      const from = d.path !== null ? `path \`${d.path}\`` : `git \`${d.git}\``;
      throw new ManifestError(
        `dependency \`${d.rename ?? d.name}\` (${d.kind}) has no version: ${from} alone cannot be published`,
      );
    }
    const dep: PublishDependency = {
      name: d.name,
      version_req: d.req,
      features: [...d.features],
      optional: d.optional,
      default_features: d.defaultFeatures,
      target: d.target,
      kind: d.kind,
    };
    if (d.registry !== null) dep.registry = d.registry;
    if (d.rename !== null) dep.explicit_name_in_toml = d.rename;
    deps.push(dep);
  }
  const features: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(m.features)) setOwn(features, k, [...v]);
  return {
    name: m.name,
    vers: m.version,
    deps,
    features,
    authors: [...m.authors],
    description: m.description,
    documentation: m.documentation,
    homepage: m.homepage,
    readme: readmeContent,
    readme_file: m.readme,
    keywords: [...m.keywords],
    categories: [...m.categories],
    license: m.license,
    license_file: m.licenseFile,
    repository: m.repository,
    badges: toPlain(m.badges) as Record<string, unknown>,
    links: m.links,
    rust_version: m.rustVersion,
  };
}

// Reads the untrusted publish metadata into a typed PublishMetadata and applies crates.io's
// publish rules to it. Each failure is a 400 whose message cargo shows the user.
import parseSpdx from 'spdx-expression-parse';
import { crateNameError } from '../domain/crate-name.js';
import type { DependencyKind } from '../domain/index-line.js';
import type { PublishDependency, PublishMetadata } from '../domain/publish-metadata.js';
import { setOwn } from '../domain/safe-record.js';
import { SemverError, parseVersion } from '../domain/semver.js';
import { parseVersionReq } from '../domain/version-req.js';
import type { RegistryLimits } from './config.js';
import { badRequest } from './errors.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(obj: Json, key: string, where = 'metadata'): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest(`invalid publish ${where}: \`${key}\` must be a string`);
  return v;
}

function strList(obj: Json, key: string, where = 'metadata'): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw badRequest(`invalid publish ${where}: \`${key}\` must be a list of strings`);
  }
  return v as string[];
}

function bool(obj: Json, key: string, fallback: boolean, where: string): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw badRequest(`invalid publish ${where}: \`${key}\` must be true or false`);
  return v;
}

function featureMap(v: unknown): Record<string, string[]> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw badRequest('invalid publish metadata: `features` must be a table of lists');
  const out: Record<string, string[]> = {};
  for (const [k, list] of Object.entries(v)) {
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
      throw badRequest(`invalid publish metadata: feature \`${k}\` must be a list of strings`);
    }
    // setOwn: `out['__proto__'] = …` would set the prototype and drop the feature.
    setOwn(out, k, list as string[]);
  }
  return out;
}

const KINDS: readonly DependencyKind[] = ['normal', 'build', 'dev'];

function dependency(v: unknown, i: number): PublishDependency {
  if (!isObject(v)) throw badRequest(`invalid publish metadata: dependency #${i + 1} must be an object`);
  const where = `dependency #${i + 1}`;
  const name = str(v, 'name', where);
  const req = str(v, 'version_req', where);
  if (!name) throw badRequest(`invalid publish metadata: ${where} has no name`);
  if (req === null) throw badRequest(`invalid publish metadata: dependency \`${name}\` has no version_req`);
  const kind = (str(v, 'kind', where) ?? 'normal') as DependencyKind;
  if (!KINDS.includes(kind))
    throw badRequest(`invalid publish metadata: dependency \`${name}\` has unknown kind \`${kind}\``);
  return {
    name,
    version_req: req,
    features: strList(v, 'features', where),
    optional: bool(v, 'optional', false, where),
    default_features: bool(v, 'default_features', true, where),
    target: str(v, 'target', where),
    kind,
    registry: str(v, 'registry', where),
    explicit_name_in_toml: str(v, 'explicit_name_in_toml', where),
  };
}

/** Type-checks the metadata document cargo sent; unknown fields are ignored as crates.io does. */
export function readPublishMetadata(json: unknown): PublishMetadata {
  if (!isObject(json)) throw badRequest('invalid publish metadata: expected a JSON object');
  const name = str(json, 'name');
  const vers = str(json, 'vers');
  if (!name) throw badRequest('invalid publish metadata: missing `name`');
  if (!vers) throw badRequest('invalid publish metadata: missing `vers`');
  const deps = json.deps ?? [];
  if (!Array.isArray(deps)) throw badRequest('invalid publish metadata: `deps` must be a list');
  const badges = json.badges;
  return {
    name,
    vers,
    deps: deps.map(dependency),
    features: featureMap(json.features),
    authors: strList(json, 'authors'),
    description: str(json, 'description'),
    documentation: str(json, 'documentation'),
    homepage: str(json, 'homepage'),
    readme: str(json, 'readme'),
    readme_file: str(json, 'readme_file'),
    keywords: strList(json, 'keywords'),
    categories: strList(json, 'categories'),
    license: str(json, 'license'),
    license_file: str(json, 'license_file'),
    repository: str(json, 'repository'),
    badges: isObject(badges) ? badges : {},
    links: str(json, 'links'),
    rust_version: str(json, 'rust_version'),
  };
}

/** crates.io accepts SPDX 2.1 expressions, and the legacy `/` as `OR`. */
export function licenseError(license: string): string | null {
  const normalized = license
    .split('/')
    .map((s) => s.trim())
    .join(' OR ');
  try {
    parseSpdx(normalized);
    return null;
  } catch {
    return `unknown or invalid license expression \`${license.slice(0, 200)}\`; see http://opensource.org/licenses for options, and http://spdx.org/licenses/ for their identifiers`;
  }
}

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9_+-]*$/;
const FEATURE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/;
const RUST_VERSION = /^\d+(\.\d+){0,2}$/;

/** crates.io's rules for the metadata (the archive is checked separately). */
export function validatePublishMetadata(meta: PublishMetadata, limits: RegistryLimits): void {
  const nameErr = crateNameError(meta.name);
  if (nameErr) throw badRequest(nameErr);
  try {
    parseVersion(meta.vers);
  } catch (err) {
    const msg = err instanceof SemverError ? err.message : String(err);
    throw badRequest(`invalid version \`${meta.vers.slice(0, 100)}\`: ${msg}`);
  }

  const missing: string[] = [];
  if (!meta.description?.trim()) missing.push('description');
  if (!meta.license?.trim() && !meta.license_file?.trim()) missing.push('license');
  if (missing.length > 0) {
    throw badRequest(
      `missing or empty metadata fields: ${missing.join(', ')}. Please see https://doc.rust-lang.org/cargo/reference/manifest.html for more information on configuring these fields`,
    );
  }
  if (meta.license) {
    const err = licenseError(meta.license);
    if (err) throw badRequest(err);
  }
  if (meta.description && meta.description.length > 10_000) {
    throw badRequest('the description is too long (max 10,000 characters)');
  }

  if (meta.keywords.length > limits.maxKeywords) {
    throw badRequest(`expected at most ${limits.maxKeywords} keywords per crate`);
  }
  for (const kw of meta.keywords) {
    if (kw.length > 20 || !KEYWORD.test(kw)) {
      throw badRequest(
        `"${kw.slice(0, 40)}" is an invalid keyword (keywords must have less than 20 characters, start with a letter or digit, and use only letters, digits, \`_\`, \`-\` or \`+\`)`,
      );
    }
  }
  if (meta.categories.length > limits.maxCategories) {
    throw badRequest(`expected at most ${limits.maxCategories} categories per crate`);
  }
  for (const c of meta.categories) {
    if (c.length > 100) throw badRequest(`category \`${c.slice(0, 40)}…\` is too long`);
  }

  const featureCount = Object.keys(meta.features).length;
  if (featureCount > limits.maxFeatures) {
    throw badRequest(
      `crates may define at most ${limits.maxFeatures} features; this one has ${featureCount}`,
    );
  }
  for (const [name, values] of Object.entries(meta.features)) {
    if (!FEATURE_NAME.test(name) || name.length > 100) {
      throw badRequest(
        `invalid feature name \`${name.slice(0, 100)}\`: use letters, digits, \`_\`, \`-\`, \`+\` or \`.\``,
      );
    }
    if (values.length > 1000) throw badRequest(`feature \`${name}\` lists too many items`);
  }

  if (meta.deps.length > limits.maxDependencies) {
    throw badRequest(
      `crates may have at most ${limits.maxDependencies} dependencies; this one has ${meta.deps.length}`,
    );
  }
  for (const dep of meta.deps) {
    const depErr = crateNameError(dep.name);
    if (depErr) throw badRequest(`invalid dependency name: ${depErr}`);
    if (dep.explicit_name_in_toml) {
      const renameErr = crateNameError(dep.explicit_name_in_toml);
      if (renameErr) throw badRequest(`invalid dependency rename: ${renameErr}`);
    }
    try {
      parseVersionReq(dep.version_req);
    } catch (err) {
      const msg = err instanceof SemverError ? err.message : String(err);
      throw badRequest(
        `invalid version requirement \`${dep.version_req.slice(0, 100)}\` for dependency \`${dep.name}\`: ${msg}`,
      );
    }
    // Like crates.io, only the bare `*` is refused; `1.*` is a real constraint.
    if (/^\s*[*xX]\s*$/.test(dep.version_req)) {
      throw badRequest(
        `wildcard (\`*\`) dependency constraints are not allowed on this registry. Crate with this problem: \`${dep.name}\``,
      );
    }
  }
  if (meta.rust_version && !RUST_VERSION.test(meta.rust_version)) {
    throw badRequest(
      `invalid rust-version \`${meta.rust_version.slice(0, 40)}\`: expected e.g. \`1.70\` or \`1.70.0\``,
    );
  }
  if (meta.links !== null && (meta.links.length === 0 || meta.links.length > 100)) {
    throw badRequest('invalid `links` value');
  }
}

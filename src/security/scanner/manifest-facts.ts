// The manifest facts the scanner needs. The domain parser is strict (a malformed field is an
// error); a scanner must still look at a crate whose manifest is odd, so it falls back to a
// lenient read of the same keys and says so.
import { parse as parseToml } from 'smol-toml';
import { canonicalCrateName } from '../../domain/crate-name.js';
import { ManifestError, parseManifest } from '../../domain/manifest.js';

export interface ManifestDep {
  name: string;
  /** Name the code uses (`rename`, else the crate name), canonical (`_` for `-`). */
  codeName: string;
  kind: 'normal' | 'dev' | 'build';
  optional: boolean;
  /** Version requirement as written (`*` when none). */
  req: string;
}

export interface ManifestFacts {
  name: string;
  version: string;
  build: string | null;
  procMacro: boolean;
  libPath: string | null;
  /** `[lib] name` when given. */
  libName: string | null;
  bins: string[];
  testPaths: string[];
  dependencies: ManifestDep[];
  /** Name, description, keywords and categories, lower-cased: what the crate says it is for. */
  purpose: string;
  /** Why the strict parser refused the manifest, if it did. */
  strictError: string | null;
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function readManifestFacts(text: string, hasFile: (path: string) => boolean): ManifestFacts | null {
  let doc: Table;
  try {
    doc = parseToml(text, { maxDepth: 100 }) as Table;
  } catch {
    return null;
  }
  const lib = isTable(doc.lib) ? doc.lib : null;
  const libName = lib ? str(lib.name) : null;
  const testPaths = targetPaths(doc, 'test').concat(targetPaths(doc, 'example'), targetPaths(doc, 'bench'));
  try {
    const m = parseManifest(text, hasFile);
    return {
      name: m.name,
      version: m.version,
      build: m.build,
      procMacro: m.procMacro,
      libPath: m.libPath,
      libName,
      bins: m.bins.map((b) => b.path ?? `src/bin/${b.name}.rs`),
      testPaths,
      dependencies: m.dependencies.map((d) => ({
        name: d.name,
        codeName: canonicalCrateName(d.rename ?? d.name),
        kind: d.kind === 'dev' ? 'dev' : d.kind === 'build' ? 'build' : 'normal',
        optional: d.optional,
        req: d.req,
      })),
      purpose: [m.name, m.description ?? '', ...m.keywords, ...m.categories].join(' ').toLowerCase(),
      strictError: null,
    };
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    return lenient(doc, lib, libName, testPaths, hasFile, e.message);
  }
}

function targetPaths(doc: Table, key: string): string[] {
  const list = doc[key];
  if (!Array.isArray(list)) return [];
  return list.filter(isTable).flatMap((t) => (str(t.path) ? [str(t.path)!] : []));
}

function lenient(
  doc: Table,
  lib: Table | null,
  libName: string | null,
  testPaths: string[],
  hasFile: (path: string) => boolean,
  error: string,
): ManifestFacts | null {
  const pkg = isTable(doc.package) ? doc.package : isTable(doc.project) ? doc.project : null;
  if (!pkg || !str(pkg.name)) return null;
  const build = pkg.build === false ? null : (str(pkg.build) ?? (hasFile('build.rs') ? 'build.rs' : null));
  const dependencies: ManifestDep[] = [];
  const addSection = (section: unknown, kind: ManifestDep['kind']) => {
    if (!isTable(section)) return;
    for (const [key, spec] of Object.entries(section)) {
      const name = isTable(spec) && str(spec.package) ? str(spec.package)! : key;
      const req =
        typeof spec === 'string' ? spec : isTable(spec) && str(spec.version) ? str(spec.version)! : '*';
      dependencies.push({
        name,
        codeName: canonicalCrateName(key),
        kind,
        optional: isTable(spec) && spec.optional === true,
        req,
      });
    }
  };
  const addAll = (t: Table) => {
    addSection(t.dependencies, 'normal');
    addSection(t['dev-dependencies'] ?? t.dev_dependencies, 'dev');
    addSection(t['build-dependencies'] ?? t.build_dependencies, 'build');
  };
  addAll(doc);
  if (isTable(doc.target)) for (const t of Object.values(doc.target)) if (isTable(t)) addAll(t);
  const bins = Array.isArray(doc.bin)
    ? doc.bin.filter(isTable).flatMap((b) => (str(b.path) ? [str(b.path)!] : []))
    : [];
  return {
    name: str(pkg.name)!,
    version: str(pkg.version) ?? '0.0.0',
    build,
    procMacro: lib !== null && (lib['proc-macro'] === true || lib.proc_macro === true),
    libPath: (lib && str(lib.path)) ?? (hasFile('src/lib.rs') ? 'src/lib.rs' : null),
    libName,
    bins,
    testPaths,
    dependencies,
    purpose: [
      pkg.name,
      pkg.description,
      ...(Array.isArray(pkg.keywords) ? pkg.keywords : []),
      ...(Array.isArray(pkg.categories) ? pkg.categories : []),
    ]
      .filter((x) => typeof x === 'string')
      .join(' ')
      .toLowerCase(),
    strictError: error,
  };
}

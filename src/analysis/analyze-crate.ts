// The source analysis of one crate (a `.crate` archive or an unpacked source tree): every `.rs`
// file parsed once with tree-sitter, cargo-geiger's unsafe counts per file and per package
// (used / unused files, forbids_unsafe), and the crate's resolved invocations. A crate whose
// files do not all parse still gets a result: counts from what parsed, an error note per file
// and the parsed fraction.
import { posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { Node, Parser } from 'web-tree-sitter';
import { parseManifest } from '../domain/manifest.js';
import type { Manifest } from '../domain/manifest.js';
import { defaultFeatures } from './cfg.js';
import { fileInvocations, resolveCrate } from './invocations.js';
import type { CrateInvocations, FileInvocations } from './invocations.js';
import { fileLinks, reachableFiles, resolveModDecl as resolveCandidates } from './module-files.js';
import type { FileLinks } from './module-files.js';
import { isExternTypeGap } from './syntax.js';
import { addCounters, countUnsafe, emptyCounters } from './unsafe-counts.js';
import type { UnsafeCounters } from './unsafe-counts.js';
import { parseRust } from '../security/scanner/rust-parser.js';

export interface AnalysisInputFile {
  /** Relative to the crate root, `/`-separated. */
  path: string;
  /** Null when the reader did not keep the file (over its ceilings). */
  data: Uint8Array | null;
}

export interface AnalysisInput {
  files: AnalysisInputFile[];
  /** Where the crate came from, for geiger's PackageId.source. */
  source: { kind: 'registry'; name: string; url: string } | { kind: 'path'; url: string };
}

export interface AnalyzeOptions {
  includeTests?: boolean;
  /** Rust files larger than this are not parsed (noted). Default 8 MiB. */
  maxFileBytes?: number;
}

export interface FileAnalysis {
  path: string;
  bytes: number;
  /** Compiled in the assumed build (reached from a target root through `mod`/`include!`). */
  used: boolean;
  /** A lib or bin target's root file (forbids_unsafe looks at these). */
  entryPoint: boolean;
  counters: UnsafeCounters;
  forbidsUnsafe: boolean;
  /** Share of the file's characters outside tree-sitter ERROR nodes (0 when not parsed). */
  parsedFraction: number;
  /** Why the file was not (fully) parsed. */
  error?: string;
  /**
   * Valid syntax tree-sitter-rust 0.24 has no rule for, read as such rather than as errors
   * (extern types, `pub type X;` in an extern block: syntax.ts isExternTypeGap).
   */
  grammarGaps?: number;
}

export interface CrateAnalysis {
  name: string;
  version: string;
  source: AnalysisInput['source'];
  unsafety: { used: UnsafeCounters; unused: UnsafeCounters; forbidsUnsafe: boolean };
  files: FileAnalysis[];
  /**
   * Files parsed without any error, of all `.rs` files. `notParsed`: files not parsed at all
   * (over the size ceiling, not UTF-8), never clean; `withGrammarGaps`: clean files that have
   * syntax tree-sitter-rust lacks a rule for (FileAnalysis.grammarGaps), so that the figure
   * tree-sitter alone gives is `clean - withGrammarGaps`.
   */
  parse: { files: number; clean: number; parsedFraction: number; notParsed: number; withGrammarGaps: number };
  /** Module files a reachable `mod x;` names that the package does not have (generated code). */
  missingModules: string[];
  /** Per target (`lib`, `bin:<name>`, `build`). */
  invocations: Record<string, CrateInvocations>;
  /** Crate-level notes (manifest problems, skipped files). */
  notes: string[];
}

export class AnalysisError extends Error {
  override name = 'AnalysisError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface ParsedFile {
  path: string;
  bytes: number;
  root: Node | null;
  release: () => void;
  error?: string;
  parsedFraction: number;
  grammarGaps: number;
}

/**
 * Characters under ERROR nodes (and missing tokens) of a tree with errors, leaving out the ERROR
 * nodes that are valid Rust tree-sitter-rust lacks a rule for (`gaps`, counted on their own).
 */
function errorChars(root: Node): { bad: number; gaps: number } {
  let bad = 0;
  let gaps = 0;
  if (!root.hasError) return { bad, gaps };
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (cur.isError) {
      if (isExternTypeGap(cur)) gaps++;
      else bad += Math.max(1, cur.endIndex - cur.startIndex);
      continue;
    }
    if (cur.isMissing) {
      bad += 1;
      continue;
    }
    for (let i = 0; i < cur.childCount; i++) {
      const c = cur.child(i);
      if (c && (c.hasError || c.isMissing)) stack.push(c);
    }
  }
  return { bad, gaps };
}

function libCrateName(manifestText: string, m: Manifest): string {
  try {
    const doc = parseToml(manifestText) as { lib?: { name?: unknown } };
    if (typeof doc.lib?.name === 'string') return doc.lib.name.replace(/-/g, '_');
  } catch {
    // parseManifest already accepted it; fall back to the package name
  }
  return m.name.replace(/-/g, '_');
}

/** Bin roots cargo would build: declared ones, and src/bin/*.rs, src/bin/*\/main.rs when autobins. */
function binRoots(manifestText: string, m: Manifest, has: (p: string) => boolean, rs: string[]): string[] {
  const roots = new Set<string>();
  for (const b of m.bins) {
    if (b.path) roots.add(posix.normalize(b.path));
    else if (has(`src/bin/${b.name}.rs`)) roots.add(`src/bin/${b.name}.rs`);
    else if (has(`src/bin/${b.name}/main.rs`)) roots.add(`src/bin/${b.name}/main.rs`);
    else if (has('src/main.rs')) roots.add('src/main.rs');
  }
  let autobins = true;
  try {
    const doc = parseToml(manifestText) as { package?: { autobins?: unknown } };
    if (doc.package?.autobins === false) autobins = false;
  } catch {
    // keep the default
  }
  if (autobins) {
    for (const p of rs) if (/^src\/bin\/[^/]+\.rs$|^src\/bin\/[^/]+\/main\.rs$/.test(p)) roots.add(p);
  }
  return [...roots].filter(has);
}

/** Analyses one crate's files with a loaded parser. */
export function analyzeCrate(parser: Parser, input: AnalysisInput, opts: AnalyzeOptions = {}): CrateAnalysis {
  const maxFileBytes = opts.maxFileBytes ?? 8 * 1024 * 1024;
  const notes: string[] = [];
  const byPath = new Map(input.files.map((f) => [posix.normalize(f.path), f]));
  const manifestFile = byPath.get('Cargo.toml');
  if (!manifestFile?.data) throw new AnalysisError('no Cargo.toml');
  let manifestText: string;
  try {
    manifestText = utf8.decode(manifestFile.data);
  } catch {
    throw new AnalysisError('Cargo.toml is not UTF-8');
  }
  const has = (p: string): boolean => byPath.has(p);
  let manifest: Manifest;
  try {
    manifest = parseManifest(manifestText, has);
  } catch (e) {
    throw new AnalysisError(`Cargo.toml: ${(e as Error).message}`);
  }
  const features = defaultFeatures(manifest.features);
  for (const d of manifest.dependencies) {
    // An optional dependency enabled by a default feature of the same name.
    if (d.optional && features.has(d.rename ?? d.name)) features.add(d.rename ?? d.name);
  }

  // Every .rs file of the package, as geiger's walk finds them; the build script's own file is
  // not scanned by geiger (it is only "ignored"), its modules are.
  const buildRoot = manifest.build ? posix.normalize(manifest.build) : null;
  const rsPaths = [...byPath.keys()].filter((p) => p.endsWith('.rs')).sort();
  const parsed = new Map<string, ParsedFile>();
  const links = new Map<string, FileLinks>();
  for (const path of rsPaths) {
    const f = byPath.get(path)!;
    const pf = parseFile(parser, path, f, maxFileBytes);
    parsed.set(path, pf);
    if (pf.root) links.set(path, fileLinks(pf.root, { features }));
    else links.set(path, { mods: [], includes: [] });
  }

  try {
    const libRoot = manifest.libPath ? posix.normalize(manifest.libPath) : null;
    const bins = binRoots(manifestText, manifest, has, rsPaths);
    const entryPoints = new Set([...(libRoot && has(libRoot) ? [libRoot] : []), ...bins]);
    const roots = [...entryPoints, ...(buildRoot && has(buildRoot) ? [buildRoot] : [])];
    const reach = reachableFiles(roots, (p) => links.get(p) ?? null);

    const files: FileAnalysis[] = [];
    const used = emptyCounters();
    const unused = emptyCounters();
    let forbids = true;
    for (const path of rsPaths) {
      if (path === buildRoot) continue;
      const pf = parsed.get(path)!;
      const u = pf.root ? countUnsafe(pf.root, { includeTests: opts.includeTests === true }) : null;
      const isUsed = reach.used.has(path);
      const entryPoint = entryPoints.has(path);
      const counters = u?.counters ?? emptyCounters();
      addCounters(isUsed ? used : unused, counters);
      // geiger: all parsed entry points must forbid (vacuously true when none parsed).
      if (entryPoint && u && !u.forbidsUnsafe) forbids = false;
      files.push({
        path,
        bytes: pf.bytes,
        used: isUsed,
        entryPoint,
        counters,
        forbidsUnsafe: u?.forbidsUnsafe ?? false,
        parsedFraction: pf.parsedFraction,
        ...(pf.error ? { error: pf.error } : {}),
        ...(pf.grammarGaps > 0 ? { grammarGaps: pf.grammarGaps } : {}),
      });
    }

    const crateName = libCrateName(manifestText, manifest);
    const dependencies: Record<string, string> = {};
    // Dev-dependencies are for tests, examples and benches, which are not analysed as targets.
    for (const d of manifest.dependencies) {
      if (d.kind !== 'dev') dependencies[(d.rename ?? d.name).replace(/-/g, '_')] = d.name;
    }
    const invocations: CrateAnalysis['invocations'] = {};
    const target = (label: string, root: string, name: string): void => {
      const modules = moduleMap(root, (p) => links.get(p) ?? null);
      const perFile: FileInvocations[] = [];
      for (const [path, mod] of modules) {
        const pf = parsed.get(path);
        if (pf?.root)
          perFile.push(fileInvocations(pf.root, path, mod, { includeTests: opts.includeTests === true }));
      }
      invocations[label] = resolveCrate(perFile, { crateName: name, dependencies });
    };
    if (libRoot && has(libRoot)) target('lib', libRoot, crateName);
    for (const b of bins) {
      const bin = manifest.bins.find((x) => x.path && posix.normalize(x.path) === b);
      const name = (bin?.name ?? posix.basename(b, '.rs')).replace(/-/g, '_');
      // A bin refers to the package's lib by the lib's name.
      target(`bin:${name}`, b, name);
    }

    const totalChars = [...parsed.values()].reduce((s, p) => s + p.bytes, 0);
    const parsedChars = [...parsed.values()].reduce((s, p) => s + p.bytes * p.parsedFraction, 0);
    return {
      name: manifest.name,
      version: manifest.version,
      source: input.source,
      unsafety: { used, unused, forbidsUnsafe: forbids },
      files,
      parse: {
        files: parsed.size,
        clean: [...parsed.values()].filter((p) => !p.error).length,
        parsedFraction: totalChars === 0 ? 1 : parsedChars / totalChars,
        notParsed: [...parsed.values()].filter((p) => !p.root).length,
        withGrammarGaps: [...parsed.values()].filter((p) => !p.error && p.grammarGaps > 0).length,
      },
      missingModules: reach.missing,
      invocations,
      notes,
    };
  } finally {
    for (const p of parsed.values()) p.release();
  }
}

function parseFile(parser: Parser, path: string, f: AnalysisInputFile, maxFileBytes: number): ParsedFile {
  const none = (bytes: number, error: string): ParsedFile => ({
    path,
    bytes,
    root: null,
    release: () => {},
    error,
    parsedFraction: 0,
    grammarGaps: 0,
  });
  if (!f.data) return none(0, 'not read (over the reader’s size ceiling)');
  if (f.data.length > maxFileBytes)
    return none(f.data.length, `larger than ${maxFileBytes} bytes: not parsed`);
  let text: string;
  try {
    text = utf8.decode(f.data);
  } catch {
    // geiger (syn) refuses non-UTF-8 files too.
    return none(f.data.length, 'not UTF-8');
  }
  const tree = parseRust(parser, text);
  const root = tree.rootNode;
  const { bad, gaps } = errorChars(root);
  const len = Math.max(1, text.length);
  return {
    path,
    bytes: f.data.length,
    root,
    release: () => tree.delete(),
    ...(bad > 0 ? { error: 'syntax errors (tree-sitter ERROR nodes); counted what parsed' } : {}),
    parsedFraction: text.length === 0 ? 1 : Math.max(0, 1 - bad / len),
    grammarGaps: gaps,
  };
}

/** Module path of every file reached from a target root (`mod` files; includes join their includer). */
function moduleMap(root: string, links: (p: string) => FileLinks | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const queue: { path: string; ownsDir: boolean; module: string[] }[] = [
    { path: root, ownsDir: true, module: [] },
  ];
  while (queue.length > 0) {
    const f = queue.shift()!;
    if (out.has(f.path)) continue;
    const l = links(f.path);
    if (!l) continue;
    out.set(f.path, f.module);
    for (const d of l.mods) {
      const cands = resolveCandidates(f, d);
      const hit = cands.find((c) => links(c.path) !== null);
      if (hit) queue.push({ ...hit, module: [...f.module, ...d.inline.map((m) => m.name), d.name] });
    }
    for (const inc of l.includes) {
      const p = posix.normalize(posix.join(posix.dirname(f.path), inc));
      if (links(p)) queue.push({ path: p, ownsDir: true, module: f.module });
    }
  }
  return out;
}

// Which context each file runs in. Roots come from the manifest and cargo's target
// conventions; `mod` declarations (with `#[path]`) and `include!` carry a root's context to the
// files it pulls in, so a payload moved out of build.rs into a module still counts as build code.
import type { FileContext } from './types.js';
import type { ManifestFacts } from './manifest-facts.js';

export interface ModuleLinks {
  mods: { name: string; pathAttr: string | null; test: boolean; pub?: boolean }[];
  /** `include!("x.rs")` targets, relative to the including file; `test` when included from test code. */
  includes: { path: string; test: boolean }[];
}

const dirname = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const join = (dir: string, rel: string) => normalize(dir ? `${dir}/${rel}` : rel);

export function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** Files a `mod name;` in `file` may load, in cargo's order of preference. */
function modCandidates(file: string, isRoot: boolean, name: string, pathAttr: string | null): string[] {
  const dir = dirname(file);
  if (pathAttr !== null) return [join(dir, pathAttr)];
  const base = file.split('/').pop()!;
  // Crate roots and mod.rs own their directory; other files own a directory named after them.
  const owner = isRoot || base === 'mod.rs' ? dir : join(dir, base.replace(/\.rs$/, ''));
  return [join(owner, `${name}.rs`), join(owner, `${name}/mod.rs`)];
}

export function classifyFiles(
  paths: string[],
  manifest: ManifestFacts | null,
  links: Map<string, ModuleLinks>,
): Map<string, FileContext> {
  const exists = new Set(paths);
  const ctx = new Map<string, FileContext>();
  const roots: [string, FileContext][] = [];
  const add = (p: string | null | undefined, c: FileContext) => {
    if (p) {
      const n = normalize(p);
      if (exists.has(n)) roots.push([n, c]);
    }
  };
  add(manifest?.build, 'build-script');
  const libCtx: FileContext = manifest?.procMacro ? 'proc-macro' : 'library';
  add(manifest?.libPath ?? 'src/lib.rs', libCtx);
  for (const b of manifest?.bins ?? []) add(b, 'binary');
  add('src/main.rs', 'binary');
  for (const p of paths) {
    if (/^src\/bin\/[^/]+\.rs$|^src\/bin\/[^/]+\/main\.rs$/.test(p)) add(p, 'binary');
  }
  for (const p of manifest?.testPaths ?? [])
    add(p, /^examples\//.test(p) ? 'example' : /^benches\//.test(p) ? 'bench' : 'test');
  for (const p of paths) {
    if (/^tests\/[^/]+\.rs$|^tests\/[^/]+\/main\.rs$/.test(p)) add(p, 'test');
    else if (/^examples\/[^/]+\.rs$|^examples\/[^/]+\/main\.rs$/.test(p)) add(p, 'example');
    else if (/^benches\/[^/]+\.rs$|^benches\/[^/]+\/main\.rs$/.test(p)) add(p, 'bench');
  }

  // Breadth-first from each root, in priority order: build code first, so a file shared by the
  // build script and the library is judged as build code.
  for (const [root, rootCtx] of roots) {
    if (ctx.has(root)) continue;
    ctx.set(root, rootCtx);
    const queue: [string, FileContext, boolean][] = [[root, rootCtx, true]];
    while (queue.length > 0) {
      const [file, c, isRoot] = queue.shift()!;
      const l = links.get(file);
      if (!l) continue;
      for (const m of l.mods) {
        const childCtx: FileContext = m.test && isRuntimeOrBuild(c) ? 'test' : c;
        const target = modCandidates(file, isRoot, m.name, m.pathAttr).find((p) => exists.has(p));
        if (target && !ctx.has(target)) {
          ctx.set(target, childCtx);
          queue.push([target, childCtx, false]);
        }
      }
      for (const inc of l.includes) {
        const target = join(dirname(file), inc.path);
        const incCtx: FileContext = inc.test && isRuntimeOrBuild(c) ? 'test' : c;
        if (exists.has(target) && target.endsWith('.rs') && !ctx.has(target)) {
          ctx.set(target, incCtx);
          queue.push([target, incCtx, isRoot]);
        }
      }
    }
  }
  // Files no root reaches: judge by where they sit.
  for (const p of paths) {
    if (ctx.has(p) || !p.endsWith('.rs')) continue;
    ctx.set(p, contextByPath(p, manifest, libCtx));
  }
  return ctx;
}

/**
 * Library files reached from the crate root only through a private `mod` (or `pub(crate)`): their
 * `pub fn`s are not the crate's API, so they run only when the crate's own code calls them.
 */
export function privateModuleFiles(
  paths: string[],
  manifest: ManifestFacts | null,
  links: Map<string, ModuleLinks>,
): Set<string> {
  const exists = new Set(paths);
  const root = normalize(manifest?.libPath ?? 'src/lib.rs');
  const out = new Set<string>();
  if (!exists.has(root)) return out;
  const seen = new Set([root]);
  const queue: [string, boolean, boolean][] = [[root, true, false]];
  while (queue.length > 0) {
    const [file, isRoot, hidden] = queue.shift()!;
    for (const m of links.get(file)?.mods ?? []) {
      const target = modCandidates(file, isRoot, m.name, m.pathAttr).find((p) => exists.has(p));
      if (!target || seen.has(target)) continue;
      seen.add(target);
      const h = hidden || m.pub !== true;
      if (h) out.add(target);
      queue.push([target, false, h]);
    }
  }
  return out;
}

function isRuntimeOrBuild(c: FileContext): boolean {
  return c === 'library' || c === 'binary' || c === 'build-script' || c === 'proc-macro' || c === 'other';
}

export function contextByPath(
  p: string,
  manifest: ManifestFacts | null,
  libCtx: FileContext = 'library',
): FileContext {
  const build = manifest?.build ? normalize(manifest.build) : null;
  if (build && build.includes('/') && p.startsWith(`${dirname(build)}/`)) return 'build-script';
  if (/^build\//.test(p) && build !== null) return 'build-script';
  if (/^src\/bin\//.test(p)) return 'binary';
  if (/^src\//.test(p)) return libCtx;
  if (/(^|\/)(tests?|testdata|test-data|test_data|fixtures?)\//.test(p)) return 'test';
  if (/(^|\/)examples?\//.test(p)) return 'example';
  if (/(^|\/)(benches|benchmarks?)\//.test(p)) return 'bench';
  return 'other';
}

/** Non-code files: tests, fixtures, examples and docs count least. */
export function isTestLikePath(p: string): boolean {
  return /(^|\/)(tests?|testdata|test-data|test_data|fixtures?|examples?|benches|benchmarks?|samples?|docs?|corpus|testcases|test-files|test_files|data\/test)\//i.test(
    p,
  );
}

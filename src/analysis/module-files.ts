// Which `.rs` files of a package the compiler reads, without a build: from each target's root
// file, follow `mod name;` declarations (rustc's file rules, `#[path]`, `cfg` for one assumed
// build) and `include!("…")` of a literal path. cargo-geiger learns the same set ("used") from
// rustc's dep-info after `cargo check`; every other `.rs` file of the package is "unused".
import { posix } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { evalCfgArgs, evalPredicate, splitCommas } from './cfg.js';
import type { CfgContext } from './cfg.js';
import { attributeOf, attributePath, namedKids, stringLiteralValue } from './syntax.js';

/** An inline `mod m { … }` around a declaration, with its `#[path]` if any. */
export interface InlineMod {
  name: string;
  path: string | null;
}

export interface ModDecl {
  /** Inline modules the declaration sits in, outermost first. */
  inline: InlineMod[];
  name: string;
  /** `#[path = "…"]` (or a `cfg_attr` that sets it and holds). */
  path: string | null;
}

export interface FileLinks {
  mods: ModDecl[];
  /** `include!("…")` arguments at item level, relative to the including file. */
  includes: string[];
}

function attrsBefore(kids: Node[], i: number): Node[] {
  const out: Node[] = [];
  for (let j = i - 1; j >= 0 && kids[j]!.type === 'attribute_item'; j--) out.unshift(kids[j]!);
  return out;
}

/** `#[cfg(…)]` all hold, and the `#[path]` in effect. */
function readModAttrs(attrs: Node[], ctx: CfgContext): { enabled: boolean; path: string | null } {
  let path: string | null = null;
  for (const item of attrs) {
    const a = attributeOf(item);
    if (!a) continue;
    const name = attributePath(a);
    if (name === 'cfg') {
      const args = a.childForFieldName('arguments');
      if (args && !evalCfgArgs(args, ctx)) return { enabled: false, path: null };
    } else if (name === 'path') {
      const v = a.childForFieldName('value');
      const s = v ? stringLiteralValue(v) : null;
      if (s !== null) path = s;
    } else if (name === 'cfg_attr') {
      const args = a.childForFieldName('arguments');
      if (!args) continue;
      const parts = splitCommas(args);
      if (parts.length < 2 || !evalPredicate(parts[0]!, ctx)) continue;
      for (const p of parts.slice(1)) {
        if (p[0]?.type === 'identifier' && p[0].text === 'path' && p[1]?.type === '=' && p[2]) {
          const s = stringLiteralValue(p[2]);
          if (s !== null) path = s;
        }
      }
    }
  }
  return { enabled: true, path };
}

/** The mod declarations and includes of one parsed file, for the assumed build. */
export function fileLinks(root: Node, ctx: CfgContext): FileLinks {
  const mods: ModDecl[] = [];
  const includes: string[] = [];
  const visit = (container: Node, inline: InlineMod[]): void => {
    const kids = namedKids(container);
    for (let i = 0; i < kids.length; i++) {
      const n = kids[i]!;
      if (n.type === 'mod_item') {
        const { enabled, path } = readModAttrs(attrsBefore(kids, i), ctx);
        if (!enabled) continue;
        const name = n.childForFieldName('name')?.text;
        if (!name) continue;
        const body = n.childForFieldName('body');
        if (body) {
          const inner = readModAttrs(
            namedKids(body).filter((c) => c.type === 'inner_attribute_item'),
            ctx,
          );
          if (inner.enabled) visit(body, [...inline, { name, path }]);
        } else mods.push({ inline, name: name.replace(/^r#/, ''), path });
      } else if (n.type === 'macro_invocation' && inline.length === 0) {
        const macro = n.childForFieldName('macro');
        if (macro?.text !== 'include' && macro?.text !== 'std::include') continue;
        if (!readModAttrs(attrsBefore(kids, i), ctx).enabled) continue;
        const tt = namedKids(n).find((c) => c.type === 'token_tree');
        const lit = tt ? namedKids(tt)[0] : undefined;
        const s = lit ? stringLiteralValue(lit) : null;
        if (s !== null) includes.push(s);
      }
    }
  };
  visit(root, []);
  return { mods, includes };
}

/** How a file was reached: decides where its own `mod x;` files are looked for. */
export interface FileRole {
  path: string;
  /** Crate roots, `mod.rs` files and files loaded through `#[path]` own their directory. */
  ownsDir: boolean;
}

/** Candidate files for one declaration, in rustc's order (`x.rs`, then `x/mod.rs`). */
export function resolveModDecl(from: FileRole, decl: ModDecl): FileRole[] {
  const dir = posix.dirname(from.path);
  const stem = posix.basename(from.path, '.rs');
  // Where non-path declarations look: the file's directory, or <dir>/<stem>/ for `a.rs`.
  let modDir = from.ownsDir ? dir : posix.join(dir, stem);
  for (const m of decl.inline)
    modDir = m.path !== null ? posix.join(modDir, m.path) : posix.join(modDir, m.name);
  if (decl.path !== null) {
    // Outside inline modules `#[path]` is relative to the file's directory; inside, to the
    // inline modules' directory.
    const base = decl.inline.length === 0 ? dir : modDir;
    return [{ path: posix.normalize(posix.join(base, decl.path)), ownsDir: true }];
  }
  return [
    { path: posix.join(modDir, `${decl.name}.rs`), ownsDir: false },
    { path: posix.join(modDir, decl.name, 'mod.rs'), ownsDir: true },
  ];
}

export interface UsedFiles {
  used: Set<string>;
  /** Declared (reachable) module files that are not in the package. */
  missing: string[];
}

/**
 * The files reached from the roots. `links(path)` gives a file's declarations (null when the
 * file is not in the package or not Rust).
 */
export function reachableFiles(roots: string[], links: (path: string) => FileLinks | null): UsedFiles {
  const used = new Set<string>();
  const missing: string[] = [];
  const queue: FileRole[] = roots.map((r) => ({ path: posix.normalize(r), ownsDir: true }));
  while (queue.length > 0) {
    const f = queue.shift()!;
    if (used.has(f.path)) continue;
    const l = links(f.path);
    if (!l) continue;
    used.add(f.path);
    for (const d of l.mods) {
      const cands = resolveModDecl(f, d);
      const hit = cands.find((c) => links(c.path) !== null);
      if (hit) queue.push(hit);
      else missing.push(cands[0]!.path);
    }
    for (const inc of l.includes) {
      const p = posix.normalize(posix.join(posix.dirname(f.path), inc));
      // An included file is compiled as part of the includer; it declares no modules of its own
      // that rustc would resolve differently, so treat it like a `#[path]` file.
      if (links(p)) queue.push({ path: p, ownsDir: true });
    }
  }
  return { used, missing: [...new Set(missing)] };
}

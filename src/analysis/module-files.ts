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
      } else if (
        n.type === 'macro_invocation' &&
        /(^|::)cfg_if$/.test(n.childForFieldName('macro')?.text ?? '')
      ) {
        const tt = namedKids(n).find((c) => c.type === 'token_tree');
        if (tt && readModAttrs(attrsBefore(kids, i), ctx).enabled) cfgIfMods(tt, ctx, inline, mods, 0);
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

function tokens(tt: Node): Node[] {
  const out: Node[] = [];
  for (let i = 1; i < tt.childCount - 1; i++) {
    const c = tt.child(i);
    if (c && c.type !== 'line_comment' && c.type !== 'block_comment') out.push(c);
  }
  return out;
}

/** `[cfg(pred)]` as a token tree: whether pred holds (null when it is not a cfg). */
function cfgOfTokens(tt: Node, ctx: CfgContext): boolean | null {
  const t = tokens(tt);
  if (t[0]?.type === 'identifier' && t[0].text === 'cfg' && t[1]?.type === 'token_tree')
    return evalCfgArgs(t[1], ctx);
  return null;
}

/**
 * `cfg_if! { if #[cfg(a)] { … } else if #[cfg(b)] { … } else { … } }`: the `mod x;` declarations
 * of the branch that holds (libc and many -sys crates declare their modules this way).
 */
function cfgIfMods(tt: Node, ctx: CfgContext, inline: InlineMod[], out: ModDecl[], depth: number): void {
  if (depth > 8) return;
  const t = tokens(tt);
  let i = 0;
  while (i < t.length) {
    let holds = true;
    if (t[i]?.text === 'if') {
      const attr = t[i + 1]?.type === '#' ? t[i + 2] : undefined;
      if (!attr || attr.type !== 'token_tree') return;
      holds = cfgOfTokens(attr, ctx) ?? false;
      i += 3;
    }
    const body = t[i];
    if (!body || body.type !== 'token_tree') return;
    if (holds) {
      modsInTokens(body, ctx, inline, out, depth);
      return;
    }
    i++;
    if (t[i]?.text !== 'else') return;
    i++;
  }
}

/** `#[attr]* pub? mod name;` sequences (and nested cfg_if!) in a token tree. */
function modsInTokens(tt: Node, ctx: CfgContext, inline: InlineMod[], out: ModDecl[], depth: number): void {
  const t = tokens(tt);
  let enabled = true;
  let path: string | null = null;
  for (let i = 0; i < t.length; i++) {
    const k = t[i]!;
    if (k.type === '#' && t[i + 1]?.type === 'token_tree') {
      const attr = t[i + 1]!;
      const c = cfgOfTokens(attr, ctx);
      if (c === false) enabled = false;
      const a = tokens(attr);
      if (a[0]?.text === 'path' && a[1]?.type === '=' && a[2]) path = stringLiteralValue(a[2]) ?? path;
      i++;
      continue;
    }
    if (k.text === 'mod' && t[i + 1]?.type === 'identifier' && t[i + 2]?.type === ';') {
      if (enabled) out.push({ inline, name: t[i + 1]!.text.replace(/^r#/, ''), path });
      i += 2;
    } else if (
      k.type === 'identifier' &&
      /cfg_if$/.test(k.text) &&
      t[i + 1]?.type === '!' &&
      t[i + 2]?.type === 'token_tree'
    ) {
      cfgIfMods(t[i + 2]!, ctx, inline, out, depth + 1);
      i += 2;
    } else if (k.text === 'pub' || (k.type === 'token_tree' && t[i - 1]?.text === 'pub')) {
      continue;
    }
    enabled = true;
    path = null;
  }
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

// Loads web-tree-sitter and the Rust grammar wasm shipped by tree-sitter-rust, once per process
// (or worker thread): wasm instantiation costs tens of milliseconds, parsing a file far less.
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import type { Tree } from 'web-tree-sitter';

let loading: Promise<Parser> | null = null;

async function load(): Promise<Parser> {
  const require = createRequire(import.meta.url);
  // tree-sitter-rust has no `exports` map, so the wasm file resolves like any package path.
  const wasmPath = require.resolve('tree-sitter-rust/tree-sitter-rust.wasm');
  await Parser.init();
  const language = await Language.load(wasmPath);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function rustParser(): Promise<Parser> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

/** Parses Rust source; the caller must `delete()` the tree (it lives in wasm memory). */
export function parseRust(parser: Parser, source: string): Tree {
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

// `npm run bench -- diff [--size-mb 1] [--repeat 5]`
//
// The diff viewer's render path for a delta audit: two versions of a generated crate whose
// .crate file is about SIZE MB (Rust modules, a large generated table, docs and test data;
// the second version edits a few functions in a tenth of the modules, edits the table in
// places, adds two files and removes one), published to a running registry and scanned.
// Times, over HTTP with an admin token, the file tree answer and the largest modified file's
// hunks (median and worst over one fresh pair of versions per repeat), then the same two
// answers again. Goal: tree + one file < 500 ms.
import { writeCrateArchive, type CrateEntryInput } from '../src/formats/crate-archive.js';
import type { CrateDiff, FileDiffAnswer } from '../src/web/src/api-types.js';
import { manifestToml, metadataFor, publishBody } from '../test/support/publish-body.js';
import { startRegistry } from '../test/support/registry-harness.js';
import { argValue, median } from './_lib.js';

const sizeMb = Number(argValue('size-mb', '1'));
const repeat = Number(argValue('repeat', '5'));
const NAME = 'bench-diff';

let seed = 1234;
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return (seed >> 8) % n;
};
const WORDS = [
  'buffer',
  'frame',
  'header',
  'parse',
  'encode',
  'decode',
  'state',
  'token',
  'index',
  'value',
  'node',
  'entry',
  'cache',
  'limit',
  'offset',
  'stream',
  'reader',
  'writer',
  'error',
  'config',
];
const word = () => WORDS[rand(WORDS.length)]!;
const ident = () => `${word()}_${word()}${rand(100)}`;
const typeName = () =>
  `${word()[0]!.toUpperCase()}${word().slice(1)}${word()[0]!.toUpperCase()}${rand(1000)}`;

function rustFunction(): string {
  const name = ident();
  const lines = [
    `/// ${word()} the ${word()} of a ${word()} (${rand(10_000)}).`,
    `pub fn ${name}(input: &[u8], ${ident()}: usize) -> Result<usize, Error> {`,
  ];
  for (let i = 0, n = 4 + rand(14); i < n; i++) {
    const v = ident();
    lines.push(
      rand(3) === 0
        ? `    if input.len() < ${rand(4096)} { return Err(Error::${typeName()}); }`
        : `    let ${v} = input.iter().take(${rand(512)}).fold(${rand(97)}usize, |acc, b| acc.wrapping_mul(${rand(31) + 1}) ^ *b as usize);`,
    );
  }
  lines.push(`    Ok(${rand(1000)})`, '}', '');
  return lines.join('\n');
}

function rustModule(): string {
  const parts = [`//! The ${word()} ${word()} module.`, 'use crate::Error;', ''];
  for (let i = 0, n = 8 + rand(20); i < n; i++) parts.push(rustFunction());
  return parts.join('\n');
}

/**
 * A crate of modules, a generated table and data until the unpacked size reaches 4 × `bytes`:
 * real Rust source packs about 4:1, so that is the content of a `bytes`-sized .crate (the
 * generated code itself is more repetitive and packs smaller).
 */
function generate(bytes: number) {
  const files: CrateEntryInput[] = [];
  const table = Array.from(
    { length: 12_000 },
    (_, i) => `    (${i}, 0x${(rand(1 << 24) >>> 0).toString(16)}, "${ident()}"),`,
  );
  files.push({
    path: 'src/tables.rs',
    data: `pub static TABLE: &[(u32, u32, &str)] = &[\n${table.join('\n')}\n];\n`,
  });
  files.push({
    path: 'README.md',
    data: `# ${NAME}\n\n${Array.from({ length: 80 }, () => `${word()} ${word()} ${word()}.`).join('\n')}\n`,
  });
  files.push({
    path: 'tests/data/sample.bin',
    data: Buffer.from(Array.from({ length: 64 * 1024 }, () => rand(256))),
  });
  files.push({ path: 'src/legacy.rs', data: rustModule() });
  let unpacked = files.reduce((n, f) => n + Buffer.byteLength(f.data), 0);
  for (let m = 0; unpacked < 4 * bytes; m++) {
    const data = rustModule();
    files.push({ path: `src/${word()}_${m}.rs`, data });
    unpacked += data.length;
  }
  return files;
}

function evolve(files: CrateEntryInput[]): CrateEntryInput[] {
  const out: CrateEntryInput[] = [];
  for (const f of files) {
    if (f.path === 'src/legacy.rs') continue;
    const text = typeof f.data === 'string' ? f.data : null;
    if (text !== null && f.path === 'src/tables.rs') {
      // Scattered edits in the big generated file: the largest modified file.
      const lines = text.split('\n');
      for (let i = 0; i < 60; i++)
        lines[1 + rand(lines.length - 3)] = `    (${rand(99_999)}, 0x0, "${ident()}"),`;
      out.push({ path: f.path, data: lines.join('\n') });
    } else if (text !== null && f.path.endsWith('.rs') && rand(10) === 0) {
      const lines = text.split('\n');
      for (let i = 0; i < 3; i++) lines.splice(rand(lines.length), 0, rustFunction());
      lines.splice(rand(lines.length), 2);
      out.push({ path: f.path, data: lines.join('\n') });
    } else out.push(f);
  }
  out.push({ path: 'src/new_codec.rs', data: rustModule() });
  out.push({ path: 'build.rs', data: 'fn main() {\n    println!("cargo:rerun-if-changed=build.rs");\n}\n' });
  return out;
}

const h = await startRegistry();
try {
  const admin = await h.services.users.create({ login: 'bench-admin', isAdmin: true });
  void admin;
  const adminToken = await h.token('bench-admin', ['admin']);
  const publisher = await h.token('bench-publisher');
  // One pair of versions per repeat, so every measured answer is a cold one (the server keeps
  // the archives of recent answers): 1.I.0 → 1.I.1.
  const pairs: [string, string][] = [];
  for (let i = 0; i < repeat; i++) {
    const v1 = generate(sizeMb * 1024 * 1024);
    const pair: [string, string] = [`1.${i}.0`, `1.${i}.1`];
    pairs.push(pair);
    for (const [version, files] of [
      [pair[0], v1],
      [pair[1], evolve(v1)],
    ] as const) {
      const crate = await writeCrateArchive(`${NAME}-${version}`, [
        { path: 'Cargo.toml', data: manifestToml(NAME, version) },
        ...files,
      ]);
      const res = await fetch(`${h.url}/api/v1/crates/new`, {
        method: 'PUT',
        headers: { authorization: publisher },
        body: publishBody(metadataFor(NAME, version), crate),
      });
      if (res.status !== 200) throw new Error(`publish ${version}: ${res.status} ${await res.text()}`);
      const unpacked = files.reduce((n, f) => n + Buffer.byteLength(f.data), 0);
      if (i === 0)
        console.log(
          `${NAME} ${version}: .crate ${(crate.length / 1048576).toFixed(2)} MB, ${files.length + 1} files, ${(unpacked / 1048576).toFixed(2)} MB unpacked`,
        );
    }
  }
  await h.worker.drain();

  const get = async <T>(path: string): Promise<{ ms: number; body: T; bytes: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${h.url}${path}`, { headers: { authorization: adminToken } });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
    return { ms, body: JSON.parse(text) as T, bytes: text.length };
  };
  const trees: number[] = [];
  const files: number[] = [];
  const totals: number[] = [];
  const warm: number[] = [];
  let sizes = { tree: 0, file: 0 };
  for (const [from, to] of pairs) {
    const q = `from=${from}&to=${to}`;
    const a = await get<CrateDiff>(`/api/admin/crates/${NAME}/diff?${q}`);
    // What the console opens next: the largest modified text file.
    const largest = a.body.files
      .filter((f) => f.change === 'modified' && f.content === 'text')
      .sort((x, y) => (y.new?.size ?? 0) - (x.new?.size ?? 0))[0]!;
    const filePath = `/api/admin/crates/${NAME}/diff/file?${q}&path=${encodeURIComponent(largest.path)}`;
    const b = await get<FileDiffAnswer>(filePath);
    if (trees.length === 0) {
      const t = a.body.totals;
      console.log(
        `tree: ${a.body.files.length} files (${t.added} added, ${t.removed} removed, ${t.modified} modified), +${t.linesAdded} −${t.linesRemoved} lines; largest modified: ${largest.path} (${largest.new!.size} bytes)`,
      );
    }
    sizes = { tree: a.bytes, file: b.bytes };
    trees.push(a.ms);
    files.push(b.ms);
    totals.push(a.ms + b.ms);
    const again = performance.now();
    await get(`/api/admin/crates/${NAME}/diff?${q}`);
    await get(filePath);
    warm.push(performance.now() - again);
  }
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms, worst ${Math.max(...xs).toFixed(1)} ms`;
  console.log(`file tree (${(sizes.tree / 1024).toFixed(0)} KB JSON), cold:          ${fmt(trees)}`);
  console.log(`largest file's hunks (${(sizes.file / 1024).toFixed(0)} KB JSON), after it: ${fmt(files)}`);
  console.log(`render path (tree + one file), cold:  ${fmt(totals)}  (goal < 500 ms)`);
  console.log(`the same again (archives cached):     ${fmt(warm)}`);
} finally {
  await h.close();
}

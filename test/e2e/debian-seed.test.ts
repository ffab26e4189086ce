// Seeds a registry with the real crates of Debian's corpus through the import path, then
// has cargo resolve and build a consumer of serde_json, regex and log from it alone.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCrateFiles, importCrateFiles, type ImportResult } from '../../src/registry/importer.js';
import { debianCorpusDir } from '../support/debian-corpus.js';
import { CargoEnv, startRegistry, type Harness } from '../support/registry-harness.js';

describe('a registry seeded with real crates', () => {
  let h: Harness;
  let files: string[];
  let result: ImportResult;

  beforeAll(async () => {
    files = await collectCrateFiles([debianCorpusDir()]);
    h = await startRegistry();
    const user = await h.services.users.create({ login: 'seed' });
    result = await importCrateFiles(h.services, files, user);
  }, 20 * 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('imports the corpus through the publish checks', async () => {
    expect(files.length).toBeGreaterThan(1000);
    expect(result.imported).toBeGreaterThanOrEqual(60);
    // Nearly all real crates pass; the few refused have real defects (e.g. symlinks, or a
    // directory name that disagrees with Cargo.toml's version) and each says why.
    expect(result.imported / files.length).toBeGreaterThan(0.95);
    for (const f of result.failed) expect(f.reason.length).toBeGreaterThan(10);
    const serdeJson = await h.services.crates.findByName('serde_json');
    expect(serdeJson).toBeDefined();
    const res = await fetch(`${h.url}/index/se/rd/serde_json`);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; deps: { name: string }[] });
    expect(lines[0]!.name).toBe('serde_json');
    expect(lines[0]!.deps.map((d) => d.name)).toContain('serde');
  });

  it(
    'builds a consumer of serde_json, regex and log from the registry alone',
    async () => {
      const work = join(h.dir, 'work');
      const cargo = await CargoEnv.create(work, h.url);
      const app = join(work, 'consumer');
      await mkdir(join(app, 'src'), { recursive: true });
      await writeFile(
        join(app, 'Cargo.toml'),
        '[package]\nname = "consumer"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n' +
          'serde_json = { version = "1", registry = "ck" }\n' +
          'regex = { version = "1", registry = "ck" }\n' +
          'log = { version = "0.4", registry = "ck" }\n',
      );
      await writeFile(
        join(app, 'src', 'main.rs'),
        'fn main() {\n' +
          '    log::info!("unused without a logger");\n' +
          '    let v: serde_json::Value = serde_json::from_str(r#"{"crate":"regex","n":3}"#).unwrap();\n' +
          '    let re = regex::Regex::new(r"^re(g)ex$").unwrap();\n' +
          '    println!("{} {}", v["n"], re.is_match(v["crate"].as_str().unwrap()));\n' +
          '}\n',
      );
      const run = await cargo.run(['run', '-q'], app, null, 15 * 60_000);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('3 true');
      const lock = await readFile(join(app, 'Cargo.lock'), 'utf8');
      const packages = [...lock.matchAll(/^name = "([^"]+)"\nversion = "[^"]+"\nsource = "([^"]+)"/gm)];
      // Everything came from this registry, with all transitive dependencies resolved.
      expect(packages.length).toBeGreaterThanOrEqual(6);
      for (const [, , source] of packages) expect(source).toBe(`sparse+${h.url}/index/`);
      const names = packages.map((p) => p[1]);
      for (const dep of ['serde', 'serde_json', 'regex', 'regex-syntax', 'log', 'memchr'])
        expect(names).toContain(dep);
    },
    15 * 60_000,
  );
});

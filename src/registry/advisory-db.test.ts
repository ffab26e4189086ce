// The registry's own advisory database on disk: the tree rustsec's `Database::open` walks
// (`crates/<package>/<id>.md`, each file named after its id and in its package's directory,
// as `rustsec/src/database/entries.rs` checks), and the git export committing only changes.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAdvisoryMarkdown } from '../formats/advisory-markdown.js';
import { advisoryDbTarGz, exportAdvisoryDb, type AdvisoryFile } from './advisory-db.js';

const run = promisify(execFile);

const file = (id: string, pkg: string): AdvisoryFile => ({
  path: `crates/${pkg}/${id}.md`,
  text: `\`\`\`toml\n[advisory]\nid = "${id}"\npackage = "${pkg}"\ndate = "2026-01-02"\nsource = "sparse+http://r.example/index/"\n\n[versions]\npatched = []\n\`\`\`\n\n# Bad ${pkg}\n\nDetails.\n`,
});

/** rustsec's checks when it opens a database directory. */
async function openLikeRustsec(dir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const pkg of await readdir(join(dir, 'crates'))) {
    for (const name of await readdir(join(dir, 'crates', pkg))) {
      const a = parseAdvisoryMarkdown(await readFile(join(dir, 'crates', pkg, name), 'utf8'), {
        collection: 'crates',
        database: dir,
        file: name,
      });
      expect(name).toBe(`${a.metadata.id}.md`);
      expect(pkg).toBe(a.metadata.package);
      ids.push(a.metadata.id);
    }
  }
  return ids.sort();
}

describe('the served advisory database', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-advdb-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('packs the tree under advisory-db/ as tar extracts it', async () => {
    await writeFile(
      join(dir, 'db.tar.gz'),
      await advisoryDbTarGz([file('CK-2026-0001', 'a'), file('CK-2026-0002', 'b-c')]),
    );
    await run('tar', ['xzf', 'db.tar.gz'], { cwd: dir });
    expect(await openLikeRustsec(join(dir, 'advisory-db'))).toEqual(['CK-2026-0001', 'CK-2026-0002']);
  });

  it('exports into a directory, replacing what was there, and commits with git only when it changed', async () => {
    const out = join(dir, 'db');
    const first = await exportAdvisoryDb(out, [file('CK-2026-0001', 'a')], { git: true });
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await openLikeRustsec(out)).toEqual(['CK-2026-0001']);
    expect((await exportAdvisoryDb(out, [file('CK-2026-0001', 'a')], { git: true })).commit).toBeNull();
    const third = await exportAdvisoryDb(out, [file('CK-2026-0002', 'b')], { git: true });
    expect(third.commit).not.toBe(first.commit);
    expect(await openLikeRustsec(out)).toEqual(['CK-2026-0002']);
    const { stdout } = await run('git', ['-C', out, 'log', '--format=%s']);
    expect(stdout.trim().split('\n')).toHaveLength(2);
    const { stdout: tracked } = await run('git', ['-C', out, 'ls-files']);
    expect(tracked.trim().split('\n')).toEqual(['README.md', 'crates/b/CK-2026-0002.md']);
  });
});

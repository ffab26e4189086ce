// The zip writer read back by the bounded zip reader and by Info-ZIP's unzip (a real,
// independent reader): names, contents and CRCs survive; UTF-8 names too.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readZip } from './zip-archive.js';
import { writeZip } from './zip-writer.js';

const run = promisify(execFile);

describe('writeZip', () => {
  const entries = [
    { name: 'CK-2026-0001.json', data: '{"id":"CK-2026-0001"}\n' },
    { name: 'CK-2026-0002.json', data: Buffer.from('x'.repeat(100_000)) },
    { name: 'ünïcode.json', data: '' },
  ];

  it('reads back with the zip reader', () => {
    const { entries: back, problems } = readZip(writeZip(entries), () => true);
    expect(problems).toEqual([]);
    expect(back.map((e) => [e.name, e.data.toString()])).toEqual(
      entries.map((e) => [e.name, e.data.toString()]),
    );
  });

  it('is a zip Info-ZIP tests clean', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ck-zip-'));
    try {
      await writeFile(join(dir, 'a.zip'), writeZip(entries));
      const { stdout } = await run('unzip', ['-t', join(dir, 'a.zip')]);
      expect(stdout).toMatch(/No errors detected/);
      expect(stdout).toContain('CK-2026-0002.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes an empty archive', () => {
    expect(readZip(writeZip([]), () => true).entries).toEqual([]);
  });
});

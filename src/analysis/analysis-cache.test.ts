// The on-disk analysis cache: keyed by name, version and checksum; damaged or foreign entries
// are misses, hostile names never become paths, and the entry count stays bounded.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnalysisCache } from './analysis-cache.js';

const inv = { lib: { defs: [{ path: 'crate::f', file: 'src/lib.rs', line: 1 }], calls: [], exports: {} } };
let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('AnalysisCache', () => {
  it('returns what was put under the same name, version and checksum only', () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-cache-'));
    const c = new AnalysisCache(dir);
    c.put({ name: 'vuln', version: '1.0.0', invocations: inv }, 'aa');
    expect(c.get('vuln', '1.0.0', 'aa')?.invocations).toEqual(inv);
    expect(c.get('vuln', '1.0.0', 'bb')).toBeNull();
    expect(c.get('vuln', '1.0.1', 'aa')).toBeNull();
  });

  it('treats a damaged or truncated entry as a miss', () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-cache-'));
    const c = new AnalysisCache(dir);
    c.put({ name: 'vuln', version: '1.0.0', invocations: inv }, 'aa');
    const f = readdirSync(dir)[0]!;
    writeFileSync(join(dir, f), '{"format":1,"name":"vu');
    expect(c.get('vuln', '1.0.0', 'aa')).toBeNull();
    writeFileSync(
      join(dir, f),
      JSON.stringify({ format: 1, name: 'other', version: '1.0.0', invocations: inv }),
    );
    expect(c.get('vuln', '1.0.0', 'aa')).toBeNull();
  });

  it('never writes outside its directory for hostile names', () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-cache-'));
    const c = new AnalysisCache(join(dir, 'c'));
    c.put({ name: '../../evil', version: '1.0.0', invocations: inv }, 'aa');
    c.put({ name: 'ok', version: '1/../../x', invocations: inv }, 'aa');
    expect(readdirSync(dir)).toEqual([]);
    expect(c.get('../../evil', '1.0.0', 'aa')).toBeNull();
  });

  it('keeps at most its bound of entries, dropping the least recently used', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-cache-'));
    const c = new AnalysisCache(dir, 2);
    c.put({ name: 'a', version: '1.0.0', invocations: inv }, 'x');
    await new Promise((r) => setTimeout(r, 20));
    c.put({ name: 'b', version: '1.0.0', invocations: inv }, 'x');
    await new Promise((r) => setTimeout(r, 20));
    expect(c.get('a', '1.0.0', 'x')).not.toBeNull(); // a is now the most recently used
    await new Promise((r) => setTimeout(r, 20));
    c.put({ name: 'c', version: '1.0.0', invocations: inv }, 'x');
    expect(readdirSync(dir)).toHaveLength(2);
    expect(c.get('b', '1.0.0', 'x')).toBeNull();
    expect(c.get('a', '1.0.0', 'x')).not.toBeNull();
    expect(c.get('c', '1.0.0', 'x')).not.toBeNull();
  });
});

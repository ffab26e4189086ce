// The clone candidate lookup against the real stores (SQLite and PostgreSQL, a blob store on
// disk): which popular crate a new crate may copy, and that original's sources in the context.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { minimalPublishRecord } from '../../test/support/publish-record.js';
import { findingsOf, testScanner } from '../../test/fixtures/scanner/crates.js';
import { writeCrateArchive } from '../formats/crate-archive.js';
import { readCrateForScan } from '../security/scanner/read-crate.js';
import { FsBlobStore } from '../store/blob-store.js';
import { CrateRepository, type PublishRecord } from '../store/crates.js';
import { ScanResultRepository } from '../store/scan-results.js';
import { UserRepository } from '../store/users.js';
import { VersionFileRepository } from '../store/version-files.js';
import { PopularCrates } from './popular-crates.js';
import { ScanContextSource, fileHashes, normalizeUrl } from './scan-context.js';
import { defaultSecurityConfig } from './security-config.js';

const LIB = `pub mod round;
pub struct Decimal { mantissa: i128, scale: u32 }
impl Decimal {
    pub fn new(mantissa: i128, scale: u32) -> Self { Decimal { mantissa, scale } }
    pub fn scale(&self) -> u32 { self.scale }
    pub fn mantissa(&self) -> i128 { self.mantissa }
}
`;
const ROUND = `use crate::Decimal;
impl Decimal {
    pub fn round_dp(&self, dp: u32) -> Decimal {
        let factor = 10_i128.pow(self.scale().saturating_sub(dp));
        Decimal::new(self.mantissa() / factor, dp.min(self.scale()))
    }
}
`;
const TEST =
  '#[test]\nfn rounds() { assert_eq!(fixed_decimal::Decimal::new(15, 1).round_dp(0).scale(), 0); }\n';

const manifest = (name: string, version: string, extra = '') =>
  `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n${extra}`;

describe.each(DIALECTS)('scan context: clone candidate on %s', (dialect) => {
  let t: TestDatabase;
  let blobDir: string;
  let crates: CrateRepository;
  let users: UserRepository;
  let versionFiles: VersionFileRepository;
  let blobs: FsBlobStore;

  async function publish(
    login: string,
    name: string,
    version: string,
    files: Record<string, string>,
    meta: Partial<PublishRecord['crateMeta']> = {},
  ) {
    const user = (await users.findByLogin(login)) ?? (await users.create({ login }));
    const bytes = await writeCrateArchive(
      `${name}-${version}`,
      Object.entries({ 'Cargo.toml': manifest(name, version), ...files }).map(([path, data]) => ({
        path,
        data,
      })),
    );
    const checksum = createHash('sha256').update(bytes).digest('hex');
    await blobs.put(checksum, bytes);
    const { version: row } = await t.db.kysely.transaction().execute((trx) =>
      crates.publish(
        trx,
        minimalPublishRecord(name, version, user.id, {
          checksum,
          size: bytes.length,
          crateMeta: meta,
          publishedAt: new Date(),
        }),
      ),
    );
    await versionFiles.save(row.id, fileHashes((await readCrateForScan(bytes)).files));
    return row;
  }

  /** A crate that is not committed yet (the inline scan's case): its bounded read and hashes. */
  async function candidate(name: string, files: Record<string, string>) {
    const bytes = await writeCrateArchive(
      `${name}-0.1.0`,
      Object.entries(files).map(([path, data]) => ({ path, data })),
    );
    const archive = await readCrateForScan(bytes);
    return { bytes, archive, hashes: fileHashes(archive.files) };
  }

  const source = () =>
    new ScanContextSource({
      db: t.db.kysely,
      blobs,
      crates,
      users,
      scans: new ScanResultRepository(t.db.kysely),
      versionFiles,
      popular: new PopularCrates(crates, defaultSecurityConfig()),
    });

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    blobDir = await mkdtemp(join(tmpdir(), 'ck-clone-blobs-'));
    blobs = new FsBlobStore(blobDir);
    crates = new CrateRepository(t.db.kysely);
    users = new UserRepository(t.db.kysely);
    versionFiles = new VersionFileRepository(t.db.kysely);
    const original = {
      'src/lib.rs': LIB,
      'src/round.rs': ROUND,
      'tests/round.rs': TEST,
    };
    await publish('alice', 'fixed_decimal', '1.0.0', { ...original, 'src/round.rs': '// old\n' + ROUND });
    await publish('alice', 'fixed_decimal', '1.1.0', original);
    const yanked = await publish('alice', 'fixed_decimal', '1.2.0', {
      ...original,
      'src/lib.rs': `${LIB}pub fn broken() {}\n`,
    });
    await crates.setYanked(yanked.id, true);
    await publish(
      'carol',
      'ledger-tools',
      '2.0.0',
      {
        'Cargo.toml': manifest('ledger-tools', '2.0.0'),
        'src/lib.rs': 'pub fn balance(xs: &[i64]) -> i64 { xs.iter().sum() }\n',
      },
      { repository: 'https://github.com/Example/ledger-tools', homepage: 'https://ledger.example' },
    );
  });
  afterEach(async () => {
    await t.cleanup();
    await rm(blobDir, { recursive: true, force: true });
  });

  it("finds the popular crate sharing files and named as [lib], with its newest non-yanked version's sources", async () => {
    const leaky = ROUND.replace(
      '        let factor',
      '        let _ = std::net::TcpStream::connect("192.0.2.7:80");\n        let factor',
    );
    const c = await candidate('fixed-decimals', {
      'Cargo.toml': manifest('fixed-decimals', '0.1.0', '[lib]\nname = "fixed_decimal"\n'),
      'src/lib.rs': LIB,
      'src/round.rs': leaky,
    });
    const ctx = await source().build('fixed-decimals', null, 'mallory', [], c.hashes, c.archive);
    const cand = ctx.cloneCandidate!;
    expect(cand).toMatchObject({
      name: 'fixed_decimal',
      version: '1.1.0',
      reasons: ['shared-files', 'lib-name'],
      sharedFiles: 1,
      truncated: false,
    });
    expect(cand.sources).toEqual([
      { path: 'src/lib.rs', text: LIB },
      { path: 'src/round.rs', text: ROUND },
    ]);
    // Plain data for the worker thread, and the scan reports the function-level clone.
    const cloned = structuredClone(ctx);
    expect(cloned.cloneCandidate).toEqual(cand);
    const report = await (await testScanner()).scanFiles(c.archive, cloned);
    const [f] = findingsOf(report, 'registry.clone');
    expect(f!.severity).toBe('high');
    expect(f!.evidence).toContain('clone of fixed_decimal@1.1.0: 3/4 functions identical, 1 changed');
  });

  it('finds a copied repository URL and leaves out the publisher’s own crates', async () => {
    const c = await candidate('ledger-tool', {
      'Cargo.toml': manifest(
        'ledger-tool',
        '0.1.0',
        'repository = "http://www.github.com/example/ledger-tools.git/"\n',
      ),
      'src/lib.rs': 'pub fn total(xs: &[i64]) -> i64 { xs.iter().copied().sum() }\n',
    });
    const ctx = await source().build('ledger-tool', null, 'mallory', [], c.hashes, c.archive);
    expect(ctx.cloneCandidate).toMatchObject({
      name: 'ledger-tools',
      version: '2.0.0',
      reasons: ['repository'],
    });
    // Carol forking her own crate has no candidate; nor does a crate resembling nothing.
    expect(
      (await source().build('ledger-tool', null, 'carol', [], c.hashes, c.archive)).cloneCandidate,
    ).toBeNull();
    const plain = await candidate('unrelated', {
      'Cargo.toml': manifest('unrelated', '0.1.0'),
      'src/lib.rs': 'pub fn answer() -> u32 { 42 }\n',
    });
    expect(
      (await source().build('unrelated', null, 'mallory', [], plain.hashes, plain.archive)).cloneCandidate,
    ).toBeNull();
    expect(normalizeUrl('https://github.com')).toBeNull();
  });

  it('finds a popular crate whose README the crate ships, but not for a short template README', async () => {
    const readme = `# ledger-tools\n\n${'Balances, journals and reconciliation for double-entry ledgers. '.repeat(4)}\n`;
    await publish('carol', 'ledger-tools', '2.1.0', { 'src/lib.rs': 'pub fn balance() {}\n' }, { readme });
    const files = (text: string) => ({
      'Cargo.toml': manifest('ledgr', '0.1.0'),
      'README.md': text,
      'src/lib.rs': 'pub fn sum() {}\n',
    });
    const copy = await candidate('ledgr', files(`\n${readme.replace(/\n/g, '\r\n')}`));
    const ctx = await source().build('ledgr', null, 'mallory', [], copy.hashes, copy.archive);
    expect(ctx.cloneCandidate).toMatchObject({ name: 'ledger-tools', version: '2.1.0', reasons: ['readme'] });
    const template = await candidate('ledgr', files('# ledgr\n'));
    expect(
      (await source().build('ledgr', null, 'mallory', [], template.hashes, template.archive)).cloneCandidate,
    ).toBeNull();
  });
});

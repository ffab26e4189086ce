// Small crates for the source-analysis tests, published through the registry API: `ffi-core`
// (an unsafe fn and a safe wrapper), two dependents calling into it (one only the safe wrapper
// under `#![forbid(unsafe_code)]`, one the unsafe fn itself), and a crate whose source does not
// parse. Plus an advisory naming ffi-core's unsafe fn as affected.
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { metadataFor, publishBody, normalDependency as dep } from './publish-body.js';

export const FFI_CORE_LIB = [
  'pub mod raw {',
  '    pub unsafe fn read_ptr(p: *const u8) -> u8 {',
  '        *p',
  '    }',
  '',
  '    pub fn checked(b: &u8) -> u8 {',
  '        unsafe { read_ptr(b as *const u8) }',
  '    }',
  '}',
  '',
].join('\n');

export const SAFE_APP_LIB = [
  '#![forbid(unsafe_code)]',
  'use ffi_core::raw;',
  '',
  'pub fn first(b: &u8) -> u8 {',
  '    raw::checked(b)',
  '}',
  '',
  'pub fn twice(b: &u8) -> u8 {',
  '    raw::checked(b) + ffi_core::raw::checked(b)',
  '}',
  '',
].join('\n');

export const RISKY_APP_LIB = [
  'pub fn peek(p: *const u8) -> u8 {',
  '    unsafe { ffi_core::raw::read_ptr(p) }',
  '}',
  '',
].join('\n');

export const BROKEN_LIB = 'pub fn ok() {}\n\npub fn broken( -> {\n';

/** Affected: ffi-core's unsafe fn, below 2.0.0. */
export const FFI_ADVISORY = [
  '```toml',
  '[advisory]',
  'id = "RUSTSEC-0000-0000"',
  'package = "ffi-core"',
  'date = "2026-11-30"',
  'categories = ["memory-corruption"]',
  '',
  '[affected.functions]',
  '"ffi_core::raw::read_ptr" = ["< 2.0.0"]',
  '',
  '[versions]',
  'patched = [">= 2.0.0"]',
  '```',
  '',
  '# read_ptr reads through any pointer',
  '',
  'Calling `ffi_core::raw::read_ptr` with a dangling pointer is undefined behaviour.',
  '',
].join('\n');

function manifest(name: string, version: string, deps: [string, string][]): string {
  const lines = [
    '[package]',
    `name = "${name}"`,
    `version = "${version}"`,
    'edition = "2021"',
    `description = "test crate ${name}"`,
    'license = "MIT"',
    '',
    '[dependencies]',
    ...deps.map(([n, r]) => `${n} = "${r}"`),
    '',
  ];
  return lines.join('\n');
}

export async function publishCrate(
  url: string,
  token: string,
  name: string,
  version: string,
  lib: string,
  deps: [string, string][] = [],
  /** More source files, by path (`src/imp.rs`). */
  more: Record<string, string> = {},
): Promise<void> {
  const crate = await writeCrateArchive(`${name}-${version}`, [
    { path: 'Cargo.toml', data: manifest(name, version, deps) },
    { path: 'src/lib.rs', data: lib },
    ...Object.entries(more).map(([path, data]) => ({ path, data })),
  ]);
  const res = await fetch(`${url}/api/v1/crates/new`, {
    method: 'PUT',
    headers: { authorization: token },
    body: publishBody(metadataFor(name, version, { deps: deps.map(([n, r]) => dep(n, r)) }), crate),
  });
  if (res.status !== 200) throw new Error(`publish ${name}@${version}: ${res.status} ${await res.text()}`);
}

/** ffi-core 1.0.0 and 1.1.0, safe-app 0.1.0 (^1.0), risky-app 0.2.0 (^1.1), broken 0.1.0. */
export async function publishAnalysisFixtures(url: string, alice: string, bob: string): Promise<void> {
  await publishCrate(url, alice, 'ffi-core', '1.0.0', FFI_CORE_LIB);
  await publishCrate(url, alice, 'ffi-core', '1.1.0', FFI_CORE_LIB);
  await publishCrate(url, bob, 'safe-app', '0.1.0', SAFE_APP_LIB, [['ffi-core', '^1.0']]);
  await publishCrate(url, bob, 'risky-app', '0.2.0', RISKY_APP_LIB, [['ffi-core', '^1.1']]);
  await publishCrate(url, bob, 'broken', '0.1.0', BROKEN_LIB);
}

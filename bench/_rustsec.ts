// The crates RustSec marks malicious, read from an advisory-db snapshot (`.tar.gz`): advisories
// under `crates/<name>/RUSTSEC-*.md` whose TOML front matter lists `"malicious"` in `categories`.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

const ADVISORY = /(?:^|\/)crates\/([^/]+)\/RUSTSEC-[^/]+\.md$/;

/** Whether an advisory's front matter (between the ```toml fence or `+++` lines) is malicious. */
export function isMaliciousAdvisory(text: string): boolean {
  const m = /```toml\n([\s\S]*?)\n```/.exec(text) ?? /^\+\+\+\n([\s\S]*?)\n\+\+\+/m.exec(text);
  if (!m) return false;
  const categories = /^categories\s*=\s*\[([^\]]*)\]/m.exec(m[1]!);
  return !!categories && /["']malicious["']/.test(categories[1]!);
}

/** Distinct crate names with a malicious advisory, sorted. */
export async function readMaliciousCrates(path: string): Promise<string[]> {
  const names = new Set<string>();
  const extract = tar.extract();
  const input = createReadStream(path).pipe(createGunzip());
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  for await (const entry of extract) {
    const m = ADVISORY.exec(entry.header.name);
    if (!m || entry.header.type !== 'file') {
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (isMaliciousAdvisory(Buffer.concat(chunks).toString('utf8'))) names.add(m[1]!);
  }
  return [...names].sort();
}

/**
 * The RustSec-malicious crates (2026-08-21 snapshot) that imitate a crate of the 2019 index's top
 * 3,000, judged by hand from the names and advisories: the popular crate(s) and the shape. The
 * bench measures the detector on these; the shapes were written from the techniques, not tuned
 * to this list (and the detector is also measured on names it has never seen).
 */
export const RUSTSEC_IMITATIONS: Readonly<Record<string, { targets: string[]; shape: string }>> = {
  'bit-flags': { targets: ['bitflags'], shape: 'separator added' },
  envlogger: { targets: ['env_logger'], shape: 'separator dropped' },
  'if-cfg': { targets: ['cfg-if'], shape: 'swapped words' },
  lazystatic: { targets: ['lazy_static'], shape: 'separator dropped' },
  oncecell: { targets: ['once_cell'], shape: 'separator dropped' },
  postgress: { targets: ['postgres'], shape: 'repeated letter' },
  'proc-macro1': { targets: ['proc-macro2'], shape: 'other version' },
  rands: { targets: ['rand'], shape: 'plural' },
  rustdecimal: { targets: ['rust_decimal'], shape: 'separator dropped' },
  serd: { targets: ['serde'], shape: 'omitted letter' },
  tracings: { targets: ['tracing'], shape: 'plural' },
  'windows-service-rs': { targets: ['windows-service'], shape: '-rs affix' },
  windowsservice: { targets: ['windows-service'], shape: 'separator dropped' },
  'libusb1-main': { targets: ['libusb'], shape: 'version and -main affix' },
  postgresderive: { targets: ['postgres'], shape: 'companion word merged (postgres-derive)' },
  'proc-macro-en': { targets: ['proc-macro2'], shape: 'version replaced by a word' },
  'sha-rst': { targets: ['sha2', 'sha-1', 'sha1'], shape: 'version replaced by the -rst affix' },
  'sha-rust': { targets: ['sha2', 'sha-1', 'sha1'], shape: 'version replaced by the -rust affix' },
  'win-base64-rs': { targets: ['base64'], shape: 'platform prefix win- and -rs affix' },
  chrono_anchor: { targets: ['chrono'], shape: 'extra word' },
  'time-sync': { targets: ['time'], shape: 'extra word' },
  time_calibrator: { targets: ['time'], shape: 'extra word' },
  time_calibrators: { targets: ['time'], shape: 'extra word (plural)' },
  'tracing-check': { targets: ['tracing'], shape: 'extra word' },
  tracing_checks: { targets: ['tracing'], shape: 'extra word (plural)' },
  'tracing-ethers': { targets: ['tracing'], shape: 'extra word' },
  'evm-units': { targets: ['evm'], shape: 'extra word' },
};

/** Why the other RustSec-malicious crates are not imitations of a 2019 top-3,000 crate. */
export const RUSTSEC_NOT_IMITATIONS: Readonly<Record<string, string>> = {
  arrayref: 'itself in the top 3,000 (a compromised release)',
  internment: 'itself in the 2019 index (a compromised release)',
  onering: 'a compromised release of an existing crate',
  'append-only-vec': 'a compromised release of an existing crate',
  'tree-sitter-pkl': "tree-sitter's own family convention (tree-sitter-<language>)",
  dnp3times: 'imitates dnp3time (not in the 2019 index)',
  'finch-rst': 'imitates finch (not in the top 3,000)',
  'finch-rust': 'imitates finch (not in the top 3,000)',
  finch_cli_rust: 'imitates finch (not in the top 3,000)',
  'openvpn-plugin-rs': 'imitates openvpn-plugin (not in the top 3,000)',
  'winx-rs': 'imitates winx (not in the top 3,000)',
  'monero-api': 'imitates monero (not in the top 3,000)',
  'monero-rpc-rs': 'imitates monero-rpc (not in the 2019 index)',
  'acceptxmr-rs': 'imitates acceptxmr (not in the 2019 index)',
  'lasso-rs': 'imitates lasso (not in the 2019 index)',
  'lfest-main': 'imitates lfest (not in the 2019 index)',
  'tauri-win-rt-notification': 'imitates tauri-winrt-notification (not in the 2019 index)',
  'tauri-winrt-notifications': 'imitates tauri-winrt-notification (not in the 2019 index)',
  'mysten-metrics': "a Sui crate's name (not in the 2019 index)",
  'sui-execution-cut': 'a Sui-themed name (not in the 2019 index)',
  'statsrelay-protobuf': 'a project-internal name (not in the 2019 index)',
  'polymarket-client-sdks': 'imitates Polymarket clients (not in the 2019 index)',
  'polymarket-clients-sdk': 'imitates Polymarket clients (not in the 2019 index)',
  'polymarkets-client-sdk': 'imitates Polymarket clients (not in the 2019 index)',
  'polymarkets-rs-clob-client': 'imitates Polymarket clients (not in the 2019 index)',
  'clob-sdk': 'imitates Polymarket clients (not in the 2019 index)',
};

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

// The Debian corpus of real published crates, built once into a cache by
// scripts/debian-corpus.sh (about 3 minutes the first time).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function debianCorpusDir(): string {
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'debian-corpus.sh')], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop()!;
}

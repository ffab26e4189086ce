// The Debian corpus of real published crates, built once into a cache by
// scripts/debian-corpus.sh (3–9 minutes the first time). The test suite's global setup
// builds it before any worker starts; a worker only asks where it is, and fails (never
// builds, never skips) when it could not be had.
import { requirePrerequisite } from './prerequisites.js';

export { repoRoot } from './paths.js';

export function debianCorpusDir(): string {
  return requirePrerequisite('debianCorpus');
}

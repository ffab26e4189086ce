// Where things are, for the tests and the global setup (so free of Vitest imports).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Debian's Chromium, installed by scripts/install-chromium.sh. */
export const CHROMIUM = '/usr/bin/chromium';

/** The shared real data beside the clone (`../shared/data`): the index snapshot, RustSec, samples. */
export const SHARED_DATA = join(repoRoot, '..', 'shared', 'data');

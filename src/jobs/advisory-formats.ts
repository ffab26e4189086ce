// The advisory readers and writers the registry uses, bound once (formats/ and
// security/advisories/ own them).
import { formatAdvisoryMarkdown } from '../formats/advisory-markdown.js';
import type { AdvisoryIndex } from '../security/advisories/advisory.js';
import type { AdvisoryFormats } from './advisory-sync.js';

type Loader = (sources: string[]) => Promise<AdvisoryIndex>;

// TEMPORARY until wip-advisory-db's database.ts is merged: resolved at run time.
const DATABASE_MODULE = '../security/advisories/database.js';

export const advisoryFormats: AdvisoryFormats = {
  async load(sources) {
    const mod = (await import(DATABASE_MODULE)) as { loadAdvisoryDatabases: Loader };
    return mod.loadAdvisoryDatabases(sources);
  },
  formatMarkdown: formatAdvisoryMarkdown,
};

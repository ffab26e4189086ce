// The advisory readers and writers the registry uses, bound once (formats/ and
// security/advisories/ own them).
import { formatAdvisoryMarkdown } from '../formats/advisory-markdown.js';
import { loadAdvisoryDatabases } from '../security/advisories/database.js';
import type { AdvisoryFormats } from './advisory-sync.js';

export const advisoryFormats: AdvisoryFormats = {
  load: (sources) => loadAdvisoryDatabases(sources),
  formatMarkdown: formatAdvisoryMarkdown,
};

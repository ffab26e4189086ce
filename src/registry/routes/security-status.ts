// GET /api/v1/cratekeeper/security-status?crate=name@version,name@version,…
// What `cratekeeper audit --registry` asks this registry about a lockfile's packages: for each
// name@version, whether the version is held in quarantine and the worst severity among its
// open alerts (scanner, typosquat, advisory …; alerts on the crate as a whole count for every
// version). Read-only, and always behind a token, even on a public registry: anonymous, it
// would tell anyone (a publisher testing a payload, say) whether the scanner has seen through it.
import type { FastifyInstance } from 'fastify';
import { requireToken } from '../auth.js';
import { badRequest } from '../errors.js';
import type { RegistryServices } from '../services.js';
import { canonicalCrateName } from '../../domain/crate-name.js';
import { SEVERITY_ORDER } from '../../store/alerts.js';
import type { AlertSeverity } from '../../store/schema.js';

export const SECURITY_STATUS_PATH = '/api/v1/cratekeeper/security-status';
/** Per request: a large lockfile is asked in several requests. */
export const MAX_STATUS_ENTRIES = 200;

export interface SecurityStatus {
  /** Whether this registry has the version at all. */
  known: boolean;
  quarantined: boolean;
  open_alert_severity: AlertSeverity | null;
  open_alerts: number;
}

const OPEN = ['open', 'acknowledged', 'escalated'] as const;

export function registerSecurityStatus(app: FastifyInstance, services: RegistryServices): void {
  const { tokens, db } = services;
  app.get(SECURITY_STATUS_PATH, async (req) => {
    await requireToken(tokens, req.headers.authorization);
    const raw = (req.query as { crate?: unknown }).crate;
    const text = Array.isArray(raw) ? raw.join(',') : raw;
    if (typeof text !== 'string' || text.length === 0) throw badRequest('give ?crate=name@version,…');
    if (text.length > 64 * 1024) throw badRequest('the crate list is too long');
    const wanted = text.split(',').filter((s) => s.length > 0);
    if (wanted.length > MAX_STATUS_ENTRIES)
      throw badRequest(`at most ${MAX_STATUS_ENTRIES} name@version entries per request`);
    const pairs = wanted.map((entry) => {
      const at = entry.lastIndexOf('@');
      if (at <= 0 || at === entry.length - 1) throw badRequest(`not name@version: ${entry.slice(0, 100)}`);
      return { entry, name: entry.slice(0, at), version: entry.slice(at + 1) };
    });
    const canonical = [...new Set(pairs.map((p) => canonicalCrateName(p.name)))];
    const versions = await db.kysely
      .selectFrom('versions')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        'crates.canonical_name as canonical',
        'versions.id as id',
        'versions.num as num',
        'versions.status as status',
      ])
      .where('crates.canonical_name', 'in', canonical)
      .execute();
    const alerts = await db.kysely
      .selectFrom('alerts')
      .select(['crate_name', 'version_id', 'severity'])
      .where('status', 'in', [...OPEN])
      .where('crate_name', 'in', [...new Set(pairs.map((p) => p.name))])
      .execute();
    const statuses: Record<string, SecurityStatus> = {};
    for (const p of pairs) {
      const c = canonicalCrateName(p.name);
      const v = versions.find((row) => row.canonical === c && row.num === p.version);
      let worst = -1;
      let count = 0;
      for (const a of alerts) {
        if (canonicalCrateName(a.crate_name) !== c) continue;
        if (a.version_id !== null && (!v || a.version_id !== v.id)) continue;
        count++;
        worst = Math.max(worst, SEVERITY_ORDER.indexOf(a.severity));
      }
      statuses[p.entry] = {
        known: v !== undefined,
        quarantined: v?.status === 'quarantined',
        open_alert_severity: worst >= 0 ? SEVERITY_ORDER[worst]! : null,
        open_alerts: count,
      };
    }
    return { statuses };
  });
}

// Periodic upkeep a serving process does beside its requests: owner invitations past their 30
// days are removed, each with an audit entry; old change-feed records are pruned; tokens about
// to expire are warned of. Safe with several processes: an invitation or a warning is taken by
// exactly one sweeper, and only the taker records it.
import type { RegistryServices } from '../registry/services.js';
import { pruneCrateChanges } from '../store/change-feed.js';

const HOUR = 3_600_000;

/**
 * Tokens about to expire: each is claimed once across processes (the claim marks it) and gets
 * an audit entry the console and `audit-log` show; `token list` flags them too, and cargo prints
 * the warning after every publish made with one.
 */
export async function warnExpiringTokens(services: RegistryServices, now = new Date()): Promise<number> {
  const due = await services.tokens.claimExpiryWarnings(services.config.tokenExpiryWarningDays, now);
  for (const t of due) {
    const owner = await services.users.findById(t.user_id);
    await services.audit.append({
      actorId: null,
      actor: 'housekeeping',
      action: 'token-expiry-warning',
      targetType: 'token',
      target: `${owner?.login ?? t.user_id}/${t.name}#${t.id}`,
      details: { expiresAt: t.expires_at },
    });
  }
  return due.length;
}

export function startHousekeeping(
  services: RegistryServices,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  everyMs = HOUR,
): () => void {
  const sweep = () =>
    Promise.all([
      services.invitations.expireDue().then(
        (n) => {
          if (n > 0) log(`owner invitations: ${n} expired`);
        },
        (err: unknown) => log(`owner invitation sweep failed: ${(err as Error).message}`),
      ),
      // Change-feed records past their retention (a process that looked longer ago resets).
      pruneCrateChanges(services.db.kysely).catch((err: unknown) =>
        log(`change feed prune failed: ${(err as Error).message}`),
      ),
      warnExpiringTokens(services).then(
        (n) => {
          if (n > 0) log(`api tokens: ${n} expire within ${services.config.tokenExpiryWarningDays} days`);
        },
        (err: unknown) => log(`token expiry sweep failed: ${(err as Error).message}`),
      ),
    ]);
  void sweep();
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Scheduled advisory syncs: every minute, queue an `advisory-sync` job when one is due (see
 * AdvisorySync.scheduleDue). The timer only queues; the worker runs the sync.
 */
export function startAdvisorySchedule(
  services: RegistryServices,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  everyMs = 60_000,
): () => void {
  const sync = services.security.advisorySync;
  const tick = () =>
    sync
      .scheduleDue()
      .catch((err: unknown) => log(`advisory sync schedule failed: ${(err as Error).message}`));
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

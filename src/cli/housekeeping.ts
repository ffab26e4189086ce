// Periodic upkeep a serving process does beside its requests: owner invitations past their 30
// days are removed, each with an audit entry. Safe with several processes: an invitation is
// taken by exactly one sweeper, and only the taker records it.
import type { RegistryServices } from '../registry/services.js';

const HOUR = 3_600_000;

export function startHousekeeping(
  services: RegistryServices,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  everyMs = HOUR,
): () => void {
  const sweep = () =>
    services.invitations.expireDue().then(
      (n) => {
        if (n > 0) log(`owner invitations: ${n} expired`);
      },
      (err: unknown) => log(`owner invitation sweep failed: ${(err as Error).message}`),
    );
  void sweep();
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

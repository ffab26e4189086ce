// Liveness and readiness for load balancers and orchestrators. /healthz says the process
// answers; /readyz says it can do its work: the database answers within a short timeout, its
// schema has every migration this build knows, and some worker (this process's or another's)
// heartbeated recently, so publishes get scanned. Not ready is a 503 with the reasons in JSON.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { migrations } from '../../store/migrations/index.js';
import { DEFAULT_STALE_AFTER_MS } from '../../store/jobs.js';
import { nowIso } from '../../store/time.js';
import type { RegistryServices } from '../services.js';

const DATABASE_TIMEOUT_MS = 2_000;

interface Check {
  ok: boolean;
  detail?: string;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function readiness(
  services: RegistryServices,
): Promise<{ ready: boolean; checks: Record<string, Check>; reason?: string }> {
  const db = services.db.kysely;
  const checks: Record<string, Check> = {};
  try {
    await withTimeout(sql`select 1`.execute(db), DATABASE_TIMEOUT_MS, 'the database');
    checks.database = { ok: true };
  } catch (err) {
    checks.database = { ok: false, detail: (err as Error).message };
  }
  if (checks.database.ok) {
    try {
      const applied = await withTimeout(
        sql<{ name: string }>`select name from cratekeeper_migrations`.execute(db),
        DATABASE_TIMEOUT_MS,
        'the database',
      );
      const have = new Set(applied.rows.map((r) => r.name));
      const missing = Object.keys(migrations).filter((m) => !have.has(m));
      checks.migrations = missing.length
        ? { ok: false, detail: `migrations not applied: ${missing.join(', ')}` }
        : { ok: true };
      const since = nowIso(new Date(Date.now() - DEFAULT_STALE_AFTER_MS));
      const live = await withTimeout(
        sql<{ n: string | number }>`select count(*) as n from workers where heartbeat_at > ${since}`.execute(
          db,
        ),
        DATABASE_TIMEOUT_MS,
        'the database',
      );
      const n = Number(live.rows[0]?.n ?? 0);
      checks.worker =
        n > 0
          ? { ok: true, detail: `${n} live worker${n === 1 ? '' : 's'}` }
          : {
              ok: false,
              detail: `no worker heartbeat in the last ${DEFAULT_STALE_AFTER_MS / 1000} s: run \`cratekeeper worker\` or serve without --no-worker`,
            };
    } catch (err) {
      checks.migrations ??= { ok: false, detail: (err as Error).message };
      checks.worker ??= { ok: false, detail: 'unknown: the database did not answer' };
    }
  } else {
    checks.migrations = { ok: false, detail: 'unknown: the database did not answer' };
    checks.worker = { ok: false, detail: 'unknown: the database did not answer' };
  }
  const failed = Object.entries(checks).filter(([, c]) => !c.ok);
  return failed.length
    ? {
        ready: false,
        checks,
        reason: failed.map(([name, c]) => `${name}: ${c.detail ?? 'failed'}`).join('; '),
      }
    : { ready: true, checks };
}

export function registerHealthRoutes(app: FastifyInstance, services: RegistryServices): void {
  const alive = async (_req: unknown, reply: { header(n: string, v: string): unknown }) => {
    reply.header('cache-control', 'no-store');
    return { ok: true };
  };
  app.get('/healthz', alive);
  // The name earlier builds answered; kept for existing probes.
  app.get('/health', alive);
  app.get('/readyz', async (_req, reply) => {
    const result = await readiness(services);
    return reply
      .code(result.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(result);
  });
}

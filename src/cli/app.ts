// The composition root: one registry process's HTTP server, security pipeline and worker,
// wired from the services and the config file. `serve`, `worker` and the tests start here.
import type { FastifyInstance } from 'fastify';
import { registerAdminRoutes } from '../admin/routes.js';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import {
  defaultSecurityConfig,
  type QuarantinePolicy,
  type SecurityConfig,
} from '../jobs/security-pipeline.js';
import type { DetonateConfig } from '../jobs/security-config.js';
import { criteriaNameError } from '../registry/vet-authority.js';
import { defaultAdvisoryConfig, type AdvisoryConfig } from '../jobs/advisory-sync.js';
import { Worker } from '../jobs/worker.js';
import { buildServer } from '../registry/server.js';
import { INDEX_PUBLISH_JOB, type IndexPublishJob } from '../registry/static-index.js';
import type { RegistryServices } from '../registry/services.js';
import { loadTyposquatConfig } from '../security/typosquat/index.js';
import { section, type ConfigTable } from './config-file.js';
import { checkConfigKeys, tableSchema } from './config-schema.js';

export interface App {
  services: RegistryServices;
  server: FastifyInstance;
  pipeline: SecurityPipeline;
  worker: Worker;
}

const QUARANTINE: readonly QuarantinePolicy[] = ['off', 'high', 'critical'];

/** Security settings from `[security]` and `[typosquat]` of the config file. */
export function securityConfigFrom(file: { text: string | null; table: ConfigTable }): SecurityConfig {
  const security = section(file.table, 'security');
  const quarantine = (security.quarantine ?? 'off') as QuarantinePolicy;
  if (!QUARANTINE.includes(quarantine)) {
    throw new Error(
      `[security] quarantine must be one of ${QUARANTINE.map((q) => `"${q}"`).join(', ')}, not ${JSON.stringify(security.quarantine)}`,
    );
  }
  const onMalicious = security.quarantine_on_malicious_advisory ?? true;
  if (typeof onMalicious !== 'boolean')
    throw new Error('[security] quarantine_on_malicious_advisory must be true or false');
  const releaseCriteria = security.release_requires_criteria;
  if (
    releaseCriteria !== undefined &&
    (typeof releaseCriteria !== 'string' || criteriaNameError(releaseCriteria) !== null)
  )
    throw new Error(
      `[security] release_requires_criteria must be a criteria name such as "safe-to-deploy", not ${JSON.stringify(releaseCriteria)}`,
    );
  return defaultSecurityConfig({
    quarantine,
    ...(releaseCriteria !== undefined ? { releaseRequiresCriteria: releaseCriteria } : {}),
    typosquat: loadTyposquatConfig(file.text ?? ''),
    detonate: detonateConfigFrom(section(security, 'detonate')),
    advisories: advisoryConfigFrom(section(file.table, 'advisories'), onMalicious),
  });
}

/** `[advisories]`: the databases `serve` syncs from, how often, and whether crates.io's apply. */
export function advisoryConfigFrom(table: ConfigTable, quarantineOnMalicious = true): AdvisoryConfig {
  checkConfigKeys('[advisories]', table, tableSchema('advisories'));
  const sources = table.sources ?? [];
  if (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string' || s === ''))
    throw new Error('[advisories] sources must be a list of paths or URLs');
  const interval = table.sync_interval_minutes;
  if (
    interval !== undefined &&
    (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1 || interval > 10_080)
  )
    throw new Error('[advisories] sync_interval_minutes must be a whole number from 1 to 10080');
  if (interval !== undefined && sources.length === 0)
    throw new Error('[advisories] sync_interval_minutes needs sources to sync from');
  const mirror = table.crates_io_mirror ?? false;
  if (typeof mirror !== 'boolean') throw new Error('[advisories] crates_io_mirror must be true or false');
  const prefix = table.id_prefix ?? 'CK';
  // rustsec reads an id of another prefix as kind `Other`; RUSTSEC/CVE/GHSA/TALOS are taken.
  if (
    typeof prefix !== 'string' ||
    !/^[A-Z][A-Z0-9]{1,15}$/.test(prefix) ||
    /^(RUSTSEC|CVE|GHSA|TALOS)$/.test(prefix)
  )
    throw new Error(
      '[advisories] id_prefix must be 2–16 capital letters or digits, not RUSTSEC, CVE, GHSA or TALOS',
    );
  return defaultAdvisoryConfig({
    sources: sources as string[],
    syncIntervalMinutes: interval ?? null,
    cratesIoMirror: mirror,
    quarantineOnMalicious,
    idPrefix: prefix,
  });
}

/** `[security.detonate]`: the sandboxed build job (off unless `enabled = true`). */
function detonateConfigFrom(table: ConfigTable): DetonateConfig {
  const defaults = defaultSecurityConfig().detonate;
  checkConfigKeys('[security.detonate]', table, tableSchema('security.detonate'));
  const positive = (key: string, fallback: number, max: number): number => {
    const v = table[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max)
      throw new Error(
        `[security.detonate] ${key} must be a whole number from 1 to ${max}, not ${JSON.stringify(v)}`,
      );
    return v;
  };
  const enabled = table.enabled ?? false;
  if (typeof enabled !== 'boolean')
    throw new Error(`[security.detonate] enabled must be true or false, not ${JSON.stringify(enabled)}`);
  const toolchain = table.toolchain;
  if (toolchain !== undefined && (typeof toolchain !== 'string' || toolchain === ''))
    throw new Error('[security.detonate] toolchain must be a directory path');
  return {
    enabled,
    timeoutMs: positive('timeout_seconds', defaults.timeoutMs / 1000, 3600) * 1000,
    memoryMiB: positive('memory_mib', defaults.memoryMiB, 65_536),
    ...(toolchain !== undefined ? { toolchain } : {}),
  };
}

export function createApp(
  services: RegistryServices,
  options: { logger?: boolean; logStream?: NodeJS.WritableStream; workerPollMs?: number } = {},
): App {
  const server = buildServer(services, {
    logger: options.logger ?? false,
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  const pipeline = services.security;
  registerAdminRoutes(server, services, pipeline);
  const worker = new Worker(pipeline.queue, {
    pollMs: options.workerPollMs ?? 500,
    onError: (job, err, outcome) =>
      server.log.warn({ job: job.id, kind: job.kind, outcome, err: (err as Error).message }, 'job failed'),
    onFinished: (job, seconds, outcome) =>
      services.metrics.jobSeconds.observe({ kind: job.kind, outcome }, seconds),
  });
  pipeline.register(worker);
  const staticIndex = services.staticIndex;
  if (staticIndex) worker.handle(INDEX_PUBLISH_JOB, (payload) => staticIndex.run(payload as IndexPublishJob));
  // Jobs committed by this process start at once rather than at the next poll.
  pipeline.queue.onReady(() => worker.nudge());
  return { services, server, pipeline, worker };
}

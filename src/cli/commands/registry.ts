// Registry commands: serve, user, token, import.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultRegistryConfig, type RegistryConfigOverrides } from '../../registry/config.js';
import { collectCrateFiles, importCrateFiles } from '../../registry/importer.js';
import { REGISTRY_DATABASE_FILE, openRegistry, type RegistryServices } from '../../registry/services.js';
import { UsageError } from '../usage-error.js';
import { isPostgresUrl } from '../../store/database.js';
import { DEFAULT_TOKEN_SCOPES, TOKEN_SCOPES, parseScopes } from '../../store/tokens.js';
import { notificationConfigFrom } from '../../jobs/notifications.js';
import { createApp, securityConfigFrom } from '../app.js';
import { loadConfigFile, section } from '../config-file.js';
import { passwordError } from '../../store/passwords.js';
import { promptNewPassword, readPasswordFromStdin } from '../password-input.js';
import { createProgress } from '../progress.js';
import { startupBlobGc } from '../blob-gc.js';
import { describeReload, reloadConfig } from '../config-reload.js';
import {
  describeStorage,
  openBlobStore,
  staticIndexConfigFrom,
  storageConfigFrom,
} from '../storage-config.js';
import { INDEX_PUBLISH_JOB, StaticIndexPublisher } from '../../registry/static-index.js';
import { startAdvisorySchedule, startHousekeeping } from '../housekeeping.js';
import { runtimeConfigFrom } from '../runtime-config.js';
import { startMetricsServer } from '../../registry/metrics-server.js';
import { RATE_LIMITED_ACTIONS, isRateLimitedAction } from '../../store/rate-limits.js';

export interface CommonOptions {
  data: string;
  databaseUrl?: string;
  databaseSchema?: string;
  config?: string;
}

export function addCommon(cmd: Command): Command {
  return cmd
    .option(
      '--data <dir>',
      'data directory (SQLite database and crate files)',
      process.env.CRATEKEEPER_DATA ?? './data',
    )
    .option(
      '--database-url <url>',
      'PostgreSQL URL (default: $DATABASE_URL, else SQLite in the data directory)',
      process.env.DATABASE_URL,
    )
    .option(
      '--database-schema <name>',
      'PostgreSQL schema to keep the tables in (created when missing; default: $DATABASE_SCHEMA, else the search path)',
      process.env.DATABASE_SCHEMA,
    )
    .option('--config <path>', 'config file (default: ./cratekeeper.toml when present)');
}

/**
 * Opens the registry named by the common options, with the security pipeline configured from
 * the config file: every command that publishes (serve, import) runs the same checks.
 */
export async function openFromOptions(
  opts: CommonOptions,
  config?: RegistryConfigOverrides,
  { create = false }: { create?: boolean } = {},
): Promise<RegistryServices> {
  const dataDir = resolve(opts.data);
  const url = opts.databaseUrl;
  // Only `serve` and `init` make a registry: any other command given a mistyped --data would
  // otherwise report on a new, empty one ("audit log intact: 0 entries").
  if (!create && !url && !existsSync(join(dataDir, REGISTRY_DATABASE_FILE))) {
    throw new UsageError(
      `no registry at ${dataDir} (create one with "cratekeeper init --data ${opts.data}" or "cratekeeper serve")`,
    );
  }
  const file = loadConfigFile(opts.config);
  const staticIndex = await staticIndexConfigFrom(file.table);
  const { overrides } = runtimeConfigFrom(file.table);
  const services: RegistryServices = await openRegistry({
    dataDir,
    blobs: await openBlobStore(storageConfigFrom(file.table), dataDir),
    ...(staticIndex ? { staticIndex } : {}),
    config: defaultRegistryConfig({ ...overrides, ...config }),
    security: securityConfigFrom(file),
    notifications: notificationConfigFrom(file.table, () => `${services.config.publicUrl}/console`),
    ...(url
      ? {
          database: isPostgresUrl(url)
            ? { url, ...(opts.databaseSchema ? { schema: opts.databaseSchema } : {}) }
            : { url: resolve(url) },
        }
      : {}),
  });
  return services;
}

/**
 * Turns the static index's publish jobs on or off for the database as this process's config
 * says, and (on) queues config.json, which names the public URL this process now knows.
 */
async function startStaticIndex(services: RegistryServices): Promise<void> {
  await StaticIndexPublisher.setEnabled(services.db.kysely, services.staticIndex !== null);
  if (services.staticIndex) await services.security.queue.enqueue(INDEX_PUBLISH_JOB, { config: true });
}

/** `--expires` of a token: days, `never` (null), or not given (undefined: the default). */
function parseExpiryDays(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'never') return null;
  const days = Number(text);
  if (!Number.isFinite(days) || days <= 0 || days > 3650)
    throw new UsageError('--expires takes a number of days from 1 to 3650, or `never`');
  return days;
}

/** `--expires` of an override: days from now, an ISO date, or `never` (null). */
function parseExpiryDate(text: string, now = new Date()): Date | null {
  if (text === 'never') return null;
  if (/^\d{1,4}$/.test(text) && Number(text) > 0) return new Date(now.getTime() + Number(text) * 86_400_000);
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw new UsageError('--expires takes days (`30`), an ISO date or `never`');
  if (date.getTime() <= now.getTime()) throw new UsageError('--expires must be in the future');
  return date;
}

export function registerRegistryCommands(program: Command): void {
  addCommon(
    program.command('serve').description('run the registry server (API, sparse index, console, worker)'),
  )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--public-url <url>', 'URL clients use to reach this server (default: http://HOST:PORT)')
    .option('--private', 'require a token for the index, downloads and API (cargo auth-required)')
    .option('--log', 'log requests (tokens and cookies are redacted)')
    .option(
      '--trust-proxy',
      'behind a reverse proxy: take the client IP and https from X-Forwarded-* (session cookies become Secure)',
    )
    .option('--no-worker', 'do not run background jobs in this process (run `cratekeeper worker` instead)')
    .action(
      async (
        opts: CommonOptions & {
          host: string;
          port: string;
          publicUrl?: string;
          private?: boolean;
          log?: boolean;
          worker?: boolean;
          trustProxy?: boolean;
        },
        cmd: Command,
      ) => {
        const file = loadConfigFile(opts.config);
        const server = section(file.table, 'server');
        // An explicit flag beats the file, the file beats the flag's default.
        const given = (key: string) => ['cli', 'env'].includes(cmd.getOptionValueSource(key) ?? '');
        const portFrom = given('port') || server.port === undefined ? 'cli' : 'file';
        const portText = String(portFrom === 'cli' ? opts.port : server.port);
        const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
        if (!Number.isInteger(port) || port > 65535) {
          const where = portFrom === 'cli' ? '--port' : `[server] port in ${file.path}`;
          throw new Error(`invalid port ${JSON.stringify(portText)} (${where}): expected 0 to 65535`);
        }
        const host = String(given('host') || server.host === undefined ? opts.host : server.host);
        const services = await openFromOptions(
          opts,
          {
            authRequired: Boolean(opts.private ?? server.private ?? false),
            trustProxy: Boolean(opts.trustProxy ?? server.trust_proxy ?? false),
            publicUrl: 'http://placeholder',
          },
          { create: true },
        );
        const { server: app, worker, pipeline } = createApp(services, { logger: Boolean(opts.log) });
        if (opts.worker !== false) worker.start();
        const address = await app.listen({ host, port });
        const { metricsListener } = runtimeConfigFrom(file.table);
        const metricsServer = metricsListener
          ? await startMetricsServer(services.metrics, metricsListener)
          : null;
        void startupBlobGc(services, file.table); // in the background, after the listen
        const stopHousekeeping = startHousekeeping(services);
        const actual = new URL(address);
        services.config.publicUrl = (
          opts.publicUrl ??
          (server.public_url as string | undefined) ??
          `http://${host.includes(':') ? `[${host}]` : host}:${actual.port}`
        ).replace(/\/+$/, '');
        // After the public URL is known: it names this registry in advisories' `source`.
        const stopAdvisorySchedule = startAdvisorySchedule(services);
        await startStaticIndex(services);
        process.stdout.write(
          `cratekeeper listening on ${address}\n` +
            `  index: sparse+${services.config.publicUrl}/index/\n` +
            `  mode:  ${services.config.authRequired ? 'private (auth-required)' : 'public'}\n` +
            `  security: quarantine ${pipeline.config.quarantine}, worker ${opts.worker === false ? 'off (run "cratekeeper worker")' : 'on'}\n` +
            `  data:  ${services.db.dialect === 'postgres' ? 'PostgreSQL' : resolve(opts.data)}\n` +
            `  blobs: ${describeStorage(storageConfigFrom(file.table), resolve(opts.data))}\n` +
            (services.staticIndex ? `  static index: ${services.staticIndex.target.describe()}\n` : '') +
            `  metrics: ${metricsServer ? metricsServer.url : services.config.metricsToken ? `${services.config.publicUrl}/metrics (bearer token)` : 'off (see [metrics])'}\n`,
        );
        const stop = async () => {
          stopHousekeeping();
          stopAdvisorySchedule();
          await metricsServer?.close();
          await worker.stop();
          await app.close();
          await services.close();
          process.exit(0);
        };
        process.once('SIGINT', () => void stop());
        process.once('SIGTERM', () => void stop());
        // `kill -HUP`: re-read the config file, apply what is safe live, name what is not.
        let running = file.table;
        process.on('SIGHUP', () => {
          try {
            const result = reloadConfig(file.path ?? opts.config, running, services);
            running = result.table;
            process.stdout.write(`${describeReload(result)}\n`);
          } catch (err) {
            process.stdout.write(
              `config reload failed, keeping the running settings: ${(err as Error).message}\n`,
            );
          }
        });
      },
    );

  addCommon(program.command('init').description('create a registry (database and crate store) in --data'))
    .option('--json', 'print the result as JSON')
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      const existed = !opts.databaseUrl && existsSync(join(resolve(opts.data), REGISTRY_DATABASE_FILE));
      const services = await openFromOptions(opts, undefined, { create: true });
      try {
        const where = services.db.dialect === 'postgres' ? 'PostgreSQL' : resolve(opts.data);
        if (opts.json) process.stdout.write(`${JSON.stringify({ data: where, created: !existed })}\n`);
        else
          process.stdout.write(
            `${existed ? 'registry already present' : 'created a registry'} in ${where}\n` +
              `next: cratekeeper user add LOGIN --admin --data ${opts.data}, then cratekeeper serve --data ${opts.data}\n`,
          );
      } finally {
        await services.close();
      }
    });

  addCommon(
    program
      .command('worker')
      .description('run background jobs (scans, typosquat checks) without serving HTTP'),
  )
    .option('--once', 'run the jobs that are ready, then exit')
    .action(async (opts: CommonOptions & { once?: boolean }) => {
      // Jobs that name this registry (advisory syncs, notification links) need its public URL.
      const file = loadConfigFile(opts.config);
      const server = section(file.table, 'server');
      const services = await openFromOptions(
        opts,
        typeof server.public_url === 'string' ? { publicUrl: server.public_url.replace(/\/+$/, '') } : {},
      );
      const { worker } = createApp(services);
      await StaticIndexPublisher.setEnabled(services.db.kysely, services.staticIndex !== null);
      if (opts.once) {
        const n = await worker.drain();
        process.stdout.write(`ran ${n} job${n === 1 ? '' : 's'}\n`);
        await services.close();
        return;
      }
      worker.start();
      const { metricsListener } = runtimeConfigFrom(file.table);
      const metricsServer = metricsListener
        ? await startMetricsServer(services.metrics, metricsListener)
        : null;
      process.stdout.write(
        `cratekeeper worker ${worker.id} running${metricsServer ? `; metrics at ${metricsServer.url}` : ''}\n`,
      );
      const stop = async () => {
        await metricsServer?.close();
        await worker.stop();
        await services.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });

  const user = program.command('user').description('manage registry users');
  addCommon(
    user.command('add <login>').description('create a user (an --admin is asked for a console password)'),
  )
    .option('--admin', 'make the user an administrator')
    .option('--name <name>', 'display name')
    .option('--email <email>', 'e-mail address')
    .option('--password-stdin', 'read the console password from standard input')
    .option('--no-password', 'create an administrator without a console password (API tokens only)')
    .action(
      async (
        login: string,
        opts: CommonOptions & {
          admin?: boolean;
          name?: string;
          email?: string;
          passwordStdin?: boolean;
          password?: boolean;
        },
      ) => {
        // Ask before touching the database, so a refused password leaves no user behind.
        let password: string | null = null;
        if (opts.passwordStdin) password = await readPasswordFromStdin();
        else if (opts.admin && opts.password !== false) password = await promptNewPassword(login);
        if (password !== null) {
          const err = passwordError(password);
          if (err) throw new Error(err);
        }
        const services = await openFromOptions(opts);
        try {
          const row = await services.users.create({
            login,
            isAdmin: opts.admin ?? false,
            name: opts.name ?? null,
            email: opts.email ?? null,
          });
          if (password !== null) await services.users.setPassword(row.id, password);
          await services.audit.append({
            actorId: null,
            actor: 'cli',
            action: 'user-create',
            targetType: 'user',
            target: row.login,
            details: { admin: row.is_admin === 1, password: password !== null },
          });
          process.stdout.write(
            `created user ${row.login}${row.is_admin ? ' (admin)' : ''}${password !== null ? ' with a console password' : ''}\n`,
          );
        } finally {
          await services.close();
        }
      },
    );

  addCommon(user.command('passwd <login>').description("set a user's console password"))
    .option('--password-stdin', 'read the password from standard input')
    .action(async (login: string, opts: CommonOptions & { passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : await promptNewPassword(login);
      const err = passwordError(password);
      if (err) throw new Error(err);
      const services = await openFromOptions(opts);
      try {
        const row = await services.users.findByLogin(login);
        if (!row) throw new Error(`no user \`${login}\``);
        await services.db.kysely.transaction().execute(async (trx) => {
          await services.users.setPassword(row.id, password, trx);
          await services.sessions.deleteForUser(row.id, trx);
          await services.audit.append(
            { actorId: null, actor: 'cli', action: 'password-set', targetType: 'user', target: row.login },
            new Date(),
            trx,
          );
        });
        process.stdout.write(`password of ${row.login} set; their console sessions were ended\n`);
      } finally {
        await services.close();
      }
    });

  addCommon(
    user
      .command('rate-limit <login>')
      .description("set (or with --remove, drop) a user's own burst for a rate-limited action"),
  )
    .requiredOption(
      '--action <action>',
      `the action (${RATE_LIMITED_ACTIONS.filter((a) => a !== 'sign-in').join(', ')})`,
    )
    .option('--burst <n>', 'tokens the bucket holds for this user')
    .option('--expires <when>', 'when the override ends: days (`30`), an ISO date, or `never`', 'never')
    .option('--remove', 'drop the override (the configured limit applies again)')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action(
      async (
        login: string,
        opts: CommonOptions & {
          action: string;
          burst?: string;
          expires: string;
          remove?: boolean;
          reason: string;
        },
      ) => {
        if (!isRateLimitedAction(opts.action) || opts.action === 'sign-in')
          throw new UsageError(
            `--action must be one of ${RATE_LIMITED_ACTIONS.filter((a) => a !== 'sign-in').join(', ')} (sign-ins are limited per address)`,
          );
        const action = opts.action;
        if (opts.reason.trim().length < 3) throw new UsageError('--reason needs at least 3 characters');
        if (
          !opts.remove &&
          (opts.burst === undefined || !/^\d{1,7}$/.test(opts.burst) || Number(opts.burst) < 1)
        )
          throw new UsageError('--burst takes a whole number of at least 1 (or give --remove)');
        const expiresAt = opts.remove ? null : parseExpiryDate(opts.expires);
        const services = await openFromOptions(opts);
        try {
          const row = await services.users.findByLogin(login);
          if (!row) throw new Error(`no user \`${login}\``);
          const done = await services.db.kysely.transaction().execute(async (trx) => {
            const changed = opts.remove
              ? await services.rateLimits.removeOverride(row.id, action, trx)
              : (await services.rateLimits.setOverride(
                  { userId: row.id, action, burst: Number(opts.burst), expiresAt, by: 'cli' },
                  new Date(),
                  trx,
                ),
                true);
            if (changed)
              await services.audit.append(
                {
                  actorId: null,
                  actor: 'cli',
                  action: opts.remove ? 'rate-limit-override-remove' : 'rate-limit-override-set',
                  targetType: 'user',
                  target: row.login,
                  details: {
                    action,
                    reason: opts.reason.trim(),
                    ...(opts.remove
                      ? {}
                      : { burst: Number(opts.burst), expiresAt: expiresAt?.toISOString() ?? null }),
                  },
                },
                new Date(),
                trx,
              );
            return changed;
          });
          process.stdout.write(
            opts.remove
              ? done
                ? `override of ${action} for ${row.login} removed\n`
                : `${row.login} had no override of ${action}\n`
              : `${row.login} may ${action} with a burst of ${opts.burst}${expiresAt ? ` until ${expiresAt.toISOString()}` : ''}\n`,
          );
        } finally {
          await services.close();
        }
      },
    );

  addCommon(user.command('rate-limits [login]').description('rate-limit overrides (of one user when given)'))
    .option('--json', 'print the result as JSON')
    .action(async (login: string | undefined, opts: CommonOptions & { json?: boolean }) => {
      const services = await openFromOptions(opts);
      try {
        const row = login === undefined ? undefined : await services.users.findByLogin(login);
        if (login !== undefined && !row) throw new Error(`no user \`${login}\``);
        const overrides = await services.rateLimits.overrides(row?.id);
        const now = new Date().toISOString();
        if (opts.json) process.stdout.write(`${JSON.stringify({ overrides })}\n`);
        else
          process.stdout.write(
            overrides
              .map(
                (o) =>
                  `${o.login}  ${o.action}  burst ${o.burst}  ${o.expiresAt ? (o.expiresAt <= now ? `expired ${o.expiresAt}` : `until ${o.expiresAt}`) : 'no expiry'}\n`,
              )
              .join('') || 'no overrides\n',
          );
      } finally {
        await services.close();
      }
    });

  // `user unlock`, `user list|show|lock`: see incident.ts.

  const audit = program.command('audit-log').description('the append-only, hash-chained audit log');
  addCommon(audit.command('verify').description('recompute the hash chain and name the first broken entry'))
    .option('--json', 'print the result as JSON')
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      const services = await openFromOptions(opts);
      try {
        const result = await services.audit.verify();
        if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
        else if (result.ok) process.stdout.write(`audit log intact: ${result.checked} entries verified\n`);
        else {
          process.stdout.write(
            `audit log BROKEN at entry ${result.firstBroken!.id}: ${result.firstBroken!.reason} (${result.checked} entries before it verified)\n`,
          );
        }
        if (!result.ok) process.exitCode = 1;
      } finally {
        await services.close();
      }
    });

  const token = program.command('token').description('manage API tokens');
  addCommon(
    token.command('create').description('create an API token (printed once; only its hash is stored)'),
  )
    .requiredOption('--user <login>', "the token's owner")
    .option('--name <name>', 'a name to recognise the token by', 'cli')
    .option(
      '--scopes <list>',
      `comma-separated scopes (${TOKEN_SCOPES.join(', ')}; \`admin\`, the admin API, only when asked for)`,
      DEFAULT_TOKEN_SCOPES.join(','),
    )
    .option('--crates <pattern...>', 'limit to crates matching these patterns (e.g. `serde`, `tokio-*`)')
    .option(
      '--expires <days>',
      'expire after this many days, or `never` (default: [tokens] default_expiry_days, 90)',
    )
    .action(
      async (
        opts: CommonOptions & {
          user: string;
          name: string;
          scopes: string;
          crates?: string[];
          expires?: string;
        },
      ) => {
        const scopes = parseScopes(opts.scopes);
        const expires = parseExpiryDays(opts.expires);
        const services = await openFromOptions(opts);
        try {
          const owner = await services.users.findByLogin(opts.user);
          if (!owner)
            throw new Error(`no user \`${opts.user}\`; create it with \`cratekeeper user add ${opts.user}\``);
          // The owner's token-creation bucket is taken with the token and its audit entry.
          const { token: secret, row } = await services.tokenIssuing.create(
            {
              owner,
              name: opts.name,
              scopes,
              cratePatterns: opts.crates ?? null,
              ...(expires !== undefined ? { expiresInDays: expires } : {}),
            },
            { id: owner.id, name: 'cli' },
          );
          process.stdout.write(`${secret}\n`);
          process.stderr.write(
            `token for ${owner.login} with scopes ${scopes.join(', ')}, ${row.expires_at ? `expires ${row.expires_at}` : 'never expires'}; it is shown only once\n`,
          );
        } finally {
          await services.close();
        }
      },
    );

  addCommon(
    token
      .command('rotate <id>')
      .description(
        'a new secret for a token (same owner, name, scopes, crates and lifetime); the old one is revoked at once',
      ),
  ).action(async (idText: string, opts: CommonOptions) => {
    if (!/^\d{1,9}$/.test(idText))
      throw new UsageError('the token id is a number (see `cratekeeper token list`)');
    const services = await openFromOptions(opts);
    try {
      const rotated = await services.tokenIssuing.rotate(Number(idText), { id: null, name: 'cli' });
      if (!rotated)
        throw new Error(`no live token ${idText}: it is revoked or expired (create a new one instead)`);
      process.stdout.write(`${rotated.token}\n`);
      process.stderr.write(
        `token #${rotated.previous.id} revoked; its replacement is #${rotated.row.id}` +
          `${rotated.row.expires_at ? `, expires ${rotated.row.expires_at}` : ''}; it is shown only once\n`,
      );
    } finally {
      await services.close();
    }
  });

  const imp = program.command('import').description('seed the registry');
  addCommon(
    imp
      .command('crates <paths...>')
      .description('import .crate files (or directories of them) through the publish checks'),
  )
    .option('--user <login>', 'publish as this user (created when missing)', 'import')
    .option('--progress', 'show progress even when stderr is not a terminal')
    .option('--json', 'print the result as JSON')
    .option(
      '--trusted',
      'skip the security pipeline (no scans, typosquat checks or quarantine); recorded in the audit log',
    )
    .action(
      async (
        paths: string[],
        opts: CommonOptions & { user: string; progress?: boolean; json?: boolean; trusted?: boolean },
      ) => {
        const files = await collectCrateFiles(paths);
        const services = await openFromOptions(opts);
        try {
          const user =
            (await services.users.findByLogin(opts.user)) ??
            (await services.users.create({ login: opts.user }));
          const progress = createProgress('import', files.length * 2, { force: opts.progress === true });
          const started = Date.now();
          const result = await importCrateFiles(services, files, user, {
            onProgress: (_d, _t, f) => progress.tick(1, f),
            ...(opts.trusted ? { trusted: true } : {}),
          });
          const queued = opts.trusted ? 0 : ((await services.security.queue.counts()).queued ?? 0);
          const secs = (Date.now() - started) / 1000;
          progress.done();
          if (opts.json) {
            process.stdout.write(
              JSON.stringify(
                { ...result, trusted: opts.trusted === true, queuedJobs: queued, seconds: secs },
                null,
                2,
              ) + '\n',
            );
          } else {
            process.stdout.write(
              `imported ${result.imported} of ${files.length} crates in ${secs.toFixed(1)} s` +
                ` (${result.skipped.length} already present, ${result.failed.length} refused)\n`,
            );
            if (result.quarantined > 0)
              process.stdout.write(
                `  ${result.quarantined} held in quarantine for review (see the console)\n`,
              );
            process.stdout.write(
              opts.trusted
                ? '  trusted import: the security pipeline was skipped (recorded in the audit log)\n'
                : `  ${queued} security job${queued === 1 ? '' : 's'} queued: \`cratekeeper serve\` or \`cratekeeper worker\` runs them\n`,
            );
            for (const f of result.failed.slice(0, 50))
              process.stdout.write(`  refused ${f.file}: ${f.reason}\n`);
            if (result.failed.length > 50)
              process.stdout.write(`  … and ${result.failed.length - 50} more (use --json)\n`);
          }
          if (result.imported === 0 && files.length > 0 && result.skipped.length < files.length)
            process.exitCode = 1;
        } finally {
          await services.close();
        }
      },
    );
}

// Incident commands: what the console does, over SSH. Each works on the local registry
// (`--data` / `--database-url`, acting as the administrator named by `--as`) or against a running
// server (`--server URL` with an admin token), writes the same audit entries as the console and
// asks for `--reason` where it does. Exit codes: 0 done, 1 refused or not found, 2 usage.
import type { Command } from 'commander';
import { AdminActions, TRIAGE, type ActingAdmin } from '../../admin/admin-actions.js';
import { listQuarantine, listTokens, listUsers, tokenJson, userJson } from '../../admin/admin-reads.js';
import {
  TRIAGE_RESOLUTIONS,
  TRIAGE_SCALE,
  isTriageResolution,
  type TriageAnswer,
  type TriageResolution,
} from '../../admin/api-types.js';
import { alertJson } from '../../admin/read-routes.js';
import { forbidden, notFound } from '../../registry/errors.js';
import type { RegistryServices } from '../../registry/services.js';
import { SEVERITY_ORDER } from '../../store/alerts.js';
import type { AlertSeverity, AlertStatus } from '../../store/schema.js';
import { isLocked } from '../../store/users.js';
import { AdminClient, seg } from '../admin-client.js';
import { readPasswordFromStdin } from '../password-input.js';
import { UsageError } from '../usage-error.js';
import { addCommon, openFromOptions, type CommonOptions } from './registry.js';

export interface IncidentOptions extends CommonOptions {
  server?: string;
  tokenStdin?: boolean;
  as?: string;
  json?: boolean;
}

/** Where a command acts: the local registry, or a server's admin API. */
export type Target =
  | { kind: 'local'; services: RegistryServices; actions: AdminActions; actor(): Promise<ActingAdmin> }
  | { kind: 'server'; client: AdminClient };

const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'escalated', 'dismissed', 'resolved'];

/** The options every incident command takes. */
function incident(cmd: Command): Command {
  return addCommon(cmd)
    .option('--server <url>', 'act on a running registry through its admin API instead of --data')
    .option('--token-stdin', 'read the admin token from standard input (default: $CRATEKEEPER_ADMIN_TOKEN)')
    .option('--as <login>', 'local mode: the administrator acting (recorded in the audit log)')
    .option('--json', 'print the result as JSON');
}

/** An incident command that changes something: the console's reason is required. */
function action(cmd: Command): Command {
  return incident(cmd).requiredOption(
    '--reason <text>',
    'why (recorded in the audit log; at least 3 characters)',
  );
}

function checkReason(reason: string): string {
  if (reason.trim().length < 3) throw new UsageError('--reason needs at least 3 characters');
  if (reason.length > 2000) throw new UsageError('--reason is too long (at most 2000 characters)');
  return reason.trim();
}

async function adminToken(opts: IncidentOptions): Promise<string> {
  const token = opts.tokenStdin
    ? (await readPasswordFromStdin()).trim()
    : process.env.CRATEKEEPER_ADMIN_TOKEN;
  if (!token)
    throw new UsageError(
      '--server needs an admin token: pipe it with --token-stdin or set $CRATEKEEPER_ADMIN_TOKEN',
    );
  return token;
}

/** Opens the target the options name, runs `fn` on it and closes it again. */
export async function withTarget<T>(opts: IncidentOptions, fn: (t: Target) => Promise<T>): Promise<T> {
  if (opts.server !== undefined) {
    if (opts.as !== undefined)
      throw new UsageError('--as is for the local registry: with --server the token says who acts');
    let client: AdminClient;
    try {
      client = new AdminClient(opts.server, await adminToken(opts));
    } catch (err) {
      if (err instanceof TypeError) throw new UsageError(err.message);
      throw err;
    }
    return fn({ kind: 'server', client });
  }
  const services = await openFromOptions(opts);
  try {
    const actions = new AdminActions(services, services.security.alerts, {
      deletedNameBlockDays: services.config.deletedNameBlockDays,
    });
    const actor = async (): Promise<ActingAdmin> => {
      if (!opts.as) throw new UsageError('name the administrator acting with --as LOGIN (or use --server)');
      const user = await services.users.findByLogin(opts.as);
      if (!user) throw notFound(`no user \`${opts.as.slice(0, 60)}\` (--as)`);
      if (user.is_admin !== 1) throw forbidden(`${user.login} is not an administrator (--as must name one)`);
      if (isLocked(user)) throw forbidden(`${user.login} is locked`);
      return { user, ip: null, via: 'cli', token: null };
    };
    return await fn({ kind: 'local', services, actions, actor });
  } finally {
    await services.close();
  }
}

/** Prints the result: JSON with --json, else the human lines. */
function emit<T>(opts: { json?: boolean }, result: T, human: (r: T) => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${human(result)}\n`);
}

/** `CRATE@VERSION` (a version is required unless `optional`). */
export function crateSpec(spec: string, { optional = false } = {}): { name: string; version: string | null } {
  const at = spec.indexOf('@');
  const name = at < 0 ? spec : spec.slice(0, at);
  const version = at < 0 ? null : spec.slice(at + 1);
  if (!name || version === '' || (!optional && version === null))
    throw new UsageError(`expected CRATE@VERSION, not ${JSON.stringify(spec.slice(0, 120))}`);
  return { name, version };
}

function positiveId(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1)
    throw new UsageError(`${what} must be a positive whole number, not ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

type AlertJson = ReturnType<typeof alertJson>;
const alertLine = (a: AlertJson) =>
  `#${a.id}  ${a.severity.padEnd(8)} ${a.status.padEnd(12)} ${a.kind.padEnd(14)} ${a.crate}${a.version ? `@${a.version}` : ''}  ${a.title}`;

function registerAlertCommands(program: Command): void {
  const alerts = program.command('alerts').description('security alerts: list, show, resolve');
  incident(alerts.command('list').description('list alerts, newest first'))
    .option('--status <status>', `only this status (${ALERT_STATUSES.join(', ')})`)
    .option('--severity <severity>', `only this severity (${SEVERITY_ORDER.join(', ')})`)
    .option('--kind <kind>', 'only this kind (scanner, typosquat, …)')
    .option('--crate <name>', 'only alerts of this crate')
    .option('--limit <n>', 'at most this many (up to 500)', '50')
    .action(
      async (
        opts: IncidentOptions & {
          status?: string;
          severity?: string;
          kind?: string;
          crate?: string;
          limit: string;
        },
      ) => {
        if (opts.status && !ALERT_STATUSES.includes(opts.status as AlertStatus))
          throw new UsageError(`unknown status \`${opts.status}\` (one of ${ALERT_STATUSES.join(', ')})`);
        if (opts.severity && !SEVERITY_ORDER.includes(opts.severity as AlertSeverity))
          throw new UsageError(`unknown severity \`${opts.severity}\` (one of ${SEVERITY_ORDER.join(', ')})`);
        const limit = positiveId(opts.limit, '--limit');
        if (limit > 500) throw new UsageError('--limit is at most 500');
        const result = await withTarget(opts, async (t) => {
          if (t.kind === 'server')
            return t.client.get<{ total: number; alerts: AlertJson[] }>('/api/admin/alerts', {
              status: opts.status,
              severity: opts.severity,
              kind: opts.kind,
              crate: opts.crate,
              per_page: String(limit),
            });
          const { total, alerts: rows } = await t.services.security.alerts.list({
            ...(opts.status ? { status: opts.status as AlertStatus } : {}),
            ...(opts.severity ? { severity: opts.severity as AlertSeverity } : {}),
            ...(opts.kind ? { kind: opts.kind } : {}),
            ...(opts.crate ? { crateName: opts.crate } : {}),
            limit,
          });
          return { total, alerts: rows.map(alertJson) };
        });
        emit(opts, result, (r) =>
          [
            ...r.alerts.map(alertLine),
            `${plural(r.total, 'alert')}${r.total > r.alerts.length ? ` (${r.alerts.length} shown)` : ''}`,
          ].join('\n'),
        );
      },
    );

  incident(alerts.command('show <id>').description('an alert with its details and notes')).action(
    async (idText: string, opts: IncidentOptions) => {
      const id = positiveId(idText, 'the alert id');
      const result = await withTarget(opts, async (t) => {
        if (t.kind === 'server')
          return t.client.get<{ alert: AlertJson; notes: { at: string; user: string; note: string }[] }>(
            `/api/admin/alerts/${id}`,
          );
        const alert = await t.services.security.alerts.get(id);
        if (!alert) throw notFound('no such alert');
        const notes = await t.services.db.kysely
          .selectFrom('alert_notes')
          .selectAll()
          .where('alert_id', '=', id)
          .orderBy('id')
          .execute();
        return {
          alert: alertJson(alert),
          notes: notes.map((n) => ({ at: n.created_at, user: n.login, note: n.note })),
        };
      });
      emit(opts, result, (r) =>
        [
          alertLine(r.alert),
          `  created ${r.alert.created_at}, updated ${r.alert.updated_at}, score ${r.alert.score ?? '-'}`,
          `  details: ${JSON.stringify(r.alert.details)}`,
          ...r.notes.map((n) => `  note by ${n.user} at ${n.at}: ${n.note}`),
        ].join('\n'),
      );
    },
  );

  const statusToAction = Object.fromEntries(Object.entries(TRIAGE).map(([a, s]) => [s, a]));
  action(
    alerts
      .command('resolve <id>')
      .description('settle an alert with a structured --resolution (or set another status with --status)'),
  )
    .option(
      '--resolution <reason>',
      `why it is settled: ${TRIAGE_RESOLUTIONS.map((r) => `${r} (${TRIAGE_SCALE[r].settles})`).join(', ')}`,
    )
    .option('--status <status>', `the new status (${ALERT_STATUSES.join(', ')})`)
    .option('--note <text>', 'a note to add to the alert')
    .action(
      async (
        idText: string,
        opts: IncidentOptions & { reason: string; status?: string; resolution?: string; note?: string },
      ) => {
        const id = positiveId(idText, 'the alert id');
        const reason = checkReason(opts.reason);
        const choices = TRIAGE_RESOLUTIONS.join(', ');
        let resolution: TriageResolution | undefined;
        if (opts.resolution !== undefined) {
          if (!isTriageResolution(opts.resolution))
            throw new UsageError(`unknown resolution \`${opts.resolution}\` (one of ${choices})`);
          resolution = opts.resolution;
        }
        if (opts.status !== undefined && !Object.hasOwn(statusToAction, opts.status))
          throw new UsageError(`unknown status \`${opts.status}\` (one of ${ALERT_STATUSES.join(', ')})`);
        const settles = resolution ? TRIAGE_SCALE[resolution].settles : undefined;
        const status = opts.status ?? settles;
        if (status === undefined)
          throw new UsageError(
            `say how the alert is settled with --resolution (${choices}), or give another --status`,
          );
        if ((status === 'resolved' || status === 'dismissed') && !resolution)
          throw new UsageError(`--status ${status} settles the alert: give --resolution (${choices})`);
        if (resolution && settles !== status)
          throw new UsageError(
            `--resolution ${resolution} ${settles === 'resolved' ? 'resolves' : 'dismisses'} the alert, not ${status}`,
          );
        const triage = statusToAction[status]!;
        const body = {
          action: triage,
          ...(resolution ? { resolution } : {}),
          reason,
          ...(opts.note ? { note: opts.note } : {}),
        };
        const result = await withTarget(opts, async (t) =>
          t.kind === 'server'
            ? t.client.post<TriageAnswer>(`/api/admin/alerts/${id}/triage`, body)
            : t.actions.triageAlert(await t.actor(), id, body),
        );
        emit(
          opts,
          { ...result, id },
          (r) =>
            `alert #${id} is now ${r.status}${r.resolution ? ` (${TRIAGE_SCALE[r.resolution].text})` : ''}`,
        );
      },
    );
}

function registerVersionCommands(program: Command): void {
  const quarantine = program
    .command('quarantine')
    .description('versions held for review: list, release, reject');
  incident(quarantine.command('list').description('versions held in quarantine')).action(
    async (opts: IncidentOptions) => {
      const result = await withTarget(opts, (t) =>
        t.kind === 'server'
          ? t.client.get<Awaited<ReturnType<typeof listQuarantine>>>('/api/admin/quarantine')
          : listQuarantine(t.services),
      );
      emit(opts, result, (r) =>
        [
          ...r.versions.map((v) => `${v.crate}@${v.version}  published ${v.published_at}`),
          `${plural(r.versions.length, 'version')} in quarantine`,
        ].join('\n'),
      );
    },
  );
  for (const [verb, status] of [
    ['release', 'published'],
    ['reject', 'rejected'],
  ] as const) {
    const command = action(
      quarantine
        .command(`${verb} <crate@version>`)
        .description(
          verb === 'release' ? 'publish a quarantined version' : 'refuse a quarantined version for good',
        ),
    );
    if (verb === 'release')
      command.option(
        '--confirm <crate@version>',
        'type the version again: required to release one with a critical scan verdict',
      );
    command.action(async (spec: string, opts: IncidentOptions & { reason: string; confirm?: string }) => {
      const { name, version } = crateSpec(spec);
      const reason = checkReason(opts.reason);
      const confirm = opts.confirm !== undefined ? { confirm: opts.confirm } : {};
      const result = await withTarget(opts, async (t) =>
        t.kind === 'server'
          ? t.client.post<{ ok: true; crate: string; version: string; status: string }>(
              `/api/admin/crates/${seg(name)}/versions/${seg(version!)}/${verb}`,
              { reason, ...confirm },
            )
          : t.actions.decide(await t.actor(), name, version!, status, reason, opts.confirm),
      );
      emit(opts, result, (r) => `${r.crate}@${r.version} ${verb === 'release' ? 'released' : 'rejected'}`);
    });
  }

  for (const yanked of [true, false]) {
    const verb = yanked ? 'yank' : 'unyank';
    action(
      program
        .command(`${verb} <crate@version>`)
        .description(yanked ? 'yank a version (cargo stops choosing it)' : 'undo a yank'),
    ).action(async (spec: string, opts: IncidentOptions & { reason: string }) => {
      const { name, version } = crateSpec(spec);
      const reason = checkReason(opts.reason);
      const result = await withTarget(opts, async (t) =>
        t.kind === 'server'
          ? t.client.post<{ ok: true; crate: string; version: string; yanked: boolean }>(
              `/api/admin/crates/${seg(name)}/versions/${seg(version!)}/${verb}`,
              { reason },
            )
          : t.actions.setYanked(await t.actor(), name, version!, yanked, reason),
      );
      emit(opts, result, (r) => `${r.crate}@${r.version} ${r.yanked ? 'yanked' : 'unyanked'}`);
    });
  }

  const crate = program.command('crate').description('crates');
  action(crate.command('delete <crate[@version]>').description('delete a version, or a whole crate'))
    .option('--block-name <days>', 'whole crates: keep the name from being taken for this many days')
    .action(async (spec: string, opts: IncidentOptions & { reason: string; blockName?: string }) => {
      const { name, version } = crateSpec(spec, { optional: true });
      const reason = checkReason(opts.reason);
      let blockDays: number | undefined;
      if (opts.blockName !== undefined) {
        if (version !== null) throw new UsageError('--block-name is for deleting a whole crate');
        if (!/^\d{1,5}$/.test(opts.blockName) || Number(opts.blockName) > 36500)
          throw new UsageError('--block-name takes a whole number of days (0 to 36500)');
        blockDays = Number(opts.blockName);
      }
      const result = await withTarget(opts, async (t): Promise<Record<string, unknown>> => {
        if (version !== null) {
          if (t.kind === 'server') {
            await t.client.delete(`/api/admin/crates/${seg(name)}/versions/${seg(version)}`, { reason });
            return { ok: true, crate: name, version };
          }
          return t.actions.deleteVersion(await t.actor(), name, version, reason);
        }
        if (t.kind === 'server') {
          const r = await t.client.delete<{ blockedDays: number }>(`/api/admin/crates/${seg(name)}`, {
            reason,
            ...(blockDays !== undefined ? { blockDays } : {}),
          });
          return { ok: true, crate: name, blockedDays: r.blockedDays };
        }
        return t.actions.deleteCrate(await t.actor(), name, reason, blockDays);
      });
      emit(opts, result, (r) =>
        r.version
          ? `deleted ${String(r.crate)}@${String(r.version)}`
          : `deleted crate ${String(r.crate)}; its name is blocked for ${plural(Number(r.blockedDays), 'day')}`,
      );
    });
}

type UserJson = ReturnType<typeof userJson>;
type TokenJson = ReturnType<typeof tokenJson> & { user?: string };
const userLine = (u: UserJson) =>
  `${u.login}${u.isAdmin ? ' (admin)' : ''}${u.lockReason !== null || u.lockedUntil !== null ? `  LOCKED${u.lockedUntil ? ` until ${u.lockedUntil}` : ''}: ${u.lockReason ?? ''}` : ''}`;
const tokenLine = (t: TokenJson) =>
  `#${t.id}  ${t.user ? `${t.user}/` : ''}${t.name}  ${t.scopes.join(',')}${t.crates ? `  crates ${t.crates.join(',')}` : ''}` +
  `${t.revokedAt ? `  revoked ${t.revokedAt}` : ''}${t.expiresAt ? `  expires ${t.expiresAt}${expiryWarning(t)}` : ''}`;

/** A warning on a live token that expires within two weeks (or has expired). */
function expiryWarning(t: TokenJson, now = Date.now()): string {
  if (t.revokedAt || !t.expiresAt) return '';
  const days = (Date.parse(t.expiresAt) - now) / 86_400_000;
  if (days <= 0) return '  EXPIRED';
  if (days > 14) return '';
  return `  EXPIRES SOON (in ${Math.ceil(days)} day${Math.ceil(days) === 1 ? '' : 's'}; \`cratekeeper token rotate ${t.id}\`)`;
}

/** The subcommand group `name`, created unless another module registered it already. */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

function registerAccountCommands(program: Command): void {
  const user = group(program, 'user', 'manage registry users');
  incident(user.command('list').description('every user, with admin and lock state')).action(
    async (opts: IncidentOptions) => {
      const result = await withTarget(opts, (t) =>
        t.kind === 'server' ? t.client.get<{ users: UserJson[] }>('/api/admin/users') : listUsers(t.services),
      );
      emit(opts, result, (r) => [...r.users.map(userLine), plural(r.users.length, 'user')].join('\n'));
    },
  );

  incident(user.command('show <login>').description('a user with their crates and tokens')).action(
    async (login: string, opts: IncidentOptions) => {
      const result = await withTarget(opts, async (t) => {
        if (t.kind === 'server')
          return t.client.get<{ user: UserJson; crates: { name: string }[]; tokens: TokenJson[] }>(
            `/api/admin/users/${seg(login)}`,
          );
        const row = await t.actions.user(login);
        const owned = await t.services.db.kysely
          .selectFrom('crate_owners')
          .innerJoin('crates', 'crates.id', 'crate_owners.crate_id')
          .select(['crates.id', 'crates.name'])
          .where('crate_owners.user_id', '=', row.id)
          .orderBy('crates.name')
          .execute();
        return {
          user: userJson(row),
          crates: await Promise.all(
            owned.map(async (c) => ({ name: c.name, maxVersion: await t.services.crates.maxVersion(c.id) })),
          ),
          tokens: (await t.services.tokens.listForUser(row.id)).map(tokenJson),
        };
      });
      emit(opts, result, (r) =>
        [
          userLine(r.user),
          `  name: ${r.user.name ?? '-'}, e-mail: ${r.user.email ?? '-'}, since ${r.user.createdAt}`,
          `  crates: ${r.crates.map((c) => c.name).join(', ') || 'none'}`,
          ...r.tokens.map((tk) => `  token ${tokenLine(tk)}`),
        ].join('\n'),
      );
    },
  );

  action(
    user.command('lock <login>').description('lock an account (its sessions end, its tokens are refused)'),
  )
    .option('--until <date>', 'lift the lock by itself at this time (ISO date; default: until unlocked)')
    .action(async (login: string, opts: IncidentOptions & { reason: string; until?: string }) => {
      const reason = checkReason(opts.reason);
      if (opts.until !== undefined && !Number.isFinite(Date.parse(opts.until)))
        throw new UsageError(`--until must be a date, not ${JSON.stringify(opts.until.slice(0, 40))}`);
      const result = await withTarget(opts, async (t) =>
        t.kind === 'server'
          ? t.client.post<{ ok: true; until: string | null }>(`/api/admin/users/${seg(login)}/lock`, {
              reason,
              ...(opts.until ? { until: opts.until } : {}),
            })
          : t.actions.lockUser(await t.actor(), login, reason, opts.until),
      );
      emit(opts, { ...result, login }, (r) => `locked ${login}${r.until ? ` until ${r.until}` : ''}`);
    });

  registerUnlock(user);

  const token = group(program, 'token', 'manage API tokens');
  incident(token.command('list').description('API tokens (of one user with --user)'))
    .option('--user <login>', 'only this user’s tokens')
    .action(async (opts: IncidentOptions & { user?: string }) => {
      const result = await withTarget(opts, async (t) => {
        if (t.kind === 'server')
          return t.client.get<{ tokens: TokenJson[] }>('/api/admin/tokens', { user: opts.user });
        if (opts.user !== undefined) await t.actions.user(opts.user);
        return listTokens(t.services, opts.user);
      });
      emit(opts, result, (r) => [...r.tokens.map(tokenLine), plural(r.tokens.length, 'token')].join('\n'));
    });

  action(
    token
      .command('revoke [id]')
      .description('revoke a token, or with --user LOGIN --all every token of a user'),
  )
    .option('--user <login>', 'the token’s owner (with --all: whose tokens)')
    .option('--all', 'revoke every token of --user')
    .action(
      async (
        idText: string | undefined,
        opts: IncidentOptions & { reason: string; user?: string; all?: boolean },
      ) => {
        const reason = checkReason(opts.reason);
        if (opts.all) {
          if (idText !== undefined) throw new UsageError('give a token id or --all, not both');
          if (!opts.user) throw new UsageError('--all needs --user LOGIN');
          const login = opts.user;
          const result = await withTarget(opts, async (t) =>
            t.kind === 'server'
              ? t.client.post<{ ok: true; revoked: number }>(
                  `/api/admin/users/${seg(login)}/tokens/revoke-all`,
                  { reason },
                )
              : t.actions.revokeAllTokens(await t.actor(), login, reason),
          );
          emit(opts, { ...result, user: login }, (r) => `revoked ${plural(r.revoked, 'token')} of ${login}`);
          return;
        }
        if (idText === undefined) throw new UsageError('give the token id to revoke (or --user LOGIN --all)');
        const id = positiveId(idText, 'the token id');
        const result = await withTarget(opts, async (t) => {
          if (t.kind === 'local') return t.actions.revokeToken(await t.actor(), id, reason, opts.user);
          // The API names tokens under their owner: find it when not given.
          let owner = opts.user;
          if (owner === undefined) {
            const { tokens } = await t.client.get<{ tokens: TokenJson[] }>('/api/admin/tokens');
            owner = tokens.find((tk) => tk.id === id)?.user;
            if (owner === undefined) throw notFound(`no token ${id}`);
          }
          await t.client.post(`/api/admin/users/${seg(owner)}/tokens/${id}/revoke`, { reason });
          return { ok: true as const, id, user: owner };
        });
        emit(opts, result, (r) => `revoked token #${r.id} of ${r.user}`);
      },
    );

  const owner = program.command('owner').description('crate owners: list, remove');
  incident(owner.command('list <crate>').description('the owners of a crate')).action(
    async (name: string, opts: IncidentOptions) => {
      const result = await withTarget(opts, async (t) => {
        if (t.kind === 'server') {
          const r = await t.client.get<{
            crate: { name: string };
            owners: { login: string; name: string | null }[];
          }>(`/api/admin/crates/${seg(name)}`);
          return { crate: r.crate.name, owners: r.owners };
        }
        const krate = await t.actions.crate(name);
        const owners = await t.services.crates.owners(krate.id);
        return { crate: krate.name, owners: owners.map((o) => ({ login: o.login, name: o.name })) };
      });
      emit(opts, result, (r) =>
        [
          ...r.owners.map((o) => `${o.login}${o.name ? `  (${o.name})` : ''}`),
          `${plural(r.owners.length, 'owner')} of ${r.crate}`,
        ].join('\n'),
      );
    },
  );
  action(
    owner.command('remove <crate> <login>').description('remove an owner (and their pending invitation)'),
  ).action(async (name: string, login: string, opts: IncidentOptions & { reason: string }) => {
    const reason = checkReason(opts.reason);
    const result = await withTarget(opts, async (t) =>
      t.kind === 'server'
        ? t.client.delete<{ ok: true; removed: boolean; invitationCancelled: boolean }>(
            `/api/admin/crates/${seg(name)}/owners/${seg(login)}`,
            { reason },
          )
        : t.actions.removeOwner(await t.actor(), name, login, reason),
    );
    emit(opts, { ...result, crate: name, login }, (r) =>
      r.removed
        ? `removed ${login} from the owners of ${name}${r.invitationCancelled ? ' (and withdrew their invitation)' : ''}`
        : `withdrew ${login}'s invitation to own ${name}`,
    );
  });

  const names = program.command('name').description('crate names: block, reserve, unblock');
  for (const verb of ['block', 'reserve'] as const) {
    action(
      names
        .command(`${verb} <name>`)
        .description(verb === 'block' ? 'refuse a crate name for good' : 'hold a crate name for someone'),
    ).action(async (name: string, opts: IncidentOptions & { reason: string }) => {
      const reason = checkReason(opts.reason);
      const result = await withTarget(opts, async (t) =>
        t.kind === 'server'
          ? t.client.post<{ ok: true }>('/api/admin/names', { name, action: verb, reason })
          : t.actions.reserveName(await t.actor(), name, verb, reason),
      );
      emit(
        opts,
        { ...result, name, kind: verb === 'block' ? 'blocked' : 'reserved' },
        (r) => `${name} is now ${r.kind}`,
      );
    });
  }
  action(names.command('unblock <name>').description('lift the block or reservation of a name')).action(
    async (name: string, opts: IncidentOptions & { reason: string }) => {
      const reason = checkReason(opts.reason);
      const result = await withTarget(opts, async (t) =>
        t.kind === 'server'
          ? t.client.delete<{ ok: true; kind: string }>(`/api/admin/names/${seg(name)}`, { reason })
          : t.actions.unblockName(await t.actor(), name, reason),
      );
      emit(opts, { ...result, name }, (r) => `${name} is no longer ${r.kind}`);
    },
  );
}

/**
 * `user unlock`: with --as or --server, the console's unlock (reason required, `unlock-user`).
 * Without either it stays the break-glass unlock for when no administrator can sign in: the
 * local registry, actor `cli`, `user-unlock`.
 */
function registerUnlock(user: Command): void {
  incident(
    user
      .command('unlock <login>')
      .description("lift a user's account lock and forget their failed sign-ins (from every address)"),
  )
    .option('--reason <text>', 'why (required with --as or --server, as in the console)')
    .action(async (login: string, opts: IncidentOptions & { reason?: string }) => {
      const asAdmin = opts.as !== undefined || opts.server !== undefined;
      if (asAdmin) {
        if (opts.reason === undefined) throw new UsageError('--reason is required with --as or --server');
        const reason = checkReason(opts.reason);
        const result = await withTarget(opts, async (t) =>
          t.kind === 'server'
            ? t.client.post<{ ok: true; throttleEntries: number }>(`/api/admin/users/${seg(login)}/unlock`, {
                reason,
              })
            : t.actions.unlockUser(await t.actor(), login, reason),
        );
        emit(
          opts,
          { ...result, login },
          (r) =>
            `unlocked ${login}; ${plural(r.throttleEntries, 'sign-in throttle entry', 'sign-in throttle entries')} cleared`,
        );
        return;
      }
      const result = await withTarget(opts, async (t) => {
        if (t.kind !== 'local') throw new Error('unreachable');
        const { services } = t;
        const row = await services.users.findByLogin(login);
        if (!row) throw notFound(`no user \`${login.slice(0, 60)}\``);
        const accountLock = row.lock_reason !== null || row.locked_until !== null;
        // The unlock and its audit entry commit together.
        const throttleEntries = await services.db.kysely.transaction().execute(async (trx) => {
          if (accountLock) await services.users.unlock(row.id, trx);
          const cleared = await services.throttle.clearLogin(row.login, trx);
          await services.audit.append(
            {
              actorId: null,
              actor: 'cli',
              action: 'user-unlock',
              targetType: 'user',
              target: row.login,
              ...(opts.reason ? { reason: opts.reason.trim() } : {}),
              details: { accountLock, throttleEntries: cleared },
            },
            new Date(),
            trx,
          );
          return cleared;
        });
        return { ok: true as const, login: row.login, accountLock, throttleEntries };
      });
      emit(
        opts,
        result,
        (r) =>
          `unlocked ${r.login}${r.accountLock ? ' (account lock lifted)' : ''}; ` +
          `${plural(r.throttleEntries, 'sign-in throttle entry', 'sign-in throttle entries')} cleared`,
      );
    });
}

export function registerIncidentCommands(program: Command): void {
  registerAlertCommands(program);
  registerVersionCommands(program);
  registerAccountCommands(program);
}

// The admin actions, shared by the admin API routes and the local `cratekeeper` incident
// commands so that both write the same changes and the same audit entries. Each action checks
// its reason, runs its writes and its audit entry in one transaction (both commit or neither),
// and after the commit drops whatever was derived from the data it changed (index files, the
// graph). Reads that decide the action happen before the transaction: on SQLite the
// transaction holds the one connection, so nothing inside it may query outside `trx`.
import type { Transaction } from 'kysely';
import { crateNameError } from '../domain/crate-name.js';
import { badRequest, notFound } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import { severityRank, type AlertFilter, type AlertRepository, type AlertSubject } from '../store/alerts.js';
import type { AlertStatus, CrateRow, Database, TokenRow, UserRow, VersionRow } from '../store/schema.js';
import {
  TRIAGE_ACTIONS,
  TRIAGE_RESOLUTIONS,
  TRIAGE_SCALE,
  isTriageResolution,
  type TriageAction,
  type TriageResolution,
} from './api-types.js';
import { requireCrateAccess, type AdminActor } from './auth.js';
import { impactOf } from './read-routes.js';

/** Who acts: an administrator, from where, and through what (for the audit entry's details). */
export interface ActingAdmin {
  user: UserRow;
  ip: string | null;
  via: 'console' | 'token' | 'cli';
  /** The admin API token used, with the crates it is limited to (null: all). */
  token: AdminActor['token'];
}

export function actingAdminOf(actor: AdminActor): ActingAdmin {
  return { user: actor.user, ip: actor.ip, via: actor.session ? 'console' : 'token', token: actor.token };
}

/** The triage actions, by name, and the status each leaves the alert in. */
export const TRIAGE: Readonly<Record<string, AlertStatus>> = TRIAGE_ACTIONS;

/** A triage reason as the server takes it: one of the declared scale, or a clear error. */
function checkedResolution(v: unknown): TriageResolution {
  if (!isTriageResolution(v))
    throw badRequest(`\`resolution\` must be one of ${TRIAGE_RESOLUTIONS.join(', ')}`);
  return v;
}

/** What a settling triage records as its reason: the structured reason, then the words. */
const labelled = (r: TriageResolution, words: string) => `${TRIAGE_SCALE[r].text}: ${words}`;

type TargetType = Parameters<RegistryServices['audit']['append']>[0]['targetType'];

/** A reason as the console asks for it: at least 3 characters once trimmed. */
export function checkedReason(reason: unknown, key = 'reason'): string {
  if (typeof reason !== 'string' || reason.trim().length < 3)
    throw badRequest(`\`${key}\` is required (at least 3 characters)`);
  if (reason.length > 2000) throw badRequest(`\`${key}\` is too long (at most 2000 characters)`);
  return reason.trim();
}

/** The most alerts one bulk triage settles: a larger set is narrowed first. */
export const MAX_BULK_TRIAGE = 1000;

interface ReleaseFinding {
  ruleId?: unknown;
  severity?: unknown;
  title?: unknown;
  file?: unknown;
  line?: unknown;
}

/** How many alerts an action was recorded on, and how many it settled. */
function alertCounts(f: { alerts: number[]; settled: number[] }) {
  return { followed: f.alerts.length, settled: f.settled.length };
}

export class AdminActions {
  constructor(
    private readonly services: RegistryServices,
    private readonly alerts: AlertRepository,
    private readonly options: { deletedNameBlockDays: number },
  ) {}

  private get db() {
    return this.services.db.kysely;
  }

  /** The action's audit entry, written in the action's transaction so both commit or neither. */
  private record(
    trx: Transaction<Database>,
    actor: ActingAdmin,
    action: string,
    targetType: TargetType,
    target: string,
    reason: string,
    details: Record<string, unknown> = {},
  ) {
    return this.services.audit.append(
      {
        actorId: actor.user.id,
        actor: actor.user.login,
        action,
        targetType,
        target,
        reason,
        details: { ...details, ...this.viaDetails(actor) },
        ip: actor.ip,
      },
      new Date(),
      trx,
    );
  }

  /**
   * The action's audit entry, and the alerts about its subject following it: each gets the
   * action (who, when, why, the entry's id) and, when `settle` says so, is resolved with it.
   * The entry lists the alerts, so the log alone tells which were settled by what.
   */
  private async recordFollowed(
    trx: Transaction<Database>,
    actor: ActingAdmin,
    action: string,
    targetType: TargetType,
    target: string,
    reason: string,
    details: Record<string, unknown>,
    subject: AlertSubject,
    settle = false,
  ): Promise<{ auditId: number; alerts: number[]; settled: number[] }> {
    const ids = await this.alerts.idsAbout(subject, trx);
    const entry = await this.record(trx, actor, action, targetType, target, reason, {
      ...details,
      ...(ids.length > 0 ? { alerts: ids, settlesAlerts: settle } : {}),
    });
    const settled = await this.alerts.followUp(
      ids,
      {
        action,
        actor: actor.user.login,
        reason,
        auditId: entry.id,
        ...(settle ? { settle: { status: 'resolved' as const, resolution: action } } : {}),
      },
      new Date(),
      trx,
    );
    return { auditId: entry.id, alerts: ids, settled };
  }

  private viaDetails(actor: ActingAdmin) {
    return { via: actor.via, ...(actor.token ? { tokenId: actor.token.id } : {}) };
  }

  private inTransaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async crate(name: string): Promise<CrateRow> {
    const krate = await this.services.crates.findByName(name);
    if (!krate) throw notFound(`no crate \`${name.slice(0, 100)}\``);
    return krate;
  }
  async version(krate: CrateRow, num: string): Promise<VersionRow> {
    const v = await this.services.crates.findVersion(krate.id, num);
    if (!v) throw notFound(`no version ${krate.name}@${num.slice(0, 100)}`);
    return v;
  }
  async user(login: string): Promise<UserRow> {
    const user = await this.services.users.findByLogin(login);
    if (!user) throw notFound(`no user \`${login.slice(0, 60)}\``);
    return user;
  }

  /**
   * Triages one alert. Dismissing or resolving it needs a structured reason from the declared
   * scale (the one bulk triage takes), which decides the status; `action` may then be left out.
   * Every triage is recorded on the alert's history with its audit entry.
   */
  async triageAlert(
    actor: ActingAdmin,
    id: number,
    input: { action?: unknown; resolution?: unknown; reason: unknown; note?: unknown },
  ): Promise<{ ok: true; status: AlertStatus; resolution: TriageResolution | null }> {
    const resolution =
      input.resolution === undefined || input.resolution === null
        ? null
        : checkedResolution(input.resolution);
    const settles = resolution ? TRIAGE_SCALE[resolution].settles : null;
    const action =
      input.action === undefined || input.action === null
        ? settles === 'resolved'
          ? 'resolve'
          : settles === 'dismissed'
            ? 'dismiss'
            : null
        : input.action;
    if (action === null)
      throw badRequest(`send \`action\` (${Object.keys(TRIAGE).join(', ')}) or \`resolution\``);
    const status = typeof action === 'string' && Object.hasOwn(TRIAGE, action) ? TRIAGE[action] : undefined;
    if (!status) throw badRequest(`\`action\` must be one of ${Object.keys(TRIAGE).join(', ')}`);
    const settling = status === 'dismissed' || status === 'resolved';
    if (settling && !resolution)
      throw badRequest(
        `\`resolution\` is required to ${action} an alert: one of ${TRIAGE_RESOLUTIONS.join(', ')}`,
      );
    if (!settling && resolution)
      throw badRequest(`\`resolution\` settles an alert: it goes with dismiss or resolve, not ${action}`);
    if (resolution && settles !== status)
      throw badRequest(
        `${resolution} ${settles === 'resolved' ? 'resolves' : 'dismisses'} an alert: send action \`${settles === 'resolved' ? 'resolve' : 'dismiss'}\` (or leave \`action\` out)`,
      );
    const reason = checkedReason(input.reason);
    const alert = Number.isInteger(id) ? await this.alerts.get(id) : undefined;
    if (!alert) throw notFound('no such alert');
    requireCrateAccess(actor, alert.crate_name);
    const noteIn = input.note;
    const note = typeof noteIn === 'string' && noteIn.trim() ? noteIn.trim().slice(0, 5000) : null;
    const recorded = resolution ? labelled(resolution, reason) : reason;
    const auditAction = `alert-${action as TriageAction}`;
    await this.inTransaction(async (trx) => {
      const now = new Date();
      const entry = await this.record(trx, actor, auditAction, 'alert', String(id), recorded, {
        crate: alert.crate_name,
        version: alert.version,
        from: alert.status,
        to: status,
        ...(resolution ? { resolution } : {}),
        note,
      });
      // Settling sets the status with the resolution; any other triage sets the status, which
      // takes a resolution back when the alert is reopened.
      if (!resolution) await this.alerts.setStatus(id, status, now, trx);
      await this.alerts.followUp(
        [id],
        {
          action: auditAction,
          actor: actor.user.login,
          reason: recorded,
          auditId: entry.id,
          ...(resolution ? { settle: { status, resolution, override: true } } : {}),
        },
        now,
        trx,
      );
      if (note) await this.alerts.addNote(id, actor.user, note, now, trx);
    });
    return { ok: true as const, status, resolution };
  }

  /**
   * Settles many alerts at once with a structured resolution and a note: the alerts named by
   * `ids`, or every alert a filter selects (at most MAX_BULK_TRIAGE). One transaction; one audit
   * entry per alert, so each alert's history reads as if it had been triaged alone.
   */
  async bulkTriage(
    actor: ActingAdmin,
    selection: { ids?: readonly number[]; filter?: AlertFilter },
    resolutionIn: unknown,
    noteIn: unknown,
  ) {
    const resolution = checkedResolution(resolutionIn);
    const note = checkedReason(noteIn, 'note');
    const { ids, filter } = selection;
    if ((ids === undefined) === (filter === undefined))
      throw badRequest('send either `ids` (the alerts to triage) or `filter` (every alert it matches)');
    if (ids && (ids.length === 0 || ids.length > MAX_BULK_TRIAGE))
      throw badRequest(`\`ids\` must name 1 to ${MAX_BULK_TRIAGE} alerts`);
    const status = TRIAGE_SCALE[resolution].settles;
    return this.inTransaction(async (trx) => {
      let alerts;
      if (ids) {
        alerts = await this.alerts.getMany(ids, trx);
        const found = new Set(alerts.map((a) => a.id));
        const missing = [...new Set(ids)].filter((id) => !found.has(id));
        if (missing.length > 0) throw notFound(`no alert ${missing.slice(0, 10).join(', ')}`);
      } else {
        const matching = await this.alerts.idsMatching(filter!, MAX_BULK_TRIAGE + 1, trx);
        if (matching.length > MAX_BULK_TRIAGE)
          throw badRequest(
            `the filter matches more than ${MAX_BULK_TRIAGE} alerts: narrow it (by kind, severity or crate)`,
          );
        alerts = await this.alerts.getMany(matching, trx);
      }
      for (const a of alerts) requireCrateAccess(actor, a.crate_name);
      for (const a of alerts) {
        const entry = await this.record(
          trx,
          actor,
          'alert-bulk-triage',
          'alert',
          String(a.id),
          labelled(resolution, note),
          {
            crate: a.crate_name,
            version: a.version,
            resolution,
            from: a.status,
            to: status,
            batch: alerts.length,
            ...(filter ? { filter } : {}),
          },
        );
        await this.alerts.followUp(
          [a.id],
          {
            action: 'alert-bulk-triage',
            actor: actor.user.login,
            reason: labelled(resolution, note),
            auditId: entry.id,
            settle: { status, resolution, override: true },
          },
          new Date(),
          trx,
        );
      }
      return { ok: true as const, status, resolution, count: alerts.length, ids: alerts.map((a) => a.id) };
    });
  }

  async addAlertNote(actor: ActingAdmin, id: number, note: string) {
    const alert = Number.isInteger(id) ? await this.alerts.get(id) : undefined;
    if (!alert) throw notFound('no such alert');
    requireCrateAccess(actor, alert.crate_name);
    await this.inTransaction(async (trx) => {
      await this.alerts.addNote(id, actor.user, note, new Date(), trx);
      await this.record(trx, actor, 'alert-note', 'alert', String(id), 'note added', { note });
    });
    return { ok: true as const };
  }

  /**
   * Yanks or unyanks a version. A yank `confirmed` as a response to a real threat settles the
   * version's alerts; an unconfirmed one (a precaution while looking) only records itself on them.
   */
  async setYanked(
    actor: ActingAdmin,
    name: string,
    version: string,
    yanked: boolean,
    reasonIn: unknown,
    confirmedIn?: unknown,
  ) {
    const reason = checkedReason(reasonIn);
    if (confirmedIn !== undefined && typeof confirmedIn !== 'boolean')
      throw badRequest('`confirmed` must be true or false');
    const confirmed = yanked && confirmedIn === true;
    const krate = await this.crate(name);
    const v = await this.version(krate, version);
    const impact = await impactOf(this.services, krate.name, v.num);
    const followed = await this.inTransaction(async (trx) => {
      const now = new Date();
      await this.services.crates.setYanked(v.id, yanked, now, trx);
      await this.services.crates.touch(krate.id, now, trx);
      return this.recordFollowed(
        trx,
        actor,
        yanked ? 'yank' : 'unyank',
        'version',
        `${krate.name}@${v.num}`,
        reason,
        { impact, ...(yanked ? { confirmed } : {}) },
        { kind: 'version', crateName: krate.name, version: v.num },
        confirmed,
      );
    });
    this.services.crateChanged(krate.name);
    return { ok: true as const, crate: krate.name, version: v.num, yanked, alerts: alertCounts(followed) };
  }

  /**
   * What releasing a held version from quarantine involves: its latest verdict, its most severe
   * findings, and whether the verdict is critical enough that the release must be confirmed by
   * typing `crate@version`.
   */
  async releaseCheck(name: string, version: string) {
    const krate = await this.crate(name);
    const v = await this.version(krate, version);
    const scan = await this.db
      .selectFrom('scan_results')
      .select(['verdict', 'findings'])
      .where('version_id', '=', v.id)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const findings = scan ? (JSON.parse(scan.findings) as ReleaseFinding[]) : [];
    const top = [...findings]
      .sort((a, b) => severityRank(String(b.severity)) - severityRank(String(a.severity)))
      .slice(0, 5)
      .map((f) => ({
        ruleId: String(f.ruleId ?? ''),
        severity: String(f.severity ?? ''),
        title: String(f.title ?? ''),
        file: typeof f.file === 'string' ? f.file : null,
        line: typeof f.line === 'number' ? f.line : null,
      }));
    const verdict = scan?.verdict ?? null;
    return {
      crate: krate.name,
      version: v.num,
      status: v.status,
      verdict,
      findingCount: findings.length,
      topFindings: top,
      confirmText: verdict === 'critical' ? `${krate.name}@${v.num}` : null,
    };
  }

  /** Releases (`published`) or rejects a quarantined version. */
  async decide(
    actor: ActingAdmin,
    name: string,
    version: string,
    status: 'published' | 'rejected',
    reasonIn: unknown,
    confirmIn?: unknown,
  ) {
    const reason = checkedReason(reasonIn);
    const krate = await this.crate(name);
    const v = await this.version(krate, version);
    if (v.status !== 'quarantined')
      throw badRequest(`${krate.name}@${v.num} is not in quarantine (it is ${v.status})`);
    if (status === 'published') {
      // The riskiest action is the hardest: a critical verdict is released only by someone who
      // typed what they release, here as much as in the console.
      const { confirmText } = await this.releaseCheck(krate.name, v.num);
      if (confirmText && confirmIn !== confirmText)
        throw badRequest(
          `${confirmText} has a critical scan verdict: confirm the release by sending \`confirm\`: "${confirmText}"`,
        );
    }
    // Policy: a held version may need a signed audit before it is released.
    const required = this.services.security.config.releaseRequiresCriteria;
    if (
      status === 'published' &&
      required &&
      !(await this.services.vet.certifies(krate.name, v.num, required))
    ) {
      throw badRequest(
        `${krate.name}@${v.num} cannot leave quarantine: this registry requires an audit certifying \`${required}\` for it ([security] release_requires_criteria), and it has none with a valid signature`,
      );
    }
    const followed = await this.inTransaction(async (trx) => {
      await this.services.crates.setStatus(v.id, status, trx);
      await this.services.crates.touch(krate.id, new Date(), trx);
      // A rejection settles the version's alerts; a release is recorded on them, still open.
      return this.recordFollowed(
        trx,
        actor,
        status === 'published' ? 'release' : 'reject',
        'version',
        `${krate.name}@${v.num}`,
        reason,
        {},
        { kind: 'version', crateName: krate.name, version: v.num },
        status === 'rejected',
      );
    });
    this.services.crateChanged(krate.name);
    return { ok: true as const, crate: krate.name, version: v.num, status, alerts: alertCounts(followed) };
  }

  async deleteVersion(actor: ActingAdmin, name: string, version: string, reasonIn: unknown) {
    const reason = checkedReason(reasonIn);
    const krate = await this.crate(name);
    const v = await this.version(krate, version);
    const impact = await impactOf(this.services, krate.name, v.num);
    // The file is not deleted here: once no version references it, the blob GC removes it
    // after its grace period, so a rolled-back delete never loses a file.
    const followed = await this.inTransaction(async (trx) => {
      const now = new Date();
      await this.services.crates.deleteVersion(v.id, now, trx);
      await this.services.crates.touch(krate.id, now, trx);
      return this.recordFollowed(
        trx,
        actor,
        'delete-version',
        'version',
        `${krate.name}@${v.num}`,
        reason,
        { checksum: v.checksum, impact },
        { kind: 'version', crateName: krate.name, version: v.num },
        true,
      );
    });
    this.services.crateChanged(krate.name);
    return { ok: true as const, crate: krate.name, version: v.num, alerts: alertCounts(followed) };
  }

  async deleteCrate(actor: ActingAdmin, name: string, reasonIn: unknown, blockDaysIn?: unknown) {
    const reason = checkedReason(reasonIn);
    const blockDays = blockDaysIn === undefined ? this.options.deletedNameBlockDays : Number(blockDaysIn);
    if (!Number.isInteger(blockDays) || blockDays < 0 || blockDays > 36500)
      throw badRequest('`blockDays` must be a whole number of days');
    const krate = await this.crate(name);
    const impact = await impactOf(this.services, krate.name, null);
    // Files are left to the blob GC, as for a deleted version.
    const followed = await this.inTransaction(async (trx) => {
      await this.services.crates.deleteCrate(krate.id, blockDays, reason, new Date(), trx);
      return this.recordFollowed(
        trx,
        actor,
        'delete-crate',
        'crate',
        krate.name,
        reason,
        { blockDays, impact },
        { kind: 'crate', crateName: krate.name },
        true,
      );
    });
    this.services.crateChanged(krate.name);
    return { ok: true as const, crate: krate.name, blockedDays: blockDays, alerts: alertCounts(followed) };
  }

  async removeOwner(actor: ActingAdmin, name: string, login: string, reasonIn: unknown) {
    const reason = checkedReason(reasonIn);
    const krate = await this.crate(name);
    const user = await this.user(login);
    // Removing an owner also withdraws their pending invitation, else they could accept it and
    // be back; both (and their audit entries) commit together.
    const outcome = await this.inTransaction(async (trx) => {
      const now = new Date();
      const removed = await this.services.crates.removeOwner(krate.id, user.id, trx);
      if (removed)
        await this.record(trx, actor, 'owner-remove', 'crate', krate.name, reason, { owner: user.login });
      const invitationCancelled = await this.services.invitations.cancel(
        krate,
        user,
        { id: actor.user.id, login: actor.user.login },
        { ip: actor.ip, details: { ...this.viaDetails(actor), reason } },
        now,
        trx,
      );
      return { removed, invitationCancelled };
    });
    if (!outcome.removed && !outcome.invitationCancelled)
      throw badRequest(`${user.login} neither owns ${krate.name} nor has a pending invitation for it`);
    return { ok: true as const, ...outcome };
  }

  async lockUser(actor: ActingAdmin, login: string, reasonIn: unknown, untilIn?: unknown) {
    const reason = checkedReason(reasonIn);
    let until: string | null = null;
    if (untilIn !== undefined && untilIn !== null && untilIn !== '') {
      const t = Date.parse(String(untilIn));
      if (!Number.isFinite(t) || t <= Date.now()) throw badRequest('`until` must be a future date');
      until = new Date(t).toISOString();
    }
    const user = await this.user(login);
    if (user.id === actor.user.id) throw badRequest('you cannot lock your own account');
    const followed = await this.inTransaction(async (trx) => {
      await this.services.users.lock(user.id, reason, until, trx);
      // A locked account's console sessions end now; its tokens are refused while locked.
      await this.services.sessions.deleteForUser(user.id, trx);
      // Recorded on the alerts about what the user published; locking settles none of them.
      return this.recordFollowed(
        trx,
        actor,
        'lock-user',
        'user',
        user.login,
        reason,
        { until },
        {
          kind: 'publisher',
          userId: user.id,
        },
      );
    });
    return { ok: true as const, until, alerts: alertCounts(followed) };
  }

  async unlockUser(actor: ActingAdmin, login: string, reasonIn: unknown) {
    const reason = checkedReason(reasonIn);
    const user = await this.user(login);
    const accountLock = user.lock_reason !== null || user.locked_until !== null;
    // The failed sign-ins counted against the login go too, or a throttle lock would keep the
    // unlocked user out.
    const throttleEntries = await this.inTransaction(async (trx) => {
      await this.services.users.unlock(user.id, trx);
      const cleared = await this.services.throttle.clearLogin(user.login, trx);
      await this.recordFollowed(
        trx,
        actor,
        'unlock-user',
        'user',
        user.login,
        reason,
        { accountLock, throttleEntries: cleared },
        { kind: 'publisher', userId: user.id },
      );
      return cleared;
    });
    return { ok: true as const, accountLock, throttleEntries };
  }

  /** Revokes one token; `login` (when given) must be its owner. */
  async revokeToken(actor: ActingAdmin, id: number, reasonIn: unknown, login?: string) {
    const reason = checkedReason(reasonIn);
    const token: TokenRow | undefined = Number.isSafeInteger(id)
      ? await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    const owner = token ? await this.services.users.findById(token.user_id) : undefined;
    if (login !== undefined) {
      const user = await this.user(login);
      if (!token || !owner || owner.id !== user.id)
        throw notFound(`${user.login} has no token ${String(id).slice(0, 20)}`);
    }
    if (!token || !owner) throw notFound(`no token ${String(id).slice(0, 20)}`);
    const followed = await this.inTransaction(async (trx) => {
      // The update is the check: of two concurrent revokes only one writes and is recorded.
      if (!(await this.services.tokens.revoke(token.id, new Date(), trx)))
        throw badRequest('that token is already revoked');
      // Recorded on the alerts about versions published with the token.
      return this.recordFollowed(
        trx,
        actor,
        'revoke-token',
        'token',
        `${owner.login}/${token.name}#${token.id}`,
        reason,
        {},
        { kind: 'token', tokenId: token.id },
      );
    });
    return { ok: true as const, id: token.id, user: owner.login, alerts: alertCounts(followed) };
  }

  /** "Revoke the token that published this": the token recorded in the version's provenance. */
  async revokePublishingToken(actor: ActingAdmin, name: string, version: string, reasonIn: unknown) {
    const reason = checkedReason(reasonIn);
    const krate = await this.crate(name);
    const v = await this.version(krate, version);
    if (v.token_id === null)
      throw badRequest(`${krate.name}@${v.num} was not published with a token that is still on record`);
    return this.revokeToken(actor, v.token_id, reason);
  }

  async revokeAllTokens(actor: ActingAdmin, login: string, reasonIn: unknown) {
    const reason = checkedReason(reasonIn);
    const user = await this.user(login);
    const revoked = await this.inTransaction(async (trx) => {
      const n = await this.services.tokens.revokeAllForUser(user.id, new Date(), trx);
      await this.record(trx, actor, 'revoke-all-tokens', 'user', user.login, reason, { revoked: n });
      return n;
    });
    return { ok: true as const, revoked };
  }

  async reserveName(actor: ActingAdmin, name: string, action: unknown, reasonIn: unknown) {
    if (action !== 'reserve' && action !== 'block') throw badRequest('`action` must be `reserve` or `block`');
    const reason = checkedReason(reasonIn);
    const err = crateNameError(name);
    if (err) throw badRequest(err);
    requireCrateAccess(actor, name);
    await this.inTransaction(async (trx) => {
      await this.services.crates.reserveName(name, reason, action === 'block' ? 'blocked' : 'reserved', trx);
      await this.record(trx, actor, action === 'block' ? 'block-name' : 'reserve-name', 'name', name, reason);
    });
    return { ok: true as const };
  }

  /** Lifts a reservation or block of a name. */
  async unblockName(actor: ActingAdmin, name: string, reasonIn: unknown) {
    const reason = checkedReason(reasonIn);
    requireCrateAccess(actor, name);
    const held = await this.services.crates.reservation(name);
    if (!held) throw notFound(`\`${name.slice(0, 100)}\` is neither reserved nor blocked`);
    await this.inTransaction(async (trx) => {
      await this.services.crates.releaseName(name, trx);
      await this.record(trx, actor, 'unblock-name', 'name', name, reason, { kind: held.kind });
    });
    return { ok: true as const, kind: held.kind };
  }
}

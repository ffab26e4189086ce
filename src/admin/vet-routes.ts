// The admin API of the registry's audit authority: administrators grant and revoke the auditor
// role (the registry generates the auditor's Ed25519 key at grant time) and define criteria;
// auditors record audits of a version or a delta, which the registry signs with their key over
// the entry and the checksums of the `.crate` files reviewed. Each action needs a reason and is
// written to the audit log, signature included, in the action's transaction.
import type { Transaction } from 'kysely';
import { formatVersion, tryParseVersion } from '../domain/semver.js';
import { formatVersionReq, tryParseVersionReq } from '../domain/version-req.js';
import { badRequest, notFound } from '../registry/errors.js';
import { stringField } from '../registry/json-body.js';
import { BUILT_IN_CRITERIA, criteriaNameError } from '../registry/vet-authority.js';
import { signAudit, type ReviewedFile, type SignedAudit } from '../security/vet/audit-signature.js';
import { MAX_CRITERIA } from '../security/vet/criteria.js';
import { keyState } from '../security/vet/key-validity.js';
import type { Database, UserRow, VetAuditorKeyRow, VetAuditRow } from '../store/schema.js';
import { criteriaOf, parseChecksums } from '../store/vet-audits.js';
import {
  AuditorList,
  KeyIdParams,
  RevokeKeyAnswer,
  RotateKeyAnswer,
  CriteriaAnswer,
  CriteriaBody,
  CriteriaList,
  GrantAnswer,
  Params,
  ReasonBody,
  RevokeAuditorAnswer,
  VetAuditAnswer,
  VetAuditBody,
  VetAuditList,
  type AuditorKeyJson,
  type VetAudit,
} from './api-types.js';
import type { AdminActor } from './auth.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';

const MAX_NOTES = 10_000;

export function vetAuditJson(
  a: VetAuditRow,
  check: { signatureValid: boolean; problems: string[] },
): VetAudit {
  return {
    id: a.id,
    crate: a.crate_name,
    kind: a.kind,
    version: a.version,
    delta: a.kind === 'delta' ? `${a.delta_from} -> ${a.delta_to}` : null,
    violation: a.violation,
    criteria: criteriaOf(a),
    who: a.who,
    notes: a.notes,
    checksums: parseChecksums(a.checksums),
    keyId: a.key_id,
    signature: a.signature,
    signatureValid: check.signatureValid,
    problems: check.problems,
    createdAt: a.created_at,
  };
}

export function auditorKeyJson(k: VetAuditorKeyRow, auditsSigned: number): AuditorKeyJson {
  return {
    keyId: k.key_id,
    publicKey: k.public_key,
    createdAt: k.created_at,
    retiredAt: k.retired_at,
    revokedAt: k.revoked_at,
    revokedReason: k.revoked_reason,
    state: keyState(k),
    auditsSigned,
  };
}

/** Current key first, then the others newest first. */
export function keysInOrder(keys: VetAuditorKeyRow[]): VetAuditorKeyRow[] {
  return [...keys].sort(
    (a, b) =>
      Number(keyState(a) !== 'current') - Number(keyState(b) !== 'current') ||
      (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0),
  );
}

export function registerVetRoutes({ app, services }: AdminContext): void {
  const db = services.db.kysely;
  const vet = services.vet;
  const record = (
    trx: Transaction<Database>,
    actor: AdminActor,
    action: string,
    targetType: 'user' | 'version' | 'crate' | 'registry',
    target: string,
    reason: string,
    details: Record<string, unknown> = {},
  ) =>
    services.audit.append(
      {
        actorId: actor.user.id,
        actor: actor.user.login,
        action,
        targetType,
        target,
        reason,
        details: { ...details, via: actor.session ? 'console' : 'token' },
        ip: actor.ip,
      },
      new Date(),
      trx,
    );
  const userOr404 = async (login: string): Promise<UserRow> => {
    const user = await services.users.findByLogin(login);
    if (!user) throw notFound(`no user \`${login.slice(0, 60)}\``);
    return user;
  };

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/vet/auditors',
      summary:
        'Auditors and former auditors with every Ed25519 key they had: validity interval, state, audits signed',
      access: { accounts: true },
      response: AuditorList,
    },
    async () => {
      const keys = await vet.repo.keys();
      const signed = await vet.repo.auditsPerKey();
      const owners = new Set(keys.map((k) => k.user_id));
      const users = (await vet.repo.auditors()).map((u) => u.id);
      const ids = [...new Set([...users, ...owners])];
      const rows = (await Promise.all(ids.map((id) => services.users.findById(id)))).filter(
        (u): u is UserRow => u !== undefined,
      );
      return {
        auditors: rows
          .sort((a, b) => (a.login < b.login ? -1 : 1))
          .map((u) => ({
            login: u.login,
            name: u.name,
            isAuditor: u.is_auditor === 1,
            keys: keysInOrder(keys.filter((k) => k.user_id === u.id)).map((k) =>
              auditorKeyJson(k, signed.get(k.key_id) ?? 0),
            ),
          })),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/vet/me/key/rotate',
      summary: "Rotate the signed-in auditor's signing key (re-authentication): the old key is retired",
      description:
        'The old key stops signing and stays published with its validity interval, so the audits it signed stay verifiable; new audits are signed with the new key.',
      access: { auditor: true, destructive: true },
      body: ReasonBody,
      response: RotateKeyAnswer,
    },
    async (req) => {
      const actor = actorOf(req);
      const reason = stringField(req.body, 'reason', { min: 3 });
      const next = vet.vault.generate(actor.user.id);
      const old = await db.transaction().execute(async (trx) => {
        const now = new Date();
        const retired = await vet.repo.rotateKey(actor.user.id, next, now, trx);
        await record(trx, actor, 'vet-rotate-key', 'user', actor.user.login, reason, {
          retiredKeyId: retired?.key_id ?? null,
          keyId: next.keyId,
          publicKey: next.publicKey,
        });
        return retired;
      });
      return { ok: true, keyId: next.keyId, publicKey: next.publicKey, retiredKeyId: old?.key_id ?? null };
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/vet/keys/:keyId/revoke',
      summary: 'Revoke a compromised auditor key: every audit it signed fails verification',
      description:
        'For a key that may have been stolen. An auditor whose current key it was gets a new one at once.',
      access: { accounts: true, destructive: true },
      params: KeyIdParams,
      body: ReasonBody,
      response: RevokeKeyAnswer,
    },
    async (req) => {
      const actor = actorOf(req);
      const reason = stringField(req.body, 'reason', { min: 3 });
      const key = await vet.repo.key(req.params.keyId);
      if (!key) throw notFound(`no auditor key ${req.params.keyId}`);
      if (key.revoked_at !== null) throw badRequest(`key ${key.key_id} is already revoked`);
      const owner = await services.users.findById(key.user_id);
      const replace = owner?.is_auditor === 1 && keyState(key) === 'current';
      const next = replace ? vet.vault.generate(key.user_id) : null;
      const affected = (await vet.repo.auditsPerKey()).get(key.key_id) ?? 0;
      await db.transaction().execute(async (trx) => {
        const now = new Date();
        await vet.repo.revokeKey(key.key_id, reason, now, trx);
        if (next) await vet.repo.addKey(key.user_id, next, now, trx);
        await record(trx, actor, 'vet-revoke-key', 'user', owner?.login ?? `#${key.user_id}`, reason, {
          keyId: key.key_id,
          auditsAffected: affected,
          replacementKeyId: next?.keyId ?? null,
          replacementPublicKey: next?.publicKey ?? null,
        });
      });
      return { ok: true, keyId: key.key_id, auditsAffected: affected, replacementKeyId: next?.keyId ?? null };
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/vet/auditors/:login',
      summary: 'Grant the auditor role (the registry generates the signing key)',
      access: { accounts: true },
      params: Params.login,
      body: ReasonBody,
      response: GrantAnswer,
    },
    async (req) => {
      const actor = actorOf(req);
      const reason = stringField(req.body, 'reason', { min: 3 });
      const user = await userOr404(req.params.login);
      if (user.is_auditor === 1) throw badRequest(`${user.login} is already an auditor`);
      const existing = await vet.repo.activeKey(user.id);
      const key = existing ? null : vet.vault.generate(user.id);
      await db.transaction().execute(async (trx) => {
        await vet.repo.setAuditor(user.id, true, trx);
        if (key) await vet.repo.addKey(user.id, key, new Date(), trx);
        await record(trx, actor, 'vet-grant-auditor', 'user', user.login, reason, {
          keyId: key?.keyId ?? existing!.key_id,
          publicKey: key?.publicKey ?? existing!.public_key,
        });
      });
      return { ok: true, login: user.login, keyId: key?.keyId ?? existing!.key_id };
    },
  );

  adminRoute(
    app,
    {
      method: 'DELETE',
      url: '/vet/auditors/:login',
      summary: 'Revoke the auditor role (its keys are retired, old audits stay verifiable)',
      access: { accounts: true },
      params: Params.login,
      body: ReasonBody,
      response: RevokeAuditorAnswer,
    },
    async (req) => {
      const actor = actorOf(req);
      const reason = stringField(req.body, 'reason', { min: 3 });
      const user = await userOr404(req.params.login);
      if (user.is_auditor !== 1) throw badRequest(`${user.login} is not an auditor`);
      // The key is retired, not deleted: audits it signed stay verifiable.
      const retired = await db.transaction().execute(async (trx) => {
        await vet.repo.setAuditor(user.id, false, trx);
        const n = await vet.repo.retireKeys(user.id, new Date(), trx);
        await record(trx, actor, 'vet-revoke-auditor', 'user', user.login, reason, { retiredKeys: n });
        return n;
      });
      return { ok: true, retiredKeys: retired };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/vet/criteria',
      summary: 'Built-in and registry-defined audit criteria',
      access: { auditor: 'or-admin' },
      response: CriteriaList,
    },
    async () => ({
      builtIn: Object.entries(BUILT_IN_CRITERIA).map(([name, c]) => ({ name, ...c })),
      custom: (await vet.repo.criteria()).map((c) => ({
        name: c.name,
        description: c.description,
        implies: JSON.parse(c.implies) as string[],
        createdAt: c.created_at,
      })),
    }),
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/vet/criteria',
      summary: 'Define a criteria (name, description, implies)',
      access: { allCrates: true },
      body: CriteriaBody,
      response: CriteriaAnswer,
    },
    async (req) => {
      const actor = actorOf(req);
      const body = req.body;
      const name = stringField(body, 'name', { max: 64 });
      const description = stringField(body, 'description', { max: 5000 });
      const reason = stringField(body, 'reason', { min: 3 });
      const nameErr = criteriaNameError(name);
      if (nameErr) throw badRequest(nameErr);
      const custom = await vet.repo.criteria();
      if (BUILT_IN_CRITERIA[name] || custom.some((c) => c.name === name))
        throw badRequest(`criteria \`${name}\` already exists`);
      if (custom.length + 2 >= MAX_CRITERIA) throw badRequest(`at most ${MAX_CRITERIA} criteria in all`);
      const implies = stringList(body.implies, 'implies', { allowEmpty: true });
      const known = new Set([...Object.keys(BUILT_IN_CRITERIA), ...custom.map((c) => c.name)]);
      for (const c of implies)
        if (!known.has(c)) throw badRequest(`\`implies\` names unknown criteria \`${c}\``);
      await db.transaction().execute(async (trx) => {
        await vet.repo.addCriteria(name, description, implies, new Date(), trx);
        await record(trx, actor, 'vet-add-criteria', 'registry', `criteria:${name}`, reason, {
          description,
          implies,
        });
      });
      return { ok: true, name };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/vet/audits',
      summary: "A crate's signed audits with signature validity",
      access: { crateParam: 'name', auditor: 'or-admin' },
      params: Params.name,
      response: VetAuditList,
    },
    async (req) => {
      const checks = await vet.signatureChecks(await vet.repo.audits(req.params.name));
      return { audits: checks.map((c) => vetAuditJson(c.audit, c)) };
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/crates/:name/vet/audits',
      summary: 'Record a signed audit (auditor role): one of version, delta "A -> B", violation',
      access: { crateParam: 'name', auditor: true },
      params: Params.name,
      body: VetAuditBody,
      response: VetAuditAnswer,
    },
    async (req) => {
      const name = req.params.name;
      const actor = actorOf(req);
      const body: Record<string, unknown> = req.body;
      const reason = stringField(body, 'reason', { min: 3 });
      const krate = await services.crates.findByName(name);
      if (!krate) throw notFound(`no crate \`${name.slice(0, 100)}\``);
      const criteria = [...new Set(stringList(body.criteria, 'criteria'))].sort();
      const custom = await vet.repo.criteria();
      for (const c of criteria) {
        if (!BUILT_IN_CRITERIA[c] && !custom.some((x) => x.name === c))
          throw badRequest(`unknown criteria \`${c.slice(0, 70)}\`: define it first`);
      }
      let notes: string | null = null;
      if (body.notes !== undefined && body.notes !== null) {
        if (typeof body.notes !== 'string') throw badRequest('`notes` must be a string');
        if (body.notes.length > MAX_NOTES)
          throw badRequest(`\`notes\` is too long (at most ${MAX_NOTES} characters)`);
        notes = body.notes.trim() === '' ? null : body.notes;
      }
      const given = ['version', 'delta', 'violation'].filter(
        (k) => body[k] !== undefined && body[k] !== null,
      );
      if (given.length !== 1)
        throw badRequest('give exactly one of `version`, `delta` ("A -> B") and `violation`');
      const versionOf = async (text: unknown, what: string): Promise<ReviewedFile & { num: string }> => {
        const parsed = typeof text === 'string' ? tryParseVersion(text.trim()) : null;
        if (!parsed) throw badRequest(`\`${what}\` must be a version`);
        const v = await services.crates.findVersion(krate.id, formatVersion(parsed));
        if (!v) throw notFound(`no version ${krate.name}@${formatVersion(parsed)} in this registry`);
        return { num: v.num, version: v.num, sha256: v.checksum };
      };
      let kind: SignedAudit['kind'];
      const files: ReviewedFile[] = [];
      if (given[0] === 'version') {
        const v = await versionOf(body.version, 'version');
        kind = { type: 'full', version: v.num };
        files.push({ version: v.version, sha256: v.sha256 });
      } else if (given[0] === 'delta') {
        const parts = typeof body.delta === 'string' ? body.delta.split('->') : [];
        if (parts.length !== 2) throw badRequest('`delta` must look like "1.0.0 -> 1.1.0"');
        const from = await versionOf(parts[0], 'delta');
        const to = await versionOf(parts[1], 'delta');
        if (from.num === to.num) throw badRequest('a delta needs two different versions');
        kind = { type: 'delta', from: from.num, to: to.num };
        files.push(
          { version: from.version, sha256: from.sha256 },
          { version: to.version, sha256: to.sha256 },
        );
      } else {
        const req2 = typeof body.violation === 'string' ? tryParseVersionReq(body.violation) : null;
        if (!req2) throw badRequest('`violation` must be a version requirement');
        kind = { type: 'violation', violation: formatVersionReq(req2) };
      }
      const key = await vet.repo.activeKey(actor.user.id);
      if (!key)
        throw badRequest('you have no signing key: ask an administrator to grant the auditor role again');
      const who = actor.user.name ? `${actor.user.name} (${actor.user.login})` : actor.user.login;
      const entry: SignedAudit = { crate: krate.name, kind, criteria, who, notes, checksums: files };
      const signature = signAudit(entry, vet.vault.privateKey(key));
      const stored = await db.transaction().execute(async (trx) => {
        const row = await vet.repo.insertAudit(
          {
            crateName: krate.name,
            kind: kind.type,
            version: kind.type === 'full' ? kind.version : null,
            deltaFrom: kind.type === 'delta' ? kind.from : null,
            deltaTo: kind.type === 'delta' ? kind.to : null,
            violation: kind.type === 'violation' ? kind.violation : null,
            criteria,
            who,
            notes,
            checksums: files,
            signature,
            keyId: key.key_id,
            recordedBy: actor.user.id,
          },
          new Date(),
          trx,
        );
        const target =
          kind.type === 'full'
            ? `${krate.name}@${kind.version}`
            : kind.type === 'delta'
              ? `${krate.name}@${kind.from}->${kind.to}`
              : krate.name;
        await record(
          trx,
          actor,
          'vet-record-audit',
          kind.type === 'violation' ? 'crate' : 'version',
          target,
          reason,
          {
            auditId: row.id,
            kind: kind.type,
            criteria,
            who,
            notes,
            checksums: files,
            keyId: key.key_id,
            signature,
          },
        );
        return row;
      });
      return { ok: true, audit: vetAuditJson(stored, { signatureValid: true, problems: [] }) };
    },
  );
}

function stringList(v: unknown, key: string, { allowEmpty = false } = {}): string[] {
  const list = typeof v === 'string' ? [v] : v === undefined && allowEmpty ? [] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 64))
    throw badRequest(`\`${key}\` must be a criteria name or a list of them`);
  if (!allowEmpty && list.length === 0) throw badRequest(`\`${key}\` must name at least one criteria`);
  if (list.length > MAX_CRITERIA) throw badRequest(`\`${key}\` names too many criteria`);
  return list as string[];
}

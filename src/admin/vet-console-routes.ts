// The console's reads of the audit authority, beside the vet routes (src/admin/vet-routes.ts):
// the signed-in auditor's own key (an auditor may not list every auditor), which criteria each
// version of a crate is certified for and by whom, and the audit sets imported from other
// organisations. Shapes: src/admin/vet-console-types.ts.
import { formatVetVersion } from '../formats/vet-common.js';
import { parseForeignAuditsToml } from '../formats/vet-audits.js';
import { formatVersionReq } from '../domain/version-req.js';
import { notFound } from '../registry/errors.js';
import { versionAuditStatus } from '../registry/vet-status.js';
import type { Schema } from './api-schema.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';
import { auditorKeyJson, keysInOrder } from './vet-routes.js';
import type { AuditorSelf, CrateAuditStatus, ImportedAudit, ImportedAuditSets } from './vet-console-types.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const obj = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const list = (items: unknown) => ({ type: 'array', items });

const SHOWN_IMPORTED = 500;

export function registerVetConsoleRoutes({ app, services }: AdminContext): void {
  const db = services.db.kysely;
  const vet = services.vet;

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/vet/me',
      summary: "The signed-in auditor's role, every Ed25519 key with its state, and audit count",
      access: { auditor: 'or-admin' },
      response: obj({
        login: str,
        name: nullableStr,
        isAuditor: bool,
        keys: list(
          obj({
            keyId: str,
            publicKey: str,
            createdAt: str,
            retiredAt: nullableStr,
            revokedAt: nullableStr,
            revokedReason: nullableStr,
            state: { type: 'string', enum: ['current', 'retired', 'revoked'] },
            auditsSigned: int,
          }),
        ),
        auditsRecorded: int,
      }) as Schema<AuditorSelf>,
    },
    async (req): Promise<AuditorSelf> => {
      const actor = actorOf(req);
      const keys = keysInOrder(await vet.repo.keysOf(actor.user.id));
      const signed = await vet.repo.auditsPerKey();
      const n = await db
        .selectFrom('vet_audits')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('recorded_by', '=', actor.user.id)
        .executeTakeFirstOrThrow();
      return {
        login: actor.user.login,
        name: actor.user.name,
        isAuditor: actor.user.is_auditor === 1,
        keys: keys.map((k) => auditorKeyJson(k, signed.get(k.key_id) ?? 0)),
        auditsRecorded: Number(n.n),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/vet/status',
      summary:
        'Per version: the criteria its signed audits certify (implies followed), by whom, and violations',
      access: { crateParam: 'name', auditor: 'or-admin' },
      params: obj({ name: { type: 'string', minLength: 1, maxLength: 64 } }) as Schema<{ name: string }>,
      response: obj({
        crate: str,
        versions: list(
          obj({
            version: str,
            checksum: str,
            status: str,
            certified: list(
              obj({
                criteria: str,
                by: list(obj({ auditId: int, who: str, how: str, signatureValid: bool })),
                implied: bool,
              }),
            ),
            violations: list(obj({ auditId: int, who: str, violation: str, criteria: list(str) })),
            invalid: list(int),
          }),
        ),
      }) as Schema<CrateAuditStatus>,
    },
    async (req): Promise<CrateAuditStatus> => {
      const { name } = req.params;
      const krate = await services.crates.findByName(name);
      if (!krate) throw notFound(`no crate \`${name.slice(0, 64)}\``);
      const versions = await services.crates.versions(krate.id);
      const checks = await vet.signatureChecks(await vet.repo.audits(krate.name));
      return {
        crate: krate.name,
        versions: versionAuditStatus(versions, checks, await vet.repo.criteria()),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/vet/imports',
      summary: 'Audit sets imported from other organisations (`vet import`), with their audits',
      access: { auditor: 'or-admin' },
      response: obj({
        imports: list(
          obj({
            name: str,
            source: str,
            auditCount: int,
            importedAt: str,
            audits: list(
              obj({
                crate: str,
                kind: str,
                target: str,
                criteria: list(str),
                who: list(str),
                notes: nullableStr,
              }),
            ),
          }),
        ),
      }) as Schema<ImportedAuditSets>,
    },
    async (): Promise<ImportedAuditSets> => {
      const imports = await vet.repo.imports();
      return {
        imports: imports.map((i) => {
          const audits: ImportedAudit[] = [];
          try {
            for (const [crate, entries] of parseForeignAuditsToml(i.audits_toml, i.name).audits.audits)
              for (const e of entries) {
                if (audits.length >= SHOWN_IMPORTED) break;
                audits.push({
                  crate,
                  kind: e.kind.type,
                  target:
                    e.kind.type === 'full'
                      ? formatVetVersion(e.kind.version)
                      : e.kind.type === 'delta'
                        ? `${formatVetVersion(e.kind.from)} -> ${formatVetVersion(e.kind.to)}`
                        : formatVersionReq(e.kind.violation),
                  criteria: e.criteria,
                  who: e.who,
                  notes: e.notes ?? null,
                });
              }
          } catch {
            // Stored as imported (it parsed then); a reader change must not break the page.
          }
          return {
            name: i.name,
            source: i.source,
            auditCount: i.audit_count,
            importedAt: i.imported_at,
            audits,
          };
        }),
      };
    },
  );
}

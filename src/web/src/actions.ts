// The admin actions of docs/admin-api.md, each as the dialog spec its button opens.
import type { ReactNode } from 'react';
import { seg } from './api.js';
import { TRIAGE_RESOLUTIONS, TRIAGE_SCALE } from './api-types.js';

/** The registry's default block on a deleted crate's name (registry/config.ts). */
export const DELETED_NAME_BLOCK_DAYS = 30;

export interface ExtraField {
  name: string;
  label: string;
  type: 'text' | 'date' | 'number' | 'textarea' | 'select' | 'checkbox';
  options?: { value: string; label: string }[];
  hint?: string;
  required?: boolean;
  initial?: string;
  /** Height of a textarea, in lines. */
  rows?: number;
}

export interface ActionSpec {
  /** The button's text. */
  label: string;
  /** The dialog's heading. */
  title: string;
  /** One sentence: what happens when it is confirmed. */
  description: ReactNode;
  method: 'POST' | 'DELETE';
  path: string;
  /** Body fields fixed by the button (e.g. the triage action). */
  body?: Record<string, unknown>;
  /** Whose dependents to count (the dialog asks the impact endpoint). */
  impact?: { crate: string; version?: string | null };
  /** The impact of an action on a user rather than a crate, said in words. */
  impactNote?: string;
  fields?: ExtraField[];
  destructive?: boolean;
  /** Message announced when the action succeeded. */
  done: string;
  /** Ask for the password up front, not only when the server wants it (releasing). */
  alwaysReauth?: boolean;
  /** The text to type to confirm (sent as `confirm`): a critical verdict's `crate@version`. */
  typedConfirmation?: string | null;
  /** Shown above the reason: what the responder should look at before confirming. */
  preface?: ReactNode;
  /** Turns the filled-in fields into the shape the route takes (lists from comma-separated text). */
  shapeBody?: (body: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Whom the server lets do it, and so whom the console offers it to: administrators (the
   * default) or auditors (their own signing key).
   */
  role?: 'admin' | 'auditor';
}

/** Whether the console offers `spec` to this user (the server checks again). */
export function offeredTo(
  spec: Pick<ActionSpec, 'role'>,
  user: { isAdmin: boolean; isAuditor: boolean },
): boolean {
  return spec.role === 'auditor' ? user.isAuditor : user.isAdmin;
}

export const MIN_REASON = 3;

/** The request body: fixed parts, the reason, and the extra fields that were filled in. */
export function actionBody(
  spec: Pick<ActionSpec, 'body' | 'fields' | 'shapeBody'>,
  reason: string,
  values: Record<string, string>,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...spec.body, reason: reason.trim() };
  for (const f of spec.fields ?? []) {
    const v = (values[f.name] ?? '').trim();
    if (!v) continue;
    if (f.type === 'checkbox') body[f.name] = v === 'true';
    else body[f.name] = f.type === 'number' ? Number(v) : v;
  }
  return spec.shapeBody ? spec.shapeBody(body) : body;
}

/** "a, b,,c " → ["a", "b", "c"]. */
export const commaList = (v: unknown): string[] =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

const count = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;

/** "alice owns 3 crates and holds 2 live tokens": what locking or revoking takes away. */
function ownedNote(login: string, owned?: number, tokens?: number): { impactNote?: string } {
  if (owned === undefined) return {};
  const held = tokens === undefined ? '' : ` and holds ${count(tokens, 'live token')}`;
  return {
    impactNote: `${login} owns ${count(owned, 'crate')}${held}; no new versions of them can be published meanwhile.`,
  };
}

const v = (crate: string, version: string) => `/api/admin/crates/${seg(crate)}/versions/${seg(version)}`;

/** A new advisory for `crate` in RustSec format, as the authoring form starts it. */
export function advisoryTemplate(crate: string, today = new Date().toISOString().slice(0, 10)): string {
  return [
    '```toml',
    '[advisory]',
    'id = "RUSTSEC-0000-0000"',
    `package = "${crate}"`,
    `date = "${today}"`,
    'categories = ["malicious"]',
    '',
    '[versions]',
    'patched = []',
    '```',
    '',
    `# ${crate} is malicious`,
    '',
    'What the crate does, since which version, and what users should do.',
    '',
  ].join('\n');
}

export const actions = {
  rotateSigningKey: (): ActionSpec => ({
    label: 'Rotate signing key',
    title: 'Rotate your signing key',
    description:
      'The registry makes a new Ed25519 key that signs your audits from now on. The current key is retired: it stays published with the dates it was valid, so the audits it signed stay verifiable.',
    method: 'POST',
    path: '/api/admin/vet/me/key/rotate',
    destructive: true,
    alwaysReauth: true,
    role: 'auditor',
    done: 'Signing key rotated',
  }),
  revokeSigningKey: (login: string, keyId: string): ActionSpec => ({
    label: `Revoke key ${keyId.slice(0, 8)}…`,
    title: `Revoke ${login}'s key ${keyId} as compromised`,
    description:
      'Every audit this key signed fails verification from now on and leaves audits.toml. If it is the auditor’s current key, the registry makes a new one.',
    method: 'POST',
    path: `/api/admin/vet/keys/${seg(keyId)}/revoke`,
    destructive: true,
    alwaysReauth: true,
    done: `Revoked key ${keyId}`,
  }),
  authorAdvisory: (crate: string): ActionSpec => ({
    label: 'Author advisory',
    title: `Author an advisory for ${crate}`,
    description:
      'Write it in RustSec format; the registry assigns the id and sets the source to this registry. A malicious advisory quarantines the versions it names.',
    method: 'POST',
    path: '/api/admin/advisories',
    impact: { crate },
    fields: [
      {
        name: 'markdown',
        label: 'Advisory (RustSec Markdown with TOML front matter)',
        type: 'textarea',
        required: true,
        rows: 18,
        initial: advisoryTemplate(crate),
      },
    ],
    done: `Advisory for ${crate} published`,
  }),
  withdrawAdvisory: (id: string): ActionSpec => ({
    label: 'Withdraw',
    title: `Withdraw ${id}`,
    description:
      'The advisory stays on record with a withdrawn date and no longer matches any version. Quarantined versions stay quarantined until released.',
    method: 'POST',
    path: `/api/admin/advisories/${seg(id)}/withdraw`,
    done: `Withdrew ${id}`,
  }),
  yank: (crate: string, version: string): ActionSpec => ({
    label: `Yank ${version}`,
    title: `Yank ${crate} ${version}`,
    description:
      'The version stays downloadable for existing lockfiles, but cargo will no longer select it for new resolutions.',
    method: 'POST',
    path: `${v(crate, version)}/yank`,
    impact: { crate, version },
    fields: [
      {
        name: 'confirmed',
        label: 'Confirmed threat: resolve the version’s alerts with this yank',
        type: 'checkbox',
        hint: 'Leave unticked for a precautionary yank; the alerts then stay open, with the yank recorded.',
      },
    ],
    done: `Yanked ${crate} ${version}`,
  }),
  unyank: (crate: string, version: string): ActionSpec => ({
    label: `Unyank ${version}`,
    title: `Unyank ${crate} ${version}`,
    description: 'Cargo may select this version again.',
    method: 'POST',
    path: `${v(crate, version)}/unyank`,
    impact: { crate, version },
    done: `Unyanked ${crate} ${version}`,
  }),
  release: (crate: string, version: string, extra: Partial<ActionSpec> = {}): ActionSpec => ({
    label: `Release ${version}`,
    title: `Release ${crate} ${version} from quarantine`,
    description: 'The version enters the index and becomes downloadable.',
    method: 'POST',
    path: `${v(crate, version)}/release`,
    impact: { crate, version },
    destructive: true,
    alwaysReauth: true,
    done: `Released ${crate} ${version}`,
    ...extra,
  }),
  revokePublishingToken: (
    crate: string,
    version: string,
    tokenName: string,
    login: string | null,
  ): ActionSpec => ({
    label: 'Revoke the token that published this',
    title: `Revoke the token that published ${crate} ${version}`,
    description: `${login ?? 'The publisher'}'s token “${tokenName}” stops working at once; the publisher's other tokens keep working.`,
    method: 'POST',
    path: `${v(crate, version)}/revoke-publishing-token`,
    destructive: true,
    done: `Revoked token ${tokenName}`,
  }),
  reject: (crate: string, version: string): ActionSpec => ({
    label: `Reject ${version}`,
    title: `Reject quarantined ${crate} ${version}`,
    description: 'The version never reaches the index.',
    method: 'POST',
    path: `${v(crate, version)}/reject`,
    impact: { crate, version },
    destructive: true,
    done: `Rejected ${crate} ${version}`,
  }),
  deleteVersion: (crate: string, version: string): ActionSpec => ({
    label: `Delete ${version}`,
    title: `Delete ${crate} ${version}`,
    description:
      'The version and its file are removed: builds that locked it will fail. Use yank unless the file itself is harmful.',
    method: 'DELETE',
    path: v(crate, version),
    impact: { crate, version },
    destructive: true,
    done: `Deleted ${crate} ${version}`,
  }),
  deleteCrate: (crate: string): ActionSpec => ({
    label: 'Delete crate',
    title: `Delete the crate ${crate}`,
    description: 'Every version and file of the crate is removed, and the name can be blocked from reuse.',
    method: 'DELETE',
    path: `/api/admin/crates/${seg(crate)}`,
    impact: { crate },
    destructive: true,
    fields: [
      {
        name: 'blockDays',
        label: 'Block the name for (days)',
        type: 'number',
        // Filled in, as crates.io blocks a deleted crate's name: a squatter re-registering the
        // name of a removed malicious crate is the attack this prevents. 0 lets it go at once.
        initial: String(DELETED_NAME_BLOCK_DAYS),
        hint: 'Keeps anyone from re-registering the name right away (0: do not block).',
      },
    ],
    done: `Deleted ${crate}`,
  }),
  removeOwner: (crate: string, login: string): ActionSpec => ({
    label: `Remove ${login}`,
    title: `Remove ${login} as an owner of ${crate}`,
    description: `${login} will no longer be able to publish or yank ${crate}.`,
    method: 'DELETE',
    path: `/api/admin/crates/${seg(crate)}/owners/${seg(login)}`,
    impact: { crate },
    destructive: true,
    done: `Removed ${login} from ${crate}`,
  }),
  lockUser: (login: string, owned?: number): ActionSpec => ({
    label: 'Lock user',
    title: `Lock ${login}`,
    description: `${login} can no longer sign in, publish or use any token while locked.`,
    method: 'POST',
    path: `/api/admin/users/${seg(login)}/lock`,
    destructive: true,
    fields: [
      { name: 'until', label: 'Locked until', type: 'date', hint: 'Leave empty to lock until unlocked.' },
    ],
    ...ownedNote(login, owned),
    done: `Locked ${login}`,
  }),
  unlockUser: (login: string): ActionSpec => ({
    label: 'Unlock user',
    title: `Unlock ${login}`,
    description: `${login} can sign in and publish again.`,
    method: 'POST',
    path: `/api/admin/users/${seg(login)}/unlock`,
    done: `Unlocked ${login}`,
  }),
  revokeToken: (login: string, id: number, name: string): ActionSpec => ({
    label: 'Revoke',
    title: `Revoke ${login}'s token “${name}”`,
    description: 'Requests with this token are refused from now on.',
    method: 'POST',
    path: `/api/admin/users/${seg(login)}/tokens/${seg(id)}/revoke`,
    destructive: true,
    done: `Revoked token ${name}`,
  }),
  newToken: (): ActionSpec => ({
    label: 'New token for me',
    title: 'Create an API token for yourself',
    description:
      'The token is shown once, after you confirm. It counts against the token-creation rate limit.',
    method: 'POST',
    path: '/api/admin/me/tokens',
    alwaysReauth: true,
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true, initial: 'console' },
      {
        name: 'scopes',
        label: 'Scopes',
        type: 'text',
        required: true,
        initial: 'publish-new, publish-update, yank',
        hint: 'comma-separated: publish-new, publish-update, yank, change-owners, admin',
      },
      {
        name: 'crates',
        label: 'Limit to crates',
        type: 'text',
        hint: 'patterns such as `tokio-*`; empty: every crate',
      },
      { name: 'expiresInDays', label: 'Expires after (days)', type: 'number', initial: '90' },
    ],
    shapeBody: (body) => ({
      ...body,
      scopes: commaList(body.scopes),
      crates: body.crates === undefined ? null : commaList(body.crates),
    }),
    done: 'Created a token; copy it now',
  }),
  revokeAllTokens: (login: string, owned?: number, tokens?: number): ActionSpec => ({
    label: 'Revoke all tokens',
    title: `Revoke every token of ${login}`,
    description: `Every API token ${login} holds stops working at once.`,
    method: 'POST',
    path: `/api/admin/users/${seg(login)}/tokens/revoke-all`,
    destructive: true,
    ...ownedNote(login, owned, tokens),
    done: `Revoked all tokens of ${login}`,
  }),
  name: (name: string, action: 'reserve' | 'block'): ActionSpec => ({
    label: action === 'reserve' ? `Reserve “${name}”` : `Block “${name}”`,
    title: action === 'reserve' ? `Reserve the name ${name}` : `Block the name ${name}`,
    description:
      action === 'reserve'
        ? 'Nobody can publish a crate under this name until the reservation is lifted.'
        : 'The name is refused at publish, as a known-bad or squatting name.',
    method: 'POST',
    path: '/api/admin/names',
    body: { name, action },
    destructive: action === 'block',
    done: `${action === 'reserve' ? 'Reserved' : 'Blocked'} ${name}`,
  }),
  triage: (
    alertId: number,
    action: 'acknowledge' | 'escalate' | 'reopen',
    crate: string,
    version: string | null,
  ): ActionSpec => {
    const labels = {
      acknowledge: ['Acknowledge', 'Someone is looking at this alert.'],
      escalate: ['Escalate', 'The alert needs the incident team: it is marked escalated.'],
      reopen: ['Reopen', 'The alert goes back to the open queue; its resolution is taken away.'],
    } as const;
    const [label, description] = labels[action];
    return {
      label,
      title: `${label} alert #${alertId}`,
      description,
      method: 'POST',
      path: `/api/admin/alerts/${seg(alertId)}/triage`,
      body: { action },
      impact: { crate, version },
      fields: [{ name: 'note', label: 'Note for the other responders', type: 'textarea' }],
      done: `Alert #${alertId}: ${action} recorded`,
    };
  },
  /** Settles one alert with a reason from the scale bulk triage uses; the reason sets the status. */
  settle: (alertId: number, crate: string, version: string | null): ActionSpec => ({
    label: 'Resolve',
    title: `Resolve alert #${alertId}`,
    description:
      'Say why the alert is settled: a confirmed threat is resolved, the other reasons dismiss it.',
    method: 'POST',
    path: `/api/admin/alerts/${seg(alertId)}/triage`,
    impact: { crate, version },
    fields: [
      {
        name: 'resolution',
        label: 'Resolution',
        type: 'select',
        required: true,
        options: [
          { value: '', label: 'Choose a resolution…' },
          ...TRIAGE_RESOLUTIONS.map((r) => ({
            value: r,
            label: `${TRIAGE_SCALE[r].label} (${TRIAGE_SCALE[r].settles}): ${TRIAGE_SCALE[r].means}`,
          })),
        ],
      },
      { name: 'note', label: 'Note for the other responders', type: 'textarea' },
    ],
    done: `Alert #${alertId} settled`,
  }),
};

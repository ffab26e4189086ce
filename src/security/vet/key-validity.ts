// Which of an auditor's keys may have signed an audit. A key signs from its creation until it is
// retired (rotated out, or the role revoked): an audit recorded outside that interval, or by
// another user than the key's owner, was not signed by the key current at the time. A key marked
// compromised (revoked) proves nothing any more: whoever stole it could have signed anything,
// and the recorded times are not signed, so every audit it signed fails.

export interface KeyValidity {
  key_id: string;
  user_id: number;
  created_at: string;
  retired_at: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export interface AuditTiming {
  created_at: string;
  /** The user who recorded the audit; null once that account is deleted. */
  recorded_by: number | null;
}

/** Why `key` does not vouch for `audit`, or null when it was the recorder's key at the time. */
export function keyProblem(key: KeyValidity, audit: AuditTiming): string | null {
  if (key.revoked_at !== null)
    return `signed with key ${key.key_id}, revoked as compromised at ${key.revoked_at}${
      key.revoked_reason ? ` (${key.revoked_reason})` : ''
    }`;
  if (audit.recorded_by !== null && audit.recorded_by !== key.user_id)
    return `signed with key ${key.key_id}, which belongs to another auditor than the one who recorded it`;
  if (audit.created_at < key.created_at)
    return `recorded at ${audit.created_at}, before key ${key.key_id} existed (${key.created_at})`;
  if (key.retired_at !== null && audit.created_at >= key.retired_at)
    return `recorded at ${audit.created_at}, after key ${key.key_id} was retired (${key.retired_at})`;
  return null;
}

/** A key's state in words: `current`, `retired`, `revoked`. */
export function keyState(
  key: Pick<KeyValidity, 'retired_at' | 'revoked_at'>,
): 'current' | 'retired' | 'revoked' {
  return key.revoked_at !== null ? 'revoked' : key.retired_at !== null ? 'retired' : 'current';
}

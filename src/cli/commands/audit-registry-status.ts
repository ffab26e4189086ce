// Asks a cratekeeper registry which of a lockfile's packages it holds in quarantine or has open
// alerts on (GET /api/v1/cratekeeper/security-status, registered by
// src/registry/routes/security-status.ts). Another registry answers 404: then there is
// nothing to report, and null says so.

export interface RegistryPackageStatus {
  known: boolean;
  quarantined: boolean;
  open_alert_severity: string | null;
  open_alerts: number;
}

const BATCH = 200;

export async function fetchSecurityStatus(
  api: string,
  entries: readonly string[],
  token?: string,
): Promise<Map<string, RegistryPackageStatus> | null> {
  const base = api.replace(/\/+$/, '');
  const out = new Map<string, RegistryPackageStatus>();
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    const url = `${base}/api/v1/cratekeeper/security-status?crate=${batch.map(encodeURIComponent).join(',')}`;
    const res = await fetch(url, {
      headers: { 'user-agent': 'cratekeeper-audit', ...(token ? { authorization: token } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`${base}: security status answered HTTP ${res.status}`);
    }
    const text = await res.text();
    if (text.length > 16 * 1024 * 1024) throw new Error(`${base}: security status answer too large`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${base}: security status answer is not JSON`);
    }
    const statuses = (body as { statuses?: unknown } | null)?.statuses;
    if (typeof statuses !== 'object' || statuses === null)
      throw new Error(`${base}: security status answer has no statuses`);
    for (const entry of batch) {
      const s = (statuses as Record<string, unknown>)[entry] as Partial<RegistryPackageStatus> | undefined;
      if (!s || typeof s !== 'object') continue;
      out.set(entry, {
        known: s.known === true,
        quarantined: s.quarantined === true,
        open_alert_severity: typeof s.open_alert_severity === 'string' ? s.open_alert_severity : null,
        open_alerts: typeof s.open_alerts === 'number' ? s.open_alerts : 0,
      });
    }
  }
  return out;
}

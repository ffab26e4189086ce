// Small labels: severity (colour and word, never colour alone), alert status, version state.
import type { AlertStatus, Severity } from '../api-types.js';

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span className={`badge sev sev-${severity}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: AlertStatus | string }) {
  return <span className={`badge status status-${status}`}>{status}</span>;
}

export function VersionBadges({ yanked, status }: { yanked: boolean; status: string }) {
  return (
    <>
      {yanked && <span className="badge state-yanked">yanked</span>}
      {status === 'quarantined' && <span className="badge state-quarantined">quarantined</span>}
      {status === 'rejected' && <span className="badge state-rejected">rejected</span>}
    </>
  );
}

export function Verdict({ verdict }: { verdict: string | null | undefined }) {
  if (!verdict) return <span className="muted">not scanned</span>;
  return <span className={`badge verdict verdict-${verdict}`}>{verdict}</span>;
}

// Display formats shared by the pages. Times are shown in UTC, as the audit log stores them,
// so what two responders read to each other matches.

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "5 min ago", "3 days ago": for scanning a list; the exact time goes in a title. */
export function formatAge(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} days ago`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n;
  let unit = 'B';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${unit}`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The impact sentence every action dialog shows. */
export function impactSentence(direct: number, transitive: number): string {
  const crates = direct === 1 ? 'crate depends' : 'crates depend';
  return `${formatCount(direct)} ${crates} on this directly, ${formatCount(transitive)} transitively`;
}

/** "1,204 downloads · 310 in 30 days · 12 in 7 days" */
export function downloadsSentence(d: { total: number; last7Days: number; last30Days: number }): string {
  return `${plural(d.total, 'download')} · ${formatCount(d.last30Days)} in 30 days · ${formatCount(d.last7Days)} in 7 days`;
}

/** The dependents a lockfile may pin to the version: those whose requirement accepts it. */
export function requirementSentence(d: { crates: number; versions: number }): string {
  if (d.crates === 0) return 'No published crate requires a version range that includes it';
  const which = d.crates === 1 ? 'crate requires' : 'crates require';
  return `${formatCount(d.crates)} ${which} a version range that includes it (${plural(d.versions, 'version')}); their lockfiles may pin it, yanked or not`;
}

/** A wait as a person reads it: "45 s", "14 min 57 s", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

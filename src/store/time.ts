/** Current time as the ISO-8601 UTC string every table stores. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

// Axis arithmetic for the console's hand-drawn SVG charts.

/** A "nice" upper bound (1, 2, 2.5 or 5 × 10^k) at or above `max`, and evenly spaced ticks to it. */
export function niceScale(max: number, targetTicks = 4): { top: number; ticks: number[] } {
  if (!Number.isFinite(max) || max <= 0) return { top: 1, ticks: [0, 1] };
  const rough = max / targetTicks;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag;
  // Counts are whole numbers: never a fractional step.
  const whole = Math.max(1, Math.ceil(step));
  const top = Math.ceil(max / whole) * whole;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += whole) ticks.push(t);
  return { top, ticks };
}

/** Short tick label: 1200 → "1.2k", 3000000 → "3M". */
export function shortNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Which of `count` x positions get a label, at most `max` of them, always the last. */
export function labelIndexes(count: number, max: number): number[] {
  if (count <= 0) return [];
  const every = Math.max(1, Math.ceil(count / Math.max(1, max)));
  const out: number[] = [];
  for (let i = count - 1; i >= 0; i -= every) out.unshift(i);
  return out;
}

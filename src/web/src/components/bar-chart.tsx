// A per-day bar chart drawn as SVG: no chart library, scales with its container.
import { useId } from 'react';
import { labelIndexes, niceScale, shortNumber } from '../chart-scale.js';
import { formatCount } from '../format.js';

const W = 600;
const H = 170;
const PAD = { top: 10, right: 8, bottom: 22, left: 40 };

export function BarChart({
  title,
  days,
  values,
  tone = 'accent',
}: {
  title: string;
  days: string[];
  values: number[];
  tone?: 'accent' | 'alert' | 'muted';
}) {
  const id = useId();
  const n = Math.min(days.length, values.length);
  const max = Math.max(0, ...values.slice(0, n));
  const total = values.slice(0, n).reduce((a, b) => a + b, 0);
  const { top, ticks } = niceScale(max);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = n > 0 ? plotW / n : plotW;
  const barW = Math.max(1, slot * 0.72);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const labels = new Set(labelIndexes(n, 6));
  const summary =
    n === 0
      ? 'No data.'
      : `${formatCount(total)} in ${n} days, at most ${formatCount(max)} on one day; ${days[n - 1]}: ${formatCount(values[n - 1] ?? 0)}.`;

  return (
    <figure className="chart">
      <figcaption id={`${id}-t`}>
        {title}{' '}
        <span className="muted">
          · {formatCount(total)} in {n} days
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        className={`chart-svg tone-${tone}`}
      >
        <desc id={`${id}-d`}>{summary}</desc>
        {ticks.map((t) => (
          <g key={t} className="tick">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t)} dy="0.32em" textAnchor="end">
              {shortNumber(t)}
            </text>
          </g>
        ))}
        {values.slice(0, n).map((v, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          return (
            <rect key={i} className="bar" x={x} y={y(v)} width={barW} height={Math.max(0, y(0) - y(v))}>
              <title>{`${days[i]}: ${formatCount(v)}`}</title>
            </rect>
          );
        })}
        {days.slice(0, n).map((d, i) =>
          labels.has(i) ? (
            <text
              key={d}
              className="x-label"
              x={PAD.left + i * slot + slot / 2}
              y={H - 6}
              textAnchor={i === n - 1 ? 'end' : 'middle'}
            >
              {d.slice(5)}
            </text>
          ) : null,
        )}
      </svg>
    </figure>
  );
}

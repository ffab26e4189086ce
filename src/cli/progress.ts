// A one-line progress bar on stderr for long work. It draws only on a terminal (or when
// forced), so logs and pipes stay clean; `done()` prints a one-line summary either way.
export interface Progress {
  tick(n?: number, note?: string): void;
  setTotal(total: number): void;
  done(summary?: string): void;
}

export function createProgress(
  label: string,
  total: number,
  opts: { force?: boolean; stream?: NodeJS.WriteStream } = {},
): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.force === true || stream.isTTY === true;
  const start = Date.now();
  let count = 0;
  let lastDraw = 0;
  let lastNote = '';

  const draw = (final = false) => {
    const now = Date.now();
    if (!enabled || (!final && now - lastDraw < 100)) return;
    lastDraw = now;
    const secs = Math.max((now - start) / 1000, 0.001);
    const rate = count / secs;
    const width = 28;
    const frac = total > 0 ? Math.min(count / total, 1) : 0;
    const filled = Math.round(frac * width);
    const eta = rate > 0 && total > count ? `, ${humanDuration((total - count) / rate)} left` : '';
    const pct = total > 0 ? ` ${Math.floor(frac * 100)}%` : '';
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${pct} ${humanCount(count)}/${humanCount(total)}, ${humanCount(Math.round(rate))}/s${eta} ${lastNote}`;
    stream.write(
      `\r${line.slice(0, (stream.columns ?? 120) - 1).padEnd(Math.min(stream.columns ?? 120, 120) - 1)}`,
    );
  };

  return {
    tick(n = 1, note) {
      count += n;
      if (note !== undefined) lastNote = note;
      draw();
    },
    setTotal(t) {
      total = t;
    },
    done(summary) {
      draw(true);
      if (enabled) stream.write('\n');
      if (summary) stream.write(`${summary}\n`);
    },
  };
}

/** 1234567 → "1,234,567". */
export function humanCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds as a person reads them: "45 s", "3 min 20 s", "2 h 5 min". */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

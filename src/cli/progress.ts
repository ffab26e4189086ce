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
    const eta = rate > 0 && total > count ? `eta ${Math.ceil((total - count) / rate)}s` : '';
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total} ${rate.toFixed(0)}/s ${eta} ${lastNote}`;
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

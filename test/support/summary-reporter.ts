// Ends the run with one plain line, `N passed, N failed, N skipped`, that CI reads.
import type { Reporter, RunnerTestFile } from 'vitest/node';

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const walk = (task: Task) => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') passed++;
        else if (state === 'fail') failed++;
        else skipped++;
      }
      for (const t of task.tasks ?? []) walk(t);
    };
    for (const f of files as unknown as Task[]) {
      walk(f);
      // A file that failed to load counts as a failure even though it ran no test.
      if (f.result?.state === 'fail' && !(f.tasks ?? []).length) failed++;
    }
    failed += errors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

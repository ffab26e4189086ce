// Ends the run with one plain line, `N passed, N failed, N skipped`, that CI reads.
import type { Reporter, RunnerTestFile } from 'vitest/node';

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    // Returns the failed tests below `task`; a failed file or suite with none (a hook or
    // import that threw) counts as one failure itself.
    const walk = (task: Task): number => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') passed++;
        else if (state === 'fail') failed++;
        else skipped++;
        return state === 'fail' ? 1 : 0;
      }
      let below = 0;
      for (const t of task.tasks ?? []) below += walk(t);
      if (task.result?.state === 'fail' && below === 0) {
        failed++;
        return 1;
      }
      return below;
    };
    for (const f of files as unknown as Task[]) walk(f);
    failed += errors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

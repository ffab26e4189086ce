// What the test suite needs from the machine beyond npm packages: the Debian corpus of real
// crates, Debian's Chromium, and bubblewrap + strace for the sandboxed build. test/support/global-setup.ts gets them ready before any test
// worker starts and hands the outcome to the workers; a test that needs one calls
// `requirePrerequisite`, which throws (the test fails, never skips) when it could not be had.
import { inject } from 'vitest';

export type Prerequisite = { ok: true; path: string } | { ok: false; error: string };

export interface Prerequisites {
  debianCorpus: Prerequisite;
  chromium: Prerequisite;
  /** bubblewrap and strace, for the sandboxed build. */
  sandboxTools: Prerequisite;
  /** The compiled command line (dist/cli/main.js), which end-to-end tests run. */
  cliBuild: Prerequisite;
}

declare module 'vitest' {
  export interface ProvidedContext {
    prerequisites: Partial<Prerequisites>;
  }
}

export function requirePrerequisite(name: keyof Prerequisites): string {
  const found = inject('prerequisites')?.[name];
  if (!found) {
    throw new Error(
      `${name} was not prepared: test/support/global-setup.ts did not run for this file ` +
        '(run the tests with `npm test` or `npx vitest run`, which use vitest.config.ts)',
    );
  }
  if (!found.ok) throw new Error(`${name} is not available: ${found.error}`);
  return found.path;
}

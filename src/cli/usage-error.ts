// Bad input to a command: a wrong flag, a missing or empty input, a registry that is not there.
// `main.ts` turns it into one line on stderr and exit code 2, apart from the 1 that gates use for
// "found something".
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit code for usage errors and unreadable input (as cargo-audit's 2). */
export const USAGE_EXIT_CODE = 2;

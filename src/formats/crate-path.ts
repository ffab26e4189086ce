// Rules for the path of one entry in a `.crate` archive. Cargo writes plain relative
// `/`-separated paths; anything else is either a mistake or an attempt to write outside the
// directory the crate is unpacked into (on Linux or on Windows), so it is refused.
import { CrateArchiveError, showPath } from './crate-archive-error.js';

// C0 controls, DEL and C1 controls: never in a real source tree, and they can hide a name
// in a terminal or a report.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The `/`-separated components of an entry name (a single trailing `/`, as directories
 * carry, is dropped). Throws a CrateArchiveError when the name is absolute, climbs out
 * with `..`, uses `\` as a separator, or has empty, `.` or control-character parts.
 */
export function entryPathComponents(name: string): string[] {
  if (name.length === 0) throw new CrateArchiveError('bad-path', 'an entry has an empty name');
  if (name.includes('\0')) {
    throw new CrateArchiveError('bad-path', `entry ${showPath(name)} contains a NUL byte`);
  }
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) {
    throw new CrateArchiveError(
      'absolute-path',
      `entry ${showPath(name)} is an absolute path; paths must be relative to the crate directory`,
    );
  }
  // Split on both separators first so `a\..\..\x` is reported as the escape it is on Windows.
  const loose = name.split(/[\\/]/);
  if (loose.includes('..')) {
    throw new CrateArchiveError('path-traversal', `entry ${showPath(name)} escapes the crate directory`);
  }
  if (name.includes('\\')) {
    throw new CrateArchiveError(
      'bad-path',
      `entry ${showPath(name)} contains a backslash; .crate paths are '/'-separated`,
    );
  }
  if (CONTROL.test(name)) {
    throw new CrateArchiveError('bad-path', `entry ${showPath(name)} contains a control character`);
  }
  const parts = name.split('/');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  for (const part of parts) {
    if (part === '' || part === '.') {
      throw new CrateArchiveError('bad-path', `entry ${showPath(name)} has an empty or '.' path component`);
    }
  }
  return parts;
}

/** The crate directory `<name>-<version>` itself must be one plain path component. */
export function checkPrefix(prefix: string): void {
  const parts = entryPathComponents(prefix);
  if (parts.length !== 1) {
    throw new CrateArchiveError(
      'bad-path',
      `crate directory ${showPath(prefix)} must be a single path component`,
    );
  }
}

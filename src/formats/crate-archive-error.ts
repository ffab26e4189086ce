// The one error type the `.crate` reader and writer throw. Messages are written for the
// person who ran `cargo publish`: they name the entry and say what is wrong with it.

export type CrateArchiveErrorCode =
  | 'too-large'
  | 'too-many-entries'
  | 'path-too-long'
  | 'bad-gzip'
  | 'bad-tar'
  | 'truncated'
  | 'path-traversal'
  | 'absolute-path'
  | 'bad-path'
  | 'bad-path-encoding'
  | 'link'
  | 'special-file'
  | 'outside-prefix'
  | 'duplicate-entry'
  | 'path-conflict'
  | 'manifest-missing'
  | 'manifest-duplicate'
  | 'manifest-case'
  | 'manifest-invalid'
  | 'manifest-mismatch';

export class CrateArchiveError extends Error {
  readonly code: CrateArchiveErrorCode;

  constructor(code: CrateArchiveErrorCode, detail: string) {
    super(`invalid .crate archive: ${detail}`);
    this.name = 'CrateArchiveError';
    this.code = code;
  }
}

const MAX_SHOWN_PATH = 200;

/**
 * A path as it may appear in an error message: control characters escaped so a hostile name
 * cannot rewrite the user's terminal, and cut short so a 4 MiB name cannot flood a log.
 */
export function showPath(path: string): string {
  // Keep both ends: the start names the crate directory, the end names the file.
  const half = MAX_SHOWN_PATH / 2;
  const cut = path.length > MAX_SHOWN_PATH ? `${path.slice(0, half)}…${path.slice(-half)}` : path;
  // eslint-disable-next-line no-control-regex
  const escaped = cut.replace(/[\u0000-\u001f\u007f-\u009f`]/g, (c) =>
    c === '`' ? '\\`' : `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
  return `\`${escaped}\``;
}

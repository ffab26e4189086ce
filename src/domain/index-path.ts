// Where a crate's file lives in a Cargo registry index (cargo's registry-index docs):
// `1/a`, `2/ab`, `3/a/abc`, then `ab/cd/abcd…`, all lowercase.

export function indexPath(name: string): string {
  const n = name.toLowerCase();
  switch (n.length) {
    case 0:
      throw new Error('crate name cannot be empty');
    case 1:
      return `1/${n}`;
    case 2:
      return `2/${n}`;
    case 3:
      return `3/${n[0]}/${n}`;
    default:
      return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
  }
}

/** The crate name an index path names, or null when the path is not a well-formed index path. */
export function nameFromIndexPath(path: string): string | null {
  const parts = path.split('/');
  const name = parts[parts.length - 1];
  if (!name) return null;
  const lower = name.toLowerCase();
  if (lower !== name) return null;
  return indexPath(name) === path ? name : null;
}

// Which Rust files a clone comparison reads, and how much of them: the library and binaries,
// not tests, examples or benches (a copier often drops those), within fixed bounds on each side.

/** Bounds on the original's sources the registry puts in the scan context. */
export const ORIGINAL_SOURCE_BOUNDS = { maxFiles: 400, maxBytes: 2 * 1024 * 1024 } as const;
/** Bounds on the scanned crate's side (its files are in memory already; parsing costs). */
export const CLONE_SOURCE_BOUNDS = { maxFiles: 1000, maxBytes: 4 * 1024 * 1024 } as const;

const NOT_COMPARED = /(^|\/)(tests?|examples?|benches|benchmarks?|fixtures?|testdata)\//;

export function isComparedSource(path: string): boolean {
  return path.endsWith('.rs') && !NOT_COMPARED.test(path);
}

/**
 * Compared sources in path order (paths in `prefer` first), within the bounds; `truncated`
 * says some were left out.
 */
export function boundSources<T extends { path: string; text: string }>(
  files: readonly T[],
  bounds: { maxFiles: number; maxBytes: number },
  prefer: ReadonlySet<string> = new Set(),
): { sources: T[]; truncated: boolean } {
  const candidates = files
    .filter((f) => isComparedSource(f.path))
    .sort(
      (a, b) =>
        Number(prefer.has(b.path)) - Number(prefer.has(a.path)) ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
  const sources: T[] = [];
  let bytes = 0;
  for (const f of candidates) {
    if (sources.length >= bounds.maxFiles || bytes + f.text.length > bounds.maxBytes) continue;
    sources.push(f);
    bytes += f.text.length;
  }
  return { sources, truncated: sources.length < candidates.length };
}

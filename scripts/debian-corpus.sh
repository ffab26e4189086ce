#!/usr/bin/env bash
# Makes sure the Debian corpus of real published crates (about 1,500 `.crate` files) is in
# the cache directory, building it with ../shared/scripts/debian-crates.sh only when absent
# (3–9 minutes, mostly downloads; progress on stderr). Prints the directory on stdout. Run by the test
# suite's global setup (test/support/global-setup.ts), before any test worker starts, and by
# the benchmarks.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${CRATEKEEPER_DEBIAN_CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/cratekeeper/debian-crates}

count_crates() {
  if [ -d "$1" ]; then find "$1" -maxdepth 1 -name '*.crate' | wc -l; else echo 0; fi
}

mkdir -p "$(dirname "$dir")"
# One builder at a time (a test run and a benchmark may both ask); the others wait for it.
exec 9>"$dir.lock"
flock 9

if [ "$(count_crates "$dir")" -lt 1000 ]; then
  script="$here/../shared/scripts/debian-crates.sh"
  [ -f "$script" ] || { echo "debian-corpus: missing $script" >&2; exit 1; }
  tmp="$dir.partial"
  work="$dir.work"
  rm -rf "$tmp" "$work"
  mkdir -p "$tmp" "$work"
  echo "debian-corpus: building the corpus of real crates into $dir (3–9 minutes)" >&2
  # debian-crates.sh is quiet while it downloads; report how far it has got every 15 s.
  start=$SECONDS
  (
    while sleep 15; do
      debs=$(find "$work" -name '*.deb' 2>/dev/null | wc -l || true)
      crates=$(count_crates "$tmp" || true)
      echo "debian-corpus: $((SECONDS - start)) s: $debs packages downloaded, $crates crates packed" >&2
    done
  ) </dev/null >/dev/null &
  ticker=$!
  trap 'kill "$ticker" 2>/dev/null || true; rm -rf "$work"' EXIT
  # TMPDIR: the script's scratch directory (its downloads) lands where the ticker looks.
  TMPDIR="$work" bash "$script" "$tmp" >&2
  kill "$ticker" 2>/dev/null || true
  n=$(count_crates "$tmp")
  if [ "$n" -lt 1000 ]; then
    echo "debian-corpus: only $n crates built (expected about 1,500); is Debian's package archive reachable?" >&2
    exit 1
  fi
  rm -rf "$dir"
  mv "$tmp" "$dir"
  echo "debian-corpus: $n crates in $dir ($((SECONDS - start)) s)" >&2
fi
echo "$dir"

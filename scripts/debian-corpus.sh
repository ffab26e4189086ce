#!/usr/bin/env bash
# Makes sure the Debian corpus of real published crates (about 1,500 `.crate` files) is in
# the cache directory, building it with ../shared/scripts/debian-crates.sh only when absent.
# Prints the directory. Used by the seeding test and the benchmarks.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${CRATEKEEPER_DEBIAN_CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/cratekeeper/debian-crates}
count=$(find "$dir" -maxdepth 1 -name '*.crate' 2>/dev/null | wc -l)
if [ "$count" -lt 1000 ]; then
  script="$here/../shared/scripts/debian-crates.sh"
  [ -x "$script" ] || [ -f "$script" ] || { echo "missing $script" >&2; exit 1; }
  tmp="$dir.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  bash "$script" "$tmp" >&2
  rm -rf "$dir"
  mv "$tmp" "$dir"
fi
echo "$dir"

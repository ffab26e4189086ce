#!/usr/bin/env bash
# Refreshes the console screenshots the README shows (docs/screenshots/). The browser test
# test/e2e/console.test.ts takes them with real Chromium against a seeded registry and writes
# them to the ignored test-output/screenshots/, so `npm test` never changes a tracked file;
# this script runs that one test (unless given --copy-only), then copies into docs/screenshots/
# only the pictures README.md links to, shrunk with pngquant when it is installed
# (`apt-get install pngquant`), and prints their sizes. Commit the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
from="$root/test-output/screenshots"
to="$root/docs/screenshots"

if [ "${1:-}" != "--copy-only" ]; then
  (cd "$root" && npx vitest run test/e2e/console.test.ts)
fi

mapfile -t wanted < <(grep -o 'docs/screenshots/[A-Za-z0-9_-]*\.png' "$root/README.md" | sort -u | sed 's|docs/screenshots/||')
if [ ${#wanted[@]} -eq 0 ]; then
  echo "refresh-screenshots: README.md links to no docs/screenshots/*.png" >&2
  exit 1
fi
missing=()
for name in "${wanted[@]}"; do
  [ -f "$from/$name" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "refresh-screenshots: not in $from: ${missing[*]}; run: npx vitest run test/e2e/console.test.ts" >&2
  exit 1
fi

mkdir -p "$to"
for name in "${wanted[@]}"; do
  if command -v pngquant >/dev/null 2>&1; then
    # Lossy palette reduction: a screenshot's flat colours and text survive it; sizes drop to a third.
    pngquant --quality 75-95 --strip --force --output "$to/$name" -- "$from/$name" || cp "$from/$name" "$to/$name"
  else
    cp "$from/$name" "$to/$name"
  fi
done
echo "refresh-screenshots: ${#wanted[@]} screenshots in docs/screenshots/$(command -v pngquant >/dev/null 2>&1 || echo ' (pngquant not installed: copied as taken)')"
(cd "$to" && du -k "${wanted[@]}" | sort -n)
git -C "$root" status --short -- docs/screenshots

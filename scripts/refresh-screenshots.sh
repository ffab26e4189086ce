#!/usr/bin/env bash
# Copies the console screenshots of the last browser test run (test/e2e/console.test.ts writes
# them to the ignored test-output/screenshots/) into the committed docs/screenshots/, which the
# README shows. Run after `npm test` (or `npx vitest run test/e2e/console.test.ts`), then commit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
from="$root/test-output/screenshots"
to="$root/docs/screenshots"
shopt -s nullglob
shots=("$from"/*.png)
if [ ${#shots[@]} -eq 0 ]; then
  echo "refresh-screenshots: no screenshots in $from; run: npx vitest run test/e2e/console.test.ts" >&2
  exit 1
fi
mkdir -p "$to"
cp "${shots[@]}" "$to/"
echo "refresh-screenshots: ${#shots[@]} screenshots copied to docs/screenshots/"
git -C "$root" status --short -- docs/screenshots

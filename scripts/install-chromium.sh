#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (playwright-core drives it; no
# browser is downloaded by npm). Does nothing when /usr/bin/chromium is already there. Run by
# the test suite's global setup (test/support/global-setup.ts) before any test worker starts.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "install-chromium: /usr/bin/chromium is missing and installing it needs root" \
    "(run: sudo bash scripts/install-chromium.sh)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
packages=(chromium fonts-dejavu-core)
echo "install-chromium: installing ${packages[*]} from Debian" >&2
start=$SECONDS
# A fresh machine has no package lists yet; refresh them when the first try finds nothing.
if ! apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1; then
  echo "install-chromium: refreshing the package lists" >&2
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "install-chromium: apt-get finished but /usr/bin/chromium is not there" >&2
  exit 1
fi
echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed ($((SECONDS - start)) s)" >&2

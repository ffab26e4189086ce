#!/usr/bin/env bash
# Installs Debian's bubblewrap and strace for the sandboxed build (`scan --detonate`, the
# detonate job). Does nothing when both are there. Run by the test suite's global setup
# (test/support/global-setup.ts) before any test worker starts.
set -euo pipefail
# prlimit and setpriv come with util-linux, which every Debian system has; say so if not.
for tool in prlimit setpriv; do
  command -v "$tool" >/dev/null || { echo "install-sandbox-tools: $tool (util-linux) is missing" >&2; exit 1; }
done
if [ -x /usr/bin/bwrap ] && [ -x /usr/bin/strace ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "install-sandbox-tools: bwrap or strace is missing and installing them needs root" \
    "(run: sudo apt-get install -y bubblewrap strace)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
packages=(bubblewrap strace)
echo "install-sandbox-tools: installing ${packages[*]} from Debian" >&2
if ! apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1; then
  echo "install-sandbox-tools: refreshing the package lists" >&2
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
for tool in /usr/bin/bwrap /usr/bin/strace; do
  if [ ! -x "$tool" ]; then
    echo "install-sandbox-tools: apt-get finished but $tool is not there" >&2
    exit 1
  fi
done
echo "install-sandbox-tools: $(bwrap --version), $(strace -V | head -1) installed" >&2

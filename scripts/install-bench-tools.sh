#!/usr/bin/env bash
# Installs the Debian tools the benchmarks compare against or drive load with.
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "need root to install: ${need[*]}" >&2; exit 1; fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  # The package starts a system nginx on port 80; the benchmark runs its own.
  (nginx -s stop 2>/dev/null || service nginx stop 2>/dev/null || true) >/dev/null 2>&1
fi

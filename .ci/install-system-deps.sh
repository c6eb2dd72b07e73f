#!/usr/bin/env bash
# Installs the real servers the test suite runs against: Prometheus + promtool and
# VictoriaMetrics (Debian packages; the second engine of the exact-count tests) and headless
# Chromium (for the HTML report test). Idempotent; needs root or sudo.
set -euo pipefail
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2068
$SUDO apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
# the Debian packages start system services we do not want: tests run their own servers
$SUDO systemctl stop prometheus 2>/dev/null || true
$SUDO systemctl stop victoria-metrics 2>/dev/null || true

#!/usr/bin/env bash
# The collector's tests run the real servers from Debian's packages: PostgreSQL (a throwaway
# cluster per test run), rsyslog (forwarding a file to the collector) and Alertmanager; zstd
# compresses an upload. The tests start and stop them themselves, on loopback.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v rsyslogd >/dev/null 2>&1 || need+=(rsyslog)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts the packaged services on install; the tests start their own instead.
for svc in postgresql rsyslog prometheus-alertmanager; do
  (command -v service >/dev/null 2>&1 && service "$svc" stop >/dev/null 2>&1) || true
done

#!/usr/bin/env bash
# The agent's tests run the real peers from Debian's packages: promtool checks its /metrics,
# a real Prometheus scrapes it, a real Alertmanager receives its alerts. The tests start and
# stop them themselves, on loopback.
set -euo pipefail
need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts the packaged services on install; the tests start their own instead.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
  (command -v service >/dev/null 2>&1 && service "$svc" stop >/dev/null 2>&1) || true
done

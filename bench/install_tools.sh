#!/usr/bin/env bash
# What `make bench` needs beyond the virtualenv: wrk (Debian's package) if missing, and PostgreSQL on
# 127.0.0.1:5432 and Redis on 127.0.0.1:6379 answering (started with the machine's documented commands if down).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=""; fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk (Debian package) for the intake benchmark"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq wrk >/dev/null
  command -v wrk >/dev/null
fi

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 30); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "ERROR: $name is not reachable on 127.0.0.1; the benchmarks need it." >&2
  return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  echo "== starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "== starting Redis"
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no || true
fi
wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping

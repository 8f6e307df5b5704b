#!/usr/bin/env bash
# Start the local PostgreSQL and Redis the tests use, if they are installed but stopped.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "PostgreSQL is not running on 127.0.0.1:5432 and pg_ctlcluster is not installed" >&2
    exit 1
  fi
fi
for _ in $(seq 1 30); do port_open 5432 && break; sleep 1; done
port_open 5432 || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }

if ! port_open 6379 && command -v redis-server >/dev/null; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
echo "services: PostgreSQL 127.0.0.1:5432 up$(port_open 6379 && echo ', Redis 127.0.0.1:6379 up')"

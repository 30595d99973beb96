#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers; starts the machine's cluster if it is installed but down.
# Tests read ASKFIRST_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
url="${ASKFIRST_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
ready() { pg_isready -q -d "$url" 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "ensure-postgres: pg_isready not found; install PostgreSQL (Debian: apt-get install postgresql) or set ASKFIRST_TEST_POSTGRES" >&2
  exit 1
fi
if ready; then echo "ensure-postgres: $url answers"; exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  echo "ensure-postgres: starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do ready && { echo "ensure-postgres: $url answers"; exit 0; }; sleep 1; done
fi
echo "ensure-postgres: PostgreSQL at $url does not answer; start it or set ASKFIRST_TEST_POSTGRES" >&2
exit 1

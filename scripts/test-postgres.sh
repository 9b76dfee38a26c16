#!/usr/bin/env bash
# Runs the storage, services (ledger included), import and PostgreSQL suites against a
# real PostgreSQL server: Debian's packages (installed when run as root), a throwaway
# cluster in a temporary folder listening on 127.0.0.1 only, removed afterwards.
# The default cluster of the machine, if any, is not touched.
# Usage: scripts/test-postgres.sh [pytest arguments]   (default: the suites below)
# Environment: PYTEST (default .venv/bin/pytest), PG_PORT (default: a free port).
set -euo pipefail
cd "$(dirname "$0")/.."

suites="tests/storage tests/services tests/importers tests/postgres"
pytest=${PYTEST:-.venv/bin/pytest}

find_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bindir=$(find_bindir || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # postgresql-common's postinst would create and start a default cluster; we run
    # our own throwaway one instead.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = off" >/etc/postgresql-common/createcluster.d/no-main.conf
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bindir=$(find_bindir)
  else
    echo "PostgreSQL is not installed. Run:" >&2
    echo "" >&2
    echo "    sudo apt-get install -y --no-install-recommends postgresql" >&2
    echo "" >&2
    echo "then run this again." >&2
    exit 1
  fi
fi

# initdb refuses to run as root: the cluster belongs to the postgres user then (run
# from a folder it may enter: the checkout may be private to root).
run_as=()
if [ "$(id -u)" = 0 ]; then
  run_as=(runuser -u postgres --)
fi
pg() { (cd "$work" && "${run_as[@]}" "$@"); }

work=$(mktemp -d "${TMPDIR:-/tmp}/fd-postgres.XXXXXX")
chmod 0755 "$work"
[ "$(id -u)" = 0 ] && chown postgres "$work"
port=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
user=fdtest
password=fdtest-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')

stop() {
  pg "$bindir/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT

echo "$password" >"$work/pwfile"
[ "$(id -u)" = 0 ] && chown postgres "$work/pwfile"
# Password authentication on loopback (scram), trust only on the cluster's own socket.
pg "$bindir/initdb" -D "$work/data" -U "$user" --pwfile="$work/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >/dev/null
rm -f "$work/pwfile"
# A test cluster: durability off for speed, loopback only, socket in our folder.
pg "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$work/server.log" >&2; exit 1; }

export FREELANCER_DESK_TEST_DB="postgresql+psycopg://$user:$password@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') on 127.0.0.1:$port"
if [ $# -eq 0 ]; then
  # shellcheck disable=SC2086
  set -- -q $suites
fi
xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "$pytest" "$@"

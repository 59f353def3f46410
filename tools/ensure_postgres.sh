#!/usr/bin/env bash
# Make sure the PostgreSQL server programs (initdb, pg_ctl, postgres) are installed for the
# PostgreSQL tests: tests/pgcluster.py starts a throwaway cluster of its own in a temporary
# directory, so only the binaries are needed (no running server, no configuration). They are
# looked for where tests/pgcluster.py looks: `pg_config --bindir`, /usr/lib/postgresql/*/bin
# (Debian's layout, newest first), then PATH. Installs Debian's postgresql with apt-get when we
# are root or sudo works without a password; otherwise says what to do. Always exits 0: the
# tests decide whether missing binaries are a skip or (with CROSSWIRE_REQUIRE_POSTGRES=1) a
# failure.
set -uo pipefail

PROGRAMS=(initdb pg_ctl postgres)

has_all() { # has_all DIR: all of PROGRAMS are executable files in DIR
  local prog
  [ -n "$1" ] || return 1
  for prog in "${PROGRAMS[@]}"; do
    [ -x "$1/$prog" ] || return 1
  done
  return 0
}

find_bindir() { # prints the first directory holding all of PROGRAMS; fails if there is none
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null) && has_all "$dir" && { echo "$dir"; return 0; }
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r); do
    has_all "$dir" && { echo "$dir"; return 0; }
  done
  if command -v initdb >/dev/null 2>&1; then
    dir=$(dirname "$(command -v initdb)")
    has_all "$dir" && { echo "$dir"; return 0; }
    # e.g. Debian's /usr/local/bin/initdb symlink: look where it really lives.
    dir=$(dirname "$(readlink -f "$(command -v initdb)")")
    has_all "$dir" && { echo "$dir"; return 0; }
  fi
  return 1
}

report() {
  echo "postgres: found initdb, pg_ctl and postgres in $1 ($("$1/postgres" --version 2>/dev/null))"
}

if bindir=$(find_bindir); then
  report "$bindir"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "postgres: initdb, pg_ctl and postgres not found and apt-get is not available." >&2
  echo "  Install the PostgreSQL server (so that pg_config --bindir or PATH finds initdb," >&2
  echo "  pg_ctl and postgres), or the PostgreSQL tests are skipped." >&2
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "postgres: initdb, pg_ctl and postgres not found; install them as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends postgresql" >&2
  exit 0
fi

echo "postgres: installing Debian's postgresql with apt-get"
export DEBIAN_FRONTEND=noninteractive
if "${as_root[@]}" apt-get install -y --no-install-recommends postgresql \
  || { "${as_root[@]}" apt-get update && "${as_root[@]}" apt-get install -y --no-install-recommends postgresql; }; then
  if bindir=$(find_bindir); then
    report "$bindir"
  else
    echo "postgres: apt-get installed postgresql but initdb, pg_ctl and postgres were not found." >&2
  fi
else
  echo "postgres: apt-get could not install it; the PostgreSQL tests will say so." >&2
fi
exit 0

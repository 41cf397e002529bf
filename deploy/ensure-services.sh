#!/usr/bin/env bash
# Makes sure everything Assay needs on this machine is installed and running:
# PostgreSQL, Redis, bubblewrap, git and the PostgreSQL client tools. Uses
# running services as they are; on Debian installs and starts missing ones.
# Pass --browser to also install Chromium for the dashboard's browser tests.
set -euo pipefail

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

log() { printf 'ensure-services: %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null; then
    log "missing $*; install it with your package manager (this script installs on Debian only)"
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    log "missing $*; run this script as root to install it"
    exit 1
  fi
  if [ $apt_updated -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need_cmd() { # need_cmd COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

need_cmd git git
need_cmd bwrap bubblewrap
need_cmd nsenter util-linux
need_cmd ip iproute2
need_cmd curl curl

# PostgreSQL: the server and the client tools (pg_dump for schema dumps).
if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
  fi
  if ! pg_up; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { log "PostgreSQL did not start on 127.0.0.1:5432"; exit 1; }
fi
need_cmd pg_dump postgresql-client
# Local development trusts loopback; a fresh Debian install asks for passwords.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -n1)
  log "allowing trust auth for postgres on loopback in $hba"
  sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main reload
fi

# A second PostgreSQL cluster on 5433 for the per-submission databases, so
# that candidate roles never live beside the platform's own data (the
# production setup; see "Grading database" in the README). Debian's cluster
# tools make it; elsewhere, point ASSAY_GRADING_DATABASE_URL at a server of
# your own.
grading_up() { pg_isready -q -h 127.0.0.1 -p 5433 2>/dev/null; }
if ! grading_up; then
  if command -v pg_createcluster >/dev/null; then
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    if [ ! -d "/etc/postgresql/$version/grading" ]; then
      log "creating the grading PostgreSQL cluster on 127.0.0.1:5433"
      pg_createcluster "$version" grading -p 5433 -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
      hba="/etc/postgresql/$version/grading/pg_hba.conf"
      sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
      echo "listen_addresses = '127.0.0.1'" >> "/etc/postgresql/$version/grading/postgresql.conf"
    fi
    log "starting the grading PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$version" grading start || true
    for _ in $(seq 1 30); do grading_up && break; sleep 1; done
  fi
  grading_up || log "no grading PostgreSQL on 127.0.0.1:5433; set ASSAY_GRADING_DATABASE_URL to a server for submission databases"
fi

# Redis.
if ! redis_up; then
  need_cmd redis-server redis-server
  need_cmd redis-cli redis-tools
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { log "Redis did not start on 127.0.0.1:6379"; exit 1; }
fi

# Toolchains candidates build with (Go is the one building Assay itself).
need_cmd node nodejs
need_cmd npm npm
need_cmd python3 python3
# Native Node modules (bcrypt, sqlite3) compile in the box with node-gyp: a
# compiler, make, and the Node headers (NodeSource's nodejs ships them in
# /usr/include/node; Debian's own nodejs keeps them in libnode-dev).
need_cmd make make
need_cmd g++ g++
[ -f /usr/include/node/common.gypi ] || apt_install libnode-dev

if [ $want_browser -eq 1 ]; then
  need_cmd chromium chromium
fi
log "PostgreSQL, Redis and bubblewrap are ready"

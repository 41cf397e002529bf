#!/usr/bin/env bash
# Creates the database named in the given PostgreSQL URL when it does not exist.
set -euo pipefail
url=${1:?usage: create-database.sh POSTGRES_URL}
db=$(sed -E 's#^[a-z]+://[^/]*/([^?]*).*#\1#' <<<"$url")
admin=$(sed -E "s#/${db}(\\?|\$)#/postgres\\1#" <<<"$url")
[[ "$db" =~ ^[a-zA-Z_][a-zA-Z0-9_]*$ ]] || { echo "create-database: unexpected database name '$db'" >&2; exit 1; }
if [ "$(psql "$admin" -Atqc "select 1 from pg_database where datname = '$db'")" != "1" ]; then
  psql "$admin" -qc "create database \"$db\"" && echo "create-database: created $db" >&2
fi

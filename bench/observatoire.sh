#!/usr/bin/env bash
# The observatory at scale (issue 4): builds the release binary, starts (or reuses) PostgreSQL
# with .ci/start-postgres.sh, then runs `parcours bench observatoire`: a synthetic territory of
# 1M households (~20M events), the 36 monthly snapshots of every segment in memory, and end to
# end from SQLite and from a fresh PostgreSQL database (created, loaded, measured, dropped).
# The figures go to the "Observatory (issue 4)" section of docs/benchmarks.md.
#
#   bench/observatoire.sh                          # 1M households, 5 runs, SQLite and PostgreSQL
#   HOUSEHOLDS=200000 RUNS=3 bench/observatoire.sh
#   NO_PG=1 bench/observatoire.sh                  # without PostgreSQL
#   bench/observatoire.sh --postgres-households 200000 --db-runs 3   # extra flags are passed on
#
# Needs ~5 GB of free memory and ~4 GB of disk in $BENCH_DIR at 1M households; takes ~20 min.
# The SQLite file is removed at the end unless KEEP_DB=1.
set -euo pipefail
cd "$(dirname "$0")/.."

HOUSEHOLDS="${HOUSEHOLDS:-1000000}"
RUNS="${RUNS:-5}"
SEED="${SEED:-42}"
BENCH_DIR="${BENCH_DIR:-/tmp/parcours-bench}"
OUT="${OUT:-docs/benchmarks.md}"

cargo build --release -p parcours >&2

mkdir -p "$BENCH_DIR"
DB="$BENCH_DIR/observatoire.db"
args=(bench observatoire --households "$HOUSEHOLDS" --seed "$SEED" --runs "$RUNS" --sqlite "$DB")
label="bench/observatoire.sh${*:+ $*}   # after cargo build --release, runs:"
pg_flag=""
if [[ -z "${NO_PG:-}" ]]; then
  PG_URL="$(.ci/start-postgres.sh | tail -n 1)"
  args+=(--postgres "$PG_URL")
  label+=$'\nPG_URL=$(.ci/start-postgres.sh | tail -n 1)'
  pg_flag=' --postgres "$PG_URL"'
fi
label+=$'\n'"target/release/parcours ${args[*]:0:10}${pg_flag}${*:+ $*} --out $OUT"

status=0
target/release/parcours "${args[@]}" --out "$OUT" --command-label "$label" "$@" || status=$?

if [[ -z "${KEEP_DB:-}" ]]; then
  rm -f "$DB" "$DB-journal" "${DB%.db}-audit.db" "${DB%.db}-audit.db-journal"
fi
exit "$status"

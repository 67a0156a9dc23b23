#!/usr/bin/env bash
# Benchmark (issue 12): the start page, the case list and the leader's figures with BENCH_SCALE
# (default 10) times the demo's volume, against the release server, next to the case JSON
# endpoint measured in the same run. Not a test: run it by hand and read the figures
# (bench/README.md has the latest ones).
#
#   bash bench/day.sh                   # build, set up, measure (about a minute after the build)
#   BENCH_DURATION=30s BENCH_SCALE=20 bash bench/day.sh
#
# Needs PostgreSQL and Redis as for the tests (README.md), wrk (`apt-get install -y wrk`) and
# python3. Everything runs on loopback. It uses a database of its own (BENCH_DB, default
# tillit_bench_day), dropped and created afresh, and its own Redis key prefix.
#
# What it does: builds the release binary; migrates the fresh database; creates a service of two
# municipalities with `tillit tenant create`; starts `tillit serve --no-worker`; sets the admin's
# password through the setup page (so the benchmark holds a real staff session); then writes, as
# the database's owner, the demo's two years of history with the demo's own statement
# (src/demo/history.sql, which `tillit demo` includes) for BENCH_SCALE times its cases, and
# 5 × BENCH_SCALE open cases held by the admin (bench/day.sql: maps, councils, meetings within
# two weeks, invitations unanswered after the chases, plans with overdue commitments and
# evaluations due). Then wrk asks for each URL over one connection with the session cookie, and
# the table gives each page's median as a multiple of the case JSON's (the goal: under 3×).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-18081}"
DB="${BENCH_DB:-tillit_bench_day}"
DURATION="${BENCH_DURATION:-10s}"
SCALE="${BENCH_SCALE:-10}"
source bench/lib.sh
[[ "$SCALE" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_SCALE is a whole number from 1" >&2; exit 2; }

bench_build
bench_service "bench-day-$$" --slug benkvik --name "Benkvik og Måleby barneverntjeneste" \
  --municipality 4624 --municipality 4625 --admin-email koordinator@benkvik.example
TENANT="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["tenant_id"])' "$CREATED")"
bench_serve
bench_session
ADMIN="$(psql "$OWNER_URL" -Atq -c \
  "SELECT id FROM users WHERE tenant_id = '$TENANT' AND role = 'tenant_admin'")"

echo "== $SCALE times the demo's volume, written with SQL"
{
  echo "PREPARE history_year(uuid, uuid, date, integer, text[], integer) AS"
  cat src/demo/history.sql
  echo ";"
  cat bench/day.sql
} | psql "$OWNER_URL" -q -X -v ON_ERROR_STOP=1 -v tenant="$TENANT" -v admin="$ADMIN" \
  -v municipalities='{4624,4625}' -v scale="$SCALE"
CASE="$(psql "$OWNER_URL" -Atq -c "SELECT c.id FROM cases c JOIN councils k ON k.case_id = c.id
  WHERE c.created_by = '$ADMIN' AND k.kind = 'family_group_conference'
  ORDER BY c.reference LIMIT 1")"

YEAR="$(date -u +%Y)"
# label, path
TARGETS=(
  "case (JSON API)|/api/v1/cases/$CASE"
  "start page|/overview"
  "case list|/cases"
  "figures|/figures"
)

bench_check "${TARGETS[@]}"

measure() { # path: sets median and p99 (ms) and rps
  local out
  out="$(bench_wrk 1 1 "$1")"
  median="$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  rps="$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")"
}

# Warm up: the first requests fill the connection pool and the caches.
for target in "${TARGETS[@]}"; do
  wrk -t1 -c1 -d2s -H "Cookie: $COOKIE" -H 'Accept: text/html' "$BASE${target#*|}" >/dev/null
done

echo
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$DURATION per line, one connection, BENCH_SCALE=$SCALE"
psql "$OWNER_URL" -Atq -F ' ' -c "SELECT
  (SELECT count(*) FROM cases WHERE phase = 'closed') || ' closed cases, ' ||
  (SELECT count(*) FROM cases WHERE phase <> 'closed') || ' open (the admin''s), ' ||
  (SELECT count(*) FROM councils) || ' councils, ' ||
  (SELECT count(*) FROM council_invitations) || ' invitations, ' ||
  (SELECT count(*) FROM plans) || ' plans'"
# BENCH_ROUNDS rounds, each asking for every URL in turn, so that a quiet or a busy spell of the
# machine falls on the baseline and the pages alike; each round's line gives its multiple, and
# the last table the median over the rounds.
ROUNDS="${BENCH_ROUNDS:-3}"
declare -A MEDIANS P99S RPSS
printf '| %-5s | %-16s | %9s | %9s | %10s | %13s |\n' "round" "URL" "median" "p99" "requests/s" \
  "× case JSON"
printf '|%s|%s|%s|%s|%s|%s|\n' "-------" "------------------" "-----------" "-----------" \
  "------------" "---------------"
for round in $(seq 1 "$ROUNDS"); do
  BASELINE=""
  for target in "${TARGETS[@]}"; do
    measure "${target#*|}"
    name="${target%%|*}"
    MEDIANS[$name]="${MEDIANS[$name]:-} $median"
    P99S[$name]="${P99S[$name]:-} $p99"
    RPSS[$name]="${RPSS[$name]:-} $rps"
    if [ -z "$BASELINE" ]; then
      BASELINE="$median"
      times="1"
    else
      times="$(awk -v m="$median" -v b="$BASELINE" 'BEGIN { printf "%.2f", m / b }')"
    fi
    printf '| %5s | %-16s | %6s ms | %6s ms | %10s | %13s |\n' "$round" "$name" "$median" "$p99" \
      "$rps" "$times"
  done
done

echo
echo "The median over the $ROUNDS rounds:"
printf '| %-16s | %9s | %9s | %10s | %13s |\n' "URL" "median" "p99" "requests/s" "× case JSON"
printf '|%s|%s|%s|%s|%s|\n' "------------------" "-----------" "-----------" "------------" \
  "---------------"
BASELINE=""
OVER=0
for target in "${TARGETS[@]}"; do
  name="${target%%|*}"
  median="$(median_of "${MEDIANS[$name]}")"
  p99="$(median_of "${P99S[$name]}")"
  rps="$(median_of "${RPSS[$name]}")"
  if [ -z "$BASELINE" ]; then
    BASELINE="$median"
    times="1"
  else
    times="$(awk -v m="$median" -v b="$BASELINE" 'BEGIN { printf "%.2f", m / b }')"
    awk -v t="$times" 'BEGIN { exit !(t >= 3) }' && OVER=1
  fi
  printf '| %-16s | %6s ms | %6s ms | %10s | %13s |\n' "$name" "$median" "$p99" "$rps" "$times"
done
echo
for target in "${TARGETS[@]:1}"; do
  echo "${target%%|*}: $(curl -s -H "Cookie: $COOKIE" -H 'Accept: text/html' "$BASE${target#*|}" \
    | wc -c) bytes"
done
echo "(figures of $YEAR, the service as a whole)"
if [ "$OVER" = 1 ]; then
  echo "a page is at 3× the case JSON or more" >&2
  exit 1
fi

#!/usr/bin/env bash
# Benchmark (issue 17, point 4): the case page, the invitee page and the start page at the demo's
# volume and with the rest of the country written around them — hundreds of thousands of cases,
# millions of persons — two databases and two servers side by side, measured in alternation, each
# page's median at the large volume as a multiple of its median at the demo's, with /healthz
# beside them. Then the plans
# PostgreSQL chose for every statement of the three pages at the large volume (auto_explain), and
# a check that none of them reads a large table from end to end. Not a test: run it by hand and
# read the figures (bench/README.md has the latest ones).
#
#   bash bench/large.sh                        # 100 services of 2,000 cases: about 10 minutes
#   BENCH_SERVICES=20 BENCH_CASES_EACH=500 bash bench/large.sh     # a quick look
#   TILLIT_BIN=path/to/tillit bash bench/large.sh                  # a binary built before
#
# Needs PostgreSQL and Redis as for the tests (README.md), wrk (`apt-get install -y wrk`),
# python3, and PostgreSQL's auto_explain module (in Debian's postgresql package) and its log at
# /var/log/postgresql (BENCH_PG_LOG to name another). Everything runs on loopback, in a database
# of its own (BENCH_DB, default tillit_bench_large, and BENCH_DB_demo beside it) dropped and
# created afresh.
#
# What it does, for each of the two databases: migrates it; creates a service with `tillit tenant
# create`; starts `tillit serve --no-worker`; sets the admin's password through the setup page (a
# real staff session); writes the demo's volume as bench/day.sh does at BENCH_SCALE=1 (two years
# of history, five open cases held by the admin, with maps, councils, invitations and plans); and
# gives one of the admin's invitations a link token it knows. In the large one, bench/large.sql
# then writes BENCH_SERVICES other services, and BENCH_CASES_EACH closed cases in each of them and
# in the measured service (the demo's own history statement, with BENCH_PERSONS_MORE more persons
# on each map and two commitments on each plan), runs VACUUM ANALYZE and CHECKPOINT, and its server
# starts afresh. Then each page is measured over one connection on the one server and then the
# other, BENCH_ROUNDS times, so that a quiet or a busy spell of the machine falls on both. It
# fails when a page's median at the large volume is 1.5× its median at the
# demo's or more, or when a plan reads a table of more than 10,000 rows with a sequential scan or
# has a node that reads more than 1,000 rows only to throw them away (an index that narrows to
# the service alone).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-18082}"
DB="${BENCH_DB:-tillit_bench_large}"
LARGE_DB=$DB
LARGE_PORT=$PORT
DURATION="${BENCH_DURATION:-5s}"
ROUNDS="${BENCH_ROUNDS:-3}"
SERVICES="${BENCH_SERVICES:-100}"
CASES_EACH="${BENCH_CASES_EACH:-2000}"
PERSONS_MORE="${BENCH_PERSONS_MORE:-8}"
source bench/lib.sh
for n in "$ROUNDS" "$SERVICES" "$CASES_EACH" "$PERSONS_MORE"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "the BENCH_ numbers are whole numbers from 1" >&2; exit 2; }
done
PG_LOG="${BENCH_PG_LOG:-$(ls -t /var/log/postgresql/postgresql-*.log 2>/dev/null | head -n 1)}"
[ -r "$PG_LOG" ] || { echo "PostgreSQL's log is not readable; name it in BENCH_PG_LOG" >&2; exit 2; }
# All load comes from one address: the invitee pages' limit would answer 429 after a few.
export TILLIT_RATE_LIMITS__INVITEE_PER_ADDRESS=100000000

PREPARE_HISTORY="$(echo "PREPARE history_year(uuid, uuid, date, integer, text[], integer) AS"
  cat src/demo/history.sql
  echo ";")"
declare -A SERVERS COOKIES BASES OWNERS TOKENS CASES TENANTS
# Both servers stop with the script (lib.sh's cleanup knows one).
trap 'for s in "${SERVERS[@]}"; do kill "$s" 2>/dev/null || true; done; cleanup' EXIT

# A database at the demo's volume with its own server on `port`, the service's admin signed in;
# what the measurements need is kept under `volume`.
service_at() { # volume database port
  DB=$2
  PORT=$3
  BASE="http://127.0.0.1:$PORT"
  OWNER_URL="${ADMIN_URL%/*}/$DB"
  bench_service "bench-large-$1-$$" --slug benkvik --name "Benkvik og Måleby barneverntjeneste" \
    --municipality 4624 --municipality 4625 --admin-email koordinator@benkvik.example
  local tenant admin token hash case
  tenant="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["tenant_id"])' "$CREATED")"
  bench_serve
  bench_session
  admin="$(psql "$OWNER_URL" -Atq -c \
    "SELECT id FROM users WHERE tenant_id = '$tenant' AND role = 'tenant_admin'")"
  echo "== the demo's volume in $DB, written with SQL (bench/day.sql at BENCH_SCALE=1)"
  { echo "$PREPARE_HISTORY"; cat bench/day.sql; } | psql "$OWNER_URL" -q -X -v ON_ERROR_STOP=1 \
    -v tenant="$tenant" -v admin="$admin" -v municipalities='{4624,4625}' -v scale=1
  # One of the admin's open network councils: its case for the case page, and one invitee's link.
  token="tli_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  hash="$(printf %s "$token" | sha256sum | cut -d' ' -f1)"
  case="$(psql "$OWNER_URL" -Atq -X -v ON_ERROR_STOP=1 <<SQL | head -n 1
UPDATE council_invitations SET token_hash = decode('$hash', 'hex')
 WHERE (tenant_id, id) = (SELECT i.tenant_id, i.id
                            FROM council_invitations i
                            JOIN council_participants p
                              ON p.tenant_id = i.tenant_id AND p.id = i.participant_id
                            JOIN councils k ON k.tenant_id = i.tenant_id AND k.id = i.council_id
                           WHERE i.tenant_id = '$tenant' AND k.coordinator_id = '$admin'
                             AND k.kind = 'network_council' AND p.person_id IS NOT NULL
                           ORDER BY k.case_id, p.id LIMIT 1)
RETURNING (SELECT case_id FROM councils WHERE tenant_id = '$tenant' AND id = council_id);
SQL
)"
  SERVERS[$1]=$SERVER
  SERVER=""
  COOKIES[$1]=$COOKIE
  BASES[$1]=$BASE
  OWNERS[$1]=$OWNER_URL
  TOKENS[$1]=$token
  CASES[$1]=$case
  TENANTS[$1]=$tenant
}

# Points lib.sh's functions at the server of `volume`.
use() { # volume
  SERVER=${SERVERS[$1]}
  COOKIE=${COOKIES[$1]}
  BASE=${BASES[$1]}
  OWNER_URL=${OWNERS[$1]}
  PORT=${BASE##*:}
  DB=${OWNER_URL##*/}
}

# label, path under the volume's own case and token
targets() { # volume
  TARGETS=(
    "healthz|/healthz"
    "case page|/cases/${CASES[$1]}"
    "invitee page|/i/${TOKENS[$1]}"
    "start page|/overview"
  )
}

volume() { # volume
  psql "${OWNERS[$1]}" -Atq -c "SELECT
    (SELECT count(*) FROM tenants) || ' services, ' ||
    (SELECT count(*) FROM cases) || ' cases (' ||
    (SELECT count(*) FROM cases WHERE tenant_id = '${TENANTS[$1]}') || ' in the measured service), ' ||
    (SELECT count(*) FROM network_persons) || ' persons, ' ||
    (SELECT count(*) FROM councils) || ' councils, ' ||
    (SELECT count(*) FROM council_invitations) || ' invitations, ' ||
    (SELECT count(*) FROM plans) || ' plans, ' ||
    (SELECT count(*) FROM plan_commitments) || ' commitments'"
}

bench_build
service_at demo "${LARGE_DB}_demo" "$((LARGE_PORT + 1))"
service_at large "$LARGE_DB" "$LARGE_PORT"

echo "== the rest of the country (bench/large.sql): $SERVICES services, $CASES_EACH cases each"
use large
started=$(date +%s)
{ echo "$PREPARE_HISTORY"; cat bench/large.sql; } | psql "$OWNER_URL" -q -X -v ON_ERROR_STOP=1 \
  -v tenant="${TENANTS[large]}" -v services="$SERVICES" -v cases_each="$CASES_EACH" \
  -v persons_more="$PERSONS_MORE" >/dev/null
echo "   written in $(($(date +%s) - started)) s; $(psql "$OWNER_URL" -Atq -c \
  "SELECT pg_size_pretty(pg_database_size(current_database()))")"
# A fresh server: its connections then plan with the new statistics from their first statement.
bench_restart
SERVERS[large]=$SERVER
SERVER=""
for v in demo large; do
  echo "== $v: $(volume $v)"
  targets $v
  use $v
  bench_check "${TARGETS[@]}"
done

# Warm up: the first requests fill each server's connection pool and PostgreSQL's caches.
for v in demo large; do
  use $v
  targets $v
  for target in "${TARGETS[@]}"; do
    wrk -t1 -c1 -d3s -H "Cookie: $COOKIE" -H 'Accept: text/html' "$BASE${target#*|}" >/dev/null
  done
done

declare -A MEDIANS
NAMES=("healthz" "case page" "invitee page" "start page")
echo "== $ROUNDS rounds, each page on the demo's volume and then the large one, over one connection"
echo "   $(date -u +%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!NAMES[@]}"; do
    for v in demo large; do
      use $v
      targets $v
      target=${TARGETS[$i]}
      out="$(bench_wrk 1 1 "${target#*|}")"
      median="$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
      MEDIANS["$v|${NAMES[$i]}"]="${MEDIANS["$v|${NAMES[$i]}"]:-} $median"
      printf '   round %s  %-13s %-6s %8s ms\n' "$round" "${NAMES[$i]}" "$v" "$median"
    done
  done
done

echo
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $DURATION per line, one connection, the median over $ROUNDS rounds"
printf '| %-13s | %12s | %12s | %8s |\n' "URL" "demo volume" "large volume" "× demo"
printf '|%s|%s|%s|%s|\n' "---------------" "--------------" "--------------" "----------"
OVER=0
for name in "${NAMES[@]}"; do
  small="$(median_of "${MEDIANS["demo|$name"]}")"
  large="$(median_of "${MEDIANS["large|$name"]}")"
  times="$(awk -v l="$large" -v s="$small" 'BEGIN { printf "%.2f", l / s }')"
  if [ "$name" != healthz ] && awk -v t="$times" 'BEGIN { exit !(t >= 1.5) }'; then OVER=1; fi
  printf '| %-13s | %9s ms | %9s ms | %8s |\n' "$name" "$small" "$large" "$times"
done
use large
targets large
echo
echo "== the plans of the pages' statements at the large volume (auto_explain)"
# Only the server's role in this database, and only until the end of this part.
psql "$ADMIN_URL" -q -X -v ON_ERROR_STOP=1 <<SQL
ALTER ROLE tillit_app IN DATABASE $DB SET session_preload_libraries = 'auto_explain';
ALTER ROLE tillit_app IN DATABASE $DB SET auto_explain.log_min_duration = 0;
ALTER ROLE tillit_app IN DATABASE $DB SET auto_explain.log_analyze = on;
ALTER ROLE tillit_app IN DATABASE $DB SET auto_explain.log_buffers = on;
ALTER ROLE tillit_app IN DATABASE $DB SET auto_explain.log_timing = off;
ALTER ROLE tillit_app IN DATABASE $DB SET auto_explain.log_nested_statements = on;
SQL
bench_restart
SERVERS[large]=$SERVER
PLANS="$WORK/plans"
for target in "${TARGETS[@]:1}"; do
  from=$(($(stat -c %s "$PG_LOG") + 1))
  curl -s -o /dev/null -H "Cookie: $COOKIE" -H 'Accept: text/html' "$BASE${target#*|}"
  # The writer of the view's audit rows runs just after the page; give its statement time.
  sleep 1
  tail -c +"$from" "$PG_LOG" >"$PLANS.${target%%|*}"
done
psql "$ADMIN_URL" -q -X -c "ALTER ROLE tillit_app IN DATABASE $DB RESET ALL"
psql "$OWNER_URL" -Atq -F ' ' -c "SELECT c.relname, c.reltuples::bigint FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'" \
  >"$WORK/rows"
SCANNED=0
for target in "${TARGETS[@]:1}"; do
  python3 - "${target%%|*}" "$PLANS.${target%%|*}" "$WORK/rows" <<'PY' || SCANNED=1
import re, sys
page, log, rows_file = sys.argv[1], open(sys.argv[2], errors="replace").read(), sys.argv[3]
rows = dict((name, int(n)) for name, n in (l.split() for l in open(rows_file) if l.strip()))
# A plan is a "duration: … plan:" line of the log followed by lines that do not start a new
# log entry (which begins with a date).
plans = re.split(r"\n(?=\d{4}-\d\d-\d\d )", log)
plans = [p for p in plans if "plan:" in p and "Query Text:" in p]
print(f"\n-- {page}: {len(plans)} statements")
reported = []
for plan in sorted(plans, key=lambda p: -float(re.search(r"duration: ([\d.]+) ms", p).group(1))):
    duration = float(re.search(r"duration: ([\d.]+) ms", plan).group(1))
    text = re.search(r"Query Text: (.*)", plan).group(1).strip()
    after = plan.split("Query Text:", 1)[1]
    body = after.split("\n", 1)[1] if "\n" in after else ""
    scans = re.findall(r"Seq Scan on (\w+)", body)
    indexes = re.findall(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)", body)
    print(f"{duration:8.3f} ms  {text[:110]}")
    print(f"             indexes: {', '.join(sorted(set(indexes))) or '-'}"
          + (f"; sequential: {', '.join(sorted(set(scans)))}" if scans else ""))
    why = [f"a sequential scan of {table} ({rows[table]} rows)"
           for table in sorted(set(scans)) if rows.get(table, 0) > 10000]
    # An index that narrows to the service only, the rest found by filtering, is no better.
    removed = [int(n) for n in re.findall(r"Rows Removed by (?:Filter|Index Recheck): (\d+)", body)]
    if removed and max(removed) > 1000:
        why.append(f"{max(removed)} rows read and thrown away by one node")
    reported.extend((reason, text[:80]) for reason in why)
for reason, text in reported:
    print(f"!! {reason}: {text}")
sys.exit(1 if reported else 0)
PY
done
echo
echo "(the whole plans: BENCH_KEEP_PLANS=dir keeps them)"
if [ -n "${BENCH_KEEP_PLANS:-}" ]; then
  mkdir -p "$BENCH_KEEP_PLANS" && cp "$PLANS".* "$BENCH_KEEP_PLANS"/
fi

[ "$OVER" = 0 ] || { echo "a page is at 1.5× its time at the demo's volume or more" >&2; exit 1; }
[ "$SCANNED" = 0 ] || { echo "a plan reads rows it does not need (the !! lines)" >&2; exit 1; }

#!/usr/bin/env bash
# Benchmark of the invitee's meeting page, GET /i/{token}, against GET /healthz (the process
# answering, nothing else) measured in the same run by the same load generator (wrk).
#
#   bash bench/invitee.sh [SECONDS] [CONNECTIONS]     (default 15 s, 16 connections)
#
# Needs PostgreSQL, Redis and `wrk` (apt-get install -y wrk). The server is the release build on
# a free loopback port; the page is a real one: the token is looked up through
# platform_link_lookup, the invitation, meeting, council texts and answer are read in the same
# transaction scoped to the service found, the view is queued for the audit log's writer
# (src/audit/views.rs) and the page is rendered. The rate limit on invitee pages is raised for the
# run, since all load comes from one address. Everything runs on loopback. Not a test: figures
# vary with the machine and its load.
#
# Each round measures, one after the other: /healthz; the invitee page; the peer's email-link page
# when CALRS_DIR is given (calrs, olivierlambert/calrs, a Rust scheduling service on SQLite: its
# booking-cancel link `GET /booking/cancel/{token}` on one booking row inserted into its SQLite);
# and pgbench running bench/invitee_essential.sql, the page's essential database work (one indexed
# lookup and one audit INSERT, committed). ROUNDS (default 3) rounds, interleaved.
#
#   CALRS_DIR=path/to/calrs-checkout bash bench/invitee.sh 10 64
#     The checkout is calrs's working directory (it reads templates/ from there); its binary is
#     $CALRS_DIR/target/release/calrs, or CALRS=path/to/calrs. Build it with
#     git clone https://github.com/olivierlambert/calrs && cd calrs && cargo build --release --locked
#
# After the rounds (the maximum rate), `oha` sends the page at a fixed rate of half the best
# rate wrk reached, with its latency corrected for coordinated omission (a late request counts
# from when it was due), and the server's memory is read from /proc: resident while under load,
# and the peak (VmHWM). oha is a Rust load generator: cargo install oha --locked; OHA=path/to/oha
# when it is not on PATH. Without oha that part is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-15}
CONNECTIONS=${2:-16}
ROUNDS=${ROUNDS:-3}
DB=tillit_bench_invitee
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
export TILLIT_ENV=development
export TILLIT_DATABASE_URL="postgres://tillit_app@127.0.0.1:5432/$DB"
export TILLIT_REDIS_NAMESPACE="bench-$$"
export TILLIT_MAIL_DIR="$WORK/mail"
export TILLIT_BASE_URL="http://127.0.0.1:$PORT"
export TILLIT_LOG__FILTER=warn
export TILLIT_RATE_LIMITS__INVITEE_PER_ADDRESS=100000000
PSQL="psql -h 127.0.0.1 -U postgres -q -t -A"

cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${PEER:-}" ] && kill "$PEER" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

# TILLIT_BIN runs a binary built before (to compare two versions in the same conditions).
if [ -n "${TILLIT_BIN:-}" ]; then
  BIN=$TILLIT_BIN
else
  echo "== build (release)"
  cargo build --release --locked --bin tillit >/dev/null
  BIN=${CARGO_TARGET_DIR:-target}/release/tillit
fi

echo "== database $DB with one council and an invitation"
$PSQL -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres
$BIN migrate >/dev/null
TENANT=$($BIN tenant create --slug bench --name "Bench kommune" --municipality 4699 \
  --admin-email admin@bench.invalid | python3 -c 'import json,sys; print(json.load(sys.stdin)["tenant_id"])')
echo "   load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
TOKEN="tli_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
# Seed as the owner with the tenant set: row-level security is forced for the owner too.
$PSQL -d "$DB" <<SQL
SET ROLE tillit_owner;
\o /dev/null
SELECT set_config('app.tenant_id', '$TENANT', false);
\o
INSERT INTO users (tenant_id, id, email, role) VALUES
  ('$TENANT', '00000000-0000-4000-8000-000000000001', 'koordinator@bench.invalid', 'coordinator');
INSERT INTO children (tenant_id, id, first_name, last_name, birth_year, gender) VALUES
  ('$TENANT', '00000000-0000-4000-8000-000000000002', 'Ola', 'Benk', 2015, 'boy');
INSERT INTO cases (tenant_id, id, child_id, phase, opened_at, phase_changed_at, created_by) VALUES
  ('$TENANT', '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002',
   'support_measures', now(), now(), '00000000-0000-4000-8000-000000000001');
INSERT INTO network_persons (tenant_id, id, case_id, name, category, side, lineage, closeness, quality, email) VALUES
  ('$TENANT', '00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000003',
   'Mormor', 'near_family', 'private', 'maternal', 'close', 'supportive', 'mormor@bench.invalid');
INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, team_chosen_at, created_by) VALUES
  ('$TENANT', '00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000003',
   'network_council', 'preparation', '00000000-0000-4000-8000-000000000001', now(), '00000000-0000-4000-8000-000000000001');
INSERT INTO council_texts (tenant_id, id, council_id, kind, position, text, author, child_confirmed_at, shared)
  SELECT '$TENANT', gen_random_uuid(), '00000000-0000-4000-8000-000000000005', k, p, t, 'child', now(), true
  FROM (VALUES ('situation', 0, 'Jeg vil bo hjemme, men det er mye krangling.'),
               ('question', 1, 'Hvem kan hente meg på fotball?'),
               ('question', 2, 'Hvor kan jeg være når det er krangling?'),
               ('question', 3, 'Hvem kan jeg ringe?')) AS v(k, p, t);
INSERT INTO council_participants (tenant_id, id, council_id, case_id, person_id, chosen_by_child, meeting_role, side) VALUES
  ('$TENANT', '00000000-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000005',
   '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004', true, 'support_person', 'private');
INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes, place, agenda, calendar_uid, confirmed_at) VALUES
  ('$TENANT', '00000000-0000-4000-8000-000000000007', '00000000-0000-4000-8000-000000000005',
   now() + interval '10 days', 180, 'Biblioteket',
   '["welcome", "child_questions", "round", "plan_presentation"]', gen_random_uuid(), now());
INSERT INTO council_invitations (tenant_id, id, council_id, meeting_id, participant_id, token_hash, expires_at) VALUES
  ('$TENANT', gen_random_uuid(), '00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000007',
   '00000000-0000-4000-8000-000000000006', decode('$HASH', 'hex'), now() + interval '30 days');
SQL

echo "== release server on 127.0.0.1:$PORT"
$BIN serve --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/i/$TOKEN")
[ "$STATUS" = "200" ] || { echo "the invitee page answered $STATUS" >&2; exit 1; }

run() {
  local name=$1 path=$2 out
  out="$WORK/$name.$(date +%s%N).txt"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "http://127.0.0.1:$PORT$path" >"$out"
  python3 - "$name" "$out" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{name:8} median {ms(*p50.groups()):7.2f} ms   p99 {ms(*p99.groups()):7.2f} ms   "
      f"{float(rps.group(1)):8.0f} requests/s   non-2xx: {non2xx.group(1) if non2xx else 0}")
PY
}

PEER_PORT=""
if [ -n "${CALRS_DIR:-}" ]; then
  CALRS=${CALRS:-$CALRS_DIR/target/release/calrs}
  PEER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo "== calrs ($CALRS) on 127.0.0.1:$PEER_PORT with one booking"
  # Any command creates and migrates its SQLite; then one host, event type and booking.
  RUST_LOG=warn "$CALRS" --data-dir "$WORK/calrs" event-type list >/dev/null 2>&1
  python3 - "$WORK/calrs/calrs.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
INSERT INTO users (id, email, name) VALUES ('u1', 'vert@bench.invalid', 'Vert Benk');
INSERT INTO accounts (id, name, email, user_id) VALUES ('a1', 'Vert Benk', 'vert@bench.invalid', 'u1');
INSERT INTO event_types (id, account_id, slug, title, duration_min) VALUES ('e1', 'a1', 'mote', 'Møte', 60);
INSERT INTO bookings (id, event_type_id, uid, guest_name, guest_email, guest_timezone, start_at,
                      end_at, cancel_token, reschedule_token, status)
  VALUES ('b1', 'e1', 'uid-1', 'Gjest Benk', 'gjest@bench.invalid', 'Europe/Oslo',
          '2030-01-10T10:00:00', '2030-01-10T11:00:00', 'bench-cancel-token', 'bench-reschedule-token',
          'confirmed');
""")
db.commit()
PY
  (cd "$CALRS_DIR" && RUST_LOG=warn exec "$CALRS" --data-dir "$WORK/calrs" serve --port "$PEER_PORT") \
    >"$WORK/calrs.log" 2>&1 &
  PEER=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$PEER_PORT/booking/cancel/bench-cancel-token" && break; sleep 0.1; done
  STATUS=$(curl -s -o "$WORK/calrs.html" -w '%{http_code}' "http://127.0.0.1:$PEER_PORT/booking/cancel/bench-cancel-token")
  { [ "$STATUS" = "200" ] && grep -q "Møte" "$WORK/calrs.html"; } \
    || { echo "calrs's cancel page answered $STATUS" >&2; cat "$WORK/calrs.log" >&2; exit 1; }
fi

essential() {
  local out="$WORK/pgbench.$(date +%s%N).txt"
  pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_EACH" -f bench/invitee_essential.sql \
    -D hash="$HASH" -D tenant="$TENANT" -D participant=00000000-0000-4000-8000-000000000006 \
    -D meeting=00000000-0000-4000-8000-000000000007 "$TILLIT_DATABASE_URL" >"$out" 2>&1
  python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
tps = re.search(r"tps = ([\d.]+)", text)
lat = re.search(r"latency average = ([\d.]+) ms", text)
failed = re.search(r"number of failed transactions: (\d+)", text)
if not tps:
    sys.exit("pgbench failed:\n" + text)
print(f"pgbench  average {float(lat.group(1)):7.2f} ms   {'':15}{float(tps.group(1)):8.0f} transactions/s   "
      f"failed: {failed.group(1) if failed else 0}")
PY
}

peer() {
  [ -n "$PEER_PORT" ] || return 0
  PORT=$PEER_PORT run calrs /booking/cancel/bench-cancel-token
}

echo "== $ROUNDS rounds of ${SECONDS_EACH} s each, one after the other: wrk (2 threads, $CONNECTIONS connections), pgbench ($CONNECTIONS clients)"
for round in $(seq 1 "$ROUNDS"); do
  echo "-- round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  run healthz /healthz
  run invitee "/i/$TOKEN"
  peer
  essential
done

memory() { # the server's resident memory now and at its peak, in MiB
  awk '/^VmRSS|^VmHWM/ {printf "%s %.1f MiB   ", $1, $2 / 1024}' "/proc/$SERVER/status"
  echo
}

OHA=${OHA:-$(command -v oha || true)}
if [ -n "$OHA" ]; then
  BEST=$(grep -h "Requests/sec" "$WORK"/invitee*.txt | awk '{print $2}' | sort -n | tail -1)
  RATE=$(python3 -c "print(int(float('$BEST') / 2))")
  echo "== oha: a fixed $RATE requests/s (half of wrk's best, $BEST/s), $CONNECTIONS connections, ${SECONDS_EACH} s"
  "$OHA" -z "${SECONDS_EACH}s" -q "$RATE" -c "$CONNECTIONS" --latency-correction --no-tui \
    --output-format json "http://127.0.0.1:$PORT/i/$TOKEN" >"$WORK/oha.json" &
  OHA_PID=$!
  sleep "$(python3 -c "print($SECONDS_EACH / 2)")"
  echo "   memory under load: $(memory)"
  wait "$OHA_PID"
  python3 - "$WORK/oha.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["latencyPercentiles"]
s = r["summary"]
codes = r.get("statusCodeDistribution", {})
print(f"fixed    median {p['p50'] * 1000:7.2f} ms   p99 {p['p99'] * 1000:7.2f} ms   "
      f"{s['requestsPerSec']:8.0f} requests/s   statuses: {codes}")
PY
  echo "   memory after: $(memory)"
else
  echo "== oha is not installed: the fixed-rate part is skipped (cargo install oha --locked)"
fi

$PSQL -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres

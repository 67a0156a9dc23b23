#!/usr/bin/env bash
# Benchmark of the background jobs against a local SMTP sink (aiosmtpd), whose own raw rate is
# measured in the same run. Two phases, one `tillit worker` process throughout:
#   burst:  JOBS due `account_email` jobs at once; throughput from start to the last row done.
#   steady: RATE jobs a second arriving for SECONDS, each due when it is inserted; the median and
#           95th percentile delay from due to done.
#
#   bash bench/jobs.sh [JOBS] [RATE] [SECONDS]   (defaults 10000 50 60; SECONDS=0 skips the steady
#                                                 phase; needs PostgreSQL, Redis, python3 + aiosmtpd)
#   TILLIT_BIN=path/to/tillit bash bench/jobs.sh  (that binary instead of building this tree)
#
# Reports: the sink's raw rate (one smtplib client, one connection, no Tillit), Tillit's burst
# throughput, the due → done delays of both phases, and the worker process's peak memory (VmHWM).
# Everything runs on loopback. Not a test: figures vary with the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${1:-10000}
RATE=${2:-50}
SECONDS_STEADY=${3:-60}
STEADY=$((RATE * SECONDS_STEADY))
DB=tillit_bench_jobs
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
export TILLIT_ENV=development
export TILLIT_DATABASE_URL="postgres://tillit_app@127.0.0.1:5432/$DB"
export TILLIT_REDIS_NAMESPACE="bench-$$"
export TILLIT_MAIL_TRANSPORT=smtp
export TILLIT_SMTP_URL="smtp://127.0.0.1:$PORT"
export TILLIT_LOG__FILTER=warn
PSQL="psql -h 127.0.0.1 -U postgres -q -t -A"

cleanup() {
  [ -n "${WORKER:-}" ] && kill "$WORKER" 2>/dev/null || true
  [ -n "${SINK:-}" ] && kill "$SINK" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# TILLIT_BIN runs a binary built before (to compare two versions in the same conditions).
if [ -n "${TILLIT_BIN:-}" ]; then
  BIN=$TILLIT_BIN
else
  echo "== build (release)"
  cargo build --release --locked --bin tillit >/dev/null
  BIN="${CARGO_TARGET_DIR:-target}/release/tillit"
fi

echo "== SMTP sink on 127.0.0.1:$PORT"
python3 tests/support/smtp_sink.py "$PORT" "$WORK/mail" &
SINK=$!
for _ in $(seq 1 100); do [ -f "$WORK/mail/ready" ] && break; sleep 0.1; done

echo "== baseline: the sink's raw rate (2,000 messages, one connection, no Tillit)"
python3 - "$PORT" <<'PY'
import smtplib, sys, time
port = int(sys.argv[1])
n = 2000
body = "Subject: raw\r\nMessage-ID: <raw-%d@bench>\r\n\r\n" + ("x" * 70 + "\r\n") * 20
s = smtplib.SMTP("127.0.0.1", port)
start = time.perf_counter()
for i in range(n):
    s.sendmail("bench@tillit.invalid", ["sink@bench.invalid"], body % i)
took = time.perf_counter() - start
s.quit()
print(f"sink raw rate: {n / took:.0f} messages/s")
PY
rm -f "$WORK"/mail/*.eml

echo "== database $DB with $JOBS due jobs (and $STEADY links for the steady phase)"
$PSQL -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres
$BIN migrate >/dev/null
TENANT=$($BIN tenant create --slug bench --name "Bench barneverntjeneste" --municipality 4699 \
  --admin-email admin@bench.invalid | python3 -c 'import json,sys; print(json.load(sys.stdin)["tenant_id"])')
# Seed as the owner with the tenant set: row-level security is forced for the owner too.
$PSQL -d "$DB" <<SQL
SET ROLE tillit_owner;
SET app.tenant_id = '$TENANT';
UPDATE tenants SET quiet_start_hour = 0, quiet_end_hour = 0;
UPDATE jobs SET status = 'cancelled';
INSERT INTO users (tenant_id, id, email, role)
  SELECT '$TENANT', gen_random_uuid(), 'staff' || g || '@bench.invalid', 'coordinator'
  FROM generate_series(1, $JOBS) g;
INSERT INTO users (tenant_id, id, email, role)
  SELECT '$TENANT', gen_random_uuid(), 'steady' || g || '@bench.invalid', 'coordinator'
  FROM generate_series(1, $STEADY) g;
INSERT INTO account_tokens (tenant_id, id, user_id, purpose, token_hash, expires_at)
  SELECT '$TENANT', gen_random_uuid(), u.id, 'invitation', sha256(u.id::text::bytea), now() + interval '3 days'
  FROM users u WHERE u.email LIKE 'staff%' OR u.email LIKE 'steady%';
INSERT INTO jobs (tenant_id, id, kind, payload, due_at)
  SELECT '$TENANT', gen_random_uuid(), 'account_email', jsonb_build_object('token_id', t.id), now()
  FROM account_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
  WHERE t.purpose = 'invitation' AND u.email LIKE 'staff%';
SQL

# Waits until no job is left to run.
drain() {
  while :; do
    LEFT=$($PSQL -d "$DB" -c "SET ROLE tillit_owner; SET app.tenant_id = '$TENANT'; SELECT count(*) FROM jobs WHERE status NOT IN ('done','cancelled','failed')" | tail -n 1)
    [ "$LEFT" = "0" ] && break
    sleep 0.2
  done
}
# The delays from due to done of the jobs done whose links went to addresses starting with $1.
delays() {
  $PSQL -d "$DB" <<SQL
SET ROLE tillit_owner;
SET app.tenant_id = '$TENANT';
SELECT 'jobs done: ' || count(*) FILTER (WHERE j.status = 'done') || ', failed: ' || count(*) FILTER (WHERE j.status = 'failed')
    || '; delay due -> done: median ' || round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY j.finished_at - j.due_at))::numeric, 3)
    || ' s, p95 ' || round(extract(epoch FROM percentile_cont(0.95) WITHIN GROUP (ORDER BY j.finished_at - j.due_at))::numeric, 3) || ' s'
  FROM jobs j
  JOIN account_tokens t ON t.tenant_id = j.tenant_id AND t.id = (j.payload->>'token_id')::uuid
  JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
  WHERE j.kind = 'account_email' AND u.email LIKE '$1%';
SQL
}

echo "== burst: one worker process dispatches and sends $JOBS due jobs"
START=$(date +%s.%N)
$BIN worker &
WORKER=$!
drain
END=$(date +%s.%N)
SENT=$(find "$WORK/mail" -name '*.eml' | wc -l)
delays staff
python3 - "$START" "$END" "$SENT" <<'PY'
import sys
start, end, sent = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"messages received by the sink: {sent}")
print(f"tillit throughput: {sent / (end - start):.0f} messages/s over {end - start:.1f} s")
PY

if [ "$STEADY" -gt 0 ]; then
  echo "== steady: $RATE jobs a second for $SECONDS_STEADY s, each due when inserted"
  # One job per insert, committed at once, paced against the start so the rate does not drift.
  $PSQL -d "$DB" <<SQL
SET ROLE tillit_owner;
SET app.tenant_id = '$TENANT';
DO \$\$
DECLARE
  started timestamptz := clock_timestamp();
  n int := 0;
  token uuid;
BEGIN
  FOR token IN SELECT t.id FROM account_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
               WHERE u.email LIKE 'steady%' ORDER BY u.email LOOP
    INSERT INTO jobs (tenant_id, id, kind, payload, due_at)
      VALUES ('$TENANT', gen_random_uuid(), 'account_email', jsonb_build_object('token_id', token), clock_timestamp());
    COMMIT;
    n := n + 1;
    PERFORM pg_sleep(greatest(0, extract(epoch FROM started + n * interval '1 second' / $RATE - clock_timestamp())));
  END LOOP;
END
\$\$;
SQL
  drain
  delays steady
  echo "messages received by the sink in all: $(find "$WORK/mail" -name '*.eml' | wc -l)"
fi

echo "worker peak memory (VmHWM): $(grep VmHWM /proc/$WORKER/status | awk '{print $2 " " $3}')"
kill "$WORKER"; wait "$WORKER" 2>/dev/null || true; WORKER=
$PSQL -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres

#!/usr/bin/env bash
# Benchmark of the background jobs: 10,000 due email jobs dispatched and sent to a local SMTP
# sink (aiosmtpd), against the sink's own raw rate measured in the same run.
#
#   bash bench/jobs.sh [JOBS]        (default 10000; needs PostgreSQL, Redis, python3 + aiosmtpd)
#
# Reports: the sink's raw rate (one smtplib client, one connection, no Tillit), Tillit's
# throughput from the first to the last message, the median and 95th percentile delay from a
# job's due time to its row being done, and the worker process's peak memory (VmHWM).
# Everything runs on loopback. Not a test: figures vary with the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${1:-10000}
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

echo "== build (release)"
cargo build --release --locked --bin tillit >/dev/null
BIN=target/release/tillit

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

echo "== database $DB with $JOBS due jobs"
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
INSERT INTO account_tokens (tenant_id, id, user_id, purpose, token_hash, expires_at)
  SELECT '$TENANT', gen_random_uuid(), u.id, 'invitation', sha256(u.id::text::bytea), now() + interval '3 days'
  FROM users u WHERE u.email LIKE 'staff%';
INSERT INTO jobs (tenant_id, id, kind, payload, due_at)
  SELECT '$TENANT', gen_random_uuid(), 'account_email', jsonb_build_object('token_id', t.id), now()
  FROM account_tokens t WHERE t.purpose = 'invitation';
SQL

echo "== one worker process: dispatch and send"
START=$(date +%s.%N)
$BIN worker &
WORKER=$!
while :; do
  LEFT=$($PSQL -d "$DB" -c "SET ROLE tillit_owner; SET app.tenant_id = '$TENANT'; SELECT count(*) FROM jobs WHERE status NOT IN ('done','cancelled','failed')" | tail -n 1)
  [ "$LEFT" = "0" ] && break
  sleep 0.5
done
END=$(date +%s.%N)
PEAK=$(grep VmHWM /proc/$WORKER/status | awk '{print $2 " " $3}')
kill "$WORKER"; wait "$WORKER" 2>/dev/null || true; WORKER=
SENT=$(ls "$WORK/mail" | grep -c '\.eml$' || true)
$PSQL -d "$DB" <<SQL
SET ROLE tillit_owner;
SET app.tenant_id = '$TENANT';
\echo
SELECT 'jobs done: ' || count(*) FILTER (WHERE status = 'done') || ', failed: ' || count(*) FILTER (WHERE status = 'failed')
  FROM jobs WHERE kind = 'account_email' AND payload ? 'token_id' AND status <> 'cancelled';
SELECT 'delay due -> done: median ' || round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY finished_at - due_at))::numeric, 2)
    || ' s, p95 ' || round(extract(epoch FROM percentile_cont(0.95) WITHIN GROUP (ORDER BY finished_at - due_at))::numeric, 2) || ' s'
  FROM jobs WHERE status = 'done';
SQL
python3 - "$START" "$END" "$SENT" "$PEAK" <<'PY'
import sys
start, end, sent, peak = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print(f"messages received by the sink: {sent}")
print(f"tillit throughput: {sent / (end - start):.0f} messages/s over {end - start:.1f} s")
print(f"worker peak memory (VmHWM): {peak}")
PY
$PSQL -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres

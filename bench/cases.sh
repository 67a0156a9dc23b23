#!/usr/bin/env bash
# Benchmark: the case page and the eco-map of a case with a 60-person network map, against the
# release server, next to /healthz measured in the same run. Not a test: run it by hand and read
# the figures (bench/README.md has the latest ones).
#
#   bash bench/cases.sh                 # build, set up, measure (about two minutes after the build)
#   BENCH_DURATION=30s bash bench/cases.sh
#
# Needs PostgreSQL and Redis as for the tests (README.md), wrk (`apt-get install -y wrk`) and
# python3. Everything runs on loopback. It uses a database of its own (BENCH_DB, default
# tillit_bench), dropped and created afresh, and its own Redis key prefix.
#
# What it does: builds the release binary; migrates the fresh database; creates a service with
# `tillit tenant create`; starts `tillit serve`; sets the admin's password through the setup page
# (so the benchmark holds a real staff session); opens a case and maps 60 people (a third with the
# child's words) through the JSON API, and saves a revision; then runs wrk against each URL, first
# with one connection (the latency is the server's time plus loopback) and then with eight (the
# throughput of the machine).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-18080}"
DB="${BENCH_DB:-tillit_bench}"
DURATION="${BENCH_DURATION:-10s}"
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET/release/tillit"
BASE="http://127.0.0.1:$PORT"
ADMIN_URL="${TILLIT_DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }

WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building the release binary"
cargo build --release --locked --quiet

echo "== a fresh database: $DB"
psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
export TILLIT_ENV=production
export TILLIT_DATABASE_URL="postgres://tillit_app@127.0.0.1:5432/$DB"
export TILLIT_DATABASE_ADMIN_URL="$ADMIN_URL"
export TILLIT_BASE_URL="$BASE"
export TILLIT_SECRET_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
export TILLIT_REDIS_NAMESPACE="bench-$$"
export TILLIT_MAIL_DIR="$WORK/mail"
"$BIN" migrate >/dev/null
created="$("$BIN" tenant create --slug bench --name "Benkvik barneverntjeneste" \
  --municipality 4624 --admin-email koordinator@benkvik.example)"

echo "== starting the server on $BASE"
"$BIN" serve --bind "127.0.0.1:$PORT" --no-worker >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -sf "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "$BASE/healthz" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

echo "== a staff session, a case and its 60-person map"
SETUP="$(python3 - "$BASE" "$created" "$WORK/cookie" <<'PY'
import http.cookiejar, json, re, sys, urllib.parse, urllib.request

base, created, cookie_file = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
stay = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)

def token(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

def page(url):
    req = urllib.request.Request(url, headers={"Accept": "text/html"})
    return web.open(req).read().decode()

setup = created["setup_url"]
password = "benkvik har et langt passord"
form = urllib.parse.urlencode({
    "csrf": token(page(setup)), "display_name": "Kari Koordinator",
    "password": password, "password_repeat": password,
}).encode()
try:
    stay.open(urllib.request.Request(setup, data=form))
except urllib.error.HTTPError as e:
    if e.code != 303:
        raise
csrf = token(page(base + "/cases"))

def api(method, path, body):
    req = urllib.request.Request(
        base + path, method=method, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    return json.loads(web.open(req).read().decode())

case = api("POST", "/api/v1/cases", {
    "child": {"first_name": "Emma", "last_name": "Nordmann", "birth_date": "2016-04-01",
              "gender": "girl", "language": "norsk"}})
categories = ["near_family", "distant_relative", "other_parent_family", "family_friend",
              "known_family", "step_partner", "neighbour", "school", "kindergarten",
              "after_school", "leisure_activity", "health_nurse", "gp", "camhs", "ppt",
              "therapist", "public_other", "measure_provider", "other_caring_adult"]
first = ["Kari", "Ola", "Ingrid", "Per", "Solveig", "Nils", "Åse", "Bjørn", "Hanne", "Terje"]
last = ["Nordmann", "Haugland", "Ødegård", "Kristiansen-Berg", "Lie", "Dahl"]
for i in range(60):
    person = {
        "name": f"{first[i % 10]} {last[i % 6]} {i}",
        "relation": ["mormor", "onkel", "nabo", "trener", "lærer"][i % 5],
        "category": categories[i % len(categories)],
        "lineage": ["maternal", "paternal", "not_applicable", "both"][i % 4],
        "closeness": ["close", "medium", "distant"][i % 3],
        "quality": ["supportive", "mixed", "strained"][(i // 3) % 3],
        "can_strengthen": i % 2 == 0,
        "can_step_in": i % 4 == 1,
        "step_in_how": "Kan hente på skolen og ha barnet noen netter" if i % 4 == 1 else None,
        "phone": f"9{i:02d}1{i:02d}45",
        "email": f"person{i}@example.no",
        "abroad_other_culture": i % 9 == 0,
    }
    if i % 3 == 0:
        person["child_words"] = {"text": f"Hun er snill og hører på meg ({i})", "author": "child"}
    api("POST", f"/api/v1/cases/{case['id']}/persons", person)
api("POST", f"/api/v1/cases/{case['id']}/revisions",
    {"child_participated": True, "participation": "Tegnet kartet med koordinator"})
with open(cookie_file, "w") as out:
    out.write("; ".join(f"{c.name}={c.value}" for c in jar))
print(case["id"])
PY
)"
CASE="$SETUP"
COOKIE="$(cat "$WORK/cookie")"

# label, path, extra header
TARGETS=(
  "healthz|/healthz"
  "case page (HTML, with the picture inline)|/cases/$CASE"
  "case (JSON API)|/api/v1/cases/$CASE"
  "eco-map SVG|/api/v1/cases/$CASE/map.svg"
)

for target in "${TARGETS[@]}"; do
  path="${target#*|}"
  status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" -H 'Accept: text/html' "$BASE$path")"
  [ "$status" = 200 ] || { echo "GET $path answered $status" >&2; exit 1; }
done

measure() { # connections threads label path
  local out
  out="$(wrk -t"$2" -c"$1" -d"$DURATION" --latency -H "Cookie: $COOKIE" -H 'Accept: text/html' \
    "$BASE$4")"
  if grep -q "Non-2xx" <<<"$out"; then
    echo "$out" >&2
    echo "non-2xx answers for $4" >&2
    exit 1
  fi
  local median p99 rps
  median="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  rps="$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")"
  printf '| %-42s | %11s | %9s | %9s | %12s |\n' "$3" "$1" "$median" "$p99" "$rps"
}

# Warm up: the first requests fill the connection pool and the caches.
wrk -t1 -c2 -d3s -H "Cookie: $COOKIE" "$BASE/cases/$CASE" >/dev/null

echo
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $DURATION per line, 60 people on the map"
printf '| %-42s | %11s | %9s | %9s | %12s |\n' "URL" "connections" "median" "p99" "requests/s"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------------------------" "-------------" \
  "-----------" "-----------" "--------------"
for connections in 1 8; do
  threads=$(( connections > 1 ? 2 : 1 ))
  for target in "${TARGETS[@]}"; do
    measure "$connections" "$threads" "${target%%|*}" "${target#*|}"
  done
done
echo
echo "SVG size: $(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/cases/$CASE/map.svg" | wc -c) bytes;" \
  "case page: $(curl -s -H "Cookie: $COOKIE" -H 'Accept: text/html' "$BASE/cases/$CASE" | wc -c) bytes"

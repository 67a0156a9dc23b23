# What the release-server benchmarks (cases.sh, day.sh, large.sh) set up alike, sourced after each has set
# PORT, DB and DURATION: the tools they need, a work folder removed at exit with the server
# stopped, the release build, a fresh database with `tillit tenant create`, the server on
# loopback, a staff session through the setup page, and the check that every URL answers 200.

TARGET="${CARGO_TARGET_DIR:-target}"
# TILLIT_BIN runs a binary built before (to compare two versions in the same conditions).
BIN="${TILLIT_BIN:-$TARGET/release/tillit}"
BASE="http://127.0.0.1:$PORT"
ADMIN_URL="${TILLIT_DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
OWNER_URL="${ADMIN_URL%/*}/$DB"

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

bench_build() {
  [ -n "${TILLIT_BIN:-}" ] && return
  echo "== building the release binary"
  cargo build --release --locked --quiet
}

# A fresh database under the production settings, migrated; then `tillit tenant create` with
# the arguments given, whose answer (the tenant's id and setup link) is left in CREATED.
bench_service() { # redis-namespace tenant-create-arguments…
  echo "== a fresh database: $DB"
  psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  export TILLIT_ENV=production
  export TILLIT_DATABASE_URL="postgres://tillit_app@127.0.0.1:5432/$DB"
  export TILLIT_DATABASE_ADMIN_URL="$ADMIN_URL"
  export TILLIT_BASE_URL="$BASE"
  TILLIT_SECRET_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
  export TILLIT_SECRET_KEY
  export TILLIT_REDIS_NAMESPACE="$1"
  export TILLIT_MAIL_DIR="$WORK/mail"
  shift
  "$BIN" migrate >/dev/null
  CREATED="$("$BIN" tenant create "$@")"
}

bench_serve() {
  echo "== starting the server on $BASE"
  "$BIN" serve --bind "127.0.0.1:$PORT" --no-worker >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -sf "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -sf "$BASE/healthz" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
}

bench_restart() {
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
  bench_serve
}

# The admin sets their password through the setup link, so the benchmark holds a real staff
# session; its cookie is left in COOKIE.
bench_session() {
  echo "== a staff session"
  python3 - "$CREATED" "$WORK/cookie" <<'PY'
import http.cookiejar, json, re, sys, urllib.parse, urllib.request

created, cookie_file = json.loads(sys.argv[1]), sys.argv[2]
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
stay = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)

setup = created["setup_url"]
html = web.open(urllib.request.Request(setup, headers={"Accept": "text/html"})).read().decode()
password = "benkvik har et langt passord"
form = urllib.parse.urlencode({
    "csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),
    "display_name": "Kari Koordinator", "password": password, "password_repeat": password,
}).encode()
try:
    stay.open(urllib.request.Request(setup, data=form))
except urllib.error.HTTPError as e:
    if e.code != 303:
        raise
with open(cookie_file, "w") as out:
    out.write("; ".join(f"{c.name}={c.value}" for c in jar))
PY
  COOKIE="$(cat "$WORK/cookie")"
}

# Every "label|path" given answers 200 to the session before anything is measured.
bench_check() { # targets…
  local target path status
  for target in "$@"; do
    path="${target#*|}"
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" -H 'Accept: text/html' \
      "$BASE$path")"
    [ "$status" = 200 ] || { echo "GET $path answered $status" >&2; exit 1; }
  done
}

# wrk against one path with the session, with its latency distribution; fails on any answer
# that is not 2xx.
bench_wrk() { # threads connections path
  local out
  out="$(wrk -t"$1" -c"$2" -d"$DURATION" --latency -H "Cookie: $COOKIE" -H 'Accept: text/html' \
    "$BASE$3")" || exit 1
  if grep -q "Non-2xx" <<<"$out"; then
    echo "$out" >&2
    echo "non-2xx answers for $3" >&2
    exit 1
  fi
  echo "$out"
}

# wrk's latencies are "123.45us", "1.23ms" or "1.02s": in milliseconds.
ms() {
  awk -v t="$1" 'BEGIN {
    v = t + 0
    if (t ~ /us$/) v /= 1000
    else if (t ~ /ms$/) v *= 1
    else if (t ~ /s$/) v *= 1000
    printf "%.3f", v }'
}

# The median of a list of numbers.
median_of() {
  tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

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
source bench/lib.sh

bench_build
bench_service "bench-$$" --slug bench --name "Benkvik barneverntjeneste" \
  --municipality 4624 --admin-email koordinator@benkvik.example
bench_serve
bench_session

echo "== a case and its 60-person map"
CASE="$(python3 - "$BASE" "$COOKIE" <<'PY'
import json, re, sys, urllib.request

base, cookie = sys.argv[1], sys.argv[2]

def fetch(req):
    req.add_header("Cookie", cookie)
    return urllib.request.urlopen(req).read().decode()

cases = fetch(urllib.request.Request(base + "/cases", headers={"Accept": "text/html"}))
csrf = re.search(r'name="csrf" value="([^"]+)"', cases).group(1)

def api(method, path, body):
    req = urllib.request.Request(
        base + path, method=method, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    return json.loads(fetch(req))
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
print(case["id"])
PY
)"

# label, path
TARGETS=(
  "healthz|/healthz"
  "case page (HTML, with the picture inline)|/cases/$CASE"
  "case (JSON API)|/api/v1/cases/$CASE"
  "eco-map SVG|/api/v1/cases/$CASE/map.svg"
)

bench_check "${TARGETS[@]}"

measure() { # connections threads label path
  local out median p99 rps
  out="$(bench_wrk "$2" "$1" "$4")"
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

#!/usr/bin/env bash
# Every command README.md tells people to run, run as written in a fresh demo; the first that fails fails the step.
#
# A fresh copy of this checkout (tracked and untracked files, nothing git ignores: no var/, no .venv) gets this
# checkout's .venv (`make test` has created it; nothing is downloaded), then `make run` starts the demo in the
# background exactly as a new user starts it, on free ports. Against it: `make simulate EVENT=...` for every event
# README lists, `.venv/bin/python manage.py drf_create_token admin`, `import_rules rules.toml`, `export_rules`, the
# health probes, the API root and docs, and a login with the password `make run` printed. Then Ctrl-C (SIGINT to the
# demo's process group) stops it, and the copy is removed.
#
# Not run here: `make test` and `make lint` (the CI's own steps, run before this one), `make bench` (downloads load
# generators), `.ci/run` (it calls this script).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="$REPO/.venv/bin/python"
[ -x "$PYTHON" ] || { echo "readme_commands: $REPO/.venv is missing; run make test first" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/review-gate-readme.XXXXXX")"
COPY="$WORK/review-gate"
LOG="$WORK/make-run.log"
DEMO_PID=""

stop_demo() {
  [ -n "$DEMO_PID" ] || return 0
  if kill -0 "$DEMO_PID" 2>/dev/null; then
    kill -INT -- "-$DEMO_PID" 2>/dev/null || true  # what Ctrl-C sends: the launcher stops web, worker, emulator
    for _ in $(seq 1 60); do
      kill -0 "$DEMO_PID" 2>/dev/null || break
      sleep 0.5
    done
  fi
  kill -KILL -- "-$DEMO_PID" 2>/dev/null || true  # anything left of the group this script started
  DEMO_PID=""
}

finish() {
  status=$?
  stop_demo
  if [ "$status" -ne 0 ] && [ -f "$LOG" ]; then
    echo "---- make run output (last 60 lines) ----" >&2
    tail -n 60 "$LOG" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap finish EXIT

step() { echo "== $*"; }

# Run one README command in the copy, echoing it; its output goes to $WORK/out.
run() {
  echo "\$ $*"
  if ! (cd "$COPY" && "$@") >"$WORK/out" 2>&1; then
    cat "$WORK/out" >&2
    echo "readme_commands: FAILED: $*" >&2
    return 1
  fi
  sed 's/^/    /' "$WORK/out"
}

# GET a URL of the demo and print the status (urllib: no curl needed); extra args are header lines.
http() {
  "$PYTHON" - "$@" <<'PY'
import sys, urllib.error, urllib.request
url, headers = sys.argv[1], dict(h.split(": ", 1) for h in sys.argv[2:])
try:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        print(response.status)
        sys.stderr.write(response.read().decode("utf-8", "replace"))
except urllib.error.HTTPError as exc:
    print(exc.code)
except OSError:
    print(0)
PY
}

expect_status() {
  local want="$1"
  shift
  local got
  got="$(http "$@" 2>"$WORK/body")"
  if [ "$got" != "$want" ]; then
    echo "readme_commands: GET $1 answered $got, expected $want" >&2
    head -c 2000 "$WORK/body" >&2 || true
    return 1
  fi
  echo "GET $1 -> $got"
}

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

step "a fresh copy of the checkout in $COPY, with the checkout's .venv"
mkdir -p "$COPY"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf -) |
    tar -xf - -C "$COPY"
else
  cp -a "$REPO/." "$COPY/"
  rm -rf "$COPY/.venv" "$COPY/var"
fi
ln -s "$REPO/.venv" "$COPY/.venv"

# The demo a new user gets: none of this machine's settings (CI exports some for its other steps).
while IFS= read -r name; do
  case "$name" in
    DJANGO_* | EVENTBRIDGE_* | DATAWORKS_* | REVIEW_GATE_* | ALIBABA_CLOUD_* | GUNICORN_* | DATABASE_URL | REDIS_URL)
      unset "$name" ;;
  esac
done < <(compgen -e)
REVIEW_GATE_PORT="$(free_port)"
REVIEW_GATE_EMULATOR_PORT="$(free_port)"
export REVIEW_GATE_PORT REVIEW_GATE_EMULATOR_PORT  # free ports instead of 8000 and 8099 (docs/configuration.md)
BASE="http://127.0.0.1:$REVIEW_GATE_PORT"

step "make run (in the background, as a new user runs it)"
echo "\$ make run"
set -m  # its own process group, so Ctrl-C (SIGINT to the group) can be sent to it as a terminal would
(cd "$COPY" && exec make run) >"$LOG" 2>&1 &
DEMO_PID=$!
set +m
for _ in $(seq 1 240); do
  [ "$(http "$BASE/readyz" 2>/dev/null)" = "200" ] && break
  kill -0 "$DEMO_PID" 2>/dev/null || { echo "readme_commands: make run exited" >&2; exit 1; }
  sleep 0.5
done
expect_status 200 "$BASE/readyz"
sed 's/^/    /' "$LOG"
PASSWORD="$(sed -n 's/.*Admin user created: admin \/ \([^ ]*\).*/\1/p' "$LOG" | head -n 1)"
[ -n "$PASSWORD" ] || { echo "readme_commands: make run printed no admin password" >&2; exit 1; }
grep -q "make simulate EVENT=commit-file" "$LOG" || { echo "readme_commands: make run did not say how to simulate" >&2; exit 1; }

step "health probes and the API root (README: Connecting DataWorks, Using it)"
expect_status 200 "$BASE/healthz"
expect_status 200 "$BASE/api/v1/"
expect_status 200 "$BASE/api/v1/docs/"

step "log in as admin with the password make run printed"
"$PYTHON" - "$BASE" "$PASSWORD" <<'PY'
import http.cookiejar, re, sys, urllib.parse, urllib.request
base, password = sys.argv[1], sys.argv[2]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"username": "admin", "password": password, "csrfmiddlewaretoken": token}).encode()
answer = opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": base}))
assert answer.url.rstrip("/") == base.rstrip("/"), f"login did not reach the inbox: {answer.url}"
print(f"logged in as admin, landed on {answer.url}")
PY

step "make simulate EVENT=... for every event README lists"
for event in commit-file deploy-file run-file delete-file commit-table deploy-table freeze-node unfreeze-node \
  undeploy-node backfill-data; do
  run make simulate "EVENT=$event"
  grep -qE "(^|[^a-z-])$event [0-9a-f-]+ -> 202" "$WORK/out" || { echo "readme_commands: the webhook did not accept $event" >&2; exit 1; }
done

step "python manage.py drf_create_token <user>, and the token on the API"
run .venv/bin/python manage.py drf_create_token admin
TOKEN="$(sed -n 's/^Generated token \([0-9a-f]*\) for user admin$/\1/p' "$WORK/out")"
[ -n "$TOKEN" ] || { echo "readme_commands: drf_create_token printed no token" >&2; exit 1; }
for _ in $(seq 1 120); do  # the queue worker turns the simulated events into tickets
  http "$BASE/api/v1/tickets/" "Authorization: Token $TOKEN" 2>"$WORK/body" >/dev/null
  grep -q '"id"' "$WORK/body" && break
  sleep 0.5
done
expect_status 200 "$BASE/api/v1/tickets/" "Authorization: Token $TOKEN"
grep -q '"id"' "$WORK/body" || { echo "readme_commands: no ticket reached the API" >&2; exit 1; }

step "python manage.py import_rules rules.toml, and export_rules"
cat >"$COPY/rules.toml" <<'TOML'
[[rules]]
name = "readme-check"
projects = [10001]
events = ["commit-file", "deploy-file"]
paths = ["**"]
reviewers = ["admin"]
min_approvals = 1
timeout = "24h"
on_timeout = "FAIL"
TOML
run .venv/bin/python manage.py import_rules rules.toml
run .venv/bin/python manage.py export_rules
grep -q 'name = "readme-check"' "$WORK/out" || { echo "readme_commands: export_rules lost the rule" >&2; exit 1; }
run .venv/bin/python manage.py export_rules exported.toml
run .venv/bin/python manage.py import_rules exported.toml --dry-run

step "Ctrl-C stops the demo"
stop_demo
echo "readme_commands: every README command worked"

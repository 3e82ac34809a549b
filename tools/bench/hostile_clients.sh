#!/usr/bin/env bash
# Hostile-client check of webhook_shim (-c opt, in front of videoplatformd on
# a temporary SQLite file): with 500 slowloris connections and a header-flood
# client running, 1,000 honest signed Daily deliveries for known meetings;
# prints how many got 200 within 1 s each, the shim's peak RSS (VmHWM), and
# how long SIGTERM takes to stop the shim with the hostile clients still
# connected. The client is hostile_clients.py (Python standard library).
#
# Usage: tools/bench/hostile_clients.sh
#   SLOWLORIS=500 FLOOD=2 (header-flood connections) HONEST=1000
#   SOURCES=10 (slowloris source addresses 127.0.0.2 ..; honest: 127.0.0.1)
#   CONCURRENCY=8 (honest deliveries in flight) DEADLINE=1 (seconds)
#   SETTLE=8 (seconds the hostile clients run first: longer than the shim's
#   5 s request deadline, so dropped slow connections are being re-opened)
#   SERVICE_ARGS / SHIM_ARGS (extra flags), BAZEL_STARTUP / BAZEL_BUILD.
set -euo pipefail
# shellcheck source=tools/bench/bench_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

bench_init hostile-bench
# 500 sockets and more: raise the soft descriptor limit if allowed.
ulimit -n 4096 2>/dev/null || true
start_fakes
start_service
start_shim
echo "shim flags: ${SHIM_ARGS:-(defaults)}"
create_meetings 20
signed_requests "$work/honest.txt" "${HONEST:-1000}" "honest"

/usr/bin/python3 "$root/tools/bench/hostile_clients.py" --port="$shim_port" --pid="$shim_pid" \
  --requests="$work/honest.txt" --slowloris="${SLOWLORIS:-500}" --flood="${FLOOD:-2}" \
  --settle="${SETTLE:-8}" --sources="${SOURCES:-10}" --concurrency="${CONCURRENCY:-8}" --deadline="${DEADLINE:-1}"
# The hostile clients are gone now; give the shim 10 s more, then kill it.
running() {  # Not exited (a zombie, or reaped by bash already, has exited).
  local state
  state="$(awk '{print $3}' "/proc/$shim_pid/stat" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ]
}
for _ in $(seq 1 200); do running || break; sleep 0.05; done
if running; then
  echo "the shim did not exit even after the hostile clients left; SIGKILL" >&2
  kill -KILL "$shim_pid" 2>/dev/null || true
fi
status=0
wait "$shim_pid" 2>/dev/null || status=$?
echo "shim exit status $status"
echo "service: $(sqlite3 "$work/bench.db" 'select count(*) from events' 2>/dev/null || echo '?') events logged"

# Shared by the webhook benchmark scripts (sourced, not run): builds the
# optimised binaries, starts the Daily fake, videoplatformd and webhook_shim
# on loopback ports with a temporary SQLite file, and cleans up on exit.
#
# After `bench_init`: $root, $work (temporary directory), $bin (bazel-bin).
# Environment: BAZEL_STARTUP, BAZEL_BUILD (extra Bazel flags), SERVICE_ARGS,
# SHIM_ARGS (extra flags for videoplatformd / webhook_shim).

BENCH_TOKEN="bench-api-token-0123456789"
# 32 bytes, base64, as Daily's dashboard gives it.
BENCH_SECRET="$(printf 'bench-daily-webhook-secret-32byt' | base64)"
bench_pids=()

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${bench_pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  [ -n "${work:-}" ] && [ -z "${KEEP_WORK:-}" ] && rm -rf "$work"
}

bench_init() {  # bench_init <name>
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  cd "$root"
  "$root/tools/bench/setup_bench.sh"
  # shellcheck disable=SC2086
  bazel ${BAZEL_STARTUP:-} build -c opt ${BAZEL_BUILD:-} //server:videoplatformd \
    //server/shim:webhook_shim //tools/fakes:provider_fakes \
    //tools/bench:webhook_bench_tool >&2
  # shellcheck disable=SC2086
  bin="$(bazel ${BAZEL_STARTUP:-} info -c opt ${BAZEL_BUILD:-} bazel-bin 2>/dev/null)"
  work="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  trap bench_cleanup EXIT
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
    "$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr), commit $(git -C "$root" rev-parse --short HEAD)"
}

wait_for_file() {  # wait_for_file <file> <pid>: until it is non-empty
  for _ in $(seq 1 1000); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "process $2 exited before writing $1" >&2; return 1; }
    sleep 0.01
  done
  echo "timed out waiting for $1" >&2
  return 1
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_fakes() {  # sets DAILY_API_URL, DAILY_API_KEY
  "$bin/tools/fakes/provider_fakes" >"$work/fakes.out" 2>"$work/fakes.err" &
  bench_pids+=($!)
  local pid=$!
  for _ in $(seq 1 500); do grep -q '^DAILY_API_KEY=' "$work/fakes.out" && break; sleep 0.01; done
  kill -0 "$pid" || { cat "$work/fakes.err" >&2; return 1; }
  DAILY_API_URL="$(sed -n 's/^DAILY_API_URL=//p' "$work/fakes.out")"
  DAILY_API_KEY="$(sed -n 's/^DAILY_API_KEY=//p' "$work/fakes.out")"
}

# start_service [listen]: sets service_pid, service_port. Same database each
# time ($work/bench.db); the address may be given to restart on it.
start_service() {
  rm -f "$work/service.port"
  # shellcheck disable=SC2086
  env -i PATH="$PATH" HOME="$HOME" \
    VIDEOPLATFORM_API_TOKEN="$BENCH_TOKEN" \
    DAILY_MIGRATION_ENABLED=true DEFAULT_VIDEO_PLATFORM=daily \
    DAILY_API_KEY="$DAILY_API_KEY" DAILY_API_URL="$DAILY_API_URL" \
    DAILY_WEBHOOK_SECRET="$BENCH_SECRET" \
    "$bin/server/videoplatformd" --listen="${1:-127.0.0.1:0}" --db="$work/bench.db" \
    --port_file="$work/service.port" --recordings_dir="$work/recordings" ${SERVICE_ARGS:-} \
    >>"$work/service.log" 2>&1 &
  service_pid=$!
  bench_pids+=("$service_pid")
  wait_for_file "$work/service.port" "$service_pid"
  service_port="$(cat "$work/service.port")"
}

# start_shim [listen]: sets shim_pid, shim_port.
start_shim() {
  rm -f "$work/shim.port"
  # shellcheck disable=SC2086
  env -i PATH="$PATH" HOME="$HOME" VIDEOPLATFORM_API_TOKEN="$BENCH_TOKEN" \
    "$bin/server/shim/webhook_shim" --listen="${1:-127.0.0.1:0}" \
    --service="127.0.0.1:$service_port" --port_file="$work/shim.port" ${SHIM_ARGS:-} \
    >>"$work/shim.log" 2>&1 &
  shim_pid=$!
  bench_pids+=("$shim_pid")
  wait_for_file "$work/shim.port" "$shim_pid"
  shim_port="$(cat "$work/shim.port")"
}

create_meetings() {  # create_meetings <count>: room names in $work/rooms
  "$bin/tools/bench/webhook_bench_tool" --service="127.0.0.1:$service_port" \
    --token="$BENCH_TOKEN" --create_meetings="$1" --rooms_out="$work/rooms"
}

# signed_requests <file> <count> <id prefix> [type]
signed_requests() {
  "$bin/tools/bench/webhook_bench_tool" --rooms="$work/rooms" --events="$2" \
    --prefix="$3" --type="${4:-participant.joined}" --secret="$BENCH_SECRET" --out="$1"
}

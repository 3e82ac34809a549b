#!/usr/bin/env bash
# Webhook throughput: distinct, correctly signed Daily participant.joined
# webhooks for known meetings, driven by wrk (2 threads x 32 connections,
# webhook_requests.lua), against, alternating in each round:
#   shim     webhook_shim + videoplatformd (-c opt, SQLite temp file);
#   redeliv  the same, every request a duplicate of an already stored event;
#   fastapi  the reference receiver (shared/bench/fastapi_daily_receiver.py,
#            used as is; 1 uvicorn worker; verify + parse, no storage);
#   nginx    nginx-light answering 200 to the same POSTs.
# Prints each run (with the CPU seconds the service, shim and FastAPI used,
# and how busy the whole machine was), then the median of the rounds and the
# ratios.
#
# Usage: tools/bench/webhook_throughput.sh [path to shared/bench]
#   (or SHARED_BENCH=...; default ../shared/bench next to the checkout)
#   ROUNDS=3 DURATION=10 THREADS=2 CONNECTIONS=32 MEETINGS=50
#   EVENTS=150000 (distinct webhooks per shim run; "wrapped" > 0 means
#   some were sent twice), SERVICE_ARGS / SHIM_ARGS (extra flags),
#   BAZEL_STARTUP / BAZEL_BUILD (extra Bazel flags).
set -euo pipefail
# shellcheck source=tools/bench/bench_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

rounds="${ROUNDS:-3}"
duration="${DURATION:-10}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-32}"
events="${EVENTS:-150000}"

bench_init webhook-bench
shared_bench="${1:-${SHARED_BENCH:-$root/../shared/bench}}"
shared_bench="$(cd "$shared_bench" && pwd)"
[ -f "$shared_bench/fastapi_daily_receiver.py" ] ||
  { echo "no fastapi_daily_receiver.py in $shared_bench" >&2; exit 1; }
echo "wrk: $threads threads x $connections connections, ${duration}s per run, $rounds rounds"

start_fakes
start_service
start_shim
create_meetings "${MEETINGS:-50}"

# The reference receiver, as its docstring says to run it.
fastapi_port="$(free_port)"
env -i PATH="$PATH" HOME="$HOME" DAILY_WEBHOOK_SECRET="$BENCH_SECRET" \
  /usr/bin/python3 -m uvicorn fastapi_daily_receiver:app --app-dir "$shared_bench" \
  --host 127.0.0.1 --port "$fastapi_port" --workers 1 --log-level warning \
  >"$work/fastapi.log" 2>&1 &
fastapi_pid=$!
bench_pids+=("$fastapi_pid")

nginx_port="$(free_port)"
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 '{"status":"ok"}'; }
  }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
bench_pids+=($!)

for port in "$fastapi_port" "$nginx_port"; do
  for _ in $(seq 1 500); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.02
  done
done

# The re-delivery case's events: stored once through the shim before.
signed_requests "$work/dup.txt" 2000 "dup"
"$bin/tools/bench/webhook_bench_tool" --deliver="http://127.0.0.1:$shim_port/v1/daily/webhook" \
  --requests="$work/dup.txt" >/dev/null

results="$work/results"
: >"$results"
clock_ticks="$(getconf CLK_TCK)"
cpu_ticks() {  # cpu_ticks <pid>: user + system time so far, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}
machine_ticks() {  # busy and total ticks of the whole machine (every process)
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat
}
# run_wrk <label> <port> <requests file>: the wrk figures, the CPU seconds
# the service, the shim and the FastAPI receiver used during the run, and
# how busy the whole machine was (other users included).
run_wrk() {
  local line svc0 shim0 api0 busy0 total0 busy1 total1
  svc0="$(cpu_ticks "$service_pid")"; shim0="$(cpu_ticks "$shim_pid")"
  api0="$(cpu_ticks "$fastapi_pid")"; read -r busy0 total0 < <(machine_ticks)
  line="$(WEBHOOK_REQUESTS="$3" wrk -t"$threads" -c"$connections" -d"${duration}s" \
    --latency -s "$root/tools/bench/webhook_requests.lua" "http://127.0.0.1:$2" -- "$threads" |
    grep '^RESULT')"
  read -r busy1 total1 < <(machine_ticks)
  echo "$1 ${line#RESULT } $(awk -v hz="$clock_ticks" \
    -v svc="$(( $(cpu_ticks "$service_pid") - svc0 ))" \
    -v shim="$(( $(cpu_ticks "$shim_pid") - shim0 ))" \
    -v api="$(( $(cpu_ticks "$fastapi_pid") - api0 ))" \
    -v busy="$(( busy1 - busy0 ))" -v total="$(( total1 - total0 ))" 'BEGIN {
      printf "service_cpu_s=%.1f shim_cpu_s=%.1f fastapi_cpu_s=%.1f machine_busy_pct=%.0f",
        svc / hz, shim / hz, api / hz, 100 * busy / total }')" | tee -a "$results"
}

for round in $(seq 1 "$rounds"); do
  echo "round $round"
  # Fresh, distinct events each round (Daily's 5 minute timestamp tolerance).
  signed_requests "$work/round.txt" "$events" "r$round"
  # The duplicates are re-signed with a fresh timestamp too.
  signed_requests "$work/dup.txt" 2000 "dup"
  run_wrk shim "$shim_port" "$work/round.txt"
  run_wrk fastapi "$fastapi_port" "$work/round.txt"
  run_wrk nginx "$nginx_port" "$work/round.txt"
  run_wrk redeliv "$shim_port" "$work/dup.txt"
  kill -0 "$service_pid" && kill -0 "$shim_pid" || { echo "service or shim died" >&2; exit 1; }
done

echo
echo "median of $rounds rounds (req/s, p50, p99 in ms; errors summed over rounds):"
summary() {  # summary <label>: prints "rps p50 p99 non2xx sockerr"
  awk -v label="$1" '
    $1 == label {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      n++; rps[n] = v["rps"]; p50[n] = v["p50_ms"]; p99[n] = v["p99_ms"]
      non2xx += v["non2xx"]; sock += v["connect_err"] + v["read_err"] + v["write_err"] + v["timeouts"]
      wrapped += v["wrapped"]
    }
    function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { printf "%.0f %.2f %.2f %d %d %d\n", median(rps, n), median(p50, n), median(p99, n), non2xx, sock, wrapped }
  ' "$results"
}
printf '%-8s %10s %8s %8s %8s %8s %8s\n' case req/s p50_ms p99_ms non2xx sock_err wrapped
declare -A rps
for label in shim redeliv fastapi nginx; do
  read -r r p50 p99 non2xx sock wrapped < <(summary "$label")
  rps[$label]="$r"
  printf '%-8s %10s %8s %8s %8s %8s %8s\n' "$label" "$r" "$p50" "$p99" "$non2xx" "$sock" "$wrapped"
done
awk -v s="${rps[shim]}" -v d="${rps[redeliv]}" -v f="${rps[fastapi]}" -v n="${rps[nginx]}" 'BEGIN {
  printf "ratios: shim/fastapi %.2f, shim/nginx %.3f, redelivery/fastapi %.2f, redelivery/nginx %.3f\n", s / f, s / n, d / f, d / n }'
echo "service event log: $(sqlite3 "$work/bench.db" 'select count(*) from events' 2>/dev/null || echo '?') events"

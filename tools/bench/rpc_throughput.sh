#!/usr/bin/env bash
# RPC throughput (issue 13): h2load at CONNECTIONS x STREAMS (default 16 x 16)
# against, alternating in each round:
#   hello_sync      tools/bench:hello_sync_server (system gRPC, sync API);
#   hello_callback  tools/bench:hello_callback_server (callback API);
#   ResolvePlatform, GetMeeting (of one meeting created first), ListMeetings,
#   CreateMeeting   through videoplatformd (-c opt, mock provider, temp SQLite
#                   file; every CreateMeeting request is the same body, so each
#                   creates a new meeting).
# gRPC over h2c: POST /pkg.Service/Method, content-type: application/grpc,
# te: trailers, body = one gRPC frame (0, 4-byte length, protobuf written by
# protoc --encode). h2load only sees HTTP statuses, so each request body is
# first sent once with curl and its grpc-status trailer must be 0; curl
# repeats that check after the rounds. p50/p99 come from h2load --log-file.
# Prints each run, then the median of the rounds and the ratios to the sync
# hello-world (targets: reads >= 50%, CreateMeeting >= 30%, p99 < 25 ms).
#
# Usage: tools/bench/rpc_throughput.sh
#   ROUNDS=3 DURATION=10 CONNECTIONS=16 STREAMS=16 THREADS=2 (h2load -t)
#   PREFILL=N: create N meetings (CreateMeeting through the service, before
#   the rounds) to see the effect of the database's size.
#   SERVICE_ARGS (extra videoplatformd flags), BAZEL_STARTUP / BAZEL_BUILD.
set -euo pipefail
# shellcheck source=tools/bench/bench_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

rounds="${ROUNDS:-3}"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-16}"
streams="${STREAMS:-16}"
threads="${THREADS:-2}"
prefill="${PREFILL:-0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
"$root/tools/bench/setup_bench.sh"
# shellcheck disable=SC2086
bazel ${BAZEL_STARTUP:-} build -c opt ${BAZEL_BUILD:-} //server:videoplatformd \
  //tools/bench:hello_sync_server //tools/bench:hello_callback_server >&2
# shellcheck disable=SC2086
bin="$(bazel ${BAZEL_STARTUP:-} info -c opt ${BAZEL_BUILD:-} bazel-bin 2>/dev/null)"
work="$(mktemp -d "${TMPDIR:-/tmp}/rpc-bench.XXXXXX")"
trap bench_cleanup EXIT
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
  "$(uname -sr), commit $(git -C "$root" rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "h2load -c$connections -m$streams -t$threads -D$duration, $rounds rounds, prefill $prefill meetings"

# frame <out> <proto file> <-I dir> <message type> <text format>: one gRPC
# message frame (uncompressed) in <out>.
frame() {
  printf '%s' "$5" | protoc -I"$3" -I/usr/include --encode="$4" "$2" >"$1.pb"
  python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(struct.pack(">BI",0,len(d))+d)' \
    "$1.pb" "$1"
}

vp_proto=proto/videoplatform/v1/videoplatform.proto
hello_proto=tools/bench/hello.proto

# call <port> <path> <body> [response out]: one request with curl; fails
# unless the grpc-status trailer is 0.
call() {
  local headers="$work/call.headers"
  curl -sS --http2-prior-knowledge -X POST -H 'content-type: application/grpc' \
    -H 'te: trailers' -H "authorization: Bearer $BENCH_TOKEN" --data-binary "@$3" \
    -D "$headers" -o "${4:-/dev/null}" "http://127.0.0.1:$1$2"
  if ! grep -qi '^grpc-status: 0' "$headers"; then
    echo "$2 on port $1 did not answer grpc-status 0:" >&2
    cat "$headers" >&2
    return 1
  fi
}

# start_server <name> <binary> [env...]: sets <name>_port.
start_hello() {
  "$bin/tools/bench/$2" --port_file="$work/$1.port" >"$work/$1.log" 2>&1 &
  bench_pids+=($!)
  wait_for_file "$work/$1.port" "$!"
  printf -v "$1_port" '%s' "$(cat "$work/$1.port")"
}

start_hello hello_sync hello_sync_server
start_hello hello_callback hello_callback_server
# shellcheck disable=SC2086
env -i PATH="$PATH" HOME="$HOME" VIDEOPLATFORM_API_TOKEN="$BENCH_TOKEN" \
  DAILY_MIGRATION_ENABLED=true DEFAULT_VIDEO_PLATFORM=mock \
  "$bin/server/videoplatformd" --listen=127.0.0.1:0 --db="$work/bench.db" \
  --port_file="$work/service.port" --recordings_dir="$work/recordings" \
  --metrics_listen= ${SERVICE_ARGS:-} >>"$work/service.log" 2>&1 &
bench_pids+=($!)
wait_for_file "$work/service.port" "$!"
service_port="$(cat "$work/service.port")"

frame "$work/hello.body" "$hello_proto" tools/bench bench.hello.HelloRequest 'name: "world"'
frame "$work/create.body" "$vp_proto" proto videoplatform.v1.CreateMeetingRequest \
  'room { room_id: "bench-room" room_name: "Bench room" }'
frame "$work/resolve.body" "$vp_proto" proto videoplatform.v1.ResolvePlatformRequest \
  'room_id: "bench-room"'
frame "$work/list.body" "$vp_proto" proto videoplatform.v1.ListMeetingsRequest ''

# One meeting to read back.
call "$service_port" /videoplatform.v1.VideoPlatformService/CreateMeeting \
  "$work/create.body" "$work/create.out"
meeting_id="$(tail -c +6 "$work/create.out" |
  protoc -Iproto -I/usr/include --decode=videoplatform.v1.CreateMeetingResponse "$vp_proto" |
  sed -n 's/^ *meeting_id: "\(.*\)"$/\1/p' | head -1)"
[ -n "$meeting_id" ] || { echo "no meeting_id in the CreateMeeting response" >&2; exit 1; }
frame "$work/get.body" "$vp_proto" proto videoplatform.v1.GetMeetingRequest \
  "meeting_id: \"$meeting_id\""

# name, port, path, body
runs=(
  "hello_sync $hello_sync_port /bench.hello.Greeter/SayHello hello.body"
  "hello_callback $hello_callback_port /bench.hello.Greeter/SayHello hello.body"
  "ResolvePlatform $service_port /videoplatform.v1.VideoPlatformService/ResolvePlatform resolve.body"
  "GetMeeting $service_port /videoplatform.v1.VideoPlatformService/GetMeeting get.body"
  "ListMeetings $service_port /videoplatform.v1.VideoPlatformService/ListMeetings list.body"
  "CreateMeeting $service_port /videoplatform.v1.VideoPlatformService/CreateMeeting create.body"
)
check_all() {
  local run name port path body
  for run in "${runs[@]}"; do
    read -r name port path body <<<"$run"
    call "$port" "$path" "$work/$body"
  done
}
check_all

h2load_run() {  # h2load_run <port> <path> <body> <log file> <h2load args...>
  local port="$1" path="$2" body="$3" log="$4"
  shift 4
  h2load "$@" -c"$connections" -m"$streams" -t"$threads" -d "$body" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    -H "authorization: Bearer $BENCH_TOKEN" --log-file="$log" \
    "http://127.0.0.1:$port$path"
}

if [ "$prefill" -gt 0 ]; then
  echo "prefill: $prefill CreateMeeting calls"
  h2load_run "$service_port" /videoplatform.v1.VideoPlatformService/CreateMeeting \
    "$work/create.body" "$work/prefill.log" -n"$prefill" | grep -E '^(finished|requests|status)' || true
fi

results="$work/results"
: >"$results"
printf '%-16s %5s %10s %9s %9s %7s\n' run round req/s p50_ms p99_ms errors
for round in $(seq 1 "$rounds"); do
  for run in "${runs[@]}"; do
    read -r name port path body <<<"$run"
    log="$work/$name.$round.log"
    out="$(h2load_run "$port" "$path" "$work/$body" "$log" -D"$duration")"
    rps="$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")"
    # "requests: N total, N started, N done, N succeeded, N failed, ...":
    # failed counts errored and timed-out requests and non-2xx statuses.
    errors="$(awk '/^requests:/ {print $10}' <<<"$out")"
    # --log-file: start time, HTTP status, duration (us) per request.
    read -r p50 p99 <<<"$(awk '{print $3}' "$log" | sort -n |
      awk '{v[NR]=$1} END {if (NR == 0) {print "nan nan"; exit}
        i50=int(NR*0.50); if (i50<1) i50=1; i99=int(NR*0.99); if (i99<1) i99=1;
        printf "%.2f %.2f\n", v[i50]/1000, v[i99]/1000}')"
    printf '%-16s %5s %10s %9s %9s %7s\n' "$name" "$round" "$rps" "$p50" "$p99" \
      "$errors"
    echo "$name $round $rps $p50 $p99 $errors" >>"$results"
  done
  echo "  (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done
check_all
echo "after the rounds: every RPC still answers grpc-status 0;" \
  "$(grep -c . "$work/service.log" || true) service log lines"

echo
echo "median of $rounds rounds (ratio = req/s / hello_sync's; targets: reads >= 0.50," \
  "CreateMeeting >= 0.30, p99 < 25 ms):"
printf '%-16s %10s %7s %9s %9s %7s\n' run req/s ratio p50_ms p99_ms errors
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
base="$(awk '$1=="hello_sync" {print $3}' "$results" | median)"
for run in "${runs[@]}"; do
  read -r name _ <<<"$run"
  rps="$(awk -v n="$name" '$1==n {print $3}' "$results" | median)"
  p50="$(awk -v n="$name" '$1==n {print $4}' "$results" | median)"
  p99="$(awk -v n="$name" '$1==n {print $5}' "$results" | median)"
  errors="$(awk -v n="$name" '$1==n {s += $6} END {print s}' "$results")"
  ratio="$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
  printf '%-16s %10s %7s %9s %9s %7s\n' "$name" "$rps" "$ratio" "$p50" "$p99" "$errors"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

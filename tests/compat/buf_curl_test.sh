#!/usr/bin/env bash
# The operator's view: `buf curl` (npm @bufbuild/buf) lists, describes and
# calls every service of a running videoplatformd through server reflection,
# with no proto files at hand.
# Usage (from Bazel): buf_curl_test.sh <videoplatformd> <tools/npm/package.json>
set -euo pipefail

server_binary="$1"
buf="$(dirname "$(readlink -f "$2")")/node_modules/.bin/buf"
if [ ! -x "$buf" ]; then
  echo "FAIL: $buf missing: run tools/setup.sh" >&2
  exit 1
fi
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/buf.XXXXXX")"
export HOME="$work"  # buf keeps its cache under $HOME.

env -i PATH=/usr/bin:/bin DAILY_MIGRATION_ENABLED=true DEFAULT_VIDEO_PLATFORM=mock \
  "$server_binary" --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 --db="$work/videoplatform.db" \
  --port_file="$work/port" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill -9 $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 3000); do
  [ -s "$work/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.01
done
base="http://127.0.0.1:$(cat "$work/port")"
curl_grpc() { "$buf" curl --protocol grpc --http2-prior-knowledge "$@"; }

failures=0
check() {  # check <description> <expected substring> <output>
  if [[ "$3" == *"$2"* ]]; then
    echo "ok: $1"
  else
    echo "FAIL: $1: expected '$2' in:"; echo "$3"; failures=$((failures + 1))
  fi
}

services="$(curl_grpc --list-services "$base")"
check "lists the API" "videoplatform.v1.VideoPlatformService" "$services"
check "lists health" "grpc.health.v1.Health" "$services"
check "lists reflection" "grpc.reflection.v1alpha.ServerReflection" "$services"

methods="$(curl_grpc --list-methods "$base")"
for method in CreateMeeting GetMeeting ListMeetings EndMeeting GetRoomSessions \
    ListPlatforms GetFlags UpdateFlags SetRoomPlatform ClearRoomPlatform \
    ListRoomPlatforms ResolvePlatform; do
  check "lists $method" "videoplatform.v1.VideoPlatformService/$method" "$methods"
done
check "lists Health/Check" "grpc.health.v1.Health/Check" "$methods"

health="$(curl_grpc -d '{}' "$base/grpc.health.v1.Health/Check")"
check "calls Health/Check" '"status": "SERVING"' "$health"

created="$(curl_grpc -d '{"room": {"roomId": "buf-room", "roomName": "Buf Room"}}' \
  "$base/videoplatform.v1.VideoPlatformService/CreateMeeting")"
check "creates a meeting on the mock" '"platform": "mock"' "$created"

curl_grpc -d '{"roomId": "buf-room", "platform": "whereby", "updatedBy": "buf"}' \
  "$base/videoplatform.v1.VideoPlatformService/SetRoomPlatform" >/dev/null
resolved="$(curl_grpc -d '{"roomId": "buf-room"}' \
  "$base/videoplatform.v1.VideoPlatformService/ResolvePlatform")"
check "resolves the override" '"reason": "RESOLUTION_REASON_ROOM_OVERRIDE"' "$resolved"

if refused="$(curl_grpc -d '{"room": {"roomId": "buf-room", "roomName": "Buf Room"}}' \
    "$base/videoplatform.v1.VideoPlatformService/CreateMeeting" 2>&1)"; then
  echo "FAIL: CreateMeeting on an unconfigured platform succeeded"; failures=$((failures + 1))
fi
check "unconfigured platform names the setting" "WHEREBY_API_KEY" "$refused"
check "unconfigured platform is FAILED_PRECONDITION" "failed_precondition" "$refused"

kill -TERM "$server_pid"
wait "$server_pid" && echo "ok: server stopped cleanly" || { echo "FAIL: server exit $?"; failures=$((failures + 1)); }

# With a token, reflection needs it too (buf sends it with --reflect-header).
rm -f "$work/port"
env -i PATH=/usr/bin:/bin VIDEOPLATFORM_API_TOKEN=ops-token-0123456789 \
  "$server_binary" --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 --db="$work/videoplatform.db" \
  --port_file="$work/port" >"$work/server2.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 3000); do [ -s "$work/port" ] && break; sleep 0.01; done
base="http://127.0.0.1:$(cat "$work/port")"
if refused="$(curl_grpc --list-services "$base" 2>&1)"; then
  echo "FAIL: reflection answered without the token"; failures=$((failures + 1))
fi
# buf words UNAUTHENTICATED as advice about its own registry.
check "reflection without the token is refused" "not authenticated" "$refused"
auth="Authorization: Bearer ops-token-0123456789"
services="$(curl_grpc --reflect-header "$auth" --list-services "$base")"
check "reflection with the token" "videoplatform.v1.VideoPlatformService" "$services"
flags="$(curl_grpc --reflect-header "$auth" -H "$auth" -d '{}' \
  "$base/videoplatform.v1.VideoPlatformService/GetFlags")"
check "calls with the token" '"defaultPlatform": "mock"' "$flags"
health="$(curl_grpc --reflect-header "$auth" -d '{}' "$base/grpc.health.v1.Health/Check")"
check "health needs no token" '"status": "SERVING"' "$health"
kill -TERM "$server_pid"; wait "$server_pid" || true
trap - EXIT
[ "$failures" -eq 0 ]

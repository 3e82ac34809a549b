#!/usr/bin/env bash
# buf curl, the client operators use, against AuthenticatedReflection: lists
# and calls services through both reflection protocols with the token, and is
# refused without it.
# Usage (from Bazel): buf_curl_test.sh <reflection_test_server> <tools/npm/package.json>
set -euo pipefail

server_binary="$1"
buf="$(dirname "$(readlink -f "$2")")/node_modules/.bin/buf"
if [ ! -x "$buf" ]; then
  echo "FAIL: $buf missing: run tools/setup.sh" >&2
  exit 1
fi
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/buf.XXXXXX")"
export HOME="$work"  # buf keeps its cache under $HOME.
token="s3cret-token"

# The server serves until its stdin closes.
coproc SERVER { exec "$server_binary" "$token"; }
server_pid=$SERVER_PID
trap 'kill -9 $server_pid 2>/dev/null || true' EXIT
read -r -t 30 port <&"${SERVER[0]}" || { echo "FAIL: server did not start"; exit 1; }
base="http://127.0.0.1:$port"
curl_grpc() { "$buf" curl --protocol grpc --http2-prior-knowledge "$@"; }
auth=(--reflect-header "Authorization: Bearer $token")

failures=0
check() {  # check <description> <expected substring> <output>
  if [[ "$3" == *"$2"* ]]; then
    echo "ok: $1"
  else
    echo "FAIL: $1: expected '$2' in:"; echo "$3"; failures=$((failures + 1))
  fi
}

for protocol in grpc-v1 grpc-v1alpha; do
  services="$(curl_grpc "${auth[@]}" --reflect-protocol "$protocol" --list-services "$base")"
  for service in videoplatform.v1.VideoPlatformService grpc.health.v1.Health \
      grpc.reflection.v1.ServerReflection grpc.reflection.v1alpha.ServerReflection; do
    check "$protocol lists $service" "$service" "$services"
  done

  methods="$(curl_grpc "${auth[@]}" --reflect-protocol "$protocol" --list-methods "$base")"
  for method in videoplatform.v1.VideoPlatformService/CreateMeeting \
      videoplatform.v1.VideoPlatformService/ResolvePlatform \
      grpc.health.v1.Health/Check \
      grpc.reflection.v1.ServerReflection/ServerReflectionInfo; do
    check "$protocol lists $method" "$method" "$methods"
  done

  health="$(curl_grpc "${auth[@]}" --reflect-protocol "$protocol" -d '{}' \
    "$base/grpc.health.v1.Health/Check")"
  check "$protocol describes and calls Health/Check" '"status": "SERVING"' "$health"

  for header in "" "Authorization: Bearer wrong" "Authorization: Basic $token"; do
    args=(--reflect-protocol "$protocol" --list-services "$base")
    [ -n "$header" ] && args=(--reflect-header "$header" "${args[@]}")
    if refused="$(curl_grpc "${args[@]}" 2>&1)"; then
      echo "FAIL: $protocol without a valid token ('$header') listed services"
      failures=$((failures + 1))
    fi
    # buf words UNAUTHENTICATED as "you are not authenticated" (plus advice
    # about its own registry, which does not apply here).
    check "$protocol refuses '${header:-no header}'" "not authenticated" "$refused"
  done
done

# By default buf tries v1 first, then v1alpha.
methods="$(curl_grpc "${auth[@]}" --list-methods "$base")"
check "default protocol lists methods" "videoplatform.v1.VideoPlatformService/GetMeeting" "$methods"

# buf sends -H headers on reflection requests only with --reflect-header '*'.
health="$(curl_grpc -H "Authorization: Bearer $token" --reflect-header '*' -d '{}' \
  "$base/grpc.health.v1.Health/Check")"
check "-H with --reflect-header '*' authenticates reflection" '"status": "SERVING"' "$health"
if refused="$(curl_grpc -H "Authorization: Bearer $token" --list-methods "$base" 2>&1)"; then
  echo "FAIL: buf sent -H on reflection requests without --reflect-header"
  failures=$((failures + 1))
fi
check "-H alone does not reach reflection" "not authenticated" "$refused"

eval "exec ${SERVER[1]}>&-"  # End of stdin: the server shuts down.
wait "$server_pid" && echo "ok: server stopped cleanly" || {
  echo "FAIL: server exit $?"; failures=$((failures + 1)); }
trap - EXIT
[ "$failures" -eq 0 ]

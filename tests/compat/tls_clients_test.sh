#!/usr/bin/env bash
# The README's TLS recipes, run: `buf curl` and Python grpcio call a
# videoplatformd that serves mutual TLS (certificates made by openssl here),
# and fail without a client certificate.
# Usage (from Bazel): tls_clients_test.sh <videoplatformd> <tools/npm/package.json>
set -euo pipefail

server_binary="$(readlink -f "$1")"
buf="$(dirname "$(readlink -f "$2")")/node_modules/.bin/buf"
[ -x "$buf" ] || { echo "FAIL: $buf missing: run tools/setup.sh" >&2; exit 1; }
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/tls.XXXXXX")"
export HOME="$work"
cd "$work"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
openssl req -x509 -new -key ca.key -subj /CN=test-ca -days 2 -out ca.pem
key server.key
openssl req -new -key server.key -subj /CN=localhost -out server.csr
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 2 -extfile server.ext -out server.pem 2>/dev/null
key client.key
openssl req -new -key client.key -subj /CN=client -out client.csr
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 2 -out client.pem 2>/dev/null

env -i PATH=/usr/bin:/bin DEFAULT_VIDEO_PLATFORM=mock \
  "$server_binary" --listen=127.0.0.1:0 --metrics_listen= --db="$work/db" \
  --tls_cert=server.pem --tls_key=server.key --tls_client_ca=ca.pem \
  --port_file="$work/port" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill -9 $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 3000); do
  [ -s "$work/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.01
done
port="$(cat "$work/port")"
failures=0

out="$("$buf" curl --protocol grpc --cacert ca.pem --cert client.pem --key client.key \
  --servername localhost -d '{}' "https://127.0.0.1:$port/grpc.health.v1.Health/Check" 2>&1)" || true
if [[ "$out" == *SERVING* ]]; then echo "ok: buf curl over mTLS"; else
  echo "FAIL: buf curl over mTLS: $out"; failures=$((failures + 1)); fi
out="$("$buf" curl --protocol grpc --cacert ca.pem --servername localhost -d '{}' \
  "https://127.0.0.1:$port/grpc.health.v1.Health/Check" 2>&1)" || true
if [[ "$out" != *SERVING* ]]; then echo "ok: buf curl without a client certificate is refused"; else
  echo "FAIL: buf curl without a client certificate was served"; failures=$((failures + 1)); fi

if /usr/bin/python3 - "$port" <<'PY'
import sys
import grpc
port = sys.argv[1]
def health(with_client_cert):
    options = {"root_certificates": open("ca.pem", "rb").read()}
    if with_client_cert:
        options["private_key"] = open("client.key", "rb").read()
        options["certificate_chain"] = open("client.pem", "rb").read()
    channel = grpc.secure_channel(
        f"127.0.0.1:{port}", grpc.ssl_channel_credentials(**options),
        options=(("grpc.ssl_target_name_override", "localhost"),))
    check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                request_serializer=lambda x: x,
                                response_deserializer=lambda x: x)
    try:
        return check(b"", timeout=10)
    except grpc.RpcError as error:
        return error.code()
ok = health(True)
assert ok == b"\x08\x01", ok  # HealthCheckResponse{status: SERVING}
refused = health(False)
assert refused == grpc.StatusCode.UNAVAILABLE, refused
print("ok: grpcio over mTLS; refused without a client certificate")
PY
then :; else failures=$((failures + 1)); fi

[ "$failures" -eq 0 ] || { cat "$work/server.log"; exit 1; }

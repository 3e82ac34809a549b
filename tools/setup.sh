#!/usr/bin/env bash
# Installs every system and npm package the project needs. Idempotent: when
# everything is present it only checks and returns in a few seconds.
# Usage: tools/setup.sh        (needs root or sudo for apt-get)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

APT_PACKAGES=(
  # Build: Debian's Bazel and its rule sets, compiler.
  bazel-bootstrap bazel-rules-cc bazel-rules-java g++ git
  # gRPC, Protocol Buffers, Abseil.
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev
  protobuf-compiler libabsl-dev
  # Provider HTTP (libcurl), storage (SQLite), crypto (OpenSSL).
  libcurl4-openssl-dev libsqlite3-dev sqlite3 libssl-dev openssl
  ca-certificates
  # JSON, logging, HTTP server (webhook shim and provider fakes).
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcpp-httplib-dev
  # Metrics: Prometheus registry and /metrics endpoint.
  prometheus-cpp-dev
  # The webhook shim's HTTP server (Boost.Beast, header-only).
  libboost-dev
  # Tests: GoogleTest/GoogleMock, Python gRPC client, Node for buf.
  libgtest-dev libgmock-dev googletest python3 python3-grpcio
  python3-grpc-tools
  # Recording validation (ffprobe) and test media fixtures (ffmpeg).
  ffmpeg
)
# Node.js with npm: Debian's packages unless a Node.js that ships its own npm
# (e.g. NodeSource's, which conflicts with Debian's npm) is already there.
if ! command -v npm >/dev/null 2>&1; then APT_PACKAGES+=(nodejs npm); fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

# npm tools (buf for reflection tests and operators, s3rver as the tests'
# S3) live in tools/npm.
if [ ! -x "$here/npm/node_modules/.bin/buf" ] || [ ! -x "$here/npm/node_modules/.bin/s3rver" ]; then
  echo "setup: installing npm packages in tools/npm"
  (cd "$here/npm" && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup: npm packages present"
fi

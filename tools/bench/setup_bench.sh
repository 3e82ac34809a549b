#!/usr/bin/env bash
# Installs what the webhook benchmarks need and CI does not (so these stay
# out of tools/setup.sh): wrk, nginx-light, FastAPI and uvicorn for the
# reference receiver; h2load (nghttp2-client) and protoc --encode for
# rpc_throughput.sh. Idempotent: installs only what is missing.
set -euo pipefail

packages=(wrk nginx-light python3-fastapi python3-uvicorn nghttp2-client protobuf-compiler)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup_bench: installing ${missing[*]}" >&2
$sudo apt-get update -o DPkg::Lock::Timeout=300 >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends \
  -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
# Debian starts nginx on install; the benchmarks run their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  $sudo systemctl stop nginx || true
fi

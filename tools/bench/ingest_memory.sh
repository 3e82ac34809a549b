#!/usr/bin/env bash
# Ingest memory benchmark: downloads a >= 1 GiB media file with audio through
# CurlDownloader (loopback HTTP, loopback HTTP with a dropped connection and
# a Range resume, and s3rver with SigV4), and a 1 MiB reference file, and
# prints each run's peak RSS. See README.md for the figures.
#
# Usage: tools/bench/ingest_memory.sh
#   BIG_SECONDS=30      length of the big file (raw 720p video + PCM audio,
#                       about 41 MB a second)
#   BAZEL_STARTUP="--output_base=..."  BAZEL_BUILD="--symlink_prefix=/"
#   SKIP_S3=1           skip the s3rver run
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck disable=SC2086
bazel ${BAZEL_STARTUP:-} build -c opt ${BAZEL_BUILD:-} \
  //tools/bench:ingest_download_once //tools/bench:ingest_serve_file >&2
# shellcheck disable=SC2086
bin="$(bazel ${BAZEL_STARTUP:-} info -c opt ${BAZEL_BUILD:-} bazel-bin 2>/dev/null)/tools/bench"

work="$(mktemp -d "${TMPDIR:-/tmp}/ingest-bench.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
SECONDS=0
# 1 MiB reference: 11 s of 48 kHz 16-bit PCM in Matroska.
ff -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=11" \
  -c:a pcm_s16le -f matroska "$work/small.mkv"
# The big file: raw 720p video and PCM audio (no encoding: fast to make).
ff -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=${BIG_SECONDS:-30}" \
  -f lavfi -i "testsrc=size=1280x720:rate=30:duration=${BIG_SECONDS:-30}" \
  -c:v rawvideo -pix_fmt yuv420p -c:a pcm_s16le -f matroska "$work/big.mkv"
echo "generated in ${SECONDS} s: small $(stat -c %s "$work/small.mkv") bytes, big $(stat -c %s "$work/big.mkv") bytes"

serve() {  # serve <file> <port file> [extra flags]
  "$bin/ingest_serve_file" --file="$1" --path=/file --port_file="$2" "${@:3}" &
  pids+=($!)
  for _ in $(seq 1 500); do [ -s "$2" ] && return 0; sleep 0.01; done
  echo "server did not start" >&2; exit 1
}

run() {  # run <label> <download flags...>: prints the JSON and GNU time's RSS
  local label="$1"; shift
  rm -f "$work/out" "$work/out.partial"
  /usr/bin/time -v -o "$work/time.txt" "$bin/ingest_download_once" --dest="$work/out" "$@" >"$work/result.json"
  local rss; rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
  echo "$label: $(cat "$work/result.json") time_v_max_rss_kib=$rss"
  rm -f "$work/out"
}

serve "$work/small.mkv" "$work/port_small"
serve "$work/big.mkv" "$work/port_big"
serve "$work/big.mkv" "$work/port_drop" --drop_halfway=1
sha_big="$(sha256sum "$work/big.mkv" | cut -d' ' -f1)"
echo "big sha256 (sha256sum): $sha_big"

run "http 1 MiB (reference)" --url="http://127.0.0.1:$(cat "$work/port_small")/file"
run "http big" --url="http://127.0.0.1:$(cat "$work/port_big")/file"
run "http big, dropped halfway then resumed" --url="http://127.0.0.1:$(cat "$work/port_drop")/file"

if [ -z "${SKIP_S3:-}" ]; then
  s3rver="$root/tools/npm/node_modules/.bin/s3rver"
  "$s3rver" -d "$work/s3" -a 127.0.0.1 -p 0 --silent --configure-bucket recordings >"$work/s3rver.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 1000); do grep -q "listening on" "$work/s3rver.log" && break; sleep 0.01; done
  s3port="$(grep -o '127.0.0.1:[0-9]*' "$work/s3rver.log" | cut -d: -f2)"
  key="bench-2025-01-18T12%3A00%3A00Z.mkv"
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$work/big.mkv" \
    "http://127.0.0.1:$s3port/recordings/$key" >/dev/null
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run "s3rver big (SigV4)" \
    --s3_endpoint="http://127.0.0.1:$s3port" --s3_bucket=recordings \
    --s3_key="bench-2025-01-18T12:00:00Z.mkv"
fi

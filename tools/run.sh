#!/usr/bin/env bash
# Sets up the machine, builds videoplatformd and runs it in the foreground.
#
# With no settings it serves on 127.0.0.1:50051 with ./videoplatform.db and,
# on the first run (no database yet), routes every room to the mock provider,
# so it works without any provider account. Later runs keep whatever the flag
# RPCs stored. Any variable you export (DAILY_MIGRATION_ENABLED,
# DEFAULT_VIDEO_PLATFORM, WHEREBY_API_KEY, ...) wins.
#   tools/run.sh [videoplatformd flags, e.g. --listen=127.0.0.1:6000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/setup.sh
bazel build //server:videoplatformd

db="${VIDEOPLATFORM_DB:-$PWD/videoplatform.db}"
if [ ! -e "$db" ]; then
  export DAILY_MIGRATION_ENABLED="${DAILY_MIGRATION_ENABLED:-true}"
  export DEFAULT_VIDEO_PLATFORM="${DEFAULT_VIDEO_PLATFORM:-mock}"
fi
exec bazel-bin/server/videoplatformd --db="$db" "$@"

#!/usr/bin/env bash
# Crash soak: the long version of //tests/e2e:webhook_crash_test. Under
# webhook load through the shim (4 providers posting signed Daily joins and
# leaves, re-delivering until answered 200), SIGKILLs the service 20 times
# and the shim 5 times at random moments (random order), restarting each on
# the same database and address; then checks that every event id answered
# 200 is in the event log exactly once, that no id is logged twice, and that
# each meeting's participant count equals its logged joins minus leaves.
# Prints the test's RESULT lines (kills, acknowledged events, answers by
# HTTP status, log size, duration).
#
# Usage: tools/bench/crash_soak.sh
#   SERVICE_KILLS=20 SHIM_KILLS=5 RUNS=1, BAZEL_STARTUP / BAZEL_BUILD.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
for run in $(seq 1 "${RUNS:-1}"); do
  # shellcheck disable=SC2086
  bazel ${BAZEL_STARTUP:-} test -c opt ${BAZEL_BUILD:-} //tests/e2e:webhook_crash_test \
    --test_env=CRASH_SERVICE_KILLS="${SERVICE_KILLS:-20}" \
    --test_env=CRASH_SHIM_KILLS="${SHIM_KILLS:-5}" \
    --test_timeout=900 --nocache_test_results --test_output=all 2>&1 |
    grep -E '^RESULT|random seed|Failure|FAILED|PASSED|acknowledged event|logged [0-9]+ times|meeting ' || true
  # shellcheck disable=SC2086
  log="$(bazel ${BAZEL_STARTUP:-} info -c opt ${BAZEL_BUILD:-} bazel-testlogs 2>/dev/null)/tests/e2e/webhook_crash_test/test.log"
  grep -q '^\[  PASSED  \]' "$log" || { echo "run $run failed: $log" >&2; exit 1; }
done

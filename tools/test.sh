#!/usr/bin/env bash
# Sets up the machine and runs every test (what CI runs).
#   tools/test.sh                 all tests
#   tools/test.sh --config=asan   all tests under AddressSanitizer
#   tools/test.sh --config=ubsan  all tests under UBSan
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/setup.sh
bazel test "$@" //...

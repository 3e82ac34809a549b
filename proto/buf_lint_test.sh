#!/usr/bin/env bash
# `buf lint` (STANDARD rules) over the public API protos.
# Usage (from Bazel): buf_lint_test.sh <tools/npm/package.json> <proto/buf.yaml>
set -euo pipefail
buf="$(dirname "$(readlink -f "$1")")/node_modules/.bin/buf"
[ -x "$buf" ] || { echo "FAIL: $buf missing: run tools/setup.sh" >&2; exit 1; }
export HOME="${TEST_TMPDIR:-/tmp}"
cd "$(dirname "$2")"
"$buf" lint && echo "buf lint: ok"

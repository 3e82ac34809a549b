#!/bin/sh
echo "bazel coverage is not supported offline; build with --copt=--coverage and run lcov instead" >&2
exit 1

#!/bin/sh
# Runs a Python test with Debian's interpreter (which has python3-grpcio),
# not whatever python3 comes first on a developer's PATH.
set -eu
exec /usr/bin/python3 "$@"

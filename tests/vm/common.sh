# shellcheck shell=bash
# Shared by the scripts in tests/vm/ and tests/check.sh: paths and messages.
# Source it; it defines no commands that run by themselves.

SOCKFD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SOCKFD_CACHE=${SOCKFD_CACHE:-/var/cache/sockfd}
SOCKFD_BUILD=$SOCKFD_ROOT/build

# Progress and errors go to stderr so that stdout stays parseable.
say() { printf '[sockfd] %s\n' "$*" >&2; }
die() { printf '[sockfd] error: %s\n' "$*" >&2; exit 1; }

# "N passed, N failed": the closing line of every test program and script.
SUMMARY_RE='^([0-9]+) passed, ([0-9]+) failed$'

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

# Installs what the tests need (root; quick when all is there), or, for
# another user, stops with the one command to run first.
ensure_deps() {
	if [ "$(id -u)" = 0 ]; then
		"$SOCKFD_ROOT/tests/vm/provision-kernels.sh"
		return
	fi
	local c
	for c in qemu-system-x86_64 busybox cpio gcc sparse; do
		command -v "$c" >/dev/null || die "$c is missing: run 'sudo make deps' first"
	done
}

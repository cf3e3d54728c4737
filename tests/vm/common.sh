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

# build_stripped_ko ROOT KDIR DIR: the module of the tree at ROOT, built by
# ROOT's own tests/vm/build-module.sh for the kernel at KDIR in DIR/build,
# stripped of debug info (as INSTALL_MOD_STRIP does) to DIR/sockfd.ko; the
# log is DIR/build.log. A revision's tree comes from rev_tree.
build_stripped_ko() {
	local root=$1 kdir=$2 dir=$3
	mkdir -p "$dir"
	"$root/tests/vm/build-module.sh" "$kdir" "$dir/build" >"$dir/build.log" 2>&1 ||
		die "the module of $root does not build (log: $dir/build.log)"
	strip --strip-debug -o "$dir/sockfd.ko" "$dir/build/sockfd.ko"
}

# rev_tree REV DIR: the files of revision REV (git archive) in a new DIR.
rev_tree() {
	local rev
	rev=$(git -C "$SOCKFD_ROOT" rev-parse --verify --quiet "$1^{commit}") ||
		die "$1: no such revision"
	rm -rf "$2"
	mkdir -p "$2"
	git -C "$SOCKFD_ROOT" archive "$rev" | tar -x -C "$2"
}

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

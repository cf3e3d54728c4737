#!/bin/bash
# demo.sh [--kernel K] (make demo [KERNEL=K]): shows /proc/sockfd for real.
# - On a machine that can load modules (/proc/modules exists and the running
#   kernel's headers are installed): builds sockfd.ko, loads it (root) and
#   shows /proc/sockfd and the reader's view of this machine.
# - Otherwise (like the QEMU-less test hosts of this project): boots Debian's
#   6.1 kernel in QEMU with the module and a small workload (a TCP listener with
#   3 clients, UDP sockets, a unix socketpair) and shows the same from inside.
# --kernel K boots that test kernel (5.10, 6.1, 6.12, debug; tests/vm/kernels.sh)
# in QEMU, whatever the machine can do.
set -euo pipefail
. "$(dirname "$0")/common.sh"
vm=$SOCKFD_ROOT/tests/vm

show_reader='
if command -v sockfd >/dev/null; then
	echo; echo "\$ sockfd        # the reader: owner first, sizes humanised"; sockfd
	echo; echo "\$ sockfd --summary"; sockfd --summary
fi'

guest=
if [ $# = 2 ] && [ "$1" = --kernel ]; then
	guest=$2
elif [ $# != 0 ]; then
	die "usage: demo.sh [--kernel 5.10|6.1|6.12|debug]"
fi

kver=$(uname -r)
if [ -z "$guest" ] && [ -e /proc/modules ] && [ -d "/lib/modules/$kver/build" ]; then
	say "this machine can load modules: building sockfd.ko for $kver"
	[ "$(id -u)" = 0 ] || die "loading a module needs root: run 'sudo make demo'"
	out=$SOCKFD_BUILD/kmod/$kver
	"$vm/build-module.sh" "/lib/modules/$kver/build" "$out" >"$out.log" 2>&1 ||
		{ tail -n 20 "$out.log" >&2; die "the module does not build (log: $out.log)"; }
	make -s -C "$SOCKFD_ROOT/tools" >/dev/null
	grep -q '^sockfd ' /proc/modules || insmod "$out/sockfd.ko"
	echo "\$ cat /proc/sockfd"
	cat /proc/sockfd
	PATH=$SOCKFD_BUILD/tools:$PATH sh -c "$show_reader"
	echo
	say "sockfd stays loaded; remove it with: sudo rmmod sockfd"
	exit 0
fi

if [ -z "$guest" ]; then
	guest=6.1
	why="no /proc/modules"
	[ -e /proc/modules ] && why="no headers for the running kernel $kver"
	say "this machine cannot load the module here ($why):"
fi
say "booting the $guest test kernel in QEMU with sockfd.ko and a small workload (about 30 s)"
ensure_deps
out=$SOCKFD_BUILD/demo-$guest
mkdir -p "$out"
status=0
"$vm/run-guest.sh" --kernel "$guest" --out "$out" --tests '' --timeout 300 \
	--progs "$vm/demo-workload.c" --run "
echo '\$ demo-workload   # demo-server, demo-client, demo-dns, demo-pair'
demo-workload
echo
echo '\$ cat /proc/sockfd'
cat /proc/sockfd
$show_reader" >"$out/demo.out" 2>"$out/demo.err" || status=$?
# The guest's output without the runner's closing count lines.
grep -Ev '^(\[[^]]*\] )?[0-9]+ passed, [0-9]+ failed' "$out/demo.out" || true
if [ "$status" != 0 ]; then
	cat "$out/demo.err" >&2
	die "the demo guest failed (console log: $out/console.log)"
fi
echo
say "guest console log: $out/console.log"

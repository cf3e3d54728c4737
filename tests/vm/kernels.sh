#!/bin/bash
# kernels.sh NAME: resolves a test kernel name to the lines
#   VMLINUZ=/path/to/bzImage  KDIR=/path/to/build/tree  KVER=release
# NAME is 5.10, 6.1 or 6.12 (the newest installed Debian kernel of that series), or
# debug (KASAN) or kcsan (KCSAN), built by `build-debug-kernel.sh NAME`, whose
# last stdout line is its directory.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# = 1 ] || die "usage: kernels.sh 5.10|6.1|6.12|debug|kcsan"

case $1 in
5.10) pattern='5.10.*-amd64' ;;
6.1)  pattern='6.1.*-amd64' ;;
6.12) pattern='6.12.*+deb12-amd64' ;;
debug | kcsan)
	script=$SOCKFD_ROOT/tests/vm/build-debug-kernel.sh
	[ -x "$script" ] || die "$1 kernel not available (no tests/vm/build-debug-kernel.sh)"
	dir=$("$script" "$1" | tail -n 1)
	[ -d "$dir" ] || die "$1 kernel not available (build-debug-kernel.sh $1 gave '$dir')"
	vmlinuz=
	for f in "$dir/bzImage" "$dir/vmlinuz" "$dir/arch/x86/boot/bzImage"; do
		[ -f "$f" ] && { vmlinuz=$f; break; }
	done
	kdir=
	for d in "$dir/build" "$dir"; do
		[ -f "$d/Module.symvers" ] && { kdir=$d; break; }
	done
	[ -n "$vmlinuz" ] && [ -n "$kdir" ] ||
		die "$1 kernel not available (no bzImage or Module.symvers under $dir)"
	kver=$(cat "$kdir/include/config/kernel.release")
	printf 'VMLINUZ=%s\nKDIR=%s\nKVER=%s\n' "$vmlinuz" "$kdir" "$kver"
	exit 0 ;;
*) die "unknown kernel '$1' (known: 5.10 6.1 6.12 debug kcsan)" ;;
esac

# Newest release of the series that has both the image and the headers.
kver=
for d in /lib/modules/$pattern; do
	r=${d#/lib/modules/}
	[ -f "/boot/vmlinuz-$r" ] && [ -d "$d/build" ] || continue
	kver=$(printf '%s\n' "$kver" "$r" | sort -V | tail -n 1)
done
[ -n "$kver" ] || die "no $1 kernel with headers installed: run 'sudo make deps'"
printf 'VMLINUZ=%s\nKDIR=%s\nKVER=%s\n' "/boot/vmlinuz-$kver" "/lib/modules/$kver/build" "$kver"

#!/bin/bash
# build-module.sh KDIR OUTDIR [MAKE_ARGS...]
# Builds sockfd.ko (and sockfd_kunit.ko when the tree has tests/sockfd_kunit.c
# and Kbuild asks for it) out of tree: the sources are copied to a fresh OUTDIR
# and built there with W=1, so that builds for several kernels never share
# objects and every build shows all its warnings. MAKE_ARGS are added to the
# kernel make call (e.g. C=2 for sparse).
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -ge 2 ] || die "usage: build-module.sh KDIR OUTDIR [MAKE_ARGS...]"
kdir=$1 out=$2
shift 2
[ -f "$kdir/Makefile" ] || die "no kernel build tree at $kdir"

rm -rf "$out"
mkdir -p "$out"
cp -p "$SOCKFD_ROOT/Kbuild" "$SOCKFD_ROOT/dkms.conf" "$out/"
cp -pr "$SOCKFD_ROOT/module" "$out/"
if [ -f "$SOCKFD_ROOT/tests/sockfd_kunit.c" ]; then
	mkdir -p "$out/tests"
	cp -p "$SOCKFD_ROOT/tests/sockfd_kunit.c" "$out/tests/"
fi
make -C "$kdir" M="$(cd "$out" && pwd)" W=1 SOCKFD_KUNIT=y "$@" modules

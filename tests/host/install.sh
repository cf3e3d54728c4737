#!/bin/bash
# install.sh [KERNEL...]: `make install DESTDIR=...` stages exactly the
# expected files for each test kernel (default: 5.10 6.1 6.12) and
# `make uninstall DESTDIR=...` removes every one of them; building against a
# kernel older than 5.10 stops with one clear line, not a compiler log;
# enable-at-boot / disable-at-boot write and remove the modules-load.d file.
# Works on a copy of the tree (no build outputs in the checkout); needs no root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(5.10 6.1 6.12)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src
mkdir "$src"
# The sources only: what git tracks or would track (no build outputs).
git -C "$SOCKFD_ROOT" ls-files -z --cached --others --exclude-standard |
	(cd "$SOCKFD_ROOT" && tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
	tar -C "$src" -xf -

# --- a kernel older than 5.10 -------------------------------------------------
fake_old_tree() { # KDIR DIR: KDIR as links, its release files saying OLD_KERNEL
	cp -rs "$(readlink -f "$1")/." "$2/"
	rm -f "$2/include/config/kernel.release" "$2/include/generated/utsrelease.h"
	echo "$OLD_KERNEL" >"$2/include/config/kernel.release"
	printf '#define UTS_RELEASE "%s"\n' "$OLD_KERNEL" >"$2/include/generated/utsrelease.h"
	if [ -L "$2/.kernelvariables" ]; then # Debian's headers name it here too
		rm "$2/.kernelvariables"
		sed "s/KERNELRELEASE = .*/KERNELRELEASE = $OLD_KERNEL/" "$1/.kernelvariables" \
			>"$2/.kernelvariables"
	fi
}

old_kernel() { # NAME MAKE-ARGS...: the build stops with the message only
	local name=$1 out rc=0
	shift
	out=$(make -C "$src" module "$@" 2>&1) || rc=$?
	local want="sockfd needs Linux 5.10 or later (this is $OLD_KERNEL)"
	if [ "$rc" = 0 ]; then
		fail "$name" "make succeeded against $OLD_KERNEL"
	elif ! grep -qF "*** $want.  Stop." <<<"$out"; then
		fail "$name" "no '$want' in: $(tr '\n' '|' <<<"$out")"
	elif grep -qE 'CC \[M\]|error:|warning:' <<<"$out" || [ -n "$(find "$src" -name '*.o')" ]; then
		fail "$name" "something was compiled: $(tr '\n' '|' <<<"$out")"
	else
		pass "$name"
		printf '%s\n' "$out" | sed 's/^/  | /'
	fi
}
if use_kernel "${kernels[0]}"; then
	fake=$tmp/linux-$OLD_KERNEL
	mkdir "$fake"
	fake_old_tree "$KDIR" "$fake"
	old_kernel install/old-kernel/tree KDIR="$fake"
	old_kernel install/old-kernel/kernelrelease KVER="$KVER" KERNELRELEASE="$OLD_KERNEL"
fi

# --- make install / make uninstall with DESTDIR, per kernel ------------------
for k in "${kernels[@]}"; do
	use_kernel "$k" || continue
	stage=$tmp/stage-$k
	ext=$(module_ext "$KDIR")
	ko=lib/modules/$KVER/extra/sockfd.ko$ext
	want=$(printf '%s\n' "$ko" usr/local/bin/sockfd \
		usr/local/share/man/man5/proc_sockfd.5 usr/local/share/man/man8/sockfd.8 | sort)

	if ! out=$(make -s -j2 -C "$src" install KVER="$KVER" DESTDIR="$stage" 2>&1); then
		fail "install/$k/make-install" "make install failed: $(tail -n 5 <<<"$out" | tr '\n' '|')"
		continue
	fi
	pass "install/$k/make-install"
	got=$(cd "$stage" && find . ! -type d | sed 's|^\./||' | sort)
	expect "install/$k/files" "want [${want//$'\n'/ }] got [${got//$'\n'/ }]" [ "$got" = "$want" ]
	if [ -f "$stage/$ko" ]; then
		vm=$(modinfo -F vermagic "$stage/$ko")
		expect "install/$k/vermagic" "want $KVER got '$vm'" [ "${vm%% *}" = "$KVER" ]
		v=$(modinfo -F version "$stage/$ko")
		expect "install/$k/version" "want $SOCKFD_VERSION got '$v'" [ "$v" = "$SOCKFD_VERSION" ]
		m=$(stat -c %a "$stage/$ko")
		expect "install/$k/module-mode" "want 644 got $m" [ "$m" = 644 ]
	fi
	if [ -f "$stage/usr/local/bin/sockfd" ]; then
		m=$(stat -c %a "$stage/usr/local/bin/sockfd")
		expect "install/$k/reader-mode" "want 755 got $m" [ "$m" = 755 ]
	fi

	if ! out=$(make -s -C "$src" uninstall KVER="$KVER" DESTDIR="$stage" 2>&1); then
		fail "install/$k/make-uninstall" "make uninstall failed: $(tail -n 5 <<<"$out" | tr '\n' '|')"
		continue
	fi
	left=$(cd "$stage" && find . ! -type d | sed 's|^\./||')
	expect "install/$k/uninstall-leaves-nothing" "left: ${left//$'\n'/ }" [ -z "$left" ]
done

# --- make enable-at-boot / disable-at-boot -----------------------------------
boot=$tmp/boot
conf=$boot/etc/modules-load.d/sockfd.conf
make -s -C "$src" enable-at-boot DESTDIR="$boot" >/dev/null 2>&1 || true
got=$(cat "$conf" 2>/dev/null || echo "(no $conf)")
expect install/enable-at-boot "want 'sockfd' in $conf, got '$got'" [ "$got" = sockfd ]
make -s -C "$src" disable-at-boot DESTDIR="$boot" >/dev/null 2>&1 || true
expect install/disable-at-boot "$conf is still there" [ ! -e "$conf" ]

summary

#!/bin/bash
# dkms-roundtrip.sh [KERNEL...]: the real DKMS round trip on this machine for
# each test kernel (default: 5.10 6.1 6.12), none of them the running one:
#   make dkms-install KVER=...   (copy to /usr/src, dkms add, build -k, install -k)
#   boot that kernel in a guest with the module DKMS installed
#   (/lib/modules/KVER/updates/dkms/sockfd.ko*) and run the basic guest tests
#   make dkms-uninstall          (dkms remove --all, the /usr/src copy)
# then checks that nothing is left. Also: a kernel upgrade (the kernel
# package's DKMS hook) rebuilds it for a kernel that lacks it, and dkms
# refuses a kernel older than 5.10.
# Needs root. Refuses to run when sockfd is already registered with DKMS (it
# would remove a real installation).
# Environment: SOCKFD_DKMS_GUEST_TESTS, the guest tests to run (default below).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(5.10 6.1 6.12)
guest_tests=${SOCKFD_DKMS_GUEST_TESTS:-col_tcp col_udp col_unix}

[ "$(id -u)" = 0 ] || die "dkms-roundtrip.sh needs root (dkms writes /usr/src, /var/lib/dkms, /lib/modules)"
command -v dkms >/dev/null || die "dkms is not installed: run 'sudo make deps'"
# One round trip at a time on a machine (DKMS state is machine-wide).
exec 9>/run/lock/sockfd-dkms-roundtrip.lock
flock -w 1800 9 || die "another dkms-roundtrip.sh has held /run/lock/sockfd-dkms-roundtrip.lock for 30 min"

registered() { # true when DKMS knows sockfd or its sources are in /usr/src
	[ -n "$(dkms status -m sockfd 2>/dev/null)" ] || compgen -G '/usr/src/sockfd-*' >/dev/null
}
if registered; then
	fail dkms/precondition "sockfd is already installed with DKMS ($(dkms status -m sockfd 2>/dev/null | tr '\n' ' ')); 'make dkms-uninstall' first"
	summary || exit
fi

log=$(mktemp)
cleanup() { # on any exit: nothing of this run stays registered (none was before)
	if registered; then make -s -C "$SOCKFD_ROOT" dkms-uninstall >/dev/null 2>&1 || true; fi
	rm -f "$log"
}
trap cleanup EXIT
times=()

for k in "${kernels[@]}"; do
	use_kernel "$k" || continue
	step "dkms/$k/install" "$k: make dkms-install KVER=$KVER" \
		make -s -C "$SOCKFD_ROOT" dkms-install KVER="$KVER" || continue
	st=$(dkms status -m sockfd -v "$SOCKFD_VERSION" -k "$KVER" 2>/dev/null)
	expect "dkms/$k/status" "want 'sockfd/$SOCKFD_VERSION, $KVER, ...: installed' got '$st'" \
		grep -q "^sockfd/$SOCKFD_VERSION, $KVER, .*: installed" <<<"$st"

	# Where DKMS put it, compressed as the kernel's configuration says.
	ext=$(module_ext "$KDIR")
	ko=/lib/modules/$KVER/updates/dkms/sockfd.ko$ext
	found=$(find "/lib/modules/$KVER" -name 'sockfd.ko*' | tr '\n' ' ')
	if [ "$found" != "$ko " ]; then
		fail "dkms/$k/module-file" "want $ko got '$found'"
		continue
	fi
	pass "dkms/$k/module-file"
	vm=$(modinfo -F vermagic "$ko")
	expect "dkms/$k/vermagic" "want $KVER got '$vm'" [ "${vm%% *}" = "$KVER" ]
	v=$(modinfo -F version "$ko")
	expect "dkms/$k/version" "want $SOCKFD_VERSION got '$v'" [ "$v" = "$SOCKFD_VERSION" ]
	# DKMS signed it with its MOK key (what Secure Boot machines enroll).
	signer=$(modinfo -F signer "$ko")
	expect "dkms/$k/signed" "want signer 'DKMS module signing key' got '$signer'" \
		[ "$signer" = "DKMS module signing key" ]
	dep=$(modprobe -S "$KVER" --show-depends sockfd 2>&1 || true)
	expect "dkms/$k/depmod" "want 'insmod $ko' from modprobe -S $KVER --show-depends, got '$dep'" \
		grep -qxF "insmod $ko " <<<"$dep"

	# The guest runs the module file DKMS installed, not a fresh build.
	start=$(date +%s.%N)
	guest_smoke "dkms/$k/guest" "$k" "$ko" "$guest_tests" "$SOCKFD_BUILD/dkms/guest-$k"
	times+=("$k: guest $(elapsed "$start")s")
	upgrade_k=$k upgrade_kver=$KVER upgrade_ko=$ko
done

# A kernel upgrade: the new kernel's package runs DKMS's postinst hook
# (dkms autoinstall). Take the module away from the last kernel, run the hook.
hook=/etc/kernel/postinst.d/dkms
if [ -n "${upgrade_kver:-}" ] && [ -x "$hook" ]; then
	if ! dkms remove "sockfd/$SOCKFD_VERSION" -k "$upgrade_kver" >"$log" 2>&1 || [ -e "$upgrade_ko" ]; then
		fail "dkms/$upgrade_k/upgrade-hook" "dkms remove -k $upgrade_kver left $upgrade_ko: $(tail -n 5 "$log" | tr '\n' '|')"
	else
		[ -n "$(dkms status -m sockfd 2>/dev/null)" ] || dkms add "sockfd/$SOCKFD_VERSION" >>"$log" 2>&1
		start=$(date +%s.%N)
		"$hook" "$upgrade_kver" >>"$log" 2>&1 || true
		times+=("upgrade hook ($upgrade_k) $(elapsed "$start")s")
		st=$(dkms status -m sockfd -v "$SOCKFD_VERSION" -k "$upgrade_kver" 2>/dev/null)
		if grep -q ": installed" <<<"$st" && [ -f "$upgrade_ko" ]; then
			pass "dkms/$upgrade_k/upgrade-hook"
		else
			fail "dkms/$upgrade_k/upgrade-hook" "after $hook $upgrade_kver: status '$st', $upgrade_ko $([ -f "$upgrade_ko" ] || echo missing); $(tail -n 5 "$log" | tr '\n' '|')"
		fi
	fi
elif [ -n "${upgrade_kver:-}" ]; then
	fail dkms/upgrade-hook "no $hook (is dkms installed from Debian's package?)"
fi

# A kernel older than 5.10: dkms refuses it before building (no headers needed).
if [ -n "$(dkms status -m sockfd 2>/dev/null)" ]; then
	rc=0
	out=$(dkms build "sockfd/$SOCKFD_VERSION" -k "$OLD_KERNEL" 2>&1) || rc=$?
	if [ "$rc" != 0 ] && grep -q 'BUILD_EXCLUSIVE directive which does not match this kernel' <<<"$out"; then
		pass dkms/old-kernel-refused
		grep -F 'BUILD_EXCLUSIVE' <<<"$out" | sed 's/^/  | /'
	else
		fail dkms/old-kernel-refused "dkms build -k $OLD_KERNEL: exit $rc, $(tr '\n' '|' <<<"$out")"
	fi
fi

step dkms/uninstall "make dkms-uninstall" make -s -C "$SOCKFD_ROOT" dkms-uninstall || true

# Nothing left behind.
st=$(dkms status -m sockfd 2>/dev/null)
expect dkms/left/status "dkms status still lists: $st" [ -z "$st" ]
left=$(compgen -G '/usr/src/sockfd-*' || true)
expect dkms/left/usr-src "left: $left" [ -z "$left" ]
expect dkms/left/dkms-tree "left: /var/lib/dkms/sockfd" [ ! -e /var/lib/dkms/sockfd ]
left=$(find /lib/modules -name 'sockfd.ko*' | tr '\n' ' ')
expect dkms/left/module-files "left: $left" [ -z "$left" ]
left=$(grep -l 'sockfd\.ko' /lib/modules/*/modules.dep 2>/dev/null | tr '\n' ' ' || true)
expect dkms/left/modules.dep "still in: $left" [ -z "$left" ]

printf 'time: %s\n' "${times[@]}"
summary

#!/bin/bash
# check.sh [--kernels '5.10 6.1 6.12 debug kcsan']: what `make check` runs.
#  1. static checks: the module with W=1 against each stock test kernel
#     (a warning is a failure), sparse (C=2) the same way, checkpatch --strict
#     on module/, mandoc -Tlint and groff -ww on each man page; each counts
#     as one PASS or FAIL;
#  2. host tests (tests/host/run.sh), docs/walkthrough.md's kernel functions
#     and fields against the 6.1 source (tests/host/walkthrough-src.py),
#     install staging and the old-kernel
#     refusal (tests/host/install.sh), the DKMS round trip with a guest per
#     stock kernel (tests/host/dkms-roundtrip.sh, root), the Debian packages
#     installed, upgraded and purged with a guest per stock kernel
#     (tests/host/deb.sh, root), make lab-install / lab-uninstall and module
#     signing with Debian's and Ubuntu's key layouts (tests/host/lab.sh, root);
#  3. guest tests on each kernel (tests/vm/run-guest.sh); on kcsan only the
#     tests tagged "concurrency: yes" in their header comment (and KUnit),
#     soak and walk_expand running KCSAN_SOAK_SECONDS. The debug and kcsan
#     kernels are built (or found in the cache) in the background, niced,
#     from the start of the run; their guest stages wait for them.
# Default kernels: 5.10 6.1 6.12, plus debug and kcsan when
# tests/vm/build-debug-kernel.sh exists. Closes with one line "N passed,
# N failed" summing everything; exits non-zero when anything failed.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"
vm=$SOCKFD_ROOT/tests/vm

kernels="5.10 6.1 6.12"
[ -x "$vm/build-debug-kernel.sh" ] && kernels+=" debug kcsan"
# The soak's and walk_expand's length on the kcsan kernel (run-guest.sh
# passes them into the guest as SOCKFD_SOAK_SECONDS, SOCKFD_STRESS_SECONDS).
KCSAN_SOAK_SECONDS=${KCSAN_SOAK_SECONDS:-60}
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) [ $# -ge 2 ] || die "--kernels needs a value"; kernels=$2; shift 2 ;;
	*) die "usage: check.sh [--kernels '5.10 6.1 6.12 debug kcsan']" ;;
	esac
done

ensure_deps
logs=$SOCKFD_BUILD/check
mkdir -p "$logs"

# The kernels built from source (debug, kcsan) take 10 to 20 minutes each
# from nothing. Build them now, one after the other, in the background at
# the lowest CPU priority, while the static, host, install and stock-kernel
# stages run; each one's guest stage waits for its own (kernel-K.done). With
# both cached this ends within a minute. A failed build leaves its log
# here, and run-guest.sh's own kernels.sh call tries again.
built=()
for k in $kernels; do
	case $k in
	debug | kcsan) built+=("$k") ;;
	esac
done
prebuild=
if [ ${#built[@]} -gt 0 ]; then
	say "building or finding the ${built[*]} kernels in the background (logs: $logs/kernel-*.log)"
	rm -f "$logs"/kernel-*.done
	(
		for k in "${built[@]}"; do
			nice -n 19 "$vm/kernels.sh" "$k" >"$logs/kernel-$k.log" 2>&1 || true
			touch "$logs/kernel-$k.done"
		done
	) &
	prebuild=$!
fi
total_pass=0 total_fail=0 t0=$SECONDS
parts=() failures=()

record() { # PART PASSED FAILED SECONDS
	total_pass=$((total_pass + $2)) total_fail=$((total_fail + $3))
	parts+=("$(printf '%-16s %4d passed, %3d failed  (%ds)' "$1" "$2" "$3" "$4")")
}

static_check() { # NAME LOG STATUS [PROBLEM_LINES...]: one static PASS or FAIL
	local name=$1 log=$2 status=$3
	shift 3
	if [ "$status" = 0 ] && [ $# = 0 ]; then
		printf 'PASS: static/%s\n' "$name"
		static_pass=$((static_pass + 1))
	else
		failures+=("$(printf 'FAIL: static/%s: %s (log: %s)' "$name" \
			"$([ $# -gt 0 ] && echo "$# problem lines" || echo "exit status $status")" "$log")")
		printf '%s\n' "${failures[-1]}"
		printf '    %s\n' "$@" | head -n 20
		static_fail=$((static_fail + 1))
	fi
}

module_build_check() { # NAME KDIR [MAKE_ARGS...]: build; any warning fails
	local name=$1 kdir=$2 log=$logs/$1.log status=0
	shift 2
	"$vm/build-module.sh" "$kdir" "$logs/$name" "$@" >"$log" 2>&1 || status=$?
	mapfile -t problems < <(grep -E 'warning:|error:|WARNING:|ERROR:' "$log" || true)
	static_check "$name" "$log" "$status" "${problems[@]}"
}

# --- 1. static checks -----------------------------------------------------
say "static checks"
t=$SECONDS static_pass=0 static_fail=0
stock=()
for k in $kernels; do
	case $k in
	debug | kcsan) ;;
	*) stock+=("$k") ;;
	esac
done
[ ${#stock[@]} -gt 0 ] || stock=(6.1)
for k in "${stock[@]}"; do
	if ! kinfo=$("$vm/kernels.sh" "$k" 2>&1); then
		static_check "kernel-$k" "-" 1 "$kinfo"
		continue
	fi
	kdir=$(sed -n 's/^KDIR=//p' <<<"$kinfo")
	module_build_check "w1-$k" "$kdir"
	module_build_check "sparse-$k" "$kdir" C=2
done
checkpatch=$SOCKFD_CACHE/checkpatch/checkpatch.pl
if [ -f "$checkpatch" ]; then
	: >"$logs/checkpatch.log"
	for f in "$SOCKFD_ROOT"/module/*.[ch] "$SOCKFD_ROOT"/tests/sockfd_kunit.c; do
		(cd "$SOCKFD_ROOT" && perl "$checkpatch" --no-tree --strict --terse \
			-f "${f#"$SOCKFD_ROOT"/}") \
			>>"$logs/checkpatch.log" 2>&1 || true
	done
	mapfile -t problems < <(grep -E ': (ERROR|WARNING|CHECK):' "$logs/checkpatch.log" || true)
	static_check checkpatch "$logs/checkpatch.log" 0 "${problems[@]}"
else
	static_check checkpatch "-" 1 "$checkpatch missing: run 'sudo make deps'"
fi
# The reference pages: mandoc's lint and groff's warnings (all of them, -ww,
# on its default device, which also reports bytes no font has, such as a
# stray form feed); any message fails.
for page in "$SOCKFD_ROOT"/man/*.[1-9]; do
	name=man-$(basename "$page") log=$logs/man-$(basename "$page").log
	{
		mandoc -Tlint "$page"
		groff -man -ww -z "$page"
	} >"$log" 2>&1 || true
	mapfile -t problems <"$log"
	static_check "$name" "$log" 0 "${problems[@]}"
done
record static "$static_pass" "$static_fail" $((SECONDS - t))

# --- 2. host tests --------------------------------------------------------
run_part() { # PART LOG COMMAND...: runs a part that ends with a summary line
	local part=$1 log=$2 status=0 last p=0 f=0 t=$SECONDS
	shift 2
	"$@" 2>&1 | tee "$log" || status=$?
	last=$(tr -d '\r' <"$log" | grep -E "$SUMMARY_RE" | tail -n 1 || true)
	if [[ $last =~ $SUMMARY_RE ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	fi
	mapfile -t -O "${#failures[@]}" failures < <(tr -d '\r' <"$log" | grep 'FAIL: ' || true)
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		failures+=("FAIL: $part: exited with status $status without a failed check (log: $log)")
		echo "${failures[-1]}"
		f=1
	fi
	record "$part" "$p" "$f" $((SECONDS - t))
}

if [ -x "$SOCKFD_ROOT/tests/host/run.sh" ]; then
	say "host tests"
	run_part host "$logs/host.log" "$SOCKFD_ROOT/tests/host/run.sh"
fi
# docs/walkthrough.md joined to the source: its functions and fields in 6.1.
run_part walkthrough-src "$logs/walkthrough-src.log" "$SOCKFD_ROOT/tests/host/walkthrough-src.py"
# Installing: make install/uninstall staging and the old-kernel refusal; the
# real DKMS round trip (root) with a guest per stock kernel.
say "install and DKMS tests"
run_part install "$logs/install.log" "$SOCKFD_ROOT/tests/host/install.sh" "${stock[@]}"
run_part dkms "$logs/dkms.log" "$SOCKFD_ROOT/tests/host/dkms-roundtrip.sh" "${stock[@]}"
say "Debian packages and the lab install"
run_part deb "$logs/deb.log" "$SOCKFD_ROOT/tests/host/deb.sh" "${stock[@]}"
run_part lab "$logs/lab.log" "$SOCKFD_ROOT/tests/host/lab.sh"

# --- 3. guest tests -------------------------------------------------------
# The concurrency tests: a " * concurrency: yes" line in the header comment.
concurrency=$( (grep -l '^ \* concurrency: yes$' "$SOCKFD_ROOT"/tests/guest/*.c || true) |
	sed 's|.*/||; s|\.c$||' | tr '\n' ' ')
for k in $kernels; do
	if [ -n "$prebuild" ] && [[ " ${built[*]} " == *" $k "* ]] &&
	   [ ! -e "$logs/kernel-$k.done" ]; then
		say "waiting for the $k kernel's background build (log: $logs/kernel-$k.log)"
		while [ ! -e "$logs/kernel-$k.done" ] && kill -0 "$prebuild" 2>/dev/null; do
			sleep 5
		done
	fi
	say "guest tests on $k"
	if [ "$k" = kcsan ]; then
		run_part "guest $k" "$logs/guest-$k.log" env "SOCKFD_SOAK_SECONDS=$KCSAN_SOAK_SECONDS" \
			"SOCKFD_STRESS_SECONDS=$KCSAN_SOAK_SECONDS" "$vm/run-guest.sh" --kernel "$k" --out "$logs/guest-$k" --tests "$concurrency"
	else
		run_part "guest $k" "$logs/guest-$k.log" "$vm/run-guest.sh" --kernel "$k" --out "$logs/guest-$k"
	fi
done

echo
echo "sockfd check ($((SECONDS - t0))s):"
printf '  %s\n' "${parts[@]}"
# KCSAN reports without a sockfd frame: data races of the kernel itself,
# listed, not failures (their texts: guest-kcsan/kcsan-not-sockfd.txt).
races=()
[[ " $kernels " != *" kcsan "* ]] ||
	mapfile -t races < <(sed -n 's/.*# kcsan (not sockfd): //p' "$logs/guest-kcsan.log" | sort -u)
if [ ${#races[@]} -gt 0 ]; then
	echo "KCSAN reports without a sockfd frame (${#races[@]}; not failures; texts in $logs/guest-kcsan/kcsan-not-sockfd.txt):"
	printf '  %.300s\n' "${races[@]}"
fi
# The failures again, last: a CI log that keeps only its tail still names them.
if [ ${#failures[@]} -gt 0 ]; then
	echo "failures (${#failures[@]}; logs in $logs):"
	printf '  %.300s\n' "${failures[@]:0:30}"
fi
printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
[ "$total_fail" = 0 ]

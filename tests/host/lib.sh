# shellcheck shell=bash
# Shared by the host test scripts: PASS/FAIL lines and the closing
# "N passed, N failed" (the format of tests/README.md), and facts about the
# module that they check against. Sourcing it sources tests/vm/common.sh.

. "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"

passed=0
failed=0

pass() { # NAME
	printf 'PASS: %s\n' "$1"
	passed=$((passed + 1))
}

fail() { # NAME DETAIL
	printf 'FAIL: %s: %s\n' "$1" "$2"
	failed=$((failed + 1))
}

expect() { # NAME DETAIL COMMAND...: PASS when COMMAND succeeds
	local name=$1 detail=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$detail"; fi
}

summary() { # prints the closing line; status 0 only when nothing failed
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" = 0 ]
}

# The version every installed file must carry: dkms.conf's PACKAGE_VERSION.
# shellcheck disable=SC2034 # used by the scripts that source this
SOCKFD_VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SOCKFD_ROOT/dkms.conf")
# A release older than 5.10 (Debian 10's last), which the build and dkms must refuse.
# shellcheck disable=SC2034
OLD_KERNEL=4.19.0-27-amd64

module_ext() { # KDIR: the suffix the kernel's config gives installed modules
	case $(grep -E '^CONFIG_MODULE_COMPRESS_(XZ|GZIP|ZSTD)=y' "$1/.config" || true) in
	*XZ*) echo .xz ;; *GZIP*) echo .gz ;; *ZSTD*) echo .zst ;; *) echo ;;
	esac
}

use_kernel() { # NAME: sets VMLINUZ, KDIR, KVER (tests/vm/kernels.sh), or FAILs
	local info err
	err=$(mktemp)
	if info=$("$SOCKFD_ROOT/tests/vm/kernels.sh" "$1" 2>"$err"); then
		rm -f "$err"
		eval "$info"
		return 0
	fi
	fail "kernel/$1" "$(tail -n 1 "$err")"
	rm -f "$err"
	return 1
}

elapsed() { # START: seconds since START (from date +%s.%N), one decimal
	awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'
}

flat() { tail -n "${2:-8}" "$1" | tr '\n' '|'; } # LOG [N]: its last N lines on one line

# NAME WHAT COMMAND...: runs COMMAND, its output in $log; PASS NAME, or FAIL
# NAME with "WHAT failed" and the output's tail; adds "WHAT Ns" to times.
# Returns COMMAND's status. $log and times are the calling script's.
# shellcheck disable=SC2154
step() {
	local name=$1 what=$2 start status=0
	shift 2
	start=$(date +%s.%N)
	"$@" >"$log" 2>&1 || status=$?
	times+=("$what $(elapsed "$start")s")
	if [ "$status" = 0 ]; then
		pass "$name"
	else
		fail "$name" "$what failed: $(flat "$log")"
	fi
	return "$status"
}

guest_smoke() { # NAME KERNEL KO TESTS OUTDIR: guest tests with that module file
	local name=$1 k=$2 ko=$3 tests=$4 out=$5 glog counts
	glog=$(mktemp)
	"$SOCKFD_ROOT/tests/vm/run-guest.sh" --kernel "$k" --module "$ko" --tests "$tests" \
		--out "$out" >"$glog" 2>&1 || true
	sed 's/^/  | /' "$glog"
	counts=$(grep -E "$SUMMARY_RE" "$glog" | tail -n 1 || true)
	if [[ $counts =~ $SUMMARY_RE ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[2]}" = 0 ]; then
		pass "$name"
	else
		fail "$name" "guest tests ($tests) with $ko: '${counts:-no summary line}'; $(grep -o 'FAIL: .*' "$glog" | head -n 5 | tr '\n' '|')"
	fi
	rm -f "$glog"
}

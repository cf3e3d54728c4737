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
# A release older than 6.1, which the build and dkms must refuse.
# shellcheck disable=SC2034
OLD_KERNEL=5.10.0-30-amd64

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

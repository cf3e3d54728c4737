# shellcheck shell=bash
# PASS/FAIL lines and the closing "N passed, N failed" of a host test script
# (the format of tests/README.md). Source it after tests/vm/common.sh.

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

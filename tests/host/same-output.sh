#!/bin/bash
# Output identity of two reader binaries: the same stdout, stderr and exit
# code for every mode and filter, on every fixture and on any extra capture
# given (e.g. one from gen-capture.py).  Run it before and after changing
# how the reader parses or prints: the change must not show.
#   tests/host/same-output.sh OLD NEW [CAPTURE...]
# OLD is a reader built from the commit before the change.  Prints one
# PASS:/FAIL: line per input and the closing "N passed, N failed".
# --prom's sockfd_scrape_seconds (a time) is left out of the comparison.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
FX=$HERE/fixtures
PROC=$FX/proc

if [ $# -lt 2 ]; then
	echo "usage: $0 OLD NEW [CAPTURE...]" >&2
	exit 2
fi
OLD=$1
NEW=$2
shift 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# One argument list a line (split on spaces); each runs with -f INPUT.
cat >"$T/modes" <<EOF

-n
-j
-H
-n -H
-o pid,comm,fd,ino,state,local,remote,timer,retrans,rtt,cwnd
-n -o +uid,rmem,rcvbuf,wmem,sndbuf,cookie,cgroup,drops,timer,rtt
-H -o owner
-n -o local
-o state
-H -o txq
-j -o owner,ino,uid,timer,retrans,rtt,cwnd
-o +nosuchcolumn
-j -o nosuchcolumn
-t
-u -n
-x -j
-4 -n
-6
-l -j
-t -4 -l
-p 1000 -n
-p 1000 -p 801 -j
--port 80
--port 443 -j
--port 1024 -n
-s ESTABLISHED -n
-s time-wait -s listen
-c ngi
-c nginx\\040 -j
--netns 4026531840 -n
--uid 0 -j
--uid 1000
--summary --proc-root $PROC
--summary --top 3 -t --proc-root $PROC
--prom --proc-root $PROC
--prom -u --proc-root $PROC
--dot
--dot -x
--proc-root $PROC explain 1000 3
--proc-root $PROC explain 412 7
EOF

# run BIN INPUT ARGS OUT: stdout, stderr and the exit code into OUT.
run() {
	local bin=$1 in=$2 args=$3 out=$4 rc=0
	# shellcheck disable=SC2086 # the arguments are split on purpose
	"$bin" -f "$in" $args >"$out.stdout" 2>"$out.stderr" </dev/null || rc=$?
	echo "$rc" >"$out.rc"
	sed -i '/^sockfd_scrape_seconds /d' "$out.stdout"
}

for in in "$FX"/*.txt "$@"; do
	name=$(basename "$in")
	n=0
	bad=""
	while IFS= read -r args; do
		n=$((n + 1))
		run "$OLD" "$in" "$args" "$T/old"
		run "$NEW" "$in" "$args" "$T/new"
		for s in stdout stderr rc; do
			if ! cmp -s "$T/old.$s" "$T/new.$s"; then
				bad="$bad [${args:-default}: $s differs]"
				break
			fi
		done
	done <"$T/modes"
	if [ -z "$bad" ]; then
		pass "same-output/$name ($n modes)"
	else
		fail "same-output/$name" "$bad"
	fi
done
summary

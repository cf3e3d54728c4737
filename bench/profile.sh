#!/bin/bash
# bench/profile.sh: where the time of `cat /proc/sockfd` goes, by kernel
# symbol: perf (the host's, copied in) samples eight reads of the file in
# a guest holding a workload, and prints perf report's top lines.
#
#   bench/profile.sh [KERNEL [PROCS SOCKETS FDS]]
# KERNEL is 6.1 (default) or 6.12; the workload is bench hold's arguments
# (default 1000 20000 25000: setup a). The guest's files go to
# build/profile. Not part of make check; the module is the work tree's.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"

kernel=${1:-6.1}
setup=${*:2}
setup=${setup:-1000 20000 25000}
out=$SOCKFD_BUILD/profile
command -v perf >/dev/null || die "perf is missing (apt-get install linux-perf)"
guest="
k=\$(bench hold $setup) || exit 0
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
perf record -e cpu-clock -F 5000 -g -o /tmp/p.data -- \
	sh -c 'for i in 1 2 3 4 5 6 7 8; do cat /proc/sockfd >/dev/null; done' 2>&1 | tail -n 1
perf report -i /tmp/p.data --no-children --sort sym --stdio 2>/dev/null |
	grep -v '^#' | grep '%' | head -n 60
bench stop \$k
"
"$SOCKFD_ROOT/tests/vm/run-guest.sh" --kernel "$kernel" --out "$out" --mem 4096 \
	--tests '' --tools perf --progs "$SOCKFD_ROOT/bench/bench.c" --run "$guest"

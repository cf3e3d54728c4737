#!/bin/bash
# bench/profile.sh: where the time of `cat /proc/sockfd` goes, by kernel
# symbol: perf (the host's, copied in) samples eight reads of the file in
# a guest holding a workload, and prints perf report's top lines; then the
# module's samples by source line (addr2line on the host, on the sockfd.ko
# the guest ran). Under TCG a sample lands at the start of a translated
# block, so a line stands for the block it begins, not one instruction.
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
echo \"TEXT|\$(cat /sys/module/sockfd/sections/.text)\"
perf script -i /tmp/p.data -G -F ip,sym 2>/dev/null |
	awk '{ n++ } \$2 ~ /^sockfd/ { c[\$1]++ } END { print \"TOTAL|\" n; for (i in c) print \"IP|\" c[i] \"|\" i }'
bench stop \$k
"
mkdir -p "$out"
"$SOCKFD_ROOT/tests/vm/run-guest.sh" --kernel "$kernel" --out "$out" --mem 4096 \
	--tests '' --tools perf --progs "$SOCKFD_ROOT/bench/bench.c" --run "$guest" |
	tee "$out/guest.out" | grep -Ev '^(TEXT|TOTAL|IP)\|'
# The module's samples by source line: .text's load address from the guest,
# the object the guest loaded from run-guest.sh's build.
kver=$("$SOCKFD_ROOT/tests/vm/kernels.sh" "$kernel" | sed -n 's/^KVER=//p')
ko=$SOCKFD_BUILD/kmod/$kver/sockfd.ko
text=$(sed -n 's/^TEXT|//p' "$out/guest.out")
total=$(sed -n 's/^TOTAL|//p' "$out/guest.out")
[ -n "$text" ] && [ -f "$ko" ] || die "no module address or no $ko: no source lines"
echo "sockfd.ko by source line (% of all $total samples):"
sed -n 's/^IP|//p' "$out/guest.out" | while IFS='|' read -r n ip; do
	printf '%s %s\n' "$n" "$(addr2line -e "$ko" -j .text -i \
		"$(printf '0x%x' $((0x$ip - text)))" | head -n 1 | sed 's|.*/||; s| (.*||')"
done | awk -v t="$total" '{ c[$2] += $1 } END { for (k in c) printf "%6.2f%%  %s\n", 100 * c[k] / t, k }' |
	sort -rn | head -n 30

#!/bin/bash
# bench/compare.sh (make compare): is /proc/sockfd byte for byte the same
# with the module of a base revision and with the work tree's?
#
#   --base REV     the revision to compare with (default: where HEAD left
#                  main, git merge-base HEAD main)
#   --kernel NAME  test kernel, 6.1 or 6.12 (default 6.1)
#   --setup 'PROCS SOCKETS FDS'
#                  the workload, bench hold's arguments (default
#                  '1000 20000 225000': 20k sockets, 200 extra fds a process)
#   --out DIR      builds, logs and the guest's console (default build/compare)
#
# Both modules are built on the host (the base from `git archive REV` with
# the base's own tests/vm/build-module.sh). ONE guest boots with the base
# module loaded and starts one idle workload: `bench hold ... v6` (TCP
# listeners and connected pairs on 127.0.0.1 and ::1, unix socketpairs, UDP
# on both, and a netlink, packet and vsock socket per process; no data, no
# keepalive, so no column moves between two reads).
# Then, in that order: capture with the base module, rmmod, insmod the work
# tree's, capture, rmmod, insmod the base again, capture. A capture is the
# whole file read three times: in 1 MiB read()s, in 4 KiB read()s and in
# 1000-byte read()s (lines cut anywhere by the seq_file buffer).
#
# Compared with cmp: base against work tree for each read size (the
# answer), each module's three read sizes against each other, and the
# base's two captures (if those differ, the workload moved, not the code).
# Two things are set aside, and said: the columns that move on a still
# workload (lastsnd, lastrcv, lastack: ms since an event) compare as *;
# a work tree that appends columns to the base's (a new format) is
# compared in the base's columns.
# A difference is shown by line and by column name from the header. The
# capture's line count is checked against the socket fds in /proc/PID/fd.
# Also timed in the same guest, in three rounds of three runs each (so that
# a burst of load on the shared host falls on all alike): cat /proc/sockfd
# under either module and cat of /proc/net/{tcp,tcp6,udp,udp6,unix}.
#
# stdout: one line per comparison, the timings, and last
# "N identical, N different". Exit status 0 only when all are identical.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"

base='' kernel=6.1 setup='1000 20000 225000' out=$SOCKFD_BUILD/compare
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "option $1 needs a value"
	case $1 in
	--base) base=$2 ;;
	--kernel) kernel=$2 ;;
	--setup) setup=$2 ;;
	--out) out=$2 ;;
	*) die "unknown option $1 (see the head of $0)" ;;
	esac
	shift 2
done
read -r procs socks fds extra <<<"$setup"
if [ -n "${extra:-}" ] || ! [[ "$procs:$socks:$fds" =~ ^[0-9]+:[0-9]+:[0-9]+$ ]]; then
	die "--setup needs three numbers: PROCS SOCKETS FDS"
fi
if [ -z "$base" ]; then
	base=$(git -C "$SOCKFD_ROOT" merge-base HEAD main) ||
		die "no merge base of HEAD and main: give --base REV"
fi
rev=$(git -C "$SOCKFD_ROOT" rev-parse --verify --quiet "$base^{commit}") ||
	die "--base $base: no such revision"
ensure_deps
mkdir -p "$out"
out=$(cd "$out" && pwd)

kinfo=$("$SOCKFD_ROOT/tests/vm/kernels.sh" "$kernel")
KDIR=$(sed -n 's/^KDIR=//p' <<<"$kinfo")

say "compare: building the base and the work tree's module"
rev_tree "$rev" "$out/base/src"
build_stripped_ko "$out/base/src" "$KDIR" "$out/base"
build_stripped_ko "$SOCKFD_ROOT" "$KDIR" "$out/work"
mkdir -p "$out/boot"
cp "$out/base/sockfd.ko" "$out/boot/sockfd.ko"

# The guest script. The work tree's module travels in it (xz, base64);
# the base's is the one run-guest.sh loads at boot.
guest="
base64 -d >/tmp/work.ko.xz <<'KO'
$(xz -9 -c "$out/work/sockfd.ko" | base64 -w 76)
KO
unxz /tmp/work.ko.xz
export BENCH_RUNS=3 BENCH_MIN_MS=0
cap() { # NAME: the file in 1 MiB, 4 KiB and 1000-byte reads
	dd if=/proc/sockfd of=/tmp/\$1.1m bs=1048576 2>/dev/null
	dd if=/proc/sockfd of=/tmp/\$1.4k bs=4096 2>/dev/null
	dd if=/proc/sockfd of=/tmp/\$1.1000 bs=1000 2>/dev/null
}
explain() { # A B: the first differing lines, by column name
	awk 'NR == FNR { a[FNR] = \$0; na = FNR; next }
	FNR == 1 { nh = split(a[1], h) }
	{ nb = FNR }
	\$0 != a[FNR] && shown < 5 {
		shown++
		if (FNR > na) { print \"#   line \" FNR \" only in the second: \" \$0; next }
		n = split(a[FNR], x); m = split(\$0, y)
		if (n != m) { print \"#   line \" FNR \": \" n \" vs \" m \" fields: \" a[FNR] \" | \" \$0; next }
		for (i = 1; i <= n; i++)
			if (x[i] != y[i])
				print \"#   line \" FNR \" (pid \" x[1] \" fd \" x[3] \"): column \" (i <= nh ? h[i] : i) \": \" x[i] \" vs \" y[i]
	}
	END { if (na != nb) print \"#   \" na \" lines vs \" nb \" lines\" }' \"\$1\" \"\$2\"
}
norm() { # FILE KEEP: FILE byte for byte but its first KEEP columns only
	# (0: all; the last one kept loses its padding) and, in the columns
	# that move on a still workload (lastsnd, lastrcv, lastack: ms since an
	# event), * and one space in place of the value and its padding.
	awk -v keep=\"\$2\" 'NR == 1 { n = split(\$0, h); for (i = 1; i <= n; i++) mov[i] = h[i] ~ /^last(snd|rcv|ack)\$/ }
	{
		out = \"\"; rest = \$0; i = 0; was = 0
		while (match(rest, /[^ ]+/)) {
			if (keep > 0 && i == keep) break
			i++
			sep = was ? \" \" : substr(rest, 1, RSTART - 1)
			f = substr(rest, RSTART, RLENGTH)
			rest = substr(rest, RSTART + RLENGTH)
			was = NR > 1 && mov[i]
			out = out sep (was ? \"*\" : f)
		}
		print out
	}' \"\$1\"
}
same() { # WHAT A B [KEEP]: A and B as norm() gives them
	norm \"\$2\" \"\${4:-0}\" >/tmp/cmp.a
	norm \"\$3\" \"\${4:-0}\" >/tmp/cmp.b
	if cmp -s /tmp/cmp.a /tmp/cmp.b; then
		echo \"SAME|\$1|\$(wc -c <\"\$2\") bytes, \$(wc -l <\"\$2\") lines, md5 \$(md5sum </tmp/cmp.a | cut -c1-12)\"
	else
		echo \"DIFF|\$1|\$(cmp /tmp/cmp.a /tmp/cmp.b 2>&1 | head -n 1)\"
		explain /tmp/cmp.a /tmp/cmp.b
	fi
}
load() { # KO: in place of the loaded sockfd.ko
	rmmod sockfd && insmod \$1 || echo \"FAIL|cannot load \$1\"
}
k=\$(bench hold $procs $socks $fds v6) || { echo 'FAIL|bench hold failed'; exit 0; }
bench count
cap base
load /tmp/work.ko
cap work
load /lib/sockfd/sockfd.ko
cap again
# Three rounds of base, work tree, /proc/net: a burst of load on the
# shared host falls on all three alike.
for round in 1 2 3; do
	echo 'UNDER|base module'
	bench time cat /proc/sockfd
	load /tmp/work.ko
	echo 'UNDER|work tree module'
	bench time cat /proc/sockfd
	load /lib/sockfd/sockfd.ko
	echo 'UNDER|the five /proc/net tables'
	bench time cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/unix
done
# A work tree that appends columns (a new format) is compared in the
# base's columns, when its header begins with the base's.
keep=0 what=''
hb=\$(head -n 1 /tmp/base.1m | tr -s ' ') hw=\$(head -n 1 /tmp/work.1m | tr -s ' ')
if [ \"\$hb\" != \"\$hw\" ] && [ \"\${hw#\"\$hb \"}\" != \"\$hw\" ]; then
	keep=\$(echo \"\$hb\" | wc -w) what=\", the base's \$keep columns (the work tree appends \$((\$(echo \"\$hw\" | wc -w) - keep)))\"
fi
for r in 1m 4k 1000; do same \"base vs work tree, \$r reads\$what\" /tmp/base.\$r /tmp/work.\$r \$keep; done
for m in base work; do
	same \"\$m: 1m vs 4k reads\" /tmp/\$m.1m /tmp/\$m.4k
	same \"\$m: 1m vs 1000-byte reads\" /tmp/\$m.1m /tmp/\$m.1000
done
same 'base: first vs second capture (the workload is still)' /tmp/base.1m /tmp/again.1m
echo \"LINES|\$(wc -l </tmp/base.1m)\"
bench stop \$k
"
say "compare: base $(git -C "$SOCKFD_ROOT" log -1 --format='%h %s' "$rev" | cut -c1-60)"
say "compare: work tree $(git -C "$SOCKFD_ROOT" describe --always --dirty)"
status=0
"$SOCKFD_ROOT/tests/vm/run-guest.sh" --kernel "$kernel" --out "$out/guest" \
	--module "$out/boot/sockfd.ko" --mem 4096 --tests '' --extra-modules vsock_loopback \
	--progs "$SOCKFD_ROOT/bench/bench.c" --run "$guest" >"$out/guest.out" || status=$?
[ "$status" = 0 ] || {
	grep -Ev '^(SAME|DIFF|COUNT|BENCH|LINES|UNDER)\|' "$out/guest.out" >&2 || true
	die "the guest failed (console: $out/guest/console.log)"
}
# COUNT|procs|fds|socket fds|...: the file has a line per socket fd, and a header.
sockets=$(awk -F'|' '$1 == "COUNT" { print $4 }' "$out/guest.out")
lines=$(awk -F'|' '$1 == "LINES" { print $2 }' "$out/guest.out")
awk -F'|' '
	$1 == "SAME" { printf "identical  %s: %s\n", $2, $3 }
	$1 == "DIFF" { printf "DIFFERENT  %s: %s\n", $2, $3 }
	/^#/ { print }
	$1 == "FAIL" { printf "FAIL       %s\n", $2 }
	$1 == "UNDER" { under = $2 }
	$1 == "BENCH" { runs[under] = runs[under] (runs[under] == "" ? "" : ",") $3 }
	END {
		for (u in runs) {
			n = split(runs[u], r, ",")
			for (i = 2; i <= n; i++)	# insertion sort, numbers
				for (j = i; j > 1 && r[j] + 0 < r[j - 1] + 0; j--) {
					x = r[j]; r[j] = r[j - 1]; r[j - 1] = x
				}
			med[u] = r[int((n + 1) / 2)]; min[u] = r[1]
			printf "time       cat, %s: median %s ms, min %s ms of %d runs\n", u, med[u], min[u], n
		}
		net = "the five /proc/net tables"
		b = "base module"; w = "work tree module"
		if (med[b] > 0 && min[b] > 0)
			printf "ratio      %s / %s: %.3f (medians), %.3f (minimums)\n",
				w, b, med[w] / med[b], min[w] / min[b]
		for (u in runs)
			if (u != net && med[net] > 0 && min[net] > 0)
				printf "ratio      %s / %s: %.2f (medians), %.2f (minimums)\n",
					u, net, med[u] / med[net], min[u] / min[net]
	}' "$out/guest.out"
same=$(grep -c '^SAME|' "$out/guest.out" || true)
diff=$(grep -c '^DIFF|' "$out/guest.out" || true)
if grep -q '^FAIL|' "$out/guest.out"; then
	diff=$((diff + 1))
fi
if [ -z "$sockets" ] || [ "$lines" != $((sockets + 1)) ]; then
	printf 'DIFFERENT  line count: %s lines for %s socket fds in /proc/PID/fd (+1 header)\n' \
		"${lines:-no}" "${sockets:-?}"
	diff=$((diff + 1))
fi
printf '%d identical, %d different\n' "$same" "$diff"
[ "$diff" = 0 ] && [ "$same" -gt 0 ]

#!/bin/bash
# bench/run.sh (make bench): /proc/sockfd against ss, lsof, lsfd, netstat,
# bpftrace and /proc/net/*, timed in the same guest run, reported as ratios
# to `cat /proc/sockfd`, and as time against the number of sockets.
# See bench/README.md.
#
# Environment:
#   KERNEL=6.1|6.12       test kernel (default 6.1)
#   BENCH_SETUPS='a ..'   which setups (default all, see SETUPS below)
#   BENCH_SCALE=N         percent of each setup's processes, sockets and fds
#                         (default 100); the per-process mix stays the same
#   BENCH_RUNS=N          runs per command, the median is reported (default 3)
#   BENCH_MIN_MS=MS       more runs, up to 9, while a command's took less (2000)
#   BENCH_MEM=MB          guest memory (default 4096)
#   BENCH_TIMEOUT=SEC     limit for the whole guest (default 9000)
#   BENCH_CMD_TIMEOUT=SEC limit for one run of one command (default 300)
#   BENCH_OUT=DIR         where the results go (default build/bench)
#   BENCH_BASE=REV        also time `cat /proc/sockfd` under the module of
#                         revision REV, in the same guest and setups
#                         (default 10c6799, the module before format 3;
#                         empty: not)
#   BENCH_DOCS=DIR        where benchmarks.md and benchmarks.png go (default
#                         docs/ for a full-size run, none otherwise)
# Output: DIR/results.md (also printed), the guest's raw lines in
# DIR/raw.txt, its console in DIR/guest/console.log; for a full-size run
# docs/benchmarks.md and its plot docs/benchmarks.png (gnuplot).
# bench/run.sh --report writes the reports again from raw.txt, with no guest.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"

KERNEL=${KERNEL:-6.1}
BENCH_SETUPS=${BENCH_SETUPS:-a b c n1k n10k n50k n100k}
BENCH_SCALE=${BENCH_SCALE:-100}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_MIN_MS=${BENCH_MIN_MS:-2000}
BENCH_MEM=${BENCH_MEM:-4096}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-9000}
BENCH_CMD_TIMEOUT=${BENCH_CMD_TIMEOUT:-300}
BENCH_BASE=${BENCH_BASE-10c6799}

# name: processes sockets fds (fds include the sockets and 0-2). a-c are
# shared/notes/peers.md's sizes; n1k-n100k the scale series: N sockets in
# 1000 processes, each with 200 extra non-socket fds.
declare -A SETUPS=(
	[a]="1000 20000 25000"
	[b]="1000 20000 225000"
	[c]="4000 16000 36000"
	[n1k]="1000 1000 205000"
	[n10k]="1000 10000 214000"
	[n50k]="1000 50000 254000"
	[n100k]="1000 100000 304000"
)
declare -A WHAT=(
	[a]="1000 processes, 20k sockets, 25k fds"
	[b]="the same + 200 extra non-socket fds per process (225k fds)"
	[c]="4000 processes, 16k sockets, 36k fds"
	[n1k]="scale: 1k sockets in 1000 processes, 200 extra fds each"
	[n10k]="scale: 10k sockets in 1000 processes, 200 extra fds each"
	[n50k]="scale: 50k sockets in 1000 processes, 200 extra fds each"
	[n100k]="scale: 100k sockets in 1000 processes, 200 extra fds each"
)

# The bpftrace peer: every socket fd's pid, fd and inode from the BPF task_file
# iterator (S_IFSOCK = 0xc000), as a kernel-study user would write it.
BPFTRACE_PROG='iter:task_file /(ctx->file->f_inode->i_mode & 0xf000) == 0xc000/ { printf("%d %d %lu\n", ctx->task->tgid, ctx->fd, ctx->file->f_inode->i_ino); }'

out=${BENCH_OUT:-$SOCKFD_BUILD/bench}
raw=$out/raw.txt
mkdir -p "$out"
t_start=$SECONDS
started=$(date -u '+%Y-%m-%d %H:%M UTC')

# The guest script: per setup, hold the workload, count it, time every
# command, measure read sizes, release it. With BENCH_BASE, right after
# cat of the work tree's module, cat again under the base's (its BENCH
# line renamed), then the work tree's module back for the rest.
base_cmd="cat /proc/sockfd (module of ${BENCH_BASE:-none})"
guest="
export BENCH_RUNS=$BENCH_RUNS BENCH_MIN_MS=$BENCH_MIN_MS BENCH_CMD_TIMEOUT=$BENCH_CMD_TIMEOUT
B() { bench time \"\$@\"; }
echo \"KERNEL|\$(uname -r)|\$(nproc)|\$(sed -n 's/^MemTotal: *//p' /proc/meminfo)\"
cat >/iter.bt <<'BT'
$BPFTRACE_PROG
BT
# bpftrace 0.17 decides which probe types the kernel has from tracefs
# (available_filter_functions): without it, iter and kfunc probes are 'not
# available for your kernel version'.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
# Can bpftrace run here at all? Its last lines say why not.
if bpftrace /iter.bt >/bt.out 2>&1; then
	echo \"BPFTRACE|ok|\$(wc -l </bt.out)\"
else
	echo \"BPFTRACE|fail|\$(tail -n 3 /bt.out | tr '\\n|' '  ')\"
fi
"
for s in $BENCH_SETUPS; do
	[ -n "${SETUPS[$s]:-}" ] || die "unknown setup $s (known: ${!SETUPS[*]})"
	read -r procs socks fds <<<"${SETUPS[$s]}"
	procs=$((procs * BENCH_SCALE / 100)) socks=$((socks * BENCH_SCALE / 100))
	fds=$((fds * BENCH_SCALE / 100))
	guest+="
echo 'SETUP|$s|$procs|$socks|$fds'
t0=\$(date +%s)
if k=\$(bench hold $procs $socks $fds); then
	echo \"HELD|\$((\$(date +%s) - t0))\"
	bench count
	B cat /proc/sockfd
	if [ -f /tmp/base.ko ]; then
		if rmmod sockfd && insmod /tmp/base.ko; then
			B cat /proc/sockfd | sed 's;^BENCH|cat /proc/sockfd|;BENCH|$base_cmd|;'
		fi
		rmmod sockfd 2>/dev/null
		insmod /lib/sockfd/sockfd.ko || echo 'BASEFAIL|the work tree module did not load again'
	fi
	B sockfd -n
	B sockfd -j
	B sockfd --summary
	B sockfd --prom
	B sockfd top -b -n 1
	B ss -tuanp
	B ss -tuan
	B ss -xp
	B netstat -tuanp
	B lsof -nP -i
	B lsfd
	B lsfd -Q 'PROTONAME == \"TCP\"'
	B cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/unix
	B bpftrace /iter.bt
	echo \"BTLINES|\$(bpftrace /iter.bt 2>/dev/null | grep -c '^[0-9]')\"
	B sh -c 'cat /proc/[0-9]*/limits'
	B cat /dev/null
	bench slab /proc/sockfd
	bench reads /proc/sockfd
	bench stop \$k
fi
"
done

if [ "${1:-}" != --report ]; then
	ensure_deps
	if [ -n "$BENCH_BASE" ] &&
		! git -C "$SOCKFD_ROOT" rev-parse --verify --quiet "$BENCH_BASE^{commit}" >/dev/null; then
		say "bench: no revision $BENCH_BASE in this tree (not a git clone?): cat is not timed under its module"
		BENCH_BASE=
	fi
	if [ -n "$BENCH_BASE" ]; then
		say "bench: building the module of $BENCH_BASE"
		KDIR=$("$SOCKFD_ROOT/tests/vm/kernels.sh" "$KERNEL" | sed -n 's/^KDIR=//p')
		rev_tree "$BENCH_BASE" "$out/base/src"
		build_stripped_ko "$out/base/src" "$KDIR" "$out/base"
		guest="
base64 -d >/tmp/base.ko.xz <<'KO'
$(xz -9 -c "$out/base/sockfd.ko" | base64 -w 76)
KO
unxz /tmp/base.ko.xz
$guest"
	fi
	# The bench's own peers and plot, on top of what the tests need.
	for p in bpftrace gnuplot-nox; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed && continue
		[ "$(id -u)" = 0 ] || die "$p is missing: apt-get install bpftrace gnuplot-nox"
		say "installing $p"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" >/dev/null
	done
	say "bench: kernel $KERNEL, setups '$BENCH_SETUPS' at ${BENCH_SCALE}%, $BENCH_RUNS runs each, guest ${BENCH_MEM} MB"
	status=0
	"$SOCKFD_ROOT/tests/vm/run-guest.sh" --kernel "$KERNEL" --out "$out/guest" \
		--tests '' --mem "$BENCH_MEM" --timeout "$BENCH_TIMEOUT" \
		--tools 'cat ss lsof lsfd netstat bpftrace' \
		--extra-modules 'inet_diag tcp_diag udp_diag unix_diag netlink_diag' \
		--progs "$SOCKFD_ROOT/bench/bench.c" --run "$guest" >"$out/guest.out" || status=$?
	lines='^(KERNEL|BPFTRACE|SETUP|HELD|COUNT|BENCH|BTLINES|SIZE|READ|SLAB|BASEFAIL)\|'
	if [ "$status" != 0 ] || ! grep -q '^SETUP|' "$out/guest.out" ||
		grep -q '^BASEFAIL|' "$out/guest.out"; then
		grep -Ev "$lines" "$out/guest.out" >&2 || true
		die "the bench guest failed (console log: $out/guest/console.log)"
	fi
	{
		printf 'HOST|%s|%s|%s|%s|%s\n' "$started" "$(nproc)" "$BENCH_SCALE" "$BENCH_RUNS" \
			$((SECONDS - t_start))
		grep -E "$lines" "$out/guest.out"
	} >"$raw"
fi
[ -f "$raw" ] || die "no $raw: run bench/run.sh first"

# results.md from the raw lines; for a full-size run also docs/benchmarks.md
# with the plot of time against sockets (gnuplot, PNG).
# Only a full-size run of every setup speaks for the project in docs/.
if [ -z "${BENCH_DOCS+set}" ]; then
	BENCH_DOCS=
	ran=$(awk -F'|' '$1 == "HOST" { s = $4 } $1 == "SETUP" { n++ } END { print s "/" n }' "$raw")
	[ "$ran" != "100/${#SETUPS[@]}" ] || BENCH_DOCS=$SOCKFD_ROOT/docs
fi
desc=$(for s in "${!WHAT[@]}"; do printf '%s=%s;' "$s" "${WHAT[$s]}"; done)
awk -F'|' -v what="$desc" -v plotdat="$out/scale.dat" -v png=benchmarks.png \
	-f "$SOCKFD_ROOT/bench/report.awk" "$raw" >"$out/results.md"
if [ -s "$out/scale.dat" ] && command -v gnuplot >/dev/null; then
	gnuplot -e "dat='$out/scale.dat'; png='$out/benchmarks.png'" "$SOCKFD_ROOT/bench/plot.gp"
fi
if [ -n "$BENCH_DOCS" ]; then
	mkdir -p "$BENCH_DOCS"
	{
		printf '# sockfd benchmarks\n\n'
		printf 'Written by `make bench` (bench/run.sh; how to run it and what every\n'
		printf 'number means: bench/README.md). Do not edit: run it again.\n\n'
		sed 1,2d "$out/results.md"
	} >"$BENCH_DOCS/benchmarks.md"
	[ ! -f "$out/benchmarks.png" ] || cp "$out/benchmarks.png" "$BENCH_DOCS/"
	say "wrote $BENCH_DOCS/benchmarks.md"
fi
cat "$out/results.md"

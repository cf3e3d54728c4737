#!/bin/bash
# bench/run.sh (make bench): /proc/sockfd against ss, lsof, lsfd, netstat and
# /proc/net/*, timed in the same guest run, reported as ratios to
# `cat /proc/sockfd`. See bench/README.md.
#
# Environment:
#   KERNEL=6.1|6.12       test kernel (default 6.1)
#   BENCH_SETUPS='a b c'  which setups (default all three, see SETUPS below)
#   BENCH_SCALE=N         percent of each setup's processes, sockets and fds
#                         (default 100); the per-process mix stays the same
#   BENCH_RUNS=N          runs per command, the median is reported (default 3)
#   BENCH_MEM=MB          guest memory (default 4096)
#   BENCH_TIMEOUT=SEC     limit for the whole guest (default 5400)
#   BENCH_CMD_TIMEOUT=SEC limit for one run of one command (default 300)
#   BENCH_OUT=DIR         where the results go (default build/bench)
# Output: DIR/results.md (also printed), the guest's raw lines in
# DIR/raw.txt, its console in DIR/guest/console.log.
# bench/run.sh --report writes results.md again from raw.txt, with no guest.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"

KERNEL=${KERNEL:-6.1}
BENCH_SETUPS=${BENCH_SETUPS:-a b c}
BENCH_SCALE=${BENCH_SCALE:-100}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_MEM=${BENCH_MEM:-4096}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-5400}
BENCH_CMD_TIMEOUT=${BENCH_CMD_TIMEOUT:-300}

# name: processes sockets fds (fds include the sockets and 0-2), from
# shared/notes/peers.md's timings of ss, netstat and lsof.
declare -A SETUPS=(
	[a]="1000 20000 25000"
	[b]="1000 20000 225000"
	[c]="4000 16000 36000"
)
declare -A WHAT=(
	[a]="1000 processes, 20k sockets, 25k fds"
	[b]="the same + 200 extra non-socket fds per process (225k fds)"
	[c]="4000 processes, 16k sockets, 36k fds"
)

out=${BENCH_OUT:-$SOCKFD_BUILD/bench}
raw=$out/raw.txt
mkdir -p "$out"
t_start=$SECONDS
started=$(date -u '+%Y-%m-%d %H:%M UTC')

# The guest script: per setup, hold the workload, count it, time every
# command, measure read sizes, release it.
guest='
B() { bench time "$@"; }
echo "KERNEL|$(uname -r)|$(nproc)|$(sed -n "s/^MemTotal: *//p" /proc/meminfo)"
'
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
	B sockfd -n
	B sockfd --summary
	B ss -tuanp
	B ss -tuan
	B ss -xp
	B netstat -tuanp
	B lsof -nP -i
	B lsfd
	B lsfd -Q 'PROTONAME == \"TCP\"'
	B cat /proc/net/tcp /proc/net/udp /proc/net/unix
	B sh -c 'cat /proc/[0-9]*/limits'
	bench reads /proc/sockfd
	bench stop \$k
fi
"
done

if [ "${1:-}" != --report ]; then
	ensure_deps
	say "bench: kernel $KERNEL, setups '$BENCH_SETUPS' at ${BENCH_SCALE}%, $BENCH_RUNS runs each, guest ${BENCH_MEM} MB"
	status=0
	BENCH_RUNS=$BENCH_RUNS BENCH_CMD_TIMEOUT=$BENCH_CMD_TIMEOUT \
		"$SOCKFD_ROOT/tests/vm/run-guest.sh" --kernel "$KERNEL" --out "$out/guest" \
		--tests '' --mem "$BENCH_MEM" --timeout "$BENCH_TIMEOUT" \
		--tools 'cat ss lsof lsfd netstat' \
		--extra-modules 'inet_diag tcp_diag udp_diag unix_diag netlink_diag' \
		--progs "$SOCKFD_ROOT/bench/bench.c" --run "$guest" >"$out/guest.out" || status=$?
	lines='^(KERNEL|SETUP|HELD|COUNT|BENCH|SIZE|READ)\|'
	if [ "$status" != 0 ] || ! grep -q '^SETUP|' "$out/guest.out"; then
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

# results.md from the raw lines.
{
	printf '# sockfd bench results\n\n'
	awk -F'|' -v what="$(for s in "${!WHAT[@]}"; do printf '%s=%s;' "$s" "${WHAT[$s]}"; done)" '
	BEGIN { n = split(what, w, ";"); for (i = 1; i <= n; i++) { split(w[i], kv, "="); desc[kv[1]] = kv[2] } }
	$1 == "HOST" { cpus = $3
		printf "Run of %s, %s runs per command (median), wall clock, output to /dev/null; ", $2, $5
		printf "setups at %s%% of their size; `make bench` took %d s (build, boot, setups, timings). ", $4, $6 }
	$1 == "KERNEL" {
		printf "Guest: kernel %s, %s vCPUs, %s RAM, QEMU TCG on a %s-CPU host shared with other work: ", $2, $3, $4, cpus
		printf "absolute times are inflated, the ratios to `cat /proc/sockfd` in the same setup are what matters.\n"
	}
	function flush_reads() {
		if (!size) return
		printf "\nReading /proc/sockfd (%d bytes) in one process, median of 5 passes (last/first: median of the per-pass ratios):\n\n", size
		printf "| reads | ms | note |\n|---|---:|---|\n"
		printf "| whole file, 1 MiB read()s | %.1f | |\n", r["whole1048576"]
		printf "| whole file, 4 KiB read()s | %.1f | |\n", r["whole4096"]
		printf "| first %d bytes, 1-byte read()s | %.1f | %.0f ms for the whole file at that rate |\n", pre, r["prefix1"], r["prefix1"] * size / pre
		printf "| first / last 10%% (%d bytes), 4 KiB read()s | %.1f / %.1f | last/first = %.2f |\n", tenth, e4h, e4t, e4q
		printf "| first / last %d bytes, 1-byte read()s | %.1f / %.1f | last/first = %.2f |\n", pre, e1h, e1t, e1q
		size = 0
	}
	$1 == "SETUP" {
		flush_reads()
		printf "\n## Setup %s: %s\n\n", $2, desc[$2]
		printf "Asked for %d processes, %d sockets, %d fds.", $3, $4, $5
		base = 0
	}
	$1 == "HELD" { printf " Set up in %d s.", $2 }
	$1 == "COUNT" {
		printf " Guest while timing: %d processes, %d fds, %d socket fds; ", $2, $3, $4
		printf "/proc/net rows: %d tcp/tcp6, %d udp/udp6, %d unix.\n\n", $5, $6, $7
		printf "| command | median ms | runs ms | ratio to cat /proc/sockfd |\n|---|---:|---|---:|\n"
	}
	$1 == "BENCH" {
		if (!base) base = $4
		st = $5 == "ok" ? "" : " (" $5 ")"
		printf "| `%s`%s | %.0f | %s | %.1f |\n", $2, st, $4, $3, $4 / base
	}
	$1 == "SIZE" { size = $2 }
	$1 == "READ" && $2 == "whole" { r["whole" $3] = $5 }
	$1 == "READ" && $2 == "prefix" { r["prefix1"] = $5; pre = $4 }
	$1 == "READ" && $2 == "ends" && $3 == 4096 { tenth = $4; e4h = $5; e4t = $7; e4q = $8 }
	$1 == "READ" && $2 == "ends" && $3 == 1 { e1h = $5; e1t = $7; e1q = $8 }
	END { flush_reads() }' "$raw"
} >"$out/results.md"
cat "$out/results.md"

#!/bin/bash
# run-guest.sh --kernel 6.1|6.12|debug|kcsan --out DIR [options]
# Builds the module for one kernel and the guest tests, packs a busybox-static
# initramfs, boots it in QEMU (TCG) with a time limit and turns the console
# log into pass/fail (tests/README.md is the contract).
#
#   --kernel NAME          test kernel (tests/vm/kernels.sh NAME)
#   --out DIR              console.log, initramfs and build logs go here
#   --tests 'a b'          guest tests to run (default: all of tests/guest/*.c)
#   --module PATH          load this sockfd.ko[.xz] (e.g. the one DKMS installed)
#                          instead of building one; no KUnit then
#   --timeout SEC          limit for the whole guest (default 1800, debug and
#                          kcsan 3600)
#   --test-timeout SEC     limit for one test inside the guest (default 300,
#                          900 on the debug and kcsan kernels: their socket
#                          work is slower)
#   --tools 'ss lsof'      host programs to copy in, with their shared libraries;
#                          a test's "guest-tools: p .." header line adds to it
#   --extra-modules 'm ..' modules of that kernel to load first (deps included);
#                          a test's "guest-modules: m .." header line adds to it,
#                          its "guest-modules-optional: m .." line too where the
#                          kernel has them (the test says what it checks without)
#   --mem MB               guest memory (default 2048)
#   --progs 'x.c ..'       extra C programs, built static into /usr/bin/NAME
#   --run 'CMD'            run this shell command instead of the tests and
#                          print its output (make demo)
#   --append 'ARGS'        more kernel command line (make soak: shorter
#                          RCU stall and hung-task timeouts)
#
# A kernel that does not reach /init within SOCKFD_BOOT_LIMIT seconds (default
# 180) is booted once more; a second such boot fails as harness/boot.
#
# stdout: FAIL lines, one progress line per test, and last the line
# "N passed, N failed". Exit status 0 only when nothing failed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Kernel reports that fail a run wherever they appear (tests/README.md),
# except a KCSAN report ("BUG: KCSAN: ..." to its closing "=====" line): that
# one fails only with a sockfd frame in its text (SOCKFD_FRAME_RE: a stack line
# in the module or its KUnit suite, or a sockfd_* function); one without is
# listed ("# kcsan (not sockfd): TITLE", DIR/kcsan-not-sockfd.txt).
REPORT_RE='BUG:|kernel BUG at|invalid opcode|general protection fault|WARNING:|Oops|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|self-detected stall|detected stalls on CPUs|RCU stall|hung_task|blocked for more than|soft lockup|hard LOCKUP|Kernel panic|buggy \.next'
# Of those, the ones that mean a CPU or a task is stuck. A guest that prints
# one and then makes no progress (no test starts or ends) for STALL_GRACE
# seconds is killed at once and the test named (NAME/hang), rather than
# after the whole guest's time limit.
LOCKUP_RE='self-detected stall|detected stalls on CPUs|RCU stall|hung_task|blocked for more than|soft lockup|hard LOCKUP'
STALL_GRACE=${SOCKFD_STALL_GRACE:-30}

SOCKFD_FRAME_RE='^ *(\? )?(sockfd_[A-Za-z0-9_.]*\+0x[0-9a-f]+/0x[0-9a-f]+|[A-Za-z0-9_.$]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[sockfd(_kunit)?[] ])'
KCSAN_TITLE_RE='BUG: KCSAN: '
STACK_LINE_RE='^ *(\? )?[A-Za-z0-9_.$]+\+0x[0-9a-f]+/0x[0-9a-f]+'

kernel= out= tests= module= timeout= test_timeout= tools= extra_modules= mem=2048
optional_modules=
progs= run_cmd= append_extra=
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "option $1 needs a value"
	case $1 in
	--kernel) kernel=$2 ;;
	--out) out=$2 ;;
	--tests) tests=$2 ;;
	--module) module=$2 ;;
	--timeout) timeout=$2 ;;
	--test-timeout) test_timeout=$2 ;;
	--tools) tools=$2 ;;
	--extra-modules) extra_modules=$2 ;;
	--mem) mem=$2 ;;
	--progs) progs=$2 ;;
	--run) run_cmd=$2 ;;
	--append) append_extra=$2 ;;
	*) die "unknown option $1 (see the head of $0)" ;;
	esac
	shift 2
done
case $kernel in
debug | kcsan) slow=1 ;;
*) slow=0 ;;
esac
[ -n "$test_timeout" ] || test_timeout=$([ "$slow" = 1 ] && echo 900 || echo 300)
[ -n "$timeout" ] || timeout=$([ "$slow" = 1 ] && echo 3600 || echo 1800)
[ -n "$kernel" ] && [ -n "$out" ] || die "usage: run-guest.sh --kernel 6.1|6.12|debug|kcsan --out DIR [...]"

t_start=$SECONDS
mkdir -p "$out"
out=$(cd "$out" && pwd)
tag="[$kernel]"
passed=0 failed=0

fail() { # LINE: one failure, shown at once
	failed=$((failed + 1))
	printf '%s %s\n' "$tag" "$1"
}

kernel_report() { # LINE (no timestamp): a report line that fails the run, once
	set -- "${1#"${1%%[! ]*}"}"
	if [ "$began" = 0 ]; then
		boot_reports+=("$1")
	elif [ -z "${reports[$1]:-}" ]; then
		reports[$1]=1
		fail "FAIL: kernel/report: $1"
	fi
	if [ "$began" = 1 ] && [ -z "$stall_since" ] && [[ $1 =~ $LOCKUP_RE ]]; then
		stall_since=$SECONDS stall_report=$1 stall_test=$cur
	fi
}

kcsan_done() { # classifies the KCSAN report collected in kcsan_text
	local title=${kcsan_text%%$'\n'*}
	title=${title#"${title%%BUG: KCSAN: *}"}
	in_kcsan=0
	if [ "$kcsan_sockfd" = 1 ]; then
		[ -n "${reports[$title]:-}" ] && return
		reports[$title]=1
		fail "FAIL: kernel/report: $title"
		printf '%s\n\n' "$kcsan_text" >>"$out/kcsan-sockfd.txt"
	elif [ -z "${kcsan_other[$title]:-}" ]; then
		kcsan_other[$title]=1
		printf '%s # kcsan (not sockfd): %s\n' "$tag" "$title"
		printf '%s\n\n' "$kcsan_text" >>"$out/kcsan-not-sockfd.txt"
	fi
}

finish() { # prints the closing lines and exits
	printf '%s %d passed, %d failed (boot %s, total %ds)\n' "$tag" "$passed" "$failed" \
		"${boot_time:-?}" $((SECONDS - t_start))
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" = 0 ]
	exit
}

# Progress (the debug kernel may be built now, ~15 min) shows as it comes.
kinfo=$("$SOCKFD_ROOT/tests/vm/kernels.sh" "$kernel" 2> >(tee "$out/kernel.log" >&2)) || {
	fail "FAIL: harness/kernel: kernel $kernel not available (log: $out/kernel.log)"
	finish
}
VMLINUZ=$(sed -n 's/^VMLINUZ=//p' <<<"$kinfo")
KDIR=$(sed -n 's/^KDIR=//p' <<<"$kinfo")
KVER=$(sed -n 's/^KVER=//p' <<<"$kinfo")
say "$tag kernel $KVER ($VMLINUZ)"

# --- the module ---------------------------------------------------------------
kmod=$SOCKFD_BUILD/kmod/$KVER
if [ -n "$module" ]; then
	[ -f "$module" ] || { fail "FAIL: harness/module: no file $module"; finish; }
	ko=$module
	kmod=
elif "$SOCKFD_ROOT/tests/vm/build-module.sh" "$KDIR" "$kmod" >"$out/module-build.log" 2>&1; then
	ko=$kmod/sockfd.ko
else
	fail "FAIL: build/sockfd.ko: does not build against $KVER (log: $out/module-build.log)"
	grep -E 'error|Error' "$out/module-build.log" | head -n 20 >&2 || true
	finish
fi

# sockfd_kunit.ko needs KUnit, a module of its own in a CONFIG_KUNIT=m kernel
# (the debug kernel ships it in its module directory).
if [ -n "$kmod" ] && [ -f "$kmod/sockfd_kunit.ko" ] &&
	grep -q '^CONFIG_KUNIT=m' "$KDIR/.config" 2>/dev/null; then
	extra_modules+=" kunit"
fi

# --- static programs: guest tests, extra programs, the reader -----------------
gcc_static=(gcc -static -O2 -g -std=gnu11 -Wall -Wextra -Werror -pthread)
guest_src=$SOCKFD_ROOT/tests/guest
guest_bin=$SOCKFD_BUILD/guest
mkdir -p "$guest_bin"
shopt -s nullglob
guest_lib=("$guest_src"/lib/*.c)
guest_hdr=("$guest_src"/lib/*.h)

build_static() { # SRC OUT [EXTRA_SOURCES...]: rebuilds OUT when a source is newer
	local src=$1 bin=$2 f
	shift 2
	for f in "$src" "$@" "${guest_hdr[@]}"; do
		if [ ! -f "$bin" ] || [ "$f" -nt "$bin" ]; then
			"${gcc_static[@]}" -I"$guest_src/lib" -o "$bin" "$src" "$@" \
				>"$bin.log" 2>&1 && return 0
			rm -f "$bin"
			return 1
		fi
	done
}

if [ -z "$run_cmd" ] && [ -z "$tests" ]; then
	for f in "$guest_src"/*.c; do
		tests+="$(basename "$f" .c) "
	done
fi
tests=$(tr ' ' '\n' <<<"$tests" | sed '/^$/d' | sort)
built_tests=()
for t in $tests; do
	[ -f "$guest_src/$t.c" ] || { fail "FAIL: $t/build: no tests/guest/$t.c"; continue; }
	if build_static "$guest_src/$t.c" "$guest_bin/$t" "${guest_lib[@]}"; then
		built_tests+=("$t")
	else
		fail "FAIL: $t/build: does not compile (log: $guest_bin/$t.log)"
		head -n 20 "$guest_bin/$t.log" >&2
	fi
done
# Kernel modules a test needs (a "guest-modules: a b" line in its header
# comment, e.g. dummy): loaded like --extra-modules; built-in ones are fine.
for t in "${built_tests[@]}"; do
	extra_modules+=" $(sed -n 's/^ \* guest-modules: //p' "$guest_src/$t.c")"
	optional_modules+=" $(sed -n 's/^ \* guest-modules-optional: //p' "$guest_src/$t.c")"
done
# Host programs a test runs (a "guest-tools: p .." line, e.g.
# apparmor_parser): copied in like --tools.
for t in "${built_tests[@]}"; do
	tools+=" $(sed -n 's/^ \* guest-tools: //p' "$guest_src/$t.c")"
done
built_progs=()
for p in $progs; do
	bin=$guest_bin/$(basename "$p" .c)
	if build_static "$p" "$bin"; then
		built_progs+=("$bin")
	else
		fail "FAIL: build/$(basename "$p"): does not compile (log: $bin.log)"
		head -n 20 "$bin.log" >&2
	fi
done
reader=
if [ -f "$SOCKFD_ROOT/tools/Makefile" ]; then
	if make -s -C "$SOCKFD_ROOT/tools" static >"$out/reader-build.log" 2>&1; then
		reader=$SOCKFD_BUILD/tools/sockfd-static
	else
		fail "FAIL: build/reader: tools/ does not build static (log: $out/reader-build.log)"
	fi
fi

# --- the initramfs ------------------------------------------------------------
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,tests,lib/sockfd/extra,usr/bin,etc}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	# A link named busybox would point at itself: the kernel then fails
	# to run /init with ELOOP.
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cp "$ko" "$root/lib/sockfd/"
[ -n "$kmod" ] && [ -f "$kmod/sockfd_kunit.ko" ] && cp "$kmod/sockfd_kunit.ko" "$root/lib/sockfd/"
for t in "${built_tests[@]}"; do cp "$guest_bin/$t" "$root/tests/"; done
for b in "${built_progs[@]}"; do cp "$b" "$root/usr/bin/"; done
[ -n "$reader" ] && cp "$reader" "$root/usr/bin/sockfd"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

copy_with_parents() { # FILE: copies FILE into the initramfs at its own path
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}
for tool in $tools; do
	path=$(command -v "$tool") || { fail "FAIL: harness/tool-$tool: $tool is not installed on the host"; continue; }
	copy_with_parents "$path"
	for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
		copy_with_parents "$lib"
	done
done

# Kernel modules of this kernel, their dependencies first (modules.dep lists
# every dependency of a module, the one to load first last).
if [ -n "$extra_modules$optional_modules" ]; then
	moddir=$(dirname "$KDIR")
	[ -f "$moddir/modules.dep" ] || moddir=/lib/modules/$KVER
	order=()
	add_module() { # RELPATH
		local m
		for m in "${order[@]}"; do [ "$m" = "$1" ] && return 0; done
		order+=("$1")
	}
	for name in $extra_modules $optional_modules; do
		name=${name//-/_}
		line=$(awk -v n="$name" -F: '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b);
			gsub(/-/, "_", b); if (b == n) { print; exit } }' "$moddir/modules.dep" 2>/dev/null || true)
		if [ -z "$line" ]; then
			grep -qE "/${name//_/[_-]}\.ko\$" "$moddir/modules.builtin" 2>/dev/null ||
				[[ " $optional_modules " == *" $name "* ]] ||
				fail "FAIL: harness/module-$name: not a module of $KVER"
			continue
		fi
		read -r -a deps <<<"${line#*:}"
		for ((i = ${#deps[@]} - 1; i >= 0; i--)); do add_module "${deps[i]}"; done
		add_module "${line%%:*}"
	done
	for m in "${order[@]}"; do
		cp "$moddir/$m" "$root/lib/sockfd/extra/"
		basename "$m" >>"$root/lib/sockfd/extra/order"
	done
fi

cat >"$root/init" <<EOF
#!/bin/sh
# Generated by tests/vm/run-guest.sh: markers per tests/README.md.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
export SOCKFD_KO=/lib/sockfd/${ko##*/} SOCKFD_KERNEL=$kernel
export SOCKFD_SOAK_SECONDS=${SOCKFD_SOAK_SECONDS:-60}
export SOCKFD_STRESS_SECONDS=${SOCKFD_STRESS_SECONDS:-60}
TESTS="${built_tests[*]}"
TEST_TIMEOUT=$test_timeout
EOF
[ -z "$run_cmd" ] || printf '%s\n' "$run_cmd" >"$root/run.sh"
cat >>"$root/init" <<'EOF'
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
exec </dev/console >/dev/console 2>&1
ip link set lo up
echo "=== SOCKFD GUEST BEGIN kernel=$(uname -r) ==="
if [ -f /lib/sockfd/extra/order ]; then
	for m in $(cat /lib/sockfd/extra/order); do
		insmod /lib/sockfd/extra/$m || echo "FAIL: harness/insmod-$m: insmod failed"
	done
fi
if ! insmod "$SOCKFD_KO"; then
	echo "FAIL: harness/insmod: sockfd.ko did not load; no test runs"
	TESTS=
	rm -f /run.sh
fi
# KUnit (kernels with CONFIG_KUNIT): its KTAP cases become PASS/FAIL lines.
if [ -n "$TESTS" ] && [ -f /lib/sockfd/sockfd_kunit.ko ]; then
	echo "=== TEST kunit ==="
	before=$(dmesg | wc -l)
	insmod /lib/sockfd/sockfd_kunit.ko
	rc=$?
	dmesg | tail -n +$((before + 1)) | sed 's/^\[[^]]*\] //' | awk '
		/^    ok [0-9]+ / { print "PASS: kunit/" $3; n++ }
		/^    not ok [0-9]+ / { print "FAIL: kunit/" $4 ": not ok (KTAP in dmesg)"; n++; bad++ }
		END { if (!n) { print "FAIL: kunit/ktap: no KTAP result in dmesg"; bad++ }
		      exit bad > 0 }' || rc=1
	# It pins sockfd.ko (it uses its symbols); tests that rmmod need it gone.
	if ! rmmod sockfd_kunit; then
		echo "FAIL: kunit/rmmod: sockfd_kunit.ko does not unload"
		rc=1
	fi
	echo "=== EXIT kunit $rc ==="
fi
for t in $TESTS; do
	echo "=== TEST $t ==="
	cd /tmp
	timeout "$TEST_TIMEOUT" "/tests/$t"
	rc=$?
	[ "$rc" = 143 ] && echo "FAIL: $t/timeout: still running after ${TEST_TIMEOUT}s, killed"
	# Tests must leave the module loaded; one that does not must not make
	# every later test fail.
	if [ ! -e /proc/sockfd ]; then
		echo "FAIL: $t/left_loaded: /proc/sockfd is gone after the test; loading $SOCKFD_KO again"
		insmod "$SOCKFD_KO"
	fi
	# Processes a test left behind (reparented to this init; a test killed
	# at its limit leaves its children) must not disturb the next tests.
	# busybox timeout's watchdog ends by itself within a second.
	for s in /proc/[0-9]*/status; do
		grep -q "^PPid:[[:space:]]*1$" "$s" 2>/dev/null || continue
		grep -q "^Name:[[:space:]]*timeout$" "$s" 2>/dev/null && continue
		p=${s#/proc/}
		p=${p%/status}
		echo "# $t: killing leftover pid $p ($(cat "/proc/$p/comm" 2>/dev/null))"
		kill -9 "$p" 2>/dev/null
	done
	echo "=== EXIT $t $rc ==="
	cd /
	rm -rf /tmp/* 2>/dev/null
done
if [ -f /run.sh ]; then
	echo "=== RUN BEGIN ==="
	cd /tmp
	sh /run.sh
	echo "=== RUN END ==="
fi
echo "=== DMESG BEGIN ==="
dmesg
echo "=== DMESG END ==="
echo "=== SOCKFD GUEST END ==="
sync
reboot -f
EOF
chmod +x "$root/init"
initrd=$out/initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"

# --- boot and follow the console ----------------------------------------------
# Expected tests: kunit first when its module is there, then the programs.
expected=()
[ -f "$root/lib/sockfd/sockfd_kunit.ko" ] && [ ${#built_tests[@]} -gt 0 ] && expected+=(kunit)
expected+=("${built_tests[@]}")
append="console=ttyS0 panic=-1 tsc=reliable loglevel=5 no5lvl${append_extra:+ $append_extra}"
log=$out/console.log

# A kernel that has not reached /init after this long hangs in its own boot
# (seen under TCG: stuck after the ACPI lines, a boot is 8-30 s otherwise).
BOOT_LIMIT=${SOCKFD_BOOT_LIMIT:-180}

boot() { # one boot; sets began, ended, timed_out, boot_hung, boot_time; fills the counters
	local qpid line n seen=0 cur= cur_pass=0 cur_fail=0 t0 t_test=0 in_dmesg=0 in_run=0 key
	local kline in_kcsan=0 kcsan_text='' kcsan_sockfd=0
	began=0 ended=0 timed_out=0 boot_hung=0 boot_time= boot_reports=()
	stall_since= stall_report= stall_test= stalled=0
	declare -gA exited=() reports=() kcsan_other=()
	: >"$log"
	rm -f "$out/kcsan-sockfd.txt" "$out/kcsan-not-sockfd.txt"
	t0=$SECONDS
	qemu-system-x86_64 -accel tcg -nodefaults -display none -monitor none \
		-serial stdio -no-reboot -m "$mem" -smp 2,sockets=2,cores=1,threads=1 \
		-kernel "$VMLINUZ" -initrd "$initrd" -append "$append" \
		</dev/null >"$log" 2>"$out/qemu.stderr" &
	qpid=$!
	while :; do
		local alive=1
		kill -0 "$qpid" 2>/dev/null || alive=0
		n=$(wc -l <"$log")
		if [ "$n" -gt "$seen" ]; then
			while IFS= read -r line; do
				line=${line%$'\r'}
				case $line in
				"=== SOCKFD GUEST BEGIN"*)
					began=1 boot_time="$((SECONDS - t0))s"
					say "$tag booted in $boot_time: ${line#=== SOCKFD GUEST BEGIN }" ;;
				"=== TEST "*" ===")
					cur=${line#=== TEST } cur=${cur% ===} cur_pass=0 cur_fail=0 t_test=$SECONDS
					stall_since= ;;
				"=== EXIT "*" ===")
					read -r _ _ key rc _ <<<"$line"
					exited[$key]=1
					if [ "$rc" != 0 ] && [ "$cur_fail" = 0 ]; then
						fail "FAIL: $key/exit: exited with status $rc without a FAIL line"
						cur_fail=1
					fi
					say "$tag $key: $cur_pass passed, $cur_fail failed ($((SECONDS - t_test))s)"
					cur= stall_since= ;;
				"=== DMESG BEGIN ===")
					[ "$in_kcsan" = 0 ] || kcsan_done
					in_dmesg=1 ;;
				"=== DMESG END ===") in_dmesg=0 ;;
				"=== RUN BEGIN ===") in_run=1 ;;
				"=== RUN END ===") in_run=0 ;;
				"=== SOCKFD GUEST END ===") ended=1 ;;
				PASS:*)
					if [ "$in_dmesg" = 0 ]; then
						passed=$((passed + 1)) cur_pass=$((cur_pass + 1))
					fi ;;
				FAIL:*)
					if [ "$in_dmesg" = 0 ]; then
						fail "$line"
						cur_fail=$((cur_fail + 1))
					fi ;;
				*)
					kline=$line
					[[ $kline =~ ^\[\ *[0-9]+\.[0-9]+\]\ ?(.*)$ ]] && kline=${BASH_REMATCH[1]}
					if [ "$in_kcsan" = 1 ]; then
						# Inside a KCSAN report, to its closing line; a
						# report of another kind printed meanwhile by
						# another CPU still counts (a stack line never
						# does: "check_hung_task+0x..." is no hung task).
						if [[ $kline =~ ^={20,}$ ]]; then
							kcsan_done
						elif [[ $kline =~ $REPORT_RE ]] && ! [[ $kline =~ $STACK_LINE_RE ]]; then
							kernel_report "$kline"
						else
							kcsan_text+=$'\n'$kline
							[[ $kline =~ $SOCKFD_FRAME_RE ]] && kcsan_sockfd=1
						fi
					elif [[ $kline =~ $KCSAN_TITLE_RE ]]; then
						in_kcsan=1 kcsan_text=$kline kcsan_sockfd=0
						# The title names the top frames: "in A [mod] / B".
						[[ $kline =~ \[sockfd(_kunit)?\]|(in|/)\ sockfd_ ]] && kcsan_sockfd=1
					# The kernel echoes its command line (make soak's
					# hung_task_timeout_secs): not a report.
					elif [[ $line =~ $REPORT_RE ]] && [[ ! $line =~ [Cc]ommand\ line: ]]; then
						kernel_report "$kline"
					elif [ "$in_run" = 1 ]; then
						printf '%s\n' "$line"
					fi ;;
				esac
			done < <(sed -n "$((seen + 1)),${n}p" "$log")
			seen=$n
		fi
		[ "$alive" = 1 ] || break
		if [ "$began" = 0 ] && [ $((SECONDS - t0)) -ge "$BOOT_LIMIT" ]; then
			boot_hung=1
			kill "$qpid" 2>/dev/null || true
			sleep 1
			kill -9 "$qpid" 2>/dev/null || true
		elif [ -n "$stall_since" ] && [ $((SECONDS - stall_since)) -ge "$STALL_GRACE" ]; then
			stalled=1
			kill "$qpid" 2>/dev/null || true
			sleep 1
			kill -9 "$qpid" 2>/dev/null || true
		elif [ $((SECONDS - t0)) -ge "$timeout" ]; then
			timed_out=1
			kill "$qpid" 2>/dev/null || true
			sleep 1
			kill -9 "$qpid" 2>/dev/null || true
		fi
		sleep 0.5
	done
	wait "$qpid" 2>/dev/null || true
	# A KCSAN report the guest did not finish printing counts as it is.
	[ "$in_kcsan" = 0 ] || kcsan_done
	current_test=$cur
}

boot
if [ "$boot_hung" = 1 ]; then
	# Before /init ran: the kernel's own boot, not sockfd. Retry once.
	say "$tag the kernel did not reach /init in ${BOOT_LIMIT}s; booting again (first console: $out/console.first-boot.log)"
	cp "$log" "$out/console.first-boot.log"
	passed=0 failed=0
	boot
	[ "$boot_hung" = 0 ] || fail "FAIL: harness/boot: the kernel did not reach /init in ${BOOT_LIMIT}s, twice"
fi
if [ ${#boot_reports[@]} -gt 0 ]; then
	# A report before /init ran comes from the kernel's own boot, not from
	# sockfd: a harness fault (seen rarely on the debug kernel). Retry once.
	say "$tag kernel report during boot, before the module was loaded; booting again:"
	printf '  %s\n' "${boot_reports[@]}" >&2
	cp "$log" "$out/console.first-boot.log"
	passed=0 failed=0
	boot
	for r in "${boot_reports[@]}"; do fail "FAIL: kernel/report (boot, twice): $r"; done
fi

if [ "$ended" = 0 ] && [ "$boot_hung" = 0 ]; then
	where=${current_test:+ in test $current_test}
	if [ "$stalled" = 1 ]; then
		fail "FAIL: ${stall_test:-harness}/hang: no progress for ${STALL_GRACE}s after \"$stall_report\"; guest killed"
	elif [ "$timed_out" = 1 ]; then
		fail "FAIL: harness/hang: guest still running after ${timeout}s$where; killed"
	else
		fail "FAIL: harness/crash: guest stopped before its END marker$where"
	fi
	say "$tag last lines of $log:"
	tail -n 40 "$log" | tr -d '\r' | sed 's/^/    /' >&2
fi
for t in "${expected[@]}"; do
	[ -n "${exited[$t]:-}" ] || fail "FAIL: $t/exit: no EXIT line (the test never finished)"
done
say "$tag console log: $log"
finish

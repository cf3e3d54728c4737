# shellcheck shell=bash
# Host tests of sockfd top, sourced by run.sh (its check/ok/bad helpers, $R,
# $T, $FX, $BASIC): the rates of a fake /proc/sockfd sequence
# (fixtures/top-{1,2,3}.txt, handed over one capture per read through a
# FIFO) checked exactly per process, per cgroup and per socket; a socket
# with two fds counted once, one first seen counted from 0, one gone not
# counted; filters, --sort, the notes for a format 1 or 2 file; and the
# interactive screen in a real terminal (tmux): a view key, a sort key, a
# resize, q.
# Needs: tmux, and ncurses (libncurses-dev) to build the reader.

# The sequence, as the fixtures were written (values in them):
#   sender (100): one TCP socket (fds 3 and 7), bytes_sent 1000, 2001000,
#     4001000; retrans total 0, 5, 9; srtt 1234 us; fds 10 of 1024
#   receiver (200): TCP, bytes_received 500, 2000500, 4000500; a TCP socket
#     only in read 2 (bytes_received 100000); UDP drops 0, 3, 3;
#     fds 900 of 1024
#   idle (300): TCP, counters still at 1000; in read 3 a new socket with
#     bytes_sent 500 (first seen: from 0)
# -d 0.5 with -f: each capture is taken as 0.5 s after the last.
TOPSEQ=("$FX/top-1.txt" "$FX/top-2.txt" "$FX/top-3.txt")

# top_seq FILE...: run top -b over the captures, one per read; ARGS after --.
# Capture i+1 is written once top has shown screen i (it flushes each
# screen) and closed the FIFO: written while top still reads, it would join
# capture i.
top_seq() {
	local files=() a i=0
	while [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	rm -f "$T/topfifo" "$T/topseq"
	mkfifo "$T/topfifo"
	(for a in "${files[@]}"; do
		cat "$a" >"$T/topfifo"
		i=$((i + 1))
		until [ "$(grep -c '^sockfd top - ' "$T/topseq" 2>/dev/null)" -ge $i ]; do
			sleep 0.01
		done
		fifo_closed "$T/topfifo"
	done) &
	"$R" top -f "$T/topfifo" -b -n ${#files[@]} -d 0.5 "$@" | tee "$T/topseq"
	wait
}

# row N KEY: screen N's row whose first field is KEY, fields single-spaced
row() {
	awk -v n="$1" -v k="$2" '/^sockfd top - /{s++} s==n && $1==k {$1=$1; print; exit}' "$T/out"
}
# col N KEY: the same, for a row whose last field is KEY (the cgroup view)
rowlast() {
	awk -v n="$1" -v k="$2" '/^sockfd top - /{s++} s==n && $NF==k {$1=$1; print; exit}' "$T/out"
}

# ---- options ----
check top/help 0 'has "sockfd top" && has "--delay" && has "--iterations" && has "--batch" &&
	has "--by VIEW" && has "--sort COL"' -- "$R" --help
check top/not-top 2 'err_has "options of sockfd top"' -- "$R" -f "$BASIC" --batch
check top/json 2 'err_has "top takes no"' -- "$R" top -f "$BASIC" --json
check top/bad-delay 2 'err_has "invalid --delay"' -- "$R" top -f "$BASIC" -b -d 0
check top/bad-sort 2 'err_has "invalid --sort"' -- "$R" top -f "$BASIC" -b --sort nosuch
check top/bad-view 2 'err_has "invalid --by"' -- "$R" top -f "$BASIC" -b --by pod
check top/sort-view 2 'err_has "not a column of the cgroup view"' -- \
	"$R" top -f "$BASIC" -b --by cgroup --sort COMM
check top/no-terminal 1 'err_has "needs a terminal; -b"' -- "$R" top -f "$BASIC"

# ---- rates, exactly ----
check top/rates 0 '
	[ "$(grep -c "^sockfd top - " $T/out)" = 3 ] &&
	has "note: first read: rates from the next screen on" &&
	has "sockets that opened" && has "and closed between two reads are not counted." &&
	[ "$(row 1 100)" = "100 sender 1 - - - - 1234 10 1024 1%" ] &&
	[ "$(row 2 100)" = "100 sender 1 4000000 0 10.0 0.0 1234 10 1024 1%" ] &&
	[ "$(row 2 200)" = "200 receiver 3 0 4200000 0.0 6.0 800 900 1024 88%" ] &&
	[ "$(row 2 300)" = "300 idle 1 0 0 0.0 0.0 100 4 256 2%" ] &&
	[ "$(row 3 100)" = "100 sender 1 4000000 0 8.0 0.0 1234 10 1024 1%" ] &&
	[ "$(row 3 200)" = "200 receiver 2 0 4000000 0.0 0.0 500 900 1024 88%" ] &&
	[ "$(row 3 300)" = "300 idle 2 1000 0 0.0 0.0 2000 4 256 2%" ] &&
	[ "$(row 3 1)" = "1 systemd 1 - - - 0.0 - 120 524288 0%" ]' -- \
	top_seq "${TOPSEQ[@]}" -- --numeric
# sorted by SEND/s, largest first, unknown last
check top/rates-order 0 '[ "$(awk "/^sockfd top - /{s++} s==3 && /^ *[0-9]/{print \$1}" $T/out | tr "\n" " ")" = "100 300 200 1 " ]' -- \
	top_seq "${TOPSEQ[@]}" -- --numeric
check top/human 0 '[ "$(row 3 100)" = "100 sender 1 3.8M 0 8.0 0.0 1.2ms 10 1024 1%" ]' -- \
	top_seq "${TOPSEQ[@]}" --

# per cgroup: the paths of a cgroup2 tree whose directories' inodes are the ids
mkdir -p "$T/cg/proc" "$T/cg/sys/fs/cgroup/a.slice/sender.scope" "$T/cg/sys/fs/cgroup/b.slice"
cg_s=$(stat -c %i "$T/cg/sys/fs/cgroup/a.slice/sender.scope")
cg_o=$(stat -c %i "$T/cg/sys/fs/cgroup/b.slice")
for i in 1 2 3; do
	awk -v s="$cg_s" -v o="$cg_o" 'NR > 1 && $20 == 1000 {$20 = s} NR > 1 && $20 == 2000 {$20 = o} {print}' \
		"$FX/top-$i.txt" >"$T/cg/top-$i.txt"
done
check top/cgroup 0 '
	[ "$(rowlast 3 a.slice/sender.scope)" = "1 1 4000000 0 8.0 0.0 1234 1% a.slice/sender.scope" ] &&
	[ "$(rowlast 3 b.slice)" = "2 4 1000 4000000 0.0 0.0 2000 88% b.slice" ] &&
	[ "$(rowlast 3 cgroup:1)" = "1 1 - - - 0.0 - 0% cgroup:1" ]' -- \
	top_seq "$T"/cg/top-{1,2,3}.txt -- --numeric --by cgroup --proc-root "$T/cg/proc"
check top/cgroup-ids 0 '[ "$(rowlast 2 cgroup:1000)" = "1 1 4000000 0 10.0 0.0 1234 1% cgroup:1000" ]' -- \
	top_seq "${TOPSEQ[@]}" -- --numeric --by cgroup

# per socket: the sender's socket once (its first fd), the UDP drops
check top/socket 0 '
	[ "$(row 3 100)" = "100 sender 3 tcp ESTABLISHED 4000000 0 8.0 0.0 1234 127.0.0.1:40000 127.0.0.1:5000" ] &&
	[ "$(awk "/^sockfd top - /{s++} s==3 && \$1==100" $T/out | wc -l)" = 1 ] &&
	[ "$(awk "/^sockfd top - /{s++} s==2 && \$1==200 && \$3==5 {print \$9}" $T/out)" = 6.0 ]' -- \
	top_seq "${TOPSEQ[@]}" -- --numeric --by socket

# the reader's filters
check top/filter-pid 0 '[ -n "$(row 3 200)" ] && [ -z "$(row 3 100)" ] && [ -z "$(row 3 1)" ] &&
	has "screen 3: 2 socket fds of 7 (filtered), 1 processes"' -- top_seq "${TOPSEQ[@]}" -- --numeric -p 200
check top/filter-tcp 0 '[ "$(row 2 200)" = "200 receiver 2 0 4200000 0.0 0.0 800 900 1024 88%" ] &&
	[ -z "$(row 2 1)" ]' -- top_seq "${TOPSEQ[@]}" -- --numeric -t
check top/sort 0 '[ "$(awk "/^sockfd top - /{s++} s==3 && /^ *[0-9]/{print \$1}" $T/out | tr "\n" " ")" = "300 100 200 1 " ] &&
	has "sort RTT"' -- top_seq "${TOPSEQ[@]}" -- --numeric --sort rtt
check top/sort-reverse-key 0 'has "sort RECV/s" && [ "$(row 1 200)" = "200 receiver 3 - - - - 800 900 1024 88%" ]' -- \
	top_seq "$FX/top-2.txt" -- --numeric --sort recv

# files that lack columns: said, and what can be shown is
sed 's/@[A-Z]*@/1/g' "$FX/format2.txt" >"$T/top-format2.txt"
check top/format2 0 'has "no bytes_sent/bytes_received columns" && has "no fds/nofile columns" &&
	! has "no cookie column" && [ "$(row 1 1337)" = "1337 sshd 1 - - - - 1234 - - -" ]' -- \
	"$R" top -f "$T/top-format2.txt" -b -n 1 -q --numeric
check top/format1 0 'has "no cookie column (format 1)" && has "no bytes_sent" &&
	[ "$(row 1 412)" = "412 sshd 2 - - - - - - - -" ]' -- "$R" top -f "$BASIC" -b -n 1 --numeric

# ---- the interactive screen, in tmux ----
if command -v tmux >/dev/null; then
	TS=sockfd-top-$$
	TN=0	# each session its own server: a new one never meets a server exiting
	tm() { tmux -L "$TS-$TN" -f /dev/null "$@"; }
	pane() { tm capture-pane -p -t "$TS" >"$T/pane"; }
	# wait_pane ERE: until the pane shows a match of ERE (10 s at most)
	wait_pane() {
		for _ in $(seq 100); do
			pane
			grep -qE -- "$1" "$T/pane" && return 0
			sleep 0.1
		done
		return 1
	}
	tm new-session -d -s "$TS" -x 120 -y 30 \
		"'$R' top -f '${TOPSEQ[2]}' -d 0.3 --numeric 2>'$T/top-stderr'; echo EXITED \$?; sleep 30"
	later='screen ([2-9]|[0-9]{2,}):'	# a screen after the first
	if wait_pane "$later"; then
		grep -q "^PID COMM *SOCKS SEND/s RECV/s RETR/s DROP/s *RTT FDS NOFILE FD%$" "$T/pane" &&
			grep -q "keys: p process" "$T/pane" && grep -q "not counted" "$T/pane" &&
			grep -q "^100 sender" "$T/pane" &&
			ok top/tmux-screen || bad top/tmux-screen "$(tr '\n' '|' <"$T/pane")"
	else
		bad top/tmux-screen "no second screen: $(tr '\n' '|' <"$T/pane")"
	fi
	tm send-keys -t "$TS" c
	wait_pane "view cgroup" && grep -q "^PROCS SOCKS .* CGROUP$" "$T/pane" &&
		grep -q " cgroup:1000$" "$T/pane" &&
		ok top/tmux-view-key || bad top/tmux-view-key "$(tr '\n' '|' <"$T/pane")"
	tm send-keys -t "$TS" '>'
	wait_pane "sort RECV/s" && ok top/tmux-sort-key || bad top/tmux-sort-key "$(head -1 "$T/pane")"
	# back to processes; three more columns right: RTT, largest first
	tm send-keys -t "$TS" p '>' '>' '>'
	wait_pane "view process, sort RTT" &&
		[ "$(awk '/^ *[0-9]+ [a-z]/{print $1}' "$T/pane" | tr '\n' ' ')" = "300 100 200 1 " ] &&
		ok top/tmux-sort-order || bad top/tmux-sort-order "$(tr '\n' '|' <"$T/pane")"
	tm send-keys -t "$TS" r
	wait_pane "sort RTT \(reversed\)" &&
		[ "$(awk '/^ *[0-9]+ [a-z]/{print $1}' "$T/pane" | tr '\n' ' ')" = "200 100 300 1 " ] &&
		ok top/tmux-reverse || bad top/tmux-reverse "$(tr '\n' '|' <"$T/pane")"
	tm resize-window -t "$TS" -x 50 -y 9
	if wait_pane "screen" && [ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$T/pane")" -le 50 ] &&
		[ "$(wc -l <"$T/pane")" -le 9 ] && grep -q "^PID COMM" "$T/pane" &&
		sleep 0.7 && pane && grep -q "^sockfd top - .*, every 0.3s, scr" "$T/pane"; then
		ok top/tmux-resize
	else
		bad top/tmux-resize "$(tr '\n' '|' <"$T/pane")"
	fi
	tm send-keys -t "$TS" q
	wait_pane "EXITED 0" && [ ! -s "$T/top-stderr" ] && ok top/tmux-quit ||
		bad top/tmux-quit "$(tr '\n' '|' <"$T/pane") stderr: $(head -c 300 "$T/top-stderr")"
	tm kill-server 2>/dev/null || true
	TN=1
	# errors: before the screen starts they are shown as they are; a read
	# that fails later ends the screen and says so
	tm new-session -d -s "$TS" -x 100 -y 20 "'$R' top -f '$T/none' 2>&1; echo EXITED \$?; sleep 30"
	wait_pane EXITED && grep -q "cannot open $T/none" "$T/pane" && grep -q "EXITED 1" "$T/pane" &&
		ok top/tmux-no-file || bad top/tmux-no-file "$(tr '\n' '|' <"$T/pane")"
	tm kill-server 2>/dev/null || true
	TN=2
	cp "${TOPSEQ[0]}" "$T/vanishing"
	tm new-session -d -s "$TS" -x 100 -y 20 "'$R' top -f '$T/vanishing' -d 0.2 2>&1; echo EXITED \$?; sleep 30"
	wait_pane "$later" && rm -f "$T/vanishing" &&
		wait_pane EXITED && grep -q "top stopped: reading the file failed at screen" "$T/pane" &&
		grep -q "EXITED 1" "$T/pane" && ! grep -q Sanitizer "$T/pane" &&
		ok top/tmux-read-fails || bad top/tmux-read-fails "$(tr '\n' '|' <"$T/pane")"
	tm kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TS-"[0-9]	# their sockets
else
	bad top/tmux "tmux is not installed (apt-get install tmux)"
fi

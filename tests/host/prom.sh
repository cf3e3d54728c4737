# shellcheck shell=bash
# Host tests of sockfd --prom, sourced by run.sh (its check/ok/bad helpers,
# $R, $B, $T, $FX, $PROC): the metrics' values on the fake /proc tree,
# `promtool check metrics` on every fixture and on hostile names, sockfd_up 0
# with its reason, --prom-file's atomic replace and its errors, a real
# prometheus-node-exporter scraped over HTTP on 127.0.0.1, the alerting
# rules (promtool check rules / test rules), make install-exporter under
# DESTDIR with `systemd-analyze security`, and a host of 10,000 processes:
# bounded series, no slower than --summary.
# Needs: promtool (prometheus), prometheus-node-exporter, curl.

P=("$R" --proc-root "$PROC" --prom)
# a sample line of the last run's output, exactly
sample() { grep -qxF -- "$1" "$T/out"; }
# promtool check metrics on a file
promcheck() { promtool check metrics <"$1" >"$T/promtool.out" 2>&1; }

# ---- options ----
check prom/help 0 'has "--prom " && has "--prom-file PATH"' -- "$R" --help
check prom/json 2 'err_has "--prom cannot be combined"' -- "$R" -f "$BASIC" --prom -j
check prom/summary 2 'err_has "--prom cannot be combined"' -- "$R" -f "$BASIC" --prom-file "$T/x.prom" --summary
check prom/explain 2 'err_has "explain takes no"' -- "$R" -f "$BASIC" --prom explain 1 45

# ---- values read off basic.txt and the fake /proc tree ----
check prom/up 0 'sample "sockfd_up 1" && sample "sockfd_rows 21" && sample "sockfd_rows_malformed 0"' -- "${P[@]}"
# two fds of one socket (nginx 800 and its worker share 16000) count once
check prom/sockets 0 'sample "sockfd_sockets{family=\"inet\",proto=\"tcp\",state=\"LISTEN\"} 2" &&
	sample "sockfd_sockets{family=\"inet\",proto=\"tcp\",state=\"ESTABLISHED\"} 2" &&
	sample "sockfd_sockets{family=\"unix\",proto=\"stream\",state=\"ESTABLISHED\"} 2" &&
	sample "sockfd_sockets{family=\"packet\",proto=\"raw\",state=\"-\"} 1" &&
	[ "$(grep "^sockfd_sockets{" $T/out | awk "{s += \$2} END {print s}")" = 20 ]' -- "${P[@]}"
check prom/listeners 0 'sample "sockfd_listeners 4" &&
	sample "sockfd_listen_queue{proto=\"tcp\",local=\"0.0.0.0:80\",comm=\"nginx\",netns=\"4026531840\"} 3" &&
	sample "sockfd_listen_backlog{proto=\"tcp\",local=\"0.0.0.0:80\",comm=\"nginx\",netns=\"4026531840\"} 511" &&
	sample "sockfd_listen_backlog{proto=\"tcp\",local=\"[::]:22\",comm=\"sshd\",netns=\"4026531840\"} 128" &&
	[ "$(grep -m1 "^sockfd_listen_queue{" $T/out)" = "sockfd_listen_queue{proto=\"tcp\",local=\"0.0.0.0:80\",comm=\"nginx\",netns=\"4026531840\"} 3" ]' -- \
	"${P[@]}"
# established connections on each listener's port, in its network
# namespace, of its protocol, each socket once (nginx's worker holds the
# one on port 80; sshd's one connection counts for its IPv4 and its IPv6
# listener); a unix listener has no port and no series
check prom/listen-connections 0 'sample "sockfd_listen_connections{proto=\"tcp\",local=\"0.0.0.0:80\",port=\"80\",comm=\"nginx\",netns=\"4026531840\"} 1" &&
	sample "sockfd_listen_connections{proto=\"tcp\",local=\"0.0.0.0:22\",port=\"22\",comm=\"sshd\",netns=\"4026531840\"} 1" &&
	sample "sockfd_listen_connections{proto=\"tcp\",local=\"[::]:22\",port=\"22\",comm=\"sshd\",netns=\"4026531840\"} 1" &&
	[ "$(grep -c "^sockfd_listen_connections{" $T/out)" = 3 ]' -- "${P[@]}"
printf '%s\n' "$H1" \
	"10 web 3 501 1 inet stream tcp LISTEN 0.0.0.0:443 0.0.0.0:0 128 70 0 1 0 1 0" \
	"10 web 4 502 1 inet stream tcp ESTABLISHED 10.0.0.1:443 10.0.0.9:50000 0 0 0 1 0 1 0" \
	"10 web 5 503 1 inet6 stream tcp ESTABLISHED [::ffff:10.0.0.1]:443 [::ffff:10.0.0.9]:50001 0 0 0 1 0 1 0" \
	"11 worker 3 503 1 inet6 stream tcp ESTABLISHED [::ffff:10.0.0.1]:443 [::ffff:10.0.0.9]:50001 0 0 0 1 0 1 0" \
	"11 worker 4 504 1 inet6 stream tcp ESTABLISHED [2001:db8::1]:443 [2001:db8::9]:50002 0 0 0 1 0 1 0" \
	"11 worker 5 505 1 inet stream tcp CLOSE_WAIT 10.0.0.1:443 10.0.0.9:50003 0 0 0 1 0 1 0" \
	"12 client 3 506 1 inet stream tcp ESTABLISHED 10.0.0.1:50004 10.0.0.8:443 0 0 0 1 0 1 0" \
	"13 quic 3 507 1 inet dgram udp ESTABLISHED 10.0.0.1:443 10.0.0.9:50005 0 0 0 1 0 1 0" \
	"20 other 3 601 2 inet stream tcp LISTEN 0.0.0.0:443 0.0.0.0:0 128 0 0 1 0 1 0" \
	"20 other 4 602 2 inet stream tcp ESTABLISHED 10.0.0.1:443 10.0.0.9:50000 0 0 0 1 0 1 0" \
	>"$T/conns.txt"
check prom/listen-connections-netns 0 'promcheck $T/out &&
	sample "sockfd_listen_connections{proto=\"tcp\",local=\"0.0.0.0:443\",port=\"443\",comm=\"web\",netns=\"1\"} 3" &&
	sample "sockfd_listen_connections{proto=\"tcp\",local=\"0.0.0.0:443\",port=\"443\",comm=\"other\",netns=\"2\"} 1"' -- \
	"$R" -f "$T/conns.txt" --proc-root "$PROC" --prom
check prom/processes 0 'sample "sockfd_processes 15" &&
	[ "$(grep -m1 "^sockfd_process_fds{" $T/out)" = "sockfd_process_fds{comm=\"nginx\",pid=\"800\"} 10" ] &&
	sample "sockfd_process_fd_limit{comm=\"nginx\",pid=\"800\"} 12" &&
	sample "sockfd_process_fds{comm=\"app\",pid=\"1000\"} 8" &&
	sample "sockfd_process_fd_limit{comm=\"app\",pid=\"1000\"} +Inf" &&
	sample "sockfd_process_fd_limit{comm=\"sshd\",pid=\"412\"} 1024" &&
	has "# not seen: 10 process(es): exited since /proc/sockfd was read"' -- "${P[@]}"
check prom/top 0 '[ "$(grep -c "^sockfd_process_fds{" $T/out)" = 2 ] &&
	[ "$(grep -c "^sockfd_listen_queue{" $T/out)" = 2 ] && sample "sockfd_listeners 4" &&
	sample "sockfd_process_fds{comm=\"curl\",pid=\"900\"} 6"' -- "${P[@]}" --top 2
check prom/system 0 'sample "sockfd_tcp_time_wait 350" && sample "sockfd_tcp_orphans 2" &&
	sample "sockfd_file_handles{state=\"allocated\"} 1216" &&
	sample "sockfd_file_handles{state=\"max\"} 9223372036854775807" &&
	sample "sockfd_ephemeral_ports_used{proto=\"tcp\"} 3" &&
	sample "sockfd_ephemeral_ports_available{proto=\"tcp\"} 28229" &&
	sample "sockfd_ephemeral_ports_used{proto=\"udp\"} 1" &&
	sample "sockfd_ephemeral_ports_available{proto=\"udp\"} 28231"' -- "${P[@]}"
# listeners' queues count connections: left out of the byte totals
check prom/queues 0 'sample "sockfd_queue_bytes{family=\"inet\",proto=\"tcp\",direction=\"receive\"} 5" &&
	sample "sockfd_queue_bytes{family=\"inet\",proto=\"tcp\",direction=\"send\"} 8" &&
	sample "sockfd_queue_bytes{family=\"inet6\",proto=\"tcp\",direction=\"receive\"} 1024" &&
	sample "sockfd_queue_bytes{family=\"unix\",proto=\"stream\",direction=\"receive\"} 12" &&
	sample "sockfd_sockets_unread{family=\"inet\",proto=\"tcp\"} 1" &&
	sample "sockfd_sockets_unread{family=\"unix\",proto=\"stream\"} 1"' -- "${P[@]}"
check prom/help-type 0 'for m in $(grep -v "^#" $T/out | sed "s/[{ ].*//" | sort -u); do
	grep -qx "# TYPE $m gauge" $T/out && grep -q "^# HELP $m ." $T/out || exit 1; done' -- "${P[@]}"
check prom/filter 0 'sample "sockfd_rows 4" && sample "sockfd_processes 1"' -- "${P[@]}" -p 1000
# malformed lines: the rest is shown and counted; exit 0, the file was written
check prom/malformed 0 'sample "sockfd_up 1" && sample "sockfd_rows 2" && sample "sockfd_rows_malformed 13"' -- \
	"$R" -f "$FX/malformed.txt" --proc-root "$PROC" --prom

# ---- sockfd_up 0: the metrics are still written, exit 0 ----
mkdir -p "$T/noproc"
check prom/down-module 0 'sample "sockfd_up{reason=\"module_not_loaded\"} 0" && hasnt "sockfd_rows" &&
	err_has "sudo modprobe sockfd" && has "sockfd_scrape_seconds "' -- "$R" --proc-root "$T/noproc" --prom
check prom/down-keeps-system 0 'sample "sockfd_up{reason=\"module_not_loaded\"} 0" && sample "sockfd_tcp_time_wait 350"' -- \
	bash -c "cp -r '$PROC' '$T/nomod' && rm '$T/nomod/sockfd' && exec '$R' --proc-root '$T/nomod' --prom"
check prom/down-file 0 'sample "sockfd_up{reason=\"no_file\"} 0"' -- "$R" -f "$T/nope" --proc-root "$T/noproc" --prom
check prom/down-format 0 'sample "sockfd_up{reason=\"bad_format\"} 0"' -- "$R" -f "$FX/empty.txt" --proc-root "$T/noproc" --prom
check prom/down-dir 0 'sample "sockfd_up{reason=\"read_error\"} 0"' -- "$R" -f "$FX" --proc-root "$T/noproc" --prom

# ---- promtool check metrics: every fixture, hostile names ----
# every name a listener's comm and local address and a process's comm:
# NUL, DEL, control bytes, newline, backslash, double quotes, spaces,
# bytes that are not UTF-8, UTF-8
mkdir -p "$T/hostile"
cp -r "$PROC/net" "$PROC/sys" "$T/hostile/"
python3 - "$T/hostile" <<'EOF'
import os, sys
d = sys.argv[1]
h = "pid comm fd ino netns family type proto state local remote txq rxq rmem rcvbuf wmem sndbuf uid\n"
rows = [
    (10, r"a\000b", r"@\000sock\000"),
    (11, r"del\177", r"/tmp/\134back\040slash"),
    (12, r"\001ctl\012", r"/tmp/with\040space\012newline"),
    (13, r"q\042uote\042", r"\042quoted\042"),
    (14, r"\342\202\254euro\377", r"@\300\200overlong"),
    (15, r"back\134slash", r"/run/\134\042\134"),
]
with open(d + "/sockfd", "w") as f:
    f.write(h)
    for pid, comm, local in rows:
        f.write("%d %s 3 %d 1 unix stream - LISTEN %s * 10 %d 0 1 0 1 0\n" % (pid, comm, 100 + pid, local, pid - 10))
        os.makedirs("%s/%d/fd" % (d, pid))
        for fd in range(4):
            open("%s/%d/fd/%d" % (d, pid, fd), "w").close()
        with open("%s/%d/limits" % (d, pid), "w") as l:
            l.write("Limit                     Soft Limit           Hard Limit           Units     \n"
                    "Max open files            %d                 4096                 files     \n" % (4 + pid))
EOF
check prom/hostile-labels 0 'promcheck $T/out &&
	sample "sockfd_listen_queue{proto=\"stream\",local=\"/run/\\\\134\\\"\\\\134\",comm=\"back\\\\134slash\",netns=\"1\"} 5" &&
	sample "sockfd_listen_queue{proto=\"stream\",local=\"\\\"quoted\\\"\",comm=\"q\\\"uote\\\"\",netns=\"1\"} 3" &&
	sample "sockfd_listen_queue{proto=\"stream\",local=\"/tmp/with\\\\040space\\\\012newline\",comm=\"\\\\001ctl\\\\012\",netns=\"1\"} 2" &&
	sample "sockfd_listen_queue{proto=\"stream\",local=\"@\\\\300\\\\200overlong\",comm=\"€euro\\\\377\",netns=\"1\"} 4" &&
	sample "sockfd_process_fds{comm=\"a\\\\000b\",pid=\"10\"} 4" &&
	sample "sockfd_process_fd_limit{comm=\"del\\\\177\",pid=\"11\"} 15"' -- \
	"$R" --proc-root "$T/hostile" --prom
for f in "$FX"/*.txt "$T/hostile/sockfd" "$T/huge.txt"; do
	name=$(basename "$(dirname "$f")")/$(basename "$f")
	"$R" -f "$f" --proc-root "$PROC" --prom >"$T/fx.prom" 2>/dev/null || true
	if promcheck "$T/fx.prom" && grep -q "^sockfd_up" "$T/fx.prom"; then
		ok "prom/promtool/$name"
	else
		bad "prom/promtool/$name" "$(head -c 300 "$T/promtool.out")"
	fi
done
# and a broken label is refused: the check can fail
printf 'sockfd_up{reason="a\\q"} 0\n' >"$T/broken.prom"
if promcheck "$T/broken.prom"; then
	bad prom/promtool/refuses "promtool accepted an invalid escape"
else
	ok prom/promtool/refuses
fi

# ---- --prom-file: atomic replace ----
PF=$T/tf/sockfd.prom
mkdir -p "$T/tf"
check prom-file/write 0 '[ -f $PF ] && [ "$(stat -c %a $PF)" = 644 ] && [ ! -s $T/out ] &&
	diff <(grep -v scrape_seconds $PF) <("${P[@]}" | grep -v scrape_seconds) >/dev/null &&
	[ "$(ls -A $T/tf)" = sockfd.prom ]' -- "$R" --proc-root "$PROC" --prom-file "$PF"
check prom-file/relative 0 '[ -f $T/tf/rel.prom ] && grep -q "^sockfd_up 1" $T/tf/rel.prom' -- \
	bash -c "cd '$T/tf' && exec '$R' --proc-root '$PROC' --prom-file rel.prom"
rm -f "$T/tf/rel.prom"
check prom-file/no-dir 1 'err_has "cannot create a temporary file in $T/nodir: No such file or directory"' -- \
	"$R" --proc-root "$PROC" --prom-file "$T/nodir/sockfd.prom"
check prom-file/not-a-name 1 'err_has "not a file name"' -- "$R" --proc-root "$PROC" --prom-file "$T/tf/"
# a directory in the way of the rename: the old one stays, no temporary file
mkdir "$T/tf/dir.prom"
check prom-file/rename-fails 1 'err_has "cannot rename the temporary file to $T/tf/dir.prom" &&
	[ -d $T/tf/dir.prom ] && [ "$(ls -A $T/tf | sort | tr "\n" " ")" = "dir.prom sockfd.prom " ]' -- \
	"$R" --proc-root "$PROC" --prom-file "$T/tf/dir.prom"
rmdir "$T/tf/dir.prom"
# a directory the user may not write: the old file is left as it was
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	echo old >"$T/tf/ro.prom"
	chmod 0755 "$T" "$T/tf" && chmod -R a+rX "$T/hostile"
	check prom-file/unwritable 1 'err_has "cannot create a temporary file in $T/tf: Permission denied" &&
		[ "$(cat $T/tf/ro.prom)" = old ] && [ "$(ls -A $T/tf | sort | tr "\n" " ")" = "ro.prom sockfd.prom " ]' -- \
		setpriv --reuid 65534 --regid 65534 --clear-groups "$R" --proc-root "$T/hostile" --prom-file "$T/tf/ro.prom"
	rm -f "$T/tf/ro.prom"
fi

# ---- a real node_exporter, textfile collector, over HTTP ----
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$T/tf" >"$T/node-exporter.log" 2>&1 &
ne_pid=$!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/metrics" >"$T/scrape.txt" 2>/dev/null && break
	sleep 0.1
done
kill "$ne_pid" 2>/dev/null || true
wait "$ne_pid" 2>/dev/null || true
mkdir -p "$B/prom"
cp "$T/scrape.txt" "$B/prom/node-exporter-scrape.txt"
scraped() { grep -qxF -- "$1" "$T/scrape.txt"; }
if ! grep -q '^node_textfile_scrape_error' "$T/scrape.txt"; then
	bad prom/node-exporter "no scrape from 127.0.0.1:$port: $(tail -c 300 "$T/node-exporter.log")"
else
	# node_exporter sorts labels by name and writes floats its own way
	expect_scrape=(
		'node_textfile_scrape_error 0'
		'sockfd_up 1' 'sockfd_rows 21' 'sockfd_rows_malformed 0' 'sockfd_processes 15' 'sockfd_listeners 4'
		'sockfd_sockets{family="inet",proto="tcp",state="LISTEN"} 2'
		'sockfd_listen_queue{comm="nginx",local="0.0.0.0:80",netns="4026531840",proto="tcp"} 3'
		'sockfd_listen_backlog{comm="nginx",local="0.0.0.0:80",netns="4026531840",proto="tcp"} 511'
		'sockfd_listen_connections{comm="nginx",local="0.0.0.0:80",netns="4026531840",port="80",proto="tcp"} 1'
		'sockfd_process_fds{comm="nginx",pid="800"} 10'
		'sockfd_process_fd_limit{comm="nginx",pid="800"} 12'
		'sockfd_process_fd_limit{comm="app",pid="1000"} +Inf'
		'sockfd_tcp_time_wait 350' 'sockfd_tcp_orphans 2'
		'sockfd_ephemeral_ports_used{proto="tcp"} 3' 'sockfd_ephemeral_ports_available{proto="tcp"} 28229'
		'sockfd_file_handles{state="allocated"} 1216'
		'sockfd_queue_bytes{direction="receive",family="inet6",proto="tcp"} 1024'
		'sockfd_sockets_unread{family="unix",proto="stream"} 1'
	)
	missing=()
	for l in "${expect_scrape[@]}"; do scraped "$l" || missing+=("$l"); done
	grep -q "^node_textfile_mtime_seconds{file=\"$PF\"} " "$T/scrape.txt" || missing+=("the file's mtime")
	# every metric of the file is served, with as many series
	for m in $(grep -v '^#' "$PF" | sed 's/[{ ].*//' | sort -u); do
		[ "$(grep -c "^$m[{ ]" "$PF")" = "$(grep -c "^$m[{ ]" "$T/scrape.txt")" ] || missing+=("all series of $m")
	done
	if [ ${#missing[@]} = 0 ]; then
		ok "prom/node-exporter (127.0.0.1:$port, $(grep -c '^sockfd_' "$T/scrape.txt") sockfd series)"
	else
		bad prom/node-exporter "not in the scrape: ${missing[*]}"
	fi
fi

# ---- alerting rules ----
RULES=$TOP/contrib/prometheus
check prom/rules-check 0 'has "SUCCESS: 8 rules found"' -- promtool check rules "$RULES/sockfd.rules.yml"
check prom/rules-test 0 'has "SUCCESS"' -- bash -c "cd '$RULES' && exec promtool test rules sockfd.rules.test.yml"
# SockfdTimeWaitFlood on the reader's own output for two fake hosts: "web",
# a server with 50,000 TIME_WAIT sockets on its listening ports (443, and
# 40000 inside the ephemeral range), each towards another client, plus 200
# of its own to its database, must not alert; "client", 20,000 TIME_WAIT
# from ephemeral ports to 10.0.0.5:443 (19,000 IPv4, 1,000 of a dual-stack
# socket as ::ffff:10.0.0.1), over half the range of 28,232, must.
python3 - "$T/tw" "$PROC" <<'EOF'
import os, shutil, sys
d, proc = sys.argv[1:]
def addr4(a):    # as /proc/net/tcp writes it: the __be32 as a host-order word
    return "".join("%02X" % int(x) for x in reversed(a.split(".")))
def mapped(a):   # ::ffff:a.b.c.d as /proc/net/tcp6 writes it
    return "0000000000000000FFFF0000" + addr4(a)
def line(i, l, lp, r, rp, st):
    return ("%4d: %s:%04X %s:%04X %s 00000000:00000000 03:00000F00 00000000     0        0 0 3 "
            "0000000000000000\n" % (i, l, lp, r, rp, st))
head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
for host in ("web", "client"):
    os.makedirs(d + "/" + host + "/net")
    shutil.copytree(proc + "/sys", d + "/" + host + "/sys")
    t4, t6 = [head], [head]
    if host == "web":
        for i in range(50000):   # clients 10.1.x.y, each its own 4-tuple
            port = 443 if i < 40000 else 40000
            t4.append(line(i, addr4("10.0.0.2"), port,
                           addr4("10.1.%d.%d" % (i // 250, i % 250 + 1)), 1024 + i, "06"))
        for i in range(200):
            t4.append(line(i, addr4("10.0.0.2"), 33000 + i, addr4("10.0.0.9"), 5432, "06"))
        t4.append(line(0, addr4("0.0.0.0"), 443, addr4("0.0.0.0"), 0, "0A"))
        t4.append(line(0, addr4("0.0.0.0"), 40000, addr4("0.0.0.0"), 0, "0A"))
        tw = 50200
    else:
        for i in range(19000):
            t4.append(line(i, addr4("10.0.0.1"), 32768 + i, addr4("10.0.0.5"), 443, "06"))
        for i in range(1000):
            t6.append(line(i, mapped("10.0.0.1"), 51768 + i, mapped("10.0.0.5"), 443, "06"))
        # established connections to the same destination: not TIME_WAIT
        for i in range(100):
            t4.append(line(i, addr4("10.0.0.1"), 52768 + i, addr4("10.0.0.5"), 443, "01"))
        # 2001:db8::1 to [2001:db8::5]:443, each word in host order
        for i in range(7):
            t6.append(line(i, "B80D0120000000000000000001000000", 40000 + i,
                           "B80D0120000000000000000005000000", 443, "06"))
        tw = 20007
    open(d + "/" + host + "/net/tcp", "w").writelines(t4)
    open(d + "/" + host + "/net/tcp6", "w").writelines(t6)
    with open(d + "/" + host + "/net/sockstat", "w") as f:
        f.write("sockets: used 100\nTCP: inuse 1 orphan 0 tw %d alloc 1 mem 1\n" % tw)
EOF
# web: the total counts all 50,200; per destination only the 200 to the
# database and ten (--top) of the clients on port 40000, one each
check prom/time-wait-web 0 'sample "sockfd_tcp_time_wait 50200" &&
	[ "$(grep -m1 "^sockfd_tcp_time_wait_ephemeral{" $T/out)" = "sockfd_tcp_time_wait_ephemeral{local_addr=\"10.0.0.2\",remote=\"10.0.0.9:5432\"} 200" ] &&
	[ "$(grep -c "^sockfd_tcp_time_wait_ephemeral{.*} 1$" $T/out)" = 9 ]' -- \
	"$R" -f "$FX/header-only.txt" --proc-root "$T/tw/web" --prom
cp "$T/out" "$T/tw/web.prom"
check prom/time-wait-client 0 'sample "sockfd_tcp_time_wait 20007" &&
	[ "$(grep -m1 "^sockfd_tcp_time_wait_ephemeral{" $T/out)" = "sockfd_tcp_time_wait_ephemeral{local_addr=\"10.0.0.1\",remote=\"10.0.0.5:443\"} 20000" ] &&
	sample "sockfd_tcp_time_wait_ephemeral{local_addr=\"2001:db8::1\",remote=\"[2001:db8::5]:443\"} 7" &&
	[ "$(grep -c "^sockfd_tcp_time_wait_ephemeral{" $T/out)" = 2 ]' -- \
	"$R" -f "$FX/header-only.txt" --proc-root "$T/tw/client" --prom
cp "$T/out" "$T/tw/client.prom"
# --summary names the same destination, warning from half the range on
check summary/time-wait-web 0 'has "most to one destination: 200 from 10.0.0.2 to 10.0.0.9:5432: 0.7%" &&
	hasnt "run out of ports"' -- "$R" -f "$FX/header-only.txt" --proc-root "$T/tw/web" --summary
check summary/time-wait-client 0 'has "most to one destination: 20000 from 10.0.0.1 to 10.0.0.5:443: 70.8%  warning: connect() to it will run out of ports"' -- \
	"$R" -f "$FX/header-only.txt" --proc-root "$T/tw/client" --summary
# both runs' samples, each as a series of 10 minutes, into the rules
python3 - "$T/tw" "$RULES/sockfd.rules.yml" <<'EOF'
import sys
d, rules = sys.argv[1:]
series = []
for host in ("web", "client"):
    for l in open("%s/%s.prom" % (d, host)):
        if l.startswith("#") or "Inf" in l:
            continue
        name, value = l.rsplit(" ", 1)
        if "{" in name:
            name = name.replace("{", '{instance="%s",' % host, 1)
        else:
            name += '{instance="%s"}' % host
        series.append("      - series: '%s'\n        values: '%sx10'\n" % (name, value.strip()))
with open(d + "/test.yml", "w") as f:
    f.write("rule_files: [%s]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n"
            % rules)
    f.writelines(series)
    f.write("""    alert_rule_test:
      - eval_time: 10m
        alertname: SockfdTimeWaitFlood
        exp_alerts:
          - exp_labels: {severity: warning, instance: client, local_addr: 10.0.0.1, remote: "10.0.0.5:443"}
            exp_annotations:
              summary: "20000 TCP connections from 10.0.0.1 to 10.0.0.5:443 in TIME_WAIT on client, over half the ephemeral port range: connect() to that destination will fail with EADDRNOTAVAIL once every port is taken; reuse connections (keep-alive, pools), widen net.ipv4.ip_local_port_range, or set net.ipv4.tcp_tw_reuse=1 (connect() may then take over a TIME_WAIT connection older than a second, with TCP timestamps on; the default 2 does so only on loopback)"
""")
EOF
check prom/rules-time-wait 0 'has "SUCCESS"' -- promtool test rules "$T/tw/test.yml"
# each rule's metrics are ones the reader writes (or node_exporter's)
check prom/rules-metrics 0 'for m in $(grep -o "sockfd_[a-z_]*" $RULES/sockfd.rules.yml | sort -u); do
	grep -q "^# TYPE $m gauge" $PF || { echo "$m" >&2; exit 1; }; done' -- true

# ---- make install-exporter / uninstall-exporter under DESTDIR ----
D=$T/exporter-dest
UNIT=$D/etc/systemd/system/sockfd-prom.service
check prom/install-exporter 0 '[ -x $D/usr/bin/sockfd ] && [ -f $D/etc/systemd/system/sockfd-prom.timer ] &&
	grep -qx "ExecStart=/usr/bin/sockfd --prom-file /srv/tf/sockfd.prom" $UNIT &&
	grep -qx "ReadWritePaths=/srv/tf" $UNIT && ! grep -q "@[A-Z_]*@" $UNIT && [ -d $D/srv/tf ] &&
	grep -qx "OnUnitActiveSec=30s" $D/etc/systemd/system/sockfd-prom.timer' -- \
	make -s -C "$TOP" install-exporter DESTDIR="$D" PREFIX=/usr TEXTFILE_DIR=/srv/tf
# the exposure level systemd gives the unit (0 best, 10 worst), at most 2.5
if command -v systemd-analyze >/dev/null; then
	score=$(systemd-analyze security --offline=true --no-pager "$UNIT" 2>&1 |
		sed -n 's/.*Overall exposure level for sockfd-prom.service: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && python3 -c "import sys; sys.exit(0 if float('$score') <= 2.5 else 1)"; then
		ok "prom/systemd-security (exposure $score)"
	else
		bad prom/systemd-security "exposure '$score', want at most 2.5"
	fi
fi
touch "$D/srv/tf/sockfd.prom" "$D/srv/tf/other.prom"
check prom/uninstall-exporter 0 '[ ! -e $UNIT ] && [ ! -e $D/etc/systemd/system/sockfd-prom.timer ] &&
	[ ! -e $D/srv/tf/sockfd.prom ] && [ -e $D/srv/tf/other.prom ] && [ -x $D/usr/bin/sockfd ]' -- \
	make -s -C "$TOP" uninstall-exporter DESTDIR="$D" PREFIX=/usr TEXTFILE_DIR=/srv/tf

# ---- 10,000 processes: bounded series, no slower than --summary ----
python3 - "$T/many" "$PROC" <<'EOF'
import os, sys
d, proc = sys.argv[1:]
os.makedirs(d + "/net")
os.makedirs(d + "/sys/fs")
os.makedirs(d + "/sys/net/ipv4")
lim = ("Limit                     Soft Limit           Hard Limit           Units     \n"
       "Max open files            %d                 524288               files     \n")
with open(d + "/sockfd", "w") as f:
    f.write("pid comm fd ino netns family type proto state local remote txq rxq rmem rcvbuf wmem sndbuf uid\n")
    for i in range(10000):
        pid = 2000 + i
        # every process listens; every tenth also has a client connection
        f.write("%d worker%d 3 %d 4026531840 inet stream tcp LISTEN 0.0.0.0:%d 0.0.0.0:0 128 %d 0 131072 0 16384 0\n"
                % (pid, i, 100000 + i, 10000 + i, i % 129))
        if i % 10 == 0:
            f.write("%d worker%d 4 %d 4026531840 inet stream tcp ESTABLISHED 127.0.0.1:%d 127.0.0.1:80 0 7 0 131072 0 16384 0\n"
                    % (pid, i, 200000 + i, 40000 + i % 20000))
        os.makedirs("%s/%d/fd" % (d, pid))
        for fd in range(5 + i % 7):
            open("%s/%d/fd/%d" % (d, pid, fd), "w").close()
        with open("%s/%d/limits" % (d, pid), "w") as l:    # 4321: at its limit
            l.write(lim % (5 + i % 7 if i == 4321 else 1024 + i))
for name in ("net/sockstat", "net/tcp", "net/tcp6", "net/udp", "net/udp6", "sys/fs/file-nr",
             "sys/fs/file-max", "sys/net/ipv4/ip_local_port_range"):
    src = os.path.join(proc, name)
    with open(src) as s, open(os.path.join(d, name), "w") as t:
        t.write(s.read())
EOF
# series: 5 per --top (fds and limit per process, queue, backlog and
# connections per listener) and 40 more
"$R" --proc-root "$T/many" --prom --top 20 >"$T/many20.prom"
check prom/many-bounded 0 'promcheck $T/out && [ "$(grep -c "^sockfd_process_fds{" $T/out)" = 10 ] &&
	[ "$(grep -c "^sockfd_listen_queue{" $T/out)" = 10 ] && sample "sockfd_processes 10000" &&
	[ "$(grep -c "^sockfd_listen_connections{" $T/out)" = 10 ] &&
	sample "sockfd_listeners 10000" && [ "$(grep -vc "^#" $T/out)" -le 90 ] &&
	[ $(($(grep -vc "^#" $T/many20.prom) - $(grep -vc "^#" $T/out))) = 50 ] &&
	sample "sockfd_listen_queue{proto=\"tcp\",local=\"0.0.0.0:10128\",comm=\"worker128\",netns=\"4026531840\"} 128" &&
	[ "$(grep -m1 "^sockfd_process_fds{" $T/out)" = "sockfd_process_fds{comm=\"worker4321\",pid=\"6321\"} 7" ] &&
	sample "sockfd_process_fd_limit{comm=\"worker4321\",pid=\"6321\"} 7"' -- \
	"$R" --proc-root "$T/many" --prom

#!/usr/bin/env python3
# gen-capture.py LINES: a synthetic format 2 /proc/sockfd capture on stdout,
# laid out as the module lays it out (the widths of module/sockfd.h), with
# varied pids, fds, inodes, ports, names, escapes, families and states, so
# that column widths and cell text are realistic (~250 bytes a line).
# For measuring the reader (README "Performance"); deterministic.
import sys

W = [("pid", 7), ("comm", 15), ("fd", 5), ("ino", 9), ("netns", 10),
     ("family", 7), ("type", 9), ("proto", 8), ("state", 11), ("local", 21),
     ("remote", 21), ("txq", 7), ("rxq", 7), ("rmem", 7), ("rcvbuf", 7),
     ("wmem", 7), ("sndbuf", 7), ("uid", 5), ("cookie", 8), ("cgroup", 6),
     ("drops", 5), ("timer", 17), ("retrans", 7), ("rtt", 13), ("cwnd", 0)]
COMMS = ["nginx\\040worker", "sshd", "postgres", "redis-server", "systemd",
         "java", "café", "dnsmasq", "chronyd", "node"]
UIDS = [0, 33, 1000, 65534, 999]


def line(vals):
    return " ".join("%-*s" % (w, v) for (_, w), v in zip(W, vals)).rstrip() + "\n"


def row(i):
    pid = 1000 + i // 40
    comm = COMMS[(i // 40) % len(COMMS)]
    fd = 3 + i % 40
    ino = 1000000 + i * 7
    netns = 4026531840 + (i // 5000) * 0  # one namespace, as on most hosts
    k = i % 10
    uid = UIDS[(i // 40) % len(UIDS)]
    cookie = 4096 + i
    cgroup = 5000 + (i // 40) % 300
    if k < 6:
        fam, typ, proto = "inet", "stream", "tcp"
        st = "ESTABLISHED" if k < 5 else "LISTEN"
        local = "10.%d.%d.%d:%d" % (i % 7, (i // 7) % 250, i % 250, 1024 + i % 60000)
        remote = "192.0.2.%d:%d" % (i % 254, 443 if k % 2 else 80) if k < 5 else "0.0.0.0:0"
        timer = ["-", "keepalive/7199000", "retransmit/200", "probe/400"][i % 4]
        retrans, rtt, cwnd = "%d/%d" % (i % 3, i % 9), "%d/%d" % (1000 + i % 90000, 500 + i % 700), "%d/%s" % (10 + i % 30, "-" if i % 5 else "7")
    elif k < 8:
        fam, typ, proto, st = "inet6", "dgram", "udp", "CLOSE"
        local = "[fe80::%x]:%d" % (i % 65536, 5353 + i % 100)
        remote = "[::]:0"
        timer, retrans, rtt, cwnd = "-", "-", "-", "-"
    else:
        fam, typ, proto, st = "unix", "stream", "-", "ESTABLISHED" if k == 8 else "LISTEN"
        local = "/run/app/sock%d" % (i % 997) if k == 9 else "@abstract\\040%d" % (i % 50)
        remote = "*"
        timer, retrans, rtt, cwnd = "-", "-", "-", "-"
    txq, rxq = i % 3 * 1280, (i % 11 == 0) * 4096 * (i % 7)
    rmem, rcvbuf, wmem, sndbuf = rxq, 131072 + (i % 4) * 65536, txq, 16384 * (1 + i % 5)
    return line([pid, comm, fd, ino, netns, fam, typ, proto, st, local, remote,
                 txq, rxq, rmem, rcvbuf, wmem, sndbuf, uid, cookie, cgroup,
                 i % 13 == 0 and i % 97 or 0, timer, retrans, rtt, cwnd])


n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
out = sys.stdout
out.write(line([name for name, _ in W]))
for i in range(n):
    out.write(row(i))

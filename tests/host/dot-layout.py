#!/usr/bin/env python3
# dot-layout.py FILE.dot: checks the drawing Graphviz makes of a
# `sockfd --dot` graph (dot -Tplain: node centres and edge splines):
#  - chain: every fd has one edge, to an open file ("f" node); every open
#    file one edge to its socket ("s" node); no fd is joined to a socket
#    directly; each open file is drawn between its fds and its socket;
#  - order: the fds of each process top to bottom in numeric order;
#  - pairs: the two ends of each connection (a dashed edge) side by side,
#    with no other node between them;
#  - crossings: no two visible edges that share no node cross (splines
#    sampled, segments intersected).
# Prints the problems, or one line "layout ok: ..." and exits 0.
import re
import subprocess
import sys

src = open(sys.argv[1]).read()
plain = subprocess.run(["dot", "-Tplain", sys.argv[1]], check=True,
                       capture_output=True, text=True).stdout

nodes = {}      # name -> (x, y, w, h)
edges = []      # (tail, head, points, style)
for line in plain.splitlines():
    f = line.split()
    if f[0] == "node":
        nodes[f[1]] = tuple(float(v) for v in f[2:6])
    elif f[0] == "edge":
        n = int(f[3])
        pts = [(float(f[4 + 2 * i]), float(f[5 + 2 * i])) for i in range(n)]
        edges.append((f[1], f[2], pts, f[-2]))

problems = []
kind = lambda name: name[0]     # p (fd), f (open file), s (socket)

# ---- chain: fd -> open file -> socket ----
dot_edges = re.findall(r'^\t"([pfs][0-9_]+)" -> "([pfs][0-9_]+)"(.*);$', src, re.M)
touch = {}
for a, b, attrs in dot_edges:
    if "invis" in attrs:
        continue
    touch.setdefault(a, []).append(b)
    touch.setdefault(b, []).append(a)
for name in nodes:
    if kind(name) == "p":
        files = [o for o in touch.get(name, []) if kind(o) == "f"]
        if len(touch.get(name, [])) != 1 or len(files) != 1:
            problems.append("fd %s: edges to %s, want one open file" % (name, touch.get(name)))
    elif kind(name) == "f":
        socks = [o for o in touch.get(name, []) if kind(o) == "s"]
        fds = [o for o in touch.get(name, []) if kind(o) == "p"]
        if len(socks) != 1 or not fds:
            problems.append("open file %s: sockets %s, fds %s" % (name, socks, fds))
            continue
        sx = nodes[socks[0]][0]
        for p in fds:
            px, fx = nodes[p][0], nodes[name][0]
            if not (min(px, sx) < fx < max(px, sx)):
                problems.append("open file %s (x %.2f) not between fd %s (%.2f) and socket %s (%.2f)"
                                % (name, fx, p, px, socks[0], sx))
    elif kind(name) == "s" and any(kind(o) == "p" for o in touch.get(name, [])):
        problems.append("socket %s joined to an fd directly" % name)

# ---- order: fds top to bottom by number (plain's y grows upwards) ----
procs = {}
for name in nodes:
    m = re.match(r"p(\d+)_(\d+)$", name)
    if m:
        procs.setdefault(m.group(1), []).append((int(m.group(2)), nodes[name][1], name))
for pid, fds in procs.items():
    fds.sort()
    for (fa, ya, na), (fb, yb, nb) in zip(fds, fds[1:]):
        if not ya > yb:
            problems.append("process %s: fd %d (y %.2f) not above fd %d (y %.2f)" % (pid, fa, ya, fb, yb))

# ---- pairs: the two ends of a connection next to each other ----
def between(a, b, c, axis):
    """c lies strictly between a and b along axis, overlapping them across it."""
    lo, hi = sorted((nodes[a][axis], nodes[b][axis]))
    other = 1 - axis
    half = nodes[c][2 + other] / 2
    return lo < nodes[c][axis] < hi and abs(nodes[c][other] - nodes[a][other]) < half
pairs = 0
for t, h, pts, style in edges:
    if style != "dashed":
        continue
    pairs += 1
    (xa, ya), (xb, yb) = nodes[t][:2], nodes[h][:2]
    if abs(ya - yb) < 0.05:
        axis = 0
    elif abs(xa - xb) < 0.05:
        axis = 1
    else:
        problems.append("ends %s (%.2f, %.2f) and %s (%.2f, %.2f) neither in a row nor in a column"
                        % (t, xa, ya, h, xb, yb))
        continue
    for c in nodes:
        if c not in (t, h) and between(t, h, c, axis):
            problems.append("%s lies between the ends %s and %s" % (c, t, h))

# ---- crossings ----
def sample(pts):
    out = [pts[0]]
    for i in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[i:i + 4]
        for k in range(1, 17):
            u = k / 16
            out.append(tuple((1 - u) ** 3 * p0[j] + 3 * (1 - u) ** 2 * u * p1[j] +
                             3 * (1 - u) * u ** 2 * p2[j] + u ** 3 * p3[j] for j in (0, 1)))
    return out

def cross(p, q, r, s):
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 1e-9) - (v < -1e-9)
    return (orient(p, q, r) * orient(p, q, s) < 0 and orient(r, s, p) * orient(r, s, q) < 0)

visible = [(t, h, sample(pts)) for t, h, pts, style in edges if style != "invis"]
crossings = 0
for i in range(len(visible)):
    ta, ha, la = visible[i]
    for j in range(i + 1, len(visible)):
        tb, hb, lb = visible[j]
        if {ta, ha} & {tb, hb}:
            continue
        if any(cross(la[k], la[k + 1], lb[m], lb[m + 1])
               for k in range(len(la) - 1) for m in range(len(lb) - 1)):
            crossings += 1
            problems.append("edges %s-%s and %s-%s cross" % (ta, ha, tb, hb))

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("layout ok: %d fds, %d open files, %d sockets, %d connection(s) side by side, 0 crossings"
      % (sum(len(v) for v in procs.values()), sum(kind(n) == "f" for n in nodes),
         sum(kind(n) == "s" for n in nodes), pairs))

#!/usr/bin/env python3
# walkthrough-src.py [DOC]: docs/walkthrough.md joined to the source.
#
# Every function the page names in backticks (`name()`, `name(args)`) must
# be defined in Debian's 6.1 kernel source (a C function with a body, a
# function-like macro, or a system call, SYSCALL_DEFINEn(name)), or, for a
# sockfd_* name, in module/. Where the page pairs a function with a file
# ("`name()` (path/file.c", "`name()`, path/file.c", "`name()` in
# path/file.c"), the definition must be in that file. Every "struct NAME
# ->field" the page names in backticks (`task_struct->files`) must be a
# member of that struct in the 6.1 headers or sources.
#
# The 6.1 tree: $SOCKFD_LINUX_SRC, else
# /usr/src/linux-source-6.1, else the parts needed unpacked from
# /usr/src/linux-source-6.1.tar.xz (apt-get install linux-source-6.1) into
# build/linux-source-6.1.
#
# Prints one PASS:/FAIL: line per name, then "N passed, N failed".
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "docs", "walkthrough.md")
DIRS = ["fs", "net", "kernel", "include", "mm", "lib", "drivers/net", "ipc", "security"]

# The kernel's usual variable names for the structs of the chain.
ALIAS = {"task": "task_struct", "files": "files_struct", "fdt": "fdtable",
         "sock": "socket", "sk": "sock", "inet": "inet_sock", "tp": "tcp_sock"}

passed = failed = 0


def ok(name):
    global passed
    print("PASS: walkthrough-src/%s" % name)
    passed += 1


def bad(name, why):
    global failed
    print("FAIL: walkthrough-src/%s: %s" % (name, why))
    failed += 1


def source_tree():
    for d in (os.environ.get("SOCKFD_LINUX_SRC"), "/usr/src/linux-source-6.1"):
        if d and os.path.isfile(os.path.join(d, "Makefile")) and os.path.isdir(os.path.join(d, "net")):
            return d
    tarball = "/usr/src/linux-source-6.1.tar.xz"
    dest = os.path.join(TOP, "build", "linux-source-6.1")
    if os.path.isfile(os.path.join(dest, "Makefile")):
        return dest
    if os.path.isfile(tarball):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        members = ["linux-source-6.1/Makefile"] + ["linux-source-6.1/" + d for d in DIRS]
        subprocess.run(["tar", "-xJf", tarball, "-C", os.path.dirname(dest)] + members, check=True)
        return dest
    return None


def defined_in(text, name):
    """True if text defines function, macro or system call name."""
    if re.search(r"^#\s*define\s+%s\(" % re.escape(name), text, re.M):
        return True
    if re.search(r"\b(COMPAT_)?SYSCALL_DEFINE\d\(%s[,)]" % re.escape(name), text):
        return True
    # A definition starts at the beginning of a line (kernel style) and
    # its closing parenthesis is followed by '{', not ';'.
    for m in re.finditer(r"^[A-Za-z_][^;{}()=]*?\b%s\(" % re.escape(name), text, re.M):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        rest = text[i:i + 400]
        # attributes and __acquires() may follow; the first { or ; decides
        brace, semi = rest.find("{"), rest.find(";")
        if brace >= 0 and (semi < 0 or brace < semi):
            return True
    return False


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def grep_files(root, pattern, dirs):
    """Files under root/dirs (*.c, *.h) with a line matching pattern (ERE)."""
    r = subprocess.run(["grep", "-rlE", "--include=*.c", "--include=*.h", pattern] +
                       [d for d in dirs if os.path.isdir(os.path.join(root, d))],
                       cwd=root, capture_output=True, text=True)
    return r.stdout.split()


def struct_has(root, struct, field, cache={}):
    if struct not in cache:
        files = grep_files(root, r"^struct %s \{" % struct, ["include", "fs", "net", "kernel"])
        bodies = []
        for f in files:
            text = read(os.path.join(root, f))
            for m in re.finditer(r"^struct %s \{\n(.*?)^\};" % re.escape(struct), text, re.M | re.S):
                bodies.append(m.group(1))
        cache[struct] = bodies
    return any(re.search(r"[\s*]%s(\[[^\]]*\])?\s*[;:,]" % re.escape(field), b) or
               re.search(r"\(\*%s\)" % re.escape(field), b) for b in cache[struct])


def main():
    doc = read(DOC)
    root = source_tree()
    if not root:
        bad("source", "no Linux 6.1 source tree: set SOCKFD_LINUX_SRC, or apt-get install linux-source-6.1")
        print("%d passed, %d failed" % (passed, failed))
        return 1
    sub = re.search(r"^SUBLEVEL = (\d+)", read(os.path.join(root, "Makefile")), re.M)
    print("# Linux 6.1.%s source: %s" % (sub.group(1) if sub else "?", root))

    # Code blocks are captured output, not the page's own words.
    prose = re.sub(r"^```.*?^```", "", doc, flags=re.M | re.S)
    names = sorted(set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)\([^`]*\)`", prose)))
    path_re = r"(?:[a-z0-9_-]+/)+[A-Za-z0-9_.-]+\.[ch]"
    pairs = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)\(\)`(?:,\s*|\s+in\s+|\s*\(\s*|:\s*)(%s)" % path_re,
                           prose))
    # `task->files`, `files->fdt->fd[N]`: each hop a member of the struct
    # before it, by struct name or the kernel's usual variable name for it
    fields = set()
    for chain in re.findall(r"`([a-z_]+(?:->[a-z_]+(?:\[[^`\]]*\])?)+)`", prose):
        hops = [re.sub(r"\[.*", "", h) for h in chain.split("->")]
        for a, b in zip(hops, hops[1:]):
            fields.add((ALIAS.get(a, a), b))
    fields = sorted(fields)

    module = {f: read(os.path.join(TOP, "module", f)) for f in os.listdir(os.path.join(TOP, "module"))
              if f.endswith((".c", ".h"))}
    kernel_names = names
    candidates = {}
    if kernel_names:
        alt = "|".join(re.escape(n) for n in kernel_names)
        for f in grep_files(root, r"(^[A-Za-z_#].*\b(%s)\(|SYSCALL_DEFINE[0-9]\((%s)[,)])" % (alt, alt), DIRS):
            text = read(os.path.join(root, f))
            for n in kernel_names:
                if re.search(r"\b%s\b" % re.escape(n), text):
                    candidates.setdefault(n, []).append((f, text))

    for n in names:
        where = [f for f, t in sorted(module.items()) if defined_in(t, n)]
        if where:
            ok("%s() in module/%s" % (n, where[0]))
            continue
        where = [f for f, t in candidates.get(n, []) if defined_in(t, n)]
        if where:
            ok("%s() in %s" % (n, where[0] if len(where) == 1 else "%s (and %d more)" % (where[0], len(where) - 1)))
        else:
            bad("%s()" % n, "named by the page, defined nowhere in the 6.1 tree (%s)" % " ".join(DIRS))
    for n, path in sorted(pairs):
        full = os.path.join(TOP if path.startswith("module/") else root, path)
        if os.path.isfile(full) and defined_in(read(full), n):
            ok("%s() is in %s" % (n, path))
        else:
            bad("%s() in %s" % (n, path), "the page says so; %s" %
                ("no such file" if not os.path.isfile(full) else "that file does not define it"))
    for struct, field in fields:
        if struct_has(root, struct, field):
            ok("struct %s has %s" % (struct, field))
        else:
            bad("%s->%s" % (struct, field), "no member %s in struct %s in the 6.1 tree" % (field, struct))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

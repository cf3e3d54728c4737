#!/bin/bash
# walkthrough.sh (make walkthrough): regenerates the real output and the
# figures of docs/walkthrough.md from one guest run.
#
#   tests/vm/walkthrough.sh [--kernel 6.1|6.12|debug] [--out DIR]
#
# Boots the kernel (default 6.1) with the guest test tests/guest/walkthrough
# (the same demonstrations and checks that make check runs), then prints the
# file the test captured, /run/walkthrough.txt:
#   "@@ NAME" blocks   commands ("$ CMD") and their output
#   "@@ dot NAME"      `sockfd --dot` graphs
# Only when every check passed: each block NAME replaces the lines between
# "<!-- capture NAME -->" and "<!-- end capture -->" in docs/walkthrough.md
# (as a code block), and each graph becomes docs/walkthrough-NAME.svg
# (Graphviz: dot -Tsvg). A block or a figure the document does not use, or a
# marker without a block, is an error. Pids, inodes, ports, timers and the
# sizes that depend on timing differ from run to run (docs/walkthrough.md's
# introduction says which); states and counts of sockets and fds do not.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernel=6.1 out=$SOCKFD_BUILD/walkthrough
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "option $1 needs a value"
	case $1 in
	--kernel) kernel=$2 ;;
	--out) out=$2 ;;
	*) die "unknown option $1 (see the head of $0)" ;;
	esac
	shift 2
done
doc=$SOCKFD_ROOT/docs/walkthrough.md
command -v dot >/dev/null || die "Graphviz's dot is missing: apt-get install graphviz (or make deps)"
[ -f "$doc" ] || die "no $doc"

mkdir -p "$out"
rm -rf "$out/blocks" "$out/dot"
mkdir -p "$out/blocks" "$out/dot"
say "running the walkthrough's demonstrations on $kernel (about a minute on 6.1)"
status=0
"$SOCKFD_ROOT/tests/vm/run-guest.sh" --kernel "$kernel" --out "$out/guest" \
	--tests walkthrough --run '
echo "--- walkthrough capture begin ---"
cat /run/walkthrough.txt
echo "--- walkthrough capture end ---"' >"$out/guest.out" 2>"$out/guest.err" || status=$?
if [ "$status" != 0 ]; then
	grep -E 'FAIL|passed' "$out/guest.out" >&2 || true
	die "the walkthrough's checks failed on $kernel: docs/ left as it is (log: $out/guest/console.log)"
fi
sed -n '/^--- walkthrough capture begin ---$/,/^--- walkthrough capture end ---$/p' \
	"$out/guest.out" | sed '1d;$d' >"$out/capture.txt"
[ -s "$out/capture.txt" ] || die "the guest printed no capture (log: $out/guest/console.log)"

# Split into blocks; trailing blanks of the output lines go.
awk -v b="$out/blocks" -v d="$out/dot" '
	/^@@ dot / { f = d "/" $3 ".dot"; next }
	/^@@ / { f = b "/" $2 ".txt"; next }
	f { sub(/[ \t]+$/, ""); print >> f }
' "$out/capture.txt"

# The figures.
for g in "$out"/dot/*.dot; do
	[ -e "$g" ] || continue
	name=$(basename "$g" .dot)
	grep -q "walkthrough-$name.svg" "$doc" || die "figure $name: docs/walkthrough.md does not show walkthrough-$name.svg"
	dot -Tsvg "$g" -o "$out/walkthrough-$name.svg" || die "dot -Tsvg rejects $g"
done

# The document: each marked block replaced, everything else kept.
awk -v b="$out/blocks" '
	/^<!-- capture [A-Za-z0-9_-]+ -->$/ {
		print
		name = $3
		file = b "/" name ".txt"
		if ((getline line < file) <= 0) {
			print "walkthrough.sh: no output captured for block " name > "/dev/stderr"
			bad = 1
		} else {
			used[name] = 1
			print "```"
			print line
			while ((getline line < file) > 0)
				print line
			print "```"
		}
		close(file)
		skip = 1
		next
	}
	/^<!-- end capture -->$/ { skip = 0 }
	!skip { print }
	END {
		if (skip) { print "walkthrough.sh: a capture block has no end marker" > "/dev/stderr"; bad = 1 }
		while (("ls " b) | getline f) {
			sub(/\.txt$/, "", f)
			if (!(f in used)) {
				print "walkthrough.sh: block " f " is not in the document" > "/dev/stderr"
				bad = 1
			}
		}
		exit bad
	}
' "$doc" >"$out/walkthrough.md" || die "docs/walkthrough.md and the capture do not match: docs/ left as it is"

cp "$out/walkthrough.md" "$doc"
cp "$out"/walkthrough-*.svg "$SOCKFD_ROOT/docs/" 2>/dev/null || true
grep -E '^\[' "$out/guest.out" | tail -n 1 || true
say "docs/walkthrough.md and docs/walkthrough-*.svg rewritten from this run (capture: $out/capture.txt)"

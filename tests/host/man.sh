# shellcheck shell=bash
# Host tests of the reference pages against the code, sourced by run.sh
# (its check/ok/bad helpers, $TOP, $T): what proc_sockfd(5) says of a
# column is what module/ prints in it.
# Needs: groff (groff-base).

MAN5=$TOP/man/proc_sockfd.5
# man_entry NAME: the rendered text of NAME's entry in proc_sockfd(5), from
# its tag to the next tag, on one line
man_entry() {
	groff -man -Tutf8 -rLL=500n -rHY=0 -P-cbou "$MAN5" 2>/dev/null | awk -v n="$1" '
		/^       [^ ]/ { on = 0 }
		$0 ~ "^       " n "( |,|$)" { on = 1 }
		on { sub(/^ +/, ""); printf "%s ", $0 }'
}
# the kernel accessor module/sockfd_line.c prints column COL with:
# the call on the line after sockfd_col(l, COL_X)
accessor() {
	awk -v c="sockfd_col(l, $1);" 'f { print; exit } index($0, c) { f = 1 }' \
		"$TOP/module/sockfd_line.c" | grep -o '[a-z_]*_alloc_get' || true
}
for col in rmem wmem; do
	fn=$(accessor "COL_${col^^}")
	field=${fn%_get}
	man_entry "$col" >"$T/entry"
	if [ -z "$fn" ]; then
		bad "man/$col-field" "no *_alloc_get() after sockfd_col(l, COL_${col^^}) in module/sockfd_line.c"
	elif grep -qF "$field" "$T/entry" && grep -qF "$fn()" "$T/entry" &&
		grep -qF "\`$field\`" "$TOP/README.md"; then
		ok "man/$col-field ($field)"
	else
		bad "man/$col-field" "module prints $fn(); proc_sockfd(5) or README does not name $field: $(head -c 300 "$T/entry")"
	fi
done

# what sockfd(8) and README say of the reader's chunk and the module's
# buffer are the sizes in tools/table.h (SF_CHUNK) and module/sockfd_proc.c
# (SOCKFD_SEQ_BUF_SIZE)
chunk=$(sed -n 's/^#define SF_CHUNK (\([0-9]*\) << 10)$/\1/p' "$TOP/tools/table.h")
seqbuf=$(sed -n 's/^#define SOCKFD_SEQ_BUF_SIZE\t(\([0-9]*\) \* 1024)$/\1/p' "$TOP/module/sockfd_proc.c")
man8=$(groff -man -Tutf8 -rHY=0 -P-cbou "$TOP/man/sockfd.8" 2>/dev/null | tr -s ' \n' '  ')
if [ -z "$chunk" ] || [ -z "$seqbuf" ]; then
	bad man/read-sizes "SF_CHUNK ('$chunk') or SOCKFD_SEQ_BUF_SIZE ('$seqbuf') not found"
elif grep -qF "read $chunk KiB ahead, in a thread" <<<"$man8" &&
	grep -qF "module's $seqbuf KiB buffer" <<<"$man8" &&
	grep -qF "a thread reads the next $chunk KiB ahead" "$TOP/README.md" &&
	! grep -qE '(^| )1 MiB chunks|chunks of 1 MiB' <<<"$man8"; then
	ok "man/read-sizes ($chunk KiB ahead, $seqbuf KiB reads)"
else
	bad man/read-sizes "sockfd(8) or README does not say $chunk KiB ahead in a thread and $seqbuf KiB reads"
fi

# every column of the module's table (SOCKFD_COLUMNS in module/sockfd.h)
# has an entry of its own in proc_sockfd(5)'s Columns (a .TP whose tag
# names it, alone or as in "txq, rxq") with a description of some words
cat >"$T/columns.py" <<'PY'
import re, sys
h, page = sys.argv[1:]
cols = re.findall(r"SOCKFD_COL\(\w+, \"(\w+)\"", open(h).read())
src = open(page).read().split("\n.SS Columns\n", 1)[1].split("\n.SS ", 1)[0].splitlines()
described = {}
for j, l in enumerate(src):
    if l != ".TP" or j + 1 >= len(src):
        continue
    names = re.sub(r"^\.\w+ ", "", src[j + 1]).replace("\"", " ").replace(",", " ").split()
    words = 0
    for d in src[j + 2:]:
        if re.match(r"\.(TP|PP|SS|SH)\b", d):
            break
        words += len(re.sub(r"^\.\w+ ?", "", d).split())
    for n in names:
        described[n] = max(described.get(n, 0), words)
print("%d columns, without an entry: %s" % (len(cols), [c for c in cols if described.get(c, 0) < 3]))
PY
check man/columns-described 0 'has " columns, without an entry: []" && [ "$(cut -d" " -f1 $T/out)" -ge 25 ]' -- \
	python3 "$T/columns.py" "$TOP/module/sockfd.h" "$MAN5"

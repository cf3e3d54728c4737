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
# the kernel accessor module/sockfd_format.c prints column COL with:
# the call on the line after sockfd_col(l, COL_X)
accessor() {
	awk -v c="sockfd_col(l, $1);" 'f { print; exit } index($0, c) { f = 1 }' \
		"$TOP/module/sockfd_format.c" | grep -o '[a-z_]*_alloc_get' || true
}
for col in rmem wmem; do
	fn=$(accessor "COL_${col^^}")
	field=${fn%_get}
	man_entry "$col" >"$T/entry"
	if [ -z "$fn" ]; then
		bad "man/$col-field" "no *_alloc_get() after sockfd_col(l, COL_${col^^}) in module/sockfd_format.c"
	elif grep -qF "$field" "$T/entry" && grep -qF "$fn()" "$T/entry" &&
		grep -qF "\`$field\`" "$TOP/README.md"; then
		ok "man/$col-field ($field)"
	else
		bad "man/$col-field" "module prints $fn(); proc_sockfd(5) or README does not name $field: $(head -c 300 "$T/entry")"
	fi
done

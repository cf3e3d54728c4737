#!/bin/bash
# lab.sh: make lab-install / make lab-uninstall, staged and for real, and
# module signing with the key layouts of Debian's and Ubuntu's DKMS:
#   DESTDIR: lab-install stages the reader, its man pages and the commented
#   modprobe.d file (an existing one is kept); lab-uninstall removes them and
#   what install-exporter, enable-at-boot and make install staged;
#   for real, as a lab does it (README, "Install on lab machines"): one key
#   made with README's openssl command, copied to /var/lib/dkms/mok.key and
#   mok.pub before the first build; make lab-install builds for every kernel
#   with headers, each module signed by that key (signer and key id as the
#   certificate's, and the signature verified with openssl against it); the
#   key is not replaced;
#   Ubuntu's layout, /var/lib/shim-signed/mok/MOK.priv and MOK.der (bookworm's
#   dkms 3.0.10 takes them on Ubuntu when framework.conf sets no key; here
#   /etc/dkms/framework.conf.d points mok_signing_key and mok_certificate at
#   them): a rebuild is signed by that second key;
#   make install-exporter and enable-at-boot, then make lab-uninstall: the
#   file lists of the system directories are what they were before.
# Needs root and dkms. Refuses to run when sockfd is installed or registered
# with DKMS. Restores DKMS's own key and removes the test's keys and config.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "lab.sh needs root (dkms, /usr/local, /etc)"
command -v dkms >/dev/null || die "dkms is not installed: run 'sudo make deps'"
exec 9>/run/lock/sockfd-dkms-roundtrip.lock
flock -w 1800 9 || die "another DKMS test has held /run/lock/sockfd-dkms-roundtrip.lock for 30 min"

registered() {
	[ -n "$(dkms status -m sockfd 2>/dev/null)" ] || compgen -G '/usr/src/sockfd-*' >/dev/null
}
if registered || dpkg-query -W -f='${db:Status-Status}\n' sockfd sockfd-dkms 2>/dev/null | grep -qv '^not-installed$' ||
	[ -e /usr/local/bin/sockfd ]; then
	fail lab/precondition "sockfd is installed (dkms: $(dkms status -m sockfd 2>/dev/null | tr '\n' ' '); packages or /usr/local/bin/sockfd); remove it first"
	summary || exit
fi

files_in() { # DIR: its files, relative, sorted
	(cd "$1" && find . ! -type d | sed 's|^\./||' | sort)
}

tmp=$(mktemp -d)
log=$tmp/log
keep=$tmp/keep
mkdir -p "$keep"
ubuntu_conf=/etc/dkms/framework.conf.d/sockfd-test-ubuntu-layout.conf
shim=/var/lib/shim-signed
had_shim=$([ -e "$shim" ] && echo yes || echo no)
[ ! -e "$shim/mok/MOK.priv" ] || die "$shim/mok/MOK.priv exists: a real Ubuntu key; not touching it"
for f in mok.key mok.pub; do
	[ ! -e "/var/lib/dkms/$f" ] || cp -a "/var/lib/dkms/$f" "$keep/"
done
cleanup() { # on any exit: nothing of ours, DKMS's own key as it was
	rm -f "$ubuntu_conf"
	if registered || [ -e /usr/local/bin/sockfd ]; then
		make -s -C "$SOCKFD_ROOT" lab-uninstall >/dev/null 2>&1 || true
	fi
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	cp -a "$keep"/. /var/lib/dkms/ 2>/dev/null || true
	if [ "$had_shim" = no ]; then rm -rf "$shim"; else rm -f "$shim/mok/MOK.priv" "$shim/mok/MOK.der"; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
times=()

# --- staged: DESTDIR ----------------------------------------------------------
stage=$tmp/stage
if make -s -C "$SOCKFD_ROOT" lab-install DESTDIR="$stage" >"$log" 2>&1; then
	pass lab/destdir/install
else
	fail lab/destdir/install "make lab-install DESTDIR failed: $(flat "$log")"
fi
want=$(printf '%s\n' etc/modprobe.d/sockfd.conf usr/local/bin/sockfd \
	usr/local/share/man/man5/proc_sockfd.5 usr/local/share/man/man8/sockfd.8 | sort)
got=$(files_in "$stage")
expect lab/destdir/files "want [${want//$'\n'/ }] got [${got//$'\n'/ }]" [ "$got" = "$want" ]
expect lab/destdir/modprobe-example "$stage/etc/modprobe.d/sockfd.conf differs from contrib/modprobe/sockfd.conf" \
	cmp -s "$stage/etc/modprobe.d/sockfd.conf" "$SOCKFD_ROOT/contrib/modprobe/sockfd.conf"
if registered; then
	fail lab/destdir/no-dkms "DESTDIR registered sockfd with DKMS: $(dkms status -m sockfd 2>&1)"
else
	pass lab/destdir/no-dkms
fi
# everything lab-uninstall removes besides: the exporter, the boot file, a make install module
make -s -C "$SOCKFD_ROOT" install-exporter DESTDIR="$stage" >"$log" 2>&1 || true
make -s -C "$SOCKFD_ROOT" enable-at-boot DESTDIR="$stage" >>"$log" 2>&1 || true
mkdir -p "$stage/lib/modules/$OLD_KERNEL/extra"
echo stand-in >"$stage/lib/modules/$OLD_KERNEL/extra/sockfd.ko.xz"
echo 'options sockfd unprivileged=tgid' >"$stage/etc/modprobe.d/sockfd.conf"
make -s -C "$SOCKFD_ROOT" lab-install DESTDIR="$stage" >"$log" 2>&1 || true
expect lab/destdir/keeps-modprobe-conf "lab-install replaced an existing modprobe.d file: $(cat "$stage/etc/modprobe.d/sockfd.conf")" \
	grep -qx 'options sockfd unprivileged=tgid' "$stage/etc/modprobe.d/sockfd.conf"
n=$(files_in "$stage" | wc -l)
if make -s -C "$SOCKFD_ROOT" lab-uninstall DESTDIR="$stage" >"$log" 2>&1; then
	pass lab/destdir/uninstall
else
	fail lab/destdir/uninstall "make lab-uninstall DESTDIR failed: $(flat "$log")"
fi
left=$(files_in "$stage")
if [ "$n" -ge 8 ] && [ -z "$left" ]; then
	pass lab/destdir/uninstall-leaves-nothing
else
	fail lab/destdir/uninstall-leaves-nothing "of $n files (want 8 or more) left: ${left//$'\n'/ }"
fi

# --- for real: one lab key, Debian's layout -----------------------------------
WATCH=(/usr/src /usr/local/bin /usr/local/share/man /lib/modules /etc/systemd/system
	/etc/modprobe.d /etc/modules-load.d /etc/dkms /var/lib/dkms /var/lib/prometheus/node-exporter)
snapshot() { # depmod's own files change content, not names; the keys are restored
	{ find "${WATCH[@]}" 2>/dev/null || true; } |
		grep -Ev '^/lib/modules/[^/]+/modules\.|^/var/lib/dkms/mok\.(key|pub)$' | sort
}
before=$(snapshot)

newkey() { # DIR NAME: README's command for a lab's key: DIR/mok.key, DIR/mok.der
	openssl req -new -x509 -nodes -days 36500 -subj "/CN=$2" \
		-newkey rsa:2048 -keyout "$1/mok.key" -outform DER -out "$1/mok.der" 2>/dev/null
}
hexid() { tr -d ':\n' | tr a-f A-F | sed 's/^0*//'; }
serial() { openssl x509 -inform DER -in "$1" -noout -serial | sed 's/^serial=//' | hexid; }

# KO CERT: the module's appended PKCS#7 signature (struct module_signature,
# then "~Module signature appended~\n") verifies against CERT alone.
verify_sig() {
	local raw=$tmp/raw.ko
	case $1 in
	*.xz) xz -dc "$1" >"$raw" ;; *.zst) zstd -qdc "$1" >"$raw" ;; *.gz) gzip -dc "$1" >"$raw" ;;
	*) cp "$1" "$raw" ;;
	esac
	python3 - "$raw" "$tmp/content" "$tmp/sig.p7s" <<'EOF' || return 1
import struct, sys
d = open(sys.argv[1], "rb").read()
magic = b"~Module signature appended~\n"
assert d.endswith(magic), "no signature"
info = d[-len(magic) - 12:-len(magic)]
sig_len = struct.unpack(">I", info[8:])[0]
end = len(d) - len(magic) - 12
open(sys.argv[2], "wb").write(d[:end - sig_len])
open(sys.argv[3], "wb").write(d[end - sig_len:end])
EOF
	openssl x509 -inform DER -in "$2" -out "$tmp/cert.pem" &&
		openssl cms -verify -binary -inform DER -in "$tmp/sig.p7s" -content "$tmp/content" \
			-certfile "$tmp/cert.pem" -nointern -noverify -out /dev/null 2>"$tmp/verify.err"
}

check_signed() { # NAME KO CERT CN: signer, key id and signature are CERT's
	local signer key want
	signer=$(modinfo -F signer "$2" 2>/dev/null)
	key=$(modinfo -F sig_key "$2" 2>/dev/null | hexid)
	want=$(serial "$3")
	expect "$1/signer" "want signer '$4', got '$signer'" [ "$signer" = "$4" ]
	expect "$1/key-id" "want sig_key $want (the certificate's serial), got $key" [ "$key" = "$want" ]
	if verify_sig "$2" "$3"; then
		pass "$1/signature"
	else
		fail "$1/signature" "openssl cms -verify with $3: $(tr '\n' '|' <"$tmp/verify.err" 2>/dev/null)"
	fi
}

lab=$tmp/labkey
mkdir -p "$lab"
newkey "$lab" "sockfd lab test key (Debian layout)"
install -m 0600 "$lab/mok.key" /var/lib/dkms/mok.key
install -m 0644 "$lab/mok.der" /var/lib/dkms/mok.pub
keysum=$(sha256sum /var/lib/dkms/mok.key /var/lib/dkms/mok.pub)

step lab/install "make lab-install" make -s -C "$SOCKFD_ROOT" lab-install || true
# every kernel with headers (what LAB_KERNELS finds), 5.10 or later
kvers=()
for b in /lib/modules/*/build/include; do
	[ -e "$b" ] || continue
	kv=${b#/lib/modules/} kv=${kv%%/*}
	printf '%s\n' 5.10 "$kv" | sort -V -C && kvers+=("$kv")
done
expect lab/kernels "no kernel with headers in /lib/modules" [ ${#kvers[@]} -gt 0 ]
for kv in "${kvers[@]}"; do
	ko=/lib/modules/$kv/updates/dkms/sockfd.ko$(module_ext "/lib/modules/$kv/build")
	st=$(dkms status -m sockfd -v "$SOCKFD_VERSION" -k "$kv" 2>/dev/null)
	expect "lab/$kv/dkms-status" "want installed, got '$st'" grep -q ": installed" <<<"$st"
	if [ -f "$ko" ]; then
		pass "lab/$kv/module-file"
		check_signed "lab/$kv/debian-key" "$ko" "$lab/mok.der" "sockfd lab test key (Debian layout)"
	else
		fail "lab/$kv/module-file" "no $ko: $(find "/lib/modules/$kv" -name 'sockfd.ko*' | tr '\n' ' ')"
	fi
done
expect lab/key-kept "DKMS replaced the lab's key in /var/lib/dkms" \
	[ "$(sha256sum /var/lib/dkms/mok.key /var/lib/dkms/mok.pub)" = "$keysum" ]
expect lab/reader "want 'sockfd $SOCKFD_VERSION', got '$(/usr/local/bin/sockfd -V 2>&1)'" \
	[ "$(/usr/local/bin/sockfd -V 2>&1)" = "sockfd $SOCKFD_VERSION" ]
missing=
for f in /usr/local/share/man/man5/proc_sockfd.5 /usr/local/share/man/man8/sockfd.8 /etc/modprobe.d/sockfd.conf; do
	[ -f "$f" ] || missing+=" $f"
done
expect lab/man-and-modprobe "missing:$missing" [ -z "$missing" ]
expect lab/modprobe-example "/etc/modprobe.d/sockfd.conf is not contrib/modprobe/sockfd.conf" \
	cmp -s /etc/modprobe.d/sockfd.conf "$SOCKFD_ROOT/contrib/modprobe/sockfd.conf"

# --- Ubuntu's layout: /var/lib/shim-signed/mok, a second key ----------------
if [ ${#kvers[@]} -gt 0 ]; then
	kv=${kvers[0]}
	ko=/lib/modules/$kv/updates/dkms/sockfd.ko$(module_ext "/lib/modules/$kv/build")
	ub=$tmp/ubkey
	mkdir -p "$ub" "$shim/mok"
	newkey "$ub" "sockfd lab test key (Ubuntu layout)"
	install -m 0600 "$ub/mok.key" "$shim/mok/MOK.priv"
	install -m 0644 "$ub/mok.der" "$shim/mok/MOK.der"
	mkdir -p "${ubuntu_conf%/*}"
	printf '%s\n' "mok_signing_key=$shim/mok/MOK.priv" "mok_certificate=$shim/mok/MOK.der" >"$ubuntu_conf"
	step lab/ubuntu-layout/build "rebuild with Ubuntu's layout: make dkms-install KVER=$kv" \
		make -s -C "$SOCKFD_ROOT" dkms-install KVER="$kv" || true
	expect lab/ubuntu-layout/dkms-says "want 'Signing key: $shim/mok/MOK.priv' in dkms build's log: $(grep -h 'Signing key' /var/lib/dkms/sockfd/"$SOCKFD_VERSION"/build/make.log "$log" 2>/dev/null | head -n 2 | tr '\n' '|')" \
		grep -q "Signing key: $shim/mok/MOK.priv" "$log"
	check_signed lab/ubuntu-layout "$ko" "$ub/mok.der" "sockfd lab test key (Ubuntu layout)"
	if verify_sig "$ko" "$lab/mok.der"; then
		fail lab/ubuntu-layout/not-debian-key "the module also verifies with the Debian-layout key"
	else
		pass lab/ubuntu-layout/not-debian-key
	fi
	rm -f "$ubuntu_conf"
fi

# --- the exporter and the boot file too, then lab-uninstall ---------------------
make -s -C "$SOCKFD_ROOT" install-exporter >"$log" 2>&1 || fail lab/install-exporter "$(flat "$log")"
make -s -C "$SOCKFD_ROOT" enable-at-boot >>"$log" 2>&1 || fail lab/enable-at-boot "$(flat "$log")"
expect lab/exporter-installed "no /etc/systemd/system/sockfd-prom.timer" [ -f /etc/systemd/system/sockfd-prom.timer ]
step lab/uninstall "make lab-uninstall" make -s -C "$SOCKFD_ROOT" lab-uninstall || true
expect lab/uninstall/dkms "dkms status: $(dkms status -m sockfd 2>&1 | tr '\n' ' ')" [ -z "$(dkms status -m sockfd 2>/dev/null)" ]
left=$(find /lib/modules -name 'sockfd.ko*' | tr '\n' ' ')
expect lab/uninstall/module-files "left: $left" [ -z "$left" ]
left=$(grep -l 'sockfd\.ko' /lib/modules/*/modules.dep 2>/dev/null | tr '\n' ' ' || true)
expect lab/uninstall/modules.dep "still in: $left" [ -z "$left" ]
if command -v systemctl >/dev/null; then # works without a running systemd too
	st=$(systemctl is-enabled sockfd-prom.timer 2>&1 || true)
	expect lab/uninstall/timer "systemctl is-enabled sockfd-prom.timer: $st" grep -qv '^enabled' <<<"$st"
fi
after=$(snapshot)
left=$(comm -13 <(echo "$before") <(echo "$after"))
expect lab/uninstall/nothing-left "left: ${left//$'\n'/ }" [ -z "$left" ]
gone=$(comm -23 <(echo "$before") <(echo "$after"))
expect lab/uninstall/nothing-else-gone "gone: ${gone//$'\n'/ }" [ -z "$gone" ]

printf 'time: %s\n' "${times[@]}"
summary

#!/bin/bash
# deb.sh [KERNEL...]: the Debian packages (make deb, debian/) for real on this
# machine, for each test kernel (default: 5.10 6.1 6.12):
#   make deb in a copy of the tree: two packages, their files, lintian without
#   errors; make deb refuses a dkms.conf version that debian/changelog lacks;
#   apt-get install ./sockfd-dkms_V_all.deb ./sockfd_V_amd64.deb: DKMS builds
#   and installs the module for every kernel, the module DKMS installed boots
#   in a guest and passes the smoke tests; the reader, its man pages, the
#   exporter's units (not enabled) and the commented modprobe.d file;
#   a kernel installed later gets the module (the kernel's DKMS hook);
#   an upgrade to V+1 (a copy with the version bumped) rebuilds for every
#   kernel and leaves nothing of V;
#   apt-get remove leaves only the conffile and dpkg's records of it,
#   apt-get purge leaves nothing (file lists before and after).
# Needs root, dpkg-dev, debhelper, dh-dkms, lintian (make deps). Refuses to run
# when sockfd is installed or registered with DKMS (it would remove it).
# Environment: SOCKFD_DEB_GUEST_TESTS, the guest tests (default below).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(5.10 6.1 6.12)
guest_tests=${SOCKFD_DEB_GUEST_TESTS:-col_tcp col_unix}

[ "$(id -u)" = 0 ] || die "deb.sh needs root (apt-get, dkms)"
for c in dpkg-buildpackage dh_dkms lintian dkms; do
	command -v "$c" >/dev/null || die "$c is missing: run 'sudo make deps'"
done
# DKMS state is machine-wide: one DKMS test at a time (dkms-roundtrip.sh's lock).
exec 9>/run/lock/sockfd-dkms-roundtrip.lock
flock -w 1800 9 || die "another DKMS test has held /run/lock/sockfd-dkms-roundtrip.lock for 30 min"

pkg_installed() { # true when dpkg knows sockfd or sockfd-dkms in any state
	dpkg-query -W -f='${db:Status-Status}\n' sockfd sockfd-dkms 2>/dev/null | grep -qv '^not-installed$'
}
registered() {
	[ -n "$(dkms status -m sockfd 2>/dev/null)" ] || compgen -G '/usr/src/sockfd-*' >/dev/null
}
if pkg_installed || registered; then
	fail deb/precondition "sockfd is installed ($(dpkg-query -W sockfd sockfd-dkms 2>/dev/null | tr '\n' ' '); dkms: $(dkms status -m sockfd 2>/dev/null | tr '\n' ' ')); remove it first"
	summary || exit
fi


# Every path under these that exists: compared before and after.
WATCH=(/usr/src /usr/bin /usr/share/man/man5 /usr/share/man/man8 /usr/share/doc
	/lib/modules /lib/systemd/system /etc/systemd/system /etc/modprobe.d
	/etc/modules-load.d /var/lib/dkms /var/lib/systemd/deb-systemd-helper-enabled
	/var/lib/systemd/deb-systemd-helper-masked /var/lib/dpkg/info)
snapshot() { # depmod's own files in /lib/modules/KVER change content, not names
	{ find "${WATCH[@]}" 2>/dev/null || true; } | grep -Ev '^/lib/modules/[^/]+/modules\.' | sort
}

tmp=$(mktemp -d)
log=$tmp/log
had_key=$([ -e /var/lib/dkms/mok.key ] && echo yes || echo no)
cleanup() { # on any exit: no package, nothing registered, DKMS's key as it was
	if pkg_installed; then apt-get purge -y -q sockfd sockfd-dkms >/dev/null 2>&1 || true; fi
	if registered; then make -s -C "$SOCKFD_ROOT" dkms-uninstall >/dev/null 2>&1 || true; fi
	[ "$had_key" = yes ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	rm -rf "$tmp"
}
trap cleanup EXIT
times=()
before=$(snapshot)

# --- the packages --------------------------------------------------------------
copy_tree() { # DIR: the sources only (what git tracks or would track)
	mkdir -p "$1"
	git -C "$SOCKFD_ROOT" ls-files -z --cached --others --exclude-standard |
		(cd "$SOCKFD_ROOT" && tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
		tar -C "$1" -xf -
}
bump() { # DIR VERSION: dkms.conf says VERSION; with "both" the changelog too
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$2\"/" "$1/dkms.conf"
	[ "${3:-}" = both ] || return 0
	local who
	who=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$1/debian/changelog" | head -n 1)
	{ printf 'sockfd (%s) unstable; urgency=medium\n\n  * Upgrade test (tests/host/deb.sh).\n\n -- %s  %s\n\n' \
		"$2" "$who" "$(date -R)"; cat "$1/debian/changelog"; } >"$1/debian/changelog.new"
	mv "$1/debian/changelog.new" "$1/debian/changelog"
}
V=$SOCKFD_VERSION
V2=$(awk -F. -v OFS=. '{ $NF = $NF + 1; print }' <<<"$V")

cv=$(cd "$SOCKFD_ROOT" && dpkg-parsechangelog -SVersion)
expect deb/version-one-place "dkms.conf says $V, debian/changelog $cv" [ "$cv" = "$V" ]

copy_tree "$tmp/src"
step deb/build "make deb" make -s -C "$tmp/src" deb || { summary; exit; }
debs=$tmp/src/build/deb
got=$(cd "$debs" && printf '%s ' *.deb)
want="sockfd-dkms_${V}_all.deb sockfd_${V}_amd64.deb "
expect deb/build "want [$want] in build/deb, got [$got]" [ "$got" = "$want" ]

files() { # DEB: its files, sorted, without the leading ./
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | sort
}
want=$(printf '%s\n' etc/modprobe.d/sockfd.conf lib/systemd/system/sockfd-prom.service \
	lib/systemd/system/sockfd-prom.timer usr/bin/sockfd usr/share/doc/sockfd/changelog.gz \
	usr/share/doc/sockfd/copyright usr/share/man/man5/proc_sockfd.5.gz \
	usr/share/man/man8/sockfd.8.gz | sort)
got=$(files "$debs/sockfd_${V}_amd64.deb")
expect deb/files/sockfd "want [${want//$'\n'/ }] got [${got//$'\n'/ }]" [ "$got" = "$want" ]
want=$( (printf '%s\n' usr/share/doc/sockfd-dkms/changelog.gz usr/share/doc/sockfd-dkms/copyright \
	"usr/src/sockfd-$V/Kbuild" "usr/src/sockfd-$V/Makefile" "usr/src/sockfd-$V/dkms.conf"
	cd "$SOCKFD_ROOT" && for f in module/*.[ch]; do echo "usr/src/sockfd-$V/$f"; done) | sort)
got=$(files "$debs/sockfd-dkms_${V}_all.deb")
expect deb/files/sockfd-dkms "want [${want//$'\n'/ }] got [${got//$'\n'/ }]" [ "$got" = "$want" ]

# lintian: no error; warnings are printed (README lists the ones kept).
lintian -I --pedantic "$debs"/*.changes >"$tmp/lintian" 2>&1 || true
sed 's/^/  | /' "$tmp/lintian"
errors=$(grep -c '^E: ' "$tmp/lintian" || true)
warnings=$(grep -c '^W: ' "$tmp/lintian" || true)
expect deb/lintian "lintian: $errors errors: $(grep '^E: ' "$tmp/lintian" | head -n 5 | tr '\n' '|')" \
	[ "$errors" = 0 ]
echo "lintian: $errors errors, $warnings warnings"

# The version lives in dkms.conf: a changelog that disagrees stops the build.
copy_tree "$tmp/bad"
bump "$tmp/bad" "$V2"
rc=0
make -s -C "$tmp/bad" deb >"$log" 2>&1 || rc=$?
if [ "$rc" != 0 ] && grep -qF "dkms.conf says version '$V2', debian/changelog '$V'" "$log"; then
	pass deb/version-mismatch-refused
else
	fail deb/version-mismatch-refused "make deb with dkms.conf $V2, changelog $V: exit $rc, $(flat "$log" 4)"
fi
rm -rf "$tmp/bad"

# The upgrade's packages: the same tree, version V2 in both places.
cp -a "$tmp/src" "$tmp/src2"
bump "$tmp/src2" "$V2" both
if make -s -C "$tmp/src2" deb >"$log" 2>&1 && [ -f "$tmp/src2/build/deb/sockfd-dkms_${V2}_all.deb" ]; then
	pass deb/build-upgrade
else
	fail deb/build-upgrade "make deb with version $V2 failed: $(flat "$log")"
fi

# --- install -------------------------------------------------------------------------
kvers=() names=()
for k in "${kernels[@]}"; do
	use_kernel "$k" || continue
	kvers+=("$KVER") names+=("$k")
done

module_of() { # KVER: the file DKMS installed, compressed as the kernel's config says
	echo "/lib/modules/$1/updates/dkms/sockfd.ko$(module_ext "/lib/modules/$1/build")"
}
check_modules() { # STEP VERSION: dkms status and module files for every kernel
	local i kv ko st found name
	for i in "${!kvers[@]}"; do
		kv=${kvers[i]} ko=$(module_of "${kvers[i]}") name=deb/$1/${names[i]}
		st=$(dkms status -m sockfd -k "$kv" 2>/dev/null)
		if [ "$(grep -c . <<<"$st")" = 1 ] && grep -q "^sockfd/$2, $kv, .*: installed" <<<"$st"; then
			pass "$name/dkms-status"
		else
			fail "$name/dkms-status" "want 'sockfd/$2, $kv, ...: installed' only, got '$st'"
		fi
		found=$(find "/lib/modules/$kv" -name 'sockfd.ko*' | tr '\n' ' ')
		if [ "$found" != "$ko " ]; then
			fail "$name/module-file" "want $ko got '$found'"
			continue
		fi
		pass "$name/module-file"
		if [ "$(modinfo -F version "$ko")" = "$2" ] && [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kv" ]; then
			pass "$name/module-version"
		else
			fail "$name/module-version" "want $2 $kv, got '$(modinfo -F version "$ko") $(modinfo -F vermagic "$ko")'"
		fi
	done
}

step deb/install "apt-get install (DKMS for ${#kvers[@]} kernels)" \
	apt-get install -y -q "$debs/sockfd-dkms_${V}_all.deb" "$debs/sockfd_${V}_amd64.deb" || true
check_modules install "$V"

# The reader, its man pages, the units (not enabled), the modprobe.d example.
expect deb/reader "want 'sockfd $V' from /usr/bin/sockfd -V, got '$(/usr/bin/sockfd -V 2>&1)'" \
	[ "$(/usr/bin/sockfd -V 2>&1)" = "sockfd $V" ]
if [ "$(man -w sockfd 2>/dev/null)" = /usr/share/man/man8/sockfd.8.gz ] &&
	[ "$(man -w 5 proc_sockfd 2>/dev/null)" = /usr/share/man/man5/proc_sockfd.5.gz ]; then
	pass deb/man
else
	fail deb/man "man -w: $(man -w sockfd proc_sockfd 2>&1 | tr '\n' ' ')"
fi
unit=/lib/systemd/system/sockfd-prom.service
expect deb/unit-execstart "$unit: $(grep ExecStart "$unit" 2>&1)" \
	grep -qx 'ExecStart=/usr/bin/sockfd --prom-file /var/lib/prometheus/node-exporter/sockfd.prom' "$unit"
wants=$(find /etc/systemd/system -name 'sockfd*' 2>/dev/null | tr '\n' ' ')
expect deb/units-not-enabled "enabled: $wants" [ -z "$wants" ]
if command -v systemctl >/dev/null; then # works without a running systemd too
	st=$(systemctl is-enabled sockfd-prom.timer 2>&1 || true)
	expect deb/timer-disabled "systemctl is-enabled sockfd-prom.timer: $st" [ "$st" = disabled ]
fi
conf=/etc/modprobe.d/sockfd.conf
conffiles=$(dpkg-query -W -f='${Conffiles}\n' sockfd)
expect deb/modprobe-conffile "conffiles: $conffiles" grep -q "^ $conf " <<<"$conffiles"
active=$(grep -Ev '^[[:space:]]*(#|$)' "$conf" 2>&1 || true)
if [ -f "$conf" ] && [ -z "$active" ] && grep -q "^#options sockfd unprivileged=" "$conf"; then
	pass deb/modprobe-commented
else
	fail deb/modprobe-commented "active lines in $conf: $active"
fi

# The module DKMS installed, booted in a guest.
for i in "${!kvers[@]}"; do
	k=${names[i]} ko=$(module_of "${kvers[i]}")
	[ -f "$ko" ] || continue
	start=$(date +%s.%N)
	guest_smoke "deb/guest/$k" "$k" "$ko" "$guest_tests" "$SOCKFD_BUILD/deb-test/guest-$k"
	times+=("guest $k $(elapsed "$start")s")
done

# A kernel installed later: its package runs DKMS's hook for it.
hook=/etc/kernel/postinst.d/dkms
last=$((${#kvers[@]} - 1))
if [ "$last" -ge 0 ]; then
	kv=${kvers[last]} ko=$(module_of "${kvers[last]}")
	dkms remove "sockfd/$V" -k "$kv" >"$log" 2>&1 || true
	if [ -e "$ko" ]; then
		fail "deb/later-kernel/${names[last]}" "dkms remove -k $kv left $ko"
	else
		start=$(date +%s.%N)
		"$hook" "$kv" >>"$log" 2>&1 || true
		times+=("kernel hook $(elapsed "$start")s")
		st=$(dkms status -m sockfd -v "$V" -k "$kv" 2>/dev/null)
		if [ -f "$ko" ] && grep -q ": installed" <<<"$st"; then
			pass "deb/later-kernel/${names[last]}"
		else
			fail "deb/later-kernel/${names[last]}" "after $hook $kv: '$st', $ko $([ -f "$ko" ] || echo missing); $(flat "$log" 4)"
		fi
	fi
fi

# --- upgrade to V2 ---------------------------------------------------------------
debs2=$tmp/src2/build/deb
step deb/upgrade "upgrade: apt-get install of $V2" \
	apt-get install -y -q "$debs2/sockfd-dkms_${V2}_all.deb" "$debs2/sockfd_${V2}_amd64.deb" || true
check_modules upgrade "$V2"
expect deb/upgrade/sources "want only /usr/src/sockfd-$V2, got: $(compgen -G '/usr/src/sockfd-*' | tr '\n' ' ')" \
	[ "$(compgen -G '/usr/src/sockfd-*')" = "/usr/src/sockfd-$V2" ]
expect deb/upgrade/no-old-dkms "left: $(ls /var/lib/dkms/sockfd 2>&1 | tr '\n' ' ')" [ ! -e "/var/lib/dkms/sockfd/$V" ]
expect deb/upgrade/reader "want 'sockfd $V2', got '$(/usr/bin/sockfd -V 2>&1)'" \
	[ "$(/usr/bin/sockfd -V 2>&1)" = "sockfd $V2" ]

# --- remove, then purge ----------------------------------------------------------
no_module_left() { # STEP
	local left
	expect "deb/$1/dkms-status" "dkms status: $(dkms status -m sockfd 2>&1 | tr '\n' ' ')" \
		[ -z "$(dkms status -m sockfd 2>/dev/null)" ]
	left=$(find /lib/modules -name 'sockfd.ko*' | tr '\n' ' ')
	expect "deb/$1/module-files" "left: $left" [ -z "$left" ]
	left=$(grep -l 'sockfd\.ko' /lib/modules/*/modules.dep 2>/dev/null | tr '\n' ' ' || true)
	expect "deb/$1/modules.dep" "still in: $left" [ -z "$left" ]
}
# Files DKMS makes for itself at its first signed build, not ours.
dkms_key() { grep -Ev '^/var/lib/dkms/mok\.(key|pub)$' || true; }

step deb/remove "apt-get remove" apt-get remove -y -q sockfd sockfd-dkms || true
no_module_left remove
# Kept until purge, as Debian keeps them: the conffile, dpkg's and
# deb-systemd-helper's records of the packages.
left=$(comm -13 <(echo "$before") <(snapshot) | dkms_key |
	grep -Ev '^/var/lib/dpkg/info/sockfd(-dkms)?\.|^/var/lib/systemd/deb-systemd-helper-[a-z]+/sockfd-prom\.' || true)
expect deb/remove/only-conffile "want only $conf, left: ${left//$'\n'/ }" [ "$left" = "$conf" ]
gone=$(comm -23 <(echo "$before") <(snapshot) | tr '\n' ' ')
expect deb/remove/nothing-else-gone "gone: $gone" [ -z "$gone" ]

if apt-get purge -y -q sockfd sockfd-dkms >"$log" 2>&1; then pass deb/purge; else
	fail deb/purge "apt-get purge failed: $(flat "$log")"; fi
no_module_left purge
left=$(comm -13 <(echo "$before") <(snapshot) | dkms_key)
expect deb/purge/nothing-left "left: ${left//$'\n'/ }" [ -z "$left" ]
gone=$(comm -23 <(echo "$before") <(snapshot) | tr '\n' ' ')
expect deb/purge/nothing-else-gone "gone: $gone" [ -z "$gone" ]
if pkg_installed; then
	fail deb/purge/dpkg "dpkg still knows: $(dpkg-query -W sockfd sockfd-dkms 2>&1 | tr '\n' ' ')"
else
	pass deb/purge/dpkg
fi

printf 'time: %s\n' "${times[@]}"
summary

#!/bin/bash
# Installs what building and testing sockfd needs on Debian 12: QEMU,
# busybox-static, compilers and checkers, and the test kernels with their
# headers: Debian 12's stock 6.1 and the newest 6.12 from bookworm-security.
# Debian 11's 5.10 (the oldest supported kernel) comes from bullseye-security:
# bullseye is added to apt for it alone, pinned at priority 1 so that nothing
# else is ever taken or upgraded from it; its headers pull in the compiler
# they were built with (gcc-10, linux-compiler-gcc-10-x86) and linux-kbuild-5.10
# (with bullseye's libssl1.1).
# Also puts checkpatch.pl (from linux-source-6.1, whose tarball stays in
# /usr/src for tests/host/walkthrough-src.py) into the cache.
# Quick and silent about apt when everything is already there.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# openssl: dkms makes its module signing key (MOK) with it; not a dkms dependency.
# prometheus (for promtool), prometheus-node-exporter, curl: the --prom host
# tests (tests/host/prom.sh), which start node_exporter on loopback themselves.
# graphviz: make walkthrough draws its figures, and the host tests check
# sockfd --dot, with dot.
# apparmor: apparmor_parser, which the guest test sec_audit runs (its
# "guest-tools:" line) to load a profile into the test kernels' AppArmor.
# debhelper, dh-dkms, fakeroot, lintian: make deb and its test (tests/host/deb.sh).
TOOLS=(qemu-system-x86 qemu-utils busybox-static cpio gzip xz-utils
       build-essential sparse flex bison bc libelf-dev libssl-dev dkms openssl
       iproute2 lsof util-linux kmod perl prometheus prometheus-node-exporter curl
       graphviz time apparmor debhelper dh-dkms fakeroot lintian mandoc groff-base
       linux-source-6.1)
# Services these packages start where systemd runs; not wanted on a test machine.
SERVICES=(prometheus prometheus-node-exporter)
STOCK=(linux-image-amd64 linux-headers-amd64)
K612_RE='^linux-image-6\.12\.[0-9]+\+deb12-amd64$'
K510_RE='^linux-image-5\.10\.0-[0-9]+-amd64$'
BULLSEYE_LIST=/etc/apt/sources.list.d/sockfd-bullseye.list
BULLSEYE_PIN=/etc/apt/preferences.d/sockfd-bullseye

[ "$(id -u)" = 0 ] || die "needs root to install packages: run 'sudo make deps'"
export DEBIAN_FRONTEND=noninteractive

installed() { # PKG: true when dpkg has it fully installed
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

newest_612() { # prints the newest linux-image-6.12.*+deb12-amd64 apt knows
	apt-cache pkgnames linux-image-6.12. | grep -E "$K612_RE" | sort -V | tail -n 1
}

newest_510() { # prints the newest linux-image-5.10.0-N-amd64 apt knows
	apt-cache pkgnames linux-image-5.10.0- | grep -E "$K510_RE" | sort -V | tail -n 1
}

# bullseye in apt, for 5.10 only: the lists and the pin, once.
if [ ! -f "$BULLSEYE_LIST" ] || [ ! -f "$BULLSEYE_PIN" ]; then
	say "adding bullseye and bullseye-security to apt ($BULLSEYE_LIST), pinned at priority 1"
	cat >"$BULLSEYE_LIST" <<-'LIST'
	# sockfd's oldest test kernel (Debian 11's 5.10) and the gcc-10 its headers need.
	deb http://deb.debian.org/debian bullseye main
	deb http://deb.debian.org/debian-security bullseye-security main
	LIST
	cat >"$BULLSEYE_PIN" <<-'PIN'
	# Only what is asked for by name (sockfd's 5.10 test kernel) comes from
	# bullseye; it never replaces a newer package.
	Package: *
	Pin: release n=bullseye
	Pin-Priority: 1

	Package: *
	Pin: release n=bullseye-security
	Pin-Priority: 1
	PIN
	k510=
else
	k510=$(newest_510 || true)
fi

missing=()
for p in "${TOOLS[@]}" "${STOCK[@]}"; do
	installed "$p" || missing+=("$p")
done

# The 6.12 kernel is "present" when the newest one apt knows is installed.
# Without a list refresh that is the newest one of the current lists.
k612=$(newest_612 || true)
if [ -z "$k612" ] || ! installed "$k612" || ! installed "${k612/image/headers}"; then
	missing+=("6.12")
fi
if [ -z "$k510" ] || ! installed "$k510" || ! installed "${k510/image/headers}"; then
	missing+=("5.10")
fi

if [ ${#missing[@]} -gt 0 ]; then
	say "missing: ${missing[*]}"
	say "apt-get update (Debian package lists)"
	apt-get update -q >/dev/null
	k612=$(newest_612) || true
	[ -n "$k612" ] || die "no linux-image-6.12.*+deb12-amd64 in apt's lists (is bookworm-security in the sources?)"
	k510=$(newest_510) || true
	[ -n "$k510" ] || die "no linux-image-5.10.0-*-amd64 in apt's lists (bullseye-security, from $BULLSEYE_LIST)"
	pkgs=()
	for p in "${TOOLS[@]}" "${STOCK[@]}" "$k612" "${k612/image/headers}" \
		"$k510" "${k510/image/headers}"; do
		installed "$p" || pkgs+=("$p")
	done
	say "apt-get install ${pkgs[*]} (a few minutes: kernels and QEMU)"
	apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
	say "installed ${#pkgs[@]} packages"
	if [ -d /run/systemd/system ]; then
		for s in "${SERVICES[@]}"; do
			if [[ " ${pkgs[*]} " == *" $s "* ]]; then
				say "stopping and disabling $s.service (installed for the tests only)"
				systemctl disable --now "$s.service" >/dev/null 2>&1 || true
			fi
		done
	fi
else
	say "packages: all present (tools, 6.1, ${k510#linux-image-} and ${k612#linux-image-} with headers)"
fi

# checkpatch.pl and its data files are only in the kernel source tarball.
cp_dir=$SOCKFD_CACHE/checkpatch
cp_files=(checkpatch.pl spelling.txt const_structs.checkpatch)
if [ ! -f "$cp_dir/checkpatch.pl" ] || [ ! -f "$cp_dir/spelling.txt" ] ||
   [ ! -f "$cp_dir/const_structs.checkpatch" ]; then
	mkdir -p "$cp_dir"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	tarball=/usr/src/linux-source-6.1.tar.xz
	if [ ! -f "$tarball" ]; then
		say "fetching checkpatch.pl: apt-get download linux-source-6.1 (~140 MB)"
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root linux-source-6.1 >/dev/null)
		dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
			tar -x -C "$tmp" ./usr/src/linux-source-6.1.tar.xz
		tarball=$tmp/usr/src/linux-source-6.1.tar.xz
	fi
	say "extracting ${cp_files[*]} from $tarball into $cp_dir"
	tar -xJf "$tarball" -C "$tmp" --wildcards --strip-components=2 \
		"${cp_files[@]/#/linux-source-6.1/scripts/}"
	install -m 0755 "$tmp/checkpatch.pl" "$cp_dir/"
	install -m 0644 "$tmp/spelling.txt" "$tmp/const_structs.checkpatch" "$cp_dir/"
fi
say "checkpatch: $cp_dir/checkpatch.pl"

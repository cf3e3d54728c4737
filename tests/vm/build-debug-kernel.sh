#!/bin/bash
# build-debug-kernel.sh [debug|kcsan]: build (or reuse from the cache) a sockfd
# test kernel from the newest linux-source-* Debian sid carries (fallback:
# bookworm-security's linux-source-6.12): tinyconfig + tests/vm/debug-common.config
# (lockdep, PROVE_RCU, lockup detectors, KUNIT=m, net, namespaces, ...) + the
# variant's own fragment tests/vm/VARIANT-kernel.config:
#   debug  (default) KASAN, KFENCE, kmemleak, failslab
#   kcsan  KCSAN, the data-race detector (it cannot be built with KASAN)
#
# Cache: ${SOCKFD_CACHE:-/var/cache/sockfd}/VARIANT-kernel/KEY, KEY = hash of
# the source package version, the variant, both fragments and this script. It
# holds bzImage, build/ (a standalone tree for out-of-tree modules: the KDIR),
# the kernel's own modules as in /lib/modules/KVER (kernel/, modules.dep:
# kunit.ko), config and info. A new build removes the other keys of its own
# variant only: each variant keeps one build. Progress goes to stderr; the LAST
# stdout line is the cache directory.
#
# `build-debug-kernel.sh --deps` installs the build's host packages only
# (.ci/run, before it starts the builds in the background).
#
# Environment: SOCKFD_CACHE, SOCKFD_JOBS (make -j, default 2).
set -euo pipefail

# Read now: the cache key must describe the code that runs, even if the
# file is edited while this build waits for the lock.
self=$(cat "${BASH_SOURCE[0]}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"
variant=${1:-debug}
case $variant in
debug | kcsan | --deps) ;;
*) die "usage: build-debug-kernel.sh [debug|kcsan|--deps]" ;;
esac

# --- host packages the kernel build needs ---------------------------------
need=(build-essential flex bison bc libelf-dev libssl-dev xz-utils gzip
	python3 dpkg-dev kmod)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	say "installing build dependencies: ${missing[*]}"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
fi
[[ $variant != --deps ]] || exit 0

fragments=("$here/debug-common.config" "$here/$variant-kernel.config")
fragment_text=$(cat "${fragments[@]}")
top=$SOCKFD_CACHE/$variant-kernel
jobs=${SOCKFD_JOBS:-2}

mkdir -p "$top"

# --- find the source package through a private apt state ------------------
# The system's apt sources and lists are never touched; the private state
# (about 120 MB of lists) lives in a temporary directory.
rm -rf "$top/apt"	# left by earlier versions of this script
aptdir=$(mktemp -d)
trap 'rm -rf "$aptdir"' EXIT
apt_private() { # SUITE_LINE: a fresh private state for that one suite
	rm -rf "${aptdir:?}"/*
	mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial"
	echo "$1" >"$aptdir/sources.list"
}
aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o Dir::Etc::Preferences=/dev/null
	-o Dir::Etc::PreferencesParts=/dev/null
	-o "Dir::State::Lists=$aptdir/lists"
	-o "Dir::Cache::Archives=$aptdir/archives"
	-o "Dir::Cache::pkgcache=$aptdir/pkgcache.bin"
	-o "Dir::Cache::srcpkgcache=$aptdir/srcpkgcache.bin"
	-o APT::Default-Release=
	-o APT::Sandbox::User=root)

pick_source() { # SUITE_LINE [PACKAGE]: sets pkg and ver, or returns 1
	apt_private "$1"
	apt-get "${aptopts[@]}" -qq update >&2 || return 1
	if [[ -n ${2:-} ]]; then
		pkg=$2
	else
		pkg=$(apt-cache "${aptopts[@]}" search --names-only '^linux-source-[0-9.]+$' |
			awk '{print $1}' | sort -V | tail -n1)
	fi
	[[ -n $pkg ]] || return 1
	ver=$(apt-cache "${aptopts[@]}" show "$pkg" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n1)
	[[ -n $ver ]]
}

say "looking up the newest linux-source-* in Debian sid"
if pick_source 'deb http://deb.debian.org/debian sid main'; then
	origin=sid
else
	say "WARNING: sid not reachable or has no linux-source-*;" \
		"FALLING BACK to bookworm-security's linux-source-6.12"
	pick_source 'deb http://deb.debian.org/debian-security bookworm-security main' \
		linux-source-6.12 || die "no linux-source package found in sid or bookworm-security"
	origin=bookworm-security
fi
say "source: $pkg $ver (from $origin)"

key=$( { echo "$pkg $ver $variant"; echo "$fragment_text"; echo "$self"; } |
	sha256sum | cut -c1-16)
out=$top/$key
reuse_cached() { # prints the cache directory and exits when it is complete
	if [[ -f $out/bzImage && -f $out/build/Module.symvers && -f $out/modules.dep &&
	      -f $out/info ]]; then
		say "reusing cached build $out ($(sed -n 's/^kernelrelease=//p' "$out/info"))"
		echo "$out"
		exit 0
	fi
}
reuse_cached

# One lock for every variant: two kernel builds at once on 2 cores take
# twice as long each. The cache is looked at again once it is held: the
# build this one waited for may have been this very kernel.
lock=$SOCKFD_CACHE/.debug-kernel-build.lock
exec 9>"$lock"
if ! flock -n 9; then
	say "another build holds $lock; waiting for it"
	flock 9
fi
reuse_cached

# --- fetch and extract ------------------------------------------------------
work=$top/$key.work
rm -rf "$work" "$out"
mkdir -p "$work"
trap 'say "$variant kernel build failed; work tree left at $work (log: $work/build.log)"' ERR
say "downloading $pkg=$ver"
(cd "$work" && apt-get "${aptopts[@]}" -qq download "$pkg=$ver" >&2)
deb=$(ls "$work"/"${pkg}"_*.deb)
tarball=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '/usr/src/linux-source-[^/]*\.tar\.xz$' |
	head -n1)
[[ -n $tarball ]] || die "$deb contains no source tarball"
say "extracting ${tarball#./} (about 1.8 GB)"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" | tar -xJ -C "$work"
rm -f "$deb" # 160 MB: cheaper to fetch again than to keep
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -n1)
[[ -n $src ]] || die "no linux-source-* directory in the tarball"

# --- configure --------------------------------------------------------------
log=$work/build.log
say "configuring: tinyconfig + ${fragments[*]##*/}"
make -C "$src" -s tinyconfig >>"$log" 2>&1
# The fragments as read at the start (they are in the key), in one file.
printf '%s\n' "$fragment_text" >"$work/fragment.config"
(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$work/fragment.config") >>"$log" 2>&1
make -C "$src" -s olddefconfig >>"$log" 2>&1

# Every CONFIG_ line of the fragment must be in .config with its value;
# "# CONFIG_X is not set" must be unset.
dropped=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		grep -qxF "$line" "$src/.config" || {
			got=$(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$src/.config" || true)
			dropped+=("$line (got: ${got:-absent})")
		}
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		if grep -qE "^${BASH_REMATCH[1]}=" "$src/.config"; then
			dropped+=("$line (got: $(grep -E "^${BASH_REMATCH[1]}=" "$src/.config"))")
		fi
	fi
done <"$work/fragment.config"
if ((${#dropped[@]})); then
	say "these fragment options did not survive olddefconfig (missing dependency?):"
	printf '  %s\n' "${dropped[@]}" >&2
	die "config verification failed"
fi
say "config verified: all $(grep -cE '^(CONFIG_|# CONFIG_)' "$work/fragment.config") fragment options present"

# --- build ------------------------------------------------------------------
say "building bzImage + modules with make -j$jobs (about 10 min on 2 cores; log: $log)"
start=$(date +%s)
if ! make -C "$src" -j"$jobs" bzImage modules >>"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "kernel build failed"
fi
secs=$(($(date +%s) - start))
krel=$(make -C "$src" -s kernelrelease)
say "built $krel in ${secs}s"

# Standalone tree for out-of-tree modules (same vermagic, has Module.symvers).
stage=$top/$key.stage
rm -rf "$stage"
mkdir -p "$stage"
make -C "$src" -s run-command \
	KBUILD_RUN_COMMAND="+\$(srctree)/scripts/package/install-extmod-build $stage/build" \
	>>"$log" 2>&1
# The kernel's own modules (kunit.ko: CONFIG_KUNIT=m) laid out as in
# /lib/modules/KVER, so that the directory above build/ is a module directory.
make -C "$src" -s modules_install INSTALL_MOD_PATH="$work/modroot" >>"$log" 2>&1
cp -r "$work/modroot/lib/modules/$krel/kernel" "$work/modroot/lib/modules/$krel"/modules.* \
	"$stage/"
cp "$src/.config" "$stage/build/.config"
cp "$src/.config" "$stage/config"
cp "$src/arch/x86/boot/bzImage" "$stage/bzImage"
[[ -f $stage/build/Module.symvers ]] || cp "$src/Module.symvers" "$stage/build/"
cat >"$stage/info" <<EOF
variant=$variant
package=$pkg
version=$ver
origin=$origin
kernelrelease=$krel
build_seconds=$secs
jobs=$jobs
EOF

# Prove the tree builds a module before caching it.
probe=$work/probe
mkdir -p "$probe"
printf '%s\n' '#include <linux/module.h>' 'MODULE_LICENSE("GPL");' >"$probe/probe.c"
echo 'obj-m := probe.o' >"$probe/Kbuild"
make -C "$stage/build" M="$probe" modules >>"$log" 2>&1 ||
	die "the extmod tree cannot build a trivial module (see $log)"
modinfo -F vermagic "$probe/probe.ko" 2>/dev/null | grep -q "^$krel " ||
	die "probe module vermagic does not match $krel"

mv "$stage" "$out"
trap - ERR
rm -rf "$work"
# One kernel per variant is enough: drop this variant's builds with other keys
# (we hold the lock, so none of them is being built); other variants live in
# their own directories and stay.
for old in "$top"/*; do
	[[ $old == "$out" ]] && continue
	say "removing the outdated cache entry $old"
	rm -rf "$old"
done
say "cached at $out ($(du -sh "$out" | cut -f1)); kernel $krel; build ${secs}s"
echo "$out"

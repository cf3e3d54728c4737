# sockfd: top-level Makefile. The kernel build itself is described in Kbuild.

# Kernel to build against: the running one, or KVER=... / KDIR=... .
# A KDIR alone names its own release (Debian's kernel.release does not).
ifndef KVER
KVER := $(if $(KDIR),$(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h),$(shell uname -r))
endif
KDIR ?= /lib/modules/$(KVER)/build

# The version lives in dkms.conf only (Kbuild reads it the same way).
SOCKFD_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(CURDIR)/dkms.conf)

# Installing: DESTDIR stages into a directory (no depmod then: the packaging
# runs it); PREFIX is where the reader and its man pages go.
PREFIX ?= /usr/local
MODDIR := $(DESTDIR)/lib/modules/$(KVER)/extra
DKMS_SRC := /usr/src/sockfd-$(SOCKFD_VERSION)
BOOT_CONF := $(DESTDIR)/etc/modules-load.d/sockfd.conf
# make install-exporter: the systemd units go to UNITDIR and write
# TEXTFILE_DIR/sockfd.prom (Debian's node_exporter textfile directory).
UNITDIR ?= /etc/systemd/system
TEXTFILE_DIR ?= /var/lib/prometheus/node-exporter
SYSTEMD_RUNNING := $(if $(DESTDIR),,$(wildcard /run/systemd/system))

all: module tools

module:
	@test -d "$(KDIR)" || { echo "sockfd: no kernel headers at $(KDIR)." \
		"Install linux-headers-$(KVER), or pass KDIR=/path/to/build or KVER=release" \
		"(installed: $$(ls /lib/modules 2>/dev/null | tr '\n' ' '))." >&2; exit 2; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

# The reader's parser under libFuzzer (clang) for FUZZ_SECONDS (default 300),
# the corpus seeded from tests/host/fixtures.
fuzz:
	$(MAKE) -C tools fuzz

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	-$(MAKE) -C tools clean
	rm -rf build

# Static checks, host tests, then guest tests on every test kernel.
# KERNELS="5.10 6.1 6.12 debug kcsan" narrows or widens the guest part.
check:
	@tests/check.sh $(if $(KERNELS),--kernels "$(KERNELS)")

# KERNEL=5.10|6.1|6.12|debug boots that test kernel in QEMU for it.
demo:
	@tests/vm/demo.sh $(if $(KERNEL),--kernel $(KERNEL))

# docs/walkthrough.md: runs its demonstrations in a guest (KERNEL=6.1 by
# default) and rewrites its captured output and figures (needs graphviz).
walkthrough:
	@tests/vm/walkthrough.sh $(if $(KERNEL),--kernel $(KERNEL))

# docs/walkthrough.md's demonstrations on this machine, as yourself: no
# root, no QEMU, against the installed (loaded) module, with the page's
# checks. Builds the reader and tests/guest/walkthrough.c into
# build/walkthrough-user/ and prints every command the page shows with its
# output here. Without root the timewait, container and ENFILE parts are
# left out. PORT=N moves its ports (default 8080: N to N+6 on 127.0.0.1).
WALK_USER := $(CURDIR)/build/walkthrough-user
walkthrough-user: tools
	@test -r /proc/sockfd || { echo "sockfd: /proc/sockfd is missing: the module is" \
		"not loaded (ask the admin: modprobe sockfd, or make lab-install)" >&2; exit 2; }
	@mkdir -p $(WALK_USER)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -pthread -I$(CURDIR)/tests/guest/lib \
		-o $(WALK_USER)/walkthrough tests/guest/walkthrough.c tests/guest/lib/gt.c
	@cd $(WALK_USER) && PATH=$(CURDIR)/build/tools:$$PATH \
		SOCKFD_WALKTHROUGH_OUT=$(WALK_USER)/capture.txt \
		$(if $(PORT),SOCKFD_WALKTHROUGH_PORT=$(PORT)) ./walkthrough >result.txt; \
		status=$$?; sed -e 's/^@@ dot \(.*\)/\n== figure \1 (Graphviz: dot -Tsvg)/' \
			-e 's/^@@ \(.*\)/\n== \1/' capture.txt; echo; \
		grep -E '^(FAIL|#)' result.txt; tail -n 1 result.txt; \
		echo "checks: $(WALK_USER)/result.txt, output: $(WALK_USER)/capture.txt"; exit $$status

# The long runs of the stress tests, SECONDS each (make check runs 60):
# soak (readers, churn, rmmod under readers) and walk_expand (fd tables
# that grow under the walk), on SOAK_KERNELS, with quicker lockup
# detectors: a soft lockup after 10 s, an RCU stall after 10 s, a hung
# task after 30 s. Logs in build/soak-KERNEL/.
SECONDS ?= 600
SOAK_KERNELS ?= 6.12 debug
SOAK_TESTS ?= soak walk_expand
SOAK_APPEND := watchdog_thresh=5 rcupdate.rcu_cpu_stall_timeout=10 \
	sysctl.kernel.hung_task_timeout_secs=30
soak:
	@status=0; for k in $(SOAK_KERNELS); do \
		SOCKFD_SOAK_SECONDS=$(SECONDS) SOCKFD_STRESS_SECONDS=$(SECONDS) \
		tests/vm/run-guest.sh --kernel $$k --tests '$(SOAK_TESTS)' \
			--out build/soak-$$k --append '$(SOAK_APPEND)' \
			--test-timeout $$(($(SECONDS) + 300)) \
			--timeout $$((2 * $(SECONDS) + 900)) || status=1; \
	done; exit $$status

deps:
	@tests/vm/provision-kernels.sh

# /proc/sockfd against ss, lsof, lsfd, netstat and /proc/net/* in one guest,
# as ratios (bench/README.md). KERNEL=6.12, BENCH_SCALE=percent of the
# setups. Not part of make check.
bench:
	@bench/run.sh

# /proc/sockfd byte for byte with the module of BASE (default: the merge
# base with main) and with the work tree's, one guest, KERNEL=6.1 by default,
# COMPARE_SETUP='PROCS SOCKETS FDS' (bench/compare.sh). Not part of make check.
compare:
	@bench/compare.sh $(if $(BASE),--base $(BASE)) $(if $(KERNEL),--kernel $(KERNEL)) \
		$(if $(COMPARE_SETUP),--setup '$(COMPARE_SETUP)')

# The module into /lib/modules/KVER/extra, the reader and man pages under PREFIX.
# Signed only when the tree has its signing key (a self-built kernel);
# distribution headers ship none: on Secure Boot use dkms-install.
install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KVER) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		$(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=) \
		modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall:
	rm -f $(MODDIR)/sockfd.ko $(MODDIR)/sockfd.ko.*
	if [ -d $(MODDIR) ]; then rmdir --ignore-fail-on-non-empty $(MODDIR); fi
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C tools uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# DKMS: copies the sources to /usr/src/sockfd-VERSION, builds and installs
# for KVER (default: the running kernel); later kernels get it automatically.
# Run again after changing the sources: it replaces the build for KVER.
dkms-install:
	@command -v dkms >/dev/null || { echo "sockfd: dkms is not installed" \
		"(apt-get install dkms linux-headers-$(KVER))." >&2; exit 2; }
	if dkms status -m sockfd -v $(SOCKFD_VERSION) -k $(KVER) 2>/dev/null | grep -q ', $(KVER),'; then \
		dkms remove sockfd/$(SOCKFD_VERSION) -k $(KVER); fi
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/module
	install -m 0644 Kbuild Makefile dkms.conf $(DKMS_SRC)/
	install -m 0644 module/*.c module/*.h $(DKMS_SRC)/module/
	dkms status -m sockfd -v $(SOCKFD_VERSION) 2>/dev/null | grep -q . || dkms add sockfd/$(SOCKFD_VERSION)
	dkms build sockfd/$(SOCKFD_VERSION) -k $(KVER)
	dkms install sockfd/$(SOCKFD_VERSION) -k $(KVER)

# Removes this version from every kernel, and its sources.
dkms-uninstall:
	if dkms status -m sockfd -v $(SOCKFD_VERSION) 2>/dev/null | grep -q .; then \
		dkms remove sockfd/$(SOCKFD_VERSION) --all; fi
	rm -rf $(DKMS_SRC)

# Debian packages (debian/): sockfd-dkms (the module through DKMS) and sockfd
# (the reader, man pages, the exporter's units, a modprobe.d example), built
# by dpkg-buildpackage in a copy of the sources under build/deb; the .debs
# land in build/deb/. Install them with apt-get install ./build/deb/*.deb.
DEB_DIR := $(CURDIR)/build/deb
deb:
	@for c in dpkg-buildpackage dh dh_dkms; do command -v $$c >/dev/null || { \
		echo "sockfd: make deb needs dpkg-dev, debhelper and dh-dkms (sudo make deps)" >&2; \
		exit 2; }; done
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/sockfd-$(SOCKFD_VERSION)
	if git -C $(CURDIR) rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git -C $(CURDIR) ls-files -z --cached --others --exclude-standard | \
		(cd $(CURDIR) && tar --null -T - --ignore-failed-read -cf - 2>/dev/null); \
	else tar -C $(CURDIR) --exclude=./build --exclude=./.git -cf - .; fi | \
		tar -C $(DEB_DIR)/sockfd-$(SOCKFD_VERSION) -xf -
	cd $(DEB_DIR)/sockfd-$(SOCKFD_VERSION) && dpkg-buildpackage -b -us -uc
	@ls $(DEB_DIR)/*.deb

# What the packages install, from this tree, for machines that do not use
# them: the module through DKMS for every installed kernel that has its
# headers (KVER=release: that one only), the reader and its man pages under
# PREFIX, and the commented /etc/modprobe.d/sockfd.conf (an existing one is
# kept). DESTDIR= stages all but the module (DKMS builds on each machine).
MODPROBE_CONF := $(DESTDIR)/etc/modprobe.d/sockfd.conf
LAB_KERNELS = $(if $(filter command line,$(origin KVER)),$(KVER),\
	$(patsubst /lib/modules/%/build/include,%,$(wildcard /lib/modules/*/build/include)))
SOCKFD_DKMS_PKG = $(shell dpkg-query -W -f='$${db:Status-Status}' sockfd-dkms 2>/dev/null | grep -qx installed && echo yes)
lab-install: tools
ifeq ($(DESTDIR),)
	@command -v dkms >/dev/null || { echo "sockfd: dkms is not installed" \
		"(apt-get install dkms linux-headers-amd64)." >&2; exit 2; }
	@test -z "$(SOCKFD_DKMS_PKG)" || { echo "sockfd: the package sockfd-dkms is installed:" \
		"it builds the module already (apt-get remove sockfd-dkms first)." >&2; exit 2; }
	@test -n "$(LAB_KERNELS)" || { echo "sockfd: no kernel headers in /lib/modules/*/build" \
		"(apt-get install linux-headers-$$(uname -r))." >&2; exit 2; }
	@for k in $(LAB_KERNELS); do \
		if printf '%s\n' 5.10 "$$k" | sort -V -C; then \
			$(MAKE) --no-print-directory dkms-install KVER=$$k || exit; \
		else echo "sockfd: not for $$k: Linux 5.10 or later needed"; fi; \
	done
else
	@echo "sockfd: DESTDIR is set: no module (DKMS builds it on each machine)"
endif
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	@if [ -e $(MODPROBE_CONF) ]; then echo "sockfd: keeping $(MODPROBE_CONF)"; \
	else install -D -m 0644 contrib/modprobe/sockfd.conf $(MODPROBE_CONF); fi

# All of it, and what make install-exporter, make enable-at-boot and make
# install (a module under extra/) added: every version DKMS has of sockfd
# and its sources, the reader and man pages under PREFIX, the units and
# sockfd.prom, /etc/modprobe.d/sockfd.conf and /etc/modules-load.d/sockfd.conf.
# The module is unloaded first.
lab-uninstall: uninstall-exporter
ifeq ($(DESTDIR),)
	@test -z "$(SOCKFD_DKMS_PKG)" || { echo "sockfd: the package sockfd-dkms is installed:" \
		"apt-get purge sockfd-dkms sockfd removes it." >&2; exit 2; }
	if [ -d /sys/module/sockfd ]; then modprobe -r sockfd; fi
	if command -v dkms >/dev/null; then \
		for v in $$(dkms status -m sockfd 2>/dev/null | sed -n 's|^sockfd/\([^,:]*\)[,:].*|\1|p' | sort -u); do \
			dkms remove sockfd/$$v --all || exit; done; fi
	rm -rf /usr/src/sockfd-*
endif
	$(MAKE) -C tools uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	for d in man5 man8; do if [ -d $(DESTDIR)$(PREFIX)/share/man/$$d ]; then \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)$(PREFIX)/share/man/$$d; fi; done
	rm -f $(MODPROBE_CONF) $(BOOT_CONF)
	for ko in $(DESTDIR)/lib/modules/*/extra/sockfd.ko*; do \
		[ -e "$$ko" ] || continue; rm -f "$$ko"; \
		rmdir --ignore-fail-on-non-empty "$${ko%/*}"; \
		k=$${ko#$(DESTDIR)/lib/modules/}; $(if $(DESTDIR),:,depmod -a "$${k%%/*}"); done

# Development: the module built here, into the running kernel.
load: module
	insmod $(CURDIR)/sockfd.ko

unload:
	rmmod sockfd

# Opt-in: systemd-modules-load loads sockfd at every boot (it must be
# installed: make dkms-install or make install).
enable-at-boot:
	install -d $(dir $(BOOT_CONF))
	echo sockfd > $(BOOT_CONF)

disable-at-boot:
	rm -f $(BOOT_CONF)

# Prometheus metrics through node_exporter's textfile collector: the reader,
# sockfd-prom.service (sockfd --prom-file TEXTFILE_DIR/sockfd.prom) and
# sockfd-prom.timer (every 30 s), enabled and started when systemd runs and
# DESTDIR is not set.
install-exporter: tools
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(TEXTFILE_DIR)
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@TEXTFILE_DIR@|$(TEXTFILE_DIR)|g' \
		contrib/systemd/sockfd-prom.service.in >$(DESTDIR)$(UNITDIR)/sockfd-prom.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sockfd-prom.service
	install -m 0644 contrib/systemd/sockfd-prom.timer $(DESTDIR)$(UNITDIR)/
	$(if $(SYSTEMD_RUNNING),systemctl daemon-reload && systemctl enable --now sockfd-prom.timer)

# Stops the timer and removes the units and sockfd.prom (the reader stays:
# make uninstall removes it).
uninstall-exporter:
	$(if $(SYSTEMD_RUNNING),-systemctl disable --now sockfd-prom.timer)
	$(if $(SYSTEMD_RUNNING),-systemctl stop sockfd-prom.service)
	rm -f $(DESTDIR)$(UNITDIR)/sockfd-prom.service $(DESTDIR)$(UNITDIR)/sockfd-prom.timer \
		$(DESTDIR)$(TEXTFILE_DIR)/sockfd.prom
	$(if $(SYSTEMD_RUNNING),systemctl daemon-reload)

.PHONY: all module tools fuzz clean check demo soak deps bench compare install uninstall \
	dkms-install dkms-uninstall load unload enable-at-boot disable-at-boot \
	install-exporter uninstall-exporter walkthrough walkthrough-user deb lab-install lab-uninstall

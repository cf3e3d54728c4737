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
# KERNELS="6.1 6.12 debug kcsan" narrows or widens the guest part.
check:
	@tests/check.sh $(if $(KERNELS),--kernels "$(KERNELS)")

demo:
	@tests/vm/demo.sh

# docs/walkthrough.md: runs its demonstrations in a guest (KERNEL=6.1 by
# default) and rewrites its captured output and figures (needs graphviz).
walkthrough:
	@tests/vm/walkthrough.sh $(if $(KERNEL),--kernel $(KERNEL))

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
	rm -f $(DESTDIR)$(UNITDIR)/sockfd-prom.service $(DESTDIR)$(UNITDIR)/sockfd-prom.timer \
		$(DESTDIR)$(TEXTFILE_DIR)/sockfd.prom
	$(if $(SYSTEMD_RUNNING),systemctl daemon-reload)

.PHONY: all module tools fuzz clean check demo soak deps bench compare install uninstall \
	dkms-install dkms-uninstall load unload enable-at-boot disable-at-boot \
	install-exporter uninstall-exporter walkthrough

# sockfd: top-level Makefile. The kernel build itself is described in Kbuild.

# Kernel to build against: the running one, or KVER=... / KDIR=... .
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: module tools

module:
	@test -d "$(KDIR)" || { echo "sockfd: no kernel headers at $(KDIR)." \
		"Install linux-headers-$(KVER), or pass KDIR=/path/to/build or KVER=release" \
		"(installed: $$(ls /lib/modules 2>/dev/null | tr '\n' ' '))." >&2; exit 2; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	-$(MAKE) -C tools clean
	rm -rf build

# Static checks, host tests, then guest tests on every test kernel.
# KERNELS="6.1 6.12 debug" narrows or widens the guest part.
check:
	tests/check.sh $(if $(KERNELS),--kernels "$(KERNELS)")

demo:
	tests/vm/demo.sh

deps:
	tests/vm/provision-kernels.sh

.PHONY: all module tools clean check demo deps

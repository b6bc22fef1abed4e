# SPDX-License-Identifier: MIT
# Userspace, tests and benchmarks. The kernel module is built by Kbuild:
#   make -C $KDIR M=$PWD
#
#   make               build everything (release variant, build/release/)
#   make check         install what is missing, run every test
#   make bench         the FC benchmark (EIE's nine layers) and its plot
#   make bench-conv    the conv benchmark (LeNet-5, AlexNet conv2..conv5)
#   make bench-bitplane  the bit-plane op (XNOR-Net layers) against the EIE
#                      op and OpenBLAS
#   make bench-device  the device in the guest against the in-guest CPU
#                      reference and the native host engine
#   make VARIANT=asan  build with ASan+UBSan (what the tests use)
#   make VARIANT=arm64 cross-build for the arm64 guest (static programs)
#   make run ARCH=arm64  make run on the arm64 guest
#   make install       libaccel, its header and pkg-config file, the tools,
#                      man pages (PREFIX, LIBDIR, DESTDIR as usual)
#   make install-dkms  the module's source for DKMS, in /usr/src
#   make deb           the Debian packages, into build/deb/

VARIANT ?= release
O := build/$(VARIANT)

ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(VARIANT),fuzz)
CC := clang
endif
# The arm64 guest's programs: Debian's cross compiler, linked static
# against the :arm64 libraries (scripts/deps/arm64.list), so that the
# initramfs needs no arm64 loader or .so (ldd cannot list a foreign one).
ifeq ($(VARIANT),arm64)
CC := aarch64-linux-gnu-gcc
endif

# Debian's multiarch triplet of the target (x86_64-linux-gnu, ...): where
# its libraries put their arch-specific headers
MULTIARCH := $(shell $(CC) -print-multiarch)

CFLAGS_release := -O2 -g
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS_asan := -fsanitize=address,undefined
CFLAGS_fuzz := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
LDFLAGS_fuzz := -fsanitize=fuzzer,address,undefined
CFLAGS_arm64 := -O2 -g
LDFLAGS_arm64 := -static

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla
# EXTRA_*: added by packagers (debian/rules passes dpkg-buildflags' flags).
# userspace/libaccel/include has <dcaccel/accel.h>, the path applications
# include, so the in-tree users include it as they do.
CPPFLAGS := -Iinclude -Iuserspace/libaccel/include -D_DEFAULT_SOURCE \
	$(EXTRA_CPPFLAGS)
CFLAGS := -std=c11 $(WARN) $(CFLAGS_$(VARIANT)) $(EXTRA_CFLAGS)
LDFLAGS := $(LDFLAGS_$(VARIANT)) $(EXTRA_LDFLAGS)

# make install: where things go (Debian's rules set LIBDIR to the
# multiarch directory).
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
# $(call install-tool,PROGRAM,MAN1PAGE): a program and its man page
install-tool = install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 && \
	install -m 755 $(1) $(DESTDIR)$(BINDIR)/ && \
	install -m 644 $(2) $(DESTDIR)$(MANDIR)/man1/

PROGRAMS :=
TESTS :=
FUZZERS :=

# Libraries other fragments link, named here since fragments are read in
# path order and prerequisites expand when read.
LIBEIE := $(O)/libeie.a
LIBEIE_ENCODE := $(O)/libeie_encode.a
LIBDCDEV := $(O)/libdcdev.a

all:

# Each part adds its libraries, programs, tests and fuzzers in a fragment.
include $(sort $(wildcard qemu-device/*/*.mk userspace/*/*.mk tests/*/*.mk \
	bench/*.mk fuzz/*.mk))

all: $(PROGRAMS) $(TESTS)
tests: $(TESTS)
fuzzers: $(FUZZERS)
print-tests:
	@echo $(TESTS)
print-fuzzers:
	@echo $(FUZZERS)
print-ldflags:
	@echo $(LDFLAGS)

# Link a program from its prerequisites (objects and archives).
# (objects before archives, whichever rule named them: an archive member
# is pulled in only for what the objects before it need)
LINK = @mkdir -p $(dir $@) && $(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS_$(notdir $@))

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(O) -name '*.d' 2>/dev/null)

check:
	scripts/check.sh

# the guest suite on the debug kernel (KASAN, lockdep, kmemleak; built into
# the cache the first time, 27-37 min here): longer than make check can take
check-debug:
	scripts/install-deps.sh all
	tests/run.sh tests/guest/run-debug-guest.sh

# The benchmarks, one thread each (the libraries held to one thread too):
# tables on stdout, CSV and the queue-depth plot in build/VARIANT/.
BENCH_ENV := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
bench-deps:
	scripts/install-deps.sh bench
bench: bench-deps
	$(MAKE) $(O)/bench/eie_bench
	$(BENCH_ENV) $(O)/bench/eie_bench --csv $(O)/eie_bench.csv \
		--sweep-csv $(O)/eie_queue_sweep.csv
	gnuplot -e "csv='$(O)/eie_queue_sweep.csv'; png='$(O)/eie_queue_sweep.png'" \
		bench/queue_sweep.gp
	@echo "plot: $(O)/eie_queue_sweep.png"
bench-device:
	scripts/bench-device.sh

bench-conv: bench-deps
	$(MAKE) $(O)/bench/conv_bench
	$(BENCH_ENV) $(O)/bench/conv_bench --csv $(O)/conv_bench.csv

bench-bitplane: bench-deps
	$(MAKE) $(O)/bench/bitplane_bench
	$(BENCH_ENV) $(O)/bench/bitplane_bench --csv $(O)/bitplane_bench.csv

clean:
	rm -rf build

# The module's source as DKMS builds it (dkms.conf names its version), in
# DESTDIR/usr/src/dcaccel-VERSION: what the dcaccel-dkms package holds.
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC = $(DESTDIR)/usr/src/dcaccel-$(DKMS_VERSION)
install-dkms:
	install -d $(DKMS_SRC)/drivers/accel/dcaccel $(DKMS_SRC)/include/dcaccel \
		$(DKMS_SRC)/uapi/drm
	install -m 644 dkms.conf Kbuild $(DKMS_SRC)/
	install -m 644 drivers/accel/dcaccel/*.[ch] $(DKMS_SRC)/drivers/accel/dcaccel/
	install -m 644 include/dcaccel/*.h $(DKMS_SRC)/include/dcaccel/
	install -m 644 uapi/drm/*.h $(DKMS_SRC)/uapi/drm/

# The Debian packages (debian/): dcaccel-dkms, libaccel1, libaccel-dev,
# dcaccel-tools, built from a copy of the tree so that nothing lands
# beside it.
deb:
	scripts/build-deb.sh

.PHONY: all tests fuzzers print-tests print-fuzzers print-ldflags check check-debug bench \
	bench-conv bench-bitplane bench-device bench-deps benches clean deb install \
	install-dkms

# ARCH=arm64: the guest is Debian's arm64 kernel on qemu-system-aarch64
run:
	GUEST_ARCH=$(or $(ARCH),$(GUEST_ARCH),amd64) scripts/run.sh
.PHONY: run

# Issue 15's table: LeNet-300-100 by each compression method, on the device.
lowbit:
	scripts/lowbit-table.sh
.PHONY: lowbit

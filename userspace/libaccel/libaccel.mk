# libaccel: the library applications link (device, buffers, models,
# inference). A static archive for the in-tree programs and tests, and a
# versioned shared library with pkg-config file for `make install`.
LIBACCEL := $(O)/libaccel.a
LIBACCEL_SRCS := userspace/libaccel/accel_error.c userspace/libaccel/accel_device.c \
	userspace/libaccel/accel_model.c userspace/libaccel/accel_model_query.c \
	userspace/libaccel/accel_layer.c userspace/libaccel/accel_bitplane.c \
	userspace/libaccel/accel_infer.c \
	userspace/libaccel/accel_cpu.c userspace/libaccel/accel_split.c \
	userspace/libaccel/accel_rows.c
# what linking libaccel.a needs besides it
LIBACCEL_DEPS := $(LIBACCEL) $(O)/libdcm.a $(LIBEIE_ENCODE) $(LIBEIE)
LIBACCEL_LDLIBS := -ldrm -lz -lm
LIBACCEL_CPPFLAGS := -Iuapi/drm -I/usr/include/libdrm

$(O)/userspace/libaccel/%.o: CPPFLAGS += $(LIBACCEL_CPPFLAGS)

$(LIBACCEL): $(LIBACCEL_SRCS:%.c=$(O)/%.o) userspace/libaccel/libaccel.mk
	# the list of members changes with this file: build it anew
	rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

# The shared library from position-independent copies of every object.
LIBACCEL_VERSION := 1.0.0
LIBACCEL_SONAME := libaccel.so.1
LIBACCEL_SO := $(O)/libaccel.so.$(LIBACCEL_VERSION)
LIBACCEL_PIC_SRCS := $(LIBACCEL_SRCS) $(DCM_SRCS) $(EIE_ENCODE_SRCS) $(EIE_SRCS)

$(O)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LIBACCEL_CPPFLAGS) $(CFLAGS) -fPIC -fvisibility=default -MMD -MP -c -o $@ $<

$(LIBACCEL_SO): $(LIBACCEL_PIC_SRCS:%.c=$(O)/pic/%.o) userspace/libaccel/libaccel.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIBACCEL_SONAME) \
		-Wl,--version-script=userspace/libaccel/libaccel.map \
		-o $@ $(filter %.o,$^) $(LIBACCEL_LDLIBS)

ifeq ($(VARIANT),release)
PROGRAMS += $(LIBACCEL_SO)
endif

# Installed as applications use it: #include <dcaccel/accel.h>, linked by
# pkg-config --cflags --libs libaccel. The .pc names its directories from
# ${prefix} when they are under it. libaccel(3) documents every function;
# `man accel_open` and the like lead to it.
PC_DIR = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}/$(patsubst $(PREFIX)/%,%,$(1)),$(1))
install-libaccel: $(LIBACCEL_SO)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/dcaccel
	install -m 644 $(LIBACCEL_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libaccel.so.$(LIBACCEL_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBACCEL_SONAME)
	ln -sf $(LIBACCEL_SONAME) $(DESTDIR)$(LIBDIR)/libaccel.so
	install -m 644 userspace/libaccel/accel.h $(DESTDIR)$(INCLUDEDIR)/dcaccel/accel.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call PC_DIR,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call PC_DIR,$(INCLUDEDIR))|' \
		-e 's|@VERSION@|$(LIBACCEL_VERSION)|' \
		userspace/libaccel/libaccel.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libaccel.pc
	install -d $(DESTDIR)$(MANDIR)/man3
	install -m 644 userspace/libaccel/libaccel.3 $(DESTDIR)$(MANDIR)/man3/libaccel.3
	for f in $$(sed -n 's/^[a-z].*[ *]\(accel_[a-z_0-9]*\)(.*/\1/p' userspace/libaccel/accel.h); do \
		echo '.so man3/libaccel.3' > $(DESTDIR)$(MANDIR)/man3/$$f.3 || exit 1; \
	done

install: install-libaccel
.PHONY: install install-libaccel

# The guest test's object (guest-tests/build.sh links it with its data);
# built with everything so that it always compiles.
all: $(O)/userspace/libaccel/guest-tests/libaccel_guest_test.o \
	$(O)/userspace/libaccel/guest-tests/cli_guest_test.o \
	$(O)/userspace/libaccel/guest-tests/bitplane_fixture.o

# Host tests (no device needed) and the fuzz target of the model loader.
# test_libaccel_bitplane runs the device path's ops through the device
# core (DEV_TEST_OBJS, LIBDCDEV) on the host.
LIBACCEL_TESTS := test_libaccel_model test_libaccel_cnn test_libaccel_bitplane
TESTS += $(LIBACCEL_TESTS:%=$(O)/tests/%)
$(foreach t,$(LIBACCEL_TESTS),$(eval LDLIBS_$(t) := $(LIBACCEL_LDLIBS) -lpthread))
$(LIBACCEL_TESTS:%=$(O)/tests/%): $(O)/tests/host/dcm_cnn_fixture.o
$(O)/tests/test_libaccel_cnn: $(O)/tests/host/dcm_graph_reference.o \
	$(O)/tests/host/conv_reference.o $(O)/tests/host/eie_reference.o
$(O)/tests/test_libaccel_bitplane: \
	$(O)/userspace/libaccel/guest-tests/bitplane_fixture.o \
	$(O)/tests/host/dcm_damage.o $(DEV_TEST_OBJS) $(EIE_FIXTURE_OBJS) \
	$(LIBDCDEV)
# the device core after libaccel's archives: libeie once more for it
LDLIBS_test_libaccel_bitplane := $(LIBEIE) $(LDLIBS_test_libaccel_bitplane)
$(LIBACCEL_TESTS:%=$(O)/tests/%): $(O)/tests/%: $(O)/tests/host/%.o \
		$(TAP_OBJ) $(LIBACCEL_DEPS)
	$(LINK)

FUZZERS += $(O)/fuzz/fuzz_libaccel_model
LDLIBS_fuzz_libaccel_model := $(LIBACCEL_LDLIBS)
$(O)/fuzz/fuzz_libaccel_model: $(O)/fuzz/fuzz_libaccel_model.o $(LIBACCEL_DEPS)
	$(LINK)

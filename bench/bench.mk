# The datapath benchmark (a program, not a test).
PROGRAMS += $(O)/bench/eie_bench
$(O)/bench/%.o: CPPFLAGS += -Iuserspace/eie -Iqemu-device/datapath
LDLIBS_eie_bench := -lopenblas -lm
$(O)/bench/eie_bench: $(O)/bench/eie_bench.o $(O)/bench/baselines.o \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

# Whole jobs through the device core over the tests' array guest.
PROGRAMS += $(O)/bench/dev_bench
$(O)/bench/dev_bench.o: CPPFLAGS += -Itests/host -Itests/lib -Iuserspace/dcm \
	-Iuserspace/dcc
LDLIBS_dev_bench := -lz -lm
$(O)/bench/dev_bench: $(O)/bench/dev_bench.o $(O)/tests/host/dev_rig.o \
		$(O)/tests/host/dev_guest.o \
		$(O)/userspace/dcc/idx.o $(O)/userspace/dcc/dcc_error.o \
		$(O)/libdcm.a $(LIBDCDEV) $(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

# The benchmarks (programs, not tests): the datapath's FC op over the EIE
# paper's nine layers (eie_bench) and its CONV op over LeNet-5's and
# AlexNet's convolutions (conv_bench), each against named baselines in the
# same run, and the bit-plane op (bitplane_bench, below). The first two are
# not part of `all`: their baselines (oneDNN, librsb) are the bench group of
# scripts/deps, which `make bench` installs.
BENCHES := $(O)/bench/eie_bench $(O)/bench/conv_bench \
	$(O)/bench/bitplane_bench
benches: $(BENCHES)
$(O)/bench/%.o: CPPFLAGS += -Iuserspace/eie -Iqemu-device/datapath
LDLIBS_eie_bench := -lrsb -lopenblas -lm
LDLIBS_conv_bench := -ldnnl -lopenblas -lgomp -lm
$(O)/bench/eie_bench: $(O)/bench/eie_bench.o $(O)/bench/baselines.o \
		$(O)/bench/rsb_spmv.o $(O)/bench/queue_sweep.o \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)
$(O)/bench/conv_bench: $(O)/bench/conv_bench.o $(O)/bench/conv_engine.o \
		$(O)/bench/im2col_conv.o $(O)/bench/csr_conv.o \
		$(O)/bench/onednn_conv.o $(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

# The bit-plane op (XNOR-Net layers) against the EIE op and OpenBLAS
# sgemv/sgemm: OpenBLAS is a build dependency, so `all` builds it too.
PROGRAMS += $(O)/bench/bitplane_bench
LDLIBS_bitplane_bench := -lopenblas -lm
$(O)/bench/bitplane_bench: $(O)/bench/bitplane_bench.o $(LIBEIE_ENCODE) $(LIBEIE)
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

# The benchmarks (programs, not tests): the datapath's FC op over the EIE
# paper's nine layers (eie_bench) and its CONV op over LeNet-5's and
# AlexNet's convolutions (conv_bench), each against named baselines in the
# same run. Not part of `all`: their baselines (oneDNN, librsb) are the
# bench group of scripts/deps, which `make bench` installs.
BENCHES := $(O)/bench/eie_bench $(O)/bench/conv_bench
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

# The benchmarks (programs, not tests): the datapath's FC op over the EIE
# paper's nine layers (eie_bench) against named baselines in the same run.
# Not part of `all`: their baselines (librsb) are the bench group of
# scripts/deps, which `make bench` installs.
BENCHES := $(O)/bench/eie_bench
benches: $(BENCHES)
$(O)/bench/%.o: CPPFLAGS += -Iuserspace/eie -Iqemu-device/datapath
LDLIBS_eie_bench := -lrsb -lopenblas -lm
$(O)/bench/eie_bench: $(O)/bench/eie_bench.o $(O)/bench/baselines.o \
		$(O)/bench/rsb_spmv.o $(O)/bench/queue_sweep.o \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

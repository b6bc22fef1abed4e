# The datapath benchmark (a program, not a test).
PROGRAMS += $(O)/bench/eie_bench
$(O)/bench/%.o: CPPFLAGS += -Iuserspace/eie -Iqemu-device/datapath
LDLIBS_eie_bench := -lopenblas -lm
$(O)/bench/eie_bench: $(O)/bench/eie_bench.o $(O)/bench/baselines.o \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

# libFuzzer targets of the datapath (VARIANT=fuzz builds them with clang).
FUZZERS += $(O)/fuzz/fuzz_eie_layer
$(O)/fuzz/fuzz_eie_layer: $(O)/fuzz/fuzz_eie_layer.o $(LIBEIE)
	$(LINK)

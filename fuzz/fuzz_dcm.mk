# libFuzzer targets of the .dcm reader and dcc's importers.
DCC_FUZZERS := fuzz_dcm_read fuzz_import_npy fuzz_import_safetensors fuzz_idx \
	fuzz_sweep_csv
FUZZERS += $(DCC_FUZZERS:%=$(O)/fuzz/%)
$(foreach f,$(DCC_FUZZERS),$(eval LDLIBS_$(f) := -lz -lm))
LDLIBS_fuzz_import_safetensors += -lopenblas -ljson-c

$(O)/fuzz/fuzz_dcm_read: $(O)/fuzz/fuzz_dcm_read.o $(O)/libdcm.a \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)
$(O)/fuzz/fuzz_import_npy: $(O)/fuzz/fuzz_import_npy.o \
		$(O)/userspace/dcc/import_npy.o $(O)/userspace/dcc/idx.o $(O)/userspace/dcc/dcc_error.o
	$(LINK)
$(O)/fuzz/fuzz_import_safetensors: $(O)/fuzz/fuzz_import_safetensors.o \
		$(O)/userspace/dcc/import_safetensors.o \
		$(O)/userspace/dcc/import_npy.o $(O)/userspace/dcc/model_io.o \
		$(O)/userspace/dcc/net.o $(O)/userspace/dcc/layer_fc.o \
		$(O)/userspace/dcc/layer_conv.o $(O)/userspace/dcc/layer_pool.o \
		$(O)/userspace/dcc/layer_relu.o $(O)/userspace/dcc/layer_flatten.o \
		$(O)/userspace/dcc/layer_bn.o $(O)/userspace/dcc/layer_quant.o \
		$(O)/userspace/dcc/weights.o \
		$(O)/userspace/dcc/idx.o $(O)/userspace/dcc/dcc_error.o
	$(LINK)
$(O)/fuzz/fuzz_idx: $(O)/fuzz/fuzz_idx.o $(O)/userspace/dcc/idx.o $(O)/userspace/dcc/dcc_error.o
	$(LINK)
$(O)/fuzz/fuzz_sweep_csv: $(O)/fuzz/fuzz_sweep_csv.o $(O)/userspace/dcc/sweep_csv.o \
		$(O)/userspace/dcc/sp_methods.o
	$(LINK)

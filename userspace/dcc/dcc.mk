# dcc: the Deep Compression toolchain (train, prune, quantize, encode).
# json-c (libjson-c-dev) parses the .safetensors headers.
DCC_LIB_SRCS := userspace/dcc/dcc_error.c userspace/dcc/idx.c userspace/dcc/net.c \
	userspace/dcc/layer_fc.c userspace/dcc/layer_conv.c userspace/dcc/layer_pool.c \
	userspace/dcc/layer_relu.c userspace/dcc/layer_flatten.c userspace/dcc/layer_bn.c \
	userspace/dcc/layer_quant.c \
	userspace/dcc/optim.c userspace/dcc/structure.c userspace/dcc/sp_methods.c userspace/dcc/sp_apply.c \
	userspace/dcc/sp_l1_filter.c userspace/dcc/sp_complexity.c \
	userspace/dcc/sp_slimming.c userspace/dcc/bn_fold.c \
	userspace/dcc/sp_thinet.c userspace/dcc/sp_nisp.c \
	userspace/dcc/weights.c userspace/dcc/train.c \
	userspace/dcc/lowbit.c userspace/dcc/lb_hq.c userspace/dcc/lb_sbnn.c \
	userspace/dcc/lowbit_planes.c userspace/dcc/lb_bwn_xnor.c userspace/dcc/lb_qnn.c \
	userspace/dcc/lb_lqnet.c userspace/dcc/lb_smartdeal.c \
	userspace/dcc/prune.c userspace/dcc/kmeans.c userspace/dcc/fixedpoint.c \
	userspace/dcc/fixedpoint_planes.c \
	userspace/dcc/fixed_eval.c userspace/dcc/fixed_eval_planes.c \
	userspace/dcc/import_npy.c userspace/dcc/import_safetensors.c \
	userspace/dcc/model_io.c userspace/dcc/plot.c userspace/dcc/report.c \
	userspace/dcc/quality.c userspace/dcc/plot_sweep.c userspace/dcc/sweep_csv.c
LIBDCC := $(O)/libdcc.a
DCC_LDLIBS := -lopenblas -ljson-c -lz -lm

$(O)/userspace/dcc/%.o: CPPFLAGS += -I/usr/include/$(MULTIARCH)/openblas-pthread

$(LIBDCC): $(DCC_LIB_SRCS:%.c=$(O)/%.o) userspace/dcc/dcc.mk
	# the list of members changes with this file: build it anew
	rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

PROGRAMS += $(O)/dcc
LDLIBS_dcc := $(DCC_LDLIBS)
$(O)/dcc: $(O)/userspace/dcc/dcc.o $(O)/userspace/dcc/cmd_sweep.o $(LIBDCC) $(O)/libdcm.a $(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

install-dcc: $(O)/dcc
	$(call install-tool,$(O)/dcc,userspace/dcc/dcc.1)

install: install-dcc
.PHONY: install install-dcc

# Host tests of dcc and libdcm (TAP; tests/host/test_dcc_*.c, test_dcm_*.c).
DCC_TESTS := test_dcm_huffman test_dcm_roundtrip test_dcm_v3 test_dcc_compress test_dcc_plot \
	test_dcc_train test_dcc_badinput test_dcc_layers test_dcc_cnn \
	test_dcc_structure test_dcc_slimming test_dcc_thinet_nisp test_dcc_lowbit test_dcc_planes \
	test_dcc_v3eval test_dcc_smartdeal
TESTS += $(DCC_TESTS:%=$(O)/tests/%)
$(foreach t,$(DCC_TESTS),$(eval LDLIBS_$(t) := $(DCC_LDLIBS)))
$(O)/tests/host/test_dcc_%.o: CPPFLAGS += -I/usr/include/$(MULTIARCH)/openblas-pthread

$(DCC_TESTS:%=$(O)/tests/%): $(O)/tests/%: $(O)/tests/host/%.o \
		$(O)/tests/lib/tap.o $(LIBDCC) $(O)/libdcm.a $(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)
# the graph tests' small CNN, and the spec's own references to hold it to
$(O)/tests/test_dcm_roundtrip $(O)/tests/test_dcm_v3 $(O)/tests/test_dcc_cnn: \
	$(O)/tests/host/dcm_cnn_fixture.o
# damaged files the reader refuses
$(O)/tests/test_dcm_roundtrip $(O)/tests/test_dcm_v3: $(O)/tests/host/dcm_damage.o
$(O)/tests/test_dcm_v3: $(O)/userspace/libaccel/guest-tests/bitplane_fixture.o
# dcc's run of version-3 graphs against the spec's reference layers
$(O)/tests/test_dcc_v3eval: $(O)/userspace/libaccel/guest-tests/bitplane_fixture.o \
	$(O)/tests/host/dcm_cnn_fixture.o $(O)/tests/host/conv_reference.o \
	$(O)/tests/host/eie_reference.o
$(O)/tests/test_dcc_layers $(O)/tests/test_dcc_slimming $(O)/tests/test_dcc_lowbit $(O)/tests/test_dcc_planes \
	$(O)/tests/test_dcc_smartdeal: $(O)/tests/host/dcc_synthetic.o
$(O)/tests/test_dcc_cnn: $(O)/tests/host/dcm_graph_reference.o \
	$(O)/tests/host/conv_reference.o $(O)/tests/host/eie_reference.o

# Host tests of the EIE datapath and encoder (TAP; run under ASan+UBSan).
TAP_OBJ := $(O)/tests/lib/tap.o
EIE_FIXTURE_OBJS := $(O)/tests/host/eie_fixture.o \
	$(O)/tests/host/eie_reference.o
EIE_TESTS := test_eie_engine test_eie_rows test_eie_team test_eie_format test_eie_cycles test_dp_quant \
	test_dp_bitplane test_dp_bitplane_conv test_dp_outq test_dp_energy

# The conv op's host paths against the reference convolution.
TESTS += $(O)/tests/test_dp_conv_paths
$(O)/tests/test_dp_conv_paths: $(O)/tests/host/test_dp_conv_paths.o \
		$(O)/tests/host/conv_reference.o $(EIE_FIXTURE_OBJS) $(TAP_OBJ) \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

TESTS += $(EIE_TESTS:%=$(O)/tests/%)
$(O)/tests/host/%.o: CPPFLAGS += -Itests/lib -Iuserspace/eie -Iqemu-device/datapath

$(EIE_TESTS:%=$(O)/tests/%): $(O)/tests/%: $(O)/tests/host/%.o \
		$(EIE_FIXTURE_OBJS) $(TAP_OBJ) $(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

LDLIBS_test_dp_quant := -lm

# The ioctl ABI, compiled as userspace sees it (libdrm's drm.h).
TESTS += $(O)/tests/test_uapi_abi
$(O)/tests/host/test_uapi_abi.o: CPPFLAGS += -Iuapi/drm -I/usr/include/libdrm
$(O)/tests/test_uapi_abi: $(O)/tests/host/test_uapi_abi.o $(TAP_OBJ)
	$(LINK)

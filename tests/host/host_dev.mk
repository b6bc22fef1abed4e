# Host tests of the device core (qemu-device/core/) over an array guest.
DEV_TESTS := test_dev_mmu test_dev_ring test_dev_cmd test_dev_job \
	test_dev_conv test_dev_cmd_conv test_dev_bitplane test_dev_energy test_dev_quant test_dev_bitplane_conv
DEV_TEST_OBJS := $(O)/tests/host/dev_guest.o $(O)/tests/host/dev_rig.o \
	$(O)/tests/host/conv_reference.o

TESTS += $(DEV_TESTS:%=$(O)/tests/%)

$(DEV_TESTS:%=$(O)/tests/%): $(O)/tests/%: $(O)/tests/host/%.o \
		$(DEV_TEST_OBJS) $(EIE_FIXTURE_OBJS) $(TAP_OBJ) $(LIBDCDEV) \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

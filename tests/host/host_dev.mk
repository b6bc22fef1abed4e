# Host tests of the device core (qemu-device/core/) over an array guest.
DEV_TESTS := test_dev_mmu test_dev_ring test_dev_cmd test_dev_job
DEV_GUEST_OBJ := $(O)/tests/host/dev_guest.o

TESTS += $(DEV_TESTS:%=$(O)/tests/%)

$(DEV_TESTS:%=$(O)/tests/%): $(O)/tests/%: $(O)/tests/host/%.o \
		$(DEV_GUEST_OBJ) $(EIE_FIXTURE_OBJS) $(TAP_OBJ) $(LIBDCDEV) \
		$(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

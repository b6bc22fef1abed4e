# The device core: plain C decoding, MMU walk and job execution that the
# QEMU glue (qemu-device/hw/) calls and the host tests and fuzzers drive.
DCDEV_SRCS := qemu-device/core/dev_caps.c qemu-device/core/dev_mmu.c \
	qemu-device/core/dev_ring.c qemu-device/core/dev_cmd.c \
	qemu-device/core/dev_fc.c qemu-device/core/dev_fc_cache.c \
	qemu-device/core/dev_job.c qemu-device/core/dev_layer.c \
	qemu-device/core/dev_conv.c qemu-device/core/dev_pool.c \
	qemu-device/core/dev_bitplane.c qemu-device/core/dev_energy.c \
	qemu-device/core/dev_quant.c


$(LIBDCDEV): $(DCDEV_SRCS:%.c=$(O)/%.o) qemu-device/core/core.mk
	# the list of members changes with this file: build it anew
	rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

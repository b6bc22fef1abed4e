# libdcm: the .dcm model file writer and reader (dcc writes, libaccel reads).
LIBDCM := $(O)/libdcm.a
DCM_SRCS := userspace/dcm/dcm_common.c userspace/dcm/dcm_read.c \
	userspace/dcm/dcm_write.c userspace/dcm/huffman.c \
	userspace/dcm/dcm_bitplane.c userspace/dcm/dcm_bitplane_io.c

$(LIBDCM): $(DCM_SRCS:%.c=$(O)/%.o) userspace/dcm/dcm.mk
	# the list of members changes with this file: build it anew
	rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

# The EIE datapath library (plain C; the QEMU device compiles the same files).
EIE_SRCS := qemu-device/eie/eie_validate.c qemu-device/eie/eie_run.c \
	qemu-device/eie/eie_cycles.c qemu-device/eie/eie_decoded.c \
	qemu-device/eie/eie_error.c

$(LIBEIE): $(EIE_SRCS:%.c=$(O)/%.o)
	$(AR) rcs $@ $^

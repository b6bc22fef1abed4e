# The datapath library: the EIE FC op (plain C; the QEMU device compiles the same files).
EIE_SRCS := qemu-device/datapath/eie_validate.c qemu-device/datapath/eie_run.c \
	qemu-device/datapath/eie_cycles.c qemu-device/datapath/eie_decoded.c \
	qemu-device/datapath/eie_error.c

$(LIBEIE): $(EIE_SRCS:%.c=$(O)/%.o)
	$(AR) rcs $@ $^

# The datapath library (plain C; the QEMU device compiles the same files):
# EIE's FC op, convolution, pooling and the bit-plane layer.
EIE_SRCS := qemu-device/datapath/eie_validate.c qemu-device/datapath/eie_run.c \
	qemu-device/datapath/eie_cycles.c qemu-device/datapath/eie_decoded.c \
	qemu-device/datapath/eie_rows.c qemu-device/datapath/eie_team.c \
	qemu-device/datapath/eie_error.c \
	qemu-device/datapath/eie_host.c \
	qemu-device/datapath/dp_window.c \
	qemu-device/datapath/dp_conv.c qemu-device/datapath/dp_conv_prepare.c \
	qemu-device/datapath/dp_conv_rows.c qemu-device/datapath/dp_isa.c \
	qemu-device/datapath/dp_conv_cycles.c \
	qemu-device/datapath/dp_pool.c qemu-device/datapath/dp_quant.c \
	qemu-device/datapath/dp_bitplane.c qemu-device/datapath/dp_bitplane_conv.c \
	qemu-device/datapath/dp_outq.c qemu-device/datapath/dp_energy.c

$(LIBEIE): $(EIE_SRCS:%.c=$(O)/%.o) qemu-device/datapath/datapath.mk
	# the list of members changes with this file: build it anew
	rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

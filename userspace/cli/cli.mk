# dcaccel: the command-line tool over libaccel (info, run, bench).
DCACCEL_CLI_SRCS := userspace/cli/dcaccel.c userspace/cli/cli_common.c \
	userspace/cli/cmd_info.c userspace/cli/cmd_run.c userspace/cli/cmd_bench.c \
	userspace/cli/dense_float.c userspace/cli/bench_timing.c \
	userspace/cli/cmd_bench_devices.c

$(O)/userspace/cli/%.o: CPPFLAGS += -I/usr/include/$(MULTIARCH)/openblas-pthread

PROGRAMS += $(O)/dcaccel
LDLIBS_dcaccel := -lopenblas -ldrm -lz -lm
# (libaccel.mk is read after this file: its variables are not set yet)
# idx.c and dcc_error.c: dcc's IDX reader, so inputs are read as dcc reads them
$(O)/dcaccel: $(DCACCEL_CLI_SRCS:%.c=$(O)/%.o) $(O)/userspace/dcc/idx.o \
		$(O)/userspace/dcc/dcc_error.o \
		$(O)/libaccel.a $(O)/libdcm.a $(LIBEIE_ENCODE) $(LIBEIE)
	$(LINK)

install-dcaccel: $(O)/dcaccel
	$(call install-tool,$(O)/dcaccel,userspace/cli/dcaccel.1)

install: install-dcaccel
.PHONY: install install-dcaccel

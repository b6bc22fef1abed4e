# dcc and dcaccel run as programs (tests/host/run_tool.c): their command
# lines, versions and progress output, and their man pages against --help
# and libaccel(3) against <dcaccel/accel.h>. The programs are this
# variant's (order-only prerequisites: built first, not relinked into the
# tests).
CLI_TESTS := test_cli_errors test_man_pages
TESTS += $(CLI_TESTS:%=$(O)/tests/%)
$(CLI_TESTS:%=$(O)/tests/host/%.o) $(O)/tests/host/run_tool.o: \
	CPPFLAGS += -DTOP_DIR='"$(CURDIR)"' -DBIN_DIR='"$(CURDIR)/$(O)"'
LDLIBS_test_man_pages := -lz
$(CLI_TESTS:%=$(O)/tests/%): $(O)/tests/%: $(O)/tests/host/%.o \
		$(O)/tests/host/run_tool.o $(TAP_OBJ) | $(O)/dcc $(O)/dcaccel
	$(LINK)

# dcc sweep as a user runs it, with the metric and front it reports by;
# and the pipeline, compress and stage by stage.
TESTS += $(O)/tests/test_dcc_sweep $(O)/tests/test_dcc_pipeline
$(O)/tests/host/test_dcc_pipeline.o: CPPFLAGS += -DTOP_DIR='"$(CURDIR)"' -DBIN_DIR='"$(CURDIR)/$(O)"'
$(O)/tests/test_dcc_pipeline: $(O)/tests/host/test_dcc_pipeline.o $(O)/tests/host/run_tool.o \
		$(TAP_OBJ) | $(O)/dcc $(O)/dcaccel
	$(LINK)
$(O)/tests/host/test_dcc_sweep.o: CPPFLAGS += -DTOP_DIR='"$(CURDIR)"' -DBIN_DIR='"$(CURDIR)/$(O)"'
LDLIBS_test_dcc_sweep := -lm
$(O)/tests/test_dcc_sweep: $(O)/tests/host/test_dcc_sweep.o $(O)/tests/host/run_tool.o \
		$(O)/userspace/dcc/quality.o $(TAP_OBJ) | $(O)/dcc
	$(LINK)

# dcc and dcaccel run as programs (tests/host/run_tool.c): their command
# lines, versions and progress output. The programs are this variant's
# (order-only prerequisites: built first, not relinked into the tests).
CLI_TESTS := test_cli_errors
TESTS += $(CLI_TESTS:%=$(O)/tests/%)
$(CLI_TESTS:%=$(O)/tests/host/%.o) $(O)/tests/host/run_tool.o: \
	CPPFLAGS += -DTOP_DIR='"$(CURDIR)"' -DBIN_DIR='"$(CURDIR)/$(O)"'
$(CLI_TESTS:%=$(O)/tests/%): $(O)/tests/%: $(O)/tests/host/%.o \
		$(O)/tests/host/run_tool.o $(TAP_OBJ) | $(O)/dcc $(O)/dcaccel
	$(LINK)

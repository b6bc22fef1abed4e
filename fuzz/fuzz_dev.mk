# libFuzzer target of the device core: ring entries, command buffers,
# the MMU walk and FC jobs as a hostile guest writes them.
FUZZERS += $(O)/fuzz/fuzz_dev_job
$(O)/fuzz/fuzz_dev_job: $(O)/fuzz/fuzz_dev_job.o $(LIBDCDEV) $(LIBEIE)
	$(LINK)

# The MMU walk against a naive walk written from the spec.
FUZZERS += $(O)/fuzz/fuzz_dev_mmu
$(O)/fuzz/fuzz_dev_mmu: $(O)/fuzz/fuzz_dev_mmu.o $(LIBDCDEV)
	$(LINK)

# The QEMU device end to end under QEMU's qtest accelerator: the scripts are
# the guest (PCI, ring, page tables, jobs, faults, reset). They skip when
# qemu-device/build-qemu.sh has not built QEMU yet.
TESTS += qemu-device/qtest/dcaccel_qtest.py
# What must not hang QEMU (issue 11): job DMA aimed at MMIO, resets and
# reboots during jobs, a paused VM, hot-unplug, the work limit.
TESTS += qemu-device/qtest/dcaccel_hang_qtest.py
# Power states (D0, D3hot, the function reset) and the stuck engine of the
# DEBUG op's STUCK and WEDGE actions.
TESTS += qemu-device/qtest/dcaccel_pm_qtest.py

# The QEMU device end to end under QEMU's qtest accelerator: the script is
# the guest (PCI, ring, page tables, jobs, faults, reset). It skips when
# qemu-device/build-qemu.sh has not built QEMU yet.
TESTS += qemu-device/qtest/dcaccel_qtest.py

#!/usr/bin/env bash
# What QEMU's generic fuzzer needs for the dcaccel device, in a QEMU tree
# already wired by wire-device.sh (which writes the device set both builds
# use, dcaccel.mak: the pc machine, the device, pci-testdev): the
# generic-fuzz configurations "dcaccel" and "dcaccel-dma-mmio" in
# tests/qtest/fuzz/generic_fuzz_configs.h (docs/devel/testing/fuzzing.rst):
# qemu-fuzz-x86_64 --fuzz-target=generic-fuzz-dcaccel. Files are rewritten
# only when their content changes.
#
# Usage: wire-fuzz.sh QEMU_TREE
set -euo pipefail
tree=$1

# Both configurations fuzz the device's registers (its MemoryRegion is
# "dcaccel-regs") and, through the fuzzer's DMA patterns, everything the
# worker reads; the second lets job DMA reach MMIO (its own registers,
# pci-testdev), for re-entrancy and lock order. Firmware comes from
# Debian's seabios and qemu-system-data, as for build-qemu.sh's QEMU.
python3 - "$tree/tests/qtest/fuzz/generic_fuzz_configs.h" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
entries = ""
for name, opts in (("dcaccel", ""), ("dcaccel-dma-mmio", ",x-dma-mmio=on")):
    entries += (
        '    },{\n'
        '        .name = "%s",\n'
        '        .args = "-machine pc -nodefaults "\n'
        '        "-L /usr/share/qemu -L /usr/share/seabios "\n'
        '        "-device dcaccel,pes=4,fault-injection=on%s "\n'
        '        "-device pci-testdev",\n'
        '        .objects = "dcaccel*",\n' % (name, opts))
begin, end = "    /* dcaccel: begin */\n", "    /* dcaccel: end */\n"
block = begin + entries + end
if begin in text:
    new = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: block,
                 text, flags=re.S)
else:
    anchor = "    }\n};\n"
    if anchor not in text:
        sys.exit("wire-fuzz: the end of predefined_configs not found")
    new = text.replace(anchor, block + anchor, 1)
if new != text:
    open(path, "w").write(new)
PY

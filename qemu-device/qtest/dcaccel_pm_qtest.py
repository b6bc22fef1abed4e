#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The dcaccel device's power states and its stuck engine.

hardware.rst, "Power management": a PCI PM capability with D0 and D3hot,
BAR0 not decoding in D3hot, entering D3hot a soft reset, leaving it a
function reset (No_Soft_Reset is 0). The DEBUG op's STUCK and WEDGE
actions: an engine that ignores soft resets and keeps writing a counter
to the page it latched, until a function reset (STUCK) or only a bus or
system reset (WEDGE) stops it. Each case runs its own QEMU under the
qtest accelerator (this script is the guest).

Usage: dcaccel_pm_qtest.py [QEMU]   (default: qemu-device/build-qemu.sh's)
Prints TAP; skips when that QEMU is not built or has no dcaccel.
"""
import os
import struct
import sys
import time

sys.dont_write_bytecode = True          # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dcaccel_qtest import (  # noqa: E402
    ID, CONTROL, STATUS, SCRATCH, RESET, ST_BUSY, JOB_OK, run_cases)
from dcaccel_hang_qtest import (  # noqa: E402
    Case, heavy_job, wait_busy, RO, LONG_SHAPE)

ID_MAGIC = 0x44434143
PM_CAP_ID = 0x01
OP_DEBUG, DEBUG_STUCK, DEBUG_WEDGE = 0xdeb0, 3, 4
COUNTER_VA = 0x70000


def pm_cap(g):
    """Config offset of the PM capability, or None."""
    q, dev = g.q, g.dev
    pos = q.cfg_read(dev, 0x34) & 0xfc
    for _ in range(48):
        if not pos:
            return None
        if q.cfg_read(dev, pos) & 0xff == PM_CAP_ID:
            return pos
        pos = (q.cfg_read(dev, pos) >> 8) & 0xfc
    return None


def set_power(g, state):
    """Write PMCSR.PowerState; returns the state read back."""
    cap = pm_cap(g)
    pmcsr = g.q.cfg_read(g.dev, cap + 4) & 0xffff
    g.q.cfg_write(g.dev, cap + 4, (pmcsr & ~3) | state)
    return g.q.cfg_read(g.dev, cap + 4) & 3


def capability(qemu):
    """PMC version 1.2, no D1, D2 or PME; PMCSR in D0, No_Soft_Reset 0."""
    with Case(qemu, "dcaccel") as c:
        cap = pm_cap(c.g)
        if cap is None:
            return False, "no PM capability in the list"
        pmc = c.q.cfg_read(c.g.dev, cap) >> 16
        pmcsr = c.q.cfg_read(c.g.dev, cap + 4) & 0xffff
        ok = pmc == 0x0003 and pmcsr == 0
        return ok, "PMC 0x%04x (want 0x0003), PMCSR 0x%04x (want 0)" % (
            pmc, pmcsr)


def d3hot_hides_and_resets(qemu):
    """D3hot: BAR0 does not decode; D0 again: every register is 0, the
    ring works once programmed again; D1 is not a state it has."""
    with Case(qemu, "dcaccel,pes=4") as c:
        q, g = c.q, c.g
        g.small_layer()
        g.flush()
        q.wr(SCRATCH, 0x1234)
        d3 = set_power(g, 3)
        hidden = q.rd(ID)
        q.wr(SCRATCH, 0x5678)           # goes nowhere
        d0 = set_power(g, 0)
        regs = (q.rd(ID), q.rd(SCRATCH), q.rd(CONTROL))
        d1 = set_power(g, 1)
        ok = (d3, d0, d1) == (3, 0, 0) and hidden != ID_MAGIC and \
            regs == (ID_MAGIC, 0, 0) and g.good_job()
        return ok, "states read back %s, ID in D3hot 0x%x, ID SCRATCH " \
            "CONTROL after D0 %s" % ((d3, d0, d1), hidden, regs)


def d3hot_abandons_job(qemu):
    """D3hot while a long job computes: it is abandoned, writes nothing,
    and the device is idle once back in D0."""
    with Case(qemu, "dcaccel,pes=%d" % LONG_SHAPE[0]) as c:
        q, g = c.q, c.g
        cmd_len, out_pa, batch = heavy_job(g, *LONG_SHAPE)
        g.program_ring()
        rec, _ = g.push(0x80000, cmd_len)
        g.doorbell()
        busy = wait_busy(q)
        set_power(g, 3)
        set_power(g, 0)
        time.sleep(1.0)
        quiet = g.record(rec)[0] == 0 and \
            q.mem_read(out_pa, 2 * batch) == b"\xa5" * (2 * batch)
        idle = not q.rd(STATUS) & ST_BUSY
        # the same job again on a fresh ring runs to the end
        r, again = g.run_job(0x80000, cmd_len)
        works = r is not None and r[1] == JOB_OK
        return busy and quiet and idle and works, \
            "busy before %s, nothing written %s, idle after %s; the job " \
            "again: record %s in %.2f s" % (bool(busy), quiet, idle, r, again)


def stuck_job(g, action):
    """A DEBUG op that sticks the engine on the counter page; returns the
    page's bus address."""
    page = g.place(COUNTER_VA, bytes(4096))
    g.place(0x80000, struct.pack("<IIIIQ", OP_DEBUG, 24, action, 0,
                                 COUNTER_VA + 8), RO)
    g.flush()
    g.program_ring()
    g.push(0x80000, 24)
    g.doorbell()
    return page + 8


def counting(q, pa, wait=0.05):
    """Whether the counter at pa moves within `wait` seconds."""
    a = struct.unpack("<Q", q.mem_read(pa, 8))[0]
    time.sleep(wait)
    return struct.unpack("<Q", q.mem_read(pa, 8))[0] != a


def stuck_engine(qemu):
    """STUCK: busy and writing through a soft reset; bus mastering off
    silences it; a function reset (D3hot -> D0) ends it."""
    with Case(qemu, "dcaccel,pes=4,fault-injection=on") as c:
        q, g = c.q, c.g
        pa = stuck_job(g, DEBUG_STUCK)
        time.sleep(0.05)
        started = counting(q, pa)
        q.wr(CONTROL, RESET)
        after_soft = (bool(q.rd(STATUS) & ST_BUSY), counting(q, pa))
        q.cfg_write(g.dev, 0x04, 0x2)           # memory space only
        time.sleep(0.01)
        no_master = counting(q, pa)
        q.cfg_write(g.dev, 0x04, 0x6)
        set_power(g, 3)
        set_power(g, 0)
        time.sleep(0.01)
        after_fn = (bool(q.rd(STATUS) & ST_BUSY), counting(q, pa))
        g.small_layer()
        g.flush()
        ok = started and after_soft == (True, True) and not no_master and \
            after_fn == (False, False) and g.good_job()
        return ok, "writing %s; after a soft reset busy, writing %s; " \
            "without bus mastering writing %s; after D3hot -> D0 %s" % (
                started, after_soft, no_master, after_fn)


def wedged_engine(qemu):
    """WEDGE: a function reset does not end it; a system reset does."""
    with Case(qemu, "dcaccel,pes=4,fault-injection=on", qmp=True) as c:
        q, g = c.q, c.g
        pa = stuck_job(g, DEBUG_WEDGE)
        time.sleep(0.05)
        set_power(g, 3)
        set_power(g, 0)
        after_fn = (bool(q.rd(STATUS) & ST_BUSY), counting(q, pa))
        q.qmp.execute("system_reset")
        q.qmp.wait_event("RESET")
        g.pci_setup()
        after_sys = (bool(q.rd(STATUS) & ST_BUSY), counting(q, pa))
        g.small_layer()
        g.flush()
        ok = after_fn == (True, True) and after_sys == (False, False) and \
            g.good_job()
        return ok, "after D3hot -> D0 busy, writing %s; after " \
            "system_reset %s" % (after_fn, after_sys)


CASES = [
    ("a PM capability: version 1.2, D0 and D3hot, No_Soft_Reset 0",
     capability),
    ("D3hot hides BAR0, D0 resets every register, D1 is refused",
     d3hot_hides_and_resets),
    ("D3hot during a long job abandons it: nothing written, idle in D0",
     d3hot_abandons_job),
    ("DEBUG STUCK: soft reset ignored, bus master off silences it, "
     "D3hot -> D0 frees it", stuck_engine),
    ("DEBUG WEDGE: D3hot -> D0 does not free it, system_reset does",
     wedged_engine),
]


def main():
    return run_cases(CASES)


if __name__ == "__main__":
    sys.exit(main())

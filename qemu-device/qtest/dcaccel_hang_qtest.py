#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The dcaccel device must not let a guest hang QEMU (issue 11).

Each case starts its own QEMU under the qtest accelerator (this script is
the guest, as in dcaccel_qtest.py) and aims the device at what used to
hang or misbehave: job DMA at the device's own registers and at another
device's MMIO, resets and reboots while jobs run, a paused VM, hot-unplug
during a job, and the longest jobs the work limit admits. Every reply from
QEMU has a deadline, so a hang is a failure ("not ok ... QEMU did not
answer"), never a stuck run.

The cases with x-dma-mmio=on let job DMA reach MMIO (by default the device
issues it as memory-only and the bus refuses it): they check that nothing
in the device depends on that refusal.

Usage: dcaccel_hang_qtest.py [QEMU]   (default: qemu-device/build-qemu.sh's)
Prints TAP; skips when that QEMU is not built or has no dcaccel.
"""
import os
import struct
import sys
import time

sys.dont_write_bytecode = True          # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dcaccel_qtest import (  # noqa: E402
    BAR0, CONTROL, STATUS, RING_HEAD, RING_TAIL, LAST_SEQNO_LO, LAST_STATUS,
    ENABLE, RESET, ST_BUSY, JOB_OK, JOB_MMU_FAULT, CTX_TABLE, RING,
    RING_ENTRIES, RECORDS, CTX, Hang, Qtest, layer_blobs, reference, fc_op,
    program_ring, run_cases)

PAGE = 0x1000
RW, RO = 0x6, 0x2
JOB_TOO_LARGE = 5
FAULT_BUS_WRITE = 5 << 4 | 0x2
TESTDEV_BAR = 0xfe010000        # pci-testdev's MMIO BAR (4 KiB, byte regs)
POOL = 0x400000                 # page tables and data pages from here
MSI_ADDR, MSI_DATA = 0x130000, 0x4d5a
WORK_LIMIT = 128 << 20          # CAP_MAX_WORK << 20, hardware.rst "Limits"


def fc_work(rows, cols, pes, batch, cb_len, entries):
    """One FC op's work units, as hardware.rst "Limits" defines them."""
    return batch * (cols * (1 + cb_len + 2 * pes) + rows + entries)


def fc(rows, cols, pes, batch, wbits, cb_len, cb_va, cp_va, in_va, out_va,
       entries=0, en_va=0):
    return struct.pack("<II IIII BBBBBBH II QQQQQQ Q", 1, 96, rows, cols,
                       pes, batch, wbits, 1, 4, 4, 8, 0, 0, cb_len, entries,
                       cb_va, cp_va, en_va, 0, in_va, out_va, 0)


NOP = struct.pack("<II", 0, 8)


class Guest:
    """PCI setup, the ring and context 1, whose page tables are built in
    guest RAM on demand. Guest RAM keeps its contents across resets."""

    def __init__(self, q):
        self.q = q
        self.pool = POOL
        self.l0 = {}            # L1 index -> [pa, bytearray, dirty]
        self.tail = 0
        self.seqno = 100
        self.dev = None
        self.zero = self.alloc()        # a page that stays zero
        self.l2, self.l1 = self.alloc(), self.alloc()
        q.mem_write(self.l2, struct.pack("<Q", self.l1 | 1))
        q.mem_write(CTX_TABLE + 16 * CTX, struct.pack("<QQ", self.l2 | 1, 0))

    def alloc(self, pages=1):
        pa = self.pool
        self.pool += pages * PAGE
        return pa

    # ---- PCI ----

    def find(self, ident):
        for dev in range(32):
            if self.q.cfg_read(dev, 0) == ident:
                return dev
        return None

    def pci_setup(self, testdev=False):
        """Assign the BARs and enable memory space and bus mastering (again
        after every system reset)."""
        q = self.q
        self.dev = self.find(0xdcac1234)
        if self.dev is None:
            raise RuntimeError("no dcaccel on the bus")
        q.cfg_write(self.dev, 0x10, BAR0)
        q.cfg_write(self.dev, 0x04, 0x6)
        if testdev:
            t = self.find(0x00051b36)
            if t is None:
                raise RuntimeError("no pci-testdev on the bus")
            q.cfg_write(t, 0x10, TESTDEV_BAR)
            q.cfg_write(t, 0x04, 0x6)

    def msi_to_ram(self):
        """MSI on, its message a plain RAM write we can watch."""
        q, dev = self.q, self.dev
        cap = q.cfg_read(dev, 0x34) & 0xff
        while cap and (q.cfg_read(dev, cap) & 0xff) != 0x05:
            cap = (q.cfg_read(dev, cap) >> 8) & 0xff
        q.mem_write(MSI_ADDR, bytes(4))
        q.cfg_write(dev, cap + 4, MSI_ADDR)
        q.cfg_write(dev, cap + 8, 0)
        q.cfg_write(dev, cap + 12, MSI_DATA)
        q.cfg_write(dev, cap, q.cfg_read(dev, cap) | 1 << 16)

    def msi_seen(self):
        return struct.unpack("<I", self.q.mem_read(MSI_ADDR, 4))[0] == MSI_DATA

    # ---- the MMU ----

    def map(self, va, pa, perms=RW):
        i1 = va >> 21
        if i1 not in self.l0:
            self.l0[i1] = [self.alloc(), bytearray(PAGE), True]
            self.q.mem_write(self.l1 + 8 * i1,
                             struct.pack("<Q", self.l0[i1][0] | 1))
        t = self.l0[i1]
        struct.pack_into("<Q", t[1], 8 * ((va >> 12) & 511), pa | 1 | perms)
        t[2] = True

    def map_alias(self, va, nbytes, pa, perms=RO):
        """Map nbytes of VA from va onto the one physical page pa."""
        for off in range(0, nbytes, PAGE):
            self.map(va + off, pa, perms)

    def place(self, va, data, perms=RW):
        """Fresh pages at va holding data."""
        pages = (len(data) + PAGE - 1) // PAGE or 1
        pa = self.alloc(pages)
        for i in range(pages):
            self.map(va + i * PAGE, pa + i * PAGE, perms)
        self.q.mem_write(pa, data)
        return pa

    def flush(self):
        for t in self.l0.values():
            if t[2]:
                self.q.mem_write(t[0], bytes(t[1]))
                t[2] = False

    # ---- the ring ----

    def program_ring(self):
        """A soft reset, then a fresh ring."""
        self.q.wr(CONTROL, RESET)
        program_ring(self.q)
        self.tail = 0

    def push(self, cmd_va, cmd_len, completion=None, seqno=None):
        self.seqno += 1
        seqno = self.seqno if seqno is None else seqno
        rec = RECORDS + 0x1000 * self.tail if completion is None \
            else completion
        if completion is None:
            self.q.mem_write(rec, bytes(128))
        entry = struct.pack("<IIQIIQQ24x", 3, CTX, cmd_va, cmd_len, 0,
                            seqno, rec)
        self.q.mem_write(RING + 64 * self.tail, entry)
        self.tail = (self.tail + 1) % RING_ENTRIES
        return rec, seqno

    def doorbell(self):
        self.q.wr(RING_TAIL, self.tail)

    def record(self, rec):
        raw = self.q.mem_read(rec, 40)
        return struct.unpack_from("<QIIQ", raw)     # seqno status fault va

    def run_job(self, cmd_va, cmd_len, timeout=10.0):
        """A fresh ring with one job: its record (None if it never came)
        and how long it took."""
        self.program_ring()
        rec, seq = self.push(cmd_va, cmd_len)
        t0 = time.monotonic()
        self.doorbell()
        r = self.wait_record(rec, seq, timeout)
        return r, time.monotonic() - t0

    def wait_record(self, rec, seqno, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r = self.record(rec)
            if r[0] == seqno:
                return r
            time.sleep(0.005)
        return None

    def small_layer(self, x=None):
        """dcaccel_qtest.py's 8x4 layer at VA 0x100.., its FC op at VA 0
        (output at VA 0x600); returns the reference outputs."""
        codebook, colptr, entries, bias_blob, bias, count = layer_blobs()
        x = x or [256, 0, -512, 100, 0, 0, 77, -1]
        blob = bytearray(0x1000)
        for va, data in ((0x100, codebook), (0x200, colptr),
                         (0x300, entries), (0x400, bias_blob),
                         (0x500, struct.pack("<8h", *x))):
            blob[va:va + len(data)] = data
        blob[0:96] = fc_op(0x500, 0x600, count)
        self.small_count = count
        self.small_pa = self.place(0, bytes(blob))
        return reference(x, bias, relu=1)

    def good_job(self, timeout=10.0):
        """After whatever happened: a fresh ring, the small layer, right?"""
        r = self.run_job(0, 96, timeout)[0]
        return r is not None and r[1] == JOB_OK


class Case:
    """One QEMU for one test case; close() always runs."""

    def __init__(self, qemu, device, extra=(), qmp=False, testdev=False,
                 timeout=15.0):
        if testdev:
            extra = list(extra) + ["-device", "pci-testdev"]
        self.q = Qtest(qemu, device, extra, qmp=qmp, timeout=timeout)
        try:
            self.g = Guest(self.q)
            self.g.pci_setup(testdev)
        except BaseException:
            self.q.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.q.close()
        return False


def mmio_opt(mmio):
    return ",x-dma-mmio=on" if mmio else ""


# ---- 1. job DMA aimed at the device's own CONTROL register ----------------

def completion_at_control(qemu, mmio):
    """A ring entry whose completion record is BAR0+0x40 (CONTROL) with
    seqno 2: the record's last write is CONTROL = RESET."""
    with Case(qemu, "dcaccel,pes=4" + mmio_opt(mmio)) as c:
        q, g = c.q, c.g
        g.small_layer()
        g.flush()
        g.program_ring()
        g.push(0, 96, completion=BAR0 + CONTROL, seqno=2)
        g.doorbell()
        end = time.monotonic() + 5
        while time.monotonic() < end:
            if q.rd(RING_HEAD) == 1 or q.rd(CONTROL) == 0:
                break
            time.sleep(0.005)
        regs = (q.rd(CONTROL), q.rd(RING_HEAD), q.rd(LAST_SEQNO_LO),
                q.rd(LAST_STATUS))
        if mmio:        # the record landed in the registers: a reset
            want = (0, 0, 0, 0)
        else:           # refused: reported in LAST_* only
            want = (ENABLE, 1, 2, JOB_OK)
        return regs == want and g.good_job(), \
            "CONTROL, RING_HEAD, LAST_SEQNO, LAST_STATUS %s want %s" % (
                regs, want)


def output_at_control(qemu, mmio):
    """An FC op whose output page maps BAR0, output[0] = 2 landing on
    CONTROL (RESET)."""
    with Case(qemu, "dcaccel,pes=4" + mmio_opt(mmio)) as c:
        q, g = c.q, c.g
        x = [66, 0, 0, 0, 0, 0, 0, 0]
        want = g.small_layer(x)
        if want[0] != 2:
            return False, "the layer does not give output[0] = 2: %s" % want
        g.map(0x20000, BAR0, RW)
        q.mem_write(g.small_pa + 0x800, fc_op(0x500, 0x20040, g.small_count))
        g.flush()
        g.program_ring()
        rec, seq = g.push(0x800, 96)
        g.doorbell()
        if mmio:
            time.sleep(0.5)
            got = (g.record(rec)[0], q.rd(CONTROL), q.rd(STATUS))
            ok = got == (0, 0, 0)
            diag = "record seqno, CONTROL, STATUS %s: want a reset" % (got,)
        else:
            r = g.wait_record(rec, seq, 5)
            ok = r is not None and r[1:] == (JOB_MMU_FAULT, FAULT_BUS_WRITE,
                                             0x20040)
            diag = "record %s: want a bus fault on the output" % (r,)
        return ok and g.good_job(), diag


# ---- 2. MMIO targets and resets while jobs run -----------------------------

def mmio_writer_jobs(g, out_pa, out_off, out_bytes, ops=64):
    """Two command buffers of `ops` light FC ops each, every one writing
    out_bytes of outputs at page offset out_off of a page that maps
    out_pa (MMIO): the first has only those, so the worker spends its
    time in DMA to MMIO; the second starts with a heavy op (tens of ms of
    compute, dense inputs, codebook 256, outputs to RAM). Returns the VAs
    and lengths of both."""
    pes, cols, heavy_cols, heavy_batch = 4, 16, 16384, 28
    g.place(0x100000, struct.pack("<256h", 0, *range(1, 256)), RO)
    g.map_alias(0x200000, 4 * pes * (heavy_cols + 1), g.zero)
    dense = g.alloc()
    g.q.mem_write(dense, struct.pack("<2048h", *([3] * 2048)))
    g.map_alias(0x400000, 2 * heavy_cols * heavy_batch, dense)
    g.map_alias(0x800000, out_off + out_bytes, out_pa, RW)
    g.place(0x900000, bytes(2 * heavy_batch), RW)
    light = b"".join(fc(out_bytes // 2, cols, pes, 1, 1, 2, 0x100000,
                        0x200000, 0x400000, 0x800000 + out_off)
                     for _ in range(ops))
    heavy = fc(1, heavy_cols, pes, heavy_batch, 8, 256, 0x100000, 0x200000,
               0x400000, 0x900000) + light[96:]
    g.place(0x80000, light, RO)
    g.place(0x88000, heavy, RO)
    g.flush()
    return (0x80000, len(light)), (0x88000, len(heavy))


def reset_during_jobs(qemu, mmio, how, rounds=8):
    """Jobs whose outputs go to MMIO, and a reset while they run: a
    system_reset (outputs on pci-testdev) or a reboot through port 0xcf9
    (outputs on the device's own BAR0, past its registers)."""
    testdev = how == "system_reset"
    log = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                       "dcaccel-reset-%d.log" % os.getpid())
    trace = ["-trace", "dcaccel_job_abandoned", "-D", log]
    try:
        ok, diag = reset_rounds(qemu, mmio, how, rounds, trace)
        abandoned = open(log).read().count("dcaccel_job_abandoned")
    finally:
        if os.path.exists(log):
            os.unlink(log)
    # some reset must have landed during a job for the case to mean much
    return ok and abandoned > 0, "%s, %d jobs abandoned by the resets" % (
        diag, abandoned)


def reset_rounds(qemu, mmio, how, rounds, trace):
    testdev = how == "system_reset"
    with Case(qemu, "dcaccel,pes=4" + mmio_opt(mmio), extra=trace, qmp=True,
              testdev=testdev) as c:
        q, g = c.q, c.g
        g.small_layer()
        if testdev:
            cmds = mmio_writer_jobs(g, TESTDEV_BAR, 0, 4096)
        else:
            cmds = mmio_writer_jobs(g, BAR0, 0x400, 0xc00)
        # the jobs reach their outputs: written, or refused (a bus fault)
        g.program_ring()
        rec, seq = g.push(*cmds[1])
        g.doorbell()
        r = g.wait_record(rec, seq)
        if r is None or r[1:3] not in ((JOB_OK, 0),
                                       (JOB_MMU_FAULT, FAULT_BUS_WRITE)):
            return False, "a job alone: record %s" % (r,)
        for rnd in range(rounds):
            g.program_ring()
            for _ in range(RING_ENTRIES - 1):
                g.push(*cmds[rnd % 2])
            g.doorbell()
            time.sleep(0.003 * rnd)
            try:
                if testdev:
                    q.qmp.execute("system_reset")
                else:
                    q.cmd("outb 0xcf9 0x6")
                q.qmp.wait_event("RESET")
                q.qmp.execute("query-status")
            except Hang as e:
                raise Hang("round %d: %s" % (rnd + 1, e))
            g.pci_setup(testdev)
        return g.good_job(), "%d rounds" % rounds


# ---- 3. a paused VM ----------------------------------------------------------

def heavy_job(g, pes, cols, cb_len, rows=1, batch=None, out_va=0x38000000):
    """The slowest kind of FC op: dense inputs, no entries, the largest
    batch the work limit admits (or `batch`). Returns (cmd_len, out_pa,
    batch)."""
    wbits = max(1, (cb_len - 1).bit_length())
    if batch is None:
        batch = WORK_LIMIT // fc_work(rows, cols, pes, 1, cb_len, 0)
    g.place(0x100000, struct.pack("<%dh" % cb_len, 0,
                                  *range(7, 7 + cb_len - 1)), RO)
    g.map_alias(0x10000000, 4 * pes * (cols + 1), g.zero)
    dense = g.alloc()
    g.q.mem_write(dense, struct.pack("<2048h", *[1 + i % 97
                                                  for i in range(2048)]))
    g.map_alias(0x20000000, 2 * cols * batch, dense)
    out_pa = g.place(out_va, b"\xa5" * (2 * rows * batch), RW)
    g.place(0x80000, fc(rows, cols, pes, batch, wbits, cb_len, 0x100000,
                        0x10000000, 0x20000000, out_va), RO)
    g.flush()
    return 96, out_pa, batch


# The shape whose longest admissible op runs longest in real time (about
# 0.3 s idle): 256 PEs walk the cycle model. 1 PE with codebook 256 was
# the slowest once, but the engine's product table finishes its longest
# op in about 10 ms, too soon for a stop or a D3hot to land inside it.
LONG_SHAPE = (256, 60000, 2)


def stop_cont(qemu, modeled):
    """stop while a job runs (computing, or held for its modeled time):
    no record, no output, no MSI while stopped; all of it after cont."""
    # the job takes a tenth of a second or more (computed: LONG_SHAPE; or
    # modeled at 1 MHz), far less than the 1.5 s stop, and is stopped as
    # soon as the device says it runs
    if modeled:
        dev, shape = "dcaccel,pes=4,timing=modeled,clock-mhz=1", (4, 8192, 2)
    else:
        dev, shape = "dcaccel,pes=%d" % LONG_SHAPE[0], LONG_SHAPE
    with Case(qemu, dev, qmp=True) as c:
        q, g = c.q, c.g
        pes, cols, cb_len = shape
        batch = 40 if modeled else None     # modeled: 40 x 8192 cycles
        cmd_len, out_pa, batch = heavy_job(g, pes, cols, cb_len, batch=batch)
        g.program_ring()
        g.msi_to_ram()
        rec, seq = g.push(0x80000, cmd_len)
        g.doorbell()
        busy = wait_busy(q)
        q.qmp.execute("stop")
        stopped_at = time.monotonic()

        def seen():
            return (g.record(rec)[0], g.msi_seen(),
                    q.mem_read(out_pa, 2 * batch))

        at_stop = seen()
        time.sleep(1.5)
        during = seen()
        stopped_for = time.monotonic() - stopped_at
        q.qmp.execute("cont")
        r = g.wait_record(rec, seq, 10)
        after = (r is not None and r[1] == JOB_OK, g.msi_seen(),
                 q.mem_read(out_pa, 2) != b"\xa5\xa5")
        # computing: no output yet; modeled: written, completion held
        quiet = during == at_stop and at_stop[:2] == (0, False) and \
            (modeled or at_stop[2] == b"\xa5" * (2 * batch))
        return busy and quiet and after == (True, True, True), \
            "busy before the stop %s; while stopped %.1f s: record seqno " \
            "%d, MSI %s, outputs changed %s; after cont: ok %s, MSI %s, " \
            "output %s" % (busy, stopped_for, during[0], during[1],
                           during[2] != at_stop[2], *after)


# ---- 4. hot-unplug during a job ------------------------------------------

ACPI_PCIHP_EJ = 0xae08          # PIIX4 ACPI PCI hotplug: eject slot bits


def unplug_during_job(qemu, what):
    """device_del and the guest's ACPI eject while a job runs: the eject
    (which unrealizes the device in the vCPU's I/O write) returns at
    once, the device goes, QEMU answers, nothing more is written."""
    mmio = what == "mmio"
    pes = 4 if what in ("hung", "mmio") else 256
    dev = "dcaccel,id=acc0,pes=%d,fault-injection=on%s" % (pes,
                                                            mmio_opt(mmio))
    with Case(qemu, dev, qmp=True, testdev=mmio) as c:
        q, g = c.q, c.g
        cmd_va = 0x80000
        if what == "compute":
            cmd_len, out_pa, _ = heavy_job(g, *LONG_SHAPE)
        elif what == "hung":
            g.place(cmd_va, struct.pack("<IIIIQ", 0xdeb0, 24, 1, 0, 0), RO)
            g.flush()
            cmd_len, out_pa = 24, None
        else:
            cmd_va, cmd_len = mmio_writer_jobs(g, TESTDEV_BAR, 0, 4096)[0]
            out_pa = None
        g.program_ring()
        recs = [g.push(cmd_va, cmd_len)[0]
                for _ in range(RING_ENTRIES - 1 if mmio else 1)]
        g.doorbell()
        time.sleep(0.15)
        if what == "hung":
            q.qmp.execute("stop")
        q.qmp.execute("device_del", id="acc0")
        t0 = time.monotonic()
        q.cmd("outl 0x%x 0x%x" % (ACPI_PCIHP_EJ, 1 << g.dev))
        eject_s = time.monotonic() - t0
        q.qmp.wait_event("DEVICE_DELETED")
        q.qmp.execute("query-status")
        gone = g.find(0xdcac1234) is None
        if what == "hung":
            q.qmp.execute("cont")
        seen = [g.record(rec) for rec in recs]
        time.sleep(1.0)
        # the long or hung job never completes; nothing changes afterwards
        quiet = seen == [g.record(rec) for rec in recs] and (
            mmio or (seen[0][0] == 0 and
                     q.mem_read(out_pa, 2) == b"\xa5\xa5" if out_pa
                     else seen[0][0] == 0))
        return eject_s < 0.25 and gone and quiet, \
            "eject took %.3f s, device gone %s, nothing written after %s" % (
                eject_s, gone, quiet)


# ---- 5. the work limit and cancellation inside an op ---------------------

def work_limit_counts_codebook(qemu):
    """codebook_len 256, dense inputs, 1 PE, the largest batch the old
    estimate (no codebook term) admitted: 8.5 G product-table entries.
    Must fail at once with JOB_TOO_LARGE, not run for seconds."""
    with Case(qemu, "dcaccel,pes=1") as c:
        g = c.g
        cols, batch = 65536, 509
        cmd_len, _, _ = heavy_job(g, 1, cols, 256, batch=batch)
        r, took = g.run_job(0x80000, cmd_len, 5)
        return r is not None and r[1] == JOB_TOO_LARGE, \
            "record %s after %.2f s (work %d units, limit %d)" % (
                r, took, fc_work(1, cols, 1, batch, 256, 0), WORK_LIMIT)


def wait_busy(q, timeout=5.0):
    """Poll STATUS until the device runs a job; whether it did."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if q.rd(STATUS) & ST_BUSY:
            return True
    return False


def reset_stops_long_op(qemu, pes, cols, cb_len):
    """The longest op the work limit admits for this shape runs to
    completion in bounded time; a soft reset a quarter of that time into
    it (the job still running, and abandoned: no record) frees the device
    at once: a NOP job on a fresh ring completes promptly."""
    with Case(qemu, "dcaccel,pes=%d" % pes) as c:
        q, g = c.q, c.g
        cmd_len, _, batch = heavy_job(g, pes, cols, cb_len)
        g.place(0x90000, NOP, RO)
        g.flush()
        # twice: the second run is timed, with the streams decoded (the
        # device keeps decoded layers), as the run that is reset will be
        for _ in range(2):
            r, full = g.run_job(0x80000, cmd_len)
            if r is None or r[1] != JOB_OK:
                return False, "the full job: record %s after %.2f s" % (
                    r, full)
        if full < 0.15:
            # The engine finishes the longest op the work limit admits
            # for this shape before a reset could land in it, so no reset
            # can wait on it longer than the whole op: that bound is what
            # is checked. Case 15's shape (256 PEs, the cycle model) still
            # runs long enough to reset in the middle.
            return full < 0.25, "the longest admissible op (batch %d, %d " \
                "units) takes %.3f s whole: a reset waits at most that " \
                "(bound 0.25 s)" % (batch, fc_work(1, cols, pes, batch,
                                                   cb_len, 0), full)
        g.program_ring()
        rec, _ = g.push(0x80000, cmd_len)
        g.doorbell()
        started = wait_busy(q)
        time.sleep(full / 4)
        running = bool(q.rd(STATUS) & ST_BUSY)
        q.wr(CONTROL, RESET)
        abandoned = g.record(rec)[0] == 0
        r, freed = g.run_job(0x90000, 8)
        return started and running and abandoned and r is not None and \
            r[1] == JOB_OK and freed < 0.25 and full < 5, \
            "batch %d (%d units): full job %.2f s; reset %.3f s in (busy " \
            "then %s, no record %s); the next job completed in %.3f s" % (
                batch, fc_work(1, cols, pes, batch, cb_len, 0), full,
                full / 4, running, abandoned, freed)


# ---- 6. trace events --------------------------------------------------------

def trace_events(qemu):
    """-trace dcaccel_*: the doorbell, job start and end, an MMU fault
    and a reset are traced."""
    log = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                       "dcaccel-trace-%d.log" % os.getpid())
    try:
        with Case(qemu, "dcaccel,pes=4",
                  extra=["-trace", "dcaccel_*", "-D", log]) as c:
            g = c.g
            g.small_layer()
            g.q.mem_write(g.small_pa + 0x800,
                          fc_op(0x500, 0x7f000, g.small_count))
            g.flush()
            g.program_ring()
            g.push(0x800, 96)           # VA 0x7f000 is not mapped: fault
            rec, seq = g.push(0, 96)
            g.doorbell()
            g.wait_record(rec, seq, 5)
            g.q.wr(CONTROL, RESET)
        text = open(log).read()
    except OSError as e:
        return False, str(e)
    finally:
        if os.path.exists(log):
            os.unlink(log)
    want = ["dcaccel_doorbell", "dcaccel_job_start", "dcaccel_job_end",
            "dcaccel_job_fault", "dcaccel_reset"]
    missing = [w for w in want if w not in text]
    return not missing, "missing from the trace: %s" % missing


CASES = [
    ("a completion record aimed at CONTROL (seqno 2 = RESET): refused, "
     "reported in LAST_*", completion_at_control, False),
    ("x-dma-mmio=on: the same record resets the device, no deadlock",
     completion_at_control, True),
    ("an output page mapped on BAR0, output[0] = 2 on CONTROL: a bus fault",
     output_at_control, False),
    ("x-dma-mmio=on: the same output resets the device, no deadlock",
     output_at_control, True),
    ("outputs aimed at pci-testdev's MMIO, system_reset during the jobs",
     reset_during_jobs, False, "system_reset"),
    ("x-dma-mmio=on: outputs land on pci-testdev, system_reset during them",
     reset_during_jobs, True, "system_reset"),
    ("outputs aimed at BAR0, a reboot through port 0xcf9 during the jobs",
     reset_during_jobs, False, "cf9"),
    ("x-dma-mmio=on: outputs land on BAR0, reboot through 0xcf9 during them",
     reset_during_jobs, True, "cf9"),
    ("stop during a computing job: nothing written, no MSI until cont",
     stop_cont, False),
    ("stop during a modeled-time hold: nothing written, no MSI until cont",
     stop_cont, True),
    ("device_del + ACPI eject during a long op: prompt, nothing written",
     unplug_during_job, "compute"),
    ("device_del + ACPI eject of a hung job in a stopped VM",
     unplug_during_job, "hung"),
    ("x-dma-mmio=on: device_del + ACPI eject while outputs go to MMIO",
     unplug_during_job, "mmio"),
    ("the work limit counts the product table: codebook 256, dense inputs, "
     "1 PE, batch 509 is JOB_TOO_LARGE", work_limit_counts_codebook),
    ("a reset stops the longest admissible op at once: 256 PEs, 60000 "
     "dense inputs", reset_stops_long_op, 256, 60000, 2),
    ("a reset stops the longest admissible op at once: 1 PE, 65536 dense "
     "inputs, codebook 256", reset_stops_long_op, 1, 65536, 256),
    ("a reset stops the longest admissible op at once: 64 PEs, 65536 "
     "dense inputs, codebook 256", reset_stops_long_op, 64, 65536, 256),
    ("trace events: doorbell, job start/end, fault, reset", trace_events),
]


def main():
    return run_cases(CASES)


if __name__ == "__main__":
    sys.exit(main())

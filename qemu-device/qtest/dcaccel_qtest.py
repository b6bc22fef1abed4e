#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end test of the dcaccel QEMU device without a guest OS.

QEMU runs with the qtest accelerator: this script is the "guest". It finds
the device on the PCI bus, maps BAR0, writes page tables, a command ring and
an FC layer into guest memory, rings the doorbell and checks what the worker
thread wrote back: outputs against a Python reference, statistics, faults,
error statuses, hang and soft reset. Prints TAP.

Usage: dcaccel_qtest.py [QEMU]   (default: qemu-device/build-qemu.sh's)
Skips (TAP "1..0 # SKIP") when that QEMU is not built or has no dcaccel.
"""
import json
import os
import random
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.environ.get("DCACCEL_CACHE", os.path.expanduser("~/.cache/dcaccel"))
BAR0 = 0xfe000000
PES, ROWS, COLS, BATCH = 4, 8, 4, 2

# Registers (include/dcaccel/dcaccel_hw.h)
ID, VERSION, CAP_PES, CAP_QUEUE, CAP_FLAGS = 0x000, 0x004, 0x008, 0x00c, 0x030
CONTROL, STATUS, INT_STATUS, INT_ENABLE = 0x040, 0x044, 0x048, 0x04c
RING_BASE_LO, RING_BASE_HI, RING_SIZE, RING_HEAD, RING_TAIL = \
    0x050, 0x054, 0x058, 0x05c, 0x060
CTX_BASE_LO, CTX_BASE_HI, CTX_COUNT = 0x064, 0x068, 0x06c
FAULT_STATUS, FAULT_ADDR_LO, FAULT_CTX = 0x070, 0x074, 0x07c
LAST_SEQNO_LO, SCRATCH, ERROR, LAST_STATUS = 0x080, 0x088, 0x08c, 0x090
PERF_JOBS_DONE, PERF_JOBS_FAILED, PERF_MACS, PERF_MMU_FAULTS = \
    0x100, 0x108, 0x128, 0x138
ENABLE, RESET = 1, 2
ST_ENABLED, ST_BUSY, ST_HALTED = 1, 2, 4
INT_DONE, INT_ERROR, INT_FAULT, INT_RING = 1, 2, 4, 8
JOB_OK, JOB_BAD_ENTRY, JOB_MMU_FAULT = 0, 1, 4

# Guest memory plan (bus addresses)
CTX_TABLE, L2, L1, L0 = 0x100000, 0x101000, 0x102000, 0x103000
RING, RING_ENTRIES, RECORDS, CTX_MEM = 0x110000, 8, 0x120000, 0x200000
CTX = 1


class Hang(RuntimeError):
    """QEMU did not answer in time: hung (deadlocked) or far too slow."""


class Lines:
    """Lines from a pipe or socket, each with a deadline."""

    def __init__(self, source, read, what):
        self.source, self.read, self.what = source, read, what
        self.buf = b""

    def get(self, timeout):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.source], [], [],
                                              left)[0]:
                raise Hang("%s did not answer in %.0f s" % (self.what,
                                                            timeout))
            chunk = self.read(1 << 16)
            if not chunk:
                raise RuntimeError("%s closed" % self.what)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line


class Qtest:
    """One QEMU under the qtest accelerator. Every reply, from the qtest
    channel or QMP, has a deadline: a QEMU that stops answering raises
    Hang instead of holding the test forever."""

    def __init__(self, qemu, device, extra=(), qmp=False, timeout=20.0):
        self.tmp = tempfile.mkdtemp(prefix="dcaccel-qtest-")
        self.timeout = timeout
        args = [qemu, "-machine", "pc", "-accel", "qtest", "-m", "256",
                "-L", "/usr/share/qemu", "-L", "/usr/share/seabios",
                "-nodefaults", "-display", "none", "-qtest", "stdio",
                "-qtest-log", "/dev/null"]
        if qmp:
            self.qmp_path = os.path.join(self.tmp, "qmp.sock")
            args += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        args += ["-device", device] + list(extra)
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        fd = self.p.stdout.fileno()
        self.lines = Lines(fd, lambda n: os.read(fd, n), "QEMU")
        self.irqs = []          # "raise N" / "lower N" seen, in order
        self.qmp = None
        if qmp:
            try:
                self.qmp = Qmp(self.qmp_path, timeout, self.p)
            except BaseException:
                self.close()
                raise

    def readline(self, timeout=None):
        return self.lines.get(timeout or self.timeout).decode()

    def cmd(self, line, timeout=None):
        try:
            self.p.stdin.write((line + "\n").encode())
            self.p.stdin.flush()
        except BrokenPipeError:
            raise RuntimeError("QEMU died before: " + line[:60])
        while True:
            try:
                reply = self.readline(timeout)
            except Hang as e:
                raise Hang("%s (after: %s)" % (e, line[:60]))
            except RuntimeError:
                raise RuntimeError("QEMU died after: " + line[:60])
            if reply.startswith("OK") or reply.startswith("FAIL"):
                break
            if reply.startswith("IRQ "):
                self.irqs.append(reply[4:].strip())
        if not reply.startswith("OK"):
            raise RuntimeError(line[:60] + ": " + reply.strip())
        parts = reply.split()
        return parts[1] if len(parts) > 1 else None

    def close(self):
        """Stop QEMU; a hung one does not act on SIGTERM: SIGKILL."""
        if self.qmp:
            self.qmp.close()
        self.p.terminate()
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.p.stdin.close()
        self.p.stdout.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cfg_addr(self, dev, reg):
        return 0x80000000 | (dev << 11) | reg

    def cfg_read(self, dev, reg):
        self.cmd("outl 0xcf8 0x%x" % self.cfg_addr(dev, reg))
        return int(self.cmd("inl 0xcfc"), 16)

    def cfg_write(self, dev, reg, val):
        self.cmd("outl 0xcf8 0x%x" % self.cfg_addr(dev, reg))
        self.cmd("outl 0xcfc 0x%x" % val)

    def rd(self, reg):
        return int(self.cmd("readl 0x%x" % (BAR0 + reg)), 16)

    def wr(self, reg, val):
        self.cmd("writel 0x%x 0x%x" % (BAR0 + reg, val))

    def mem_write(self, addr, data):
        if data:
            self.cmd("write 0x%x 0x%x 0x%s" % (addr, len(data), data.hex()))

    def mem_read(self, addr, n):
        return bytes.fromhex(self.cmd("read 0x%x 0x%x" % (addr, n))[2:])


class Qmp:
    """A QMP client on a unix socket, with deadlines; keeps the events."""

    def __init__(self, path, timeout, proc):
        self.timeout = timeout
        self.events = []
        end = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if proc.poll() is not None:
                    raise RuntimeError("QEMU exited with status %d" %
                                       proc.returncode)
                if time.monotonic() > end:
                    raise Hang("no QMP socket at " + path)
                time.sleep(0.02)
        self.lines = Lines(self.s, self.s.recv, "QMP")
        self._msg()                             # the greeting
        self.execute("qmp_capabilities")

    def _msg(self, timeout=None):
        return json.loads(self.lines.get(timeout or self.timeout))

    def execute(self, name, timeout=None, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            try:
                m = self._msg(timeout)
            except Hang as e:
                raise Hang("%s (after QMP %s)" % (e, name))
            if "event" in m:
                self.events.append(m["event"])
            elif "error" in m:
                raise RuntimeError("QMP %s: %s" % (name, m["error"]))
            elif "return" in m:
                return m["return"]

    def wait_event(self, name, timeout=None):
        while name not in self.events:
            m = self._msg(timeout)
            if "event" in m:
                self.events.append(m["event"])
        self.events.remove(name)

    def close(self):
        self.s.close()


# ---- the layer and its reference ----------------------------------------

CODEBOOK = [0, 256, -128, 64]


def weight(i, j):
    return CODEBOOK[1 + (i + j) % 3]


def layer_blobs():
    colptr, entries = [], []
    for p in range(PES):
        for j in range(COLS):
            colptr.append(len(entries))
            for local in range(ROWS // PES):
                row = local * PES + p
                entries.append((1 + (row + j) % 3) << 4)
        colptr.append(len(entries))
    bias = [(i - 4) << 12 for i in range(ROWS)]
    return (struct.pack("<4h", *CODEBOOK),
            struct.pack("<%dI" % len(colptr), *colptr), bytes(entries),
            struct.pack("<8i", *bias), bias, len(entries))


def reference(x, bias, relu):
    out = []
    for b in range(BATCH):
        for i in range(ROWS):
            s = sum(weight(i, j) * x[b * COLS + j] for j in range(COLS))
            s += bias[i]
            if relu:
                s = max(s, 0)
            s = (s + 128) >> 8
            out.append(max(-32768, min(32767, s)))
    return out


def fc_op(in_va, out_va, entry_count, relu=1):
    return struct.pack("<II IIII BBBBBBH II QQQQQQ Q",
                       1, 96, ROWS, COLS, PES, BATCH, 4, 4, 8, 8, 8,
                       relu | 2, 0, 4, entry_count, 0x100, 0x200, 0x300,
                       0x400, in_va, out_va, 0)


# ---- the test -------------------------------------------------------------

def program_ring(q):
    """The ring (RING_ENTRIES at RING), the context table, interrupts on,
    ENABLE: step 2 of the programming sequence."""
    q.wr(RING_BASE_LO, RING)
    q.wr(RING_BASE_HI, 0)
    q.wr(RING_SIZE, RING_ENTRIES)
    q.wr(CTX_BASE_LO, CTX_TABLE)
    q.wr(CTX_BASE_HI, 0)
    q.wr(CTX_COUNT, 4)
    q.wr(INT_ENABLE, 0xf)
    q.wr(CONTROL, ENABLE)


class Rig:
    def __init__(self, q):
        self.q = q
        self.tail = 0
        self.seqno = 0

    def find_device(self):
        for dev in range(32):
            if self.q.cfg_read(dev, 0) == 0xdcac1234:
                return dev
        return None

    def setup_memory(self):
        q = self.q
        q.mem_write(CTX_TABLE + 16 * CTX, struct.pack("<QQ", L2 | 1, 0))
        q.mem_write(L2, struct.pack("<Q", L1 | 1))
        q.mem_write(L1, struct.pack("<Q", L0 | 1))
        for i in range(16):
            perms = 0x2 if i == 15 else 0x6     # page 15: read-only
            q.mem_write(L0 + 8 * i,
                        struct.pack("<Q", (CTX_MEM + 0x1000 * i) | 1 | perms))

    def va_write(self, va, data):
        self.q.mem_write(CTX_MEM + va, data)

    def va_read(self, va, n):
        return self.q.mem_read(CTX_MEM + va, n)

    def program_ring(self):
        program_ring(self.q)
        self.tail = 0

    def push(self, cmd_va, cmd_len, flags=3, reserved0=0):
        """Queue one entry (not yet the doorbell); returns its record."""
        self.seqno += 1
        rec = RECORDS + 0x1000 * self.tail
        self.q.mem_write(rec, bytes(8))
        entry = struct.pack("<IIQIIQQ24x", flags, CTX, cmd_va, cmd_len,
                            reserved0, self.seqno, rec)
        self.q.mem_write(RING + 64 * self.tail, entry)
        self.tail = (self.tail + 1) % RING_ENTRIES
        return rec, self.seqno

    def doorbell(self):
        self.q.wr(RING_TAIL, self.tail)

    def wait_record(self, rec, seqno, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            raw = self.q.mem_read(rec, 128)
            if struct.unpack_from("<Q", raw)[0] == seqno:
                return raw
            time.sleep(0.01)
        return None


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        if not ok:
            self.failed += 1
            if diag:
                print("# " + str(diag))
        sys.stdout.flush()


def run(qemu):
    tap = Tap()
    print("1..12")
    q = Qtest(qemu, "dcaccel,pes=%d,fault-injection=on" % PES)
    r = Rig(q)
    try:
        dev = r.find_device()
        cls = q.cfg_read(dev, 8) >> 8 if dev is not None else 0
        q.cfg_write(dev or 0, 0x10, 0xffffffff)
        size = (~(q.cfg_read(dev or 0, 0x10) & ~0xf) & 0xffffffff) + 1
        tap.check(dev is not None and cls == 0x120000 and size == 4096,
                  "PCI 1234:dcac, class 0x1200, 4 KiB BAR0",
                  "dev %s class 0x%x bar size %d" % (dev, cls, size))
        q.cfg_write(dev, 0x10, BAR0)
        q.cfg_write(dev, 0x04, 0x6)     # memory space + bus master
        # No BIOS ran: route the PIIX3's four PIRQs to IRQ 11 and watch
        # the IOAPIC's inputs (INTx: the device's MSI is off).
        q.cfg_write(1, 0x60, 0x0b0b0b0b)
        q.cmd("irq_intercept_in ioapic")

        q.wr(SCRATCH, 0x5a5aa5a5)
        regs = (q.rd(ID), q.rd(VERSION), q.rd(CAP_PES), q.rd(CAP_QUEUE),
                q.rd(CAP_FLAGS), q.rd(SCRATCH))
        tap.check(regs == (0x44434143, 0x10002, PES, 8, 13, 0x5a5aa5a5),
                  "ID, VERSION, CAP registers and SCRATCH",
                  ["0x%x" % v for v in regs])

        r.setup_memory()
        codebook, colptr, entries, bias_blob, bias, count = layer_blobs()
        x = [256, 0, -512, 100, 0, 0, 77, -1]
        for va, blob in ((0x100, codebook), (0x200, colptr),
                         (0x300, entries), (0x400, bias_blob),
                         (0x500, struct.pack("<8h", *x))):
            r.va_write(va, blob)
        r.va_write(0, fc_op(0x500, 0x600, count))
        r.program_ring()
        rec, seq = r.push(0, 96)
        r.doorbell()
        raw = r.wait_record(rec, seq)
        out = list(struct.unpack("<16h", r.va_read(0x600, 32)))
        want = reference(x, bias, relu=1)
        status, ops = (struct.unpack_from("<I", raw, 8)[0],
                       struct.unpack_from("<I", raw, 28)[0]) if raw else (-1, 0)
        tap.check(raw is not None and status == JOB_OK and ops == 1 and
                  out == want, "an FC job computes the reference outputs",
                  "status %s out %s want %s" % (status, out, want))

        macs = struct.unpack_from("<Q", raw, 72)[0] if raw else 0
        npes = struct.unpack_from("<I", raw, 96)[0] if raw else 0
        cycles = struct.unpack_from("<Q", raw, 32)[0] if raw else 0
        busy = struct.unpack_from("<4Q", raw + r.q.mem_read(rec + 128, 64),
                                  128) if raw else (0,)
        tap.check(macs == 40 and npes == PES and cycles > 0 and
                  sum(busy) == struct.unpack_from("<Q", raw, 80)[0] and
                  q.rd(PERF_MACS) == 40 and q.rd(PERF_JOBS_DONE) == 1 and
                  q.rd(INT_STATUS) & INT_DONE and q.rd(LAST_SEQNO_LO) == seq,
                  "statistics in the record, the counters and the interrupt",
                  "macs %d pes %d cycles %d busy %s" % (macs, npes, cycles,
                                                         busy))
        q.irqs.clear()
        q.wr(INT_ENABLE, 0)
        masked = list(q.irqs)
        q.wr(INT_ENABLE, 0xf)
        unmasked = list(q.irqs)
        q.wr(INT_STATUS, 0xf)
        tap.check(masked == ["lower 11"] and
                  unmasked == ["lower 11", "raise 11"] and
                  q.irqs[-1] == "lower 11" and q.rd(INT_STATUS) == 0,
                  "INTx follows INT_STATUS & INT_ENABLE; W1C acknowledges",
                  q.irqs)

        # a job whose output page is read-only, then a good one: both done
        r.va_write(0x800, fc_op(0x500, 0xf000, count))
        rec1, seq1 = r.push(0x800, 96)
        rec2, seq2 = r.push(0, 96)
        r.doorbell()
        raw1, raw2 = r.wait_record(rec1, seq1), r.wait_record(rec2, seq2)
        st1 = struct.unpack_from("<IIQ", raw1, 8) if raw1 else None
        st2 = struct.unpack_from("<I", raw2, 8)[0] if raw2 else None
        fs = q.rd(FAULT_STATUS)
        tap.check(st1 == (JOB_MMU_FAULT, 0x20 | 0x2, 0xf000) and
                  st2 == JOB_OK and fs == (1 | 2 | 0x20) and
                  q.rd(FAULT_ADDR_LO) == 0xf000 and q.rd(FAULT_CTX) == CTX and
                  q.rd(INT_STATUS) & INT_FAULT,
                  "an MMU fault fails its job only; the next job runs",
                  "record %s next %s fault_status 0x%x" % (st1, st2, fs))
        q.wr(INT_STATUS, 0xf)
        q.wr(FAULT_STATUS, 1)

        rec, seq = r.push(0, 96, reserved0=7)
        r.doorbell()
        raw = r.wait_record(rec, seq)
        st = struct.unpack_from("<II", raw, 8)[0] if raw else None
        detail = struct.unpack_from("<I", raw, 24)[0] if raw else None
        tap.check(st == JOB_BAD_ENTRY and detail == 20 and
                  q.rd(INT_STATUS) & INT_ERROR,
                  "a reserved ring entry field fails the job with its offset",
                  "status %s detail %s" % (st, detail))

        # fault injection: a job that hangs until the soft reset
        r.va_write(0x900, struct.pack("<IIIIQ", 0xdeb0, 24, 1, 0, 0))
        rec, seq = r.push(0x900, 24)
        r.doorbell()
        time.sleep(0.3)
        busy_before = q.rd(STATUS)
        never = q.mem_read(rec, 8) == bytes(8)
        q.wr(CONTROL, RESET)
        after = (q.rd(STATUS), q.rd(RING_HEAD), q.rd(INT_STATUS),
                 q.rd(PERF_JOBS_DONE))
        r.program_ring()
        rec, seq = r.push(0, 96)
        r.doorbell()
        raw = r.wait_record(rec, seq)
        tap.check(busy_before == ST_ENABLED | ST_BUSY and never and
                  after == (0, 0, 0, 0) and raw is not None and
                  struct.unpack_from("<I", raw, 8)[0] == JOB_OK,
                  "a hung job stays busy; soft reset recovers the device",
                  "status before 0x%x, after reset %s, next job %s" %
                  (busy_before, after, raw is not None))

        q.wr(RING_TAIL, RING_ENTRIES + 3)
        halted = (q.rd(STATUS) & ST_HALTED, q.rd(ERROR),
                  q.rd(INT_STATUS) & INT_RING)
        q.wr(CONTROL, RESET)
        tap.check(halted == (ST_HALTED, 2, INT_RING) and q.rd(STATUS) == 0,
                  "a tail beyond the ring halts it; reset clears that",
                  "halted %s" % (halted,))

        tap.check(msi_delivery(r, dev), "with MSI on, a completion sends "
                  "the MSI message (and INTx stays low)")

        # enabling with a ring that is not a power of two is refused
        q.wr(RING_SIZE, 6)
        q.wr(CTX_COUNT, 4)
        q.wr(CONTROL, ENABLE)
        tap.check(q.rd(STATUS) == ST_HALTED and q.rd(ERROR) == 1,
                  "a bad ring configuration is refused at enable")

        tap.check(register_storm(r),
                  "random register writes and ring entries: the device "
                  "survives, and works after a reset")
    except (RuntimeError, TypeError, struct.error) as e:
        tap.check(False, "the qtest session", e)
    finally:
        q.close()
    return 1 if tap.failed else 0


def msi_delivery(r, dev):
    """Enable MSI with a message address in RAM (the device just writes
    the data there), run a job, and look for the data."""
    q = r.q
    cap = q.cfg_read(dev, 0x34) & 0xff
    while cap and (q.cfg_read(dev, cap) & 0xff) != 0x05:
        cap = (q.cfg_read(dev, cap) >> 8) & 0xff
    if not cap:
        print("# no MSI capability")
        return False
    msi_addr, msi_data = 0x130000, 0x4d5a
    q.mem_write(msi_addr, bytes(4))
    q.cfg_write(dev, cap + 4, msi_addr)
    q.cfg_write(dev, cap + 8, 0)
    q.cfg_write(dev, cap + 12, msi_data)
    ctrl = q.cfg_read(dev, cap)
    q.cfg_write(dev, cap, ctrl | (1 << 16))     # Message Control: enable
    r.program_ring()
    q.irqs.clear()
    rec, seq = r.push(0, 96)
    r.doorbell()
    raw = r.wait_record(rec, seq)
    end = time.monotonic() + 5
    got = 0
    while time.monotonic() < end and got != msi_data:
        got = struct.unpack("<I", q.mem_read(msi_addr, 4))[0]
    ok = raw is not None and got == msi_data and "raise 11" not in q.irqs
    q.cfg_write(dev, cap, ctrl & ~(1 << 16))
    q.wr(CONTROL, RESET)
    if not ok:
        print("# MSI word 0x%x, irqs %s" % (got, q.irqs))
    return ok


def register_storm(r, rounds=150):
    """A hostile guest: rounds of a valid ring setup with a random register
    or two overwritten, entries of noise or of plausible fields pointing at
    good and bad command buffers, random doorbells, resets in the middle of
    it all; then one good job must still work."""
    q, rng = r.q, random.Random(4)
    totals = [0, 0, 0, 0]
    for rnd in range(rounds):
        r.program_ring()
        for _ in range(rng.randrange(3)):
            q.wr(rng.randrange(0, 0x200, 4),
                 rng.choice([0, 1, 3, 6, rng.getrandbits(32)]))
        for slot in range(RING_ENTRIES):
            if rng.random() < 0.3:
                entry = bytes(rng.getrandbits(8) for _ in range(64))
            else:
                entry = struct.pack(
                    "<IIQIIQQ24x", rng.randrange(4), rng.choice([1, 1, 0, 9]),
                    rng.choice([0, 0x800, 0x900, 0x7000, 0x10]),
                    rng.choice([96, 24, 8, 0, 200]), 0, rnd * 100 + slot,
                    rng.choice([RECORDS + 0x1000 * slot, 0x10000000, 3]))
            q.mem_write(RING + 64 * slot, entry)
        q.wr(RING_TAIL, rng.choice([1, 3, 7, RING_ENTRIES - 1,
                                    rng.getrandbits(32)]))
        time.sleep(rng.choice([0, 0.001, 0.005]))
        for i, reg in enumerate((PERF_JOBS_DONE, PERF_JOBS_FAILED,
                                 PERF_MMU_FAULTS)):
            totals[i] += q.rd(reg)
        totals[3] += bool(q.rd(STATUS) & ST_HALTED)
        q.wr(CONTROL, RESET)
    print("# storm: %d jobs done, %d failed, %d MMU faults, %d halts seen"
          % tuple(totals))
    r.program_ring()
    rec, seq = r.push(0, 96)
    r.doorbell()
    raw = r.wait_record(rec, seq)
    # how many jobs got through before each reset depends on timing: shown,
    # not checked
    return raw is not None and struct.unpack_from("<I", raw, 8)[0] == JOB_OK


def default_qemu():
    for ver in sorted(os.listdir(CACHE)) if os.path.isdir(CACHE) else []:
        path = os.path.join(CACHE, ver, "build-dcaccel", "qemu-system-x86_64")
        if ver.startswith("qemu-") and os.access(path, os.X_OK):
            return path
    return None


def qemu_or_skip():
    """The QEMU to test (argv[1] or the cached build), or None after
    printing the TAP skip line."""
    qemu = sys.argv[1] if len(sys.argv) > 1 else default_qemu()
    if not qemu:
        print("1..0 # SKIP no QEMU built (run qemu-device/build-qemu.sh)")
        return None
    names = subprocess.run([qemu, "-device", "help"], capture_output=True,
                           text=True).stdout
    if 'name "dcaccel"' not in names:
        print("1..0 # SKIP %s has no dcaccel device" % qemu)
        return None
    return qemu


def run_cases(cases):
    """TAP over cases of (name, fn, *args), each fn(qemu, *args) giving
    (ok, diag), ok None for a case that cannot be made on this build (a
    SKIP with diag as the reason); a hang or an I/O error is a failure. DCACCEL_QTEST_ONLY
    (e.g. "3,5") runs only those. Returns the exit status."""
    qemu = qemu_or_skip()
    if not qemu:
        return 0
    only = os.environ.get("DCACCEL_QTEST_ONLY")
    tap = Tap()
    print("1..%d" % len(cases))
    sys.stdout.flush()
    for i, (name, fn, *args) in enumerate(cases, 1):
        if only and str(i) not in only.split(","):
            tap.check(True, name + " # SKIP not selected")
            continue
        t0 = time.monotonic()
        try:
            ok, diag = fn(qemu, *args)
        except Hang as e:
            ok, diag = False, "QEMU hung: %s" % e
        except (RuntimeError, OSError, struct.error, TypeError) as e:
            ok, diag = False, "%s: %s" % (type(e).__name__, e)
        if ok is None:      # the case cannot be made here: say why
            tap.check(True, "%s # SKIP %s" % (name, diag))
            continue
        tap.check(ok, "%s (%.1f s)" % (name, time.monotonic() - t0), diag)
        if ok:
            print("# " + diag)
    return 1 if tap.failed else 0


def main():
    qemu = qemu_or_skip()
    return run(qemu) if qemu else 0


if __name__ == "__main__":
    sys.exit(main())

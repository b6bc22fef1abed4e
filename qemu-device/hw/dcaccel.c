/*
 * dcaccel: a compressed-model (EIE) neural accelerator as a PCI device
 *
 * The guest programs a command ring in its memory; a worker thread takes
 * the ring's entries and runs each job through the device core
 * (qemu-device/core/: decoding, the device MMU, the EIE datapath).
 *
 * Locking: there is no device lock. Registers, the worker's bookkeeping
 * and every write of a job to guest memory are under the BQL; the worker
 * reads guest memory and computes with no lock held. A reset (soft,
 * PCI or system) only bumps a generation under the BQL, which the worker
 * checks under the BQL before each write and without it between pages and
 * inside an op, so a reset never waits for the worker and nothing of an
 * abandoned job is written after it. While the VM is stopped the worker
 * takes no job and holds the one in flight at its next check.
 * Spec: Documentation/accel/dcaccel/hardware.rst, "Device".
 *
 * SPDX-License-Identifier: MIT
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/rcu.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/msi.h"
#include "hw/pci/pci_regs.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "system/dma.h"
#include "system/runstate.h"
#include "trace.h"

#include "../core/dev_job.h"
#include "dcaccel/dcaccel_hw.h"

#define TYPE_DCACCEL "dcaccel"
OBJECT_DECLARE_SIMPLE_TYPE(DcaccelState, DCACCEL)

enum {
    PERF_JOBS_DONE,
    PERF_JOBS_FAILED,
    PERF_CYCLES,
    PERF_NONZERO_ACTS,
    PERF_ENTRIES,
    PERF_MACS,
    PERF_BUSY,
    PERF_MMU_FAULTS,
    PERF_COUNT,
};

struct DcaccelState {
    PCIDevice pdev;
    MemoryRegion mmio;

    /* properties */
    uint32_t pes;
    uint32_t queue_depth;
    uint32_t clock_mhz;
    char *timing;
    bool fault_injection;
    bool dma_mmio;

    struct dcdev_caps caps;
    VMChangeStateEntry *vmse;
    /* decoded layers kept from job to job: the worker's alone */
    struct dcdev_fc_cache *fc_cache;

    /*
     * The worker. It and everything below are under the BQL; the worker
     * also reads generation, stopping and vm_running without it.
     */
    QemuThread worker;
    QemuCond work_cond;         /* with the BQL: work, reset, resume, exit */
    bool stopping;              /* unrealize: the worker leaves */
    bool vm_running;            /* the VM runs: jobs may run and write */
    bool busy;
    uint32_t busy_generation;
    /* bumped by every reset: the job in flight, if any, is abandoned */
    uint32_t generation;
    /*
     * Fault injection: the engine is stuck (DEBUG STUCK or WEDGE, or 0),
     * busy and writing a counter to stuck_addr, until a reset of that
     * level. Under the BQL.
     */
    uint32_t stuck;
    uint64_t stuck_addr;

    uint32_t control;
    uint32_t int_status;
    uint32_t int_enable;
    uint64_t ring_base;
    uint32_t ring_size;
    uint32_t ring_head;
    uint32_t ring_tail;
    uint64_t ctx_base;
    uint32_t ctx_count;
    uint32_t fault_status;
    uint64_t fault_addr;
    uint32_t fault_ctx;
    uint64_t last_seqno;
    uint32_t last_status;
    uint32_t last_detail;
    uint32_t scratch;
    uint32_t error;
    bool halted;
    uint64_t perf[PERF_COUNT];
};

/* The job in flight, as the worker's callbacks see it. */
typedef struct DcaccelJob {
    DcaccelState *d;
    uint32_t generation;        /* of the device when the job was taken */
    struct dcdev_mem mem;       /* DMA for this job: opaque is the job */
} DcaccelJob;

/* ---- interrupts ------------------------------------------------------ */

/* Assert INTx while anything enabled is pending; MSI on new causes. */
static void dcaccel_update_irq(DcaccelState *d, uint32_t new_causes)
{
    uint32_t pending = d->int_status & d->int_enable;

    if (msi_enabled(&d->pdev)) {
        if (pending & new_causes) {
            msi_notify(&d->pdev, 0);
        }
    } else {
        pci_set_irq(&d->pdev, pending != 0);
    }
}

static void dcaccel_raise(DcaccelState *d, uint32_t causes)
{
    uint32_t fresh = causes & ~d->int_status;

    d->int_status |= causes;
    dcaccel_update_irq(d, fresh ? fresh : causes);
}

static void dcaccel_halt(DcaccelState *d, uint32_t error)
{
    trace_dcaccel_ring_halt(error, d->ring_head);
    d->halted = true;
    d->error = error;
    dcaccel_raise(d, DCACCEL_INT_RING_ERROR);
}

/* ---- reset ----------------------------------------------------------- */

/*
 * Every register back to 0 and the job in flight abandoned: the worker
 * sees the new generation before its next write and writes nothing more
 * for that job. Never waits for the worker, so it cannot deadlock with
 * a worker that waits for the BQL. Under the BQL.
 */
static void dcaccel_reset_state(DcaccelState *d)
{
    qatomic_set(&d->generation, d->generation + 1);
    d->control = 0;
    d->int_status = 0;
    d->int_enable = 0;
    d->ring_base = 0;
    d->ring_size = 0;
    d->ring_head = 0;
    d->ring_tail = 0;
    d->ctx_base = 0;
    d->ctx_count = 0;
    d->fault_status = 0;
    d->fault_addr = 0;
    d->fault_ctx = 0;
    d->last_seqno = 0;
    d->last_status = 0;
    d->last_detail = 0;
    d->scratch = 0;
    d->error = DCACCEL_ERROR_NONE;
    d->halted = false;
    memset(d->perf, 0, sizeof(d->perf));
}

/* The side effects of a reset: the interrupt line, a waiting worker. */
static void dcaccel_reset_signal(DcaccelState *d)
{
    dcaccel_update_irq(d, 0);
    /* wakes a hung, held or paused job so that it sees the reset */
    qemu_cond_broadcast(&d->work_cond);
}

/* CONTROL.RESET: both phases at once. */
static void dcaccel_soft_reset(DcaccelState *d)
{
    dcaccel_reset_state(d);
    trace_dcaccel_reset("soft", d->generation);
    dcaccel_reset_signal(d);
}

/* A PCI bus reset or a system reset (Resettable phases). */
static void dcaccel_reset_enter(Object *obj, ResetType type)
{
    DcaccelState *d = DCACCEL(obj);

    dcaccel_reset_state(d);
    d->stuck = 0;
    trace_dcaccel_reset("device", d->generation);
}

static void dcaccel_reset_hold(Object *obj, ResetType type)
{
    dcaccel_reset_signal(DCACCEL(obj));
}

/* ---- the job's view of the device ------------------------------------ */

/* Still the device's job: no reset or unplug since it was taken. */
static bool dcaccel_job_current(const DcaccelJob *j)
{
    return qatomic_read(&j->d->generation) == j->generation &&
           !qatomic_read(&j->d->stopping);
}

/*
 * Under the BQL: hold the job while the VM is stopped; then whether it may
 * go on (false once a reset or unplug abandoned it).
 */
static bool dcaccel_job_may_go_locked(const DcaccelJob *j)
{
    DcaccelState *d = j->d;

    while (dcaccel_job_current(j) && !d->vm_running) {
        qemu_cond_wait_bql(&d->work_cond);
    }
    return dcaccel_job_current(j);
}

/* The same without the BQL, which it takes only to wait for a resume. */
static bool dcaccel_job_may_go(const DcaccelJob *j)
{
    bool go;

    if (!dcaccel_job_current(j)) {
        return false;
    }
    if (qatomic_read(&j->d->vm_running)) {
        return true;
    }
    bql_lock();
    go = dcaccel_job_may_go_locked(j);
    bql_unlock();
    return go;
}

/* The core's poll, between ops and inside an FC op; no lock held. */
static bool dcaccel_job_cancelled(void *opaque)
{
    return !dcaccel_job_may_go(opaque);
}

/* ---- DMA for the core ------------------------------------------------ */

/*
 * Job DMA goes to memory only: MemTxAttrs.memory makes the bus refuse
 * anything but RAM (a BAR, this device's own registers), which the job
 * sees as a bus error. x-dma-mmio=on lifts that, for the tests that check
 * that nothing here depends on it: a RAM-device region (a VFIO BAR) is
 * "RAM" to that check and still dispatched under the BQL.
 */
static MemTxAttrs dcaccel_dma_attrs(DcaccelState *d)
{
    return (MemTxAttrs){ .memory = !d->dma_mmio };
}

/*
 * Reads take no lock (the memory API is RCU-safe for RAM; an MMIO target
 * takes the BQL itself, and the worker holds nothing else). The core
 * reads at most one page at a time: a reset, an unplug or a pause is seen
 * between pages.
 */
static int dcaccel_dma_read(void *opaque, uint64_t addr, void *buf,
                            size_t len)
{
    DcaccelJob *j = opaque;
    MemTxResult res;

    if (!dcaccel_job_may_go(j)) {
        return -1;
    }
#ifdef CONFIG_FUZZ
    /* the generic fuzzer's DMA hook is not thread-safe: serialize */
    bql_lock();
#endif
    res = dma_memory_read(pci_get_address_space(&j->d->pdev), addr, buf,
                          len, dcaccel_dma_attrs(j->d));
#ifdef CONFIG_FUZZ
    bql_unlock();
#endif
    if (res != MEMTX_OK) {
        trace_dcaccel_dma_error(0, addr, len, res);
        return -1;
    }
    return 0;
}

/*
 * Writes are made under the BQL, after checking that the job is still
 * current and the VM running: a reset (under the BQL too) is either
 * before the check, and nothing is written, or after the write. The BQL
 * is taken unless held (the completion record is written with it).
 */
static int dcaccel_dma_write(void *opaque, uint64_t addr, const void *buf,
                             size_t len)
{
    DcaccelJob *j = opaque;
    MemTxResult res;

    BQL_LOCK_GUARD();
    if (!dcaccel_job_may_go_locked(j)) {
        return -1;
    }
    res = dma_memory_write(pci_get_address_space(&j->d->pdev), addr, buf,
                           len, dcaccel_dma_attrs(j->d));
    if (res != MEMTX_OK) {
        trace_dcaccel_dma_error(1, addr, len, res);
        return -1;
    }
    return 0;
}

/* ---- the worker thread ----------------------------------------------- */

static bool dcaccel_job_ready(DcaccelState *d)
{
    return (d->control & DCACCEL_CONTROL_ENABLE) && !d->halted &&
           d->ring_head != d->ring_tail && d->vm_running;
}

/*
 * Modeled timing: hold the completion until `deadline` (QEMU_CLOCK_REALTIME
 * ns). Called with the BQL; a reset or unrealize ends the wait.
 */
static void dcaccel_hold_until(DcaccelState *d, const DcaccelJob *j,
                               int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

        if (left <= 0 || !dcaccel_job_current(j)) {
            return;
        }
        if (left < SCALE_MS) {
            /* too short for a timed wait: sleep without the lock */
            bql_unlock();
            g_usleep(left / SCALE_US + 1);
            bql_lock();
            continue;
        }
        qemu_cond_timedwait_bql(&d->work_cond,
                                MIN(left / SCALE_MS, 1000));
    }
}

static void dcaccel_count(DcaccelState *d, const struct dcdev_result *r)
{
    d->perf[r->status ? PERF_JOBS_FAILED : PERF_JOBS_DONE]++;
    d->perf[PERF_CYCLES] += r->cycles.cycles;
    d->perf[PERF_NONZERO_ACTS] += r->stats.nonzero_acts;
    d->perf[PERF_ENTRIES] += r->stats.entries;
    d->perf[PERF_MACS] += r->stats.macs;
    d->perf[PERF_BUSY] += r->cycles.busy;
}

/*
 * A job ended, still current, the VM running (under the BQL): write its
 * record, report it and move on. The record's own write may reset the
 * device (a completion address on BAR0 with x-dma-mmio=on): then nothing
 * more is reported.
 */
static void dcaccel_finish(DcaccelState *d, const DcaccelJob *j,
                           const struct dcdev_env *env,
                           enum dcdev_outcome outcome,
                           const struct dcdev_entry *e,
                           const struct dcdev_result *r, int64_t host_ns)
{
    uint32_t causes;

    if (outcome == DCDEV_RING_UNREADABLE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dcaccel: ring entry %u at 0x%" PRIx64
                      " is not readable; ring halted\n", d->ring_head,
                      d->ring_base + (uint64_t)d->ring_head *
                      DCACCEL_RING_ENTRY_SIZE);
        dcaccel_halt(d, DCACCEL_ERROR_RING_READ);
        return;
    }
    if (outcome == DCDEV_COMPLETE && dcdev_job_complete(env, e, r)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dcaccel: completion record at 0x%" PRIx64
                      " is not writable\n", e->completion);
    }
    if (!dcaccel_job_current(j)) {
        trace_dcaccel_job_abandoned(j->generation, "completion");
        return;
    }
    if (r->status != DCACCEL_JOB_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dcaccel: job seqno %" PRIu64 " ctx %u failed: "
                      "status %u detail %u fault 0x%x va 0x%" PRIx64 "%s%s\n",
                      e->seqno, e->ctx, r->status, r->detail, r->fault,
                      r->fault_va, r->msg[0] ? ": " : "", r->msg);
    }
    trace_dcaccel_job_end(e->seqno, e->ctx, r->status, r->detail,
                          r->cycles.cycles, host_ns / SCALE_US);

    /* ring registers are frozen while busy, so the size is the job's */
    d->ring_head = d->ring_size ? (d->ring_head + 1) % d->ring_size : 0;
    d->last_seqno = e->seqno;
    d->last_status = r->status;
    d->last_detail = r->detail;
    dcaccel_count(d, r);

    if (r->status == DCACCEL_JOB_MMU_FAULT) {
        trace_dcaccel_job_fault(e->seqno, e->ctx, r->fault, r->fault_va);
        d->fault_status = DCACCEL_FAULT_VALID | r->fault;
        d->fault_addr = r->fault_va;
        d->fault_ctx = e->ctx;
        d->perf[PERF_MMU_FAULTS]++;
        causes = DCACCEL_INT_MMU_FAULT;
    } else if (r->status != DCACCEL_JOB_OK) {
        causes = DCACCEL_INT_JOB_ERROR;
    } else {
        causes = e->flags & DCACCEL_RING_F_IRQ ? DCACCEL_INT_JOB_DONE : 0;
    }
    if (causes) {
        dcaccel_raise(d, causes);
    }
}

/*
 * Fault injection: a stuck engine, busy, ignoring soft resets and the
 * job's cancellation, writes a counter (64-bit, from 1) to the bus address
 * it latched every millisecond while the VM runs, until a reset of its
 * level or unplug. Models a device that keeps DMAing after the driver
 * gave up on it. Under the BQL, which the waits drop.
 */
static void dcaccel_stuck(DcaccelState *d, const struct dcdev_result *r)
{
    uint64_t count = 0;

    d->stuck = r->stuck_action;
    d->stuck_addr = r->stuck_addr;
    trace_dcaccel_stuck(d->stuck, d->stuck_addr);
    while (d->stuck && !d->stopping) {
        if (d->vm_running) {
            uint64_t le = cpu_to_le64(++count);

            dma_memory_write(pci_get_address_space(&d->pdev), d->stuck_addr,
                             &le, sizeof(le), dcaccel_dma_attrs(d));
        }
        qemu_cond_timedwait_bql(&d->work_cond, 1);
    }
    trace_dcaccel_unstuck(count);
}

static void *dcaccel_worker(void *opaque)
{
    DcaccelState *d = opaque;
    struct dcdev_result *r = g_new0(struct dcdev_result, 1);
    struct dcdev_entry e;

    /* the memory API reads under RCU */
    rcu_register_thread();
    bql_lock();
    for (;;) {
        DcaccelJob j = { .d = d };
        struct dcdev_env env;
        enum dcdev_outcome outcome;
        uint64_t entry_addr;
        int64_t start;

        while (!d->stopping && !dcaccel_job_ready(d)) {
            qemu_cond_wait_bql(&d->work_cond);
        }
        if (d->stopping) {
            break;
        }

        /* a snapshot: the registers may change while the job runs */
        j.generation = d->generation;
        j.mem = (struct dcdev_mem){
            .read = dcaccel_dma_read, .write = dcaccel_dma_write,
            .opaque = &j,
        };
        entry_addr = d->ring_base +
                     (uint64_t)d->ring_head * DCACCEL_RING_ENTRY_SIZE;
        env = (struct dcdev_env){
            .mem = &j.mem, .caps = &d->caps,
            .ctx_base = d->ctx_base, .ctx_count = d->ctx_count,
            .cancelled = dcaccel_job_cancelled, .opaque = &j,
            .cache = d->fc_cache,
        };
        d->busy = true;
        d->busy_generation = j.generation;
        trace_dcaccel_job_start(d->ring_head, entry_addr, j.generation);
        bql_unlock();

        start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
        outcome = dcdev_job_run(&env, entry_addr, &e, r);

        bql_lock();
        if (outcome == DCDEV_STUCK) {
            dcaccel_stuck(d, r);
        } else if (outcome == DCDEV_HANG) {
            /* fault injection: nothing but a reset ends this job */
            while (dcaccel_job_current(&j)) {
                qemu_cond_wait_bql(&d->work_cond);
            }
        } else if (d->caps.modeled_timing && outcome == DCDEV_COMPLETE) {
            uint64_t ns = eie_cycles_to_ns(r->cycles.cycles,
                                           d->caps.clock_mhz);

            dcaccel_hold_until(d, &j, start + ns);
        }
        if (outcome != DCDEV_CANCELLED && dcaccel_job_may_go_locked(&j)) {
            dcaccel_finish(d, &j, &env, outcome, &e, r,
                           qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start);
        } else {
            trace_dcaccel_job_abandoned(j.generation,
                                        outcome == DCDEV_CANCELLED ?
                                        "cancelled" : "after the job");
        }
        d->busy = false;
    }
    bql_unlock();
    rcu_unregister_thread();
    g_free(r);
    return NULL;
}

/* ---- registers ------------------------------------------------------- */

static uint32_t dcaccel_status(DcaccelState *d)
{
    uint32_t s = 0;

    if (d->control & DCACCEL_CONTROL_ENABLE) {
        s |= DCACCEL_STATUS_ENABLED;
    }
    if ((d->busy && d->busy_generation == d->generation) || d->stuck) {
        s |= DCACCEL_STATUS_BUSY;
    }
    if (d->halted) {
        s |= DCACCEL_STATUS_HALTED;
    }
    return s;
}

static uint64_t dcaccel_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    DcaccelState *d = opaque;

    if (addr >= DCACCEL_REG_PERF_JOBS_DONE && addr < DCACCEL_REG_PERF_END) {
        uint64_t v = d->perf[(addr - DCACCEL_REG_PERF_JOBS_DONE) / 8];

        return addr % 8 ? v >> 32 : (uint32_t)v;
    }
    switch (addr) {
    case DCACCEL_REG_ID ... DCACCEL_REG_CAP_MAX_WORK:
        return dcdev_caps_reg(&d->caps, addr);
    case DCACCEL_REG_CONTROL:
        return d->control;
    case DCACCEL_REG_STATUS:
        return dcaccel_status(d);
    case DCACCEL_REG_INT_STATUS:
        return d->int_status;
    case DCACCEL_REG_INT_ENABLE:
        return d->int_enable;
    case DCACCEL_REG_RING_BASE_LO:
        return (uint32_t)d->ring_base;
    case DCACCEL_REG_RING_BASE_HI:
        return d->ring_base >> 32;
    case DCACCEL_REG_RING_SIZE:
        return d->ring_size;
    case DCACCEL_REG_RING_HEAD:
        return d->ring_head;
    case DCACCEL_REG_RING_TAIL:
        return d->ring_tail;
    case DCACCEL_REG_CTX_BASE_LO:
        return (uint32_t)d->ctx_base;
    case DCACCEL_REG_CTX_BASE_HI:
        return d->ctx_base >> 32;
    case DCACCEL_REG_CTX_COUNT:
        return d->ctx_count;
    case DCACCEL_REG_FAULT_STATUS:
        return d->fault_status;
    case DCACCEL_REG_FAULT_ADDR_LO:
        return (uint32_t)d->fault_addr;
    case DCACCEL_REG_FAULT_ADDR_HI:
        return d->fault_addr >> 32;
    case DCACCEL_REG_FAULT_CTX:
        return d->fault_ctx;
    case DCACCEL_REG_LAST_SEQNO_LO:
        return (uint32_t)d->last_seqno;
    case DCACCEL_REG_LAST_SEQNO_HI:
        return d->last_seqno >> 32;
    case DCACCEL_REG_SCRATCH:
        return d->scratch;
    case DCACCEL_REG_ERROR:
        return d->error;
    case DCACCEL_REG_LAST_STATUS:
        return d->last_status;
    case DCACCEL_REG_LAST_DETAIL:
        return d->last_detail;
    default:
        return 0;
    }
}

/* Why the ring cannot be enabled as programmed, or NULL. */
static const char *dcaccel_ring_config_error(DcaccelState *d)
{
    if (d->ring_size < DCACCEL_RING_ENTRIES_MIN ||
        d->ring_size > d->caps.ring_max || !is_power_of_2(d->ring_size)) {
        return "RING_SIZE is not a power of two in range";
    }
    if (d->ring_base % DCACCEL_RING_ENTRY_SIZE) {
        return "RING_BASE is not 64-byte aligned";
    }
    if (d->ctx_count < 1 || d->ctx_count > d->caps.contexts) {
        return "CTX_COUNT is out of range";
    }
    if (d->ctx_base % DCACCEL_PAGE_SIZE) {
        return "CTX_BASE is not 4 KiB aligned";
    }
    return NULL;
}

static void dcaccel_write_control(DcaccelState *d, uint32_t val)
{
    const char *why;

    if (val & DCACCEL_CONTROL_RESET) {
        dcaccel_soft_reset(d);
        return;
    }
    if (val & ~DCACCEL_CONTROL_ENABLE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dcaccel: reserved CONTROL bits 0x%x ignored\n", val);
    }
    if (!(val & DCACCEL_CONTROL_ENABLE)) {
        d->control = 0;
        return;
    }
    if (d->control & DCACCEL_CONTROL_ENABLE) {
        return;
    }
    why = dcaccel_ring_config_error(d);
    if (why) {
        qemu_log_mask(LOG_GUEST_ERROR, "dcaccel: cannot enable: %s\n", why);
        dcaccel_halt(d, DCACCEL_ERROR_RING_CONFIG);
        return;
    }
    d->control = DCACCEL_CONTROL_ENABLE;
    qemu_cond_broadcast(&d->work_cond);
}

/* Ring and context registers only change while the device is quiet. */
static bool dcaccel_config_writable(DcaccelState *d, hwaddr addr)
{
    if (!(dcaccel_status(d) & (DCACCEL_STATUS_ENABLED |
                               DCACCEL_STATUS_BUSY))) {
        return true;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "dcaccel: write to 0x%" HWADDR_PRIx
                  " while enabled or busy ignored\n", addr);
    return false;
}

static void dcaccel_mmio_write(void *opaque, hwaddr addr, uint64_t val64,
                               unsigned size)
{
    DcaccelState *d = opaque;
    uint32_t val = val64;

    switch (addr) {
    case DCACCEL_REG_CONTROL:
        dcaccel_write_control(d, val);
        break;
    case DCACCEL_REG_INT_STATUS:
        d->int_status &= ~val;
        dcaccel_update_irq(d, 0);
        break;
    case DCACCEL_REG_INT_ENABLE:
        d->int_enable = val & DCACCEL_INT_ALL;
        dcaccel_update_irq(d, d->int_enable);
        break;
    case DCACCEL_REG_RING_BASE_LO:
    case DCACCEL_REG_RING_BASE_HI:
    case DCACCEL_REG_RING_SIZE:
        if (!dcaccel_config_writable(d, addr)) {
            break;
        }
        if (addr == DCACCEL_REG_RING_BASE_LO) {
            d->ring_base = deposit64(d->ring_base, 0, 32, val);
        } else if (addr == DCACCEL_REG_RING_BASE_HI) {
            d->ring_base = deposit64(d->ring_base, 32, 32, val);
        } else {
            d->ring_size = val;
        }
        /* a new ring starts empty */
        d->ring_head = 0;
        d->ring_tail = 0;
        break;
    case DCACCEL_REG_RING_TAIL:
        if (val >= d->ring_size) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "dcaccel: RING_TAIL %u beyond ring of %u\n",
                          val, d->ring_size);
            dcaccel_halt(d, DCACCEL_ERROR_TAIL);
            break;
        }
        d->ring_tail = val;
        trace_dcaccel_doorbell(val, d->ring_head, dcaccel_status(d));
        qemu_cond_broadcast(&d->work_cond);
        break;
    case DCACCEL_REG_CTX_BASE_LO:
        if (dcaccel_config_writable(d, addr)) {
            d->ctx_base = deposit64(d->ctx_base, 0, 32, val);
        }
        break;
    case DCACCEL_REG_CTX_BASE_HI:
        if (dcaccel_config_writable(d, addr)) {
            d->ctx_base = deposit64(d->ctx_base, 32, 32, val);
        }
        break;
    case DCACCEL_REG_CTX_COUNT:
        if (dcaccel_config_writable(d, addr)) {
            d->ctx_count = val;
        }
        break;
    case DCACCEL_REG_FAULT_STATUS:
        if (val & DCACCEL_FAULT_VALID) {
            d->fault_status = 0;
            d->fault_addr = 0;
            d->fault_ctx = 0;
        }
        break;
    case DCACCEL_REG_SCRATCH:
        d->scratch = val;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dcaccel: write of 0x%x to read-only or unknown "
                      "register 0x%" HWADDR_PRIx " ignored\n", val, addr);
        break;
    }
}

static const MemoryRegionOps dcaccel_mmio_ops = {
    .read = dcaccel_mmio_read,
    .write = dcaccel_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/* ---- power management ------------------------------------------------ */

static uint8_t dcaccel_pmcsr_state(DcaccelState *d)
{
    return pci_get_word(d->pdev.config + d->pdev.pm_cap + PCI_PM_CTRL) &
           PCI_PM_CTRL_STATE_MASK;
}

/*
 * D0 and D3hot (hardware.rst, "Power management"). The PCI core unmaps
 * BAR0 outside D0. Going to D3hot abandons the job in flight and clears
 * the registers; coming back to D0 is a function reset (PMCSR's
 * No_Soft_Reset is 0), which also ends a STUCK engine.
 */
static void dcaccel_config_write(PCIDevice *pdev, uint32_t addr,
                                 uint32_t val, int len)
{
    DcaccelState *d = DCACCEL(pdev);
    uint8_t old = dcaccel_pmcsr_state(d), state;

    pci_default_write_config(pdev, addr, val, len);
    state = dcaccel_pmcsr_state(d);
    if (state == old) {
        return;
    }
    trace_dcaccel_power(old, state);
    dcaccel_reset_state(d);
    if (state == 0 && d->stuck == DCACCEL_DEBUG_STUCK) {
        d->stuck = 0;
    }
    dcaccel_reset_signal(d);
}

static bool dcaccel_pm_init(DcaccelState *d, Error **errp)
{
    PCIDevice *pdev = &d->pdev;
    int pos = pci_pm_init(pdev, 0, errp);

    if (pos < 0) {
        return false;
    }
    /* D0 and D3hot only; D3hot -> D0 resets (No_Soft_Reset clear) */
    pci_set_word(pdev->config + pos + PCI_PM_PMC, PCI_PM_CAP_VER_1_2);
    pci_set_word(pdev->wmask + pos + PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK);
    return true;
}

/* ---- life cycle ------------------------------------------------------ */

/* Jobs run and write only while the VM runs (under the BQL). */
static void dcaccel_vm_state_change(void *opaque, bool running,
                                    RunState state)
{
    DcaccelState *d = opaque;

    trace_dcaccel_vm_state(running, state);
    qatomic_set(&d->vm_running, running);
    if (running) {
        qemu_cond_broadcast(&d->work_cond);
    }
}

static void dcaccel_realize(PCIDevice *pdev, Error **errp)
{
    DcaccelState *d = DCACCEL(pdev);
    const char *why;

    dcdev_caps_default(&d->caps);
    d->caps.pes = d->pes;
    d->caps.queue_depth = d->queue_depth;
    d->caps.clock_mhz = d->clock_mhz;
    d->caps.fault_injection = d->fault_injection;
    if (!d->timing || !strcmp(d->timing, "fast")) {
        d->caps.modeled_timing = false;
    } else if (!strcmp(d->timing, "modeled")) {
        d->caps.modeled_timing = true;
    } else {
        error_setg(errp, "dcaccel: timing must be 'fast' or 'modeled', "
                   "not '%s'", d->timing);
        return;
    }
    why = dcdev_caps_check(&d->caps);
    if (why) {
        error_setg(errp, "dcaccel: %s", why);
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (msi_init(pdev, 0, 1, true, false, errp)) {
        return;
    }
    if (!dcaccel_pm_init(d, errp)) {
        return;
    }
    memory_region_init_io(&d->mmio, OBJECT(d), &dcaccel_mmio_ops, d,
                          "dcaccel-regs", DCACCEL_BAR_SIZE);
    pci_register_bar(pdev, DCACCEL_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &d->mmio);

    d->fc_cache = g_new(struct dcdev_fc_cache, 1);
    dcdev_fc_cache_init(d->fc_cache);
    qemu_cond_init(&d->work_cond);
    d->stopping = false;
    d->vm_running = runstate_is_running();
    d->vmse = qemu_add_vm_change_state_handler(dcaccel_vm_state_change, d);
    qemu_thread_create(&d->worker, "dcaccel", dcaccel_worker, d,
                       QEMU_THREAD_JOINABLE);
}

/*
 * Unplug: the worker leaves at its next check (between pages of DMA,
 * every 256 non-zero inputs of an op, or at once when it waits) and
 * writes nothing more. It may be waiting for the BQL to write or to see
 * a resume, so the join drops the BQL, as cpu_remove_sync() does.
 */
static void dcaccel_exit(PCIDevice *pdev)
{
    DcaccelState *d = DCACCEL(pdev);
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    qatomic_set(&d->stopping, true);
    qemu_cond_broadcast(&d->work_cond);
    bql_unlock();
    qemu_thread_join(&d->worker);
    bql_lock();
    trace_dcaccel_unplug((qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start) /
                         SCALE_US);
    qemu_del_vm_change_state_handler(d->vmse);
    qemu_cond_destroy(&d->work_cond);
    dcdev_fc_cache_clear(d->fc_cache);
    g_free(d->fc_cache);
    d->fc_cache = NULL;
    msi_uninit(pdev);
}

static const Property dcaccel_properties[] = {
    DEFINE_PROP_UINT32("pes", DcaccelState, pes, DCACCEL_EIE_PES_DEFAULT),
    DEFINE_PROP_UINT32("queue-depth", DcaccelState, queue_depth,
                       DCACCEL_EIE_QUEUE_DEFAULT),
    DEFINE_PROP_UINT32("clock-mhz", DcaccelState, clock_mhz, 800),
    DEFINE_PROP_STRING("timing", DcaccelState, timing),
    DEFINE_PROP_BOOL("fault-injection", DcaccelState, fault_injection, false),
    DEFINE_PROP_BOOL("x-dma-mmio", DcaccelState, dma_mmio, false),
};

/* Jobs run on a host thread against guest memory: no migration. */
static const VMStateDescription vmstate_dcaccel = {
    .name = TYPE_DCACCEL,
    .unmigratable = 1,
};

static void dcaccel_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = dcaccel_realize;
    k->exit = dcaccel_exit;
    k->config_write = dcaccel_config_write;
    k->vendor_id = DCACCEL_PCI_VENDOR_ID;
    k->device_id = DCACCEL_PCI_DEVICE_ID;
    k->revision = DCACCEL_PCI_REVISION;
    k->class_id = DCACCEL_PCI_CLASS;
    dc->desc = "dcaccel compressed-model (EIE) neural accelerator";
    dc->vmsd = &vmstate_dcaccel;
    rc->phases.enter = dcaccel_reset_enter;
    rc->phases.hold = dcaccel_reset_hold;
    device_class_set_props(dc, dcaccel_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);

    object_class_property_set_description(klass, "pes",
        "processing elements, 1..256");
    object_class_property_set_description(klass, "queue-depth",
        "activation queue depth per PE, 1..1024");
    object_class_property_set_description(klass, "clock-mhz",
        "modeled clock in MHz, 1..100000");
    object_class_property_set_description(klass, "timing",
        "fast (complete as soon as computed, the default) or modeled "
        "(hold completion for the modeled cycle time)");
    object_class_property_set_description(klass, "fault-injection",
        "honour the DEBUG op (hang, fault, stuck, wedge) for recovery "
        "tests");
    object_class_property_set_description(klass, "x-dma-mmio",
        "testing only: let job DMA reach MMIO (off: a job's DMA to "
        "anything but RAM is a bus error)");
}

static void dcaccel_register_types(void)
{
    static InterfaceInfo interfaces[] = {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    };
    static const TypeInfo dcaccel_info = {
        .name = TYPE_DCACCEL,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(DcaccelState),
        .class_init = dcaccel_class_init,
        .interfaces = interfaces,
    };

    type_register_static(&dcaccel_info);
}

type_init(dcaccel_register_types)

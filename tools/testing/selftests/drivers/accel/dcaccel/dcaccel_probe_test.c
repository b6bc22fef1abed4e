// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: probe and unbind in the ways a machine does them. A
 * device found with an interrupt already pending on a legacy INTx line
 * (pci=nomsi, a kexec'd kernel, a previous driver) must not reach the IRQ
 * handler before the driver is ready for it; a timeout that fires as the
 * device is unbound must not lose its job; the module's parameters are
 * checked; and once every file is closed and every job is gone, nothing
 * holds the module.
 */
#include <sched.h>
#include <sys/wait.h>

#include "dcaccel_util.h"
#include "kselftest_harness.h"

#define DRV "/sys/bus/pci/drivers/dcaccel"

static int pci_path(const char *pci, const char *file, char *buf, size_t len)
{
	return snprintf(buf, len, "/sys/bus/pci/devices/%s/%s", pci, file) >=
	       (int)len ? -ENAMETOOLONG : 0;
}

/* Run on CPU 0 and route the device's INTx line there (best effort). */
static void intx_on_this_cpu(const char *pci)
{
	char path[160], buf[32];
	cpu_set_t set;
	FILE *f;
	int irq;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (pci_path(pci, "irq", path, sizeof(path)))
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%d", &irq) == 1 && irq > 0) {
		snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list",
			 irq);
		snprintf(buf, sizeof(buf), "0");
		dc_sysfs_write(path, buf);
	}
	fclose(f);
}

FIXTURE(dev) {
	char pci[64];
};

FIXTURE_SETUP(dev)
{
	int fd = dc_open();

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	ASSERT_EQ(0, dc_pci_address(fd, self->pci, sizeof(self->pci)));
	close(fd);
}

FIXTURE_TEARDOWN(dev)
{
}

/*
 * Issue 10, defect 2: with the device unbound, make it raise INT_STATUS
 * with interrupts enabled (a ring enabled with a bad size halts it), force
 * INTx, and bind. The interrupt is there before probe returns.
 */
TEST_F_TIMEOUT(dev, probe_with_intx_pending, 120)
{
	char path[160];
	volatile uint32_t *regs;
	int fd;

	ASSERT_EQ(0, dc_sysfs_write(DRV "/unbind", self->pci));
	ASSERT_EQ(0, pci_path(self->pci, "enable", path, sizeof(path)));
	ASSERT_EQ(0, dc_sysfs_write(path, "1"));
	ASSERT_EQ(0, pci_path(self->pci, "resource0", path, sizeof(path)));
	fd = open(path, O_RDWR | O_SYNC);
	ASSERT_LE(0, fd);
	regs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, regs);
	ASSERT_EQ(DCACCEL_ID_MAGIC, regs[DCACCEL_REG_ID / 4]);
	regs[DCACCEL_REG_INT_ENABLE / 4] = DCACCEL_INT_ALL;
	regs[DCACCEL_REG_RING_SIZE / 4] = 3;
	regs[DCACCEL_REG_CONTROL / 4] = DCACCEL_CONTROL_ENABLE;
	ASSERT_NE(0, regs[DCACCEL_REG_INT_STATUS / 4] & DCACCEL_INT_RING_ERROR);
	munmap((void *)regs, 4096);
	close(fd);

	ASSERT_EQ(0, pci_path(self->pci, "msi_bus", path, sizeof(path)));
	ASSERT_EQ(0, dc_sysfs_write(path, "0"));
	/*
	 * Bind on the CPU the INTx line interrupts, so that the interrupt
	 * arrives while probe runs, not a little later on another CPU.
	 */
	intx_on_this_cpu(self->pci);
	ASSERT_EQ(0, dc_sysfs_write(DRV "/bind", self->pci));
	/* jobs complete through the INTx line too */
	EXPECT_EQ(0, dc_device_works());

	ASSERT_EQ(0, dc_sysfs_write(DRV "/unbind", self->pci));
	ASSERT_EQ(0, dc_sysfs_write(path, "1"));
	ASSERT_EQ(0, pci_path(self->pci, "enable", path, sizeof(path)));
	ASSERT_EQ(0, dc_sysfs_write(path, "0"));
	ASSERT_EQ(0, dc_sysfs_write(DRV "/bind", self->pci));
	EXPECT_EQ(0, dc_device_works());
}

/* A timeout of 0 would reset the device continuously: refused. */
TEST_F_TIMEOUT(dev, job_timeout_param_checked, 120)
{
	EXPECT_NE(0, dc_reload("job_timeout_ms=0"));
	EXPECT_NE(0, system("modprobe dcaccel job_timeout_ms=0"));
	EXPECT_EQ(0, system("modprobe dcaccel"));
	EXPECT_EQ(0, dc_device_works());
}

/*
 * Issue 10, defect 4: a timeout that fires as the device is unbound. With
 * a 20 ms job timeout and an unbind at a random moment around it, some
 * rounds catch the timeout handler after the unplug; the job must still be
 * freed: the module's references come back to none once all is closed.
 */
/* 50 unbind/bind rounds: slow under TCG on a loaded host */
TEST_F_TIMEOUT(dev, timeouts_racing_unbind, 280)
{
	unsigned int seed = 1234;
	int round, fd;

	ASSERT_EQ(0, dc_reload("job_timeout_ms=20"));
	fd = dc_open();
	ASSERT_LE(0, fd);
	if (!dc_has_fault_injection(fd)) {
		close(fd);
		ASSERT_EQ(0, dc_reload(""));
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	}
	close(fd);
	ASSERT_TRUE(dc_refcnt_settles(0));
	for (round = 0; round < 50; round++) {
		struct dc_bo cmd;
		uint64_t job;

		fd = dc_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &cmd));
		dc_put_debug(&cmd, 0, DCACCEL_DEBUG_HANG, 0);
		dc_put_nop(&cmd, 64);
		ASSERT_EQ(0, dc_submit(fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE,
				       NULL, 0, NULL, 0, 0, &job));
		ASSERT_EQ(0, dc_submit(fd, &cmd, 64, 8, NULL, 0, NULL, 0, 0,
				       &job));
		usleep(rand_r(&seed) % 40000);
		ASSERT_EQ(0, dc_sysfs_write(DRV "/unbind", self->pci));
		munmap(cmd.map, cmd.size);
		close(fd);
		ASSERT_EQ(0, dc_sysfs_write(DRV "/bind", self->pci));
	}
	/* every job and every context freed: nothing holds the module */
	EXPECT_TRUE(dc_refcnt_settles(0));
	ASSERT_EQ(0, dc_reload(""));
	EXPECT_EQ(0, dc_device_works());
}

/* After work of every kind, closed files leave no reference behind. */
TEST_F_TIMEOUT(dev, closed_files_release_the_module, 120)
{
	struct dc_bo cmd, data;
	int fd = dc_open(), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &cmd));
	ASSERT_EQ(0, dc_bo_create(fd, 1 << 20, 0, &data));
	dc_put_nop(&cmd, 0);
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, dc_submit(fd, &cmd, 0, 8, &data.handle, 1, NULL,
				       0, 0, NULL));
	/* a mapping outlives the file; the context id does not */
	munmap(cmd.map, cmd.size);
	close(fd);
	munmap(data.map, data.size);
	EXPECT_TRUE(dc_refcnt_settles(0));
	EXPECT_EQ(0, system("rmmod dcaccel && modprobe dcaccel"));
	EXPECT_EQ(0, dc_device_works());
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: a seeded multi-process stress of the isolation
 * contract. Worker processes race FC jobs that write into buffers they
 * close at once (listed or not), device reads of random VAs, GEM_CLOSE,
 * mmap/munmap, syncobj waits, file close and reopen, debugfs resets and
 * a few injected hangs, while a canary process keeps buffers of its own
 * whose contents it checks. At the end: no canary byte changed, the
 * device still computes an FC layer bit-exact, and the number of ioctls
 * made is printed.
 *
 * Its size: DCACCEL_STRESS_IOCTLS in the environment, or
 * dcaccel_stress.ioctls=N on the kernel command line (how the guest lanes
 * set it: the debug-kernel lane asks for 10^6), default 300000; likewise
 * _SEED / .seed (default 1) and _HANGS / .hangs (injected hangs, 3).
 */
#include <signal.h>
#include <sys/wait.h>

#include "dcaccel_layer.h"
#include "kselftest_harness.h"

enum { WORKERS = 3, SLOTS = 24, CANARY_BOS = 12 };

struct shared {
	long long ioctls;	/* made by the workers that have finished */
	long long live;		/* running total, for the stop condition */
	int stop;
	int canary_bad;		/* bytes that changed */
	int canary_checks;
};

/* A setting from the environment, else the kernel command line. */
static long long setting(const char *env, const char *param, long long def)
{
	const char *v = getenv(env);
	char word[128];
	size_t n = strlen(param);
	FILE *f;

	if (v && *v)
		return atoll(v);
	f = fopen("/proc/cmdline", "r");
	if (!f)
		return def;
	while (fscanf(f, "%127s", word) == 1)
		if (!strncmp(word, param, n) && word[n] == '=')
			def = atoll(word + n + 1);
	fclose(f);
	return def;
}

/* One worker's file: its layer's read-only arrays and its buffers. */
struct worker {
	int fd;
	struct rng r;
	struct layer_job lj;
	struct dc_bo data;	/* the layer's arrays, device read-only */
	struct dc_bo cmd;
	struct dc_bo bo[SLOTS];
	uint32_t syncobj;
	uint64_t last_job;
	uint64_t o_cb, o_cp, o_en, o_bi, o_in;
};

static int worker_open(struct worker *w)
{
	const struct eie_layer *l = &w->lj.l;
	size_t cb = 2 * l->codebook_len, cp = 4 * (size_t)l->pes * (l->cols + 1);
	size_t en = (size_t)l->entry_count *
		    DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	size_t bi = 4 * (size_t)l->rows, in = 2 * (size_t)w->lj.batch * l->cols;

	memset(w->bo, 0, sizeof(w->bo));
	w->fd = dc_open();
	if (w->fd < 0)
		return w->fd;
	w->o_cb = 0;
	w->o_cp = align64(w->o_cb + cb);
	w->o_en = align64(w->o_cp + cp);
	w->o_bi = align64(w->o_en + en);
	w->o_in = align64(w->o_bi + bi);
	if (dc_bo_create(w->fd, w->o_in + in, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
			 &w->data) ||
	    dc_bo_create(w->fd, 4096, 0, &w->cmd))
		return -ENOMEM;
	memcpy((char *)w->data.map + w->o_cb, l->codebook, cb);
	memcpy((char *)w->data.map + w->o_cp, l->colptr, cp);
	memcpy((char *)w->data.map + w->o_en, l->entries, en);
	memcpy((char *)w->data.map + w->o_bi, w->lj.bias, bi);
	memcpy((char *)w->data.map + w->o_in, w->lj.input, in);
	w->syncobj = dc_syncobj_create(w->fd);
	w->last_job = 0;
	return 0;
}

static void worker_close(struct worker *w)
{
	int i;

	/* mappings stay valid after close; drop them all the same */
	for (i = 0; i < SLOTS; i++)
		if (w->bo[i].map && w->bo[i].map != MAP_FAILED)
			munmap(w->bo[i].map, w->bo[i].size);
	munmap(w->data.map, w->data.size);
	munmap(w->cmd.map, w->cmd.size);
	close(w->fd);
}

/* An FC job writing its outputs at va, listing the data BO (and maybe out). */
static void submit_fc(struct worker *w, uint64_t out_va, uint32_t out_handle)
{
	const struct eie_layer *l = &w->lj.l;
	struct dcaccel_op_fc op;
	uint32_t handles[2] = { w->data.handle, out_handle };

	fc_op_from_layer(l, w->lj.batch, &op);
	op.codebook_va = w->data.va + w->o_cb;
	op.colptr_va = w->data.va + w->o_cp;
	op.entries_va = w->data.va + w->o_en;
	op.bias_va = l->bias ? w->data.va + w->o_bi : 0;
	op.input_va = w->data.va + w->o_in;
	op.output_va = out_va;
	memcpy(w->cmd.map, &op, sizeof(op));
	dc_submit(w->fd, &w->cmd, 0, sizeof(op), handles, out_handle ? 2 : 1,
		  NULL, 0, w->syncobj, NULL);
}

/* Cheap ioctls, as a client polls: most of what a busy file does. */
static void poll_burst(struct worker *w)
{
	struct drm_dcaccel_bo_info info = { 0 };
	struct drm_dcaccel_wait_job wj;
	int i;

	for (i = 0; i < 8; i++) {
		switch (rnd(&w->r, 4)) {
		case 0:
			dc_wait_job(w->fd, w->last_job, 0, &wj);
			break;
		case 1:
			info.handle = rnd(&w->r, 64);
			dc_ioctl(w->fd, DRM_IOCTL_DCACCEL_BO_INFO, &info);
			break;
		case 2:
			dc_param(w->fd, rnd(&w->r, 16));
			break;
		default:
			dc_syncobj_wait(w->fd, w->syncobj, 0);
			break;
		}
	}
}

static void worker_step(struct worker *w, int id, long long n, int hang)
{
	struct dc_bo *b = &w->bo[rnd(&w->r, SLOTS)];
	struct drm_dcaccel_bo_info info = { 0 };
	uint32_t op = rnd(&w->r, 100), len;

	if (hang) {
		dc_put_debug(&w->cmd, 512, DCACCEL_DEBUG_HANG, 0);
		dc_submit(w->fd, &w->cmd, 512, DCACCEL_OP_DEBUG_SIZE, NULL, 0,
			  NULL, 0, 0, NULL);
	} else if (op < 30) {
		poll_burst(w);
	} else if (op < 50) {
		dc_put_nop(&w->cmd, 1024);
		dc_submit(w->fd, &w->cmd, 1024, 8, NULL, 0, NULL, 0, w->syncobj,
			  &w->last_job);
	} else if (op < 58) {
		/* write into b, then close it at once: the defect-1 race */
		if (!b->handle)
			return;
		submit_fc(w, b->va + 64 * rnd(&w->r, 8),
			  rnd(&w->r, 2) ? b->handle : 0);
		if (rnd(&w->r, 2))
			dc_bo_destroy(w->fd, b);
	} else if (op < 64) {
		/* a device read of any VA near the file's buffers */
		len = dc_put_debug(&w->cmd, 256, DCACCEL_DEBUG_FAULT,
				   w->data.va + 4096 * rnd(&w->r, 512));
		dc_submit(w->fd, &w->cmd, 256, len, NULL, 0, NULL, 0, 0,
			  &w->last_job);
	} else if (op < 74) {
		if (!b->handle)
			dc_bo_create(w->fd, 4096 * (1 + rnd(&w->r, 4)), 0, b);
	} else if (op < 82) {
		if (b->handle)
			dc_bo_destroy(w->fd, b);
	} else if (op < 88) {
		if (b->map && b->map != MAP_FAILED) {
			munmap(b->map, b->size);
			b->map = NULL;
		} else if (b->handle) {
			info.handle = b->handle;
			if (!dc_ioctl(w->fd, DRM_IOCTL_DCACCEL_BO_INFO, &info))
				b->map = mmap(NULL, info.size,
					      PROT_READ | PROT_WRITE,
					      MAP_SHARED, w->fd,
					      info.mmap_offset);
		}
	} else if (op < 96) {
		dc_syncobj_wait(w->fd, w->syncobj, rnd(&w->r, 2) * 200000);
	} else if (op < 99 || id != 1) {
		struct drm_dcaccel_bo_wait bw = { .handle = b->handle };

		dc_ioctl(w->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &bw);
	} else if (n % 64 == 0) {
		dc_debugfs_reset(w->fd);
	}
}

static int run_worker(struct shared *sh, int id, long long seed, int hangs,
		      long long target)
{
	struct worker w = { .r = { .s = seed * 7919 + id } };
	long long n, counted = 0;
	long long hang_every = hangs ? target / WORKERS / (hangs + 1) : 0;
	int fd = dc_open(), pes, queue, wbits, zbits;

	if (fd < 0)
		return 1;
	pes = dc_param(fd, DRM_DCACCEL_PARAM_NUM_PES);
	queue = dc_param(fd, DRM_DCACCEL_PARAM_QUEUE_DEPTH);
	wbits = dc_param(fd, DRM_DCACCEL_PARAM_MAX_WBITS);
	zbits = dc_param(fd, DRM_DCACCEL_PARAM_MAX_ZBITS);
	close(fd);
	if (make_layer(&w.r, pes, queue, wbits, zbits, &w.lj) ||
	    worker_open(&w))
		return 2;
	for (n = 1; !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED); n++) {
		worker_step(&w, id, n, id == 0 && hang_every &&
			    n % hang_every == 0 && n / hang_every <= hangs);
		/* now and then the whole file goes, jobs and all */
		if (rnd(&w.r, 5000) == 0) {
			worker_close(&w);
			if (worker_open(&w))
				return 3;
		}
		if (n % 256 == 0) {
			long long now = dc_ioctl_count;

			if (__atomic_add_fetch(&sh->live, now - counted,
					       __ATOMIC_RELAXED) >= target)
				__atomic_store_n(&sh->stop, 1,
						 __ATOMIC_RELAXED);
			counted = now;
		}
	}
	worker_close(&w);
	free_layer(&w.lj);
	__atomic_fetch_add(&sh->ioctls, dc_ioctl_count, __ATOMIC_RELAXED);
	return 0;
}

/* Buffers of a file no job ever names: created, filled, checked, freed. */
static void run_canary(struct shared *sh, long long seed)
{
	struct dc_bo bo[CANARY_BOS] = { 0 };
	uint8_t fill[CANARY_BOS];
	struct rng r = { .s = seed * 31 + 7 };
	int fd = dc_open(), i, k;

	if (fd < 0) {
		sh->canary_bad = -1;
		return;
	}
	for (k = 0; !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED) ||
	     k < 2 * CANARY_BOS; k++) {
		struct dc_bo *b = &bo[k % CANARY_BOS];
		uint8_t *p = b->map;

		if (b->handle) {
			size_t j;

			for (j = 0; j < b->size; j++)
				sh->canary_bad += p[j] != fill[k % CANARY_BOS];
			sh->canary_checks++;
			dc_bo_destroy(fd, b);
		}
		/* fresh pages, maybe some the workers' buffers just had */
		if (dc_bo_create(fd, 4096 * (1 + rnd(&r, 64)), 0, b)) {
			sh->canary_bad = -1;
			break;
		}
		fill[k % CANARY_BOS] = (uint8_t)(0x11 + k);
		memset(b->map, fill[k % CANARY_BOS], b->size);
		usleep(2000);
	}
	for (i = 0; i < CANARY_BOS; i++)
		if (bo[i].handle)
			dc_bo_destroy(fd, &bo[i]);
	close(fd);
}

/* Seconds without a counted ioctl before the run counts as stalled. */
#define STALL_SECONDS	180

/*
 * Wait for the workers and the canary, printing progress every minute. A
 * run that makes no progress for STALL_SECONDS is stopped and fails, with
 * the kernel's blocked tasks in the log (sysrq w), rather than running
 * into the guest's time limit with nothing said. Returns the number of
 * processes that failed.
 */
static int watch_workers(struct shared *sh, pid_t *pid)
{
	int left = WORKERS + 1, failed = 0, quiet = 0, t = 0, status, i;
	long long last = 0;

	while (left) {
		for (i = 0; i <= WORKERS; i++) {
			if (!pid[i] || waitpid(pid[i], &status, WNOHANG) != pid[i])
				continue;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				ksft_print_msg("process %d ended with status 0x%x\n",
					       i, status);
				failed++;
			}
			pid[i] = 0;
			left--;
		}
		if (!left)
			break;
		sleep(1);
		t++;
		quiet = __atomic_load_n(&sh->live, __ATOMIC_RELAXED) == last ?
			quiet + 1 : 0;
		last = __atomic_load_n(&sh->live, __ATOMIC_RELAXED);
		if (t % 60 == 0)
			ksft_print_msg("%lld ioctls after %d s\n", last, t);
		if (quiet == STALL_SECONDS) {
			ksft_print_msg("no progress for %d s: stalled; blocked tasks follow in the kernel log\n",
				       STALL_SECONDS);
			dc_sysfs_write("/proc/sysrq-trigger", "w");
			__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
			failed++;
		}
		if (quiet == STALL_SECONDS + 60) {
			for (i = 0; i <= WORKERS; i++)
				if (pid[i])
					kill(pid[i], SIGKILL);
		}
	}
	return failed;
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* the guest bounds each program (dcaccel_guest.test_timeout) */
TEST_F_TIMEOUT(stress, isolation_and_recovery, 3600)
{
	long long target = setting("DCACCEL_STRESS_IOCTLS",
				   "dcaccel_stress.ioctls", 300000);
	long long seed = setting("DCACCEL_STRESS_SEED", "dcaccel_stress.seed", 1);
	int hangs = setting("DCACCEL_STRESS_HANGS", "dcaccel_stress.hangs", 3);
	int i, failed;
	struct drm_dcaccel_wait_job wj;
	struct shared *sh;
	pid_t pid[WORKERS + 1];
	struct layer_job lj;
	struct dev_layer d;
	struct rng r = { .s = 99 };
	struct timespec t0, t1;
	uint32_t st = ~0u;
	int fd = dc_open();

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	if (!dc_has_fault_injection(fd))
		hangs = 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i <= WORKERS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			if (i == WORKERS) {
				run_canary(sh, seed);
				_exit(0);
			}
			_exit(run_worker(sh, i, seed, hangs, target));
		}
	}
	failed = watch_workers(sh, pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("%lld ioctls by %d processes in %.1f s (seed %lld, %d hangs), %d canary buffers checked\n",
		       sh->ioctls, WORKERS,
		       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		       seed, hangs, sh->canary_checks);
	EXPECT_EQ(0, failed);
	EXPECT_LE(target, sh->ioctls);
	EXPECT_EQ(0, sh->canary_bad);
	EXPECT_LT(2 * CANARY_BOS - 1, sh->canary_checks);

	/* and the device still computes exactly */
	ASSERT_EQ(0, make_device_layer(fd, &r, &lj));
	ASSERT_EQ(0, layer_submit(fd, &lj, &d));
	EXPECT_EQ(0, layer_check(fd, &lj, &d, &st, &wj));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, st);
	free_layer(&lj);
	close(fd);
}

TEST_HARNESS_MAIN

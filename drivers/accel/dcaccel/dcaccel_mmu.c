// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: a context's device page tables, in the format of
 * include/dcaccel/dcaccel_hw.h (3 levels of 512 PTEs, 4 KiB pages). Tables
 * are built as buffers are mapped and freed as they empty. The caller holds
 * vm->lock; the device only walks a table while a job of the context runs,
 * and a mapping is only torn down once no job uses its buffer.
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dcaccel_drv.h"

#define DCACCEL_ROOT_LEVEL	(DCACCEL_PT_LEVELS - 1)

struct dcaccel_pt *dcaccel_pt_alloc(struct dcaccel_device *ddev, int level)
{
	struct dcaccel_pt *pt = kzalloc(sizeof(*pt), GFP_KERNEL);

	if (!pt)
		return NULL;
	pt->entries = dma_alloc_coherent(&ddev->pdev->dev, DCACCEL_PAGE_SIZE,
					 &pt->dma, GFP_KERNEL);
	if (!pt->entries)
		goto err_free;
	if (level > 0) {
		pt->children = kcalloc(DCACCEL_PT_ENTRIES,
				       sizeof(*pt->children), GFP_KERNEL);
		if (!pt->children)
			goto err_table;
	}
	return pt;

err_table:
	dma_free_coherent(&ddev->pdev->dev, DCACCEL_PAGE_SIZE, pt->entries,
			  pt->dma);
err_free:
	kfree(pt);
	return NULL;
}

void dcaccel_pt_free(struct dcaccel_device *ddev, struct dcaccel_pt *pt,
		     int level)
{
	unsigned int i;

	if (!pt)
		return;
	if (pt->children) {
		for (i = 0; i < DCACCEL_PT_ENTRIES; i++)
			dcaccel_pt_free(ddev, pt->children[i], level - 1);
		kfree(pt->children);
	}
	dma_free_coherent(&ddev->pdev->dev, DCACCEL_PAGE_SIZE, pt->entries,
			  pt->dma);
	kfree(pt);
}

/* The level-0 table that maps va, created on the way when alloc is set. */
static struct dcaccel_pt *dcaccel_pt_walk(struct dcaccel_vm *vm, u64 va,
					  bool alloc)
{
	struct dcaccel_pt *pt = vm->root;
	int level;

	/* detached from an unbound device: no tables any more */
	if (!pt)
		return NULL;
	for (level = DCACCEL_ROOT_LEVEL; level > 0; level--) {
		unsigned int idx = DCACCEL_PT_INDEX(va, level);
		struct dcaccel_pt *child = pt->children[idx];

		if (!child) {
			if (!alloc)
				return NULL;
			child = dcaccel_pt_alloc(vm->ddev, level - 1);
			if (!child)
				return NULL;
			pt->children[idx] = child;
			pt->entries[idx] = cpu_to_le64(child->dma |
						       DCACCEL_PTE_VALID);
			pt->used++;
		}
		pt = child;
	}
	return pt;
}

/* Free the tables on va's walk that no longer map anything. */
static void dcaccel_pt_prune(struct dcaccel_vm *vm, u64 va)
{
	struct dcaccel_pt *path[DCACCEL_PT_LEVELS];
	int level;

	path[DCACCEL_ROOT_LEVEL] = vm->root;
	for (level = DCACCEL_ROOT_LEVEL; level > 0; level--) {
		path[level - 1] = path[level]->children[DCACCEL_PT_INDEX(va,
									 level)];
		if (!path[level - 1])
			return;
	}
	for (level = 0; level < DCACCEL_ROOT_LEVEL; level++) {
		struct dcaccel_pt *parent = path[level + 1];
		unsigned int idx = DCACCEL_PT_INDEX(va, level + 1);

		if (path[level]->used)
			return;
		parent->entries[idx] = 0;
		parent->children[idx] = NULL;
		parent->used--;
		dcaccel_pt_free(vm->ddev, path[level], level);
	}
}

void dcaccel_mmu_unmap(struct dcaccel_vm *vm, u64 va, u64 size)
{
	u64 end = va + size;

	lockdep_assert_held(&vm->lock);
	for (; va < end; va += DCACCEL_PAGE_SIZE) {
		struct dcaccel_pt *pt = dcaccel_pt_walk(vm, va, false);
		unsigned int idx = DCACCEL_PT_INDEX(va, 0);

		if (!pt || !pt->entries[idx])
			continue;
		pt->entries[idx] = 0;
		pt->used--;
		if (!pt->used)
			dcaccel_pt_prune(vm, va);
	}
}

int dcaccel_mmu_map(struct dcaccel_vm *vm, u64 va, struct sg_table *sgt,
		    u64 size, bool writable)
{
	u64 perm = DCACCEL_PTE_VALID | DCACCEL_PTE_READ |
		   (writable ? DCACCEL_PTE_WRITE : 0);
	u64 start = va, end = va + size;
	struct scatterlist *sg;
	unsigned int i;

	lockdep_assert_held(&vm->lock);
	if (!vm->root)
		return -ENODEV;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t pa = sg_dma_address(sg);
		u64 len = sg_dma_len(sg);

		for (; len && va < end; len -= DCACCEL_PAGE_SIZE,
		     pa += DCACCEL_PAGE_SIZE, va += DCACCEL_PAGE_SIZE) {
			struct dcaccel_pt *pt = dcaccel_pt_walk(vm, va, true);
			unsigned int idx = DCACCEL_PT_INDEX(va, 0);

			if (!pt) {
				dcaccel_mmu_unmap(vm, start, va - start);
				return -ENOMEM;
			}
			pt->entries[idx] = cpu_to_le64((pa &
							DCACCEL_PTE_ADDR_MASK) |
						       perm);
			pt->used++;
		}
	}
	vm->mapped += size;
	return 0;
}

/* The leaf PTE that maps va, or 0. */
u64 dcaccel_mmu_lookup(struct dcaccel_vm *vm, u64 va)
{
	struct dcaccel_pt *pt;

	lockdep_assert_held(&vm->lock);
	pt = dcaccel_pt_walk(vm, va, false);
	return pt ? le64_to_cpu(pt->entries[DCACCEL_PT_INDEX(va, 0)]) : 0;
}

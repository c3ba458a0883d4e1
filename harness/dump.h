/* SPDX-License-Identifier: MIT */
/*
 * dump.h - the model's state in the kernel's own /proc formats (/proc/buddyinfo,
 * /proc/slabinfo, /proc/PID/maps), for traces, the CLI and anyone comparing with a real
 * /proc.
 */
#ifndef MMREF_DUMP_H
#define MMREF_DUMP_H

#include <stdio.h>

#include "machine.h"

/**
 * dump_buddyinfo() - /proc/buddyinfo as mm/vmstat.c: frag_show_print() prints it: for
 * every populated zone "Node 0, zone %8s " and then nr_free of orders 0..10 as "%6lu ".
 */
void dump_buddyinfo(FILE *out, const struct phys *p);

/**
 * dump_slabinfo() - /proc/slabinfo version 2.1 as mm/slab_common.c: cache_show() prints
 * it with SLUB's numbers: the header, then every live cache, newest first.
 */
void dump_slabinfo(FILE *out, const struct kmem *k);

/**
 * dump_maps() - /proc/PID/maps of mm as fs/proc/task_mmu.c: show_map_vma() prints it,
 * one line per VMA in address order, then the [vsyscall] gate line when mm has one:
 * "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " and, for a VMA with a name, blanks up to
 * column 73 and the name (a file's name, [vdso]/[vvar], [heap], [stack]). Nothing when
 * mm is NULL. Reads the VMA set defensively: every line is bounded, whatever the pool
 * holds.
 */
void dump_maps(FILE *out, const struct vma_pool *v, const struct mm_struct *mm);

#endif /* MMREF_DUMP_H */

/* SPDX-License-Identifier: MIT */
/*
 * dump.h - the model's state in the kernel's own /proc formats, for traces, the CLI and
 * anyone comparing with a real /proc.
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

#endif /* MMREF_DUMP_H */

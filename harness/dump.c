/* SPDX-License-Identifier: MIT */
/*
 * dump.c - /proc/buddyinfo and /proc/slabinfo of the model. See dump.h.
 */
#include "dump.h"
#include "names.h"

/* Models mm/vmstat.c: frag_show_print(), for node 0. */
void dump_buddyinfo(FILE *out, const struct phys *p)
{
	unsigned int z, order;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &p->zones[z];

		if (zone->end_pfn <= zone->start_pfn) /* !populated_zone() */
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, names_zone_name(z));
		for (order = 0; order < NR_PAGE_ORDERS; ++order)
			fprintf(out, "%6lu ", (unsigned long)zone->free_area[order].nr_free);
		fputc('\n', out);
	}
}

static void slabinfo_header(FILE *out)
{
	fputs("slabinfo - version: 2.1\n", out);
	fputs("# name            <active_objs> <num_objs> <objsize> <objperslab> "
	      "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
	      "<active_slabs> <num_slabs> <sharedavail>\n",
	      out);
}

/* Models mm/slab_common.c: cache_show() with SLUB's get_slabinfo(). */
static void slabinfo_show(FILE *out, const struct kmem_cache *c)
{
	fprintf(out, "%-17s %6lu %6lu %6u %4u %4d", c->name, (unsigned long)c->active_objects,
		(unsigned long)c->total_objects, c->size, c->objects, 1 << c->order);
	fprintf(out, " : tunables %4u %4u %4u", 0u, 0u, 0u);
	fprintf(out, " : slabdata %6lu %6lu %6lu", (unsigned long)c->nr_slabs,
		(unsigned long)c->nr_slabs, 0ul);
	fputc('\n', out);
}

/*
 * The live cache created latest before the sequence number below (newest first, as
 * Linux's slab_caches list, to which kmem_cache_create() adds at the head); -1 if none.
 */
static int next_newest(const struct kmem *k, uint64_t below)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < MAX_CACHES; i++) {
		const struct kmem_cache *c = &k->caches[i];

		if (!c->in_use || c->created >= below)
			continue;
		if (best < 0 || c->created > k->caches[best].created)
			best = (int)i;
	}
	return best;
}

void dump_slabinfo(FILE *out, const struct kmem *k)
{
	uint64_t below = UINT64_MAX;
	int i;

	slabinfo_header(out);
	while ((i = next_newest(k, below)) >= 0) {
		slabinfo_show(out, &k->caches[i]);
		below = k->caches[i].created;
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * dump.c - /proc/buddyinfo, /proc/slabinfo and /proc/PID/maps of the model. See dump.h.
 */
#include <inttypes.h>
#include <string.h>

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

/* /proc/PID/maps --------------------------------------------------------------------- */

/*
 * seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) in show_vma_header_prefix(): seq_pad()
 * fills up to this many bytes, then puts one blank, so that a name starts at column 73
 * (or two blanks after a longer prefix).
 */
#define MAPS_PAD_UNTIL 72
#define VSYSCALL_START 0xffffffffff600000ull /* the gate area: not a VMA */
#define VSYSCALL_END   0xffffffffff601000ull

/* What show_map_vma() prints for one VMA. */
struct maps_line {
	uint64_t start, end, flags, pgoff;
	uint32_t major, minor;
	uint64_t ino;
	const char *name; /* NULL: none */
	size_t name_len;
};

/*
 * Models fs/proc/task_mmu.c: show_vma_header_prefix() and the tail of show_map_vma():
 * the prefix, then seq_pad() and the name when there is one (a '\n' in a file name is
 * written "\012", as seq_path() escapes it).
 */
static void maps_print(FILE *out, const struct maps_line *l)
{
	size_t i;
	int n;

	n = fprintf(
	    out, "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64 " ",
	    l->start, l->end, (l->flags & VM_READ) != 0 ? 'r' : '-',
	    (l->flags & VM_WRITE) != 0 ? 'w' : '-', (l->flags & VM_EXEC) != 0 ? 'x' : '-',
	    (l->flags & VM_MAYSHARE) != 0 ? 's' : 'p', l->pgoff, l->major, l->minor, l->ino);
	if (l->name != NULL) {
		if (n >= 0 && n < MAPS_PAD_UNTIL)
			fprintf(out, "%*s", MAPS_PAD_UNTIL - n, "");
		fputc(' ', out);
		for (i = 0; i < l->name_len; i++) {
			if (l->name[i] == '\n')
				fputs("\\012", out);
			else
				fputc(l->name[i], out);
		}
	}
	fputc('\n', out);
}

/*
 * vma_is_initial_heap(): does the VMA overlap [start_brk, brk)? Linux 6.18 asks exactly
 * that (so the .bss VMA that ends at start_brk is no [heap]: see
 * linux/experiments/a_brk.out); 4.14 and 2.6.34 compared with <= and >=, so a VMA that
 * merely touches the heap's range was named [heap] too.
 */
static bool is_initial_heap(const struct mm_struct *mm, const struct vm_area_struct *vma)
{
	if (mm->profile == PROFILE_LINUX_6_18)
		return vma->vm_start < mm->brk && vma->vm_end > mm->start_brk;
	return vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk;
}

/* vma_is_initial_stack(): does the VMA hold start_stack? */
static bool is_initial_stack(const struct mm_struct *mm, const struct vm_area_struct *vma)
{
	return vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack;
}

/* The anonymous name of a VMA without a file: get_vma_name()'s last cases. */
static const char *anon_name(const struct mm_struct *mm, const struct vm_area_struct *vma)
{
	if (is_initial_heap(mm, vma))
		return "[heap]";
	if (is_initial_stack(mm, vma))
		return "[stack]";
	return NULL;
}

/* Models fs/proc/task_mmu.c: show_map_vma() with get_vma_name(). */
static void show_map_vma(FILE *out, const struct vma_pool *v, const struct mm_struct *mm,
			 const struct vm_area_struct *vma)
{
	struct maps_line l;

	memset(&l, 0, sizeof(l));
	l.start = vma->vm_start;
	l.end = vma->vm_end;
	l.flags = vma->vm_flags;
	if (vma->file != 0 && vma->file <= VMA_NR_FILES) {
		const struct vm_file *f = &v->files[vma->file - 1];
		const char *nul = memchr(f->name, 0, sizeof(f->name));

		l.name = f->name;
		l.name_len = nul != NULL ? (size_t)(nul - f->name) : sizeof(f->name);
		if (!f->special) { /* a file: offset, device and inode of its own */
			l.pgoff = vma->vm_pgoff << PAGE_SHIFT;
			l.major = f->dev_major;
			l.minor = f->dev_minor;
			l.ino = f->inode;
		}
	} else {
		l.name = anon_name(mm, vma);
		l.name_len = l.name != NULL ? strlen(l.name) : 0;
	}
	maps_print(out, &l);
}

/* The gate area (arch/x86/entry/vsyscall: gate_vma, vsyscall=xonly: VM_EXEC only). */
static void show_vsyscall(FILE *out)
{
	static const char name[] = "[vsyscall]";
	struct maps_line l;

	memset(&l, 0, sizeof(l));
	l.start = VSYSCALL_START;
	l.end = VSYSCALL_END;
	l.flags = VM_EXEC;
	l.name = name;
	l.name_len = sizeof(name) - 1;
	maps_print(out, &l);
}

void dump_maps(FILE *out, const struct vma_pool *v, const struct mm_struct *mm)
{
	struct vma_pos pos;
	uint32_t i;

	if (mm == NULL || !mm->in_use)
		return;
	pos = vma_first_pos(&mm->vmas);
	for (i = 0; i < VMA_MAX_PER_MM && (int)i < mm->vmas.nr_vmas; i++) {
		uint32_t id = vma_at(v, &mm->vmas, pos);

		if (id >= VMA_POOL_SIZE) /* VMA_NONE: the end */
			break;
		show_map_vma(out, v, mm, &v->vma[id]);
		pos = vma_pos_next(v, &mm->vmas, pos);
	}
	if (mm->has_vsyscall)
		show_vsyscall(out);
}

/* SPDX-License-Identifier: MIT */
/* model_fixture.h - a machine of a given RAM size on the heap, for tests. */
#ifndef MMREF_MODEL_FIXTURE_H
#define MMREF_MODEL_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "machine.h"

struct fixture {
	struct machine m;
	uint64_t *mem;
	struct page *pages;
};

static inline struct fixture *fixture_new(uint32_t nr_pages)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->mem = aligned_alloc(PAGE_SIZE, (size_t)nr_pages * PAGE_SIZE);
	memset(f->mem, 0, (size_t)nr_pages * PAGE_SIZE);
	f->pages = calloc(nr_pages, sizeof(struct page));
	if (machine_init(&f->m, f->mem, f->pages, nr_pages) != 0)
		abort();
	return f;
}

static inline void fixture_free(struct fixture *f)
{
	free(f->mem);
	free(f->pages);
	free(f);
}

#endif

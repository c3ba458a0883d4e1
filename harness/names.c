/* SPDX-License-Identifier: MIT */
/*
 * names.c - the harness's code <-> name tables. See names.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

/* Ops ------------------------------------------------------------------------------ */

static const struct names_op op_table[] = {
    {"ram", TRACE_OP_RAM, "V", 1, "SIZE"},
    {"cpus", OP_CPUS, "V", 1, "N"},
    {"reserve", OP_RESERVE, "VV", 2, "BASE SIZE"},
    {"memblock_alloc", OP_MEMBLOCK_ALLOC, "VV", 2, "SIZE ALIGN"},
    {"boot", OP_BOOT, "", 0, ""},
    {"alloc_pages", OP_ALLOC_PAGES, "GV", 2, "GFP ORDER"},
    {"__free_pages", OP_FREE_PAGES_PFN, "VV", 2, "PFN ORDER"},
    {"__get_free_pages", OP_GET_FREE_PAGES, "GV", 2, "GFP ORDER"},
    {"get_zeroed_page", OP_GET_ZEROED_PAGE, "G", 1, "GFP"},
    {"__get_dma_pages", OP_GET_DMA_PAGES, "GV", 2, "GFP ORDER"},
    {"free_pages", OP_FREE_PAGES, "VV", 2, "ADDR ORDER"},
    {"free_page", OP_FREE_PAGE, "V", 1, "ADDR"},
    {"nr_free_pages", OP_NR_FREE_PAGES, "", 0, ""},
    {"kmem_cache_create", OP_KMEM_CACHE_CREATE, "CVVF", 2, "NAME SIZE [ALIGN [FLAGS]]"},
    {"kmem_cache_alloc", OP_KMEM_CACHE_ALLOC, "CG", 2, "NAME GFP"},
    {"kmem_cache_free", OP_KMEM_CACHE_FREE, "CV", 2, "NAME ADDR"},
    {"kmem_cache_shrink", OP_KMEM_CACHE_SHRINK, "C", 1, "NAME"},
    {"kmem_cache_destroy", OP_KMEM_CACHE_DESTROY, "C", 1, "NAME"},
    {"kmalloc", OP_KMALLOC, "VG", 2, "SIZE GFP"},
    {"kzalloc", OP_KZALLOC, "VG", 2, "SIZE GFP"},
    {"kfree", OP_KFREE, "V", 1, "ADDR"},
    {"ksize", OP_KSIZE, "V", 1, "ADDR"},
    {"__pa", OP_PA, "V", 1, "ADDR"},
    {"virt_to_phys", OP_PA, "V", 1, "ADDR"},
    {"__va", OP_VA, "V", 1, "PHYS"},
    {"write", OP_WRITE, "VV", 2, "ADDR VALUE"},
    {"read", OP_READ, "V", 1, "ADDR"},
    {"buddyinfo", OP_BUDDYINFO, "", 0, ""},
    {"slabinfo", OP_SLABINFO, "", 0, ""},
    {"validate", OP_VALIDATE, "", 0, ""},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Does the NUL-terminated name spell exactly s[0..len)? */
static bool spells(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && memcmp(name, s, len) == 0;
}

const struct names_op *names_op_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(op_table); i++)
		if (spells(op_table[i].name, s, len))
			return &op_table[i];
	return NULL;
}

const char *names_op_name(int kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(op_table); i++)
		if (op_table[i].kind == kind)
			return op_table[i].name;
	return "?";
}

/* Flags ---------------------------------------------------------------------------- */

struct flag_name {
	const char *name;
	uint32_t value;
};

static const struct flag_name gfp_table[] = {
    {"GFP_KERNEL", GFP_KERNEL},
    {"GFP_ATOMIC", GFP_ATOMIC},
    {"GFP_NOWAIT", GFP_NOWAIT},
    {"GFP_USER", GFP_USER},
    {"GFP_DMA", GFP_DMA},
    {"GFP_HIGHUSER", GFP_HIGHUSER},
    {"__GFP_DMA", __GFP_DMA},
    {"__GFP_ZERO", __GFP_ZERO},
    {"__GFP_COMP", __GFP_COMP},
    {"__GFP_NOWARN", __GFP_NOWARN},
    {"__GFP_HIGH", __GFP_HIGH},
    {"__GFP_ACCOUNT", __GFP_ACCOUNT},
    {"__GFP_MOVABLE", __GFP_MOVABLE},
    {"__GFP_DMA32", __GFP_DMA32},
    {"__GFP_HIGHMEM", __GFP_HIGHMEM},
};

static const struct flag_name slab_flag_table[] = {
    {"SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN},
    {"SLAB_CACHE_DMA", SLAB_CACHE_DMA},
};

/* A number (decimal or 0x-hex) spelling all of s[0..len) that fits 32 bits, or -1. */
static int64_t parse_u32(const char *s, size_t len)
{
	uint64_t v = 0;
	unsigned int base = 10;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		v = v * base + d;
		if (v > UINT32_MAX)
			return -1;
	}
	return (int64_t)v;
}

/* Names from table (or numbers) joined by '|'. See names_gfp_parse(). */
static int parse_flags(const struct flag_name *table, size_t n, const char *s, size_t len,
		       uint32_t *out, size_t *bad_at)
{
	uint32_t v = 0;
	size_t start = 0;

	for (;;) {
		size_t end = start, i;
		int64_t num;
		bool found = false;

		while (end < len && s[end] != '|')
			end++;
		num = parse_u32(s + start, end - start);
		if (num >= 0) {
			v |= (uint32_t)num;
			found = true;
		}
		for (i = 0; i < n && !found; i++) {
			if (spells(table[i].name, s + start, end - start)) {
				v |= table[i].value;
				found = true;
			}
		}
		if (!found) {
			*bad_at = start;
			return -1;
		}
		if (end == len)
			break;
		start = end + 1;
	}
	*out = v;
	return 0;
}

int names_gfp_parse(const char *s, size_t len, gfp_t *out, size_t *bad_at)
{
	return parse_flags(gfp_table, ARRAY_SIZE(gfp_table), s, len, out, bad_at);
}

int names_slab_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at)
{
	return parse_flags(slab_flag_table, ARRAY_SIZE(slab_flag_table), s, len, out, bad_at);
}

/* Errors --------------------------------------------------------------------------- */

struct err_name {
	int code; /* negative */
	const char *name;
};

static const struct err_name err_table[] = {
    {-EPERM, "-EPERM"},
    {-ENOENT, "-ENOENT"},
    {-E2BIG, "-E2BIG"},
    {-ENOMEM, "-ENOMEM"},
    {-EFAULT, "-EFAULT"},
    {-EBUSY, "-EBUSY"},
    {-EEXIST, "-EEXIST"},
    {-EINVAL, "-EINVAL"},
    {-ENOSPC, "-ENOSPC"},
    {-MERR_NOT_ALLOCATED, "error not-allocated"},
    {-MERR_WRONG_ORDER, "error wrong-order"},
    {-MERR_MISALIGNED, "error misaligned"},
    {-MERR_RESERVED, "error reserved"},
    {-MERR_OUT_OF_RANGE, "error out-of-range"},
    {-MERR_DOUBLE_FREE, "error double-free"},
    {-MERR_FOREIGN, "error foreign"},
    {-MERR_WRONG_CACHE, "error wrong-cache"},
    {-MERR_BUSY, "error busy"},
    {-MERR_CORRUPT, "error corrupt"},
    {-MERR_BOOTED, "error booted"},
    {-MERR_NOT_BOOTED, "error not-booted"},
    {-MERR_NO_SLOT, "error no-slot"},
    {-MERR_NOT_FOUND, "error not-found"},
    {-MERR_PERMANENT, "error permanent"},
    {-MERR_LIMIT, "error limit"},
};

const char *names_err_name(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(err_table); i++)
		if (err_table[i].code == err)
			return err_table[i].name;
	return NULL;
}

const char *names_zone_name(unsigned int zone)
{
	static const char *const zone_names[MAX_NR_ZONES] = {"DMA", "Normal"};

	return zone < MAX_NR_ZONES ? zone_names[zone] : "?";
}

/* Results -------------------------------------------------------------------------- */

static void format_error(const struct mm_result *r, char *buf, size_t len)
{
	const char *name = names_err_name(r->err);

	if (r->err == -MERR_CORRUPT && r->what != NULL)
		snprintf(buf, len, "error corrupt: %s at %" PRIu32, r->what, r->where);
	else if (name != NULL)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "error code %d", r->err);
}

void names_format_result(int kind, const struct mm_result *r, char *buf, size_t len)
{
	switch (r->kind) {
	case RES_OK:
		snprintf(buf, len, "ok");
		break;
	case RES_ADDR:
		snprintf(buf, len, "0x%" PRIx64, r->value);
		break;
	case RES_PFN:
		snprintf(buf, len, "pfn 0x%" PRIx64, r->value);
		break;
	case RES_NULL:
		snprintf(buf, len, "NULL");
		break;
	case RES_COUNT:
		if (kind == OP_READ)
			snprintf(buf, len, "0x%" PRIx64, r->value);
		else
			snprintf(buf, len, "%" PRIu64, r->value);
		break;
	case RES_GEOMETRY:
		snprintf(buf, len,
			 "cache size=%" PRIu32 " align=%" PRIu32 " order=%" PRIu32
			 " objects=%" PRIu32,
			 r->size, r->align, r->order, r->objects);
		break;
	case RES_ERROR:
		format_error(r, buf, len);
		break;
	default:
		snprintf(buf, len, "result kind %d", (int)r->kind);
		break;
	}
}

char *names_collapse(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t i, o = 0;
	bool blank = false;

	if (buflen == 0)
		return buf;
	for (i = 0; i < len && o + 1 < buflen; i++) {
		char c = s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			blank = o > 0;
			continue;
		}
		if (blank && o + 2 < buflen)
			buf[o++] = ' ';
		blank = false;
		buf[o++] = c;
	}
	buf[o] = 0;
	return buf;
}

/* SPDX-License-Identifier: MIT */
/*
 * trace.c - the .mmt parser. See trace.h and docs/trace-format.md.
 *
 * How it works
 * ------------
 * The text is cut into lines; each line is checked for bytes that have no place in a
 * trace (NUL, control characters, over-long lines) and then classified:
 *
 *   `|` ...                  expected output of the op just above (a dump op)
 *   blank or `# ...`         kept verbatim for `mmref run`
 *   [NAME =] OP ARGS [=> E]  an op, with an optional trailing `# comment`
 *
 * An op line is cut into tokens at blanks and `=`; the op's row in names.c says how many
 * arguments it takes and of which kind (values, flags, names, words such as a profile),
 * and each argument is decoded at once, so every mistake is reported at its own column
 * and nothing is left for the runner to reject (the model answers values it cannot use:
 * `rlimit 1000 ...` is the model's -EINVAL, not a parse error).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "trace.h"

#define MAX_TOKENS 16

struct token {
	size_t at; /* offset in the line */
	size_t len;
};

struct parser {
	const char *name;
	struct trace *t;
	char *err;
	size_t errlen;
	uint32_t line;	 /* 1-based number of the line being parsed */
	const char *s;	 /* the line */
	size_t len;	 /* its length, without newline */
	int64_t last_op; /* item index of the op that '|' lines may follow, or -1 */
};

/* Report "name:line:col: message" (col 1-based, offset at + 1). Returns -1. */
static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	char msg[TRACE_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen > 0)
		snprintf(p->err, p->errlen, "%s:%u:%zu: %s", p->name, p->line, at + 1, msg);
	return -1;
}

/* A malloc'ed, NUL-terminated copy of s[0..len), or NULL. */
static char *dupn(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d != NULL) {
		memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Printable, for quoting a token in a message: at most 40 bytes of it. */
static int quote_len(size_t len)
{
	return len > 40 ? 40 : (int)len;
}

/* Storage ------------------------------------------------------------------------- */

static void op_free(struct trace_op *op)
{
	uint32_t i;

	free(op->text);
	free(op->comment);
	free(op->expect);
	for (i = 0; i < op->nr_out; i++)
		free(op->out[i]);
	free(op->out);
	memset(op, 0, sizeof(*op));
}

void trace_free(struct trace *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nr_items; i++) {
		free(t->items[i].text);
		if (t->items[i].kind == TRACE_OP)
			op_free(&t->items[i].op);
	}
	free(t->items);
	for (i = 0; i < t->nr_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

/*
 * Make room for element n in *arr, which holds n elements of size bytes. Capacities
 * run 8, 16, 32, ...: a new array is made at n == 0 and doubled when n reaches a power
 * of two. Returns 0 or -1 (no memory; *arr unchanged).
 */
static int grow(void **arr, uint32_t n, size_t size)
{
	size_t cap;
	void *q;

	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return 0;
	cap = n == 0 ? 8 : (size_t)n * 2;
	q = realloc(*arr, cap * size);
	if (q == NULL)
		return -1;
	*arr = q;
	return 0;
}

static int push_item(struct parser *p, const struct trace_item *item)
{
	struct trace *t = p->t;

	if (grow((void **)&t->items, t->nr_items, sizeof(*t->items)) != 0)
		return fail(p, 0, "out of memory");
	t->items[t->nr_items++] = *item;
	return 0;
}

/* Lexing -------------------------------------------------------------------------- */

/*
 * Check the bytes of a line: no NUL, no control character but tab, at most
 * TRACE_MAX_LINE bytes. Returns 0 or -1.
 */
static int check_bytes(struct parser *p)
{
	size_t i;

	if (p->len > TRACE_MAX_LINE)
		return fail(p, TRACE_MAX_LINE, "line longer than %u bytes", TRACE_MAX_LINE);
	for (i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->s[i];

		if (c == 0)
			return fail(p, i, "NUL byte in input");
		if ((c < ' ' && c != '\t') || c == 0x7f)
			return fail(p, i, "control character 0x%02x in input", c);
	}
	return 0;
}

/*
 * Cut s[from..to) into tokens at blanks; '=' is a token of its own. Returns the number
 * of tokens, or -1 (reported) when there are more than MAX_TOKENS.
 */
static int tokenize(struct parser *p, size_t from, size_t to, struct token *tok)
{
	int n = 0;
	size_t i = from;

	while (i < to) {
		size_t start = i;

		if (is_blank(p->s[i])) {
			i++;
			continue;
		}
		if (p->s[i] == '=') {
			i++;
		} else {
			while (i < to && !is_blank(p->s[i]) && p->s[i] != '=')
				i++;
		}
		if (n == MAX_TOKENS)
			return fail(p, start, "too many words on one line");
		tok[n].at = start;
		tok[n].len = i - start;
		n++;
	}
	return n;
}

/* Values -------------------------------------------------------------------------- */

/*
 * A number at s[0..len): decimal or 0x-hex, then an optional K, M or G (binary).
 * Returns 0 and *v, or -1 (reported at base + where the number went wrong).
 */
static int parse_number(struct parser *p, size_t base, const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0, mult = 1;
	unsigned int radix = 10;
	size_t i = 0;

	if (len > 0 && (s[len - 1] == 'K' || s[len - 1] == 'k'))
		mult = 1ull << 10;
	else if (len > 0 && (s[len - 1] == 'M' || s[len - 1] == 'm'))
		mult = 1ull << 20;
	else if (len > 0 && (s[len - 1] == 'G' || s[len - 1] == 'g'))
		mult = 1ull << 30;
	if (mult != 1)
		len--;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		radix = 16;
		i = 2;
	}
	if (i == len)
		return fail(p, base, "bad number '%.*s'", quote_len(len), s);
	for (; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (radix == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (radix == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return fail(p, base + i, "bad number '%.*s'", quote_len(len), s);
		if (x > (UINT64_MAX - d) / radix)
			return fail(p, base, "number '%.*s' out of range", quote_len(len), s);
		x = x * radix + d;
	}
	if (x > UINT64_MAX / mult)
		return fail(p, base, "number '%.*s' out of range", quote_len(len + 1), s);
	*v = x * mult;
	return 0;
}

/* The slot of binding name s[0..len), or -1. */
static int32_t find_name(const struct trace *t, const char *s, size_t len)
{
	uint32_t i;

	for (i = 0; i < t->nr_names; i++)
		if (strlen(t->names[i]) == len && memcmp(t->names[i], s, len) == 0)
			return (int32_t)i;
	return -1;
}

/* A value argument: NUMBER, or NAME, NAME+NUMBER, NAME-NUMBER. */
static int parse_value(struct parser *p, const struct token *tk, struct trace_value *v)
{
	const char *s = p->s + tk->at;
	size_t n = 0;
	uint64_t off = 0;

	v->slot = -1;
	v->offset = 0;
	if (!is_ident_start(s[0]))
		return parse_number(p, tk->at, s, tk->len, &v->offset);
	while (n < tk->len && is_ident_char(s[n]))
		n++;
	if (n < tk->len && s[n] != '+' && s[n] != '-')
		return fail(p, tk->at + n, "unexpected '%c' in '%.*s'", s[n], quote_len(tk->len),
			    s);
	v->slot = find_name(p->t, s, n);
	if (v->slot < 0)
		return fail(p, tk->at, "unknown name '%.*s'", quote_len(n), s);
	if (n == tk->len)
		return 0;
	if (parse_number(p, tk->at + n + 1, s + n + 1, tk->len - n - 1, &off) != 0)
		return -1;
	v->offset = s[n] == '+' ? off : 0 - off;
	return 0;
}

/*
 * A cache or process name (what is its kind, for messages): printable, no blanks (the
 * lexer saw to that), below CACHE_NAME_LEN.
 */
static int parse_name_arg(struct parser *p, const struct token *tk, const char *what,
			  struct trace_op *op)
{
	size_t i;

	if (tk->len >= CACHE_NAME_LEN)
		return fail(p, tk->at, "%s name longer than %u bytes", what, CACHE_NAME_LEN - 1);
	for (i = 0; i < tk->len; i++) {
		unsigned char c = (unsigned char)p->s[tk->at + i];

		if (c <= ' ' || c > '~')
			return fail(p, tk->at + i, "%s name byte 0x%02x is not printable ASCII",
				    what, c);
	}
	memcpy(op->name, p->s + tk->at, tk->len);
	op->name[tk->len] = 0;
	return 0;
}

/*
 * Report the part of flag token tk that starts at bad (parts end at '|', and at ',' when
 * comma): "bad WHAT 'part'", "bad WHAT: empty part in 'token'", or with a hint when the
 * part is for another op (mprotect's prot).
 */
static int bad_flag(struct parser *p, const struct token *tk, size_t bad, bool comma,
		    const char *what, const char *hint)
{
	const char *s = p->s + tk->at;
	size_t end = bad, unused;
	uint32_t v;

	while (end < tk->len && s[end] != '|' && !(comma && s[end] == ','))
		end++;
	if (end == bad)
		return fail(p, tk->at + bad, "bad %s: empty part in '%.*s'", what,
			    quote_len(tk->len), s);
	if (hint != NULL && names_prot_parse(s + bad, end - bad, true, &v, &unused) == 0)
		return fail(p, tk->at + bad, "bad %s '%.*s' (%s)", what, quote_len(end - bad),
			    s + bad, hint);
	return fail(p, tk->at + bad, "bad %s '%.*s'", what, quote_len(end - bad), s + bad);
}

/* A flag argument of kind ARG_GFP, ARG_FLAGS, ARG_PROT, ARG_MPROT, ARG_MAP, ARG_MCL. */
static int parse_flag_arg(struct parser *p, const struct token *tk, char kind, struct trace_op *op)
{
	const char *s = p->s + tk->at;
	size_t bad = 0;

	switch (kind) {
	case ARG_GFP:
		if (names_gfp_parse(s, tk->len, &op->gfp, &bad) == 0)
			return 0;
		return bad_flag(p, tk, bad, false, "gfp flag", NULL);
	case ARG_FLAGS:
		if (names_slab_flags_parse(s, tk->len, &op->flags, &bad) == 0)
			return 0;
		return bad_flag(p, tk, bad, false, "slab flag", NULL);
	case ARG_PROT:
	case ARG_MPROT:
		if (names_prot_parse(s, tk->len, kind == ARG_MPROT, &op->prot, &bad) == 0)
			return 0;
		return bad_flag(p, tk, bad, false, "prot",
				kind == ARG_PROT ? "mprotect only" : NULL);
	case ARG_MAP:
		if (names_map_flags_parse(s, tk->len, &op->mflags, &bad) == 0)
			return 0;
		return bad_flag(p, tk, bad, true, "mmap flag", NULL);
	default: /* ARG_MCL */
		if (names_mcl_flags_parse(s, tk->len, &op->mflags, &bad) == 0)
			return 0;
		return bad_flag(p, tk, bad, true, "mlockall flag", NULL);
	}
}

/* A word argument naming one thing: ARG_PROFILE, ARG_RESOURCE or ARG_SYSCTL. */
static int parse_word_arg(struct parser *p, const struct token *tk, char kind, struct trace_op *op)
{
	const char *s = p->s + tk->at;
	int64_t v;

	switch (kind) {
	case ARG_PROFILE:
		v = names_profile_lookup(s, tk->len);
		if (v < 0)
			return fail(
			    p, tk->at,
			    "unknown profile '%.*s' (linux-6.18, linux-4.14 or linux-2.6.34)",
			    quote_len(tk->len), s);
		break;
	case ARG_RESOURCE:
		v = names_rlimit_lookup(s, tk->len);
		if (v < 0)
			return fail(p, tk->at,
				    "unknown rlimit resource '%.*s' (data, stack, as or memlock)",
				    quote_len(tk->len), s);
		break;
	default: /* ARG_SYSCTL */
		v = names_sysctl_lookup(s, tk->len);
		if (v < 0)
			return fail(p, tk->at,
				    "unknown sysctl '%.*s' (max_map_count, mmap_min_addr or "
				    "overcommit_memory)",
				    quote_len(tk->len), s);
		break;
	}
	op->flags = (uint32_t)v;
	return 0;
}

/* touch's access type: r, w, x, read, write, fetch (into op->flags). */
static int parse_access_arg(struct parser *p, const struct token *tk, struct trace_op *op)
{
	int v = names_access_lookup(p->s + tk->at, tk->len);

	if (v < 0)
		return fail(p, tk->at, "unknown access '%.*s' (r, w, x, read, write or fetch)",
			    quote_len(tk->len), p->s + tk->at);
	op->flags = (uint32_t)v;
	return 0;
}

/*
 * One of touch's mode words (op->mflags starts as TOUCH_USER): `user` or `kernel`, at
 * most one of them, and `implicit`, each at most once, in any order. *seen collects
 * the words met so far on this line: bit 0 a privilege, bit 1 implicit.
 */
static int parse_touch_arg(struct parser *p, const struct token *tk, uint32_t *seen,
			   struct trace_op *op)
{
	const char *s = p->s + tk->at;
	bool user = tk->len == 4 && memcmp(s, "user", 4) == 0;
	bool kernel = tk->len == 6 && memcmp(s, "kernel", 6) == 0;
	bool implicit = tk->len == 8 && memcmp(s, "implicit", 8) == 0;
	uint32_t bit = implicit ? 2u : 1u;

	if (!user && !kernel && !implicit)
		return fail(p, tk->at, "unknown touch mode '%.*s' (user, kernel or implicit)",
			    quote_len(tk->len), s);
	if ((*seen & bit) != 0)
		return fail(p, tk->at, "touch takes one %s, got a second: '%.*s'",
			    implicit ? "implicit" : "privilege (user or kernel)",
			    quote_len(tk->len), s);
	*seen |= bit;
	if (kernel)
		op->mflags &= ~TOUCH_USER;
	if (implicit)
		op->mflags |= TOUCH_IMPLICIT;
	return 0;
}

/* cpu's field: wp, smep, smap, pke, la57, nxe, ac, pkru, maxphyaddr, gbpages (into op->flags). */
static int parse_cpu_field_arg(struct parser *p, const struct token *tk, struct trace_op *op)
{
	int v = names_cpu_field_lookup(p->s + tk->at, tk->len);

	if (v < 0)
		return fail(p, tk->at,
			    "unknown cpu field '%.*s' (wp, smep, smap, pke, la57, nxe, ac, pkru, "
			    "maxphyaddr or gbpages)",
			    quote_len(tk->len), p->s + tk->at);
	op->flags = (uint32_t)v;
	return 0;
}

/*
 * cpu's value, for the field already in op->flags: a one-bit field takes 0, 1, on or
 * off; pkru a value that fits its 32 bits; maxphyaddr any value (the model answers a
 * width outside 36..52 with -EINVAL).
 */
static int parse_cpu_value_arg(struct parser *p, const struct token *tk, struct trace_op *op,
			       struct trace_value *v)
{
	const char *s = p->s + tk->at;

	v->slot = -1;
	if (names_cpu_field_is_bool(op->flags)) {
		if ((tk->len == 1 && s[0] == '0') || (tk->len == 3 && memcmp(s, "off", 3) == 0))
			v->offset = 0;
		else if ((tk->len == 1 && s[0] == '1') || (tk->len == 2 && memcmp(s, "on", 2) == 0))
			v->offset = 1;
		else
			return fail(p, tk->at, "cpu %s takes 0, 1, on or off, not '%.*s'",
				    names_cpu_field_name(op->flags), quote_len(tk->len), s);
		return 0;
	}
	if ((tk->len == 2 && memcmp(s, "on", 2) == 0) || (tk->len == 3 && memcmp(s, "off", 3) == 0))
		return fail(p, tk->at, "cpu %s takes a number, not '%.*s'",
			    names_cpu_field_name(op->flags), quote_len(tk->len), s);
	if (parse_value(p, tk, v) != 0)
		return -1;
	if (op->flags == CPU_PKRU && v->slot < 0 && v->offset > UINT32_MAX)
		return fail(p, tk->at, "pkru is 32 bits, '%.*s' is out of range",
			    quote_len(tk->len), s);
	return 0;
}

/* A limit: `unlimited` (RLIM_INFINITY) or a value. */
static int parse_limit(struct parser *p, const struct token *tk, struct trace_value *v)
{
	static const char unlimited[] = "unlimited";

	if (tk->len == sizeof(unlimited) - 1 && memcmp(p->s + tk->at, unlimited, tk->len) == 0) {
		v->slot = -1;
		v->offset = RLIM_INFINITY;
		return 0;
	}
	return parse_value(p, tk, v);
}

/* Ops ----------------------------------------------------------------------------- */

/* Decode the arguments tok[0..n) of op (row desc); absent limits are `unlimited`. */
static int parse_args(struct parser *p, const struct names_op *desc, const struct token *tok, int n,
		      struct trace_op *op)
{
	unsigned int nvalues = 0;
	uint32_t seen = 0;
	size_t i;

	if (desc->kind == OP_TOUCH)
		op->mflags = TOUCH_USER; /* CPL 3 unless `kernel` */
	for (i = 0; desc->args[i] != 0; i++) {
		const struct token *tk = &tok[i];
		char kind = desc->args[i];
		struct trace_value *v = nvalues == 0 ? &op->a : &op->b;
		int err = 0;

		if (kind == ARG_VALUE || kind == ARG_LIMIT || kind == ARG_CPU_VAL)
			nvalues++;
		if (i >= (size_t)n) {
			if (kind == ARG_LIMIT)
				v->offset = RLIM_INFINITY;
			continue;
		}
		switch (kind) {
		case ARG_VALUE:
			err = parse_value(p, tk, v);
			break;
		case ARG_LIMIT:
			err = parse_limit(p, tk, v);
			break;
		case ARG_CACHE:
			err = parse_name_arg(p, tk, "cache", op);
			break;
		case ARG_PROC:
			err = parse_name_arg(p, tk, "process", op);
			break;
		case ARG_PROFILE:
		case ARG_RESOURCE:
		case ARG_SYSCTL:
			err = parse_word_arg(p, tk, kind, op);
			break;
		case ARG_ACCESS:
			err = parse_access_arg(p, tk, op);
			break;
		case ARG_TOUCH:
			err = parse_touch_arg(p, tk, &seen, op);
			break;
		case ARG_CPU:
			err = parse_cpu_field_arg(p, tk, op);
			break;
		case ARG_CPU_VAL:
			err = parse_cpu_value_arg(p, tk, op, v);
			break;
		default:
			err = parse_flag_arg(p, tk, kind, op);
			break;
		}
		if (err != 0)
			return -1;
	}
	return 0;
}

/* The `ram SIZE` op: first op only, a plain size of whole pages in [1M, 16G]. */
static int check_ram(struct parser *p, const struct token *optk, const struct token *arg,
		     const struct trace_op *op)
{
	uint64_t ram = op->a.offset;

	if (p->t->nr_ops > 0)
		return fail(p, optk->at, "ram must come before every other op");
	if (op->a.slot >= 0)
		return fail(p, arg->at, "ram takes a number");
	if (ram < TRACE_MIN_RAM || ram > TRACE_MAX_RAM)
		return fail(p, arg->at, "ram must be between 1M and 16G");
	if (ram % PAGE_SIZE != 0)
		return fail(p, arg->at, "ram must be a multiple of 4K");
	p->t->ram = ram;
	return 0;
}

/* Bind name tk to a slot (a new one, or the name's old one: the later binding wins). */
static int bind_name(struct parser *p, const struct token *tk, struct trace_op *op)
{
	struct trace *t = p->t;
	const char *s = p->s + tk->at;
	size_t i;

	if (tk->len == 1 && s[0] == '=')
		return fail(p, tk->at, "expected a name before '='");
	if (!is_ident_start(s[0]))
		return fail(p, tk->at, "bad name '%.*s': names start with a letter or '_'",
			    quote_len(tk->len), s);
	for (i = 1; i < tk->len; i++)
		if (!is_ident_char(s[i]))
			return fail(p, tk->at + i, "bad name '%.*s': only letters, digits, '_'",
				    quote_len(tk->len), s);
	if (tk->len > TRACE_MAX_NAME_LEN)
		return fail(p, tk->at, "name longer than %u bytes", TRACE_MAX_NAME_LEN);
	op->bind = find_name(t, s, tk->len);
	if (op->bind >= 0)
		return 0;
	if (t->nr_names >= TRACE_MAX_NAMES)
		return fail(p, tk->at, "more than %u names", TRACE_MAX_NAMES);
	if (grow((void **)&t->names, t->nr_names, sizeof(*t->names)) != 0)
		return fail(p, tk->at, "out of memory");
	t->names[t->nr_names] = dupn(s, tk->len);
	if (t->names[t->nr_names] == NULL)
		return fail(p, tk->at, "out of memory");
	op->bind = (int32_t)t->nr_names++;
	return 0;
}

/* Pluralize "argument". */
static const char *args_word(size_t n)
{
	return n == 1 ? "argument" : "arguments";
}

/* Look up the op at tok[0], check the argument count, decode tok[1..n). */
static int parse_op_words(struct parser *p, const struct token *tok, int n, struct trace_op *op,
			  const struct names_op **descp)
{
	const struct names_op *desc = names_op_lookup(p->s + tok[0].at, tok[0].len);
	size_t max;
	int nargs = n - 1, i;

	for (i = 0; i < n; i++)
		if (tok[i].len == 1 && p->s[tok[i].at] == '=')
			return fail(p, tok[i].at, "unexpected '='");
	if (desc == NULL)
		return fail(p, tok[0].at, "unknown op '%.*s'", quote_len(tok[0].len),
			    p->s + tok[0].at);
	max = strlen(desc->args);
	if ((size_t)nargs < desc->min || (size_t)nargs > max) {
		size_t at = (size_t)nargs > max ? tok[max + 1].at : tok[0].at;

		if (max == 0)
			return fail(p, at, "%s takes no arguments, got %d", desc->name, nargs);
		if (desc->min == max)
			return fail(p, at, "%s takes %zu %s (%s), got %d", desc->name, max,
				    args_word(max), desc->usage, nargs);
		return fail(p, at, "%s takes %u to %zu arguments (%s), got %d", desc->name,
			    desc->min, max, desc->usage, nargs);
	}
	op->kind = desc->kind;
	*descp = desc;
	return parse_args(p, desc, tok + 1, nargs, op);
}

/* The expectation after `=>` at offset at (up to the comment at end): collapsed. */
static int parse_expect(struct parser *p, size_t at, size_t end, struct trace_op *op)
{
	char buf[TRACE_MAX_LINE + 1];

	names_collapse(p->s + at + 2, end - at - 2, buf, sizeof(buf));
	if (buf[0] == 0)
		return fail(p, at, "nothing after '=>'");
	op->expect = dupn(buf, strlen(buf));
	if (op->expect == NULL)
		return fail(p, at, "out of memory");
	p->t->nr_expect++;
	return 0;
}

/* Find "=>" in s[from..to): its offset, or to. */
static size_t find_arrow(const char *s, size_t from, size_t to)
{
	size_t i;

	for (i = from; i + 1 < to; i++)
		if (s[i] == '=' && s[i + 1] == '>')
			return i;
	return to;
}

/* Trim blanks off both ends of s[*from..*to). */
static void trim(const char *s, size_t *from, size_t *to)
{
	while (*from < *to && is_blank(s[*from]))
		(*from)++;
	while (*to > *from && is_blank(s[*to - 1]))
		(*to)--;
}

/* The op in s[code..hash), where hash is the comment's offset (or the line's length). */
static int parse_op_body(struct parser *p, size_t code, size_t hash, struct trace_op *op)
{
	struct token tok[MAX_TOKENS] = {{0}};
	const struct names_op *desc = NULL;
	size_t arrow = find_arrow(p->s, code, hash), end = arrow;
	int n, first = 0;

	trim(p->s, &code, &end);
	if (end == code)
		return fail(p, arrow, "expected an op before '=>'");
	n = tokenize(p, code, end, tok);
	if (n < 0)
		return -1;
	if (n >= 2 && tok[1].len == 1 && p->s[tok[1].at] == '=')
		first = 2;
	if (first == 2 && n == 2)
		return fail(p, tok[1].at + 1, "expected an op after '='");
	if (parse_op_words(p, tok + first, n - first, op, &desc) != 0)
		return -1;
	if (op->kind == TRACE_OP_RAM && check_ram(p, &tok[first], &tok[first + 1], op) != 0)
		return -1;
	if (first == 2 && bind_name(p, &tok[0], op) != 0)
		return -1;
	if (arrow < hash && parse_expect(p, arrow, hash, op) != 0)
		return -1;
	op->text = dupn(p->s + code, end - code);
	if (op->text == NULL)
		return fail(p, code, "out of memory");
	return 0;
}

static int parse_op_line(struct parser *p, size_t code, size_t hash)
{
	struct trace_item item;
	struct trace_op *op = &item.op;
	size_t cend = p->len;

	memset(&item, 0, sizeof(item));
	item.kind = TRACE_OP;
	op->line = p->line;
	op->bind = -1;
	op->a.slot = -1;
	op->b.slot = -1;
	if (parse_op_body(p, code, hash, op) != 0)
		goto err;
	trim(p->s, &hash, &cend);
	if (hash < cend) {
		op->comment = dupn(p->s + hash, cend - hash);
		if (op->comment == NULL) {
			fail(p, hash, "out of memory");
			goto err;
		}
	}
	if (push_item(p, &item) != 0)
		goto err;
	p->t->nr_ops++;
	p->last_op = (int64_t)p->t->nr_items - 1;
	return 0;
err:
	op_free(op);
	return -1;
}

/* A '|' line at offset bar: one more expected output line of the op above. */
static int parse_output_line(struct parser *p, size_t bar)
{
	struct trace_op *op;
	char buf[TRACE_MAX_LINE + 1];
	char *line;

	if (p->last_op < 0)
		return fail(p, bar, "'|' line must follow its op directly");
	op = &p->t->items[p->last_op].op;
	if (!names_op_is_dump(op->kind))
		return fail(p, bar, "'|' lines follow only buddyinfo, slabinfo or maps, not %s",
			    names_op_name(op->kind));
	names_collapse(p->s + bar + 1, p->len - bar - 1, buf, sizeof(buf));
	line = dupn(buf, strlen(buf));
	if (line == NULL || grow((void **)&op->out, op->nr_out, sizeof(*op->out)) != 0) {
		free(line);
		return fail(p, bar, "out of memory");
	}
	op->out[op->nr_out++] = line;
	p->t->nr_expect++;
	return 0;
}

/* A blank or comment line: kept for `mmref run`, trailing blanks trimmed. */
static int parse_text_line(struct parser *p)
{
	struct trace_item item;
	size_t from = 0, to = p->len;

	memset(&item, 0, sizeof(item));
	item.kind = TRACE_TEXT;
	while (to > from && is_blank(p->s[to - 1]))
		to--;
	item.text = dupn(p->s, to);
	if (item.text == NULL)
		return fail(p, 0, "out of memory");
	if (push_item(p, &item) != 0) {
		free(item.text);
		return -1;
	}
	p->last_op = -1;
	return 0;
}

static int parse_line(struct parser *p)
{
	size_t first = 0, hash;

	if (check_bytes(p) != 0)
		return -1;
	while (first < p->len && is_blank(p->s[first]))
		first++;
	if (first < p->len && p->s[first] == '|')
		return parse_output_line(p, first);
	hash = first;
	while (hash < p->len && p->s[hash] != '#')
		hash++;
	if (hash == first)
		return parse_text_line(p);
	return parse_op_line(p, first, hash);
}

int trace_parse_buffer(const char *name, const char *text, size_t len, struct trace *out, char *err,
		       size_t errlen)
{
	struct parser p;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (errlen > 0)
		err[0] = 0;
	p.name = name != NULL ? name : "<trace>";
	p.t = out;
	p.err = err;
	p.errlen = errlen;
	p.last_op = -1;
	out->ram = TRACE_DEFAULT_RAM;
	out->name = dupn(p.name, strlen(p.name));
	if (out->name == NULL)
		return fail(&p, 0, "out of memory");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		p.line++;
		p.s = text + pos;
		p.len = end - pos;
		if (p.len > 0 && p.s[p.len - 1] == '\r')
			p.len--;
		if (parse_line(&p) != 0) {
			trace_free(out);
			return -1;
		}
		pos = end + 1;
	}
	return 0;
}

int trace_parse_file(const char *path, struct trace *out, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *q;

			cap = cap == 0 ? 65536 : cap * 2;
			q = cap > (size_t)TRACE_MAX_FILE + 1 ? NULL : realloc(buf, cap);
			if (q == NULL) {
				snprintf(err, errlen, "%s: larger than %u bytes", path,
					 TRACE_MAX_FILE);
				rc = -1;
				goto out;
			}
			buf = q;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
		goto out;
	}
	rc = trace_parse_buffer(path, buf, len, out, err, errlen);
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

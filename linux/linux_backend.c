/* SPDX-License-Identifier: MIT */
/*
 * linux_backend.c - the parent side of the live-kernel oracle: start the child, send it
 * requests, read the replies, parse /proc/PID/maps and /proc/PID/stat, reset the child.
 * How it works: see linux_backend.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux_backend.h"

#ifndef MMREF_LINUX_CHILD_PATH
#define MMREF_LINUX_CHILD_PATH ""
#endif

#define TASK_SIZE_64 0x7ffffffff000ull /* x86-64, 4-level paging: end of user space */

static const unsigned layout_rlimits[4] = {RLIMIT_DATA, RLIMIT_AS, RLIMIT_STACK, RLIMIT_MEMLOCK};

static void set_err(struct linux_child *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(struct linux_child *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------------------------ */
/* Finding the binary */

static bool is_executable(const char *path)
{
	return path[0] != '\0' && access(path, X_OK) == 0;
}

static int copy_path(char *buf, size_t len, const char *path)
{
	if (!is_executable(path) || strlen(path) >= len)
		return -1;
	memcpy(buf, path, strlen(path) + 1);
	return 0;
}

int linux_child_path(char *buf, size_t len)
{
	const char *env = getenv("MMREF_LINUX_CHILD");
	char self[PATH_MAX], next[PATH_MAX + sizeof(LINUX_CHILD_NAME)];
	ssize_t n;
	char *slash;

	if (env && env[0])
		return copy_path(buf, len, env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(next, sizeof(next), "%s/%s", self, LINUX_CHILD_NAME);
			if (copy_path(buf, len, next) == 0)
				return 0;
		}
	}
	return copy_path(buf, len, MMREF_LINUX_CHILD_PATH);
}

/* ------------------------------------------------------------------------------------ */
/* The child process: exec, death, reaping */

/*
 * In the forked process, before execve: only async-signal-safe calls. Any failure is
 * written as an errno to @status_fd (close-on-exec, so a successful exec writes nothing).
 */
static __attribute__((noreturn)) void exec_child(const char *path, int sock, int status_fd,
						 bool keep_caps, int cpu)
{
	char *argv[] = {LINUX_CHILD_NAME, keep_caps ? "--keep-caps" : NULL, NULL};
	char *envp[] = {NULL};
	struct rlimit no_core = {0, 0};
	sigset_t none;
	int e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (cpu >= 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one); /* only a speed-up: failure is fine */
	}
	if (personality(PER_LINUX | ADDR_NO_RANDOMIZE) == -1 ||
	    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &no_core) != 0)
		goto fail;
	if (sock == LX_FD) {
		if (fcntl(sock, F_SETFD, 0) != 0)
			goto fail;
	} else if (dup2(sock, LX_FD) != LX_FD) {
		goto fail;
	}
	execve(path, argv, envp);
fail:
	e = errno;
	if (write(status_fd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static void describe_status(struct linux_child *c, int status)
{
	if (WIFSIGNALED(status)) {
		c->term_signal = WTERMSIG(status);
		set_err(c, "child killed by signal %d (%s)", c->term_signal,
			strsignal(c->term_signal));
	} else if (WIFEXITED(status)) {
		set_err(c, "child exited with status %d", WEXITSTATUS(status));
	}
}

/* The parent's /proc files of the child (opened on first use). */
static void close_proc_fds(struct linux_child *c)
{
	int *fds[4] = {&c->pagemap_fd, &c->status_fd, &c->statm_fd, &c->kpageflags_fd};
	int i;

	for (i = 0; i < 4; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* The child is gone or must go: kill if asked, reap, describe, close the socket. */
static void lose_child(struct linux_child *c, bool kill_it)
{
	int status = 0;
	pid_t r;

	if (c->pid > 0) {
		if (kill_it)
			kill(c->pid, SIGKILL);
		do {
			r = waitpid(c->pid, &status, 0);
		} while (r < 0 && errno == EINTR);
		if (r == c->pid && !kill_it)
			describe_status(c, status);
	}
	c->pid = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	close_proc_fds(c);
}

/* ------------------------------------------------------------------------------------ */
/* The transport */

static int send_request(struct linux_child *c, const struct lx_request *rq, const void *payload)
{
	struct iovec iov[2] = {{(void *)rq, sizeof(*rq)}, {(void *)payload, rq->payload_len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = payload ? 2 : 1};
	size_t want = sizeof(*rq) + (payload ? rq->payload_len : 0);
	ssize_t n;

	if (c->pid <= 0) {
		if (!c->err[0])
			set_err(c, "child not running");
		return -1;
	}
	do {
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)want)
		return 0;
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
		lose_child(c, false);
	} else {
		set_err(c, "send to child: %s", n < 0 ? strerror(errno) : "short write");
		lose_child(c, true);
	}
	return -1;
}

/* Exactly n bytes, or the child is lost (EOF: died; EAGAIN: SO_RCVTIMEO passed). */
static int recv_full(struct linux_child *c, void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t r;

	while (n) {
		r = recv(c->fd, p, n, MSG_WAITALL);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno == ECONNRESET) { /* died: unread data gives ECONNRESET */
			set_err(c, "child closed the socket");
			lose_child(c, false);
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			set_err(c, "child did not answer within %d ms (killed)",
				LINUX_CHILD_TIMEOUT_MS);
			lose_child(c, true);
		} else {
			set_err(c, "recv from child: %s", strerror(errno));
			lose_child(c, true);
		}
		return -1;
	}
	return 0;
}

/*
 * Receive all frames of one reply. Payload bytes go to buf up to len; the rest is read
 * and dropped. *stored = bytes put in buf. Returns the final frame's ret or
 * LINUX_CHILD_LOST.
 */
static int64_t recv_reply(struct linux_child *c, void *buf, size_t len, size_t *stored)
{
	unsigned char sink[512];
	struct lx_reply h;
	size_t kept = 0;

	for (;;) {
		if (recv_full(c, &h, sizeof(h)) != 0)
			return LINUX_CHILD_LOST;
		if (h.len > LX_CHUNK) {
			set_err(c, "bad reply frame (%u bytes)", h.len);
			lose_child(c, true);
			return LINUX_CHILD_LOST;
		}
		for (uint32_t left = h.len; left;) {
			size_t room = len - kept;
			void *dst = room ? (unsigned char *)buf + kept : sink;
			size_t n = room ? room : sizeof(sink);

			if (n > left)
				n = left;
			if (recv_full(c, dst, n) != 0)
				return LINUX_CHILD_LOST;
			if (room)
				kept += n;
			left -= (uint32_t)n;
		}
		if (!h.more)
			break;
	}
	if (stored)
		*stored = kept;
	return h.ret;
}

/* One request with up to 4 arguments, no payload either way. */
static int64_t call(struct linux_child *c, enum lx_op op, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3)
{
	struct lx_request rq = {.op = op, .arg = {a0, a1, a2, a3, 0}};

	if (send_request(c, &rq, NULL) != 0)
		return LINUX_CHILD_LOST;
	return recv_reply(c, NULL, 0, NULL);
}

int64_t linux_child_brk(struct linux_child *c, uint64_t addr)
{
	return call(c, LX_OP_BRK, addr, 0, 0, 0);
}

int64_t linux_child_mmap(struct linux_child *c, uint64_t addr, uint64_t len, uint64_t prot,
			 uint64_t flags)
{
	return call(c, LX_OP_MMAP, addr, len, prot, flags);
}

int64_t linux_child_munmap(struct linux_child *c, uint64_t addr, uint64_t len)
{
	return call(c, LX_OP_MUNMAP, addr, len, 0, 0);
}

int64_t linux_child_mprotect(struct linux_child *c, uint64_t addr, uint64_t len, uint64_t prot)
{
	return call(c, LX_OP_MPROTECT, addr, len, prot, 0);
}

int64_t linux_child_mlockall(struct linux_child *c, uint64_t flags)
{
	return call(c, LX_OP_MLOCKALL, flags, 0, 0, 0);
}

int64_t linux_child_munlockall(struct linux_child *c)
{
	return call(c, LX_OP_MUNLOCKALL, 0, 0, 0, 0);
}

int64_t linux_child_setrlimit(struct linux_child *c, unsigned resource, uint64_t cur, uint64_t max)
{
	return call(c, LX_OP_SETRLIMIT, resource, cur, max, 0);
}

int64_t linux_child_getrlimit(struct linux_child *c, unsigned resource, struct linux_rlimit *out)
{
	struct lx_request rq = {.op = LX_OP_GETRLIMIT, .arg = {resource}};
	uint64_t lim[2];
	size_t got = 0;
	int64_t ret;

	if (send_request(c, &rq, NULL) != 0)
		return LINUX_CHILD_LOST;
	ret = recv_reply(c, lim, sizeof(lim), &got);
	if (ret == 0 && got == sizeof(lim) && out) {
		out->cur = lim[0];
		out->max = lim[1];
	}
	return ret;
}

long linux_child_read(struct linux_child *c, enum lx_file which, char *buf, size_t len)
{
	struct lx_request rq = {.op = LX_OP_READ, .arg = {(uint64_t)which}};
	size_t got = 0;
	int64_t ret;

	if (len)
		buf[0] = '\0';
	if (send_request(c, &rq, NULL) != 0)
		return -1;
	ret = recv_reply(c, buf, len ? len - 1 : 0, &got);
	if (ret == LINUX_CHILD_LOST)
		return -1;
	if (ret < 0) {
		set_err(c, "child could not read /proc/self file %d: %s", (int)which,
			strerror((int)-ret));
		return -1;
	}
	if (len)
		buf[got] = '\0';
	return (long)ret;
}

int linux_child_maps(struct linux_child *c, char *buf, size_t len)
{
	return (int)linux_child_read(c, LX_FILE_MAPS, buf, len);
}

double linux_mmap_munmap_ns(struct linux_child *c, unsigned iters)
{
	int64_t ns;

	if (iters == 0)
		return -1.0;
	ns = call(c, LX_OP_BENCH, iters, 0, 0, 0);
	if (ns < 0) {
		if (ns != LINUX_CHILD_LOST)
			set_err(c, "bench: mmap failed: %s", strerror((int)-ns));
		return -1.0;
	}
	return (double)ns / iters;
}

/* ------------------------------------------------------------------------------------ */
/* Touches, fault counts, pagemap, RSS */

int64_t linux_child_touch(struct linux_child *c, uint64_t addr, bool write,
			  struct linux_touch *out)
{
	return linux_child_touch_pkru(c, addr, write, false, 0, out);
}

int64_t linux_child_touch_pkru(struct linux_child *c, uint64_t addr, bool write, bool use_pkru,
			       uint32_t pkru, struct linux_touch *out)
{
	struct lx_request rq = {.op = LX_OP_TOUCH,
				.arg = {addr, write ? LX_TOUCH_WRITE : LX_TOUCH_READ, pkru,
					use_pkru ? 1 : 0}};
	struct lx_touch_reply t;
	size_t got = 0;
	int64_t ret;

	if (send_request(c, &rq, NULL) != 0)
		return LINUX_CHILD_LOST;
	ret = recv_reply(c, &t, sizeof(t), &got);
	if (ret != 0)
		return ret;
	if (got != sizeof(t)) {
		set_err(c, "touch: a short reply (%zu bytes)", got);
		return -EPROTO;
	}
	out->signo = t.signo;
	out->sig_code = t.sig_code;
	out->sig_addr = t.sig_addr;
	out->minflt = t.minflt_after - t.minflt_before;
	out->majflt = t.majflt_after - t.majflt_before;
	return 0;
}

int64_t linux_child_getrusage(struct linux_child *c, uint64_t *minflt, uint64_t *majflt)
{
	struct lx_request rq = {.op = LX_OP_GETRUSAGE};
	uint64_t f[2] = {0, 0};
	size_t got = 0;
	int64_t ret;

	if (send_request(c, &rq, NULL) != 0)
		return LINUX_CHILD_LOST;
	ret = recv_reply(c, f, sizeof(f), &got);
	if (ret == 0 && got != sizeof(f)) {
		set_err(c, "getrusage: a short reply (%zu bytes)", got);
		return -EPROTO;
	}
	*minflt = f[0];
	*majflt = f[1];
	return ret;
}

const char *linux_page_state_name(enum linux_page_state s)
{
	static const char *const names[LINUX_PAGE_NR] = {"none", "zero", "anon", "shared",
							 "swap"};

	return (unsigned)s < LINUX_PAGE_NR ? names[s] : "?";
}

/* Open /proc/PID/name (of_child) or /proc/name into *fd, once per child. */
static int proc_fd(struct linux_child *c, int *fd, const char *name, bool of_child)
{
	char path[64];

	if (c->pid <= 0) { /* also: a zeroed struct's 0 is not an fd of ours */
		set_err(c, "child not running");
		return -1;
	}
	if (*fd >= 0)
		return 0;
	if (of_child)
		snprintf(path, sizeof(path), "/proc/%d/%s", c->pid, name);
	else
		snprintf(path, sizeof(path), "/proc/%s", name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		set_err(c, "open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* pread exactly len bytes at off. */
static int pread_full(struct linux_child *c, int fd, void *buf, size_t len, off_t off,
		      const char *what)
{
	ssize_t n;

	do {
		n = pread(fd, buf, len, off);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	set_err(c, "read %s at %#llx: %s", what, (unsigned long long)off,
		n < 0 ? strerror(errno) : "short read");
	return -1;
}

int linux_child_pagemap(struct linux_child *c, uint64_t addr, size_t n, uint64_t *entries)
{
	if (proc_fd(c, &c->pagemap_fd, "pagemap", true) != 0)
		return -1;
	return pread_full(c, c->pagemap_fd, entries, n * sizeof(uint64_t),
			  (off_t)(addr / 4096 * sizeof(uint64_t)), "pagemap");
}

int linux_kpageflags(struct linux_child *c, uint64_t pfn, uint64_t *flags)
{
	if (proc_fd(c, &c->kpageflags_fd, "kpageflags", false) != 0)
		return -1;
	return pread_full(c, c->kpageflags_fd, flags, sizeof(*flags),
			  (off_t)(pfn * sizeof(uint64_t)), "kpageflags");
}

int linux_child_page_states(struct linux_child *c, uint64_t addr, size_t n, uint8_t *states,
			    uint64_t *entries)
{
	uint64_t buf[512];
	size_t done, i;

	for (done = 0; done < n; done += i) {
		size_t k = n - done < 512 ? n - done : 512;

		if (addr + done * 4096 >= TASK_SIZE_64) { /* no user pages: pagemap ends */
			for (i = 0; i < n - done; i++) {
				states[done + i] = LINUX_PAGE_NONE;
				if (entries)
					entries[done + i] = 0;
			}
			break;
		}
		if (addr + (done + k) * 4096 > TASK_SIZE_64)
			k = (TASK_SIZE_64 - (addr + done * 4096)) / 4096;
		if (linux_child_pagemap(c, addr + done * 4096, k, buf) != 0)
			return -1;
		for (i = 0; i < k; i++) {
			uint64_t e = buf[i], pfn = e & PM_PFN_MASK, kf;
			uint8_t st;

			if (entries)
				entries[done + i] = e;
			if (e & PM_SWAP)
				st = LINUX_PAGE_SWAP;
			else if (!(e & PM_PRESENT))
				st = LINUX_PAGE_NONE;
			else if (e & PM_FILE)
				st = LINUX_PAGE_SHARED;
			else if (pfn == 0) {
				set_err(c, "pagemap shows PFN 0 for a present page (no "
					   "CAP_SYS_ADMIN?)");
				return -1;
			} else if (c->zero_pfn != 0)
				st = pfn == c->zero_pfn ? LINUX_PAGE_ZERO : LINUX_PAGE_ANON;
			else {
				if (linux_kpageflags(c, pfn, &kf) != 0)
					return -1;
				st = LINUX_PAGE_ANON;
				if (kf & (1ull << KPF_ZERO_PAGE)) {
					st = LINUX_PAGE_ZERO;
					c->zero_pfn = pfn;
				}
			}
			states[done + i] = st;
		}
	}
	return 0;
}

/* The number after "key:" in a /proc status text, in kB. */
static bool status_kb(const char *text, const char *key, uint64_t *kb)
{
	const char *p = strstr(text, key);

	if (p == NULL)
		return false;
	*kb = strtoull(p + strlen(key), NULL, 10);
	return true;
}

int linux_child_rss(struct linux_child *c, struct linux_rss *out)
{
	char text[4096];
	ssize_t n;

	if (proc_fd(c, &c->status_fd, "status", true) != 0)
		return -1;
	do {
		n = pread(c->status_fd, text, sizeof(text) - 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		set_err(c, "read /proc/%d/status: %s", c->pid, n < 0 ? strerror(errno) : "empty");
		return -1;
	}
	text[n] = '\0';
	if (!status_kb(text, "\nRssAnon:", &out->anon) ||
	    !status_kb(text, "\nRssFile:", &out->file) ||
	    !status_kb(text, "\nRssShmem:", &out->shmem)) {
		set_err(c, "/proc/%d/status: no RssAnon/RssFile/RssShmem", c->pid);
		return -1;
	}
	out->anon /= 4;
	out->file /= 4;
	out->shmem /= 4;
	return 0;
}

int linux_child_statm(struct linux_child *c, uint64_t *resident, uint64_t *shared)
{
	char text[256];
	unsigned long long size, res, shr;
	ssize_t n;

	if (proc_fd(c, &c->statm_fd, "statm", true) != 0)
		return -1;
	do {
		n = pread(c->statm_fd, text, sizeof(text) - 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		set_err(c, "read /proc/%d/statm: %s", c->pid, n < 0 ? strerror(errno) : "empty");
		return -1;
	}
	text[n] = '\0';
	if (sscanf(text, "%llu %llu %llu", &size, &res, &shr) != 3) {
		set_err(c, "/proc/%d/statm: cannot parse '%s'", c->pid, text);
		return -1;
	}
	*resident = res;
	*shared = shr;
	return 0;
}

double linux_anon_faults_per_s(struct linux_child *c, uint64_t bytes)
{
	struct lx_request rq = {.op = LX_OP_BENCH_FAULT, .arg = {bytes}};
	uint64_t pages = bytes / 4096, faults = 0;
	size_t got = 0;
	int64_t ns;

	if (pages == 0 || send_request(c, &rq, NULL) != 0)
		return -1.0;
	ns = recv_reply(c, &faults, sizeof(faults), &got);
	if (ns == LINUX_CHILD_LOST)
		return -1.0;
	if (ns <= 0) {
		set_err(c, "bench fault: mmap of %llu bytes failed: %s", (unsigned long long)bytes,
			strerror((int)-ns));
		return -1.0;
	}
	if (got != sizeof(faults) || faults != pages) {
		set_err(c, "bench fault: %llu faults for %llu pages", (unsigned long long)faults,
			(unsigned long long)pages);
		return -1.0;
	}
	return (double)pages / ((double)ns / 1e9);
}

/* ------------------------------------------------------------------------------------ */
/* Parsing /proc/PID/maps and /proc/PID/stat */

/*
 * One maps line: "start-end perms offset major:minor inode   name". The name starts
 * at the first non-blank after the inode and runs to the end of the line.
 */
static bool parse_maps_line(const char *line, const char *eol, struct linux_vma *v)
{
	char perms[5];
	int name_at = 0;
	size_t n;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4c %" SCNx64 " %x:%x %" SCNu64 "%n", &v->start,
		   &v->end, perms, &v->offset, &v->dev_major, &v->dev_minor, &v->inode,
		   &name_at) != 7 ||
	    line + name_at > eol)
		return false;
	memcpy(v->perms, perms, 4);
	v->perms[4] = '\0';
	line += name_at;
	while (line < eol && *line == ' ')
		line++;
	n = (size_t)(eol - line);
	if (n >= sizeof(v->name))
		n = sizeof(v->name) - 1;
	memcpy(v->name, line, n);
	v->name[n] = '\0';
	return v->start < v->end;
}

int linux_maps_parse(const char *text, struct linux_vma *out, size_t max)
{
	struct linux_vma v;
	int count = 0;

	while (*text) {
		const char *eol = strchr(text, '\n');

		if (!eol)
			eol = text + strlen(text);
		if (!parse_maps_line(text, eol, &v))
			return -1;
		if ((size_t)count < max)
			out[count] = v;
		count++;
		text = *eol ? eol + 1 : eol;
	}
	return count;
}

/* Fields 26..51 of /proc/PID/stat. Field 2 (comm) may hold blanks: count after ')'. */
static bool parse_stat(const char *text, struct linux_layout *l)
{
	const char *p = strrchr(text, ')');
	uint64_t f[53] = {0};
	int field;

	if (!p)
		return false;
	p++;
	for (field = 3; field <= 52; field++) {
		char *end;

		while (*p == ' ')
			p++;
		if (field == 3) { /* state: one letter */
			p++;
			continue;
		}
		f[field] = strtoull(p, &end, 10);
		if (end == p)
			return false;
		p = end;
	}
	l->start_code = f[26];
	l->end_code = f[27];
	l->start_stack = f[28];
	l->start_data = f[45];
	l->end_data = f[46];
	l->start_brk = f[47];
	l->arg_start = f[48];
	l->arg_end = f[49];
	l->env_start = f[50];
	l->env_end = f[51];
	return true;
}

static int read_rlimits(struct linux_child *c, struct linux_layout *l)
{
	struct linux_rlimit *dst[4] = {&l->rlim_data, &l->rlim_as, &l->rlim_stack,
				       &l->rlim_memlock};
	int i;

	for (i = 0; i < 4; i++) {
		int64_t r = linux_child_getrlimit(c, layout_rlimits[i], dst[i]);

		if (r != 0) {
			if (r != LINUX_CHILD_LOST)
				set_err(c, "getrlimit(%u): %s", layout_rlimits[i],
					strerror((int)-r));
			return -1;
		}
	}
	return 0;
}

int linux_child_layout(struct linux_child *c, struct linux_layout *out)
{
	char *text = c->scratch;
	int64_t brk;
	long n;
	int nr;

	memset(out, 0, sizeof(*out));
	n = linux_child_read(c, LX_FILE_STAT, text, sizeof(c->scratch));
	if (n < 0)
		return -1;
	if (!parse_stat(text, out)) {
		set_err(c, "cannot parse /proc/self/stat");
		return -1;
	}
	brk = linux_child_brk(c, 0);
	if (brk == LINUX_CHILD_LOST || read_rlimits(c, out) != 0)
		return -1;
	out->brk = (uint64_t)brk;
	n = linux_child_maps(c, text, sizeof(c->scratch));
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(c->scratch)) {
		set_err(c, "maps text longer than %zu bytes", sizeof(c->scratch));
		return -1;
	}
	nr = linux_maps_parse(text, out->vmas, LINUX_LAYOUT_MAX_VMAS);
	if (nr < 0 || nr > LINUX_LAYOUT_MAX_VMAS) {
		set_err(c, nr < 0 ? "malformed maps line" : "more than %d VMAs",
			LINUX_LAYOUT_MAX_VMAS);
		return -1;
	}
	out->nr_vmas = (size_t)nr;
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Start, stop, reset */

static int start_fail(struct linux_child *c, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", c->err);
	linux_child_stop(c);
	return -1;
}

/* Wait for the exec: the status pipe closes on success, carries an errno on failure. */
static int wait_exec(struct linux_child *c, int status_fd)
{
	int e = 0;
	ssize_t n;

	do {
		n = read(status_fd, &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	set_err(c, "exec %s: %s", c->path, n == sizeof(e) ? strerror(e) : "failed");
	lose_child(c, false);
	c->term_signal = 0;
	return -1;
}

/* Pin the calling thread to the CPU it runs on; the child will be pinned there too. */
static int pin_to_current_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) == 0 ? cpu : -1;
}

static int spawn(struct linux_child *c)
{
	struct timeval tmo = {LINUX_CHILD_TIMEOUT_MS / 1000,
			      (LINUX_CHILD_TIMEOUT_MS % 1000) * 1000};
	int sv[2], st[2], cpu = -1;
	pid_t pid;

	if (c->flags & LINUX_CHILD_SAME_CPU)
		cpu = pin_to_current_cpu();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		set_err(c, "socketpair: %s", strerror(errno));
		return -1;
	}
	if (pipe2(st, O_CLOEXEC) != 0) {
		set_err(c, "pipe2: %s", strerror(errno));
		goto err_sock;
	}
	pid = fork();
	if (pid < 0) {
		set_err(c, "fork: %s", strerror(errno));
		goto err_pipe;
	}
	if (pid == 0)
		exec_child(c->path, sv[1], st[1], c->flags & LINUX_CHILD_KEEP_CAPS, cpu);
	c->pid = pid;
	c->fd = sv[0];
	close(sv[1]);
	close(st[1]);
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) != 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo)) != 0)
		set_err(c, "setsockopt: %s", strerror(errno));
	if (wait_exec(c, st[0]) != 0) {
		close(st[0]);
		return -1;
	}
	close(st[0]);
	return 0;
err_pipe:
	close(st[0]);
	close(st[1]);
err_sock:
	close(sv[0]);
	close(sv[1]);
	return -1;
}

int linux_child_start(struct linux_child *c, char *err, size_t errlen)
{
	long n;

	c->pid = 0;
	c->fd = -1;
	c->pagemap_fd = -1;
	c->status_fd = -1;
	c->statm_fd = -1;
	c->kpageflags_fd = -1;
	c->zero_pfn = 0;
	c->term_signal = 0;
	c->err[0] = '\0';
	if (linux_child_path(c->path, sizeof(c->path)) != 0) {
		set_err(c, "%s not found (set MMREF_LINUX_CHILD)", LINUX_CHILD_NAME);
		return start_fail(c, err, errlen);
	}
	if (spawn(c) != 0 || linux_child_layout(c, &c->initial) != 0)
		return start_fail(c, err, errlen);
	n = linux_child_maps(c, c->initial_maps, sizeof(c->initial_maps));
	if (n < 0)
		return start_fail(c, err, errlen);
	c->initial_maps_len = (size_t)n;
	return 0;
}

void linux_child_stop(struct linux_child *c)
{
	struct lx_request rq = {.op = LX_OP_EXIT};
	struct lx_reply h;
	int status;

	if (c->pid > 0) {
		/* A polite exit first: a SIGKILLed child would look like a crash. */
		if (send(c->fd, &rq, sizeof(rq), MSG_NOSIGNAL) == sizeof(rq) &&
		    recv(c->fd, &h, sizeof(h), MSG_WAITALL) == sizeof(h)) {
			while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
				;
			c->pid = 0;
		}
		lose_child(c, true);
	}
	/* Without a child there is no open socket: a zeroed struct's fd 0 is not ours. */
	c->fd = -1;
	c->pid = 0;
	c->pagemap_fd = -1;
	c->status_fd = -1;
	c->statm_fd = -1;
	c->kpageflags_fd = -1;
}

/* Restore the initial rlimits from here: the child may have lowered a hard limit. */
static int restore_rlimits(struct linux_child *c)
{
	const struct linux_rlimit *src[4] = {&c->initial.rlim_data, &c->initial.rlim_as,
					     &c->initial.rlim_stack, &c->initial.rlim_memlock};
	int i;

	for (i = 0; i < 4; i++) {
		struct rlimit r = {src[i]->cur, src[i]->max};

		if (prlimit(c->pid, layout_rlimits[i], &r, NULL) != 0) {
			set_err(c,
				"reset: prlimit(%u): %s (a lowered hard limit can only be "
				"raised with CAP_SYS_RESOURCE: restart the child)",
				layout_rlimits[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The gaps between the initial VMAs below TASK_SIZE: (start, end) pairs to munmap. */
static uint32_t initial_gaps(const struct linux_layout *l, uint64_t *pairs)
{
	uint64_t prev = 0;
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < l->nr_vmas && l->vmas[i].start < TASK_SIZE_64; i++) {
		if (l->vmas[i].start > prev) {
			pairs[n++] = prev;
			pairs[n++] = l->vmas[i].start;
		}
		prev = l->vmas[i].end;
	}
	if (prev < TASK_SIZE_64) {
		pairs[n++] = prev;
		pairs[n++] = TASK_SIZE_64;
	}
	return n;
}

/* Where two maps texts first differ, as "line N: got <line>". */
static void describe_difference(struct linux_child *c, const char *got, const char *want)
{
	int line = 1;
	const char *bol = got;

	while (*got && *got == *want) {
		if (*got == '\n') {
			line++;
			bol = got + 1;
		}
		got++;
		want++;
	}
	set_err(c, "reset: maps differ from the initial maps at line %d: %.*s", line,
		(int)strcspn(bol, "\n"), bol);
}

int linux_child_reset(struct linux_child *c)
{
	char *text = c->scratch;
	uint64_t pairs[2 * (LINUX_LAYOUT_MAX_VMAS + 1)];
	struct lx_request rq = {.op = LX_OP_RESET, .arg = {c->initial.brk}};
	int64_t ret;
	long n;

	if (c->pid <= 0 || restore_rlimits(c) != 0)
		return -1;
	rq.payload_len = initial_gaps(&c->initial, pairs) * (uint32_t)sizeof(uint64_t);
	if (send_request(c, &rq, pairs) != 0)
		return -1;
	ret = recv_reply(c, NULL, 0, NULL);
	if (ret == LINUX_CHILD_LOST)
		return -1;
	if (ret != 0) {
		set_err(c, "reset: a munlockall/brk/munmap failed: %s", strerror((int)-ret));
		return -1;
	}
	n = linux_child_maps(c, text, sizeof(c->scratch));
	if (n < 0)
		return -1;
	if ((size_t)n != c->initial_maps_len || memcmp(text, c->initial_maps, (size_t)n) != 0) {
		describe_difference(c, text, c->initial_maps);
		return -1;
	}
	return 0;
}

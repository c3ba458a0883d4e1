/* SPDX-License-Identifier: MIT */
/*
 * linux_protocol.h - the wire format between the parent (linux_backend.c) and the child
 * program (child.c). Shared by both sides; freestanding (only <stdint.h>).
 *
 * How it works
 * ------------
 * One stream socket (an AF_UNIX socketpair, so the parent can write with MSG_NOSIGNAL
 * and never takes SIGPIPE from a dead child) sits on fd LX_FD in the child. The parent
 * writes one request: a fixed struct lx_request, then payload_len payload bytes. The
 * child executes it and writes one or more reply frames: a fixed struct lx_reply, then
 * len bytes. Every frame but the last has more = 1; the last frame's ret is the result
 * of the request. Short results (brk, mmap, ...) are one frame with len = 0. Text (a
 * /proc file) comes in frames of at most LX_CHUNK bytes so the child needs only a small
 * static buffer. All integers are little-endian, as on the only host (x86-64).
 *
 *   parent                                   child
 *   lx_request{op=MMAP, arg={0,4096,3,0x22}} ->
 *                                            <- lx_reply{ret=0x7ffff7ff9000, len=0, more=0}
 *   lx_request{op=READ, arg={LX_FILE_MAPS}}  ->
 *                                            <- lx_reply{ret=0, len=4096, more=1} + text
 *                                            <- lx_reply{ret=4412, len=316, more=0} + text
 *
 * ret is always the raw kernel return value: a syscall's -errno is reported as it came
 * back in rax, never translated.
 */
#ifndef MMREF_LINUX_PROTOCOL_H
#define MMREF_LINUX_PROTOCOL_H

#include <stdint.h>

/* The child's end of the socket: a fixed fd, set up by the parent before execve. */
#define LX_FD 3

/* Largest text frame, and largest request payload, in bytes. */
#define LX_CHUNK 65536u

/*
 * Request kinds. arg[] use per op:
 *   BRK        arg0 = addr                                  ret = new brk
 *   MMAP       arg0 addr, arg1 len, arg2 prot, arg3 flags   ret = addr or -errno
 *              (anonymous only: fd -1, offset 0)
 *   MUNMAP     arg0 addr, arg1 len                          ret = 0 or -errno
 *   MPROTECT   arg0 addr, arg1 len, arg2 prot               ret = 0 or -errno
 *   MLOCKALL   arg0 flags (MCL_*)                           ret = 0 or -errno
 *   MUNLOCKALL -                                            ret = 0 or -errno
 *   SETRLIMIT  arg0 resource, arg1 cur, arg2 max            ret = 0 or -errno
 *   GETRLIMIT  arg0 resource                                ret = 0 or -errno,
 *              reply payload: uint64_t cur, max (16 bytes) when ret = 0
 *   READ       arg0 = enum lx_file                          ret = bytes or -errno,
 *              reply payload: the file's whole text, in frames
 *   RESET      arg0 = brk to restore; payload = pairs of uint64_t (start, end) to
 *              munmap. Does munlockall, brk(arg0), then the munmaps.
 *                                                           ret = 0 or the first -errno
 *   BENCH      arg0 = N: N times mmap(NULL, 4096, RW, PRIVATE|ANON) + munmap,
 *              timed with CLOCK_MONOTONIC in the child      ret = elapsed ns or -errno
 *   EXIT       the child replies ret = 0 and exits 0
 *
 *   TOUCH      arg0 addr, arg1 enum lx_touch_kind,          ret = 0, -EINVAL (kind),
 *              arg2 PKRU, arg3 1: PKRU = arg2 during the    -ENOSYS (fetch; arg3 = 1
 *              access (key 0 is every page's key)           on a CPU without OSPKE)
 *              reply payload: struct lx_touch_reply (the signal the access raised, if
 *              any, and the fault counts around it)
 *   GETRUSAGE  -                                            ret = 0,
 *              reply payload: uint64_t ru_minflt, ru_majflt (16 bytes)
 *   BENCH_FAULT arg0 = bytes: mmap(NULL, bytes, RW, PRIVATE|ANON), one write to every
 *              page timed with CLOCK_MONOTONIC, munmap      ret = elapsed ns or -errno,
 *              reply payload: uint64_t minor faults the writes took (8 bytes)
 *
 * Reserved (the child answers -ENOSYS):
 *   PAGEMAP    the parent reads /proc/PID/pagemap itself: the child has no
 *              CAP_SYS_ADMIN, so it would see every PFN as 0
 */
enum lx_op {
	LX_OP_BRK = 1,
	LX_OP_MMAP,
	LX_OP_MUNMAP,
	LX_OP_MPROTECT,
	LX_OP_MLOCKALL,
	LX_OP_MUNLOCKALL,
	LX_OP_SETRLIMIT,
	LX_OP_GETRLIMIT,
	LX_OP_READ,
	LX_OP_RESET,
	LX_OP_BENCH,
	LX_OP_EXIT,
	LX_OP_TOUCH,
	LX_OP_PAGEMAP,
	LX_OP_GETRUSAGE,
	LX_OP_BENCH_FAULT,
	LX_OP_NR
};

/* TOUCH arg1. */
enum lx_touch_kind {
	LX_TOUCH_READ = 0,  /* movb (addr), %al */
	LX_TOUCH_WRITE = 1, /* lock orb $0, (addr): a write that keeps the byte */
	LX_TOUCH_FETCH = 2, /* not done: -ENOSYS (jumping into arbitrary memory is unsafe) */
};

/*
 * TOUCH's reply payload. signo = 0: the access completed; SIGSEGV (11) or SIGBUS (7):
 * the kernel sent that signal, with its si_code (SEGV_MAPERR 1, SEGV_ACCERR 2, SEGV_PKUERR 4;
 * SI_KERNEL 0x80 for a #GP) and si_addr, and the child resumed after the access. The
 * fault counts are getrusage(RUSAGE_SELF) right before and right after the access.
 */
struct lx_touch_reply {
	int32_t signo;
	int32_t sig_code;
	uint64_t sig_addr;
	uint64_t minflt_before, minflt_after;
	uint64_t majflt_before, majflt_after;
};

_Static_assert(sizeof(struct lx_touch_reply) == 48, "lx_touch_reply is a fixed 48-byte struct");

/* Files the child can read about itself (READ arg0). */
enum lx_file {
	LX_FILE_MAPS = 0, /* /proc/self/maps */
	LX_FILE_STAT,	  /* /proc/self/stat */
	LX_FILE_SMAPS,	  /* /proc/self/smaps */
	LX_FILE_STATUS,	  /* /proc/self/status */
	LX_FILE_NR
};

/* One request header; payload_len bytes of payload follow. */
struct lx_request {
	uint32_t op;	      /* enum lx_op */
	uint32_t payload_len; /* at most LX_CHUNK */
	uint64_t arg[5];
};

/* One reply frame header; len bytes follow. */
struct lx_reply {
	int64_t ret;   /* final frame: the result; earlier frames: 0 */
	uint32_t len;  /* payload bytes in this frame, at most LX_CHUNK */
	uint32_t more; /* 1: another frame follows */
};

_Static_assert(sizeof(struct lx_request) == 48, "lx_request is a fixed 48-byte struct");
_Static_assert(sizeof(struct lx_reply) == 16, "lx_reply is a fixed 16-byte struct");

#endif

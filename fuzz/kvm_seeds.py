#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kvm_seeds.py - write the seed inputs of fuzz/corpus/kvm_walk and fuzz/corpus/kvm_mm.

    fuzz/kvm_seeds.py [FUZZ_DIR]     (default: the directory of this script)

The byte layouts are the ones fuzz_kvm_walk.c and fuzz_kvm_mm.c document in their header
comments. Each seed is small and names one situation; libFuzzer grows the rest.
"""
import os
import struct
import sys

# fuzz_kvm_walk ------------------------------------------------------------------------
WP, NXE, SMEP, SMAP, PKE, AC, LA57 = 1, 2, 4, 8, 16, 32, 64
READ, WRITE, FETCH = 0, 1, 2
USER, CR3_RELOAD, NONCANON = 4, 8, 16
RW, US, A, D, PWT, PCD, G, NX = 1, 2, 4, 8, 16, 32, 64, 128
POOL = 0x20  # extra: the address is a pool frame (0 in bits 7:5: a reserved bit instead)
PS = 3  # extra: PS (PAT in a PTE: 1)

KEEP = b"\x00"
ZERO = b"\x01"


def present(perm, frame, extra=POOL, more=0):
    return bytes([4, perm, extra, frame, more])


def not_present(junk):
    return bytes([2]) + struct.pack("<Q", junk)


def random_entry(bits):
    return bytes([3]) + struct.pack("<Q", bits)


def walk_input(cpu, accesses, pkru=0):
    out = bytes([cpu]) + struct.pack("<I", pkru)
    for flags, addr, entries in accesses:
        out += bytes([flags]) + struct.pack("<Q", addr) + b"".join(entries)
    return out


ADDR = 0x0000123456789000
USER_TABLE = RW | US | A
CHAIN = [present(USER_TABLE, 1), present(USER_TABLE, 2), present(USER_TABLE, 3)]
KEEP4 = [KEEP] * 4


def walk_seeds():
    s = {}
    # a user page: read, write, fetch, then the kernel does the same (TLB via invlpg)
    s["4k_user_rwx"] = walk_input(WP | NXE, [
        (USER | READ, ADDR, CHAIN + [present(USER_TABLE, 40)]),
        (USER | WRITE, ADDR + 8, KEEP4),
        (USER | FETCH, ADDR + 16, KEEP4),
        (READ, ADDR, KEEP4),
        (WRITE | CR3_RELOAD, ADDR, KEEP4),
        (FETCH, ADDR + 0x40, KEEP4)])
    # read-only and supervisor pages: WP on and off, user and kernel writes
    s["4k_ro_supervisor"] = walk_input(NXE, [
        (USER | WRITE, ADDR, CHAIN + [present(US | A, 41)]),
        (WRITE, ADDR, KEEP4),
        (USER | READ, ADDR + 0x1000, [KEEP, KEEP, KEEP, present(RW | A, 42)]),
        (READ, ADDR + 0x1000, KEEP4)])
    s["4k_wp_write"] = walk_input(WP | NXE, [
        (WRITE, ADDR, CHAIN + [present(US | A, 41)]),
        (USER | READ, ADDR, KEEP4)])
    # NX: with EFER.NXE a fetch faults; without it the bit is reserved
    s["nx"] = walk_input(WP | NXE, [
        (USER | FETCH, ADDR, CHAIN + [present(USER_TABLE | NX, 43)]),
        (USER | READ, ADDR, KEEP4)])
    s["nx_reserved"] = walk_input(WP, [
        (USER | READ, ADDR, CHAIN + [present(USER_TABLE | NX, 43)])])
    # A/D: clear on the way in, set by the walk; a second access sees them set
    s["accessed_dirty"] = walk_input(WP | NXE, [
        (USER | READ, ADDR, [present(RW | US, 1), present(RW | US, 2), present(RW | US, 3),
                             present(RW | US, 44)]),
        (USER | WRITE, ADDR, KEEP4),
        (WRITE, ADDR + 0x200000, [KEEP, KEEP, present(RW | US, 4), present(RW | US | D, 45)])])
    # a 2 MiB page over the pool, with and without a reserved bit in 20:13
    s["2m_page"] = walk_input(WP | NXE, [
        (USER | WRITE, ADDR, [present(USER_TABLE, 1), present(USER_TABLE, 2),
                              present(USER_TABLE, 0, POOL | PS)]),
        (USER | READ, ADDR + 0x3008, [KEEP, KEEP, KEEP]),
        (USER | READ, ADDR, [KEEP, KEEP, present(USER_TABLE, 0, POOL | PS | 8)])])
    # reserved bits: above MAXPHYADDR in a table entry and in the PTE, PS in a PML4E
    s["reserved"] = walk_input(WP | NXE, [
        (USER | READ, ADDR, [present(USER_TABLE, 1), present(USER_TABLE, 2, 0),
                             KEEP, KEEP]),
        (READ, ADDR + 0x1000, [present(USER_TABLE, 1), present(USER_TABLE, 2),
                               present(USER_TABLE, 3), present(USER_TABLE, 46, 0)]),
        (WRITE, ADDR + 0x8000000000, [present(USER_TABLE, 5, POOL | PS), KEEP, KEEP, KEEP])])
    # not present at each level, with junk in the other bits; zeroed entries
    s["not_present"] = walk_input(WP | NXE, [
        (USER | READ, ADDR, [not_present(0xfffffffffffffffe), KEEP, KEEP, KEEP]),
        (USER | WRITE, ADDR, [present(USER_TABLE, 1), not_present(0x7ff0000000000ffe),
                              KEEP, KEEP]),
        (FETCH, ADDR, [KEEP, present(USER_TABLE, 2), present(USER_TABLE, 3), ZERO])])
    # entries of random bits (addresses kept in the pool), aliasing tables
    s["random_entries"] = walk_input(WP | NXE, [
        (USER | READ, ADDR, [random_entry(0x8000000000000fff), random_entry(0x00000000000000a7),
                             random_entry(0x7800000000000e67), random_entry(0x0000000001000025)]),
        (WRITE, ADDR + 0x1008, [present(USER_TABLE, 1), present(USER_TABLE, 1),
                                present(USER_TABLE, 1), present(USER_TABLE, 1)])])
    # a non-canonical address: #GP, user and kernel
    s["noncanonical"] = walk_input(WP | NXE, [
        (USER | READ | NONCANON, ADDR | 1 << 63 | 3 << 56, CHAIN + [present(USER_TABLE, 40)]),
        (WRITE | NONCANON, ADDR | 1 << 63, KEEP4)])
    return s


# fuzz_kvm_mm ----------------------------------------------------------------------------
MMAP, MUNMAP, MPROTECT, BRK, HEAP, STACK, TOUCH, SWITCH = 0, 2, 3, 4, 5, 6, 7, 9
P_PRIVATE_FIXED = 0  # p bits: 8 shared, 0x10 populate, 0x40 hint-less; p % 8 = prot
PROT_R, PROT_W, PROT_X = 1, 2, 4
T_READ, T_WRITE, T_FETCH = 0, 1, 2  # touch type = p % 3 (p & 0x38: the offset in the page)


def op(kind, at=0, length=0, p=0):
    return bytes([kind, at, length, p])


def touch(kind, at, t, offset=0):
    # p % 3 = t and (p & 0x38) = offset: search the smallest such p
    for p in range(256):
        if p % 3 == t and p & 0x38 == offset:
            return op(kind, at, 0, p)
    raise ValueError


def mm_seeds():
    s = {}
    rw = PROT_R | PROT_W
    s["anon_rw_cow"] = b"\x00" + b"".join([
        op(MMAP, 3, 3, rw), touch(TOUCH, 3, T_READ), touch(TOUCH, 3, T_WRITE, 8),
        touch(TOUCH, 4, T_WRITE), touch(TOUCH, 5, T_FETCH), op(MPROTECT, 3, 2, PROT_R),
        touch(TOUCH, 3, T_WRITE), op(MPROTECT, 3, 2, rw | PROT_X), touch(TOUCH, 4, T_FETCH),
        op(MUNMAP, 4, 0), touch(TOUCH, 4, T_READ)])
    s["shared_populate"] = b"\x00" + b"".join([
        op(MMAP, 10, 7, rw | 8 | 0x10), touch(TOUCH, 12, T_WRITE), touch(TOUCH, 17, T_READ),
        op(MPROTECT, 10, 7, 0), touch(TOUCH, 12, T_READ)])
    s["two_processes"] = b"\x00" + b"".join([
        op(MMAP, 0, 1, rw), touch(TOUCH, 0, T_WRITE), op(SWITCH), op(MMAP, 0, 1, rw),
        touch(TOUCH, 0, T_WRITE), op(SWITCH), touch(TOUCH, 0, T_READ), op(SWITCH),
        touch(TOUCH, 0, T_READ)])
    s["heap_stack"] = b"\x00" + b"".join([
        op(BRK, 0, 0, 5), touch(HEAP, 1, T_WRITE), touch(HEAP, 4, T_READ), touch(HEAP, 6, T_READ),
        op(BRK, 0, 0, 1), touch(HEAP, 1, T_READ), touch(STACK, 0, T_WRITE), touch(STACK, 3, T_READ),
        touch(STACK, 40, T_WRITE)])
    s["hintless_big"] = b"\x00" + b"".join([
        op(MMAP, 0, 7, rw | 0x40), op(MMAP, 0, 7, rw | 0x40 | 0x10), op(MPROTECT, 56, 7, PROT_R),
        touch(TOUCH, 60, T_WRITE), touch(TOUCH, 63, T_READ), op(MUNMAP, 56, 7),
        touch(TOUCH, 60, T_READ)])
    return s


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, seeds in (("kvm_walk", walk_seeds()), ("kvm_mm", mm_seeds())):
        d = os.path.join(base, "corpus", name)
        os.makedirs(d, exist_ok=True)
        for seed, data in seeds.items():
            with open(os.path.join(d, seed), "wb") as f:
                f.write(data)
        print(f"{d}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()

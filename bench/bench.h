/* SPDX-License-Identifier: MIT */
/* bench.h - `mmref bench NAME`: benchmarks that print "<figure> <value> <unit>" lines. */
#ifndef MMREF_BENCH_H
#define MMREF_BENCH_H

/** bench_main() - argv[0] is "bench"; argv[1] names the benchmark. Exit code. */
int bench_main(int argc, char **argv);

#endif

#!/bin/sh
# Run `mmref sweep ...` (the command line is "$@") for CTest: mmref exits 3 when KVM
# cannot run on this host ("SKIP: reason" on stdout), which becomes CTest's skip code 77;
# any other exit passes through (0 all agree, 1 a difference or a broken guest).
"$@"
rc=$?
if [ "$rc" -eq 3 ]; then
	exit 77
fi
exit "$rc"

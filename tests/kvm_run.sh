#!/bin/sh
# tests/kvm_run.sh MMREF ARGS... - run an mmref command against KVM (check --backend kvm,
# sweep) and pass when it exits 0. Exit 77 (CTest: skipped) with the reason when KVM
# cannot run here (mmref exits 3: no /dev/kvm, no permission, no kvm backend in this
# build) or when the vCPU lacks a mode the trace sets (exit 2, "unsupported on this
# vCPU": e.g. SMEP or PKU under PVM); any other exit is a failure.
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
case $rc in
0) exit 0 ;;
3)
	echo "SKIP: KVM cannot run here (see above)"
	exit 77
	;;
2)
	if printf '%s\n' "$out" | grep -q 'unsupported on this vCPU'; then
		echo "SKIP: this vCPU lacks a mode the trace needs (see above)"
		exit 77
	fi
	exit 1
	;;
*) exit 1 ;;
esac

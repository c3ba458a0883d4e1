#!/bin/sh
# tests/kvm_run.sh MMREF ARGS... - run an mmref command against KVM (check --backend kvm,
# sweep) and pass when it exits 0. Exit 77 (CTest: skipped) with the reason when KVM
# cannot run here (mmref exits 3: no /dev/kvm, no permission, no kvm backend in this
# build), when the vCPU lacks a mode the trace sets (exit 2, "unsupported on this vCPU
# (...)": SMEP, PKU or LA57 under PVM), or when the trace asks what the backend does not
# do (exit 2, "unsupported by the KVM backend: ..."). A guest or KVM that failed
# ("the guest or KVM failed": mmref check exits 1 for it) is a failure, not a skip; the
# guard below also fails it should a command still exit 3 with that line.
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
case $rc in
0) exit 0 ;;
3)
	if printf '%s\n' "$out" | grep -q 'the guest or KVM failed'; then
		echo "FAIL: the guest or KVM failed (see above)"
		exit 1
	fi
	echo "SKIP: KVM cannot run here (see above)"
	exit 77
	;;
2)
	why=$(printf '%s\n' "$out" | grep -m1 -o 'unsupported \(on this vCPU\|by the KVM backend\).*')
	if [ -n "$why" ]; then
		echo "SKIP: $why"
		exit 77
	fi
	exit 1
	;;
*) exit 1 ;;
esac

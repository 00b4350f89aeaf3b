#!/usr/bin/env bash
# tools/run-kvm.sh: runs Moat under QEMU/KVM on an Intel host with nested VMX, so that Moat
# gets real VMX, VT-d (intel-iommu, caching mode) and a TPM, console on this terminal.
# Owned by the test tooling. The command line is tools/qemu.sh --kvm: -accel kvm -cpu host
# -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on, the
# same e1000e, edu, isa-debug-exit and a fresh swtpm.
#
# usage: tools/run-kvm.sh [tools/qemu.sh options]   (default: --esp build/esp)
#   e.g. tools/run-kvm.sh --smp 2 --cfg my.cfg
# Exit code: 2 when the host cannot run it (the reason is printed), else QEMU's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

case ${1:-} in -h | --help)
	sed -n 's/^# \{0,1\}//; /^usage:/,/^Exit/p' "${BASH_SOURCE[0]}"
	exit 0
	;;
esac

problems=()
if [[ ! -e /dev/kvm ]]; then
	problems+=("/dev/kvm does not exist (kvm_intel not loaded, or KVM not offered to this machine)")
elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
	problems+=("/dev/kvm is not accessible to $(id -un) (add the user to group $(stat -c %G /dev/kvm))")
fi
vendor=$(awk -F': ' '/^vendor_id/ { print $2; exit }' /proc/cpuinfo)
if [[ $vendor != GenuineIntel ]]; then
	problems+=("host CPU is '${vendor:-unknown}', not Intel (VT-d + VMX nesting needs GenuineIntel)")
elif ! grep -qw vmx /proc/cpuinfo; then
	problems+=("host CPU has no 'vmx' flag in /proc/cpuinfo (VT-x off in firmware, or not passed to this VM)")
fi
nested_p=/sys/module/kvm_intel/parameters/nested
if [[ ! -r $nested_p ]]; then
	problems+=("$nested_p is missing (kvm_intel not loaded)")
else
	nested=$(<"$nested_p")
	if [[ $nested != Y && $nested != 1 ]]; then
		problems+=("nested VMX is off ($nested_p = $nested): modprobe -r kvm_intel && modprobe kvm_intel nested=1")
	fi
fi
if ((${#problems[@]})); then
	for p in "${problems[@]}"; do echo "run-kvm.sh: $p" >&2; done
	exit 2
fi

args=("$@")
have_boot=no
for a in "$@"; do
	case $a in --esp | --img | --pxe | -h | --help | --dry-run) have_boot=yes ;; esac
done
if [[ $have_boot == no ]]; then
	[[ -d $ROOT/build/esp ]] || { echo "run-kvm.sh: no $ROOT/build/esp (run make)" >&2; exit 2; }
	args=(--esp "$ROOT/build/esp" "${args[@]}")
fi
exec "$ROOT/tools/qemu.sh" --kvm "${args[@]}"

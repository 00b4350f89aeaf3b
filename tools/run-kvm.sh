#!/usr/bin/env bash
# tools/run-kvm.sh: runs Moat under QEMU/KVM on an Intel host with nested VMX, so that Moat
# gets real VMX, VT-d (intel-iommu, caching mode) and a TPM, console on this terminal.
# Owned by the test tooling. The command line is tools/qemu.sh --kvm: -accel kvm -cpu host
# -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on, the
# same e1000e, edu, isa-debug-exit and a fresh swtpm.
#
# usage: tools/run-kvm.sh [--linux CFG] [tools/qemu.sh options]   (default: --esp build/esp)
#   e.g. tools/run-kvm.sh --smp 2 --cfg my.cfg
#   --linux CFG  boot a Linux guest: the ESP build/esp-kvm-linux, made of build/esp, the files
#                CFG's `kernel =` and `initrd =` name (from build/linux, `make linux`) and CFG as
#                its moat.cfg; `make run-kvm-linux` uses tools/linux-kvm.cfg (the e1000e and DHCP)
#   --dry-run    check everything and print the QEMU command line instead of running it: what
#                the host lacks is only noted ("run-kvm.sh: not ready: ..."), exit 0; what the
#                build lacks still fails (exit 2: the command line would name missing files)
# Exit code: 2 when the host or the build cannot run it (every reason is printed), else QEMU's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

case ${1:-} in -h | --help)
	sed -n 's/^# \{0,1\}//; /^usage:/,/^Exit/p' "${BASH_SOURCE[0]}"
	exit 0
	;;
esac

linux_cfg="" dry_run=no
args=()
while (($#)); do
	case $1 in
	--linux)
		[[ $# -ge 2 && -n $2 ]] || { echo "run-kvm.sh: --linux needs a moat.cfg (e.g. tools/linux-kvm.cfg)" >&2; exit 2; }
		linux_cfg=$2
		shift 2
		;;
	--dry-run) dry_run=yes; args+=("$1"); shift ;;
	*) args+=("$1"); shift ;;
	esac
done

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
host_problems=("${problems[@]}")
problems=()

# The Linux guest: its config, the files it names, and an e1000e driver in the initramfs.
ESP=$ROOT/build/esp
LINUX_DIR=$ROOT/build/linux
LINUX_ESP=$ROOT/build/esp-kvm-linux
cfg_value() { # KEY: the value of the first "KEY = value" line of linux_cfg
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p" "$linux_cfg" | head -n1
}
linux_files=()
if [[ -n $linux_cfg ]]; then
	[[ -f $ESP/EFI/BOOT/BOOTX64.EFI ]] || problems+=("no $ESP/EFI/BOOT/BOOTX64.EFI (run make)")
	if [[ ! -f $linux_cfg ]]; then
		problems+=("--linux: no config file '$linux_cfg'")
	else
		kernel=$(cfg_value kernel) initrd=$(cfg_value initrd)
		[[ -n $kernel ]] || problems+=("$linux_cfg has no 'kernel = ...' line: not a Linux VM")
		for f in $kernel $initrd; do
			if [[ -f $LINUX_DIR/$f ]]; then
				linux_files+=("$LINUX_DIR/$f")
			else
				problems+=("no $LINUX_DIR/$f, which $linux_cfg names (run make linux)")
			fi
		done
		if grep -q '^[[:space:]]*devices[[:space:]]*=' "$linux_cfg" && [[ ! -f $LINUX_DIR/modules/e1000e.ko ]]; then
			problems+=("no $LINUX_DIR/modules/e1000e.ko: the initramfs has no driver for QEMU's e1000e (run make linux)")
		fi
	fi
	for a in "${args[@]}"; do
		case $a in --esp | --img | --pxe) problems+=("--linux makes its own ESP: leave out $a") ;; esac
	done
fi

if [[ $dry_run == yes ]]; then
	for p in "${host_problems[@]}"; do echo "run-kvm.sh: not ready: $p" >&2; done
	host_problems=()
fi
if ((${#host_problems[@]} + ${#problems[@]})); then
	for p in "${host_problems[@]}" "${problems[@]}"; do echo "run-kvm.sh: $p" >&2; done
	exit 2
fi

if [[ -n $linux_cfg ]]; then
	rm -rf "$LINUX_ESP"
	cp -R "$ESP" "$LINUX_ESP"
	cp "${linux_files[@]}" "$LINUX_ESP/moat/"
	cp "$linux_cfg" "$LINUX_ESP/moat/moat.cfg"
	rm -f "$LINUX_ESP/moat/sealed.bin" # sealed to another moat.cfg
	echo "run-kvm.sh: $LINUX_ESP: moat.efi, $linux_cfg as moat.cfg, ${linux_files[*]##*/}" >&2
	[[ $dry_run == yes ]] || echo "run-kvm.sh: QEMU's console follows; Ctrl-A x quits" >&2
	args=(--esp "$LINUX_ESP" "${args[@]}")
else
	have_boot=no
	for a in "${args[@]}"; do
		case $a in --esp | --img | --pxe | -h | --help) have_boot=yes ;; esac
	done
	if [[ $have_boot == no ]]; then
		[[ -d $ESP ]] || { echo "run-kvm.sh: no $ESP (run make)" >&2; exit 2; }
		args=(--esp "$ESP" "${args[@]}")
	fi
fi
exec "$ROOT/tools/qemu.sh" --kvm "${args[@]}"

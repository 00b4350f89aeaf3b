#!/usr/bin/env bash
# tools/qemu.sh: runs Moat in QEMU (q35, TCG unless --kvm) with the devices the test
# scenarios rely on: intel-iommu (DMA + interrupt remapping), e1000e, edu (DMA attacker),
# isa-debug-exit at 0xf4, and a TPM 2.0 backed by a fresh swtpm per run.
# Owned by the test tooling (tools/, tests/run_all.sh); see tools/scenario.sh for its caller.
# Exit code: QEMU's own (33 = Moat pass, 35 = fail via isa-debug-exit), 124 on timeout,
# 2 on a usage or setup error.
# shellcheck disable=SC2054,SC2317 # QEMU options have commas; trap handlers
set -euo pipefail

usage() {
	cat <<'EOF'
usage: tools/qemu.sh (--esp DIR | --img FILE | --pxe DIR) [options] [-- extra qemu args]
  --esp DIR          boot a FAT view of DIR (vvfat, read-write) holding EFI/BOOT/BOOTX64.EFI
  --img FILE         boot a raw disk image (e.g. from tools/mkimage.sh)
  --pxe DIR          netboot DIR/moat.efi (or DIR/EFI/BOOT/BOOTX64.EFI) from TFTP dir DIR
                     through iPXE (no disk)
  --cfg FILE         pass FILE to Moat as fw_cfg opt/moat/moat.cfg
  --smp N            CPUs (default 1)
  --mem MiB          RAM (default 512)
  --iommu-opts STR   extra intel-iommu options, e.g. aw-bits=48 or caching-mode=on
  --no-iommu         no intel-iommu device
  --tpm crb|tis|none TPM interface (default crb), backed by a fresh swtpm
  --tmp DIR          this run's temp dir (default: mktemp -d, removed afterwards)
  --timeout SEC      kill QEMU after SEC seconds and exit 124 (default: none)
  --trace PATTERN    QEMU trace events matching PATTERN to TMP/qemu-trace.log (repeatable)
  --qemu-arg ARG     one more raw QEMU argument (repeatable; unlike -- it may come before
                     other options, e.g. in a scenario's QEMU_OPTS)
  --kvm              -accel kvm -cpu host, split irqchip, caching-mode=on (tools/run-kvm.sh)
  --dry-run          print the QEMU command line and exit
Environment: QEMU (binary), OVMF (firmware image, default /usr/share/ovmf/OVMF.fd).
EOF
}

die() {
	echo "qemu.sh: $*" >&2
	exit 2
}

# QEMU option values: a comma inside a value must be doubled.
qarg() { printf '%s' "${1//,/,,}"; }

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }

esp="" img="" pxe="" cfg="" smp=1 mem=512 iommu=yes iommu_opts="" tpm=crb
tmp="" timeout_s=0 kvm=no dry_run=no
traces=() extra=()

while (($#)); do
	case $1 in
	--esp) need_arg "$@"; esp=$2; shift 2 ;;
	--img) need_arg "$@"; img=$2; shift 2 ;;
	--pxe) need_arg "$@"; pxe=$2; shift 2 ;;
	--cfg) need_arg "$@"; cfg=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--iommu-opts) need_arg "$@"; iommu_opts=$2; shift 2 ;;
	--no-iommu) iommu=no; shift ;;
	--tpm) need_arg "$@"; tpm=$2; shift 2 ;;
	--tmp) need_arg "$@"; tmp=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--trace) need_arg "$@"; traces+=("$2"); shift 2 ;;
	--qemu-arg) need_arg "$@"; extra+=("$2"); shift 2 ;;
	--kvm) kvm=yes; shift ;;
	--dry-run) dry_run=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done

boots=0
for b in "$esp" "$img" "$pxe"; do [[ -n $b ]] && boots=$((boots + 1)); done
((boots == 1)) || { usage >&2; die "give exactly one of --esp, --img, --pxe"; }
[[ -z $esp || -d $esp ]] || die "--esp: no directory '$esp'"
[[ -z $img || -f $img ]] || die "--img: no file '$img'"
bootfile=moat.efi # --pxe DIR: DIR/moat.efi, or an ESP tree's EFI/BOOT/BOOTX64.EFI
if [[ -n $pxe && ! -f $pxe/moat.efi ]]; then
	bootfile=EFI/BOOT/BOOTX64.EFI
	[[ -f $pxe/$bootfile ]] || die "--pxe: no '$pxe/moat.efi' nor '$pxe/$bootfile'"
fi
[[ -z $cfg || -f $cfg ]] || die "--cfg: no file '$cfg'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp: not a CPU count: '$smp'"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "--mem: not a size in MiB: '$mem'"
[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout: not a number of seconds: '$timeout_s'"
case $tpm in crb | tis | none) ;; *) die "--tpm: expected crb, tis or none, got '$tpm'" ;; esac

QEMU=${QEMU:-qemu-system-x86_64}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
command -v "$QEMU" >/dev/null || die "$QEMU not found (run tools/deps.sh)"
[[ -f $OVMF ]] || die "firmware $OVMF not found (run tools/deps.sh)"

own_tmp=no
if [[ -z $tmp ]]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-qemu.XXXXXX")
	own_tmp=yes
else
	mkdir -p "$tmp"
fi
tmp=$(cd "$tmp" && pwd)

run_pid="" swtpm_pid="" sockdir=""
cleanup() {
	if [[ -n $run_pid ]] && kill -0 "$run_pid" 2>/dev/null; then
		kill "$run_pid" 2>/dev/null || true
		wait "$run_pid" 2>/dev/null || true
	fi
	if [[ -n $swtpm_pid ]] && kill -0 "$swtpm_pid" 2>/dev/null; then
		kill "$swtpm_pid" 2>/dev/null || true
		wait "$swtpm_pid" 2>/dev/null || true
	fi
	[[ -z $sockdir ]] || rm -rf "$sockdir"
	[[ $own_tmp == no ]] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- machine ---------------------------------------------------------------------------
cmd=("$QEMU")
if [[ $kvm == yes ]]; then
	cmd+=(-accel kvm -cpu host -machine q35,kernel-irqchip=split)
	iommu_opts="caching-mode=on${iommu_opts:+,$iommu_opts}"
else
	cmd+=(-accel tcg -machine q35 -cpu max)
fi
# On a terminal the console is multiplexed with the monitor: Ctrl-A x quits, Ctrl-A c monitor.
serial=stdio
[[ ! -t 0 ]] || serial=mon:stdio
cmd+=(-m "$mem" -smp "$smp" -nodefaults -display none -serial "$serial" -no-reboot
	-bios "$OVMF")
[[ $iommu == no ]] || cmd+=(-device "intel-iommu,intremap=on${iommu_opts:+,$iommu_opts}")

# --- boot medium and NIC ---------------------------------------------------------------
if [[ -n $pxe ]]; then
	pxe=$(cd "$pxe" && pwd)
	cmd+=(-netdev "user,id=n0,tftp=$(qarg "$pxe"),bootfile=$bootfile"
		-device e1000e,netdev=n0)
else
	if [[ -n $esp ]]; then
		cmd+=(-drive "format=raw,file=fat:rw:$(qarg "$(cd "$esp" && pwd)")")
	else
		cmd+=(-drive "format=raw,file=$(qarg "$img")")
	fi
	cmd+=(-netdev user,id=n0 -device e1000e,netdev=n0,romfile=)
fi
cmd+=(-device edu,dma_mask=0xffffffffffffffff
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
[[ -z $cfg ]] || cmd+=(-fw_cfg "name=opt/moat/moat.cfg,file=$(qarg "$cfg")")
for t in "${traces[@]}"; do
	cmd+=(-trace "enable=$(qarg "$t"),file=$(qarg "$tmp/qemu-trace.log")")
done

# --- TPM: swtpm serves one connection and exits, so each run gets its own ---------------
if [[ $tpm != none ]]; then
	command -v swtpm >/dev/null || die "swtpm not found (run tools/deps.sh)"
	mkdir -p "$tmp/tpm"
	sock=$tmp/tpm/swtpm.sock
	if ((${#sock} > 100)); then # sun_path holds 108 bytes
		sockdir=$(mktemp -d /tmp/moat-tpm.XXXXXX)
		sock=$sockdir/swtpm.sock
	fi
	cmd+=(-chardev "socket,id=chrtpm,path=$(qarg "$sock")"
		-tpmdev emulator,id=tpm0,chardev=chrtpm -device "tpm-$tpm,tpmdev=tpm0")
fi
cmd+=("${extra[@]}")

if [[ $dry_run == yes ]]; then
	for w in "${cmd[@]}"; do
		if [[ $w =~ ^[A-Za-z0-9_,.:/=+@%-]+$ ]]; then printf '%s ' "$w"; else printf '%q ' "$w"; fi
	done
	echo
	exit 0
fi

if [[ $tpm != none ]]; then
	swtpm socket --tpm2 --tpmstate "dir=$tmp/tpm" --ctrl "type=unixio,path=$sock" \
		--terminate --log "file=$tmp/tpm/swtpm.log" </dev/null &
	swtpm_pid=$!
	for _ in $(seq 100); do # up to 5 s
		[[ -S $sock ]] && break
		kill -0 "$swtpm_pid" 2>/dev/null || die "swtpm exited early, see $tmp/tpm/swtpm.log"
		sleep 0.05
	done
	[[ -S $sock ]] || die "swtpm socket $sock did not appear within 5 s"
fi

# --- run ------------------------------------------------------------------------------
# QEMU runs in the background so that a signal to this script is handled at once (the
# trap kills QEMU and swtpm); <&0 keeps the caller's stdin (the serial console input).
if ((timeout_s > 0)); then
	fg=()
	[[ ! -t 0 ]] || fg=(--foreground) # a tty reader must stay in the foreground group
	timeout "${fg[@]}" -k 5 "$timeout_s" "${cmd[@]}" <&0 &
else
	"${cmd[@]}" <&0 &
fi
run_pid=$!
start=$SECONDS
rc=0
wait "$run_pid" || rc=$?
run_pid=""
if ((timeout_s > 0 && (rc == 124 || rc == 137) && SECONDS - start >= timeout_s)); then
	echo "qemu.sh: timeout after ${timeout_s} s" >&2
	rc=124
fi
exit "$rc"

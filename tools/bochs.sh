#!/usr/bin/env bash
# tools/bochs.sh: runs Moat in Bochs 2.7 (OVMF as ROM image, VMX-capable Skylake-X CPU,
# ESP directory as a vvfat disk), headless, then prints the COM1 log to stdout.
# Owned by the test tooling (tools/, tests/run_all.sh); see tools/scenario.sh for its caller.
# Exit code: Bochs' own (0 = magic breakpoint `xchg bx,bx` = Moat pass; 1 = "Shutdown" on
# port 0x8900, ACPI power-off or a Bochs panic = fail), 124 on timeout, 2 on a usage error.
# shellcheck disable=SC2317 # cleanup() runs from a trap
set -euo pipefail

usage() {
	cat <<'EOF'
usage: tools/bochs.sh --esp DIR [options]
  --esp DIR                 directory served as a FAT disk (vvfat): EFI/BOOT/BOOTX64.EFI ...
  --tmp DIR                 this run's temp dir: bochsrc, ci.rc, serial.txt, bochs.log, redolog
                            (default: mktemp -d, removed afterwards)
  --timeout SEC             kill Bochs after SEC seconds and exit 124 (default: none)
  --cpus N                  CPUs (default 1)
  --mem MiB                 RAM (default 256)
  --e1000 null|slirp|none   e1000 NIC backend (default null)
  --ips N                   emulated instructions per second (default 50000000)
  --interactive             stream the console to stdout while Bochs runs (make run RUN=bochs);
                            when stdin is a terminal, COM1 is that terminal (mode=term): what
                            you type reaches Moat's UART (and the VM with console = input)
Environment: OVMF (firmware image, default /usr/share/ovmf/OVMF.fd).
EOF
}

die() {
	echo "bochs.sh: $*" >&2
	exit 2
}

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }

esp="" tmp="" timeout_s=0 cpus=1 mem=256 e1000=null ips=50000000 interactive=no
while (($#)); do
	case $1 in
	--esp) need_arg "$@"; esp=$2; shift 2 ;;
	--tmp) need_arg "$@"; tmp=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--cpus) need_arg "$@"; cpus=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--e1000) need_arg "$@"; e1000=$2; shift 2 ;;
	--ips) need_arg "$@"; ips=$2; shift 2 ;;
	--interactive) interactive=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done

[[ -n $esp ]] || { usage >&2; die "--esp DIR is required"; }
[[ -d $esp ]] || die "--esp: no directory '$esp'"
[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout: not a number of seconds: '$timeout_s'"
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die "--cpus: not a CPU count: '$cpus'"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "--mem: not a size in MiB: '$mem'"
[[ $ips =~ ^[1-9][0-9]*$ ]] || die "--ips: not a number: '$ips'"
case $e1000 in null | slirp | none) ;; *) die "--e1000: expected null, slirp or none, got '$e1000'" ;; esac

OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
VGABIOS=/usr/share/vgabios/vgabios.bin
command -v bochs-bin >/dev/null || die "bochs-bin not found (run tools/deps.sh)"
[[ -f $OVMF ]] || die "firmware $OVMF not found (run tools/deps.sh)"
[[ -f $VGABIOS ]] || die "$VGABIOS not found (run tools/deps.sh)"

esp=$(cd "$esp" && pwd)
# vvfat's root directory has 512 slots and a long name takes several: Bochs segfaults
# ("Too many entries in root directory") well before 512 files.
nroot=$(find "$esp" -mindepth 1 -maxdepth 1 | wc -l)
((nroot <= 64)) || echo "bochs.sh: warning: $nroot entries in the ESP root; vvfat may crash" >&2

own_tmp=no
if [[ -z $tmp ]]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-bochs.XXXXXX")
	own_tmp=yes
else
	mkdir -p "$tmp"
fi
tmp=$(cd "$tmp" && pwd)
case $tmp/ in "$esp"/*) die "--tmp must not lie inside the ESP (vvfat would serve our files)" ;; esac

run_pid="" tail_pid=""
cleanup() {
	if [[ -n $run_pid ]] && kill -0 "$run_pid" 2>/dev/null; then
		kill "$run_pid" 2>/dev/null || true
		wait "$run_pid" 2>/dev/null || true
	fi
	if [[ -n $tail_pid ]] && kill -0 "$tail_pid" 2>/dev/null; then
		kill "$tail_pid" 2>/dev/null || true
	fi
	[[ $own_tmp == no ]] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# vvfat emulates a FAT16 disk of 504 MiB by default; a bigger ESP needs a bigger geometry
# (2 GiB, which vvfat formats as FAT32).
geometry=""
esp_kib=$(du -sk --apparent-size "$esp" | cut -f1)
if ((esp_kib > 450 * 1024)); then
	geometry=", cylinders=4096, heads=16, spt=63"
fi

case $e1000 in
none) nic="" ;;
*) nic="e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=$e1000" ;;
esac

# Notes on the choices below:
# - display: this Bochs build has no 'nogui'; RFB with timeout=0 does not wait for a client.
#   It binds the first free TCP port in 5900..5949 (all interfaces), so up to ~50 runs can
#   share a host; when none is free Bochs panics ("RFB could not bind any port").
# - sound/speaker: the default ALSA sound driver aborts Bochs ("buffer overflow detected")
#   on machines without a sound card, so both are off.
# - journal: vvfat's redolog would otherwise be created inside the ESP directory.
rm -f "$tmp/serial.txt" "$tmp/bochs.log"
com1="com1: enabled=1, mode=file, dev=$tmp/serial.txt"
term=""
if [[ $interactive == yes && -t 0 ]]; then
	term=$(tty)
	com1="com1: enabled=1, mode=term, dev=$term"
fi
cat >"$tmp/bochsrc" <<EOF
# generated by tools/bochs.sh
romimage: file=$OVMF
vgaromimage: file=$VGABIOS
cpu: model=corei7_skylake_x, count=$cpus, ips=$ips, reset_on_triple_fault=0
memory: guest=$mem, host=$mem
pci: enabled=1, chipset=i440fx
ata0-master: type=disk, mode=vvfat, path=$esp, journal=$tmp/vvfat.redolog$geometry
boot: disk
display_library: rfb, options="timeout=0"
$com1
magic_break: enabled=1
port_e9_hack: enabled=1
log: $tmp/bochs.log
panic: action=fatal
sound: driver=dummy
speaker: enabled=0
$nic
EOF
# The binary has the debugger built in: without -rc it stops at a prompt.
printf 'c\nquit\n' >"$tmp/ci.rc"

cmd=(bochs-bin -q -unlock -f "$tmp/bochsrc" -rc "$tmp/ci.rc")
if ((timeout_s > 0)); then
	cmd=(timeout -k 5 "$timeout_s" "${cmd[@]}")
fi
[[ $interactive == no ]] || : >"$tmp/serial.txt" # for tail -f
# Bochs' own stdout (debugger chatter, port 0xe9 output) goes to bochs.out.
(cd "$tmp" && exec "${cmd[@]}") </dev/null >"$tmp/bochs.out" 2>&1 &
run_pid=$!
start=$SECONDS
if [[ -n $term ]]; then
	echo "bochs.sh: COM1 is this terminal ($term); Ctrl-C stops Bochs" >&2
elif [[ $interactive == yes ]]; then
	# tail reads the file once more after Bochs exits, so nothing is lost at the end.
	tail -n +1 -f --pid="$run_pid" "$tmp/serial.txt" &
	tail_pid=$!
	for _ in $(seq 50); do
		port=$(grep -a -o -m1 'listening for connections on port [0-9]*' "$tmp/bochs.log" 2>/dev/null) &&
			{ echo "bochs.sh: display: VNC on port ${port##* }" >&2; break; }
		sleep 0.1
	done
fi
rc=0
wait "$run_pid" || rc=$?
run_pid=""

if [[ -n $tail_pid ]]; then
	wait "$tail_pid" 2>/dev/null || true
	tail_pid=""
elif [[ -f $tmp/serial.txt ]]; then
	cat "$tmp/serial.txt"
fi
if ((timeout_s > 0 && (rc == 124 || rc == 137) && SECONDS - start >= timeout_s)); then
	echo "bochs.sh: timeout after ${timeout_s} s" >&2
	rc=124
elif ((rc != 0)); then
	echo "bochs.sh: bochs exited with $rc" >&2
	# Bochs log lines: TICKS + i(nfo)/e(rror)/p(anic) + [MODULE]; show the last problems.
	grep -a -E '^[0-9]+[ep]\[' "$tmp/bochs.log" 2>/dev/null | tail -n 3 >&2 || true
fi
exit "$rc"

#!/usr/bin/env bash
# tools/scenario.sh: runs ONE test scenario (tests/scenarios/NAME.scn) in QEMU, Bochs,
# QEMU+iPXE, or (EMU=linux) the Linux guest alone in QEMU; checks the console and exit code,
# prints one verdict line.
# Owned by the test tooling (tools/, tests/run_all.sh).
#
# A scenario is a bash fragment sourced here. It may set:
#   EMU=qemu|bochs|pxe|linux emulator (default qemu); linux: no Moat at all: QEMU (TCG, q35)
#                            boots the Linux guest's kernel and initramfs itself (-kernel,
#                            -initrd, -append), to prove the guest's side alone
#   LINUX_KERNEL, LINUX_INITRD, LINUX_APPEND   EMU=linux only: the bzImage (default
#                            build/linux/vmlinuz), the initramfs (default
#                            build/linux/initramfs.cpio.gz), the kernel command line;
#                            QEMU_OPTS are then raw QEMU arguments (its devices)
#   CFG='...'                moat.cfg text; written to the ESP's moat/moat.cfg and, for
#                            qemu/pxe, also passed as fw_cfg opt/moat/moat.cfg.
#                            Empty: the ESP keeps build/esp's own moat.cfg, no fw_cfg.
#   ESP_CFG / FW_CFG         override CFG for one of the two places ('' = leave it out),
#                            e.g. to test which source wins
#   QEMU_OPTS / BOCHS_OPTS   extra tools/qemu.sh / tools/bochs.sh options (string or array)
#   ESP_FILES=( 'PATH' ... ) host files copied into the run's ESP \moat\ folder beside
#                            moat.cfg (large guest files, e.g. build/linux's kernel and
#                            initramfs, that build/esp does not carry); a missing one fails
#   TIMEOUT=SEC              default 60 (qemu, pxe, linux), 120 (bochs)
#   EXPECT_EXIT=N            default 33 (qemu, pxe: isa-debug-exit 0x10), 0 (bochs, linux:
#                            the guest's ACPI power-off)
#   EXPECT=( 'ERE' ... )     each must match some console line (grep -E)
#   REJECT=( 'ERE' ... )     none may match; default ( 'moat: .*FAIL' 'panic' );
#                            REJECT=(...) replaces the default, REJECT+=(...) extends it
#   check() { ... }          optional host-side check, run last as: check LOG TMPDIR
#                            (TMPDIR holds qemu-trace.log, tpm/, esp/ ...); it returns
#                            non-zero on failure and its last output line is the reason
# Scenario files use UPPERCASE names and check(); lowercase names belong to this runner.
# The console log (escape sequences and CRs stripped) is saved to build/scenarios/NAME.log,
# the emulator's stderr to build/scenarios/NAME.err when there is any.
# Environment: MOAT_ESP (default build/esp), MOAT_EFI (default build/moat.efi) to run
# another image; SCENARIO_LOGDIR (default build/scenarios).
# shellcheck disable=SC2317 # on_signal() runs from a trap
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<'EOF'
usage: tools/scenario.sh [-v] NAME | PATH/TO/NAME.scn
  NAME     runs tests/scenarios/NAME.scn
  -v       also stream the console to stderr while it runs
Prints one line 'scenario NAME: PASS (T s)' or 'scenario NAME: FAIL: reason'; exit 0/1.
EOF
}

verbose=no
while (($#)); do
	case $1 in
	-v | --verbose) verbose=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; echo "scenario.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
(($# == 1)) || { usage >&2; exit 2; }

scn=$1
if [[ $scn != *.scn ]]; then
	scn=$ROOT/tests/scenarios/$scn.scn
fi
[[ -f $scn ]] || { echo "scenario.sh: no scenario file '$scn'" >&2; exit 2; }
name=$(basename "$scn" .scn)

esp_src=${MOAT_ESP:-$ROOT/build/esp}
efi_src=${MOAT_EFI:-$ROOT/build/moat.efi}
logdir=${SCENARIO_LOGDIR:-$ROOT/build/scenarios}
mkdir -p "$logdir"
log=$logdir/$name.log
errlog=$logdir/$name.err
rm -f "$log" "$errlog"

t0=${EPOCHREALTIME/./}
elapsed() {
	local us=$((${EPOCHREALTIME/./} - t0))
	printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10))
}

tmp=""
emu_pid=""
# One verdict block; on failure the console tail follows and the temp dir is kept.
verdict() {
	local reason=$1
	if [[ -z $reason ]]; then
		local t
		t=$(elapsed)
		echo "scenario $name: PASS ($t s)"
		echo "$t" >"$logdir/$name.time"
		[[ -z $tmp ]] || rm -rf "$tmp"
		exit 0
	fi
	elapsed >"$logdir/$name.time"
	echo "scenario $name: FAIL: $reason"
	if [[ -s $log ]]; then
		tail -n 30 "$log" | sed 's/^/    /'
	fi
	if [[ -s $errlog ]]; then
		echo "  stderr ($errlog):"
		tail -n 10 "$errlog" | sed 's/^/    /'
	fi
	[[ -z $tmp ]] || echo "  kept: $tmp"
	exit 1
}
on_signal() {
	if [[ -n $emu_pid ]]; then
		kill "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	verdict "interrupted"
}
trap on_signal INT TERM HUP

# --- the scenario's settings ------------------------------------------------------------
# shellcheck disable=SC2034 # read through opts_of
EMU=qemu CFG="" QEMU_OPTS="" BOCHS_OPTS="" TIMEOUT="" EXPECT_EXIT=""
LINUX_KERNEL=$ROOT/build/linux/vmlinuz LINUX_INITRD=$ROOT/build/linux/initramfs.cpio.gz LINUX_APPEND=""
EXPECT=() ESP_FILES=()
REJECT=('moat: .*FAIL' 'panic')
unset ESP_CFG FW_CFG
unset -f check
# shellcheck source=/dev/null
source "$scn" || verdict "scenario file $scn did not load"

case $EMU in
qemu | pxe) : "${TIMEOUT:=60}" "${EXPECT_EXIT:=33}" ;;
bochs | linux) : "${TIMEOUT:=$([[ $EMU == bochs ]] && echo 120 || echo 60)}" "${EXPECT_EXIT:=0}" ;;
*) verdict "EMU='$EMU' (expected qemu, bochs, pxe or linux)" ;;
esac
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || verdict "TIMEOUT='$TIMEOUT' is not a number of seconds"
[[ $EXPECT_EXIT =~ ^[0-9]+$ ]] || verdict "EXPECT_EXIT='$EXPECT_EXIT' is not an exit code"

# A string is split into words; an array is taken as is.
opts_of() {
	local -n v=$1
	if [[ $(declare -p "$1") == "declare -a"* ]]; then
		opts=("${v[@]}")
	else
		read -r -a opts <<<"$v"
	fi
}

for re in "${EXPECT[@]}" "${REJECT[@]}"; do
	rc=0
	grep -E -q -e "$re" </dev/null 2>/dev/null || rc=$?
	((rc < 2)) || verdict "bad regex /$re/ in $scn"
done

if [[ $EMU == linux ]]; then
	for f in "$LINUX_KERNEL" "$LINUX_INITRD"; do
		[[ -f $f ]] || verdict "no file $f (make test builds build/linux with tools/linux/fetch.sh)"
	done
else
	[[ -d $esp_src ]] || verdict "no ESP tree $esp_src (run make first)"
fi
for f in "${ESP_FILES[@]}"; do
	[[ -f $f ]] || verdict "no file $f for the ESP (make test builds build/linux with tools/linux/fetch.sh)"
done
if [[ $EMU == pxe ]]; then
	[[ -f $efi_src ]] || efi_src=$esp_src/EFI/BOOT/BOOTX64.EFI
	[[ -f $efi_src ]] || verdict "no $efi_src to netboot (run make first)"
fi

# --- the run's own temp dir ---------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-$name.XXXXXX")
[[ $EMU == linux ]] || cp -R "$esp_src" "$tmp/esp"
((${#ESP_FILES[@]} == 0)) || cp "${ESP_FILES[@]}" "$tmp/esp/moat/"
esp_cfg=${ESP_CFG-$CFG}
fw_cfg=${FW_CFG-$CFG}
[[ $EMU != bochs && $EMU != linux ]] || fw_cfg="" # no fw_cfg in Bochs; no Moat in linux
[[ $EMU != linux ]] || esp_cfg=""
write_cfg() { # TEXT FILE: the text, with a final newline
	mkdir -p "$(dirname "$2")"
	printf '%s' "$1" >"$2"
	[[ $1 == *$'\n' ]] || echo >>"$2"
}
[[ -z $esp_cfg ]] || write_cfg "$esp_cfg" "$tmp/esp/moat/moat.cfg"
cfg_args=()
if [[ -n $fw_cfg ]]; then
	write_cfg "$fw_cfg" "$tmp/fw_cfg.moat.cfg"
	cfg_args=(--cfg "$tmp/fw_cfg.moat.cfg")
fi

opts=()
case $EMU in
qemu)
	opts_of QEMU_OPTS
	cmd=("$ROOT/tools/qemu.sh" --esp "$tmp/esp" "${cfg_args[@]}" "${opts[@]}")
	;;
pxe)
	mkdir -p "$tmp/tftp"
	cp "$efi_src" "$tmp/tftp/moat.efi"
	opts_of QEMU_OPTS
	cmd=("$ROOT/tools/qemu.sh" --pxe "$tmp/tftp" "${cfg_args[@]}" "${opts[@]}")
	;;
bochs)
	opts_of BOCHS_OPTS
	cmd=("$ROOT/tools/bochs.sh" --esp "$tmp/esp" "${opts[@]}")
	;;
linux)
	opts_of QEMU_OPTS
	cmd=(timeout -k 5 "$TIMEOUT" "${QEMU:-qemu-system-x86_64}" -accel tcg -machine q35 -cpu max -m 256
		-nodefaults -display none -serial stdio -no-reboot
		-kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD" -append "$LINUX_APPEND" "${opts[@]}")
	;;
esac
[[ $EMU == linux ]] || cmd+=(--tmp "$tmp" --timeout "$TIMEOUT")

# --- run ------------------------------------------------------------------------------------
raw=$tmp/console.raw
: >"$raw"
"${cmd[@]}" </dev/null >"$raw" 2>"$tmp/emu.err" &
emu_pid=$!
tail_pid=""
if [[ $verbose == yes ]]; then
	tail -n +1 -f --pid="$emu_pid" "$raw" >&2 &
	tail_pid=$!
fi
rc=0
wait "$emu_pid" || rc=$?
emu_pid=""
[[ -z $tail_pid ]] || wait "$tail_pid" 2>/dev/null || true

# Firmware output carries ANSI escapes, CRs and the odd NUL: strip them for matching.
tr -d '\000' <"$raw" | sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' \
	-e 's/\r//g' >"$log"
[[ ! -s $tmp/emu.err ]] || cp "$tmp/emu.err" "$errlog"

# --- verdict: timeout, rejected line, missing line, exit code, host check ---------------
((rc != 124)) || verdict "timeout after $TIMEOUT s"
for re in "${REJECT[@]}"; do
	if line=$(grep -a -E -m1 -e "$re" "$log"); then
		verdict "rejected /$re/: $line"
	fi
done
for re in "${EXPECT[@]}"; do
	grep -a -E -q -e "$re" "$log" || verdict "missing /$re/"
done
((rc == EXPECT_EXIT)) || verdict "exit code $rc expected $EXPECT_EXIT"
if declare -F check >/dev/null; then
	if ! out=$(check "$log" "$tmp" 2>&1); then
		verdict "check: $(printf '%s\n' "${out:-failed}" | tail -n 1)"
	fi
fi
verdict ""

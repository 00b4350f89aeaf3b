#!/usr/bin/env bash
# tools/deps.sh: installs the Debian 12 packages Moat needs to build and test (apt only).
# Owned by the test tooling. Quick and silent-ish when everything is present: each package
# is checked by a file or command it ships; only when something is missing does it run
# `apt-get update` once and `apt-get install -y --no-install-recommends` the missing ones.
#
# usage: tools/deps.sh           install what is missing (root, or sudo)
#        tools/deps.sh --check   only report what is missing (exit 1 if anything is)
set -euo pipefail

usage() {
	cat <<'EOF'
usage: tools/deps.sh           install the missing Debian packages (as root or with sudo)
       tools/deps.sh --check   only report what is missing (exit 1 if anything is)
EOF
}

mode=install
case ${1:-} in
"") ;;
--check) mode=check ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; echo "deps.sh: unknown argument '$1'" >&2; exit 2 ;;
esac

# package  what proves it is installed (/abs/path, or a command name; '|' = any of)
# - bochs: Debian's bochs depends on "bochs-wx | bochs-gui"; naming bochs-term satisfies that
#   with the smallest GUI plugin instead of wxWidgets. The RFB display we use
#   (plugins/libbx_rfb_gui.so) ships in the bochs package itself.
# - libclang-rt-dev: clang's sanitizer and libFuzzer runtimes (only a Recommends of clang).
# - libc6-dev: only a Recommends of gcc, needed for the hosted unit tests.
PLUGINS=/usr/lib/x86_64-linux-gnu/bochs/plugins
table=(
	"gcc                gcc"
	"libc6-dev          /usr/include/stdio.h"
	"make               make"
	"binutils           ld objcopy"
	"nasm               nasm"
	"gnu-efi            /usr/lib/crt0-efi-x86_64.o /usr/lib/elf_x86_64_efi.lds /usr/include/efi/efi.h"
	"mtools             mcopy mdir"
	"dosfstools         mkfs.fat"
	"qemu-system-x86    qemu-system-x86_64"
	"ovmf               /usr/share/ovmf/OVMF.fd"
	"ipxe-qemu          /usr/lib/ipxe/qemu/efi-e1000e.rom"
	"bochs              bochs-bin $PLUGINS/libbx_rfb_gui.so"
	"bochs-term         $PLUGINS/libbx_term_gui.so|$PLUGINS/libbx_wx_gui.so|$PLUGINS/libbx_x_gui.so|$PLUGINS/libbx_sdl2_gui.so"
	"bochsbios          /usr/share/bochs/BIOS-bochs-latest"
	"vgabios            /usr/share/vgabios/vgabios.bin"
	"swtpm              swtpm"
	"swtpm-tools        swtpm_setup"
	"libbearssl-dev     /usr/include/bearssl.h /usr/lib/x86_64-linux-gnu/libbearssl.a"
	"openssl            openssl"
	"libssl-dev         /usr/include/openssl/evp.h"
	"clang              clang"
	"libclang-rt-dev    /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a"
	"python3            python3"
)

# mkfs.fat lives in /usr/sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

present() { # ITEM: '/path' (glob allowed), 'cmd', or 'a|b|...' = any of them
	local alt f
	local -a alts
	IFS='|' read -r -a alts <<<"$1"
	for alt in "${alts[@]}"; do
		if [[ $alt == /* ]]; then
			# shellcheck disable=SC2086 # $alt may be a glob
			for f in $alt; do [[ -e $f ]] && return 0; done
		elif command -v "$alt" >/dev/null 2>&1; then
			return 0
		fi
	done
	return 1
}

# Prints "PACKAGE (no ITEM)" for each missing package.
scan() {
	local row pkg item items_s
	local -a items
	for row in "${table[@]}"; do
		read -r pkg items_s <<<"$row"
		read -r -a items <<<"$items_s"
		for item in "${items[@]}"; do
			if ! present "$item"; then
				echo "$pkg (no ${item%%|*})"
				break
			fi
		done
	done
}

mapfile -t missing < <(scan)
if ((${#missing[@]} == 0)); then
	echo "deps: all ${#table[@]} packages present"
	exit 0
fi
for m in "${missing[@]}"; do echo "deps: missing $m"; done
[[ $mode == install ]] || exit 1

pkgs=()
for m in "${missing[@]}"; do pkgs+=("${m%% *}"); done

command -v apt-get >/dev/null || { echo "deps: apt-get not found; install by hand: ${pkgs[*]}" >&2; exit 1; }
sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || { echo "deps: not root and no sudo; install by hand: ${pkgs[*]}" >&2; exit 1; }
	sudo=(sudo)
fi
apt_log=$(mktemp)
trap 'rm -f "$apt_log"' EXIT
apt() { # ARGS...: quiet unless it fails
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >"$apt_log" 2>&1; then
		tail -n 20 "$apt_log" >&2
		echo "deps: apt-get $1 failed" >&2
		exit 1
	fi
}
echo "deps: apt-get update"
apt update
echo "deps: apt-get install ${pkgs[*]}"
apt install -y --no-install-recommends "${pkgs[@]}"

mapfile -t still < <(scan)
if ((${#still[@]})); then
	for m in "${still[@]}"; do echo "deps: still missing $m" >&2; done
	exit 1
fi
echo "deps: installed ${#pkgs[@]} packages"

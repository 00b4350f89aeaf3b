#!/usr/bin/env bash
# tools/bench/export_crypto.sh: export encryption throughput (AES-256-GCM, 4 KiB blocks) of Moat's
# code on this host (tests/bench/export_bench.c: vmm/export.c + kernel/crypto.c + static BearSSL,
# built -O2 like moat.efi) against `openssl speed -evp aes-256-gcm` on the same machine, as a ratio.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$ROOT/build/bench
mkdir -p "$out"
cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$ROOT" -o "$out/export_bench" \
	"$ROOT/tests/bench/export_bench.c" "$ROOT/tests/bench/bench_guard.c" "$ROOT/vmm/export.c" \
	"$ROOT/kernel/crypto.c" -l:libbearssl.a
moat=$("$out/export_bench")
echo "$moat"
moat_mbs=$(sed -n 's/^export: \([0-9.]*\) MB\/s.*/\1/p' <<<"$moat")
# openssl speed prints k (1000 bytes) per second for each block size; the last line is the table row
ossl=$(openssl speed -evp aes-256-gcm -bytes 4096 -seconds 1 2>/dev/null | tail -n 1)
ossl_kbs=$(awk '{print $NF}' <<<"$ossl" | tr -d k)
[[ -n $moat_mbs && -n $ossl_kbs ]] || { echo "export_crypto: could not read a figure"; exit 1; }
awk -v m="$moat_mbs" -v o="$ossl_kbs" 'BEGIN {
	printf "openssl aes-256-gcm: %.1f MB/s (4096-byte blocks)\n", o / 1000
	printf "export/openssl ratio: %.2f\n", m / (o / 1000) }'

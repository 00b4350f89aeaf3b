#!/usr/bin/env bash
# tools/bench.sh: the body of `make bench`: runs every tools/bench/*.sh in name order and
# prints their figures. Benchmarks report, they never judge: a slow figure is not a failure;
# only a benchmark that could not run at all makes the exit status non-zero.
# usage: tools/bench.sh [NAME ...]   (NAME: tools/bench/NAME.sh; default: all of them)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

benches=()
if (($#)); then
	for n in "$@"; do
		[[ -f tools/bench/$n.sh ]] || { echo "bench.sh: no benchmark tools/bench/$n.sh" >&2; exit 2; }
		benches+=("tools/bench/$n.sh")
	done
else
	for f in tools/bench/*.sh; do
		[[ -f $f ]] && benches+=("$f")
	done
fi
((${#benches[@]})) || { echo "bench.sh: no benchmarks in tools/bench/"; exit 0; }

failed=0
for b in "${benches[@]}"; do
	name=$(basename "$b" .sh)
	echo "== bench $name"
	if ! bash "$b"; then
		echo "bench $name: could not run"
		failed=$((failed + 1))
	fi
done
((failed == 0))

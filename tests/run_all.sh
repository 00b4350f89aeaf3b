#!/usr/bin/env bash
# tests/run_all.sh: the body of `make test`: host unit tests, then the emulator scenarios
# (tests/scenarios/*.scn through tools/scenario.sh), up to JOBS (default 2) at a time.
# Owned by the test tooling (tools/, tests/run_all.sh).
#
# usage: tests/run_all.sh [NAME|PATH.scn ...]
#   no arguments: every tests/scenarios/*.scn, or those whose name matches one of the
#   globs in SCENARIOS (e.g. SCENARIOS='qemu_* pxe_*'); UNIT=no skips the unit tests;
#   JOBS=N runs N at a time (default 2, the machine's two cores).
# Prints each job's verdict block as it finishes, then exactly one closing line
# 'N passed, N failed'; exit status 1 on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

case ${1:-} in -h | --help)
	sed -n 's/^# \{0,1\}//; /^usage:/,/on any failure/p' "${BASH_SOURCE[0]}"
	exit 0
	;;
esac

JOBS=${JOBS:-2}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "run_all.sh: JOBS='$JOBS' is not a number" >&2; exit 2; }

# --- which scenarios ------------------------------------------------------------------------
scns=()
if (($#)); then
	for a in "$@"; do
		f=$a
		[[ $f == *.scn ]] || f=tests/scenarios/$a.scn
		[[ -f $f ]] || { echo "run_all.sh: no scenario '$a' ($f)" >&2; exit 2; }
		scns+=("$f")
	done
else
	read -r -a globs <<<"${SCENARIOS:-*}"
	for f in tests/scenarios/*.scn; do
		[[ -f $f ]] || continue
		n=$(basename "$f" .scn)
		for g in "${globs[@]}"; do
			# shellcheck disable=SC2053 # $g is a glob on purpose
			if [[ $n == $g ]]; then
				scns+=("$f")
				break
			fi
		done
	done
fi

# Longest first (the last run's time, else a guess by emulator) so that the two slots
# finish together.
estimate() {
	local n t d=${SCENARIO_LOGDIR:-build/scenarios}
	n=$(basename "$1" .scn)
	if [[ -f $d/$n.time ]] && read -r t <"$d/$n.time" &&
		[[ $t =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		echo "${t%.*}"
	elif grep -q '^[[:space:]]*EMU=bochs' "$1"; then
		echo 60
	elif grep -q -E "^[[:space:]]*EMU=(pxe|linux)" "$1"; then
		echo 10
	else
		echo 5
	fi
}
if ((${#scns[@]})); then
	mapfile -t scns < <(for f in "${scns[@]}"; do echo "$(estimate "$f") $f"; done |
		sort -k1,1nr -k2 | cut -d' ' -f2-)
fi

# --- jobs -------------------------------------------------------------------------------------
out=$(mktemp -d "${TMPDIR:-/tmp}/moat-test.XXXXXX")
declare -A job_of=()
cleanup() {
	local p
	for p in "${!job_of[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$out"
}
trap cleanup EXIT
trap 'echo "run_all.sh: interrupted" >&2; exit 130' INT TERM HUP

status_text() { # EXIT_CODE
	if (($1 > 128)); then
		echo "killed by signal $(kill -l "$(($1 - 128))" 2>/dev/null || echo "$(($1 - 128))")"
	else
		echo "exit code $1"
	fi
}

# The interesting part of a unit test log: a sanitizer report without its shadow-byte map,
# else the failing lines, else the tail.
log_excerpt() { # LOG
	local pat='ERROR: [A-Za-z]*Sanitizer|runtime error|^ *#[0-9]+ 0x|SUMMARY: |^(READ|WRITE) of'
	if grep -a -q -E 'ERROR: [A-Za-z]*Sanitizer|runtime error' "$1"; then
		grep -a -E "$pat" "$1" | head -n 30
	elif grep -a -q -E 'FAIL' "$1"; then
		grep -a -E 'FAIL' "$1" | head -n 30
	else
		tail -n 30 "$1"
	fi | sed 's/^/    /'
}

# Each job writes its report to $out/ID.out and "PASSED FAILED" to $out/ID.res.
run_unit() {
	local id=$1 log=$out/unit.log rc=0 line p f
	{
		if [[ ! -f tests/unit/Makefile ]]; then
			echo "unit: FAIL: no tests/unit/Makefile"
			echo "0 1" >"$out/$id.res"
			return
		fi
		if ! make -C tests/unit >"$log" 2>&1; then
			echo "unit: FAIL: build failed (make -C tests/unit)"
			if grep -a -q -E 'error:|undefined reference' "$log"; then
				grep -a -E 'error:|undefined reference|\*\*\*' "$log" | head -n 20
			else
				tail -n 30 "$log"
			fi | sed 's/^/    /'
			echo "0 1" >"$out/$id.res"
			return
		fi
		if [[ ! -x build/unit/unit_tests ]]; then
			echo "unit: FAIL: make -C tests/unit did not produce build/unit/unit_tests"
			echo "0 1" >"$out/$id.res"
			return
		fi
		# An inner shell reports a crash ("Aborted") into the log, not into our report.
		bash -c '"$0"; exit $?' build/unit/unit_tests >"$log" 2>&1 </dev/null || rc=$?
		cp "$log" build/unit/unit_tests.log 2>/dev/null || true
		line=$(grep -a -E '^unit: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1) || true
		if [[ -z $line ]]; then
			echo "unit: FAIL: no closing 'unit: N passed, N failed' line ($(status_text "$rc"))"
			log_excerpt "$log"
			echo "0 1" >"$out/$id.res"
			return
		fi
		read -r _ p _ f _ <<<"$line"
		if ((rc != 0 && f == 0)); then
			echo "$line"
			echo "unit: FAIL: $(status_text "$rc") after that line"
			log_excerpt "$log"
			f=1
		elif ((f > 0)); then
			echo "$line"
			log_excerpt "$log"
		else
			echo "$line"
		fi
		echo "$p $f" >"$out/$id.res"
	} >"$out/$id.out" 2>&1
}
run_scenario() {
	local id=$1 scn=$2
	if tools/scenario.sh "$scn" >"$out/$id.out" 2>&1 </dev/null; then
		echo "1 0" >"$out/$id.res"
	else
		echo "0 1" >"$out/$id.res"
	fi
}

jobs_list=()
[[ ${UNIT:-yes} == no ]] || jobs_list+=(unit)
jobs_list+=("${scns[@]}")

passed=0 failed=0
finish() { # ID: print the job's report, add its counts
	local id=$1 p=0 f=1
	cat "$out/$id.out" 2>/dev/null || true
	if [[ -f $out/$id.res ]]; then
		read -r p f <"$out/$id.res"
	else
		echo "job $id: FAIL: it left no result"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

next=0 running=0
while ((next < ${#jobs_list[@]} || running > 0)); do
	while ((running < JOBS && next < ${#jobs_list[@]})); do
		j=${jobs_list[next]}
		if [[ $j == unit ]]; then
			run_unit "$next" >/dev/null 2>&1 &
		else
			run_scenario "$next" "$j" >/dev/null 2>&1 &
		fi
		job_of[$!]=$next
		next=$((next + 1))
		running=$((running + 1))
	done
	done_pid=""
	wait -n -p done_pid || true
	[[ -n $done_pid && -n ${job_of[$done_pid]+x} ]] || continue
	finish "${job_of[$done_pid]}"
	unset "job_of[$done_pid]"
	running=$((running - 1))
done

echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))

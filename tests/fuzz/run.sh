#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 10).
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     targets: sip sdp sdes scenario rtp
# Before fuzzing, every file of tests/fuzz/corpus/<target>/ and
# tests/fuzz/regressions/<target>/ is replayed once, so old crashes stay fixed.
# Exits 1 when a build fails, a replay fails or the fuzzer finds a crash.
# Environment: FUZZ_BUILD (default build-fuzz), CC (default clang),
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=4 -workers=4").
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

SECONDS_EACH=${1:-10}
shift $(($# > 0 ? 1 : 0))
ALL=(sip sdp sdes scenario rtp)
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=("${ALL[@]}")
CC=${CC:-clang}
OUT=${FUZZ_BUILD:-build-fuzz}
FUZZ=tests/fuzz

# the targets link the pure library (and the scenario loader) built by CMake with
# clang and the fuzzer's instrumentation: no list of sources to keep here
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$OUT"
if ! cmake -S . -B "$OUT/cmake" -DCMAKE_C_COMPILER="$CC" -DTRUNKLOAD_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" >"$OUT/cmake.log" 2>&1; then
	tail -n 20 "$OUT/cmake.log"
	echo "FAILED: configure (see $OUT/cmake.log)"
	exit 1
fi

failed=()
summary=()
for t in "${TARGETS[@]}"; do
	[ -f "$FUZZ/fuzz_$t.c" ] || { echo "unknown target: $t (have: ${ALL[*]})" >&2; exit 2; }
	bin=$OUT/cmake/fuzz_$t log=$OUT/logs/$t.log work=$OUT/corpus/$t crashes=$OUT/crashes/$t/
	mkdir -p "$OUT/logs" "$work" "$crashes"
	echo "=== fuzz_$t: build"
	if ! cmake --build "$OUT/cmake" --target "fuzz_$t" -j"$(nproc)" >"$log.build" 2>&1; then
		tail -n 30 "$log.build"
		failed+=("$t(build)")
		continue
	fi

	mapfile -d '' replay < <(find "$FUZZ/corpus/$t" "$FUZZ/regressions/$t" -type f -print0 2>/dev/null)
	echo "=== fuzz_$t: replay ${#replay[@]} corpus and regression inputs"
	if ((${#replay[@]})) && ! "$bin" "${replay[@]}" >"$log.replay" 2>&1; then
		tail -n 40 "$log.replay"
		failed+=("$t(replay)")
		continue
	fi

	echo "=== fuzz_$t: fuzz for ${SECONDS_EACH}s (log: $log, crashes: $crashes)"
	cp -rn "$FUZZ/corpus/$t/." "$work/" 2>/dev/null
	dict=()
	[ -f "$FUZZ/$t.dict" ] && dict=("-dict=$FUZZ/$t.dict")
	# shellcheck disable=SC2086 # FUZZ_ARGS is a word list
	"$bin" "$work" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes" \
		${FUZZ_ARGS:-} >"$log" 2>&1
	rc=$?
	# "#123456 DONE cov: 812 ft: 2301 corp: 410/31Kb ..." is libFuzzer's last status line
	last=$(grep -aE '^#[0-9]+[[:space:]]' "$log" | tail -n 1)
	runs=$(grep -E '^stat::number_of_executed_units:' "$log" | tail -n 1 | awk '{print $2}')
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
	line=$(printf '%-9s runs %-10s cov %-5s ft %-6s corpus %-5s %ss' \
		"$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$SECONDS_EACH")
	if ((rc != 0)); then
		grep -E 'ERROR|runtime error|property failed|Test unit written' "$log" | head -n 5
		line+="  FAILED (exit $rc, see $log)"
		failed+=("$t")
	fi
	summary+=("$line")
	echo "$line"
done

echo "=== summary"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
	echo "FAILED: ${failed[*]}"
	exit 1
fi
echo "all targets passed"

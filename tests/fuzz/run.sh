#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, -DGGZY_FUZZ=ON) and fuzzes
# each tests/fuzz/fuzz_NAME.c for SECONDS (default 20) on a scratch copy of
# its corpus (the committed corpus is never written). Fails on any crash,
# leak, sanitizer report, timeout or out-of-memory, printing the input that
# did it: add that file to tests/fuzz/corpus/NAME/ to keep it as a
# regression test once fixed.
#
#   tests/fuzz/run.sh [SECONDS]            every target
#   tests/fuzz/run.sh SECONDS NAME...      only those (e.g. 600 money)
#
# Environment: GGZY_FUZZ_BUILD (build directory, default build/fuzz),
# GGZY_FUZZ_JOBS (build parallelism, and how many targets fuzz at once, one
# per core by default), GGZY_FUZZ_KEEP=1 keeps the scratch dir.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-20}
shift || true
build=${GGZY_FUZZ_BUILD:-build/fuzz}
jobs=${GGZY_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

if ! command -v clang >/dev/null; then
	echo "fuzz: clang not found (deploy/install-deps.sh test installs it)" >&2
	exit 1
fi

echo "== fuzz: build ($build)"
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DGGZY_WERROR=ON -DGGZY_FUZZ=ON >/dev/null
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		n=$(basename "$src" .c)
		names+=("${n#fuzz_}")
	done
fi
targets=()
for n in "${names[@]}"; do targets+=("fuzz_$n"); done
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ggzy-fuzz.XXXXXX")
if [ -z "${GGZY_FUZZ_KEEP:-}" ]; then
	trap 'rm -rf "$scratch"' EXIT
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# fuzz_one NAME: fuzzes one target into $scratch/NAME (log, artifacts) and
# leaves its outcome in $scratch/NAME/ok (absent: it failed).
fuzz_one() {
	local n=$1 seed=tests/fuzz/corpus/$1
	mkdir -p "$scratch/$n/corpus" "$scratch/$n/artifacts"
	if [ ! -d "$seed" ]; then
		echo "fuzz: $n has no corpus directory $seed" >"$scratch/$n/log"
		return
	fi
	cp -R "$seed/." "$scratch/$n/corpus/"
	local dict=()
	[ -f "tests/fuzz/$n.dict" ] && dict=(-dict="tests/fuzz/$n.dict")
	if "$build/tests/fuzz/fuzz_$n" "$scratch/$n/corpus" "${dict[@]}" \
		-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$scratch/$n/artifacts/" \
		>>"$scratch/$n/log" 2>&1; then
		touch "$scratch/$n/ok"
	fi
}

# One target per core at a time: each still gets SECONDS of a core.
echo "== fuzz: ${#names[@]} target(s) for ${seconds}s each, $jobs at a time"
running=0
for n in "${names[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	fuzz_one "$n" &
	running=$((running + 1))
done
wait

failed=()
for n in "${names[@]}"; do
	seed=tests/fuzz/corpus/$n
	if [ -e "$scratch/$n/ok" ]; then
		echo "fuzz: $n ($(ls "$seed" | wc -l) seed inputs): $(grep -E '^stat::(number_of_executed_units|new_units_added)' "$scratch/$n/log" | tr '\n' ' ')"
	else
		echo "fuzz: $n FAILED; the end of its log:" >&2
		tail -n 60 "$scratch/$n/log" >&2
		for a in "$scratch/$n/artifacts"/*; do
			[ -e "$a" ] || continue
			echo "fuzz: input that failed ($(basename "$a")), base64:" >&2
			base64 "$a" | head -c 8000 >&2
			echo >&2
			echo "fuzz: keep it with: cp <that file> tests/fuzz/corpus/$n/" >&2
		done
		failed+=("$n")
	fi
done
if [ ${#failed[@]} -ne 0 ]; then
	echo "fuzz: failed: ${failed[*]}" >&2
	exit 1
fi
echo "== fuzz: all ${#names[@]} target(s) ran ${seconds}s without a finding"

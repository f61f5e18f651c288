#!/usr/bin/env bash
# Sets up and runs every test: installs packages, builds with -Werror, runs the
# unit and integration tests (each integration test starts its own
# PostgreSQL), then builds again with AddressSanitizer + UBSan and runs the
# whole suite once more (but the benchmarks' and the browser's), then lints
# (tests/lint.sh) while it fuzzes every target for 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh test

jobs=$(nproc 2>/dev/null || echo 2)
# run_suite DIR "CTEST OPTIONS" CMAKE OPTIONS...
run_suite() {
	local dir=$1 ctest_options=$2
	shift 2
	cmake -S . -B "$dir" -DGGZY_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$jobs"
	# shellcheck disable=SC2086 # the options are words
	(cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 900 $ctest_options)
}

echo "== build and test (RelWithDebInfo)"
run_suite build/test "" -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Not twice: the benchmarks' smoke runs measure nothing under the
# sanitizers, and the browser test's part of the daemon (static files and
# the APIs the page reads) is what the integration tests run there.
run_suite build/asan "-LE bench|browser" -DCMAKE_BUILD_TYPE=Debug -DGGZY_SANITIZE=ON
# The lint (cppcheck: a minute of both cores) beside the fuzzing, which is
# bounded by time, not by work: neither has a deadline the other could make
# it miss, where the suites' tests have.
echo "== lint (tests/lint.sh), and fuzz every tests/fuzz target for a bounded time (clang + libFuzzer)"
lint_log=$(mktemp "${TMPDIR:-/tmp}/ggzy-lint.XXXXXX")
tests/lint.sh build/test >"$lint_log" 2>&1 &
lint_pid=$!
fuzz_status=0
tests/fuzz/run.sh "${GGZY_FUZZ_SECONDS:-10}" || fuzz_status=$?
lint_status=0
wait "$lint_pid" || lint_status=$?
cat "$lint_log"
rm -f "$lint_log"
if [ "$lint_status" -ne 0 ] || [ "$fuzz_status" -ne 0 ]; then
	echo "tests/run.sh: lint exit $lint_status, fuzz exit $fuzz_status" >&2
	exit 1
fi

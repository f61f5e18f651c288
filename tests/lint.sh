#!/usr/bin/env bash
# The habits CI keeps (tests/run.sh calls this): every C file formatted as
# .clang-format says (clang-format 14, Debian 12), and cppcheck's warning,
# performance and portability checks clean over the build's compile
# commands. Usage: tests/lint.sh BUILD_DIR (one configured by cmake).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/test}

mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^tests/browser/')
echo "== lint: clang-format (${#files[@]} files)"
if ! clang-format --dry-run --Werror "${files[@]}"; then
	echo "lint: run clang-format -i on the files above" >&2
	exit 1
fi
echo "== lint: cppcheck"
cppcheck --project="$build/compile_commands.json" --enable=warning,performance,portability \
	--inline-suppr --error-exitcode=1 -q --suppress=missingIncludeSystem \
	-j"$(nproc 2>/dev/null || echo 2)"
echo "== lint: clean"

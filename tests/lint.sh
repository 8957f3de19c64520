#!/bin/sh
# tests/lint.sh - the tree is clang-format clean and cppcheck finds nothing.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
status=0
if command -v clang-format >/dev/null; then
	clang-format --dry-run --Werror $files || status=1
else
	echo "clang-format not installed"; exit 77
fi
if command -v cppcheck >/dev/null; then
	cppcheck --quiet --error-exitcode=1 --std=c11 \
		--enable=warning,performance,portability \
		--suppress=toomanyconfigs --inline-suppr \
		-I. -I/usr/include/lwip -D__linux__ $files || status=1
fi
exit $status

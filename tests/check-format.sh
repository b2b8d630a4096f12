#!/usr/bin/env bash
# Fails if a C file does not follow the committed .clang-format.
set -euo pipefail
cd "$1"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find server recorder minutes common tests -name '*.[ch]')
clang-format --dry-run -Werror $files
echo "clang-format: $(echo "$files" | wc -w) files follow .clang-format"

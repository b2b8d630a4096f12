#!/usr/bin/env bash
# Runs every kaigi test on a new Debian 12 machine: installs what is missing, builds, runs
# `meson test`, and prints one closing line "N passed, N failed" counted from meson's log.
set -uo pipefail
cd "$(dirname "$0")/.."

./conf/install-deps.sh --tests || { echo "0 passed, 1 failed"; exit 1; }
if [ -d build ]; then
  meson setup --reconfigure build >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
else
  meson setup build >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C build || { echo "0 passed, 1 failed"; exit 1; }

meson test -C build --print-errorlogs --num-processes 1 "$@"
status=$?

log=build/meson-logs/testlog.json
if [ -f "$log" ]; then
  passed=$(grep -c '"result": "OK"' "$log")
  failed=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
else
  passed=0
  failed=1
fi
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "${passed} passed, ${failed} failed"
exit "$status"

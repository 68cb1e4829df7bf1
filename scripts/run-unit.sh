#!/usr/bin/env bash
# Runs every C unit-test binary of a build directory (build/ or build-asan/) and
# the go-cty codec vectors; prints "unit: N passed, M failed".
set -uo pipefail
B="${1:-build}"
cd "$(dirname "$0")/.."
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
passed=0 failed=0 failed_bins=()
for t in "$B"/tests/test_*; do
  [ -x "$t" ] || continue
  log="$B/tests/$(basename "$t").log"
  if "$t" >"$log" 2>&1; then rc=0; else rc=$?; fi
  p=$(grep -ao 'PASSED *\] *[0-9]* test' "$log" | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}')
  f=$(grep -ao 'FAILED *\] *[0-9]* test' "$log" | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    [ "${f:-0}" -gt 0 ] || failed=$((failed + 1))
    failed_bins+=("$(basename "$t")")
    echo "--- $(basename "$t") failed (exit $rc):"; tail -n 40 "$log"
  else
    echo "ok   $(basename "$t") (${p:-0} tests)"
  fi
done
if [ -x scripts/tf-vectors.sh ] || [ -f scripts/tf-vectors.sh ]; then
  if out=$(B="$B" bash scripts/tf-vectors.sh "$B" 2>&1); then
    echo "ok   go-cty vectors: $(echo "$out" | tail -n 1)"
    passed=$((passed + 1))
  else
    echo "--- go-cty vectors failed:"; echo "$out" | tail -n 40
    failed=$((failed + 1)) failed_bins+=(tf-vectors)
  fi
fi
echo "unit ($B): $passed passed, $failed failed"
[ ${#failed_bins[@]} -eq 0 ]

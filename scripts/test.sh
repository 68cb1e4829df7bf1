#!/usr/bin/env bash
# make test: unit tests, the sanitizer build's unit + protocol + end-to-end tests,
# then the normal build's protocol, tfcore and end-to-end tests. Every stage ends
# with a "NAME: N passed, M failed" line; the last line here adds them up.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
log=build/test.log
: >"$log"
status=0
for target in format-check unit check-asan e2e; do
  echo "==== make $target"
  make --no-print-directory "$target" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
read -r p f < <(grep -aE '^[a-z0-9 ()._-]+: [0-9]+ passed, [0-9]+ failed' "$log" |
  sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
[ "$status" -eq 0 ] || [ "$f" -gt 0 ] || f=1
echo "tests: $p passed, $f failed"
exit $status

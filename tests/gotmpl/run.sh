#!/usr/bin/env bash
# Oracle tests of provider/engine/gotmpl against the real helm (see run.py).
# Usage: bash tests/gotmpl/run.sh [CASEFILE...]   (default: tests/gotmpl/cases/*.txt)
# Env: B=build dir of libgitops.a (default build), CC.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
B="${B:-build}"
CC="${CC:-cc}"
ORACLES="$(bash scripts/fetch-oracles.sh)"
HELM="$ORACLES/helm"
# Build the driver from this module's sources only (independent of the rest
# of libgitops.a, which other engineers change concurrently).
PKGS="libcjson yaml-0.1 openssl"
mkdir -p "$B/tests"
DRIVER="$B/tests/tmpl_driver"
$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unknown-warning-option -Wno-format-truncation \
	${EXTRA_CFLAGS:--O2 -g} -Iprovider $(pkg-config --cflags $PKGS) -o "$DRIVER" \
	tests/gotmpl/tmpl_driver.c provider/engine/gotmpl/*.c provider/engine/helm/helm_caps.c \
	${EXTRA_LDFLAGS:-} $(pkg-config --libs $PKGS) -lpthread -lm
# The chart corpus (shared/charts beside the repository), when present:
# every golden `helm template` case rendered by the driver, counted into
# the total.
CP=0; CF=0
CHARTS="${CHARTS:-$ROOT/../shared/charts}"
if [ $# -eq 0 ] && [ -f "$CHARTS/cases.txt" ]; then
	set +e
	python3 tests/gotmpl/corpus.py "$DRIVER" "$CHARTS" | tee "$B/tests/gotmpl-corpus.out"
	set -e
	line=$(grep -E '^corpus: [0-9]+ passed, [0-9]+ failed$' "$B/tests/gotmpl-corpus.out" | tail -1 || true)
	CP=$(echo "$line" | sed -E 's/^corpus: ([0-9]+) passed.*/\1/'); CP=${CP:-0}
	CF=$(echo "$line" | sed -E 's/.*, ([0-9]+) failed$/\1/'); CF=${CF:-1}
fi
if [ $# -eq 0 ]; then set -- tests/gotmpl/cases/*.txt; fi
exec python3 tests/gotmpl/run.py --extra "$CP" "$CF" "$HELM" "$DRIVER" "$@"

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
$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation \
	${EXTRA_CFLAGS:--O2 -g} -Iprovider $(pkg-config --cflags $PKGS) -o "$DRIVER" \
	tests/gotmpl/tmpl_driver.c provider/engine/gotmpl/*.c \
	${EXTRA_LDFLAGS:-} $(pkg-config --libs $PKGS) -lpthread -lm
if [ $# -eq 0 ]; then set -- tests/gotmpl/cases/*.txt; fi
exec python3 tests/gotmpl/run.py "$HELM" "$DRIVER" "$@"

#!/usr/bin/env bash
# Cross-checks provider/tf's msgpack/JSON codecs against go-cty itself:
#   1. builds tests/vectors/ctyvectors (GOPATH mode, Debian's go-cty 1.12.1)
#   2. `ctyvectors gen DIR`: cty encodes many values (type JSON, msgpack, JSON)
#   3. the C test decodes each, compares with the JSON, re-encodes into DIR/out
#   4. `ctyvectors check DIR`: cty decodes the C encodings and compares
# Last line: "tf-vectors: N passed, M failed"; exit status non-zero on failure.
# CC and EXTRA_CFLAGS may be set, e.g. CC=clang EXTRA_CFLAGS=-fsanitize=address,undefined.
set -uo pipefail
cd "$(dirname "$0")/.."

B=${B:-build}
CC=${CC:-cc}
EXTRA_CFLAGS=${EXTRA_CFLAGS:--O1 -g}
DIR="$B/tf-vectors"
mkdir -p "$B" "$B/tests"
rm -rf "$DIR"

gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
export GOCACHE=${GOCACHE:-$gopath/cache}

fail() {
  echo "tf-vectors: $1" >&2
  echo "tf-vectors: 0 passed, 1 failed"
  exit 1
}

GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" go build -o "$B/ctyvectors" ./tests/vectors/ctyvectors ||
  fail "cannot build ctyvectors"

# Built directly from provider/tf so it does not depend on other modules compiling.
# shellcheck disable=SC2086
$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $EXTRA_CFLAGS -Iprovider -Itests/unit \
  $(pkg-config --cflags libcjson msgpack cmocka) tests/unit/test_tf_vectors.c provider/tf/*.c \
  -o "$B/tests/tf-vectors-c" $(pkg-config --libs libcjson msgpack cmocka) -lpthread -lm ||
  fail "cannot build the C vector test"

"$B/ctyvectors" gen "$DIR" || fail "ctyvectors gen failed"

c_rc=0
TF_VECTORS_DIR="$DIR" "$B/tests/tf-vectors-c" || c_rc=$?

# check prints the per-case failures and the final count line
"$B/ctyvectors" check "$DIR"
go_rc=$?
[ "$c_rc" -eq 0 ] && [ "$go_rc" -eq 0 ]

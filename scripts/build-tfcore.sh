#!/usr/bin/env bash
# Builds build/tfcore, the Terraform-core stand-in used by the tests (tests/tfcore).
# Offline, GOPATH mode, Debian Go packages only. Run from anywhere; idempotent.
#   scripts/build-tfcore.sh            build build/tfcore
#   scripts/build-tfcore.sh selftest   also build build/tfcore-testprovider
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD="$ROOT/build"
GP="$BUILD/gopath"
GEN="$GP/src/tfcoreproto"
SYS_GOPATH=/usr/share/gocode

for tool in go protoc protoc-gen-go; do
  command -v "$tool" >/dev/null || { echo "build-tfcore: '$tool' not found (run scripts/install-deps.sh)" >&2; exit 1; }
done
[ -d "$SYS_GOPATH/src/github.com/hashicorp/go-plugin" ] || { echo "build-tfcore: Debian Go packages missing (run scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$GEN/tfplugin6" "$GEN/goplugin" "$GP/src" "$BUILD/gocache"

# --- protobuf stubs (regenerated only when the .proto files change) --------
# /usr/bin/protoc-gen-go is golang/protobuf 1.3 which still has plugins=grpc.
gen() { # gen PROTO OUTDIR
  local proto="$1" out="$2" stamp="$2/.stamp"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$proto" ] && [ "$stamp" -nt "$0" ]; then return 0; fi
  rm -f "$out"/*.pb.go
  protoc -I "$(dirname "$proto")" -I /usr/include \
    --go_out=plugins=grpc,paths=source_relative:"$out" "$proto"
  touch "$stamp"
}
gen "$ROOT/proto/tfplugin6.proto" "$GEN/tfplugin6"
gen "$ROOT/proto/plugin.proto" "$GEN/goplugin"

# --- sources are linked into the build GOPATH ------------------------------
link() { # link SRC NAME
  local want="$1" lnk="$GP/src/$2"
  if [ "$(readlink "$lnk" 2>/dev/null)" != "$want" ]; then rm -rf "$lnk"; ln -s "$want" "$lnk"; fi
}
link "$ROOT/tests/tfcore" tfcore
[ -d "$ROOT/tests/tfcore-selftest" ] && link "$ROOT/tests/tfcore-selftest" tfcoreselftest

export GO111MODULE=off GOPATH="$GP:$SYS_GOPATH" GOCACHE="$BUILD/gocache" GOFLAGS= CGO_ENABLED=0
go build -o "$BUILD/tfcore" tfcore
if [ "${1:-}" = selftest ]; then
  go build -o "$BUILD/tfcore-testprovider/terraform-provider-tftest" tfcoreselftest/provider
fi

#!/usr/bin/env bash
# Benchmarks print, never assert. Start-up: exec to answered GetProviderSchema
# (AutoMTLS, as Terraform launches providers), median of 50, against a provider
# built with Go's go-plugin from the same Debian packages (tfcore's test provider).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/build-tfcore.sh selftest >/dev/null
GP="$ROOT/build/gopath"
ln -sfn "$ROOT/tests/protocol" "$GP/src/protocolprobe"
GO111MODULE=off GOPATH="$GP:/usr/share/gocode" GOCACHE="$ROOT/build/gocache" CGO_ENABLED=0 \
  go build -o build/protocol-probe protocolprobe
ref=$(ls build/tfcore-testprovider/terraform-provider-* 2>/dev/null | head -n 1 || true)
build/protocol-probe -bench "${BENCH_RUNS:-50}" build/terraform-provider-gitops ${ref:+"$ref"}

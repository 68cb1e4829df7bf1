#!/usr/bin/env bash
# make bench: every benchmark prints, none asserts; each compares with the real
# tool on this machine in the same run.
#  1. start-up: exec to answered GetProviderSchema (AutoMTLS, as Terraform launches
#     providers), median of 50, against a go-plugin provider from the same Debian
#     packages (tfcore's test provider);
#  2. apply: 1,000 objects through the kube engine vs `kubectl apply --server-side`
#     against the same test API server: wall time and HTTP requests;
#  3. render: each chart of ../shared/charts vs `helm template`: time and peak memory.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/build-tfcore.sh selftest >/dev/null
GP="$ROOT/build/gopath"
ln -sfn "$ROOT/tests/protocol" "$GP/src/protocolprobe"
GO111MODULE=off GOPATH="$GP:/usr/share/gocode" GOCACHE="$ROOT/build/gocache" CGO_ENABLED=0 \
  go build -o build/protocol-probe protocolprobe
ref=$(ls build/tfcore-testprovider/terraform-provider-* 2>/dev/null | head -n 1 || true)
echo "== start-up"
build/protocol-probe -bench "${BENCH_RUNS:-50}" build/terraform-provider-gitops ${ref:+"$ref"}
echo "== apply (kube engine vs kubectl)"
bash tests/kube/bench_apply "${BENCH_OBJECTS:-1000}"
echo "== render (template vs helm template)"
bash tests/helm/bench.sh

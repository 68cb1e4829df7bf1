#!/usr/bin/env bash
# Protocol probe, tfcore's self-tests and the end-to-end .tf tests, against the
# provider binary given (default build/terraform-provider-gitops).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PROVIDER="$(realpath "${1:-build/terraform-provider-gitops}")"
export PROVIDER
status=0

bash scripts/build-tfcore.sh >/dev/null || exit 1
GP="$ROOT/build/gopath"
ln -sfn "$ROOT/tests/protocol" "$GP/src/protocolprobe"
GO111MODULE=off GOPATH="$GP:/usr/share/gocode" GOCACHE="$ROOT/build/gocache" CGO_ENABLED=0 \
  go build -o build/protocol-probe protocolprobe || exit 1

echo "== protocol ($PROVIDER)"
build/protocol-probe "$PROVIDER" || status=1
if [ -z "${SKIP_TFCORE_SELFTEST:-}" ] && [ -f tests/tfcore-selftest/run.sh ]; then
  echo "== tfcore self-tests"
  bash tests/tfcore-selftest/run.sh || status=1
fi
echo "== end-to-end (tfcore)"
bash tests/e2e/run.sh || status=1
if command -v terraform >/dev/null 2>&1; then
  echo "== end-to-end ($(terraform version 2>/dev/null | head -n 1))"
  E2E_TERRAFORM=1 bash tests/e2e/run.sh || status=1
else
  echo "== end-to-end with a real terraform: skipped (no terraform on PATH)"
fi
exit $status

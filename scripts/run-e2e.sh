#!/usr/bin/env bash
# Protocol probe, end-to-end .tf tests and Helm golden tests against the provider
# binary given (default build/terraform-provider-gitops). With E2E_SANITIZER=1
# (make check-asan) only the stages that exercise our C code run; otherwise also
# tfcore's self-tests, the template-engine oracle cases and the test cluster's
# fidelity tests against kubectl and helm.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PROVIDER="$(realpath "${1:-build/terraform-provider-gitops}")"
export PROVIDER
status=0
stage() { echo "== $1"; shift; "$@" || status=1; }

bash scripts/build-tfcore.sh >/dev/null || exit 1
GP="$ROOT/build/gopath"
ln -sfn "$ROOT/tests/protocol" "$GP/src/protocolprobe"
GO111MODULE=off GOPATH="$GP:/usr/share/gocode" GOCACHE="$ROOT/build/gocache" CGO_ENABLED=0 \
  go build -o build/protocol-probe protocolprobe || exit 1

stage "protocol ($PROVIDER)" build/protocol-probe "$PROVIDER"
[ -n "${E2E_SANITIZER:-}" ] || stage "tfcore self-tests" bash tests/tfcore-selftest/run.sh
stage "end-to-end (tfcore)" bash tests/e2e/run.sh
if command -v terraform >/dev/null 2>&1; then
  stage "end-to-end ($(terraform version 2>/dev/null | head -n 1))" env E2E_TERRAFORM=1 bash tests/e2e/run.sh
else
  echo "== end-to-end with a real terraform: skipped (no terraform on PATH)"
fi
stage "helm template goldens" env BIN="$PROVIDER" bash tests/helm/golden.sh
for suite in application helm_release; do
  [ -f "tests/e2e/$suite/run.sh" ] && stage "gitops_$suite against the test cluster" bash "tests/e2e/$suite/run.sh"
done
if [ -z "${E2E_SANITIZER:-}" ]; then
  [ -f tests/gotmpl/run.sh ] && stage "template engine vs helm" bash tests/gotmpl/run.sh
  [ -f tests/cluster/fidelity.sh ] && stage "test cluster vs kubectl and helm" bash tests/cluster/fidelity.sh
fi
exit $status

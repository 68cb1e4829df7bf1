#!/usr/bin/env bash
# End-to-end tests of resource "gitops_application": a test cluster
# (scripts/test-cluster), Git repositories over git:// (tests/git/git-daemon.sh)
# and file://, real .tf files through build/tfcore and, when `terraform` is on
# PATH (and E2E_NO_TERRAFORM is unset), through the real Terraform with a
# dev_overrides CLI config.
# Last line: "e2e-application: N passed, M failed"; exit status non-zero on failure.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
PROVIDER="${PROVIDER:-$ROOT/build/terraform-provider-gitops}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gitops-e2e-app.XXXXXX")"
CL="$WORK/cluster"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/     /' "$2" | tail -n 40; }
check() { # check NAME LOG CMD...
  local name="$1" log="$2"; shift 2
  if "$@"; then ok "$name"; else fail "$name" "$log"; fi
}
cleanup() {
  bash tests/git/git-daemon.sh stop "$WORK/served" >/dev/null 2>&1
  scripts/test-cluster stop "$CL" >/dev/null 2>&1
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

for v in HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy; do unset "$v"; done
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export GIT_CONFIG_NOSYSTEM=1 HOME="$WORK/home" GIT_AUTHOR_NAME="E2E Author" \
  GIT_AUTHOR_EMAIL=e2e@example.com GIT_COMMITTER_NAME="E2E Author" GIT_COMMITTER_EMAIL=e2e@example.com
mkdir -p "$HOME" "$WORK/served"

KUBECTL="$(command -v kubectl || true)"
if [ -z "$KUBECTL" ]; then KUBECTL="$(bash scripts/fetch-oracles.sh)/kubectl"; fi
export KUBECACHEDIR="$WORK/kubecache"
kc() { "$KUBECTL" --kubeconfig "$CL/kubeconfig" "$@"; }

KUBEAPI_QUIET=1 scripts/test-cluster start "$CL" --status-delay 0.3 >"$WORK/cluster.log" 2>&1 ||
  { cat "$WORK/cluster.log"; echo "e2e-application: 0 passed, 1 failed"; exit 1; }

# ---- the Git repository ----
src="$WORK/src"
git init -q -b main "$src"
mkdir -p "$src/app" "$src/crd" "$src/broken" "$src/degraded"
cat >"$src/app/config.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
YAML
cat >"$src/app/web.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
  selector:
    app: web
YAML
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2\n' >"$src/app/secret.yaml"
cat >"$src/crd/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
YAML
cat >"$src/crd/widget.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata:
  name: gadget
  annotations:
    argocd.argoproj.io/sync-wave: "2"
spec:
  size: 3
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: wave-one
  annotations:
    argocd.argoproj.io/sync-wave: "1"
data:
  x: "1"
YAML
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  key: "unclosed\n' >"$src/broken/cm.yaml"
cat >"$src/degraded/dep.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sad
  annotations:
    test.gitops/fail: "boom: the app crashed"
spec:
  replicas: 1
  selector:
    matchLabels: {app: sad}
  template:
    metadata:
      labels: {app: sad}
    spec:
      containers:
      - name: sad
        image: busybox
YAML
git -C "$src" add -A && git -C "$src" commit -q -m "manifests"
git clone -q --bare "$src" "$WORK/served/apps.git"
bare="$WORK/served/apps.git"
daemon=$(bash tests/git/git-daemon.sh start "$WORK/served") || { echo "git daemon failed"; exit 1; }
push() { git -C "$src" add -A && git -C "$src" commit -q -m "$1" && git -C "$src" push -q "$bare" main; }

# mkcfg DIR NAME PATH URL EXTRA : one gitops_application in DIR/main.tf
mkcfg() {
  mkdir -p "$1"
  cat >"$1/main.tf" <<EOF
terraform {
  required_providers {
    gitops = { source = "gitops/gitops" }
  }
}
provider "gitops" {
  kubernetes {
    config_path = "$CL/kubeconfig"
  }
  git {
    cache_dir = "$WORK/cache"
  }
}
resource "gitops_application" "app" {
  name = "$2"
  source {
    repo_url        = "$4"
    target_revision = "main"
    path            = "$3"
  }
  $5
}
output "revision" { value = gitops_application.app.revision }
output "sync_status" { value = gitops_application.app.sync_status }
output "health" { value = gitops_application.app.health }
output "keys" { value = join(",", keys(gitops_application.app.objects)) }
EOF
}

run_suite() { # run_suite LABEL TF
  local L="$1" TF="$2" W="$WORK/$1"
  mkdir -p "$W"
  tf() { local dir="$1" log="$2"; shift 2; "$TF" "-chdir=$dir" "$@" >"$log" 2>&1; }
  out() { "$TF" "-chdir=$1" output -raw "$2" 2>/dev/null; }
  local ns="app-$L" a="$W/app"
  git -C "$src" checkout -q main
  mkcfg "$a" "guestbook-$L" app "$daemon/apps.git" "destination {
    namespace = \"$ns\"
  }
  sync_policy {
    automated {
      prune     = true
      self_heal = true
    }
    sync_options = [\"CreateNamespace=true\"]
  }
  timeout = 60"

  # create
  check "[$L] create applies" "$W/create.log" tf "$a" "$W/create.log" apply -auto-approve
  check "[$L] objects in the cluster" "$W/create.log" \
    bash -c "'$KUBECTL' --kubeconfig '$CL/kubeconfig' -n $ns get configmap/settings deployment/web service/web secret/creds >/dev/null"
  local lbl
  lbl=$(kc -n "$ns" get configmap settings -o jsonpath='{.metadata.labels.app\.kubernetes\.io/instance} {.metadata.annotations.gitops\.terraform\.io/owner}')
  if [ "$lbl" = "guestbook-$L gitops_application.guestbook-$L" ]; then ok "[$L] instance label and owner annotation"; else echo "     got '$lbl'"; fail "[$L] instance label and owner annotation"; fi
  local rev1; rev1=$(git -C "$bare" rev-parse main)
  if [ "$(out "$a" revision)" = "$rev1" ] && [ "$(out "$a" sync_status)" = Synced ] && [ "$(out "$a" health)" = Healthy ]; then
    ok "[$L] state: revision, Synced, Healthy"
  else fail "[$L] state: revision, Synced, Healthy" "$W/create.log"; fi
  if "$TF" "-chdir=$a" show -json 2>/dev/null | grep -q 'password: ++++++++' && ! grep -q hunter2 "$a/terraform.tfstate"; then
    ok "[$L] Secret values redacted in objects"
  else fail "[$L] Secret values redacted in objects"; fi

  # re-plan: no changes
  tf "$a" "$W/noop.log" plan -detailed-exitcode; local rc=$?
  if [ $rc -eq 0 ]; then ok "[$L] re-plan is a no-op"; else fail "[$L] re-plan is a no-op (exit $rc)" "$W/noop.log"; fi

  # a new commit: an update showing the object's diff and the new revision
  sed -i 's/color: blue/color: green/' "$src/app/config.yaml" && push "green $L"
  local rev2; rev2=$(git -C "$bare" rev-parse main)
  tf "$a" "$W/plan2.log" plan -detailed-exitcode; rc=$?
  if [ $rc -eq 2 ] && grep -q "$rev2" "$W/plan2.log" && grep -q "green" "$W/plan2.log"; then
    ok "[$L] new commit: plan shows the diff and the new revision"
  else fail "[$L] new commit: plan shows the diff and the new revision (exit $rc)" "$W/plan2.log"; fi
  tf "$a" "$W/apply2.log" apply -auto-approve
  if [ "$(out "$a" revision)" = "$rev2" ] && [ "$(kc -n "$ns" get cm settings -o jsonpath='{.data.color}')" = green ]; then
    ok "[$L] apply applies that commit"
  else fail "[$L] apply applies that commit" "$W/apply2.log"; fi

  # a file removed + prune
  git -C "$src" rm -q app/secret.yaml && push "no secret $L"
  tf "$a" "$W/prune.log" apply -auto-approve
  if ! kc -n "$ns" get secret creds >/dev/null 2>&1 && ! out "$a" keys | grep -q Secret; then
    ok "[$L] removed file pruned"
  else fail "[$L] removed file pruned" "$W/prune.log"; fi

  # drift
  kc -n "$ns" patch configmap settings --type merge -p '{"data":{"color":"red"}}' >/dev/null
  tf "$a" "$W/drift.log" plan -detailed-exitcode; rc=$?
  if [ $rc -eq 2 ] && grep -q OutOfSync "$W/drift.log"; then ok "[$L] drift: refresh shows OutOfSync"; else fail "[$L] drift: refresh shows OutOfSync (exit $rc)" "$W/drift.log"; fi
  tf "$a" "$W/heal.log" apply -auto-approve
  if [ "$(kc -n "$ns" get cm settings -o jsonpath='{.data.color}')" = green ] && [ "$(out "$a" sync_status)" = Synced ]; then
    ok "[$L] drift healed by apply"
  else fail "[$L] drift healed by apply" "$W/heal.log"; fi
  tf "$a" "$W/noop2.log" plan -detailed-exitcode; rc=$?
  if [ $rc -eq 0 ]; then ok "[$L] no-op after healing"; else fail "[$L] no-op after healing (exit $rc)" "$W/noop2.log"; fi

  # sync waves, CRD + custom resource in one apply
  local c="$W/crd"
  mkcfg "$c" "widgets-$L" crd "file://$bare" "destination {
    namespace = \"$ns\"
  }"
  check "[$L] CRD and custom resource in one apply" "$W/crd.log" tf "$c" "$W/crd.log" apply -auto-approve
  if kc -n "$ns" get widgets.example.com gadget >/dev/null 2>&1; then ok "[$L] custom resource exists"; else fail "[$L] custom resource exists" "$W/crd.log"; fi
  local t1 t2
  t1=$(kc -n "$ns" get cm wave-one -o jsonpath='{.metadata.resourceVersion}')
  t2=$(kc -n "$ns" get widgets.example.com gadget -o jsonpath='{.metadata.resourceVersion}')
  if [ -n "$t1" ] && [ -n "$t2" ] && [ "$t1" -lt "$t2" ]; then ok "[$L] sync wave 1 before wave 2"; else echo "     rv $t1 $t2"; fail "[$L] sync wave 1 before wave 2"; fi

  # Degraded
  local g="$W/degraded"
  mkcfg "$g" "sad-$L" degraded "file://$bare" "destination {
    namespace = \"$ns\"
  }
  timeout = 30"
  if tf "$g" "$W/degraded.log" apply -auto-approve; then
    fail "[$L] Degraded deployment fails the apply" "$W/degraded.log"
  elif grep -q "Degraded" "$W/degraded.log" && grep -q "ProgressDeadlineExceeded\|timed out progressing\|boom" "$W/degraded.log" &&
    "$TF" "-chdir=$g" show -json 2>/dev/null | grep -q 'apps/Deployment/'"$ns"'/sad'; then
    ok "[$L] Degraded deployment fails the apply with the reason; state records it"
  else fail "[$L] Degraded deployment fails the apply with the reason; state records it" "$W/degraded.log"; fi

  # YAML error
  local b="$W/broken"
  mkcfg "$b" "broken-$L" broken "file://$bare" ""
  if tf "$b" "$W/broken.log" plan; then fail "[$L] YAML error fails the plan" "$W/broken.log"
  elif grep -q "Invalid manifest" "$W/broken.log" && grep -q "broken/cm.yaml:[0-9]*" "$W/broken.log"; then
    ok "[$L] YAML error: diagnostic with file:line"
  else fail "[$L] YAML error: diagnostic with file:line" "$W/broken.log"; fi

  # unknown revision
  local u="$W/unknown"
  mkcfg "$u" "unknown-$L" app "$daemon/apps.git" ""
  sed -i 's/target_revision = "main"/target_revision = "no-such-branch"/' "$u/main.tf"
  if tf "$u" "$W/unknown.log" plan; then fail "[$L] unknown revision fails" "$W/unknown.log"
  elif grep -q "Unknown Git revision" "$W/unknown.log" && grep -q "target_revision" "$W/unknown.log"; then
    ok "[$L] unknown revision: diagnostic on source.target_revision"
  else fail "[$L] unknown revision: diagnostic on source.target_revision" "$W/unknown.log"; fi

  # destroy: cascade deletes, cascade_delete = false leaves objects
  check "[$L] destroy" "$W/destroy.log" tf "$a" "$W/destroy.log" destroy -auto-approve
  if ! kc -n "$ns" get cm settings >/dev/null 2>&1 && ! kc -n "$ns" get deployment web >/dev/null 2>&1; then
    ok "[$L] destroy removed the objects"
  else fail "[$L] destroy removed the objects" "$W/destroy.log"; fi
  sed -i 's/^  timeout = 30/  timeout = 30\n  cascade_delete = false/' "$g/main.tf"
  tf "$g" "$W/orphan-apply.log" apply -auto-approve
  tf "$g" "$W/orphan.log" destroy -auto-approve
  if kc -n "$ns" get deployment sad >/dev/null 2>&1; then ok "[$L] cascade_delete = false leaves the objects"; else fail "[$L] cascade_delete = false leaves the objects" "$W/orphan.log"; fi
  tf "$c" "$W/crd-destroy.log" destroy -auto-approve
  if ! kc get crd widgets.example.com >/dev/null 2>&1; then ok "[$L] destroy removes CRD"; else fail "[$L] destroy removes CRD" "$W/crd-destroy.log"; fi
  # restore the repository for the next suite
  git -C "$src" checkout -q main && sed -i 's/color: green/color: blue/' "$src/app/config.yaml" &&
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2\n' >"$src/app/secret.yaml" &&
    push "restore $L"
}

export TFCORE_PROVIDER_gitops="$PROVIDER"
run_suite tfcore "$ROOT/build/tfcore"
unset TFCORE_PROVIDER_gitops

if [ -z "${E2E_NO_TERRAFORM:-}" ] && command -v terraform >/dev/null 2>&1; then
  printf 'provider_installation {\n  dev_overrides {\n    "gitops/gitops" = "%s"\n  }\n  direct {}\n}\n' \
    "$(dirname "$PROVIDER")" >"$WORK/terraformrc"
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  run_suite terraform "$(command -v terraform)"
fi

echo "e2e-application: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

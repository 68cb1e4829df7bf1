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
mkdir -p "$src/app" "$src/crd" "$src/broken" "$src/degraded" "$src/partial" "$src/chart/templates"
printf 'apiVersion: v2\nname: demo\nversion: 0.1.0\n' >"$src/chart/Chart.yaml"
printf 'color: red\nsize: small\nextra: none\nnum: 1\n' >"$src/chart/values.yaml"
printf 'size: large\n' >"$src/chart/values-prod.yaml"
cat >"$src/chart/templates/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  color: {{ .Values.color | quote }}
  size: {{ .Values.size | quote }}
  extra: {{ .Values.extra | quote }}
  num: {{ kindOf .Values.num | quote }}
  ns: {{ .Release.Namespace | quote }}
YAML
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
cat >"$src/partial/cms.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: good
data:
  a: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: Bad_Name
  annotations:
    argocd.argoproj.io/sync-wave: "1"
data:
  a: "1"
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
  state_keys() { # the objects keys of gitops_application.app in state
    "$TF" "-chdir=$1" show -json 2>/dev/null | python3 -c 'import json,sys
d = json.load(sys.stdin)
for r in d.get("values", {}).get("root_module", {}).get("resources", []):
    if r["address"] == "gitops_application.app": print(",".join(sorted(r["values"]["objects"])))
for r in d.get("resources", []):  # tfcore prints the state file format
    if r.get("type") == "gitops_application":
        for i in r.get("instances", []): print(",".join(sorted(i["attributes"]["objects"])))'
  }
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
  # another application may not take over these objects
  local th="$W/thief"
  mkcfg "$th" "thief-$L" app "file://$bare" "destination {
    namespace = \"$ns\"
  }"
  if tf "$th" "$W/thief.log" apply -auto-approve; then fail "[$L] objects of another application are refused" "$W/thief.log"
  elif grep -q "gitops_application.guestbook-$L" "$W/thief.log" && grep -q "Object owned by another application" "$W/thief.log" &&
    [ "$(kc -n "$ns" get cm settings -o jsonpath='{.metadata.labels.app\.kubernetes\.io/instance}')" = "guestbook-$L" ]; then
    ok "[$L] objects of another application are refused, naming the owner"
  else fail "[$L] objects of another application are refused, naming the owner" "$W/thief.log"; fi

  # offline plan: the cluster unreachable, plan still renders (namespaces from the static kinds)
  local off="$W/offline"
  sed "s#server: .*#server: https://127.0.0.1:9#" "$CL/kubeconfig" >"$W/dead-kubeconfig"
  mkcfg "$off" "offline-$L" crd "file://$bare" "destination {
    namespace = \"$ns\"
  }"
  sed -i "s#$CL/kubeconfig#$W/dead-kubeconfig#" "$off/main.tf"
  tf "$off" "$W/offline.log" plan -detailed-exitcode; local orc=$?
  if [ $orc -eq 2 ] && grep -q "example.com/Widget/$ns/gadget" "$W/offline.log" &&
    grep -q "apiextensions.k8s.io/CustomResourceDefinition//widgets.example.com" "$W/offline.log"; then
    ok "[$L] plan works offline (scopes from the static kinds and the CRD)"
  else fail "[$L] plan works offline (exit $orc)" "$W/offline.log"; fi

  # a failed create still records what it created (tainted)
  local pa="$W/partial"
  mkcfg "$pa" "partial-$L" partial "file://$bare" "destination {
    namespace = \"$ns\"
  }"
  if tf "$pa" "$W/partial.log" apply -auto-approve; then fail "[$L] rejected object fails the apply" "$W/partial.log"
  elif grep -qi "Bad_Name" "$W/partial.log" && [ "$(state_keys "$pa")" = "/ConfigMap/$ns/good" ] &&
    kc -n "$ns" get cm good >/dev/null 2>&1; then
    ok "[$L] failed create records the objects it created, with the server's message"
  else fail "[$L] failed create records the objects it created, with the server's message" "$W/partial.log"; fi
  tf "$pa" "$W/partial-destroy.log" destroy -auto-approve
  if ! kc -n "$ns" get cm good >/dev/null 2>&1; then ok "[$L] destroy after a failed create"; else fail "[$L] destroy after a failed create" "$W/partial-destroy.log"; fi

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

  # a saved plan applies its commit or nothing, never a newer one (real Terraform: plan -out)
  if [ "$L" = terraform ]; then
    sed -i 's/color: green/color: yellow/' "$src/app/config.yaml" && push "yellow $L"
    local rev3; rev3=$(git -C "$bare" rev-parse main)
    tf "$a" "$W/planout.log" plan -out="$W/tfplan"
    sed -i 's/color: yellow/color: green/' "$src/app/config.yaml" && push "green again $L"
    tf "$a" "$W/applyplan.log" apply "$W/tfplan"
    local got srev
    got=$(kc -n "$ns" get cm settings -o jsonpath='{.data.color}')
    srev=$(python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["resources"]:
    for i in r["instances"]: print(i["attributes"]["revision"])' "$a/terraform.tfstate")
    if { [ "$srev" = "$rev3" ] && [ "$got" = yellow ]; } ||
      { grep -q "inconsistent final plan" "$W/applyplan.log" && [ "$got" = green ] && [ "$srev" = "$rev2" ]; }; then
      ok "[$L] saved plan: the planned commit or nothing, never the newer one"
    else echo "     state revision '$srev' color '$got' planned $rev3 before $rev2"; fail "[$L] saved plan: the planned commit or nothing, never the newer one" "$W/applyplan.log"; fi
    tf "$a" "$W/reapply.log" apply -auto-approve
  fi

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

  # import: the objects labelled with the name become the inventory; the next apply takes them over
  local before; before=$(state_keys "$a")
  tf "$a" "$W/rm.log" state rm gitops_application.app
  if tf "$a" "$W/import.log" import gitops_application.app "guestbook-$L" && [ "$(state_keys "$a")" = "$before" ]; then
    ok "[$L] import adopts the labelled objects"
  else echo "     before '$before' after '$(state_keys "$a")'"; fail "[$L] import adopts the labelled objects" "$W/import.log"; fi
  tf "$a" "$W/post-import.log" apply -auto-approve
  tf "$a" "$W/post-import-noop.log" plan -detailed-exitcode; rc=$?
  if [ $rc -eq 0 ] && [ "$(out "$a" revision)" = "$(git -C "$bare" rev-parse main)" ]; then ok "[$L] apply after import, then no-op"; else fail "[$L] apply after import, then no-op (exit $rc)" "$W/post-import.log"; fi

  # a deleted object: refresh shows OutOfSync/Missing, apply re-creates it
  kc -n "$ns" delete configmap settings >/dev/null
  tf "$a" "$W/missing.log" plan -detailed-exitcode; rc=$?
  if [ $rc -eq 2 ] && grep -q Missing "$W/missing.log"; then ok "[$L] deleted object: plan shows Missing/OutOfSync"; else fail "[$L] deleted object: plan shows Missing/OutOfSync (exit $rc)" "$W/missing.log"; fi
  tf "$a" "$W/recreate.log" apply -auto-approve
  if kc -n "$ns" get cm settings >/dev/null 2>&1; then ok "[$L] apply re-creates it"; else fail "[$L] apply re-creates it" "$W/recreate.log"; fi

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

  # without automated prune, objects that left the source stay (a warning lists them)
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-%s\n' "$L" >"$src/crd/extra.yaml" && push "extra $L"
  tf "$c" "$W/extra.log" apply -auto-approve
  git -C "$src" rm -q crd/extra.yaml && push "no extra $L"
  tf "$c" "$W/noprune.log" apply -auto-approve
  if grep -q "not pruned" "$W/noprune.log" && grep -q "/ConfigMap/$ns/extra-$L" "$W/noprune.log" &&
    kc -n "$ns" get cm "extra-$L" >/dev/null 2>&1 && ! out "$c" keys | grep -q "extra-$L"; then
    ok "[$L] prune off: warning lists the objects, they stay"
  else fail "[$L] prune off: warning lists the objects, they stay" "$W/noprune.log"; fi
  kc -n "$ns" delete cm "extra-$L" >/dev/null 2>&1

  # a Helm chart at the source path: value files, values, parameters
  local h="$W/helm"
  mkcfg "$h" "chart-$L" chart "file://$bare" "destination {
    namespace = \"$ns\"
  }"
  python3 - "$h/main.tf" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('path            = "chart"', """path            = "chart"
    helm {
      release_name = "rel"
      value_files  = ["values-prod.yaml"]
      values       = "extra: fromvalues"
      parameter {
        name  = "color"
        value = "blue,green"
      }
      parameter {
        name         = "num"
        value        = "42"
        force_string = true
      }
    }""")
open(p, "w").write(s)
PY
  check "[$L] helm source applies" "$W/helm.log" tf "$h" "$W/helm.log" apply -auto-approve
  local hd; hd=$(kc -n "$ns" get cm rel-settings -o jsonpath='{.data.color}|{.data.size}|{.data.extra}|{.data.num}|{.data.ns}' 2>&1)
  if [ "$hd" = "blue,green|large|fromvalues|string|$ns" ]; then ok "[$L] helm: value files, values, parameters, release name and namespace"
  else echo "     got '$hd'"; fail "[$L] helm: value files, values, parameters, release name and namespace" "$W/helm.log"; fi
  tf "$h" "$W/helm-noop.log" plan -detailed-exitcode; rc=$?
  if [ $rc -eq 0 ]; then ok "[$L] helm: re-plan is a no-op"; else fail "[$L] helm: re-plan is a no-op (exit $rc)" "$W/helm-noop.log"; fi
  tf "$h" "$W/helm-destroy.log" destroy -auto-approve

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
[ -n "${E2E_ONLY_TERRAFORM:-}" ] || run_suite tfcore "$ROOT/build/tfcore"
unset TFCORE_PROVIDER_gitops

if [ -z "${E2E_NO_TERRAFORM:-}" ] && command -v terraform >/dev/null 2>&1; then
  printf 'provider_installation {\n  dev_overrides {\n    "gitops/gitops" = "%s"\n  }\n  direct {}\n}\n' \
    "$(dirname "$PROVIDER")" >"$WORK/terraformrc"
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  run_suite terraform "$(command -v terraform)"
fi

echo "e2e-application: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

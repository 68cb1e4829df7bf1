#!/usr/bin/env bash
# End-to-end for resource "gitops_helm_release": a test cluster, a Helm repository
# served on loopback (real helm create/package/repo index), real .tf files through
# build/tfcore (and the real terraform when on PATH), checked with the real helm.
# Last line: "e2e-helm-release: N passed, M failed".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
PROVIDER="${PROVIDER:-$ROOT/build/terraform-provider-gitops}"
ORACLES="$(bash scripts/fetch-oracles.sh)" || { echo "e2e-helm-release: 0 passed, 1 failed"; exit 1; }
HELM="$ORACLES/helm"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gitops-e2e-hr.XXXXXX")"
CL="$WORK/cluster"
export TFCORE_PROVIDER_gitops="$PROVIDER" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export HOME="$WORK/home" KUBECONFIG="$CL/kubeconfig" KUBECACHEDIR="$WORK/kcache"
export HELM_CACHE_HOME="$WORK/helm/cache" HELM_CONFIG_HOME="$WORK/helm/config" HELM_DATA_HOME="$WORK/helm/data"
mkdir -p "$HOME"
TF="$ROOT/build/tfcore"
passed=0 failed=0 http_pid=
cleanup() {
  [ -n "$http_pid" ] && kill "$http_pid" 2>/dev/null
  scripts/test-cluster stop "$CL" >/dev/null 2>&1
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/     /' "$2" | tail -n 25; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else echo "     got '$2' want '$3'"; fail "$1" "${4:-}"; fi; }
# run NAME EXPECTED_RC CMD... (output in $WORK/out)
run() {
  local name=$1 want=$2; shift 2
  "$@" >"$WORK/out" 2>&1; local rc=$?
  if [ "$rc" = "$want" ]; then ok "$name"; else echo "     exit $rc, want $want"; fail "$name" "$WORK/out"; fi
}

scripts/test-cluster start "$CL" --status-delay 0.2 >/dev/null 2>&1 || { echo "FAIL cluster start"; echo "e2e-helm-release: 0 passed, 1 failed"; exit 1; }

# --- a chart and a repository ---------------------------------------------------
CH="$WORK/charts"
mkdir -p "$CH" "$WORK/repo"
(cd "$CH" && "$HELM" create web >/dev/null)
cat >"$CH/web/templates/secret.yaml" <<'YAML'
{{- if .Values.secretVal }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "web.fullname" . }}-creds
stringData:
  password: {{ .Values.secretVal | quote }}
{{- end }}
YAML
cat >"$CH/web/templates/pre-hook.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "web.fullname" . }}-pre
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "-5"
    "helm.sh/hook-delete-policy": before-hook-creation
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pre
        image: busybox
        command: ["true"]
YAML
cat >"$CH/web/templates/post-hook.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "web.fullname" . }}-post
  annotations:
    "helm.sh/hook": post-install
    "helm.sh/hook-delete-policy": hook-succeeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: post
        image: busybox
        command: ["true"]
YAML
"$HELM" package "$CH/web" -d "$WORK/repo" >/dev/null
sed -i 's/^version: 0.1.0/version: 0.2.0/' "$CH/web/Chart.yaml"
"$HELM" package "$CH/web" -d "$WORK/repo" >/dev/null
sed -i 's/^version: 0.2.0/version: 0.1.0/' "$CH/web/Chart.yaml"
"$HELM" repo index "$WORK/repo" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$PORT" --directory "$WORK/repo" >"$WORK/http.log" 2>&1 &
http_pid=$!
REPO="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -fs "$REPO/index.yaml" >/dev/null && break; sleep 0.1; done

# write_tf DIR BODY: main.tf with the provider block and BODY
write_tf() {
  mkdir -p "$1"
  cat >"$1/main.tf" <<HCL
terraform {
  required_providers {
    gitops = { source = "gitops/gitops" }
  }
}
provider "gitops" {
  kubernetes { config_path = "$KUBECONFIG" }
}
$2
HCL
}
release() { # name version values extra
  cat <<HCL
resource "gitops_helm_release" "$1" {
  name       = "$1"
  repository = "$REPO"
  chart      = "web"
  version    = "$2"
  values     = [$3]
  timeout    = 20
  set_sensitive {
    name  = "secretVal"
    value = "s3cr3t-value"
  }
  $4
}
output "objects" { value = jsonencode(gitops_helm_release.$1.objects) }
output "meta" { value = "\${gitops_helm_release.$1.metadata.revision} \${gitops_helm_release.$1.metadata.version} \${gitops_helm_release.$1.status}" }
HCL
}
hstatus() { "$HELM" history "$1" -o json 2>/dev/null | python3 -c 'import json,sys; h=json.load(sys.stdin); print(" ".join("%d:%s"%(r["revision"],r["status"]) for r in h))'; }

# --- install from the repository ----------------------------------------------
A="$WORK/a"
write_tf "$A" "$(release web '~0.1' '"replicaCount: 1\n"' '')"
run "repo: apply installs" 0 "$TF" -chdir="$A" apply -auto-approve
expect_eq "repo: version range resolved" "$("$TF" -chdir="$A" output -raw meta 2>&1)" "1 0.1.0 deployed" "$WORK/out"
expect_eq "repo: helm list sees the release" "$("$HELM" list -o json | python3 -c 'import json,sys; print(" ".join(r["name"]+":"+r["status"]+":"+r["chart"] for r in json.load(sys.stdin)))')" "web:deployed:web-0.1.0"
expect_eq "repo: helm get values" "$("$HELM" get values web -o json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v.get("replicaCount"))')" "1"
expect_eq "repo: helm history" "$(hstatus web)" "1:deployed"
expect_eq "repo: deployment has helm labels" "$(kubectl get deploy web -o jsonpath='{.metadata.labels.app\.kubernetes\.io/managed-by} {.metadata.annotations.meta\.helm\.sh/release-name}' 2>&1)" "Helm web"
expect_eq "repo: pre-install hook job ran" "$(kubectl get job web-pre -o jsonpath='{.metadata.name}' 2>&1)" "web-pre"
expect_eq "repo: post-install hook deleted (hook-succeeded)" "$(kubectl get job web-post -o name 2>/dev/null)" ""
expect_eq "repo: hooks recorded in the release" "$("$HELM" get hooks web | grep -c '^# Source:')" "3"
if "$TF" -chdir="$A" output -raw objects | grep -q 's3cr3t'; then fail "set_sensitive redacted in objects"; else ok "set_sensitive redacted in objects"; fi
run "repo: re-plan is a no-op" 0 "$TF" -chdir="$A" plan -detailed-exitcode

# --- upgrade ---------------------------------------------------------------------
write_tf "$A" "$(release web '~0.1' '"replicaCount: 2\n"' '')"
run "upgrade: plan shows a change" 2 "$TF" -chdir="$A" plan -detailed-exitcode
run "upgrade: apply" 0 "$TF" -chdir="$A" apply -auto-approve
expect_eq "upgrade: helm history" "$(hstatus web)" "1:superseded 2:deployed"
expect_eq "upgrade: replicas" "$(kubectl get deploy web -o jsonpath='{.spec.replicas}')" "2"
run "upgrade: re-plan is a no-op" 0 "$TF" -chdir="$A" plan -detailed-exitcode

# --- failed upgrade, then atomic ------------------------------------------------
FAILV='"replicaCount: 2\npodAnnotations:\n  test.gitops/fail: boom\n"'
write_tf "$A" "$(release web '~0.1' "$FAILV" '')"
run "failed upgrade: apply fails" 1 "$TF" -chdir="$A" apply -auto-approve
if grep -q 'is not healthy' "$WORK/out" && grep -q 'boom' "$WORK/out"; then ok "failed upgrade: error names the unhealthy object"; else fail "failed upgrade: error names the unhealthy object" "$WORK/out"; fi
expect_eq "failed upgrade: helm history" "$(hstatus web)" "1:superseded 2:deployed 3:failed"
run "failed upgrade: plan wants to retry" 2 "$TF" -chdir="$A" plan -detailed-exitcode
write_tf "$A" "$(release web '~0.1' "$FAILV" 'atomic = true')"
run "atomic: apply fails" 1 "$TF" -chdir="$A" apply -auto-approve
if grep -q 'rolled back to revision 2' "$WORK/out"; then ok "atomic: reports the rollback"; else fail "atomic: reports the rollback" "$WORK/out"; fi
expect_eq "atomic: rolled back" "$(hstatus web | awk '{print $NF}')" "5:deployed"
expect_eq "atomic: rollback description" "$("$HELM" history web -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["description"])')" "Rollback to 2"
expect_eq "atomic: pods not failing" "$(kubectl get deploy web -o jsonpath='{.spec.template.metadata.annotations.test\.gitops/fail}')" ""
write_tf "$A" "$(release web '~0.1' '"replicaCount: 2\n"' '')"
run "back to good values" 0 "$TF" -chdir="$A" apply -auto-approve
run "good values: no-op" 0 "$TF" -chdir="$A" plan -detailed-exitcode

# --- drift: helm rollback by hand ----------------------------------------------
"$HELM" rollback web 1 >"$WORK/out" 2>&1 || fail "helm rollback" "$WORK/out"
run "drift: plan after helm rollback shows an update" 2 "$TF" -chdir="$A" plan -detailed-exitcode
run "drift: apply restores" 0 "$TF" -chdir="$A" apply -auto-approve
expect_eq "drift: replicas again" "$(kubectl get deploy web -o jsonpath='{.spec.replicas}')" "2"

# --- destroy ---------------------------------------------------------------------
run "destroy" 0 "$TF" -chdir="$A" destroy -auto-approve
expect_eq "destroy: helm list empty" "$("$HELM" list -q)" ""
expect_eq "destroy: objects gone" "$(kubectl get deploy,svc,secret -l app.kubernetes.io/instance=web -o name 2>/dev/null)" ""

# --- failed install: atomic uninstalls, otherwise failed and replaced next time ---
F="$WORK/f"
write_tf "$F" "$(release bad '0.2.0' "$FAILV" 'atomic = true')"
run "failed install atomic: apply fails" 1 "$TF" -chdir="$F" apply -auto-approve
expect_eq "failed install atomic: uninstalled" "$("$HELM" list -a -q) $(kubectl get deploy bad-web -o name 2>/dev/null)" " "
write_tf "$F" "$(release bad '0.2.0' "$FAILV" '')"
run "failed install: apply fails" 1 "$TF" -chdir="$F" apply -auto-approve
expect_eq "failed install: helm history" "$(hstatus bad)" "1:failed"
write_tf "$F" "$(release bad '0.2.0' '"replicaCount: 1\n"' '')"
run "failed install: next apply replaces it" 0 "$TF" -chdir="$F" apply -auto-approve
expect_eq "failed install: deployed" "$(hstatus bad)" "1:deployed"
run "failed install: destroy" 0 "$TF" -chdir="$F" destroy -auto-approve

# --- local chart path ------------------------------------------------------------
B="$WORK/b"
write_tf "$B" "resource \"gitops_helm_release\" \"loc\" {
  name       = \"loc\"
  namespace  = \"team\"
  create_namespace = true
  repository = \"$CH\"
  chart      = \"web\"
  set {
    name  = \"service.port\"
    value = \"8080\"
  }
}"
run "local: apply" 0 "$TF" -chdir="$B" apply -auto-approve
expect_eq "local: helm list -n team" "$("$HELM" list -n team -q)" "loc"
expect_eq "local: service port" "$(kubectl -n team get svc loc-web -o jsonpath='{.spec.ports[0].port}')" "8080"
run "local: no-op" 0 "$TF" -chdir="$B" plan -detailed-exitcode
run "local: destroy" 0 "$TF" -chdir="$B" destroy -auto-approve
expect_eq "local: uninstalled" "$("$HELM" list -n team -q)" ""

# --- import of a release installed by the real helm ------------------------------
"$HELM" install imp web --repo "$REPO" --version 0.1.0 --set replicaCount=2 --wait=false >"$WORK/out" 2>&1 || fail "helm install imp" "$WORK/out"
I="$WORK/i"
write_tf "$I" "resource \"gitops_helm_release\" \"imp\" {
  name    = \"imp\"
  chart   = \"web\"
  repository = \"$REPO\"
  version = \"0.1.0\"
  values  = [\"replicaCount: 2\\n\"]
}
output \"rev\" { value = gitops_helm_release.imp.metadata.revision }"
run "import: tfcore import" 0 "$TF" -chdir="$I" import gitops_helm_release.imp default/imp
"$TF" -chdir="$I" plan -detailed-exitcode >"$WORK/out" 2>&1; rc=$?
# repository is not recorded by Helm: the only difference is that argument.
cp "$WORK/out" "$WORK/import-plan.txt"
if [ $rc = 2 ] && grep -q 'repository' "$WORK/out" && ! grep -q 'revision' "$WORK/out"; then ok "import: plan changes only repository"; else echo "     exit $rc"; fail "import: plan changes only repository" "$WORK/out"; fi
run "import: apply records repository" 0 "$TF" -chdir="$I" apply -auto-approve
expect_eq "import: no new revision" "$(hstatus imp)" "1:deployed"
run "import: clean plan" 0 "$TF" -chdir="$I" plan -detailed-exitcode
run "import: destroy" 0 "$TF" -chdir="$I" destroy -auto-approve

# --- the real terraform ----------------------------------------------------------
if command -v terraform >/dev/null; then
  printf 'provider_installation {\n  dev_overrides {\n    "gitops/gitops" = "%s"\n  }\n  direct {}\n}\n' "$(dirname "$PROVIDER")" >"$WORK/terraformrc"
  T="$WORK/t"
  write_tf "$T" "$(release tfr '0.2.0' '"replicaCount: 1\n"' '')"
  run "terraform: apply" 0 env TF_CLI_CONFIG_FILE="$WORK/terraformrc" terraform -chdir="$T" apply -auto-approve -input=false
  expect_eq "terraform: helm list" "$("$HELM" list -q)" "tfr"
  run "terraform: no-op plan" 0 env TF_CLI_CONFIG_FILE="$WORK/terraformrc" terraform -chdir="$T" plan -detailed-exitcode -input=false
  run "terraform: destroy" 0 env TF_CLI_CONFIG_FILE="$WORK/terraformrc" terraform -chdir="$T" destroy -auto-approve -input=false
  expect_eq "terraform: uninstalled" "$("$HELM" list -q)" ""
fi

echo "e2e-helm-release: $passed passed, $failed failed"
[ "$failed" = 0 ]

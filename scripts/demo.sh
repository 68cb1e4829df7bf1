#!/usr/bin/env bash
# make demo: starts a local Kubernetes test API server (tests/cluster) and a Git
# server (`git daemon`) on loopback, then runs plan and apply of examples/quickstart
# through tests/tfcore — or a real `terraform` on PATH, with dev_overrides pointing
# at this build. Then a commit lands upstream and plan/apply roll it out.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WORK="$ROOT/build/demo"
rm -rf "$WORK" && mkdir -p "$WORK/git" "$WORK/run"
cleanup() {
  bash tests/git/git-daemon.sh stop "$WORK/git" >/dev/null 2>&1 || true
  scripts/test-cluster stop "$WORK/cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT

export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Demo Author" GIT_AUTHOR_EMAIL=demo@example.com \
  GIT_COMMITTER_NAME="Demo Author" GIT_COMMITTER_EMAIL=demo@example.com
src="$WORK/src"
git init -q -b main "$src"
mkdir -p "$src/guestbook"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook\ndata:\n  greeting: hello\n' \
  >"$src/guestbook/configmap.yaml"
cat >"$src/guestbook/ui.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook-ui
spec:
  replicas: 1
  selector:
    matchLabels:
      app: guestbook-ui
  template:
    metadata:
      labels:
        app: guestbook-ui
    spec:
      containers:
      - name: guestbook-ui
        image: gcr.io/heptio-images/ks-guestbook-demo:0.2
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: guestbook-ui
spec:
  ports:
  - port: 80
    targetPort: 80
  selector:
    app: guestbook-ui
YAML
git -C "$src" add -A && git -C "$src" commit -q -m "guestbook: first manifests"
git clone -q --bare "$src" "$WORK/git/apps.git"
url="$(bash tests/git/git-daemon.sh start "$WORK/git")/apps.git"
echo "==> Serving a demo repository at $url"
scripts/test-cluster start "$WORK/cluster" >/dev/null
echo "==> Test cluster up: $WORK/cluster/kubeconfig"

cp -r examples/quickstart/. "$WORK/run/"
export TF_VAR_repo_url="$url" TF_VAR_kubeconfig="$WORK/cluster/kubeconfig"
export XDG_CACHE_HOME="$WORK/cache" CHECKPOINT_DISABLE=1

if command -v terraform >/dev/null 2>&1; then
  cat >"$WORK/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "gitops/gitops" = "$ROOT/build"
  }
  direct {}
}
RC
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
  TF=(terraform "-chdir=$WORK/run")
else
  export TFCORE_PROVIDER_gitops="$ROOT/build/terraform-provider-gitops"
  TF=("$ROOT/build/tfcore" "-chdir=$WORK/run")
fi
KUBECTL=$(command -v kubectl || true)

echo "==> ${TF[0]##*/} plan"
"${TF[@]}" plan
echo "==> ${TF[0]##*/} apply"
"${TF[@]}" apply -auto-approve
if [ -n "$KUBECTL" ]; then
  echo "==> What the cluster holds now"
  KUBECACHEDIR="$WORK/kubecache" "$KUBECTL" --kubeconfig "$WORK/cluster/kubeconfig" \
    get deployments,services,configmaps -A -l 'app.kubernetes.io/instance in (guestbook,hello)'
fi

echo "==> A new commit lands on main: plan shows the changed object and the new revision"
sed -i 's/greeting: hello/greeting: hello again/' "$src/guestbook/configmap.yaml"
git -C "$src" commit -q -am "guestbook: new greeting"
git -C "$src" push -q "$WORK/git/apps.git" main
"${TF[@]}" plan
"${TF[@]}" apply -auto-approve
echo "==> Nothing changed since: the plan is empty"
"${TF[@]}" plan

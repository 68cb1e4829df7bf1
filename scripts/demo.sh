#!/usr/bin/env bash
# make demo: serves a demo Git repository with `git daemon` on loopback and runs
# plan and apply of examples/quickstart through tests/tfcore (or a real
# `terraform` on PATH, with dev_overrides pointing at this build).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WORK="$ROOT/build/demo"
rm -rf "$WORK" && mkdir -p "$WORK/git" "$WORK/run"
cleanup() { bash tests/git/git-daemon.sh stop "$WORK/git" >/dev/null 2>&1 || true; }
trap cleanup EXIT

export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Demo Author" GIT_AUTHOR_EMAIL=demo@example.com \
  GIT_COMMITTER_NAME="Demo Author" GIT_COMMITTER_EMAIL=demo@example.com
src="$WORK/src"
git init -q -b main "$src"
mkdir -p "$src/guestbook"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook\n  namespace: guestbook\ndata:\n  greeting: hello\n' \
  >"$src/guestbook/configmap.yaml"
cat >"$src/guestbook/ui.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook-ui
  namespace: guestbook
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
  namespace: guestbook
spec:
  ports:
  - port: 80
    targetPort: 80
  selector:
    app: guestbook-ui
YAML
git -C "$src" add -A && git -C "$src" commit -q -m "guestbook: first manifest"
git -C "$src" tag -a v1.0.0 -m "release 1.0.0"
git clone -q --bare "$src" "$WORK/git/apps.git"
url="$(bash tests/git/git-daemon.sh start "$WORK/git")/apps.git"
echo "==> Serving a demo repository at $url"

cp examples/quickstart/*.tf "$WORK/run/"
export TF_VAR_repo_url="$url"
export XDG_CACHE_HOME="$WORK/cache"

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

echo "==> ${TF[0]##*/} plan"
"${TF[@]}" plan
echo "==> ${TF[0]##*/} apply"
"${TF[@]}" apply -auto-approve

echo "==> A new commit lands on main; plan and apply show the new SHA and the changed object"
sed -i 's/greeting: hello/greeting: hello again/' "$src/guestbook/configmap.yaml"
git -C "$src" commit -q -am "guestbook: second revision"
git -C "$src" push -q "$WORK/git/apps.git" main
"${TF[@]}" apply -auto-approve

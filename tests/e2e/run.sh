#!/usr/bin/env bash
# End-to-end: real .tf files through build/tfcore (Terraform's libraries) and the
# provider binary, against file:// repositories and a `git daemon` on loopback.
# With E2E_TERRAFORM=1 the same files run through a real `terraform` (dev_overrides).
# Prints "e2e: N passed, M failed".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PROVIDER="${PROVIDER:-$ROOT/build/terraform-provider-gitops}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gitops-e2e.XXXXXX")"
if [ -n "${E2E_TERRAFORM:-}" ]; then
  TFCORE="$(command -v terraform)" || { echo "e2e: no terraform on PATH"; exit 1; }
  printf 'provider_installation {\n  dev_overrides {\n    "gitops/gitops" = "%s"\n  }\n  direct {}\n}\n' \
    "$(dirname "$PROVIDER")" >"$WORK/terraformrc"
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  [ "$(basename "$PROVIDER")" = terraform-provider-gitops ] || { echo "e2e: PROVIDER must be named terraform-provider-gitops"; exit 1; }
else
  TFCORE="$ROOT/build/tfcore"
  export TFCORE_PROVIDER_gitops="$PROVIDER"
fi
passed=0 failed=0
cleanup() {
  bash tests/git/git-daemon.sh stop "$WORK/served" >/dev/null 2>&1
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2" | tail -n 30; }
# expect_eq NAME GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else echo "     got '$2' want '$3'"; fail "$1"; fi; }

export GIT_CONFIG_NOSYSTEM=1 HOME="$WORK/home" GIT_AUTHOR_NAME="E2E Author" \
  GIT_AUTHOR_EMAIL=e2e@example.com GIT_COMMITTER_NAME="E2E Author" GIT_COMMITTER_EMAIL=e2e@example.com
mkdir -p "$HOME" "$WORK/served"
src="$WORK/src"
git init -q -b main "$src"
echo one >"$src/a.txt" && git -C "$src" add -A && git -C "$src" commit -q -m "first commit"
git -C "$src" tag -a v1 -m "version one"
git -C "$src" checkout -q -b dev && echo dev >"$src/b.txt" && git -C "$src" add -A &&
  git -C "$src" commit -q -m "on dev" && git -C "$src" checkout -q main
mkdir -p "$src/guestbook/extra" "$src/broken"
cat >"$src/guestbook/app.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook-ui
  namespace: guestbook
spec:
  replicas: 1
  selector:
    matchLabels: {app: guestbook-ui}
  template:
    metadata:
      labels: {app: guestbook-ui}
    spec:
      containers:
      - name: ui
        image: gcr.io/heptio-images/ks-guestbook-demo:0.2
---
apiVersion: v1
kind: Service
metadata:
  name: guestbook-ui
  namespace: guestbook
spec:
  ports:
  - port: 80
  selector:
    app: guestbook-ui
YAML
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: guestbook\nstringData:\n  password: hunter2\n' >"$src/guestbook/secret.yaml"
printf '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra", "namespace": "guestbook"}}\n' >"$src/guestbook/extra/cm.json"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  key: "unclosed\n' >"$src/broken/cm.yaml"
git -C "$src" add -A && git -C "$src" commit -q -m "manifests"
git clone -q --bare "$src" "$WORK/served/apps.git"
daemon=$(bash tests/git/git-daemon.sh start "$WORK/served") || { fail "git daemon start"; exit 1; }
bare="$WORK/served/apps.git"

run() { # run DIR LOG ARGS... : tfcore in DIR with the test variables
  local dir="$1" log="$2"; shift 2
  "$TFCORE" "-chdir=$dir" "$@" -var "daemon_url=$daemon" -var "file_url=file://$bare" \
    -var "cache_dir=$WORK/cache" >"$log" 2>&1
}
out() { "$TFCORE" "-chdir=$1" output -raw "$2" 2>/dev/null; }

# 1. apply: every data source resolves, through git:// and file://
cfg="$WORK/cfg" && cp -r tests/e2e/git_revision "$cfg"
if run "$cfg" "$WORK/apply1.log" apply -auto-approve; then ok "apply resolves revisions"; else fail "apply resolves revisions" "$WORK/apply1.log"; fi
main1=$(git -C "$bare" rev-parse main)
expect_eq "branch over git://" "$(out "$cfg" main_sha)" "$main1"
expect_eq "branch ref" "$(out "$cfg" main_ref)" "refs/heads/main"
expect_eq "HEAD over file:// (default revision)" "$(out "$cfg" head_sha)" "$main1"
expect_eq "revision defaults to HEAD" "$(out "$cfg" head_revision)" "HEAD"
expect_eq "for_each: branch dev" "$(out "$cfg" dev_sha)" "$(git -C "$bare" rev-parse dev)"
expect_eq "for_each: annotated tag peeled" "$(out "$cfg" tag_sha)" "$(git -C "$bare" rev-parse 'v1^{commit}')"
expect_eq "tag ref" "$(out "$cfg" tag_ref)" "refs/tags/v1"
expect_eq "short SHA from another data source" "$(out "$cfg" pinned_sha)" "$main1"
expect_eq "author" "$(out "$cfg" author)" "E2E Author <e2e@example.com>"
expect_eq "message" "$(out "$cfg" message)" "manifests"

# 2. the branch moves: the next plan and apply see the new commit
echo two >>"$src/a.txt" && git -C "$src" commit -q -am "second commit"
git -C "$src" push -q "$bare" main
main2=$(git -C "$bare" rev-parse main)
run "$cfg" "$WORK/plan2.log" plan
if grep -q "$main2" "$WORK/plan2.log"; then ok "plan shows the moved branch's new SHA"; else fail "plan shows the moved branch's new SHA" "$WORK/plan2.log"; fi
run "$cfg" "$WORK/apply2.log" apply -auto-approve
expect_eq "apply records the new SHA" "$(out "$cfg" main_sha)" "$main2"
expect_eq "message of the new commit" "$(out "$cfg" message)" "second commit"

# 3. unknown revision: error diagnostic on the attribute, non-zero exit
bad="$WORK/bad" && cp -r tests/e2e/bad_revision "$bad"
if run "$bad" "$WORK/bad.log" plan; then
  fail "unknown revision fails the plan" "$WORK/bad.log"
elif grep -q "Unknown Git revision" "$WORK/bad.log" && grep -q "no-such-branch" "$WORK/bad.log" &&
  grep -q "main" "$WORK/bad.log"; then
  ok "unknown revision: diagnostic names the revision and the branches"
else
  fail "unknown revision: diagnostic names the revision and the branches" "$WORK/bad.log"
fi

# 4. unreachable remote: clear error, no hang
un="$WORK/un" && cp -r tests/e2e/unreachable "$un"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
start=$(date +%s)
if "$TFCORE" "-chdir=$un" plan -var "url=git://127.0.0.1:$port/none.git" -var "cache_dir=$WORK/cache" >"$WORK/un.log" 2>&1; then
  fail "unreachable remote fails the plan" "$WORK/un.log"
elif grep -q "Cannot reach the Git repository" "$WORK/un.log" && [ $(($(date +%s) - start)) -lt 30 ]; then
  ok "unreachable remote: clear error, promptly"
else
  fail "unreachable remote: clear error, promptly" "$WORK/un.log"
fi
if "$TFCORE" "-chdir=$un" plan -var "url=file://$WORK/src/a.txt" -var "cache_dir=$WORK/cache" >"$WORK/notrepo.log" 2>&1; then
  fail "non-git URL fails" "$WORK/notrepo.log"
elif grep -q "Not a Git repository\|Cannot read the Git repository" "$WORK/notrepo.log"; then
  ok "non-git URL: clear error"
else
  fail "non-git URL: clear error" "$WORK/notrepo.log"
fi

# 5. gitops_manifests: a directory source rendered at a revision, Secrets redacted
man="$WORK/man" && cp -r tests/e2e/manifests "$man"
if run "$man" "$WORK/man.log" apply -auto-approve; then ok "gitops_manifests apply"; else fail "gitops_manifests apply" "$WORK/man.log"; fi
expect_eq "directory source: top-level files" "$(out "$man" guestbook_keys)" \
  "/Secret/guestbook/creds,/Service/guestbook/guestbook-ui,apps/Deployment/guestbook/guestbook-ui"
expect_eq "directory source: recurse + exclude" "$(out "$man" all_keys)" \
  "/ConfigMap/guestbook/extra,/Service/guestbook/guestbook-ui,apps/Deployment/guestbook/guestbook-ui"
secret=$(out "$man" secret_yaml)
if echo "$secret" | grep -q "password: ++++++++" && ! echo "$secret" | grep -q hunter2; then
  ok "Secret values redacted in objects"
else
  fail "Secret values redacted in objects"
fi
expect_eq "manifests revision" "$(out "$man" revision)" "$(git -C "$bare" rev-parse main)"
bm="$WORK/bm" && cp -r tests/e2e/bad_manifest "$bm"
if run "$bm" "$WORK/bm.log" plan; then
  fail "broken YAML fails" "$WORK/bm.log"
elif grep -q "Invalid manifest" "$WORK/bm.log" && grep -q "broken/cm.yaml:[0-9]*:[0-9]*" "$WORK/bm.log"; then
  ok "broken YAML: diagnostic with file:line:column"
else
  fail "broken YAML: diagnostic with file:line:column" "$WORK/bm.log"
fi

echo "e2e (${TFCORE##*/}): $passed passed, $failed failed"
[ "$failed" -eq 0 ]

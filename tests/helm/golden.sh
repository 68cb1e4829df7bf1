#!/usr/bin/env bash
# Golden tests of `terraform-provider-gitops template` (provider/engine/helm):
#  1. every case of ../shared/charts/cases.txt against the recorded `helm template`
#     output (stdout, stderr, exit status; lines of <case>.random-lines masked);
#  2. the chart `helm create demo` makes, with several values files, against the
#     real helm (scripts/fetch-oracles.sh) run now;
#  3. the bad charts of tests/helm/bad/ (made at test time by mkbad.sh) against
#     the real helm: error text and exit status.
# Prints "helm-golden: N passed, M failed" (skipped counted separately) and exits
# non-zero on failure. BIN=... overrides the renderer (default: the provider binary
# when it has the `template` subcommand, else build/helm-template, a driver built
# from tests/helm/helm_driver.c). VERBOSE=1 prints diffs.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
B="${B:-build}"
CHARTS="${CHARTS:-$ROOT/../shared/charts}"
passed=0 failed=0 skipped=0 failed_names=()
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pkg_libs() { pkg-config --libs grpc libprotobuf-c libgit2 libcjson yaml-0.1 openssl libcurl msgpack zlib 2>/dev/null; }

if [ -z "${BIN:-}" ]; then
  BIN="$ROOT/$B/terraform-provider-gitops"
  if ! [ -x "$BIN" ] || "$BIN" template 2>&1 | grep -q "This binary is a plugin"; then
    BIN="$ROOT/$B/helm-template"
    if ! [ -x "$BIN" ] || [ "$BIN" -ot "$B/libgitops.a" ] || [ "$BIN" -ot tests/helm/helm_driver.c ]; then
      make -s -j2 "$B/libgitops.a" >/dev/null || { echo "helm-golden: cannot build $B/libgitops.a"; exit 1; }
      ${CC:-cc} ${EXTRA_CFLAGS:--O2 -g} ${EXTRA_LDFLAGS:-} -std=c11 -D_GNU_SOURCE -Iprovider \
        -o "$BIN" tests/helm/helm_driver.c "$B/libgitops.a" $(pkg_libs) -lz -lpthread -lm \
        || { echo "helm-golden: cannot build $BIN"; exit 1; }
    fi
  fi
fi
echo "helm-golden: renderer $BIN"

HELM="${HELM:-}"
if [ -z "$HELM" ]; then
  d=$(bash scripts/fetch-oracles.sh 2>/dev/null) && HELM="$d/helm"
fi
[ -n "$HELM" ] && [ -x "$HELM" ] || HELM=""
export HELM_CACHE_HOME="$TMP/hc" HELM_CONFIG_HOME="$TMP/hcfg" HELM_DATA_HOME="$TMP/hd" KUBECONFIG=/dev/null

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); failed_names+=("$1"); echo "FAIL $1${2:+ ($2)}"; }
skip() { skipped=$((skipped + 1)); echo "skip $1${2:+ ($2)}"; }

# mask FILE LINES...: replace the given 1-based line numbers by a marker
mask() { local f="$1"; shift; if [ $# -eq 0 ]; then cat "$f"; else
  awk -v L="$*" 'BEGIN{n=split(L,a," "); for(i=1;i<=n;i++) m[a[i]]=1} {if (NR in m) print "<random line>"; else print}' "$f"; fi; }

# compare NAME EXP_OUT EXP_ERR EXP_RC GOT_OUT GOT_ERR GOT_RC [random lines...]
compare() {
  local name="$1" eo="$2" ee="$3" er="$4" go="$5" ge="$6" gr="$7"; shift 7
  local why=""
  if [ -n "$*" ]; then
    mask "$eo" "$@" >"$TMP/eo.m"; mask "$go" "$@" >"$TMP/go.m"
    # the random lines must still be at the same places: line counts equal
    [ "$(wc -l <"$eo")" = "$(wc -l <"$go")" ] || why="stdout line count"
    cmp -s "$TMP/eo.m" "$TMP/go.m" || why="stdout"
  else
    cmp -s "$eo" "$go" || why="stdout"
  fi
  cmp -s "$ee" "$ge" || why="${why:+$why, }stderr"
  [ "$er" = "$gr" ] || why="${why:+$why, }rc $gr want $er"
  if [ -z "$why" ]; then ok "$name"; else
    bad "$name" "$why"
    if [ -n "${VERBOSE:-}" ]; then
      diff <(mask "$eo" "$@") <(mask "$go" "$@") | head -n "${DIFF_LINES:-40}" | cut -c1-400
      diff "$ee" "$ge" | head -n 20 | cut -c1-400
    fi
  fi
}

run_ours() { # DIR OUT ERR -- args...
  local dir="$1" out="$2" err="$3"; shift 4
  (cd "$dir" && timeout 120 "$BIN" "$@" >"$out" 2>"$err"); echo $?
}

# ---- 1. the shared corpus
if [ -f "$CHARTS/cases.txt" ]; then
  while IFS='|' read -r chart case rel ns vf extra; do
    case "$chart" in ''|'#'*) continue ;; esac
    [ -n "${ONLY:-}" ] && [[ "$chart/$case" != *$ONLY* ]] && continue
    g="$CHARTS/$chart/golden/$case"
    mapfile -t args <"$g.args"
    rc=$(run_ours "$CHARTS/$chart" "$TMP/out" "$TMP/err" -- "${args[@]}")
    rl=""; [ -f "$g.random-lines" ] && rl=$(tr '\n' ' ' <"$g.random-lines")
    # shellcheck disable=SC2086
    compare "$chart/$case" "$g.out" "$g.err" "$(tr -d '\n' <"$g.rc")" "$TMP/out" "$TMP/err" "$rc" $rl
  done <"$CHARTS/cases.txt"
else
  skip "shared corpus" "$CHARTS absent: ../shared/charts not found next to the repo"
fi

# ---- 2. `helm create demo` and 3. bad charts, against the real helm run now
live_case() { # NAME DIR -- args...
  local name="$1" dir="$2"; shift 3
  (cd "$dir" && timeout 120 "$HELM" "$@" >"$TMP/hout" 2>"$TMP/herr"); local hrc=$?
  local orc; orc=$(run_ours "$dir" "$TMP/out" "$TMP/err" -- "$@")
  compare "$name" "$TMP/hout" "$TMP/herr" "$hrc" "$TMP/out" "$TMP/err" "$orc"
}

if [ -z "$HELM" ]; then
  skip "helm create demo" "no helm oracle (scripts/fetch-oracles.sh failed)"
  skip "bad charts" "no helm oracle"
else
  W="$TMP/create"; mkdir -p "$W"
  (cd "$W" && "$HELM" create demo >/dev/null)
  cp tests/helm/create-values/*.yaml "$W/" 2>/dev/null
  live_case "create/default" "$W" -- template demo ./demo
  live_case "create/named-ns" "$W" -- template my-demo ./demo --namespace team
  for v in tests/helm/create-values/*.yaml; do
    [ -f "$v" ] || continue
    live_case "create/$(basename "$v" .yaml)" "$W" -- template demo-rel ./demo -f "$(basename "$v")"
  done
  live_case "create/set" "$W" -- template x ./demo --set replicaCount=3,image.tag=1.2.3 \
    --set-string podAnnotations.a=1 --set 'podLabels.team=web,ingress.enabled=true' \
    --set-json 'resources={"limits":{"cpu":"100m"}}' --set 'service.port=8080'
  live_case "create/show-only" "$W" -- template demo ./demo --show-only templates/service.yaml
  (cd "$W" && "$HELM" package demo >/dev/null 2>&1)
  [ -f "$W/demo-0.1.0.tgz" ] && live_case "create/tgz" "$W" -- template demo ./demo-0.1.0.tgz --set ingress.enabled=true

  if [ -f tests/helm/mkbad.sh ]; then
    BAD="$TMP/bad"; mkdir -p "$BAD"
    if ! bash tests/helm/mkbad.sh "$BAD" "$HELM" >"$TMP/mkbad.log" 2>&1; then
      bad "mkbad.sh" "could not make the bad charts"; tail -n 5 "$TMP/mkbad.log"
    fi
    while IFS='|' read -r name chart extra expect; do
      case "$name" in ''|'#'*) continue ;; esac
      if [ -n "$expect" ]; then
        # an intended difference from helm 3.17 (e.g. our archive size limits):
        # we must fail with exactly this message
        printf 'Error: %s\n' "$expect" >"$TMP/xerr"; : >"$TMP/xout"
        # shellcheck disable=SC2086
        orc=$(run_ours "$BAD" "$TMP/out" "$TMP/err" -- template rel "$chart" $extra)
        compare "bad/$name" "$TMP/xout" "$TMP/xerr" 1 "$TMP/out" "$TMP/err" "$orc"
        continue
      fi
      # shellcheck disable=SC2086
      live_case "bad/$name" "$BAD" -- template rel "$chart" $extra
    done <tests/helm/bad-cases.txt
  fi
fi

echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
[ "$skipped" -gt 0 ] && echo "helm-golden: $skipped skipped"
echo "helm-golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

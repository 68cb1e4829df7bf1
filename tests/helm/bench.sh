#!/usr/bin/env bash
# Benchmark (prints, never asserts): for every case of ../shared/charts/cases.txt,
# our `template` against the real `helm template`: median wall time and median
# peak RSS over RUNS runs (default 7), and the ratios ours/helm.
# BIN=... as in golden.sh; HELM=... to use another helm.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
B="${B:-build}"
CHARTS="${CHARTS:-$ROOT/../shared/charts}"
RUNS="${RUNS:-7}"
if [ -z "${BIN:-}" ]; then
  BIN="$ROOT/$B/terraform-provider-gitops"
  if ! [ -x "$BIN" ] || "$BIN" template 2>&1 | grep -q "This binary is a plugin"; then BIN="$ROOT/$B/helm-template"; fi
fi
HELM="${HELM:-$(bash scripts/fetch-oracles.sh 2>/dev/null)/helm}"
[ -f "$CHARTS/cases.txt" ] || { echo "bench: $CHARTS absent, nothing to measure"; exit 0; }
[ -x "$BIN" ] || { echo "bench: no renderer ($BIN); run tests/helm/golden.sh once to build it"; exit 0; }
[ -x "$HELM" ] || { echo "bench: no helm oracle"; exit 0; }
export HELM_CACHE_HOME=$(mktemp -d) HELM_CONFIG_HOME=$(mktemp -d) HELM_DATA_HOME=$(mktemp -d) KUBECONFIG=/dev/null
python3 - "$CHARTS" "$BIN" "$HELM" "$RUNS" <<'PY'
import os, sys, time, statistics, subprocess
charts, ours, helm, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def measure(cmd, cwd):
    ts, rss = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        ts.append(time.perf_counter() - t0)
        rss.append(ru.ru_maxrss)  # KiB
    return statistics.median(ts), statistics.median(rss)
print(f"{'case':45} {'ours ms':>8} {'helm ms':>8} {'time':>6} {'ours MiB':>9} {'helm MiB':>9} {'mem':>6}")
tr, mr = [], []
for line in open(os.path.join(charts, "cases.txt")):
    line = line.strip()
    if not line or line.startswith("#"): continue
    chart, case = line.split("|")[:2]
    args = [a.rstrip("\n") for a in open(os.path.join(charts, chart, "golden", case + ".args"))]
    cwd = os.path.join(charts, chart)
    ot, om = measure([ours] + args, cwd)
    ht, hm = measure([helm] + args, cwd)
    tr.append(ot / ht); mr.append(om / hm)
    print(f"{chart + '/' + case:45} {ot*1000:8.1f} {ht*1000:8.1f} {ot/ht:6.2f} {om/1024:9.1f} {hm/1024:9.1f} {om/hm:6.2f}")
if tr:
    print(f"median ratio ours/helm: time {statistics.median(tr):.2f}, peak memory {statistics.median(mr):.2f} ({runs} runs each)")
PY

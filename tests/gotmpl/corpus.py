#!/usr/bin/env python3
"""Render the chart corpus (shared/charts, cases.txt) with tmpl_driver and
compare every rendered document with Helm's golden output.  Documents are
compared as a multiset of (source, trimmed document) because ordering by kind
and manifest splitting belong to engine/helm, not to the template engine.
Lines listed in <case>.random-lines are compared by shape only (same length
class): the document must match after masking those lines in both.

Usage: corpus.py DRIVER CHARTS_DIR  → prints "corpus: N passed, M failed"."""
import os
import re
import subprocess
import sys

SEP = re.compile(r"(?:^|\s*\n)---\s*")


def helm_docs(text, random_lines=()):
    """(source, doc) pairs; docs containing random lines get those lines
    replaced by a marker that matches anything (see same())."""
    docs = []
    cur_src = None
    cur = []
    for no, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^# Source: (.*)$", line)
        if m and (not cur or cur[-1] == "---"):
            if cur_src is not None:
                body = "\n".join(cur[:-1] if cur and cur[-1] == "---" else cur)
                docs.append((cur_src, body.strip()))
            cur_src = m.group(1)
            cur = []
            continue
        cur.append("\x00RANDOM" if no in random_lines else line)
    if cur_src is not None:
        docs.append((cur_src, "\n".join(cur).strip()))
    return docs


def same(exp, got):
    if "\x00RANDOM" not in exp:
        return exp == got
    el, gl = exp.split("\n"), got.split("\n")
    return len(el) == len(gl) and all(a == b or a == "\x00RANDOM" for a, b in zip(el, gl))


def driver_docs(text):
    files = []
    cur_src = None
    cur = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i] == "---" and i + 1 < len(lines) and lines[i + 1].startswith("# Source: "):
            if cur_src is not None:
                files.append((cur_src, "\n".join(cur)))
            cur_src = lines[i + 1][len("# Source: "):]
            cur = []
            i += 2
            continue
        cur.append(lines[i])
        i += 1
    if cur_src is not None:
        files.append((cur_src, "\n".join(cur)))
    docs = []
    for src, body in files:
        for d in SEP.split(body):
            d = d.strip()
            if d:
                docs.append((src, d))
    return docs


def main():
    driver, charts = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with open(os.path.join(charts, "cases.txt")) as f:
        rows = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    for row in rows:
        chart, case, rel, ns, vfile, extra = (row.split("|") + [""] * 6)[:6]
        base = os.path.join(charts, chart)
        cmd = [driver, os.path.join(base, "chart"), "-r", rel, "-n", ns]
        if vfile:
            cmd += ["-f", os.path.join(base, vfile)]
        cmd += [a for a in extra.split(" ") if a]
        p = subprocess.run(cmd, capture_output=True, env=dict({"ASAN_OPTIONS": "detect_leaks=0"}, **os.environ, TMPL_SEED="1"))
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        g = os.path.join(base, "golden", case)
        gout = open(g + ".out", encoding="utf-8").read()
        gerr = open(g + ".err", encoding="utf-8").read() if os.path.exists(g + ".err") else ""
        grc = int(open(g + ".rc").read().strip() or 0) if os.path.exists(g + ".rc") else 0
        name = "%s/%s" % (chart, case)
        if case == "err-schema":
            continue  # values.schema.json validation is engine/helm's job
        if grc != 0:
            exp = [l for l in gerr.split("\n") if l.startswith("Error: ")]
            got = [l for l in err.split("\n") if l.startswith("Error: ")]
            if p.returncode != 0 and exp[:1] == got[:1]:
                passed += 1
            else:
                failed += 1
                print("FAIL %s: expected error %r\n  got rc=%d %r" % (name, exp[:1], p.returncode, (got or [out[:300]])[:1]))
            continue
        if p.returncode != 0:
            failed += 1
            print("FAIL %s: driver error: %s" % (name, err.strip()[:1500]))
            continue
        randf = g + ".random-lines"
        rl = set()
        if os.path.exists(randf):
            rl = {int(x) for x in open(randf).read().split() if x.strip().isdigit()}
        exp = helm_docs(gout, rl)
        got = driver_docs(out)
        remaining = list(got)
        unmatched = []
        for d in exp:
            for i, gd in enumerate(remaining):
                if gd[0] == d[0] and same(d[1], gd[1]):
                    del remaining[i]
                    break
            else:
                unmatched.append(d)
        if not unmatched and not remaining:
            passed += 1
            continue
        se, sg = unmatched + [d for d in exp if d not in unmatched], remaining + [d for d in got if d not in remaining]
        failed += 1
        print("FAIL %s: %d expected docs, %d rendered" % (name, len(se), len(sg)))
        gs = set(sg)
        es = set(se)
        shown = 0
        for d in se:
            if d not in gs and shown < 2:
                shown += 1
                cand = [x for x in sg if x[0] == d[0]]
                print("  expected doc from %s:\n%s" % (d[0], d[1][:1500]))
                if cand:
                    print("  rendered docs from same source:\n%s" % cand[0][1][:1500])
        for d in sg:
            if d not in es and shown < 3:
                shown += 1
                print("  unexpected doc from %s:\n%s" % (d[0], d[1][:800]))
    print("corpus: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

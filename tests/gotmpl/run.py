#!/usr/bin/env python3
"""Oracle tests for provider/engine/gotmpl: every case of tests/gotmpl/cases/*.txt
is rendered by the real `helm template` and by tmpl_driver, and the outputs
(or error messages) must match byte for byte.

Case file format:
    === NAME [err] [shape=REGEX]
    --- values          (optional; YAML for values.yaml, else values.yaml beside)
    ...
    --- defs            (optional; top-level text placed before the case, e.g. defines)
    ...
    --- tpl             (optional marker; the rest is the template)
    ...
The last newline of a block is dropped (add an empty line to keep one).

Non-error cases are batched: each case becomes `{{define "cN"}}TPL{{end}}` in
templates/_cN.tpl and a line `cN: {{ include "cN" . | b64enc }}` of
templates/t.yaml, so a batch needs one helm run.  `err` cases (and cases of a
batch that fails) run alone with the template as templates/t.yaml and compare
Helm's error message.  `shape=REGEX`: both outputs must fully match REGEX
(random / time dependent functions).
"""
import base64
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_cases(path):
    cases = []
    cur = None
    sect = "tpl"
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line in lines:
        if line.startswith("=== "):
            if cur:
                cases.append(cur)
            parts = line[4:].split(" ", 1)
            name = parts[0]
            flags = parts[1] if len(parts) > 1 else ""
            cur = {"name": name, "values": None, "defs": "", "tpl": [], "err": False,
                   "shape": None, "file": os.path.basename(path), "vlines": [], "dlines": []}
            m = re.search(r"shape=(\S+)", flags)
            if m:
                cur["shape"] = m.group(1)
            cur["err"] = bool(re.search(r"(^|\s)err(\s|$)", flags))
            sect = "tpl"
            continue
        if cur is None:
            continue
        if line in ("--- values", "--- defs", "--- tpl"):
            sect = line[4:]
            if sect == "values":
                cur["values"] = ""
            continue
        {"tpl": cur["tpl"], "values": cur["vlines"], "defs": cur["dlines"]}[sect].append(line)
    if cur:
        cases.append(cur)
    for c in cases:
        # drop trailing empty line that separates cases, then keep text as is
        def block(ls):
            if ls and ls[-1] == "":
                ls = ls[:-1]
            return "\n".join(ls)
        c["tpl"] = block(c["tpl"])
        c["defs"] = block(c["dlines"])
        if c["values"] is not None:
            c["values"] = "\n".join(c["vlines"]) + "\n"
    return cases


def write_chart(d, values, files):
    os.makedirs(os.path.join(d, "templates"), exist_ok=True)
    with open(os.path.join(d, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: x\nversion: 0.1.0\nappVersion: \"1.16.0\"\n"
                "description: test chart\nannotations:\n  a: b\nkeywords: [k1, k2]\n")
    with open(os.path.join(d, "values.yaml"), "w") as f:
        f.write(values)
    os.makedirs(os.path.join(d, "files"), exist_ok=True)
    with open(os.path.join(d, "files", "a.txt"), "w") as f:
        f.write("line one\nline two\n")
    with open(os.path.join(d, "files", "b.conf"), "w") as f:
        f.write("key=value")
    for name, text in files.items():
        with open(os.path.join(d, "templates", name), "w", encoding="utf-8") as f:
            f.write(text)


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def error_line(stderr):
    for l in stderr.split("\n"):
        if l.startswith("Error: "):
            return l[len("Error: "):]
    return stderr.strip()


def decode_batch(stdout):
    res = {}
    for l in stdout.split("\n"):
        m = re.match(r"^(c\d+):\s?(.*)$", l)
        if m:
            res[m.group(1)] = base64.b64decode(m.group(2).strip().strip('"')).decode("utf-8", "replace")
    return res


class Runner:
    def __init__(self, helm, driver, default_values):
        self.helm = helm
        self.driver = driver
        self.default_values = default_values
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.env = dict(os.environ, TMPL_SEED="12345")
        # the driver is a test tool that does not free its chart data
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0")

    def both(self, chart):
        h = run([self.helm, "template", "x", chart])
        d = run([self.driver, chart], env=self.env)
        return h, d

    def check(self, case, expect, got):
        ok = False
        if case["shape"]:
            rx = re.compile(case["shape"], re.S)
            ok = rx.fullmatch(expect) is not None and rx.fullmatch(got) is not None
        else:
            ok = expect == got
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append((case, expect, got))

    def run_alone(self, case):
        values = case["values"] if case["values"] is not None else self.default_values
        with tempfile.TemporaryDirectory() as d:
            if case["err"]:
                write_chart(d, values, {"t.yaml": case["defs"] + case["tpl"]})
            else:
                write_chart(d, values, {"_c0.tpl": case["defs"] + '{{define "c0"}}' + case["tpl"] + "{{end}}",
                                        "t.yaml": 'c0: {{ include "c0" . | b64enc }}\n'})
            (hc, ho, he), (dc, do, de) = self.both(d)
            if hc != 0 or dc != 0:
                exp = "ERROR: " + error_line(he) if hc != 0 else "OUTPUT: " + ho
                got = "ERROR: " + error_line(de) if dc != 0 else "OUTPUT: " + do
                self.check(case, exp, got)
                return
            if case["err"]:
                self.check(case, ho.strip(), do.strip())
            else:
                self.check(case, decode_batch(ho).get("c0", "<missing>"), decode_batch(do).get("c0", "<missing>"))

    def run_batch(self, cases, values):
        files = {}
        lines = []
        for i, c in enumerate(cases):
            files["_c%d.tpl" % i] = c["defs"] + '{{define "c%d"}}' % i + c["tpl"] + "{{end}}"
            lines.append('c%d: {{ include "c%d" . | b64enc }}' % (i, i))
        files["t.yaml"] = "\n".join(lines) + "\n"
        with tempfile.TemporaryDirectory() as d:
            write_chart(d, values, files)
            (hc, ho, he), (dc, do, de) = self.both(d)
        if hc != 0:
            for c in cases:
                self.run_alone(c)
            return
        exp = decode_batch(ho)
        got = decode_batch(do) if dc == 0 else {}
        for i, c in enumerate(cases):
            k = "c%d" % i
            if dc != 0:
                self.check(c, exp.get(k), "ERROR: " + error_line(de))
            else:
                self.check(c, exp.get(k, "<missing>"), got.get(k, "<missing>"))


def main():
    args = sys.argv[1:]
    extra_p = extra_f = 0
    if args and args[0] == "--extra":
        extra_p, extra_f = int(args[1]), int(args[2])
        args = args[3:]
    helm = args[0]
    driver = args[1]
    files = args[2:]
    with open(os.path.join(HERE, "values.yaml")) as f:
        default_values = f.read()
    r = Runner(helm, driver, default_values)
    groups = {}
    for path in files:
        for c in parse_cases(path):
            if c["err"]:
                r.run_alone(c)
                continue
            v = c["values"] if c["values"] is not None else default_values
            groups.setdefault(v, []).append(c)
    for v, cs in groups.items():
        for i in range(0, len(cs), 200):
            r.run_batch(cs[i:i + 200], v)
    for case, exp, got in r.failures:
        print("FAIL %s:%s" % (case["file"], case["name"]))
        print("  template: %r" % case["tpl"][:300])
        print("  expected: %r" % (exp if exp is None else exp[:600]))
        print("  got:      %r" % (got if got is None else got[:600]))
    print("gotmpl: %d passed, %d failed" % (r.passed + extra_p, r.failed + extra_f))
    return 0 if r.failed + extra_f == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

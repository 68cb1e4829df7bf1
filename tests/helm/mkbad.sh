#!/usr/bin/env bash
# Makes the bad charts of tests/helm/bad-cases.txt in DIR (at test time; nothing
# of it is committed): template syntax / runtime errors, required values,
# schema violations, malicious tarballs, missing dependencies, include loops...
set -euo pipefail
D="$1"
mkdir -p "$D"
cd "$D"

chart() { # NAME [type]
  mkdir -p "$1/templates"
  printf 'apiVersion: v2\nname: %s\nversion: 0.1.0\n%s' "$1" "${2:+type: $2
}" >"$1/Chart.yaml"
}

chart syntax
printf 'a: {{ .Values.x \n' >syntax/templates/cm.yaml

chart syntax2
printf 'a: {{ if .Values.x }}\nb\n' >syntax2/templates/cm.yaml

chart funcmissing
printf 'a: {{ nosuchfunc .Values.x }}\n' >funcmissing/templates/cm.yaml

chart runtime
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.missing.deep }}\n' >runtime/templates/cm.yaml

chart runtime2
printf 'a: {{ index .Values.list 5 }}\n' >runtime2/templates/cm.yaml
printf 'list: [1, 2]\n' >runtime2/values.yaml

chart required
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required "A valid .Values.name entry required!" .Values.name }}\n' >required/templates/cm.yaml

chart failing
printf '{{ fail "something went wrong" }}\n' >failing/templates/a.yaml

chart schema
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' >schema/templates/cm.yaml
printf 'replicas: 1\nimage: {repository: nginx, tag: "1"}\n' >schema/values.yaml
cat >schema/values.schema.json <<'J'
{
  "$schema": "https://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["image", "replicas"],
  "properties": {
    "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
    "image": {
      "type": "object",
      "required": ["repository"],
      "properties": {
        "repository": {"type": "string", "pattern": "^[a-z]+$"},
        "tag": {"type": "string"},
        "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}
      },
      "additionalProperties": false
    },
    "mode": {"$ref": "#/definitions/mode"}
  },
  "definitions": {"mode": {"type": "string", "enum": ["a", "b"]}}
}
J

chart badyaml
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b: c\n' >badyaml/templates/cm.yaml

chart loop
cat >loop/templates/_h.tpl <<'T'
{{- define "loop.a" -}}{{ include "loop.a" . }}{{- end -}}
T
printf 'a: {{ include "loop.a" . }}\n' >loop/templates/cm.yaml

chart missingdep
cat >>missingdep/Chart.yaml <<'Y'
dependencies:
  - name: postgresql
    version: 1.x.x
    repository: https://charts.example.com
Y
printf 'a: b\n' >missingdep/templates/cm.yaml

chart lib library
printf '{{- define "lib.x" }}x{{ end }}\n' >lib/templates/_x.tpl

chart kubever
printf 'kubeVersion: ">=1.40.0"\n' >>kubever/Chart.yaml
printf 'a: b\n' >kubever/templates/cm.yaml

chart badvalues
printf 'a: [unclosed\n' >badvalues/values.yaml
printf 'a: b\n' >badvalues/templates/cm.yaml

chart notchart
rm notchart/Chart.yaml

# malicious archives: ../ escape, absolute path, symlink out, huge file
python3 - <<'PY'
import io, tarfile, gzip
def tgz(name, entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for n, data, kind in entries:
            ti = tarfile.TarInfo(n)
            if kind == "sym":
                ti.type = tarfile.SYMTYPE; ti.linkname = data; t.addfile(ti)
            elif kind == "huge":
                ti.size = data
                class Z(io.RawIOBase):
                    def __init__(s, n): s.n = n
                    def readinto(s, b):
                        k = min(len(b), s.n); b[:k] = bytes(k); s.n -= k; return k
                t.addfile(ti, io.BufferedReader(Z(data)))
            else:
                b = data.encode(); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
    open(name, "wb").write(buf.getvalue())
chart = ("evil/Chart.yaml", "apiVersion: v2\nname: evil\nversion: 0.1.0\n", "f")
tpl = ("evil/templates/cm.yaml", "a: b\n", "f")
tgz("traversal.tgz", [chart, tpl, ("evil/../../etc/evil.yaml", "x: 1\n", "f")])
tgz("absolute.tgz", [chart, tpl, ("/etc/evil.yaml", "x: 1\n", "f")])
tgz("symlink.tgz", [chart, ("evil/templates/cm.yaml", "/etc/passwd", "sym")])
tgz("huge.tgz", [chart, tpl, ("evil/files/big.bin", 200 * 1024 * 1024, "huge")])
tgz("toplevel.tgz", [("Chart.yaml", "apiVersion: v2\nname: evil\nversion: 0.1.0\n", "f")])
open("notgz.tgz", "w").write("this is not an archive\n")
PY

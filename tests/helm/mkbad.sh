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
                    def readable(s): return True
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

# ---- good charts exercising dependency / CRD / library semantics ----
mkdir -p deps/templates deps/crds deps/charts/sub/templates deps/charts/sub/crds deps/charts/lib/templates deps/charts/off/templates
cat >deps/Chart.yaml <<'Y'
apiVersion: v2
name: deps
version: 1.2.3
appVersion: "4.5"
kubeVersion: ">=1.20.0-0"
dependencies:
  - name: sub
    version: 0.1.0
    condition: sub.enabled,global.subOn
    import-values:
      - data
      - child: cfg
        parent: fromSub
  - name: sub
    alias: sub2
    version: "~0.1"
    tags: [extra]
  - name: lib
    version: 1.0.0
  - name: off
    version: 1.0.0
    condition: off.enabled
Y
cat >deps/values.yaml <<'Y'
global:
  env: prod
  nested: {a: 1}
fromSub: {keep: parent}
sub2: {greeting: hola}
tags: {extra: true}
Y
printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n' >deps/crds/widget.yaml
printf '# not a manifest\n' >deps/crds/README.md
cat >deps/templates/cm.yaml <<'T'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-{{ .Chart.Name }}
  labels: {{ include "lib.labels" . | nindent 4 }}
data:
  values: {{ toJson .Values | quote }}
  subcharts: {{ keys .Subcharts | sortAlpha | join "," | quote }}
  template: {{ .Template.Name }} {{ .Template.BasePath }}
  chart: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.IsRoot }}
  files: {{ range $p, $_ := .Files }}{{ $p }} {{ end }}
  crd: {{ .Files.Get "crds/widget.yaml" | b64enc }}
---
{{- /* empty doc above and comment-only doc below */}}
---
# just a comment
---
apiVersion: batch/v1
kind: Job
metadata:
  name: hook
  annotations:
    "helm.sh/hook": post-install,pre-upgrade
    "helm.sh/hook-weight": "-5"
---
apiVersion: v1
kind: Pod
metadata:
  name: test
  annotations:
    helm.sh/hook: test
T
printf 'Thanks for installing {{ .Chart.Name }} as {{ .Release.Name }}\n' >deps/templates/NOTES.txt
printf '{{- define "deps.x" }}parent{{ end }}\n' >deps/templates/_helpers.tpl
printf 'data.txt content\n' >deps/data.txt
printf '*.txt\n!data.txt\n' >deps/.helmignore.disabled
printf 'apiVersion: v2\nname: sub\nversion: 0.1.0\n' >deps/charts/sub/Chart.yaml
cat >deps/charts/sub/values.yaml <<'Y'
enabled: true
greeting: hello
global: {env: dev, own: sub}
exports:
  data: {exported: yes}
cfg: {keep: child, extra: 2}
Y
cat >deps/charts/sub/templates/svc.yaml <<'T'
apiVersion: v1
kind: Service
metadata:
  name: {{ .Chart.Name }}-{{ .Values.greeting }}
  annotations:
    global: {{ toJson .Values.global | quote }}
    root: {{ .Chart.IsRoot | quote }}
    tpl: {{ include "deps.x" . }}
spec:
  ports: [{port: 80}]
T
printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.example.com\n' >deps/charts/sub/crds/gadget.yaml
printf 'apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n' >deps/charts/lib/Chart.yaml
printf '{{- define "lib.labels" -}}\napp: {{ .Chart.Name }}\nrelease: {{ .Release.Name }}\n{{- end }}\n' >deps/charts/lib/templates/_labels.tpl
printf 'kind: ShouldNotRender\n' >deps/charts/lib/templates/cm.yaml
printf 'apiVersion: v2\nname: off\nversion: 1.0.0\n' >deps/charts/off/Chart.yaml
printf 'enabled: false\n' >deps/charts/off/values.yaml
printf 'kind: Off\nmetadata: {name: off}\n' >deps/charts/off/templates/x.yaml
tar -czf deps-packed.tgz deps

# ordering: many kinds in one file and across files
mkdir -p order/templates
printf 'apiVersion: v2\nname: order\nversion: 0.1.0\n' >order/Chart.yaml
for k in Deployment Service Namespace Widget ConfigMap Alpha ClusterRole Ingress PriorityClass; do
  printf -- '---\nkind: %s\nmetadata: {name: %s}\n' "$k" "$(echo $k | tr A-Z a-z)" >>order/templates/b-all.yaml
done
printf 'kind: Service\nmetadata: {name: a-svc}\n---\nkind: Secret\nmetadata: {name: s}\n' >order/templates/a.yaml
printf 'kind: Service\nmetadata: {name: z-svc}\n' >order/templates/z.yaml

# values semantics: YAML 1.1 scalars, --set typing, nulls, merging, globals
mkdir -p vals/templates
printf 'apiVersion: v2\nname: vals\nversion: 0.1.0\n' >vals/Chart.yaml
cat >vals/values.yaml <<'Y'
keep: 1
drop: gone
nested: {a: 1, b: {c: 2}, l: [1, 2]}
nums: {int: 42, big: 1000000, float: 1.5, oct: 0777, hex: 0x1F, exp: 1e3, under: 1_000, neg: -7}
bools: {a: yes, b: off, c: True, d: "yes"}
y: yes-key
n: no-key
date: 2001-12-14
empty:
list: [a, b]
anchors:
  base: &b {x: 1, w: 2}
  derived:
    <<: *b
    w: 3
Y
cat >vals/templates/cm.yaml <<'T'
apiVersion: v1
kind: ConfigMap
metadata:
  name: vals
data:
  json: {{ toJson .Values | quote }}
  yaml: |
{{ toYaml .Values | indent 4 }}
  kinds: {{ kindOf .Values.nums.int }} {{ kindOf .Values.keep }} {{ typeOf .Values.nums.big }}
  big: {{ .Values.nums.big }}
T
printf 'nested: {b: {d: 3}, l: [9]}\ndrop: null\nextra: {x: 1}\n' >vals/f1.yaml
printf 'nested: {a: override}\nextra: {y: 2}\n' >vals/f2.yaml
printf 'file content\nline 2\n' >vals/content.txt

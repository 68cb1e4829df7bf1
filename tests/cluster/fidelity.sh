#!/usr/bin/env bash
# Fidelity tests of tests/cluster: the Python unit tests, then the real kubectl (v1.32) and helm (v3.17)
# against a running server. Prints "cluster: N passed, M failed" last; exits non-zero on any failure.
#   KEEP=1 keeps the work directory; VERBOSE=1 prints the output of passing checks too.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/cluster"
export PYTHONDONTWRITEBYTECODE=1
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; if [ -n "${VERBOSE:-}" ] && [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/     | /'; fi; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 40 | sed 's/^/     | /'; }

# t NAME RC REGEX cmd...   run cmd; pass when its exit code is RC ('*' = any) and its output matches REGEX
t() {
  local name=$1 want=$2 re=$3 out rc
  shift 3
  out=$("$@" 2>&1); rc=$?
  if { [ "$want" = "*" ] || [ "$rc" = "$want" ]; } && grep -qE -- "$re" <<<"$out"; then ok "$name" "$out"
  else ko "$name (rc=$rc, want rc=$want and /$re/)" "$out"; fi
}
# tn NAME REGEX cmd...   pass when the output does NOT match REGEX (and cmd succeeds)
tn() {
  local name=$1 re=$2 out rc
  shift 2
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = 0 ] && ! grep -qE -- "$re" <<<"$out"; then ok "$name" "$out"; else ko "$name (rc=$rc, must not match /$re/)" "$out"; fi
}
# eventually NAME SECONDS REGEX cmd...   retry until the output matches
eventually() {
  local name=$1 secs=$2 re=$3 out end
  shift 3
  end=$((SECONDS + secs))
  while :; do
    out=$("$@" 2>&1)
    if grep -qE -- "$re" <<<"$out"; then ok "$name" "$out"; return; fi
    [ $SECONDS -ge $end ] && { ko "$name (timeout, want /$re/)" "$out"; return; }
    sleep 0.1
  done
}

# ---------------------------------------------------------------- unit tests
PY=${PYTHON:-python3}
if ! "$PY" -c 'import yaml' >/dev/null 2>&1 && /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1; then PY=/usr/bin/python3; fi
echo "# unit tests (python unittest)"
uout=$(cd "$HERE" && "$PY" -m unittest discover -s . -p 'test_*.py' 2>&1); urc=$?
ran=$(grep -oE '^Ran [0-9]+' <<<"$uout" | grep -oE '[0-9]+' || echo 0)
ufail=0
for n in $(grep -oE '(failures|errors)=[0-9]+' <<<"$uout" | grep -oE '[0-9]+'); do ufail=$((ufail + n)); done
if [ "$urc" != 0 ] && [ "$ufail" = 0 ]; then ufail=1; fi
pass=$((pass + ran - ufail)); fail=$((fail + ufail))
echo "unit: $((ran - ufail)) passed, $ufail failed"
[ "$ufail" = 0 ] || printf '%s\n' "$uout" | tail -n 40

# ---------------------------------------------------------------- oracles + server
ORACLES=$(bash "$ROOT/scripts/fetch-oracles.sh") || { ko "fetch oracles (kubectl, helm)"; echo "cluster: $pass passed, $fail failed"; exit 1; }
K="$ORACLES/kubectl"
H="$ORACLES/helm"
W=$(mktemp -d /tmp/cluster-fidelity.XXXXXX)
cleanup() {
  "$ROOT/scripts/test-cluster" stop "$W/srv" >/dev/null 2>&1
  "$ROOT/scripts/test-cluster" stop "$W/srv2" >/dev/null 2>&1
  if [ -n "${KEEP:-}" ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
export KUBEAPI_QUIET=1
t "start: scripts/test-cluster start" 0 "https://127.0.0.1:[0-9]+" "$ROOT/scripts/test-cluster" start "$W/srv" --status-delay 0.3
t "start: second server in another dir" 0 "https://127.0.0.1:[0-9]+" "$ROOT/scripts/test-cluster" start "$W/srv2"
p1=$(cat "$W/srv/port" 2>/dev/null); p2=$(cat "$W/srv2/port" 2>/dev/null)
if [ -n "$p1" ] && [ "$p1" != "$p2" ]; then ok "start: different ports ($p1, $p2)"; else ko "start: different ports ($p1, $p2)"; fi
t "stop: second server" 0 "" "$ROOT/scripts/test-cluster" stop "$W/srv2"
if [ ! -f "$W/srv/kubeconfig" ]; then ko "kubeconfig written"; echo "cluster: $pass passed, $fail failed"; exit 1; fi
export KUBECONFIG="$W/srv/kubeconfig" KUBECACHEDIR="$W/kcache"
export HELM_CACHE_HOME="$W/helm/cache" HELM_CONFIG_HOME="$W/helm/config" HELM_DATA_HOME="$W/helm/data"
TOKEN=$(cat "$W/srv/token")
API="https://127.0.0.1:$p1"
CURL=(curl -sS --cacert "$W/srv/ca.crt" -H "Authorization: Bearer $TOKEN")
admin() { "${CURL[@]}" -X "$1" "$API$2" ${3:+-H 'Content-Type: application/json' -d "$3"}; }
M="$W/manifests"
mkdir -p "$M/all" "$M/cr"

# ---------------------------------------------------------------- discovery, auth
echo "# discovery and auth"
t "kubectl version shows server v1.32" 0 "Server Version: v1\.32\." "$K" version
t "kubectl api-resources lists built-ins" 0 "deployments +deploy +apps/v1 +true +Deployment" "$K" api-resources
t "api-resources: cluster-scoped kinds" 0 "customresourcedefinitions +crd,crds +apiextensions.k8s.io/v1 +false" "$K" api-resources
t "aggregated discovery content type" 0 "Content-Type: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" \
  "${CURL[@]}" -D - -o /dev/null -H "Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" "$API/apis"
t "legacy discovery /apis/apps/v1" 0 '"kind":"APIResourceList","apiVersion":"v1","groupVersion":"apps/v1"' "${CURL[@]}" "$API/apis/apps/v1"
t "401 Status without token" 0 '"reason":"Unauthorized","code":401' curl -sS --cacert "$W/srv/ca.crt" "$API/api/v1/namespaces"
t "kubectl with a bad token: Unauthorized" 1 "error: You must be logged in to the server \(Unauthorized\)" \
  "$K" --token=wrong get ns

# ---------------------------------------------------------------- manifests of many kinds
cat > "$M/all/00-ns.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: shop}
EOF
cat > "$M/all/10-core.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {app: shop, tier: web}}
data: {mode: production, level: info}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop, labels: {app: shop}}
type: Opaque
stringData: {password: s3cret}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: shop, namespace: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: shop, tier: web}}
spec:
  selector: {app: shop}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: shop, labels: {app: shop, tier: edge}}
spec:
  type: LoadBalancer
  selector: {app: shop}
  ports: [{port: 443}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop, labels: {app: debug}}
spec:
  containers: [{name: sh, image: busybox:1.36, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: shop}
spec: {hard: {pods: "20"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits: [{type: Container, default: {cpu: 500m}}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: external, namespace: shop}
subsets: [{addresses: [{ip: 10.1.2.3}], ports: [{port: 5432}]}]
EOF
cat > "$M/all/20-apps.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: shop, tier: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      serviceAccountName: shop
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 8080}]
        env: [{name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop, labels: {app: db}}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres:16}]}
  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: fluent-bit:3.0}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox:1.36, command: ["true"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: busybox:1.36}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: shop}}
EOF
cat > "$M/all/30-net-rbac.yaml" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: shop, namespace: shop}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "shop:viewer"}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "shop:viewer"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "shop:viewer"}
subjects: [{kind: ServiceAccount, name: shop, namespace: shop}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/fast
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: leader, namespace: shop}
spec: {holderIdentity: web-0, leaseDurationSeconds: 15}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: shop-validate}
webhooks:
- name: validate.shop.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: webhook, namespace: shop, path: /validate}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: shop-mutate}
webhooks:
- name: mutate.shop.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: webhook, namespace: shop, path: /mutate}}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.shop.example.com}
spec:
  group: metrics.shop.example.com
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: metrics, namespace: shop}
  insecureSkipTLSVerify: true
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.shop.example.com}
spec:
  group: shop.example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wdg], categories: [shop]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              color: {type: string}
              size: {type: integer, default: 1}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  properties: {name: {type: string}, port: {type: integer}}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
EOF
cat > "$M/cr/widget.yaml" <<'EOF'
apiVersion: shop.example.com/v1
kind: Widget
metadata: {name: blue, namespace: shop, labels: {app: shop}}
spec:
  color: blue
  ports: [{name: http, port: 80}]
EOF

echo "# server-side apply of many kinds"
t "kubectl apply --server-side -f dir (31 objects)" 0 "customresourcedefinition.apiextensions.k8s.io/widgets.shop.example.com serverside-applied" \
  "$K" apply --server-side -f "$M/all"
n=$("$K" apply --server-side -f "$M/all" 2>&1 | grep -c "serverside-applied")
if [ "$n" = 31 ]; then ok "re-apply is idempotent for all 31 objects"; else ko "re-apply: $n of 31 serverside-applied"; fi
admin POST /_test/settle >/dev/null
KINDS=deploy,sts,ds,job,cronjob,hpa,pdb,ing,ingressclass,netpol,role,rolebinding,clusterrole,clusterrolebinding,sc,lease,validatingwebhookconfiguration,mutatingwebhookconfiguration,apiservice,crd,cm,secret,sa,svc,pvc,pod,quota,limits,ep,ns
JP='{range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}'
"$K" get "$KINDS" -A -o jsonpath="$JP" > "$W/rv1" 2>&1
"$K" apply --server-side -f "$M/all" >/dev/null 2>&1
"$K" get "$KINDS" -A -o jsonpath="$JP" > "$W/rv2" 2>&1
if [ -s "$W/rv1" ] && diff "$W/rv1" "$W/rv2" >/dev/null; then ok "re-apply keeps every resourceVersion ($(wc -l < "$W/rv1") objects)"
else ko "re-apply keeps every resourceVersion" "$(diff "$W/rv1" "$W/rv2")"; fi
t "kubectl wait crd established" 0 "condition met" "$K" wait --for condition=established --timeout=10s crd/widgets.shop.example.com
t "custom resource applies after CRD" 0 "widget.shop.example.com/blue serverside-applied" "$K" apply --server-side -f "$M/cr"
t "kubectl get by CRD short name and printer columns" 0 "NAME +COLOR +SIZE +AGE" "$K" get wdg -n shop
t "printer column values (default from schema)" 0 "blue +blue +1 " "$K" get widgets -n shop
t "kubectl get by category" 0 "widget.shop.example.com/blue" "$K" get shop -n shop -o name
t "kubectl get -o yaml: managedFields Apply by kubectl" 0 "manager: kubectl" "$K" get cm settings -n shop -o yaml --show-managed-fields
t "kubectl get -o yaml: list-map keys in fieldsV1" 0 'k:\{"containerPort":8080,"protocol":"TCP"\}' \
  "$K" get deploy web -n shop -o yaml --show-managed-fields
t "kubectl get -o yaml: defaults applied" 0 "terminationMessagePolicy: File" "$K" get deploy web -n shop -o yaml
t "secret stringData stored as data" 0 "password: czNjcmV0" "$K" get secret creds -n shop -o yaml
t "service got a cluster IP" 0 "clusterIP: 10\.9[6-9]\." "$K" get svc web -n shop -o yaml
t "kubectl get -o json works" 0 '"kind": "Deployment"' "$K" get deploy web -n shop -o json

echo "# status simulation"
t "deployment becomes Available" 0 "condition met" "$K" wait --for=condition=Available --timeout=15s deploy/web -n shop
t "kubectl rollout status deployment" 0 "successfully rolled out" "$K" rollout status deploy/web -n shop --timeout=15s
t "kubectl rollout status statefulset" 0 "roll out complete|rolling update complete" "$K" rollout status sts/db -n shop --timeout=15s
t "kubectl rollout status daemonset" 0 "successfully rolled out" "$K" rollout status ds/agent -n shop --timeout=15s
t "job completes" 0 "condition met" "$K" wait --for=condition=complete --timeout=15s job/migrate -n shop
t "pod becomes Ready" 0 "condition met" "$K" wait --for=condition=Ready --timeout=15s pod/debug -n shop
eventually "pvc Bound" 10 "^Bound$" "$K" get pvc data -n shop -o jsonpath='{.status.phase}'
eventually "statefulset claims Bound" 10 "Bound.*Bound" "$K" get pvc -n shop -l app=db -o jsonpath='{.items[*].status.phase}'
eventually "LoadBalancer service gets ingress IP" 10 "^127.0.0.1$" "$K" get svc lb -n shop -o jsonpath='{.status.loadBalancer.ingress[0].ip}'
eventually "ingress gets an address" 10 "^127.0.0.1$" "$K" get ing web -n shop -o jsonpath='{.status.loadBalancer.ingress[0].ip}'
eventually "APIService Available" 10 "^True$" "$K" get apiservice v1beta1.metrics.shop.example.com -o jsonpath='{.status.conditions[?(@.type=="Available")].status}'
t "kubectl get pods (from controllers)" 0 "web-[a-z0-9]{10}-[a-z0-9]{5} +1/1 +Running" "$K" get pods -n shop
t "kubectl get deploy table columns" 0 "web +2/2 +2 +2 " "$K" get deploy -n shop
t "kubectl get job table" 0 "migrate +Complete +1/1" "$K" get jobs -n shop
t "status subresource GET" 0 '"availableReplicas":2' "$K" get --raw /apis/apps/v1/namespaces/shop/deployments/web/status
t "kubectl scale via scale subresource" 0 "scaled" "$K" scale deploy/web -n shop --replicas=3
eventually "scaled deployment ready 3/3" 10 "^3$" "$K" get deploy web -n shop -o jsonpath='{.status.readyReplicas}'

echo "# selectors"
t "get -l key=value" 0 "settings" "$K" get cm -n shop -l app=shop
t "get -l key==value" 0 "web" "$K" get svc -n shop -l tier==web
t "get -l key!=value" 0 "^service/lb" "$K" get svc -n shop -l 'tier!=web' -o name
t "get -l in (...)" 0 "service/lb" "$K" get svc -n shop -l 'tier in (edge,db)' -o name
tn "get -l notin (...)" "service/lb" "$K" get svc -n shop -l 'tier notin (edge)' -o name
t "get -l exists" 0 "deployment.apps/web" "$K" get deploy -n shop -l tier -o name
tn "get -l !key" "deployment.apps/web" "$K" get deploy,sts -n shop -l '!tier' -o name
t "get --field-selector metadata.name" 0 "^configmap/settings$" "$K" get cm -n shop --field-selector metadata.name=settings -o name
t "bad label selector: BadRequest" 1 "Error from server \(BadRequest\)|unable to parse requirement" "$K" get cm -n shop -l 'a b c'
t "get -A across namespaces" 0 "shop +web " "$K" get deploy -A

echo "# diff, conflicts, force, prune"
tn "kubectl diff --server-side: no change" "^[+-] " "$K" diff --server-side -f "$M/all/10-core.yaml"
sed 's/level: info/level: debug/' "$M/all/10-core.yaml" > "$W/changed.yaml"
t "kubectl diff --server-side: shows change" 1 "^\+  level: debug" "$K" diff --server-side -f "$W/changed.yaml"
cat > "$W/other.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: staging}
EOF
t "field manager conflict" 1 'Apply failed with 1 conflict: conflict with "kubectl": \.data\.mode' \
  "$K" apply --server-side --field-manager=deployer -f "$W/other.yaml"
t "conflict help text from kubectl" 1 "Please review the fields above--they currently have other managers" \
  "$K" apply --server-side --field-manager=deployer -f "$W/other.yaml"
t "--force-conflicts takes ownership" 0 "configmap/settings serverside-applied" \
  "$K" apply --server-side --field-manager=deployer --force-conflicts -f "$W/other.yaml"
t "managedFields after force: deployer owns .data.mode" 0 "deployer" \
  "$K" get cm settings -n shop -o jsonpath='{.metadata.managedFields[?(@.manager=="deployer")].manager}'
t "value changed by force" 0 "^staging$" "$K" get cm settings -n shop -o jsonpath='{.data.mode}'
cat > "$W/patched.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: patched, namespace: shop}
data: {level: info}
EOF
"$K" apply --server-side -f "$W/patched.yaml" >/dev/null 2>&1
"$K" patch cm patched -n shop --type merge -p '{"data":{"level":"trace"}}' >/dev/null 2>&1
t "conflict with an Update manager (kubectl-patch)" 1 'Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.level' \
  "$K" apply --server-side -f "$W/patched.yaml"
cat > "$W/prune.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: pruned, namespace: shop, labels: {a: "1", b: "2"}}
data: {keep: "1", drop: "2"}
EOF
cat > "$W/prune2.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: pruned, namespace: shop, labels: {a: "1"}}
data: {keep: "1"}
EOF
"$K" apply --server-side -f "$W/prune.yaml" >/dev/null 2>&1
"$K" apply --server-side -f "$W/prune2.yaml" >/dev/null 2>&1
t "fields dropped from the apply are removed" 0 '^\{"keep":"1"\} \{"a":"1"\}$' \
  "$K" get cm pruned -n shop -o jsonpath='{.data} {.metadata.labels}'
sed 's/name: pruned/name: dry/' "$W/prune.yaml" > "$W/dry.yaml"
t "apply --dry-run=server" 0 "configmap/dry serverside-applied \(server dry run\)" \
  "$K" apply --server-side --dry-run=server -f "$W/dry.yaml"
t "dry run created nothing" 1 'configmaps "dry" not found' "$K" get cm dry -n shop
sed 's/level: info/level: debug/' "$W/patched.yaml" > "$W/patched2.yaml"
t "diff --server-side --force-conflicts shows the change" 1 "^\+  level: debug" \
  "$K" diff --server-side --force-conflicts -f "$W/patched2.yaml"

echo "# errors as a real apiserver words them"
t "NotFound" 1 'Error from server \(NotFound\): configmaps "nope" not found' "$K" get cm nope -n shop
t "NotFound in a group" 1 'Error from server \(NotFound\): deployments.apps "nope" not found' "$K" get deploy nope -n shop
t "AlreadyExists on create" 1 'Error from server \(AlreadyExists\): error when creating ".*": configmaps "pruned" already exists' \
  "$K" create -f "$W/prune.yaml"
t "missing namespace on apply" 1 'Error from server \(NotFound\): namespaces "ghost" not found' \
  "$K" apply --server-side -n ghost -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: shop}\n' > "$W/bad.yaml"
t "Invalid name (422)" 1 'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain' \
  "$K" apply --server-side -f "$W/bad.yaml"
"$K" get cm pruned -n shop -o yaml > "$W/stale.yaml" 2>/dev/null
"$K" patch cm pruned -n shop --type merge -p '{"data":{"x":"1"}}' >/dev/null 2>&1
t "replace with a stale resourceVersion: Conflict" 1 'Operation cannot be fulfilled on configmaps "pruned": the object has been modified; please apply your changes to the latest version and try again' \
  "$K" replace -f "$W/stale.yaml"
printf 'apiVersion: shop.example.com/v1\nkind: Widget\nmetadata: {name: bad, namespace: shop}\nspec: {colour: red}\n' > "$W/unknown.yaml"
t "unknown field in a custom resource (strict)" 1 '\.spec\.colour: field not declared in schema' "$K" apply --server-side -f "$W/unknown.yaml"
t "kubectl patch: strategic, merge, json" 0 "patched" "$K" patch deploy web -n shop -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}'
t "strategic merge keeps other container fields" 0 "^nginx:1.28 8080$" \
  "$K" get deploy web -n shop -o jsonpath='{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}'
t "kubectl label and annotate" 0 "labeled" "$K" label cm settings -n shop extra=yes
t "client-side kubectl apply (last-applied + strategic patch)" 0 "configmap/csa created" \
  "$K" apply -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa, namespace: shop}\ndata: {a: "1"}\n')
t "client-side kubectl apply again (patch)" 0 "configmap/csa configured" \
  "$K" apply -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa, namespace: shop}\ndata: {a: "2"}\n')
t "CSA -> SSA migration" 0 "configmap/csa serverside-applied" \
  "$K" apply --server-side -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa, namespace: shop}\ndata: {a: "3"}\n')

echo "# test switches"
cat > "$W/fail.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  namespace: shop
  annotations: {test.gitops/fail: "image pull failed"}
spec:
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec: {containers: [{name: c, image: nope:0}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: stuck
  namespace: shop
  annotations: {test.gitops/hold: "true"}
spec:
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec: {containers: [{name: c, image: slow:1}]}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: failing
  namespace: shop
  annotations: {test.gitops/fail: "exit 1"}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata:
  name: crashing
  namespace: shop
  annotations: {test.gitops/fail: "segfault"}
spec:
  containers: [{name: c, image: busybox}]
EOF
"$K" apply --server-side -f "$W/fail.yaml" >/dev/null 2>&1
t "fail: deployment Progressing=False ProgressDeadlineExceeded" 0 "condition met" \
  "$K" wait --for=jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}'=ProgressDeadlineExceeded --timeout=10s deploy/broken -n shop
t "fail: kubectl rollout status reports the deadline" 1 'deployment "broken" exceeded its progress deadline' \
  "$K" rollout status deploy/broken -n shop --timeout=10s
t "fail: job Failed" 0 "condition met" "$K" wait --for=condition=Failed --timeout=10s job/failing -n shop
eventually "fail: pod CrashLoopBackOff" 10 "crashing +0/1 +CrashLoopBackOff" "$K" get pod crashing -n shop
sleep 0.5
t "hold: deployment still progressing" 0 "^True ReplicaSetUpdated|^True NewReplicaSetCreated" \
  "$K" get deploy stuck -n shop -o jsonpath='{.status.conditions[?(@.type=="Progressing")].status} {.status.conditions[?(@.type=="Progressing")].reason}'
t "hold: rollout status times out" 1 "timed out waiting for the condition|Waiting for deployment" \
  "$K" rollout status deploy/stuck -n shop --timeout=1s

echo "# admin API: faults and counters"
admin DELETE /_test/requests >/dev/null
"$K" get cm -n shop >/dev/null 2>&1
t "request counters" 0 '"GET /api/v1/namespaces/shop/configmaps": 1' sh -c "$(printf '%q ' "${CURL[@]}") $API/_test/requests | $PY -m json.tool"
admin POST /_test/faults '{"path":"^/api/v1/namespaces/shop/configmaps/settings$","count":1,"action":"error","code":500}' >/dev/null
t "fault: HTTP 500 as InternalError" 1 "Error from server \(InternalError\)" "$K" get cm settings -n shop
admin POST /_test/faults '{"path":"^/api/v1/namespaces/shop/configmaps/settings$","count":2,"action":"error","code":429,"retryAfter":1}' >/dev/null
t "fault: 429 with Retry-After is retried by client-go" 0 "^settings$" "$K" get cm settings -n shop -o jsonpath='{.metadata.name}'
admin POST /_test/faults '{"path":"^/api/v1/namespaces/shop/configmaps/settings$","method":"GET","count":1,"action":"drop"}' >/dev/null
t "fault: dropped connection on GET is retried by client-go" 0 "^settings$" "$K" get cm settings -n shop -o jsonpath='{.metadata.name}'
admin POST /_test/faults '{"path":"^/api/v1/namespaces/shop/configmaps/settings$","method":"PATCH","count":1,"action":"drop"}' >/dev/null
t "fault: dropped connection on PATCH fails" 1 "EOF|connection reset" "$K" label cm settings -n shop dropped=yes
admin POST /_test/faults '{"path":"^/api/v1/namespaces/shop/configmaps/settings$","count":1,"action":"delay","seconds":1.5}' >/dev/null
t "fault: slow reply hits the client timeout" 1 "Timeout|timeout|deadline" "$K" get cm settings -n shop --request-timeout=1s
admin DELETE /_test/faults >/dev/null
t "faults cleared" 0 "^settings$" "$K" get cm settings -n shop -o jsonpath='{.metadata.name}'

echo "# watch"
( sleep 0.7; "$K" create cm watched -n shop >/dev/null 2>&1 ) &
t "kubectl get -w sees a new object" 124 "configmap/watched" timeout 3 "$K" get cm -n shop -w --output-watch-events -o name
wait

echo "# deletion"
t "kubectl delete" 0 'configmap "pruned" deleted' "$K" delete cm pruned -n shop
t "deleted object is gone" 1 'configmaps "pruned" not found' "$K" get cm pruned -n shop
t "delete deployment cascades (background)" 0 'deployment.apps "web" deleted' "$K" delete deploy web -n shop
eventually "replicasets and pods of the deployment are gone" 10 "^$" "$K" get rs,pods -n shop -l app=shop -o name
t "delete --cascade=foreground" 0 'statefulset.apps "db" deleted' "$K" delete sts db -n shop --cascade=foreground
t "delete the CRD removes the kind" 0 'customresourcedefinition.apiextensions.k8s.io "widgets.shop.example.com" deleted' \
  "$K" delete crd widgets.shop.example.com
eventually "custom kind gone from discovery" 10 "doesn't have a resource type \"widgets\"|could not find the requested resource" \
  "$K" get widgets -n shop
t "namespace deletion waits for finalization" 0 'namespace "shop" deleted' "$K" delete ns shop --timeout=20s
t "namespace is gone" 1 'namespaces "shop" not found' "$K" get ns shop
"$K" create ns doomed >/dev/null 2>&1
"$K" apply --server-side -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: doomed, finalizers: [example.com/hold]}\n') >/dev/null 2>&1
"$K" delete ns doomed --wait=false >/dev/null 2>&1
t "terminating namespace: phase Terminating" 0 "Terminating" "$K" get ns doomed -o jsonpath='{.status.phase}'
t "create in terminating namespace: Forbidden" 1 'configmaps "new" is forbidden: unable to create new content in namespace doomed because it is being terminated' \
  "$K" create cm new -n doomed
eventually "namespace reports remaining finalizers" 10 "example.com/hold in 1 resource instances" \
  "$K" get ns doomed -o jsonpath='{.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].message}'
"$K" patch cm held -n doomed --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
eventually "namespace goes once the finalizer is removed" 10 'namespaces "doomed" not found' "$K" get ns doomed

echo "# helm"
(cd "$W" && "$H" create demo >/dev/null 2>&1)
t "helm install" 0 "STATUS: deployed" "$H" install demo "$W/demo" -n apps --create-namespace
t "helm install same name: cannot re-use" 1 "Error: INSTALLATION FAILED: cannot re-use a name that is still in use" "$H" install demo "$W/demo" -n apps
t "helm list" 0 "demo[[:space:]]+apps[[:space:]]+1[[:space:]].*deployed[[:space:]]+demo-0.1.0" "$H" list -n apps
t "helm upgrade with changed values" 0 "REVISION: 2" "$H" upgrade demo "$W/demo" -n apps --set replicaCount=2 --set image.tag=1.27.0
t "helm get values" 0 "replicaCount: 2" "$H" get values demo -n apps
t "upgrade changed the deployment" 0 "^2 nginx:1.27.0$" "$K" get deploy demo -n apps -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}'
t "helm history" 0 "2[[:space:]].*deployed.*Upgrade complete" "$H" history demo -n apps
t "helm rollback" 0 "Rollback was a success" "$H" rollback demo 1 -n apps
t "rollback restored the deployment" 0 "^1 nginx:1.16.0$" "$K" get deploy demo -n apps -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}'
t "helm upgrade --wait" 0 "REVISION: 4" "$H" upgrade demo "$W/demo" -n apps --wait --timeout 30s --disable-openapi-validation
t "helm test" 0 "Phase:[[:space:]]+Succeeded" "$H" test demo -n apps
t "helm status" 0 "STATUS: deployed" "$H" status demo -n apps
t "helm template | kubectl apply --server-side" 0 "deployment.apps/tpl-demo serverside-applied" \
  sh -c "'$H' template tpl '$W/demo' -n apps | '$K' apply --server-side -n apps -f -"
t "helm uninstall" 0 'release "demo" uninstalled' "$H" uninstall demo -n apps
t "uninstall removed the resources" 0 "^$" "$K" get deploy,svc,sa -n apps -l app.kubernetes.io/instance=demo -o name
t "uninstall removed the release" 0 "^NAME" "$H" list -n apps
t "helm error on a missing release" 1 "Error: release: not found" "$H" get values nope -n apps
(cd "$W" && "$H" create crdchart >/dev/null 2>&1 && mkdir -p crdchart/crds)
sed 's/widgets.shop.example.com/gizmos.shop.example.com/; s/kind: Widget, plural: widgets, singular: widget, shortNames: \[wdg\]/kind: Gizmo, plural: gizmos, singular: gizmo/' \
  "$M/all/30-net-rbac.yaml" | awk '/^kind: CustomResourceDefinition/{p=1; print "apiVersion: apiextensions.k8s.io/v1"} p' > "$W/crdchart/crds/gizmo.yaml"
printf 'apiVersion: shop.example.com/v1\nkind: Gizmo\nmetadata: {name: "{{ .Release.Name }}-g"}\nspec: {color: green}\n' \
  > "$W/crdchart/templates/gizmo.yaml"
t "helm install a chart with crds/ and a custom resource" 0 "STATUS: deployed" \
  "$H" install crd "$W/crdchart" -n apps --disable-openapi-validation
t "custom resource from the chart exists" 0 "crd-g +green +1" "$K" get gizmos -n apps
t "helm upgrade --install" 0 "REVISION: 2" "$H" upgrade --install crd "$W/crdchart" -n apps --set replicaCount=2
t "helm uninstall keeps the CRD, removes the custom resource" 0 "gizmos.shop.example.com" \
  sh -c "'$H' uninstall crd -n apps >/dev/null && '$K' get gizmos -n apps 2>&1; '$K' get crd -o name"
t "kubectl apply --validate=false" 0 "configmap/novalidate serverside-applied" \
  "$K" apply --server-side --validate=false -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: novalidate, namespace: apps}\n')

echo "# stop"
t "scripts/test-cluster stop" 0 "" "$ROOT/scripts/test-cluster" stop "$W/srv"
t "stopped server does not answer" 1 "stopped" "$ROOT/scripts/test-cluster" status "$W/srv"

echo "cluster: $pass passed, $fail failed"
[ "$fail" = 0 ]

/* Engine tests for provider/engine/kube against the local test API server
 * (tests/cluster, started here through scripts/test-cluster in a temp dir):
 * apply of 200 objects of 20 kinds incl. a CRD and its custom resources,
 * no-op re-apply (no PATCH), partial change, prune, drift, conflicts,
 * wait/health, every fault-injection mode, authentication forms, discovery.
 * Skips with a message when scripts/test-cluster is not there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

#include "engine/kube/kube.h"
#include "engine/kube/kube_internal.h"
#include "engine/manifest/manifest.h"
#include "test_kube_helpers.h"

static char ROOT[PATH_MAX];
static char CLUSTER[PATH_MAX + 32];
static char KUBECONFIG_PATH[PATH_MAX + 64];
static char SERVER[256];
static char TOKEN[128];
static char *CA;
static int HAVE_CLUSTER;
static kube_client *C; /* shared client (also used for the admin API) */

#define NEED_CLUSTER()                                                                             \
  do {                                                                                             \
    if (!HAVE_CLUSTER) {                                                                           \
      print_message("    skipped: scripts/test-cluster not found\n");                              \
      skip();                                                                                      \
    }                                                                                              \
  } while (0)

/* ------------------------------------------------------------------ */
/* setup                                                               */

static void find_root(void) {
  struct stat st;
  if (stat("scripts/test-cluster", &st) == 0 || stat("Makefile", &st) == 0) {
    if (!getcwd(ROOT, sizeof(ROOT))) snprintf(ROOT, sizeof(ROOT), ".");
    return;
  }
  snprintf(ROOT, sizeof(ROOT), "%s", __FILE__);
  char *p = strstr(ROOT, "/tests/unit/");
  if (p) *p = 0;
}

static kube_client_options fast_opts(void) {
  kube_client_options o = {.backoff_initial_ms = 50,
                           .backoff_max_ms = 400,
                           .max_retry_after_ms = 3000,
                           .max_attempts = 4,
                           .request_timeout_ms = 20000};
  return o;
}

static kube_client *new_client(const kube_client_options *o) {
  char *paths[] = {KUBECONFIG_PATH, NULL};
  kube_settings s = {.config_paths = paths};
  kube_client *c = NULL;
  kube_error e;
  kube_client_options d = fast_opts();
  if (kube_client_new(&s, o ? o : &d, &c, &e)) fail_msg("kube_client_new: %s", e.message);
  return c;
}

static int group_setup(void **state) {
  (void)state;
  find_root();
  char script[PATH_MAX + 64];
  snprintf(script, sizeof(script), "%s/scripts/test-cluster", ROOT);
  if (access(script, X_OK) != 0) {
    fprintf(stderr, "test_kube_cluster: %s not found: skipping the engine tests\n", script);
    return 0;
  }
  /* libcurl (like client-go, and the start script's curl) honours proxy
   * variables: keep loopback direct */
  const char *proxies[] = {"https_proxy", "HTTPS_PROXY", "http_proxy",
                           "HTTP_PROXY",  "all_proxy",   "ALL_PROXY"};
  for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
    unsetenv(proxies[i]);
  if (kt_mkdtemp("kube-cluster")) return -1;
  snprintf(CLUSTER, sizeof(CLUSTER), "%s/cluster", KT_DIR);
  if (kt_sh("'%s' start '%s' --status-delay 0.3 >'%s/start.log' 2>&1", script, CLUSTER, KT_DIR)) {
    kt_sh("cat '%s/start.log' >&2", KT_DIR);
    return -1;
  }
  snprintf(KUBECONFIG_PATH, sizeof(KUBECONFIG_PATH), "%s/kubeconfig", CLUSTER);
  char *port = kt_read(kt_path("cluster/port")), *tok = kt_read(kt_path("cluster/token"));
  if (!port || !tok) { /* cmocka skips the group teardown when setup fails */
    kt_sh("'%s' stop '%s' >/dev/null 2>&1", script, CLUSTER);
    free(port);
    free(tok);
    return -1;
  }
  snprintf(SERVER, sizeof(SERVER), "https://127.0.0.1:%d", atoi(port));
  snprintf(TOKEN, sizeof(TOKEN), "%.*s", (int)strcspn(tok, "\n"), tok);
  free(port);
  free(tok);
  CA = kt_read(kt_path("cluster/ca.crt"));
  unsetenv("KUBECONFIG");
  HAVE_CLUSTER = 1;
  C = new_client(NULL);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  kube_client_free(C);
  if (HAVE_CLUSTER) kt_sh("'%s/scripts/test-cluster' stop '%s' >/dev/null 2>&1", ROOT, CLUSTER);
  free(CA);
  kube__disco_reset_all();
  kt_rmdir();
  return 0;
}

/* ------------------------------------------------------------------ */
/* admin API: request counters and faults                              */

static cJSON *admin(const char *method, const char *path, const char *body) {
  kube_response r;
  kube_error e;
  int rc = kube_request(C, method, path, body ? "application/json" : NULL, body,
                        body ? strlen(body) : 0, NULL, NULL, &r, &e);
  if (rc) fail_msg("admin %s %s: %s", method, path, e.message);
  cJSON *j = cJSON_ParseWithLength(r.body, r.len);
  kube_response_clear(&r);
  return j;
}

static void counters_reset(void) {
  cJSON_Delete(admin("POST", "/_test/requests/reset", NULL));
}

/* Requests the server saw with this method (and path, when given). */
static int server_count(const char *method, const char *path) {
  cJSON *j = admin("GET", "/_test/requests", NULL);
  char key[512];
  snprintf(key, sizeof(key), "%s %s", method, path ? path : "");
  const cJSON *v = path ? cJSON_GetObjectItem(cJSON_GetObjectItem(j, "byPath"), key)
                        : cJSON_GetObjectItem(cJSON_GetObjectItem(j, "byMethod"), method);
  int n = cJSON_IsNumber(v) ? v->valueint : 0;
  cJSON_Delete(j);
  return n;
}

static void fault(const char *json) {
  cJSON_Delete(admin("POST", "/_test/faults", json));
}

static void faults_clear(void) {
  cJSON_Delete(admin("DELETE", "/_test/faults", NULL));
}

/* ------------------------------------------------------------------ */
/* objects                                                             */

typedef struct {
  mf_docs docs;
  const cJSON **objs;
  size_t n;
} objset;

static void set_parse(objset *s, const char *yaml) {
  memset(s, 0, sizeof(*s));
  mf_error e;
  if (mf_parse(yaml, strlen(yaml), "test.yaml", &s->docs, &e))
    fail_msg("mf_parse: line %d: %s", e.line, e.message);
  s->n = s->docs.count;
  s->objs = calloc(s->n, sizeof(cJSON *));
  for (size_t i = 0; i < s->n; i++)
    s->objs[i] = s->docs.items[i].obj;
}

static void set_free(objset *s) {
  mf_docs_free(&s->docs);
  free(s->objs);
  memset(s, 0, sizeof(*s));
}

static cJSON *set_find(objset *s, const char *kind, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(mf_obj_kind(s->objs[i]), kind) && !strcmp(mf_obj_name(s->objs[i]), name))
      return s->docs.items[i].obj;
  fail_msg("no %s %s in the set", kind, name);
  return NULL;
}

static const kube_apply_result *result_for(const kube_apply_report *r, const char *key) {
  for (size_t i = 0; i < r->n; i++)
    if (!strcmp(r->results[i].key, key)) return &r->results[i];
  fail_msg("no result for %s", key);
  return NULL;
}

static void dump_report(const kube_apply_report *r) {
  for (size_t i = 0; i < r->n; i++)
    if (r->results[i].status == KUBE_APPLY_FAILED || getenv("KT_VERBOSE"))
      print_message("    %-50s %s %s\n", r->results[i].key,
                    kube_apply_status_name(r->results[i].status),
                    r->results[i].message ? r->results[i].message : "");
}

static int apply(kube_client *c, objset *s, const kube_apply_options *o, kube_apply_report *r,
                 kube_error *e) {
  int rc = kube_apply(c, (const cJSON *const *)s->objs, s->n, o, r, e);
  if (getenv("KT_VERBOSE")) dump_report(r);
  return rc;
}

static int exists(const char *key) {
  cJSON *o = NULL;
  kube_error e;
  int rc = kube_get_key(C, key, NULL, &o, &e);
  cJSON_Delete(o);
  if (rc && rc != KUBE_ENOTFOUND) fail_msg("get %s: %s", key, e.message);
  return rc == 0;
}

/* 200 objects of 20 kinds in namespace NS: Namespace, a CRD and 20 of its
 * custom resources, and the usual workload kinds. */
static void big_set_yaml(kube_buf *b, const char *ns) {
  kube__buf_printf(b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", ns);
  kube__buf_printf(b, "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                      "metadata: {name: widgets.test.gitops}\n"
                      "spec:\n  group: test.gitops\n  scope: Namespaced\n"
                      "  names: {plural: widgets, singular: widget, kind: Widget, listKind: "
                      "WidgetList}\n"
                      "  versions:\n  - name: v1\n    served: true\n    storage: true\n"
                      "    schema:\n      openAPIV3Schema:\n        type: object\n"
                      "        x-kubernetes-preserve-unknown-fields: true\n");
  for (int i = 0; i < 20; i++)
    kube__buf_printf(
        b,
        "---\napiVersion: test.gitops/v1\nkind: Widget\n"
        "metadata: {name: widget-%02d, namespace: %s}\nspec: {size: %d, color: blue}\n",
        i, ns, i);
  for (int i = 0; i < 40; i++)
    kube__buf_printf(b,
                     "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-%02d\n"
                     "  namespace: %s\n  labels: {app.kubernetes.io/instance: big}\n"
                     "data:\n  index: \"%d\"\n  settings.yaml: |\n    level: info\n    n: %d\n",
                     i, ns, i, i);
  for (int i = 0; i < 20; i++)
    kube__buf_printf(b,
                     "---\napiVersion: v1\nkind: Secret\nmetadata: {name: secret-%02d, "
                     "namespace: %s}\ntype: Opaque\nstringData: {password: pw-%d}\n"
                     "data: {user: YWRtaW4=}\n",
                     i, ns, i);
  for (int i = 0; i < 15; i++)
    kube__buf_printf(b,
                     "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa-%02d, "
                     "namespace: %s}\n",
                     i, ns);
  for (int i = 0; i < 15; i++)
    kube__buf_printf(
        b,
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: svc-%02d, namespace: %s}\n"
        "spec:\n  selector: {app: web-%02d}\n  ports:\n  - {name: http, port: 80, "
        "targetPort: 8080}\n",
        i, ns, i);
  for (int i = 0; i < 15; i++)
    kube__buf_printf(b,
                     "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-%02d, "
                     "namespace: %s}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: "
                     "web-%02d}}\n  template:\n    metadata: {labels: {app: web-%02d}}\n"
                     "    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n"
                     "        ports: [{containerPort: 8080}]\n"
                     "        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: "
                     "'0.5'}}\n",
                     i, ns, i, i);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db-%d, "
                     "namespace: %s}\nspec:\n  replicas: 1\n  serviceName: db-%d\n"
                     "  selector: {matchLabels: {app: db-%d}}\n  template:\n    metadata: "
                     "{labels: {app: db-%d}}\n    spec: {containers: [{name: db, image: "
                     "postgres:16}]}\n",
                     i, ns, i, i, i);
  for (int i = 0; i < 3; i++)
    kube__buf_printf(b,
                     "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent-%d, "
                     "namespace: %s}\nspec:\n  selector: {matchLabels: {app: agent-%d}}\n"
                     "  template:\n    metadata: {labels: {app: agent-%d}}\n"
                     "    spec: {containers: [{name: a, image: busybox}]}\n",
                     i, ns, i, i);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: job-%d\n"
                     "  namespace: %s\n  annotations: {argocd.argoproj.io/sync-wave: \"1\"}\n"
                     "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
                     "      containers: [{name: j, image: busybox, command: [\"true\"]}]\n",
                     i, ns);
  for (int i = 0; i < 10; i++)
    kube__buf_printf(b,
                     "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: "
                     "role-%d, namespace: %s}\nrules:\n- apiGroups: [\"\"]\n  resources: "
                     "[configmaps]\n  verbs: [get, list]\n",
                     i, ns);
  for (int i = 0; i < 10; i++)
    kube__buf_printf(b,
                     "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
                     "metadata: {name: rb-%d, namespace: %s}\nroleRef: {apiGroup: "
                     "rbac.authorization.k8s.io, kind: Role, name: role-%d}\n"
                     "subjects:\n- {kind: ServiceAccount, name: sa-%02d, namespace: %s}\n",
                     i, ns, i, i, ns);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                     "metadata: {name: %s-reader-%d}\nrules:\n- apiGroups: [\"\"]\n"
                     "  resources: [pods]\n  verbs: [get]\n",
                     ns, i);
  for (int i = 0; i < 10; i++)
    kube__buf_printf(b,
                     "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data-%d, "
                     "namespace: %s}\nspec:\n  accessModes: [ReadWriteOnce]\n"
                     "  resources: {requests: {storage: 1Gi}}\n",
                     i, ns);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: "
                     "ing-%d, namespace: %s}\nspec:\n  rules:\n  - host: app%d.example\n"
                     "    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
                     "        backend: {service: {name: svc-%02d, port: {number: 80}}}\n",
                     i, ns, i, i);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: "
                     "{name: np-%d, namespace: %s}\nspec:\n  podSelector: {matchLabels: {app: "
                     "web-%02d}}\n  policyTypes: [Ingress]\n",
                     i, ns, i);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: "
                     "pdb-%d, namespace: %s}\nspec:\n  minAvailable: 1\n  selector: "
                     "{matchLabels: {app: web-%02d}}\n",
                     i, ns, i);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
                     "metadata: {name: hpa-%d, namespace: %s}\nspec:\n  scaleTargetRef: "
                     "{apiVersion: apps/v1, kind: Deployment, name: web-%02d}\n"
                     "  minReplicas: 1\n  maxReplicas: 5\n",
                     i, ns, i);
  for (int i = 0; i < 5; i++)
    kube__buf_printf(b,
                     "---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cron-%d\n"
                     "  namespace: %s\n  annotations: {argocd.argoproj.io/sync-wave: \"-1\"}\n"
                     "spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n"
                     "      template:\n        spec:\n          restartPolicy: OnFailure\n"
                     "          containers: [{name: c, image: busybox}]\n",
                     i, ns);
}

static objset BIG;

/* ------------------------------------------------------------------ */
/* tests                                                               */

static void test_discovery(void **state) {
  (void)state;
  NEED_CLUSTER();
  kube_mapping m;
  kube_error e;
  assert_ok(kube_map_kind(C, "apps/v1", "Deployment", NULL, &m, &e), e);
  assert_string_equal(m.resource, "deployments");
  assert_true(m.namespaced);
  assert_ok(kube_map_kind(C, "v1", "Namespace", NULL, &m, &e), e);
  assert_string_equal(m.resource, "namespaces");
  assert_false(m.namespaced);
  assert_ok(kube_map_group_kind(C, "rbac.authorization.k8s.io", "ClusterRole", NULL, &m, &e), e);
  assert_string_equal(m.version, "v1");
  assert_code(kube_map_kind(C, "example.com/v1", "Gizmo", NULL, &m, &e), KUBE_ENOKIND, e);
  assert_string_equal(e.message, "no matches for kind \"Gizmo\" in version \"example.com/v1\"");
  assert_code(kube_map_kind(C, "v1", "Gizmo", NULL, &m, &e), KUBE_ENOKIND, e);
  assert_string_equal(e.message, "no matches for kind \"Gizmo\" in version \"v1\"");

  char *gv = NULL, *maj = NULL, *min = NULL;
  assert_ok(kube_server_version(C, NULL, &gv, &maj, &min, &e), e);
  assert_true(gv && gv[0] == 'v');
  free(gv), free(maj), free(min);

  /* the legacy walk (no aggregated discovery) finds the same, fetching
   * only the group-versions it needs */
  kube_client_options o = fast_opts();
  o.legacy_discovery = 1;
  kube_client *lc = new_client(&o);
  assert_ok(kube_map_kind(lc, "apps/v1", "StatefulSet", NULL, &m, &e), e);
  assert_string_equal(m.resource, "statefulsets");
  assert_ok(kube_map_group_kind(lc, "batch", "CronJob", NULL, &m, &e), e);
  assert_string_equal(m.resource, "cronjobs");
  kube_stats st;
  kube_client_stats(lc, &st);
  assert_int_equal(st.discovery, 4); /* /api, /apis, /apis/apps/v1, /apis/batch/v1 */
  kube_mapping *all = NULL;
  size_t n = 0;
  assert_ok(kube_discovery_all(lc, NULL, &all, &n, &e), e);
  int deployments = 0;
  for (size_t i = 0; i < n; i++)
    deployments += !strcmp(all[i].resource, "deployments") && !strcmp(all[i].group, "apps");
  assert_int_equal(deployments, 1);
  assert_true(n > 30);
  free(all);
  kube_client_free(lc);

  /* aggregated discovery: two requests for everything, cached per server */
  kube_discovery_invalidate(C);
  counters_reset();
  kube_client *c2 = new_client(NULL);
  assert_ok(kube_map_kind(c2, "networking.k8s.io/v1", "Ingress", NULL, &m, &e), e);
  assert_ok(kube_map_kind(c2, "policy/v1", "PodDisruptionBudget", NULL, &m, &e), e);
  assert_ok(kube_map_kind(C, "storage.k8s.io/v1", "StorageClass", NULL, &m, &e), e);
  assert_int_equal(server_count("GET", "/api"), 1);
  assert_int_equal(server_count("GET", "/apis"), 1);
  assert_int_equal(server_count("GET", NULL), 2);
  kube_client_free(c2);
}

static void test_apply_big_set(void **state) {
  (void)state;
  NEED_CLUSTER();
  kube_buf b = {0};
  big_set_yaml(&b, "kt-big");
  set_parse(&BIG, b.p);
  kube__buf_free(&b);
  assert_int_equal(BIG.n, 200);
  counters_reset();
  kube_apply_report r;
  kube_error e;
  kube_stats st0, st1;
  kube_client_stats(C, &st0);
  double t0 = kt_now();
  int rc = apply(C, &BIG, NULL, &r, &e);
  if (rc) dump_report(&r);
  assert_ok(rc, e);
  print_message("    applied 200 objects in %.2fs\n", kt_now() - t0);
  assert_int_equal(r.created, 200);
  assert_int_equal(r.failed + r.pending + r.configured + r.unchanged, 0);
  assert_int_equal(server_count("PATCH", NULL), 200);
  /* connections are pooled: a handful for 200+ requests (4 in parallel) */
  kube_client_stats(C, &st1);
  print_message("    %llu requests over %llu new connections\n",
                (unsigned long long)(st1.requests - st0.requests),
                (unsigned long long)(st1.connects - st0.connects));
  assert_true(st1.connects - st0.connects <= 12);
  /* order: Namespace, CRD, waves (-1 CronJobs first, 1 Jobs last), Widgets
   * (unknown kind) after the known kinds of wave 0 */
  assert_string_equal(r.results[r.order[0]].key, "/Namespace//kt-big");
  assert_string_equal(r.results[r.order[1]].key,
                      "apiextensions.k8s.io/CustomResourceDefinition//widgets.test.gitops");
  assert_string_equal(mf_obj_kind(BIG.objs[r.order[2]]), "CronJob");
  assert_string_equal(mf_obj_kind(BIG.objs[r.order[199]]), "Job");
  assert_string_equal(mf_obj_kind(BIG.objs[r.order[194]]), "Widget");
  for (size_t i = 0; i < r.n; i++)
    assert_non_null(r.results[i].live);
  const kube_apply_result *w = result_for(&r, "test.gitops/Widget/kt-big/widget-07");
  assert_int_equal(w->status, KUBE_APPLY_CREATED);
  assert_string_equal(kube__jpath_str(w->live, "spec.color"), "blue");
  kube_apply_report_clear(&r);

  /* re-apply: nothing changed, so no PATCH at all */
  counters_reset();
  assert_ok(apply(C, &BIG, NULL, &r, &e), e);
  assert_int_equal(r.unchanged, 200);
  assert_int_equal(server_count("PATCH", NULL), 0);
  int reads = server_count("GET", NULL);
  print_message("    no-op re-apply: %d GET/LIST requests, 0 PATCH\n", reads);
  assert_true(reads <= 40); /* one LIST per kind, not one GET per object */
  kube_apply_report_clear(&r);

  /* three changes: exactly three PATCHes */
  cJSON *cm = set_find(&BIG, "ConfigMap", "config-13");
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cm, "data"), "index",
                            cJSON_CreateString("changed"));
  cJSON *dep = set_find(&BIG, "Deployment", "web-04");
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(dep, "spec"), "replicas", mf_number_create("3"));
  cJSON *wid = set_find(&BIG, "Widget", "widget-11");
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(wid, "spec"), "color", cJSON_CreateString("red"));
  counters_reset();
  assert_ok(apply(C, &BIG, NULL, &r, &e), e);
  assert_int_equal(r.configured, 3);
  assert_int_equal(r.unchanged, 197);
  assert_int_equal(server_count("PATCH", NULL), 3);
  assert_int_equal(server_count("PATCH", "/api/v1/namespaces/kt-big/configmaps/config-13"), 1);
  assert_int_equal(result_for(&r, "apps/Deployment/kt-big/web-04")->status, KUBE_APPLY_CONFIGURED);
  kube_apply_report_clear(&r);
  cJSON *live = NULL;
  assert_ok(kube_get(C, "v1", "ConfigMap", "kt-big", "config-13", NULL, &live, &e), e);
  assert_string_equal(kube__jpath_str(live, "data.index"), "changed");
  cJSON_Delete(live);

  /* kubectl agrees with what the server holds */
  if (access("/usr/bin/kubectl", X_OK) == 0)
    assert_int_equal(kt_sh("KUBECONFIG='%s' /usr/bin/kubectl get widget widget-11 -n kt-big "
                           "-o jsonpath='{.spec.color}' | grep -qx red",
                           KUBECONFIG_PATH),
                     0);
}

static void test_read_and_wait_big(void **state) {
  (void)state;
  NEED_CLUSTER();
  assert_int_equal(BIG.n, 200);
  cJSON **live = calloc(BIG.n, sizeof(cJSON *));
  kube_error e;
  counters_reset();
  assert_ok(kube_read_objects(C, (const cJSON *const *)BIG.objs, BIG.n, NULL, live, &e), e);
  for (size_t i = 0; i < BIG.n; i++) {
    assert_non_null(live[i]);
    cJSON_Delete(live[i]);
  }
  free(live);
  assert_true(server_count("GET", NULL) <= 40);
  /* The test server's HPAs get no conditions, which Argo CD calls
   * Progressing ("Waiting to Autoscale"): wait for everything else. */
  const cJSON **objs = calloc(BIG.n, sizeof(cJSON *)), **hpas = calloc(BIG.n, sizeof(cJSON *));
  size_t n = 0, nh = 0;
  for (size_t i = 0; i < BIG.n; i++) {
    if (strcmp(mf_obj_kind(BIG.objs[i]), "HorizontalPodAutoscaler"))
      objs[n++] = BIG.objs[i];
    else
      hpas[nh++] = BIG.objs[i];
  }
  kube_wait_report wr;
  double t0 = kt_now();
  int rc = kube_wait(C, objs, n, 30000, NULL, &wr, &e);
  if (rc)
    for (size_t i = 0; i < wr.n; i++)
      if (wr.health[i].status != KUBE_HEALTH_HEALTHY)
        print_message("    %s %s %s\n", wr.keys[i], kube_health_name(wr.health[i].status),
                      wr.health[i].message);
  assert_ok(rc, e);
  print_message("    195 objects Healthy after %.2fs\n", kt_now() - t0);
  assert_int_equal(wr.n, 195);
  kube_wait_report_clear(&wr);
  assert_code(kube_wait(C, hpas, nh, 300, NULL, &wr, &e), KUBE_ETIMEOUT, e);
  assert_contains(e.message, "hpa-0 is Progressing: Waiting to Autoscale");
  kube_wait_report_clear(&wr);
  free(objs);
  free(hpas);
}

static void test_prune(void **state) {
  (void)state;
  NEED_CLUSTER();
  assert_int_equal(BIG.n, 200);
  char **inv = calloc(BIG.n, sizeof(char *));
  const char **keep = calloc(BIG.n, sizeof(char *));
  size_t nk = 0;
  for (size_t i = 0; i < BIG.n; i++) {
    char *k = kube_object_key(BIG.objs[i]);
    inv[i] = k;
    const char *kind = mf_obj_kind(BIG.objs[i]), *name = mf_obj_name(BIG.objs[i]);
    int drop =
        (!strcmp(kind, "ConfigMap") && name[8] == '3') || /* config-03, 13, 23, 33 */
        (!strcmp(kind, "Widget") && (!strcmp(name, "widget-00") || !strcmp(name, "widget-19"))) ||
        !strcmp(kind, "ClusterRole");
    if (!drop) keep[nk++] = k;
  }
  kube_prune_report pr;
  kube_error e;
  counters_reset();
  assert_ok(kube_prune(C, (const char *const *)inv, BIG.n, keep, nk, NULL, &pr, &e), e);
  assert_int_equal(pr.deleted, 11);
  assert_int_equal(pr.n_order, 11);
  assert_int_equal(server_count("DELETE", NULL), 11);
  /* reverse apply order: Widgets (unknown kind) first, ClusterRoles, then
   * the ConfigMaps */
  assert_string_equal(pr.results[pr.order[0]].key, "test.gitops/Widget/kt-big/widget-19");
  assert_string_equal(pr.results[pr.order[1]].key, "test.gitops/Widget/kt-big/widget-00");
  assert_string_equal(pr.results[pr.order[10]].key, "/ConfigMap/kt-big/config-03");
  assert_string_equal(pr.results[pr.order[2]].key,
                      "rbac.authorization.k8s.io/ClusterRole//kt-big-reader-4");
  for (size_t i = 0; i < pr.n; i++) {
    int kept = pr.results[i].status == KUBE_PRUNE_KEPT;
    if (!kept) assert_int_equal(pr.results[i].status, KUBE_PRUNE_DELETED);
    if (!kept || i % 17 == 0) assert_int_equal(exists(inv[i]), kept);
  }
  kube_prune_report_clear(&pr);
  /* again: they are gone, nothing deleted */
  counters_reset();
  assert_ok(kube_prune(C, (const char *const *)inv, BIG.n, keep, nk, NULL, &pr, &e), e);
  assert_int_equal(pr.gone, 11);
  assert_int_equal(pr.deleted, 0);
  assert_int_equal(server_count("DELETE", NULL), 0);
  kube_prune_report_clear(&pr);

  /* destroy: everything, waiting until it is gone (the namespace last) */
  kube_prune_options po = {.wait_timeout_ms = 20000, .propagation = "Foreground"};
  assert_ok(kube_prune(C, (const char *const *)inv, BIG.n, NULL, 0, &po, &pr, &e), e);
  assert_int_equal(pr.deleted, 189);
  assert_string_equal(pr.results[pr.order[pr.n_order - 1]].key, "/Namespace//kt-big");
  assert_false(exists("/Namespace//kt-big"));
  assert_false(exists("apiextensions.k8s.io/CustomResourceDefinition//widgets.test.gitops"));
  kube_prune_report_clear(&pr);
  for (size_t i = 0; i < BIG.n; i++)
    free(inv[i]);
  free(inv);
  free(keep);
  set_free(&BIG);
}

static const char DRIFT_YAML[] = "apiVersion: apps/v1\nkind: Deployment\n"
                                 "metadata: {name: drift-web, labels: {tier: web}}\n"
                                 "spec:\n  replicas: 2\n  selector: {matchLabels: {app: drift}}\n"
                                 "  template:\n    metadata: {labels: {app: drift}}\n"
                                 "    spec: {containers: [{name: web, image: nginx}]}\n";

static void test_drift(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset s;
  set_parse(&s, DRIFT_YAML);
  kube_apply_report r;
  kube_error e;
  /* no namespace: the kubeconfig context's */
  assert_ok(apply(C, &s, NULL, &r, &e), e);
  assert_string_equal(r.results[0].key, "apps/Deployment/default/drift-web");
  kube_apply_report_clear(&r);
  cJSON *live = NULL;
  assert_ok(kube_read_objects(C, (const cJSON *const *)s.objs, 1, NULL, &live, &e), e);
  kube_diff_result d;
  assert_ok(kube_diff(s.objs[0], live, NULL, NULL, 0, &d, &e), e);
  assert_false(d.drift);
  kube_diff_result_clear(&d);
  cJSON_Delete(live);

  /* someone scales it and drops our label (as kubectl edit would) */
  const char *patch = "{\"metadata\":{\"labels\":{\"tier\":null}},\"spec\":{\"replicas\":5}}";
  kube_response resp;
  assert_ok(kube_request(C, "PATCH",
                         "/apis/apps/v1/namespaces/default/deployments/drift-web?fieldManager="
                         "kubectl-edit",
                         "application/merge-patch+json", patch, strlen(patch), NULL, NULL, &resp,
                         &e),
            e);
  kube_response_clear(&resp);
  assert_ok(kube_read_objects(C, (const cJSON *const *)s.objs, 1, NULL, &live, &e), e);
  assert_ok(kube_diff(s.objs[0], live, "gitops", NULL, 0, &d, &e), e);
  assert_true(d.drift);
  assert_int_equal(d.n_paths, 2);
  assert_string_equal(d.paths[0], "/metadata/labels/tier");
  assert_string_equal(d.paths[1], "/spec/replicas");
  kube_diff_result_clear(&d);
  char *ptrs[] = {"/spec/replicas", "/metadata/labels", NULL};
  kube_ignore_rule rule = {.group = "apps", .kind = "Deployment", .json_pointers = ptrs};
  assert_ok(kube_diff(s.objs[0], live, "gitops", &rule, 1, &d, &e), e);
  assert_false(d.drift);
  kube_diff_result_clear(&d);
  cJSON_Delete(live);

  /* kubectl-edit now owns .spec.replicas: applying back conflicts unless
   * forced, which self-heal does */
  assert_code(apply(C, &s, NULL, &r, &e), KUBE_ECONFLICT, e);
  assert_contains(e.message, "conflict with \"kubectl-edit\"");
  assert_contains(e.message, ".spec.replicas");
  kube_apply_report_clear(&r);
  kube_apply_options force = {.force = 1};
  assert_ok(apply(C, &s, &force, &r, &e), e);
  assert_int_equal(r.results[0].status, KUBE_APPLY_CONFIGURED);
  assert_int_equal(kube__jpath_int(r.results[0].live, "spec.replicas", &(long long){0}), 0);
  long long rep = 0;
  kube__jpath_int(r.results[0].live, "spec.replicas", &rep);
  assert_int_equal(rep, 2);
  assert_string_equal(kube__jpath_str(r.results[0].live, "metadata.labels.tier"), "web");
  kube_apply_report_clear(&r);
  set_free(&s);
}

static void test_conflict_and_force(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset a, b;
  set_parse(&a, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: contested, namespace: default}\n"
                "data: {key: from-other}\n");
  set_parse(&b,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before, namespace: default}\n"
            "data: {x: '1'}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: contested\n  namespace: default\n"
            "  annotations: {argocd.argoproj.io/sync-wave: '1'}\n"
            "data: {key: from-gitops}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after\n  namespace: default\n"
            "  annotations: {argocd.argoproj.io/sync-wave: '2'}\ndata: {x: '1'}\n");
  kube_apply_options other = {.field_manager = "other-tool"};
  kube_apply_report r;
  kube_error e;
  assert_ok(apply(C, &a, &other, &r, &e), e);
  kube_apply_report_clear(&r);

  assert_code(apply(C, &b, NULL, &r, &e), KUBE_ECONFLICT, e);
  assert_contains(e.message, "/ConfigMap/default/contested");
  assert_contains(e.message, "other-tool");
  assert_contains(e.message, ".data.key");
  assert_contains(e.message, "force");
  /* the report says what happened to every object */
  assert_int_equal(r.results[0].status, KUBE_APPLY_CREATED);
  assert_int_equal(r.results[1].status, KUBE_APPLY_FAILED);
  assert_int_equal(r.results[1].code, KUBE_ECONFLICT);
  assert_contains(r.results[1].message, "conflict with \"other-tool\"");
  assert_int_equal(r.results[2].status, KUBE_APPLY_PENDING);
  assert_int_equal(r.created, 1);
  assert_int_equal(r.failed, 1);
  assert_int_equal(r.pending, 1);
  kube_apply_report_clear(&r);

  /* continue_on_error applies the rest */
  kube_apply_options cont = {.continue_on_error = 1};
  assert_code(apply(C, &b, &cont, &r, &e), KUBE_ECONFLICT, e);
  assert_int_equal(r.results[2].status, KUBE_APPLY_CREATED);
  kube_apply_report_clear(&r);

  kube_apply_options force = {.force = 1};
  assert_ok(apply(C, &b, &force, &r, &e), e);
  assert_int_equal(r.results[1].status, KUBE_APPLY_CONFIGURED);
  assert_string_equal(kube__jpath_str(r.results[1].live, "data.key"), "from-gitops");
  kube_apply_report_clear(&r);
  set_free(&a);
  set_free(&b);
}

static void test_dry_run(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset s;
  set_parse(&s,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry-existing, namespace: default}\n"
            "data: {v: '1'}\n");
  kube_apply_report r;
  kube_error e;
  assert_ok(apply(C, &s, NULL, &r, &e), e);
  kube_apply_report_clear(&r);
  set_free(&s);
  set_parse(&s,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry-existing, namespace: default}\n"
            "data: {v: '2'}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry-new, namespace: default}\n"
            "data: {v: '1'}\n");
  kube_apply_options o = {.dry_run = 1};
  assert_ok(apply(C, &s, &o, &r, &e), e);
  assert_int_equal(r.results[0].status, KUBE_APPLY_CONFIGURED);
  assert_string_equal(kube__jpath_str(r.results[0].live, "data.v"), "2");
  assert_int_equal(r.results[1].status, KUBE_APPLY_CREATED);
  kube_apply_report_clear(&r);
  cJSON *live = NULL;
  assert_ok(kube_get(C, "v1", "ConfigMap", "default", "dry-existing", NULL, &live, &e), e);
  assert_string_equal(kube__jpath_str(live, "data.v"), "1");
  cJSON_Delete(live);
  assert_false(exists("/ConfigMap/default/dry-new"));
  set_free(&s);

  /* a CRD and its resources in a dry run: the resources are not validated */
  set_parse(&s,
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            "metadata: {name: gadgets.dry.gitops}\nspec:\n  group: dry.gitops\n  scope: Cluster\n"
            "  names: {plural: gadgets, kind: Gadget}\n  versions: [{name: v1, served: true, "
            "storage: true, schema: {openAPIV3Schema: {type: object}}}]\n---\n"
            "apiVersion: dry.gitops/v1\nkind: Gadget\nmetadata: {name: g}\n");
  assert_ok(apply(C, &s, &o, &r, &e), e);
  assert_int_equal(r.results[0].status, KUBE_APPLY_CREATED);
  assert_int_equal(r.results[1].status, KUBE_APPLY_PENDING);
  assert_string_equal(r.results[1].key, "dry.gitops/Gadget//g");
  assert_contains(r.results[1].message, "dry run");
  kube_apply_report_clear(&r);
  set_free(&s);
}

static void test_invalid_sets_apply_nothing(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset s;
  set_parse(&s,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inv-ok, namespace: default}\n---\n"
            "apiVersion: test.gitops/v1\nkind: Gizmo\nmetadata: {name: g, namespace: default}\n");
  kube_apply_report r;
  kube_error e;
  counters_reset();
  assert_code(apply(C, &s, NULL, &r, &e), KUBE_ENOKIND, e);
  assert_contains(e.message, "no matches for kind \"Gizmo\" in version \"test.gitops/v1\"");
  assert_contains(e.message, "nothing applied");
  assert_int_equal(r.results[0].status, KUBE_APPLY_PENDING);
  assert_int_equal(r.results[1].status, KUBE_APPLY_FAILED);
  assert_int_equal(server_count("PATCH", NULL), 0);
  kube_apply_report_clear(&r);
  set_free(&s);

  set_parse(&s, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                "metadata: {name: scoped, namespace: default}\n");
  assert_code(apply(C, &s, NULL, &r, &e), KUBE_EINVALID, e);
  assert_contains(e.message, "ClusterRole \"scoped\" is cluster-scoped");
  kube_apply_report_clear(&r);
  set_free(&s);

  /* the API server's own rejection, quoted */
  set_parse(&s,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad-dep, namespace: default}\n"
            "spec: {replicas: many}\n");
  int rc = apply(C, &s, NULL, &r, &e);
  assert_int_equal(r.results[0].status, KUBE_APPLY_FAILED);
  assert_true(rc == KUBE_EREJECTED);
  assert_contains(e.message, "apps/Deployment/default/bad-dep");
  if (getenv("KT_VERBOSE")) print_message("    %s\n", e.message);
  kube_apply_report_clear(&r);
  set_free(&s);
}

static void test_wait(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset s;
  set_parse(
      &s,
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w-ok, namespace: default}\n"
      "spec:\n  replicas: 2\n  selector: {matchLabels: {app: w-ok}}\n"
      "  template: {metadata: {labels: {app: w-ok}}, spec: {containers: [{name: c, image: x}]}}\n"
      "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: w-job, namespace: default}\n"
      "spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}\n"
      "---\napiVersion: v1\nkind: Service\nmetadata: {name: w-lb, namespace: default}\n"
      "spec: {type: LoadBalancer, ports: [{port: 80}]}\n");
  kube_apply_report r;
  kube_error e;
  assert_ok(apply(C, &s, NULL, &r, &e), e);
  kube_apply_report_clear(&r);
  kube_wait_report wr;
  assert_ok(kube_wait(C, (const cJSON *const *)s.objs, s.n, 20000, NULL, &wr, &e), e);
  for (size_t i = 0; i < wr.n; i++)
    assert_int_equal(wr.health[i].status, KUBE_HEALTH_HEALTHY);
  kube_wait_report_clear(&wr);
  set_free(&s);

  /* Degraded: fail fast, with the reason, conditions and events */
  set_parse(
      &s, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w-bad\n  namespace: default\n"
          "  annotations: {test.gitops/fail: 'image nope:1 not found'}\n"
          "spec:\n  replicas: 1\n  selector: {matchLabels: {app: w-bad}}\n"
          "  template: {metadata: {labels: {app: w-bad}}, spec: {containers: [{name: c, image: "
          "nope:1}]}}\n---\n"
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w-hold\n  namespace: default\n"
          "  annotations: {test.gitops/hold: 'true'}\n"
          "spec:\n  replicas: 1\n  selector: {matchLabels: {app: w-hold}}\n"
          "  template: {metadata: {labels: {app: w-hold}}, spec: {containers: [{name: c, image: "
          "x}]}}\n");
  assert_ok(apply(C, &s, NULL, &r, &e), e);
  kube_apply_report_clear(&r);
  double t0 = kt_now();
  assert_code(kube_wait(C, (const cJSON *const *)s.objs, s.n, 20000, NULL, &wr, &e), KUBE_EDEGRADED,
              e);
  assert_true(kt_now() - t0 < 10);
  assert_contains(e.message, "apps/Deployment/default/w-bad is Degraded");
  assert_contains(e.message, "conditions:");
  assert_int_equal(wr.health[0].status, KUBE_HEALTH_DEGRADED);
  print_message("    %s\n", e.message);
  kube_wait_report_clear(&wr);

  /* timeout: name every object not Healthy and why */
  t0 = kt_now();
  assert_code(kube_wait(C, (const cJSON *const *)s.objs + 1, 1, 1500, NULL, &wr, &e), KUBE_ETIMEOUT,
              e);
  double dt = kt_now() - t0;
  assert_true(dt >= 1.4 && dt < 5);
  assert_contains(e.message, "timed out after 1s");
  assert_contains(e.message, "apps/Deployment/default/w-hold is Progressing");
  assert_int_equal(wr.health[0].status, KUBE_HEALTH_PROGRESSING);
  kube_wait_report_clear(&wr);

  /* cancellation */
  atomic_int cancel = 1;
  assert_code(kube_wait(C, (const cJSON *const *)s.objs + 1, 1, 10000, &cancel, NULL, &e),
              KUBE_ECANCELLED, e);
  set_free(&s);

  /* wait_waves: a Degraded wave stops the next one */
  set_parse(
      &s,
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: wave-migrate\n  namespace: default\n"
      "  annotations: {test.gitops/fail: 'migration failed', argocd.argoproj.io/sync-wave: '0'}\n"
      "spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}\n"
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wave-after\n  namespace: default\n"
      "  annotations: {argocd.argoproj.io/sync-wave: '1'}\n");
  kube_apply_options wo = {.wait_waves = 1, .wave_timeout_ms = 20000};
  assert_code(apply(C, &s, &wo, &r, &e), KUBE_EDEGRADED, e);
  assert_contains(e.message, "sync wave 0");
  assert_contains(e.message, "batch/Job/default/wave-migrate is Degraded");
  assert_int_equal(r.results[0].status, KUBE_APPLY_CREATED);
  assert_int_equal(r.results[1].status, KUBE_APPLY_PENDING);
  kube_apply_report_clear(&r);
  assert_false(exists("/ConfigMap/default/wave-after"));
  set_free(&s);
}

/* A three-object set whose middle object meets the fault. */
static const char FAULT_SET[] =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f-1, namespace: default}\ndata: {v: "
    "'%d'}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f-2\n  namespace: default\n"
    "  annotations: {argocd.argoproj.io/sync-wave: '1'}\ndata: {v: '%d'}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f-3\n  namespace: default\n"
    "  annotations: {argocd.argoproj.io/sync-wave: '2'}\ndata: {v: '%d'}\n";
#define F2_PATH "/api/v1/namespaces/default/configmaps/f-2"

static int fault_round;

static void fault_set(objset *s) {
  char y[1024];
  fault_round++;
  snprintf(y, sizeof(y), FAULT_SET, fault_round, fault_round, fault_round);
  set_parse(s, y);
}

static void test_faults_recovered(void **state) {
  (void)state;
  NEED_CLUSTER();
  struct {
    const char *spec, *name;
    double min_s;
  } cases[] = {
      {"{\"path\":\"" F2_PATH
       "$\",\"method\":\"PATCH\",\"action\":\"error\",\"code\":500,\"count\":2}",
       "500 twice", 0},
      {"{\"path\":\"" F2_PATH
       "$\",\"method\":\"PATCH\",\"action\":\"error\",\"code\":503,\"count\":1}",
       "503", 0},
      {"{\"path\":\"" F2_PATH "$\",\"method\":\"PATCH\",\"action\":\"error\",\"code\":429,"
       "\"retryAfter\":1,\"count\":1}",
       "429 + Retry-After: 1", 1.0},
      {"{\"path\":\"" F2_PATH "$\",\"method\":\"PATCH\",\"action\":\"drop\",\"count\":2}",
       "dropped connection twice", 0},
      {"{\"path\":\"" F2_PATH "$\",\"method\":\"GET\",\"action\":\"drop\",\"count\":2}",
       "dropped GET", 0},
      {"{\"path\":\"" F2_PATH
       "$\",\"method\":\"PATCH\",\"action\":\"delay\",\"seconds\":3,\"count\":1}",
       "slow response (3s, timeout 1s)", 1.0},
  };
  kube_client_options o = fast_opts();
  o.request_timeout_ms = 1000;
  kube_client *c = new_client(&o);
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    objset s;
    fault_set(&s);
    faults_clear();
    fault(cases[k].spec);
    kube_stats before, after;
    kube_client_stats(c, &before);
    kube_apply_report r;
    kube_error e;
    double t0 = kt_now();
    int rc = apply(c, &s, NULL, &r, &e);
    double dt = kt_now() - t0;
    if (rc) fail_msg("%s: %s", cases[k].name, e.message);
    kube_client_stats(c, &after);
    print_message("    %-32s ok after %llu retries, %.2fs\n", cases[k].name,
                  (unsigned long long)(after.retries - before.retries), dt);
    assert_true(after.retries > before.retries);
    assert_true(dt >= cases[k].min_s);
    for (size_t i = 0; i < 3; i++)
      assert_true(r.results[i].status == KUBE_APPLY_CREATED ||
                  r.results[i].status == KUBE_APPLY_CONFIGURED);
    kube_apply_report_clear(&r);
    set_free(&s);
  }
  faults_clear();
  kube_client_free(c);
}

static void test_faults_persistent(void **state) {
  (void)state;
  NEED_CLUSTER();
  struct {
    const char *spec, *name, *want;
    int code;
  } cases[] = {
      {"{\"path\":\"" F2_PATH "$\",\"method\":\"PATCH\",\"action\":\"error\",\"code\":500,"
       "\"count\":100,\"message\":\"etcdserver: request timed out\"}",
       "500", "etcdserver: request timed out (gave up after 4 attempts)", KUBE_ESERVER},
      {"{\"path\":\"" F2_PATH "$\",\"method\":\"PATCH\",\"action\":\"error\",\"code\":429,"
       "\"retryAfter\":0,\"count\":100}",
       "429", "gave up after 4 attempts", KUBE_ESERVER},
      {"{\"path\":\"" F2_PATH "$\",\"method\":\"PATCH\",\"action\":\"drop\",\"count\":100}", "drop",
       "gave up after 4 attempts", KUBE_ENETWORK},
      {"{\"path\":\"" F2_PATH "$\",\"method\":\"PATCH\",\"action\":\"error\",\"code\":403,"
       "\"count\":100,\"message\":\"user cannot patch\"}",
       "403 (not retried)", "user cannot patch", KUBE_EFORBIDDEN},
  };
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    objset s;
    fault_set(&s);
    faults_clear();
    fault(cases[k].spec);
    kube_apply_report r;
    kube_error e;
    assert_code(apply(C, &s, NULL, &r, &e), cases[k].code, e);
    print_message("    %-18s %s\n", cases[k].name, e.message);
    assert_contains(e.message, "/ConfigMap/default/f-2");
    assert_contains(e.message, cases[k].want);
    /* the report always says which objects were applied */
    assert_int_equal(r.results[0].status, KUBE_APPLY_CONFIGURED);
    assert_int_equal(r.results[1].status, KUBE_APPLY_FAILED);
    assert_int_equal(r.results[2].status, KUBE_APPLY_PENDING);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.pending, 1);
    assert_non_null(r.results[0].live);
    kube_apply_report_clear(&r);
    set_free(&s);
  }
  faults_clear();
}

/* A CRD that cannot be applied: its custom resources fail at once instead
 * of waiting for the kind to appear. */
static void test_crd_failure(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset s;
  set_parse(
      &s,
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
      "metadata: {name: things.bad.gitops}\nspec:\n  group: bad.gitops\n  scope: Namespaced\n"
      "  names: {plural: things, kind: Thing}\n  versions: [{name: v1, served: true, "
      "storage: true, schema: {openAPIV3Schema: {type: object}}}]\n---\n"
      "apiVersion: bad.gitops/v1\nkind: Thing\nmetadata: {name: t, namespace: default}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: crd-fail-other, namespace: default}\n");
  faults_clear();
  fault("{\"path\":\"customresourcedefinitions/things.bad.gitops$\",\"method\":\"PATCH\","
        "\"action\":\"error\",\"code\":422,\"count\":100,\"message\":\"spec.versions: invalid\"}");
  kube_apply_options o = {.continue_on_error = 1};
  kube_apply_report r;
  kube_error e;
  double t0 = kt_now();
  assert_code(apply(C, &s, &o, &r, &e), KUBE_EREJECTED, e);
  assert_true(kt_now() - t0 < 5);
  assert_contains(e.message, "spec.versions: invalid");
  assert_contains(e.message, "and 1 more failures");
  assert_int_equal(r.results[0].status, KUBE_APPLY_FAILED);
  assert_int_equal(r.results[1].status, KUBE_APPLY_FAILED);
  assert_int_equal(r.results[1].code, KUBE_ENOKIND);
  assert_contains(r.results[1].message,
                  "CustomResourceDefinition "
                  "apiextensions.k8s.io/CustomResourceDefinition//things.bad.gitops "
                  "was not applied");
  assert_int_equal(r.results[2].status, KUBE_APPLY_CREATED);
  kube_apply_report_clear(&r);
  faults_clear();
  set_free(&s);
}

static atomic_int CANCEL;

static void *cancel_later(void *ud) {
  (void)ud;
  usleep(300 * 1000);
  atomic_store(&CANCEL, 1);
  return NULL;
}

static void test_cancel(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset s;
  fault_set(&s);
  faults_clear();
  fault("{\"path\":\"" F2_PATH "$\",\"method\":\"PATCH\",\"action\":\"delay\",\"seconds\":5,"
        "\"count\":1}");
  atomic_store(&CANCEL, 0);
  pthread_t t;
  pthread_create(&t, NULL, cancel_later, NULL);
  kube_apply_options o = {.cancel = &CANCEL};
  kube_apply_report r;
  kube_error e;
  double t0 = kt_now();
  assert_code(apply(C, &s, &o, &r, &e), KUBE_ECANCELLED, e);
  assert_true(kt_now() - t0 < 2.0);
  pthread_join(t, NULL);
  assert_int_equal(r.results[1].status, KUBE_APPLY_FAILED);
  assert_int_equal(r.results[1].code, KUBE_ECANCELLED);
  assert_int_equal(r.results[2].status, KUBE_APPLY_PENDING);
  kube_apply_report_clear(&r);
  set_free(&s);
  faults_clear();
}

/* Discovery survives a failing /apis too. */
static void test_discovery_fault(void **state) {
  (void)state;
  NEED_CLUSTER();
  faults_clear();
  fault("{\"path\":\"^/apis$\",\"action\":\"error\",\"code\":500,\"count\":2}");
  kube_discovery_invalidate(C);
  kube_mapping m;
  kube_error e;
  assert_ok(kube_map_kind(C, "apps/v1", "Deployment", NULL, &m, &e), e);
  fault("{\"path\":\"^/apis$\",\"action\":\"error\",\"code\":500,\"count\":100}");
  kube_discovery_invalidate(C);
  assert_code(kube_map_kind(C, "apps/v1", "Deployment", NULL, &m, &e), KUBE_ESERVER, e);
  assert_contains(e.message, "discovery");
  faults_clear();
  assert_ok(kube_map_kind(C, "apps/v1", "Deployment", NULL, &m, &e), e);
}

typedef struct {
  int id;
  int rc;
  char msg[256];
} worker_arg;

static void *apply_worker(void *ud) {
  worker_arg *w = ud;
  kube_buf b = {0};
  for (int i = 0; i < 25; i++)
    kube__buf_printf(&b,
                     "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: thr-%d-%02d, "
                     "namespace: default}\ndata: {v: x}\n",
                     w->id, i);
  mf_docs docs = {0};
  mf_error me;
  if (mf_parse(b.p, b.len, "t.yaml", &docs, &me)) {
    w->rc = -100;
    kube__buf_free(&b);
    return NULL;
  }
  kube__buf_free(&b);
  const cJSON *objs[25];
  for (size_t i = 0; i < docs.count; i++)
    objs[i] = docs.items[i].obj;
  kube_apply_report r;
  kube_error e;
  w->rc = kube_apply(C, objs, docs.count, NULL, &r, &e);
  snprintf(w->msg, sizeof(w->msg), "%s", e.message);
  if (!w->rc && r.created + r.configured + r.unchanged != 25) w->rc = -101;
  kube_apply_report_clear(&r);
  mf_docs_free(&docs);
  return NULL;
}

static void test_concurrent_applies(void **state) {
  (void)state;
  NEED_CLUSTER();
  pthread_t t[6];
  worker_arg w[6];
  for (int i = 0; i < 6; i++) {
    w[i] = (worker_arg){.id = i};
    pthread_create(&t[i], NULL, apply_worker, &w[i]);
  }
  for (int i = 0; i < 6; i++) {
    pthread_join(t[i], NULL);
    if (w[i].rc) fail_msg("worker %d: %d %s", i, w[i].rc, w[i].msg);
  }
  cJSON *items = NULL;
  kube_error e;
  assert_ok(kube_list(C, "v1", "ConfigMap", "default", NULL, NULL, &items, &e), e);
  int n = 0;
  const cJSON *it;
  cJSON_ArrayForEach(it, items) {
    n += !strncmp(mf_obj_name(it), "thr-", 4);
    assert_string_equal(mf_obj_kind(it), "ConfigMap");
  }
  assert_int_equal(n, 150);
  cJSON_Delete(items);
}

/* Authentication and TLS forms against the real server. */
static void test_auth_forms(void **state) {
  (void)state;
  NEED_CLUSTER();
  kube_error e;
  kube_client *c;
  char *v = NULL;
  /* explicit host/token/CA, no kubeconfig; tls_server_name routes SNI */
  kube_settings s = {.host = SERVER, .token = TOKEN, .cluster_ca_certificate = CA};
  assert_ok(kube_client_new(&s, NULL, &c, &e), e);
  assert_ok(kube_server_version(c, NULL, &v, NULL, NULL, &e), e);
  free(v);
  kube_client_free(c);
  s.tls_server_name = "localhost";
  assert_ok(kube_client_new(&s, NULL, &c, &e), e);
  assert_ok(kube_server_version(c, NULL, &v, NULL, NULL, &e), e);
  free(v);
  kube_client_free(c);
  s.tls_server_name = "wrong.example";
  assert_ok(kube_client_new(&s, NULL, &c, &e), e);
  assert_code(kube_server_version(c, NULL, &v, NULL, NULL, &e), KUBE_ENETWORK, e);
  assert_contains(e.message, "TLS");
  kube_client_free(c);
  /* system trust store only: the test CA is unknown; insecure skips */
  kube_settings s2 = {.host = SERVER, .token = TOKEN};
  assert_ok(kube_client_new(&s2, NULL, &c, &e), e);
  assert_code(kube_server_version(c, NULL, &v, NULL, NULL, &e), KUBE_ENETWORK, e);
  kube_stats st;
  kube_client_stats(c, &st);
  assert_int_equal(st.retries, 0); /* a certificate problem is not retried */
  kube_client_free(c);
  s2.insecure = 1;
  assert_ok(kube_client_new(&s2, NULL, &c, &e), e);
  assert_ok(kube_server_version(c, NULL, &v, NULL, NULL, &e), e);
  free(v);
  kube_client_free(c);
  /* a bad token: 401 with the server's message, not retried */
  kube_settings s3 = {.host = SERVER, .token = "wrong", .cluster_ca_certificate = CA};
  assert_ok(kube_client_new(&s3, NULL, &c, &e), e);
  assert_code(kube_server_version(c, NULL, &v, NULL, NULL, &e), KUBE_EAUTH, e);
  assert_int_equal(e.http_status, 401);
  assert_null(strstr(e.message, "wrong"));
  kube_client_free(c);
  /* tokenFile */
  kt_write(kt_path("tokfile"), TOKEN, 0600);
  char kc[4096];
  char *cab64 = kube__b64_encode(CA, strlen(CA));
  snprintf(kc, sizeof(kc),
           "clusters:\n- name: t\n  cluster: {server: '%s', certificate-authority-data: %s}\n"
           "users:\n- name: u\n  user: {tokenFile: tokfile}\n"
           "contexts:\n- name: x\n  context: {cluster: t, user: u, namespace: kt-ns}\n"
           "current-context: x\n",
           SERVER, cab64);
  kt_write(kt_path("kc-tokenfile"), kc, 0600);
  char *paths[] = {(char *)kt_path("kc-tokenfile"), NULL};
  kube_settings s4 = {.config_paths = paths};
  assert_ok(kube_client_new(&s4, NULL, &c, &e), e);
  assert_string_equal(kube_client_namespace(c), "kt-ns");
  assert_ok(kube_server_version(c, NULL, &v, NULL, NULL, &e), e);
  free(v);
  kube_client_free(c);

  /* exec plugin: first run prints a stale token; the 401 makes the client
   * run it again, and the second token works */
  mkdir(kt_path("plug"), 0700);
  char script[2048];
  snprintf(script, sizeof(script),
           "#!/bin/sh\nn=$(cat '%s/n' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '%s/n'\n"
           "if [ $n -eq 1 ]; then t=stale; else t=$(cat '%s'); fi\n"
           "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
           "\"ExecCredential\",\"status\":{\"token\":\"%%s\"}}' \"$t\"\n",
           kt_path("plug"), kt_path("plug"), kt_path("cluster/token"));
  kt_write(kt_path("plug/cred.sh"), script, 0755);
  snprintf(
      kc, sizeof(kc),
      "clusters:\n- name: t\n  cluster: {server: '%s', certificate-authority-data: %s}\n"
      "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
      "      command: plug/cred.sh\n      interactiveMode: Never\n"
      "contexts:\n- name: x\n  context: {cluster: t, user: u}\ncurrent-context: x\n",
      SERVER, cab64);
  free(cab64);
  kt_write(kt_path("kc-exec"), kc, 0600);
  paths[0] = (char *)kt_path("kc-exec");
  assert_ok(kube_client_new(&s4, NULL, &c, &e), e);
  assert_ok(kube_server_version(c, NULL, &v, NULL, NULL, &e), e);
  free(v);
  assert_ok(kube_server_version(c, NULL, &v, NULL, NULL, &e), e);
  free(v);
  kube_client_stats(c, &st);
  assert_int_equal(st.exec_runs, 2);
  assert_int_equal(st.retries, 1); /* the request after the 401 */
  kube_client_free(c);
}

/* Namespaced objects without a namespace go to default_namespace. */
static void test_response_limit(void **state) {
  (void)state;
  NEED_CLUSTER();
  kube_client_options o = fast_opts();
  o.max_response_bytes = 2000;
  kube_client *c = new_client(&o);
  kube_response r;
  kube_error e;
  assert_code(kube_request(c, "GET", "/apis", NULL, NULL, 0, NULL, NULL, &r, &e), KUBE_ETOOBIG, e);
  assert_contains(e.message, "larger than 2000 bytes");
  kube_stats st;
  kube_client_stats(c, &st);
  assert_int_equal(st.retries, 0);
  assert_ok(kube_request(c, "GET", "/version", NULL, NULL, 0, NULL, NULL, &r, &e), e);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "gitVersion"));
  kube_response_clear(&r);
  /* 404 keeps the response for the caller */
  assert_code(kube_request(c, "GET", "/api/v1/namespaces/default/configmaps/nope", NULL, NULL, 0,
                           NULL, NULL, &r, &e),
              KUBE_ENOTFOUND, e);
  assert_int_equal(r.status, 404);
  assert_contains(r.body, "\"reason\":\"NotFound\"");
  assert_contains(e.message, "configmaps \"nope\" not found");
  kube_response_clear(&r);
  kube_client_free(c);
}

static void test_default_namespace(void **state) {
  (void)state;
  NEED_CLUSTER();
  objset s;
  set_parse(&s, "apiVersion: v1\nkind: Namespace\nmetadata: {name: kt-defns}\n---\n"
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: in-defns}\n");
  kube_apply_options o = {.default_namespace = "kt-defns"};
  kube_apply_report r;
  kube_error e;
  assert_ok(apply(C, &s, &o, &r, &e), e);
  assert_string_equal(r.results[1].key, "/ConfigMap/kt-defns/in-defns");
  assert_string_equal(kube__jpath_str(r.results[1].live, "metadata.namespace"), "kt-defns");
  kube_apply_report_clear(&r);
  cJSON *items = NULL;
  assert_ok(kube_list(C, "v1", "ConfigMap", "kt-defns", "", NULL, &items, &e), e);
  int found = 0;
  const cJSON *it;
  cJSON_ArrayForEach(it, items) {
    found += !strcmp(mf_obj_name(it), "in-defns");
  }
  assert_int_equal(found, 1);
  cJSON_Delete(items);
  assert_ok(kube_delete(C, "v1", "ConfigMap", "kt-defns", "in-defns", NULL, 0, NULL, &e), e);
  assert_code(kube_delete(C, "v1", "ConfigMap", "kt-defns", "in-defns", NULL, 0, NULL, &e),
              KUBE_ENOTFOUND, e);
  set_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_discovery),
      cmocka_unit_test(test_apply_big_set),
      cmocka_unit_test(test_read_and_wait_big),
      cmocka_unit_test(test_prune),
      cmocka_unit_test(test_drift),
      cmocka_unit_test(test_conflict_and_force),
      cmocka_unit_test(test_dry_run),
      cmocka_unit_test(test_invalid_sets_apply_nothing),
      cmocka_unit_test(test_wait),
      cmocka_unit_test(test_faults_recovered),
      cmocka_unit_test(test_faults_persistent),
      cmocka_unit_test(test_crd_failure),
      cmocka_unit_test(test_cancel),
      cmocka_unit_test(test_discovery_fault),
      cmocka_unit_test(test_concurrent_applies),
      cmocka_unit_test(test_auth_forms),
      cmocka_unit_test(test_response_limit),
      cmocka_unit_test(test_default_namespace),
  };
  return cmocka_run_group_tests_name("kube_cluster", tests, group_setup, group_teardown);
}

/* Unit tests for engine/kube diff: drift on the fields the manager sets (its
 * managedFields), server defaults and other managers ignored, ignore rules,
 * list matching, quantities, Secret stringData, raw numbers from the manifest
 * module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/kube/kube.h"
#include "engine/manifest/manifest.h"
#include "test_kube_helpers.h"

/* desired as YAML through the manifest module (raw numbers, like the
 * provider's real input) */
static cJSON *yaml_obj(const char *yaml) {
  mf_docs docs = {0};
  mf_error e;
  if (mf_parse(yaml, strlen(yaml), "test.yaml", &docs, &e))
    fail_msg("mf_parse: %s (line %d)", e.message, e.line);
  assert_int_equal(docs.count, 1);
  cJSON *o = docs.items[0].obj;
  docs.items[0].obj = NULL;
  mf_docs_free(&docs);
  return o;
}

static const char DESIRED[] = "apiVersion: apps/v1\n"
                              "kind: Deployment\n"
                              "metadata:\n"
                              "  name: web\n"
                              "  namespace: prod\n"
                              "  creationTimestamp: null\n"
                              "  labels: {app: web}\n"
                              "  annotations: {argocd.argoproj.io/sync-wave: \"1\"}\n"
                              "spec:\n"
                              "  replicas: 2\n"
                              "  selector: {matchLabels: {app: web}}\n"
                              "  strategy: {}\n"
                              "  template:\n"
                              "    metadata: {labels: {app: web}}\n"
                              "    spec:\n"
                              "      containers:\n"
                              "      - name: web\n"
                              "        image: nginx:1.25\n"
                              "        ports: [{containerPort: 80}]\n"
                              "        env: [{name: A, value: '1'}, {name: C, value: '3'}]\n"
                              "        resources: {limits: {cpu: '0.5', memory: 1Gi}}\n";

/* What the API server returns: defaults, status, other managers' fields. */
static const char LIVE[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"prod\",\"uid\":\"u1\",\"resourceVersion\":\"42\",\"generation\":3,"
    "\"creationTimestamp\":\"2024-01-01T00:00:00Z\","
    "\"labels\":{\"app\":\"web\"},\"annotations\":{\"argocd.argoproj.io/sync-wave\":\"1\","
    "\"deployment.kubernetes.io/revision\":\"3\"},"
    "\"managedFields\":[{\"manager\":\"gitops\",\"operation\":\"Apply\",\"apiVersion\":\"apps/v1\","
    "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{"
    "\"f:metadata\":{\"f:labels\":{\"f:app\":{}},\"f:annotations\":{\"f:argocd.argoproj.io/"
    "sync-wave\":{}}},"
    "\"f:spec\":{\"f:replicas\":{},\"f:selector\":{},\"f:strategy\":{},\"f:template\":{"
    "\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:containers\":{"
    "\"k:{\\\"name\\\":\\\"web\\\"}\":{\".\":{},\"f:name\":{},\"f:image\":{},"
    "\"f:ports\":{\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
    "\"f:containerPort\":{}}},"
    "\"f:env\":{\"k:{\\\"name\\\":\\\"A\\\"}\":{\".\":{},\"f:name\":{},\"f:value\":{}},"
    "\"k:{\\\"name\\\":\\\"C\\\"}\":{\".\":{},\"f:name\":{},\"f:value\":{}}},"
    "\"f:resources\":{\"f:limits\":{\"f:cpu\":{},\"f:memory\":{}}}}}}}}}},"
    "{\"manager\":\"kube-controller-manager\",\"operation\":\"Update\",\"fieldsType\":\"FieldsV1\","
    "\"fieldsV1\":{\"f:metadata\":{\"f:annotations\":{\"f:deployment.kubernetes.io/"
    "revision\":{}}}}},"
    "{\"manager\":\"sidecar-injector\",\"operation\":\"Apply\",\"fieldsType\":\"FieldsV1\","
    "\"fieldsV1\":{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":{"
    "\"k:{\\\"name\\\":\\\"web\\\"}\":{\"f:env\":{\"k:{\\\"name\\\":\\\"B\\\"}\":{}}}}}}}}}]},"
    "\"spec\":{\"replicas\":2,\"revisionHistoryLimit\":10,\"progressDeadlineSeconds\":600,"
    "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
    "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\"}},"
    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"restartPolicy\":"
    "\"Always\",\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.25\","
    "\"imagePullPolicy\":\"IfNotPresent\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
    "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"injected\"},"
    "{\"name\":\"C\",\"value\":\"3\"}],"
    "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"1073741824\"}}}]}}},"
    "\"status\":{\"replicas\":2,\"readyReplicas\":2}}";

typedef struct {
  cJSON *desired, *live;
} pair;

static int setup(void **state) {
  pair *p = calloc(1, sizeof(*p));
  p->desired = yaml_obj(DESIRED);
  p->live = cJSON_Parse(LIVE);
  assert_non_null(p->live);
  *state = p;
  return 0;
}

static int teardown(void **state) {
  pair *p = *state;
  cJSON_Delete(p->desired);
  cJSON_Delete(p->live);
  free(p);
  return 0;
}

static kube_diff_result diff(const cJSON *d, const cJSON *l, const kube_ignore_rule *r, size_t nr) {
  kube_diff_result res;
  kube_error e;
  assert_ok(kube_diff(d, l, "gitops", r, nr, &res, &e), e);
  return res;
}

static void assert_paths(const kube_diff_result *r, const char *const *want, size_t n) {
  if (r->n_paths != n) {
    for (size_t i = 0; i < r->n_paths; i++)
      print_error("  got path %s\n", r->paths[i]);
    fail_msg("got %zu paths, want %zu", r->n_paths, n);
  }
  for (size_t i = 0; i < n; i++)
    assert_string_equal(r->paths[i], want[i]);
}

static void test_in_sync(void **state) {
  pair *p = *state;
  kube_diff_result r = diff(p->desired, p->live, NULL, 0);
  assert_paths(&r, NULL, 0);
  assert_false(r.drift);
  assert_false(r.not_owned);
  assert_true(r.has_manager);
  assert_false(r.missing);
  kube_diff_result_clear(&r);
}

static void test_value_drift_and_ignore(void **state) {
  pair *p = *state;
  cJSON *spec = cJSON_GetObjectItem(p->live, "spec");
  cJSON_ReplaceItemInObject(spec, "replicas", cJSON_CreateNumber(5));
  cJSON *ctr = cJSON_GetArrayItem(
      cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(spec, "template"), "spec"),
                          "containers"),
      0);
  cJSON_ReplaceItemInObject(ctr, "image", cJSON_CreateString("nginx:latest"));
  cJSON_ReplaceItemInObject(
      cJSON_GetObjectItem(cJSON_GetObjectItem(p->live, "metadata"), "annotations"),
      "argocd.argoproj.io/sync-wave", cJSON_CreateString("2"));
  kube_diff_result r = diff(p->desired, p->live, NULL, 0);
  const char *want[] = {"/metadata/annotations/argocd.argoproj.io~1sync-wave", "/spec/replicas",
                        "/spec/template/spec/containers/0/image"};
  assert_paths(&r, want, 3);
  assert_true(r.drift);
  kube_diff_result_clear(&r);

  char *ptrs[] = {"/spec/replicas", "/spec/template/spec/containers/0/image", NULL};
  char *ann[] = {"/metadata/annotations", NULL};
  kube_ignore_rule rules[] = {{.group = "apps", .kind = "Deployment", .json_pointers = ptrs},
                              {.group = "apps", .kind = "StatefulSet", .json_pointers = ann},
                              {.group = "*", .kind = "*", .name = "other", .json_pointers = ann}};
  r = diff(p->desired, p->live, rules, 3);
  const char *want2[] = {"/metadata/annotations/argocd.argoproj.io~1sync-wave"};
  assert_paths(&r, want2, 1);
  kube_diff_result_clear(&r);
  kube_ignore_rule all[] = {
      {.group = "*", .kind = "*", .name = "web", .json_pointers = ann},
      {.group = "apps", .kind = "Deployment", .namespace_ = "prod", .json_pointers = ptrs}};
  r = diff(p->desired, p->live, all, 2);
  assert_false(r.drift);
  kube_diff_result_clear(&r);
}

/* A field gitops owns but no longer sets would be removed by the next apply. */
static void test_owned_field_removed(void **state) {
  pair *p = *state;
  cJSON *labels = cJSON_GetObjectItem(cJSON_GetObjectItem(p->desired, "metadata"), "labels");
  cJSON_DeleteItemFromObject(labels, "app");
  cJSON *ctr = cJSON_GetArrayItem(
      cJSON_GetObjectItem(
          cJSON_GetObjectItem(
              cJSON_GetObjectItem(cJSON_GetObjectItem(p->desired, "spec"), "template"), "spec"),
          "containers"),
      0);
  cJSON_DeleteItemFromArray(cJSON_GetObjectItem(ctr, "env"), 1); /* env C */
  kube_diff_result r = diff(p->desired, p->live, NULL, 0);
  const char *want[] = {"/metadata/labels/app", "/spec/template/spec/containers/0/env"};
  assert_paths(&r, want, 2);
  kube_diff_result_clear(&r);
}

/* Elements other managers add (env B) are no drift; a changed element is. */
static void test_lists(void **state) {
  pair *p = *state;
  cJSON *ctr = cJSON_GetArrayItem(
      cJSON_GetObjectItem(
          cJSON_GetObjectItem(
              cJSON_GetObjectItem(cJSON_GetObjectItem(p->desired, "spec"), "template"), "spec"),
          "containers"),
      0);
  cJSON *env = cJSON_GetObjectItem(ctr, "env");
  cJSON_ReplaceItemInObject(cJSON_GetArrayItem(env, 1), "value", cJSON_CreateString("4"));
  kube_diff_result r = diff(p->desired, p->live, NULL, 0);
  const char *want[] = {"/spec/template/spec/containers/0/env/1"};
  assert_paths(&r, want, 1);
  kube_diff_result_clear(&r);
}

static void test_quantities(void **state) {
  (void)state;
  cJSON *d = yaml_obj("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: q}\n"
                      "data: {num: 1k}\nspec: {hard: {cpu: '2', memory: 512Mi, pods: 10}}\n");
  cJSON *l = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                         "\"q\"},\"data\":{\"num\":\"1000\"},\"spec\":{\"hard\":{\"cpu\":\"2000m\","
                         "\"memory\":\"536870912\",\"pods\":\"10\"}}}");
  kube_diff_result r = diff(d, l, NULL, 0);
  /* "1k" and "1000" are only equal as quantities; data is not one.  And a
   * number is not a string even where quantities are compared. */
  const char *want[] = {"/data/num", "/spec/hard/pods"};
  assert_paths(&r, want, 2);
  assert_true(r.not_owned); /* no managedFields at all */
  assert_false(r.has_manager);
  kube_diff_result_clear(&r);
  cJSON_Delete(d);
  cJSON_Delete(l);
}

static void test_secret_string_data(void **state) {
  (void)state;
  cJSON *d = yaml_obj("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                      "stringData: {password: hunter2}\ndata: {user: YWRtaW4=}\n");
  cJSON *l = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\","
                         "\"managedFields\":[{\"manager\":\"gitops\",\"operation\":\"Apply\","
                         "\"fieldsV1\":{\"f:data\":{\"f:user\":{}},\"f:stringData\":{\"f:password\""
                         ":{}}}}]},\"type\":\"Opaque\",\"data\":{\"user\":\"YWRtaW4=\","
                         "\"password\":\"aHVudGVyMg==\"}}");
  kube_diff_result r = diff(d, l, NULL, 0);
  assert_false(r.drift);
  assert_false(r.not_owned);
  kube_diff_result_clear(&r);
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(l, "data"), "password",
                            cJSON_CreateString("b3RoZXI="));
  r = diff(d, l, NULL, 0);
  const char *want[] = {"/data/password"};
  assert_paths(&r, want, 1);
  kube_diff_result_clear(&r);
  cJSON_Delete(d);
  cJSON_Delete(l);
}

/* Desired fields another manager owns (same value): no drift, but applying
 * would take ownership. */
static void test_not_owned(void **state) {
  (void)state;
  cJSON *d = yaml_obj("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n"
                      "data: {a: '1', b: '2'}\n");
  cJSON *l =
      cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
                  "\"namespace\":\"x\",\"managedFields\":[{\"manager\":\"gitops\","
                  "\"operation\":\"Apply\",\"fieldsV1\":{\"f:data\":{\"f:a\":{}}}},"
                  "{\"manager\":\"kubectl\",\"operation\":\"Apply\",\"fieldsV1\":{"
                  "\"f:data\":{\"f:b\":{}}}}]},\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
  kube_diff_result r = diff(d, l, NULL, 0);
  assert_false(r.drift);
  assert_true(r.not_owned);
  assert_true(r.has_manager);
  kube_diff_result_clear(&r);
  /* another field manager name sees nothing of its own */
  kube_error e;
  assert_ok(kube_diff(d, l, "kubectl", NULL, 0, &r, &e), e);
  assert_true(r.not_owned);
  kube_diff_result_clear(&r);
  cJSON_Delete(d);
  cJSON_Delete(l);
}

static void test_missing_and_identity_only(void **state) {
  (void)state;
  cJSON *d = yaml_obj("apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n");
  kube_diff_result r = diff(d, NULL, NULL, 0);
  assert_true(r.drift);
  assert_true(r.missing);
  kube_diff_result_clear(&r);
  /* identity only: nothing to own, nothing to compare */
  cJSON *l = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                         "\"team\",\"labels\":{\"kubernetes.io/metadata.name\":\"team\"}},"
                         "\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":"
                         "\"Active\"}}");
  r = diff(d, l, NULL, 0);
  assert_false(r.drift);
  assert_false(r.not_owned);
  kube_diff_result_clear(&r);
  /* empty maps and lists in desired equal absent live fields */
  cJSON *d2 = yaml_obj("apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {}}\n"
                       "spec: {finalizers: []}\n");
  cJSON_DeleteItemFromObject(l, "spec");
  r = diff(d2, l, NULL, 0);
  assert_false(r.drift);
  kube_diff_result_clear(&r);
  kube_error e;
  assert_code(kube_diff(NULL, l, NULL, NULL, 0, &r, &e), KUBE_EINVALID, e);
  cJSON_Delete(d);
  cJSON_Delete(d2);
  cJSON_Delete(l);
}

/* "v:" (set) and "i:" (atomic index) members of managedFields */
static void test_set_members(void **state) {
  (void)state;
  cJSON *d = yaml_obj("apiVersion: v1\nkind: Widget\nmetadata: {name: w, finalizers: [a, b]}\n"
                      "spec: {ports: [80, 443]}\n");
  cJSON *l = cJSON_Parse(
      "{\"apiVersion\":\"v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\","
      "\"finalizers\":[\"a\",\"b\"],\"managedFields\":[{\"manager\":\"gitops\",\"operation\":"
      "\"Apply\",\"fieldsV1\":{\"f:metadata\":{\"f:finalizers\":{\"v:\\\"a\\\"\":{},\"v:\\\"b\\\"\""
      ":{}}},\"f:spec\":{\"f:ports\":{\"i:0\":{},\"i:1\":{}}}}}]},\"spec\":{\"ports\":[80,443]}}");
  kube_diff_result r = diff(d, l, NULL, 0);
  assert_false(r.drift);
  assert_false(r.not_owned);
  kube_diff_result_clear(&r);
  cJSON *fin = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "metadata"), "finalizers");
  cJSON_DeleteItemFromArray(fin, 1);
  r = diff(d, l, NULL, 0);
  const char *want[] = {"/metadata/finalizers"};
  assert_paths(&r, want, 1);
  kube_diff_result_clear(&r);
  cJSON_Delete(d);
  cJSON_Delete(l);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_in_sync, setup, teardown),
      cmocka_unit_test_setup_teardown(test_value_drift_and_ignore, setup, teardown),
      cmocka_unit_test_setup_teardown(test_owned_field_removed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
      cmocka_unit_test(test_quantities),
      cmocka_unit_test(test_secret_string_data),
      cmocka_unit_test(test_not_owned),
      cmocka_unit_test(test_missing_and_identity_only),
      cmocka_unit_test(test_set_members),
  };
  return cmocka_run_group_tests_name("kube_diff", tests, NULL, NULL);
}

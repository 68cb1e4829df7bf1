/* gitops_helm_release: the plan-visible objects of a release manifest (keys,
 * namespace defaulting, Helm's labels and annotations, redaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "resources/hr_internal.h"

static const char MANIFEST[] = "---\n# Source: c/templates/sa.yaml\n"
                               "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n"
                               "---\n# Source: c/templates/secret.yaml\n"
                               "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n"
                               "stringData:\n  password: \"hunter2\"\n"
                               "---\n# Source: c/templates/cm.yaml\n"
                               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
                               "  namespace: other\ndata:\n  dsn: \"user:hunter2@db\"\n  x: plain\n"
                               "---\n# Source: c/templates/cr.yaml\n"
                               "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                               "metadata:\n  name: reader\nrules: []\n";

static void test_manifest_objects(void **state) {
  (void)state;
  cJSON **objs = NULL;
  size_t n = 0;
  char err[256];
  assert_int_equal(hr_manifest_objects(MANIFEST, "rel", "apps", &objs, &n, err, sizeof err), 0);
  assert_int_equal(n, 4);
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(objs[0], "metadata");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(md, "namespace")->valuestring, "apps");
  const cJSON *labels = cJSON_GetObjectItemCaseSensitive(md, "labels");
  assert_string_equal(
      cJSON_GetObjectItemCaseSensitive(labels, "app.kubernetes.io/managed-by")->valuestring,
      "Helm");
  const cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
  assert_string_equal(
      cJSON_GetObjectItemCaseSensitive(ann, "meta.helm.sh/release-name")->valuestring, "rel");
  assert_string_equal(
      cJSON_GetObjectItemCaseSensitive(ann, "meta.helm.sh/release-namespace")->valuestring, "apps");
  md = cJSON_GetObjectItemCaseSensitive(objs[2], "metadata");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(md, "namespace")->valuestring, "other");
  md = cJSON_GetObjectItemCaseSensitive(objs[3], "metadata");
  assert_null(cJSON_GetObjectItemCaseSensitive(md, "namespace")); /* cluster-scoped */
  hr_objects_free(objs, n);
  assert_int_equal(hr_manifest_objects("a: [", "rel", "apps", &objs, &n, err, sizeof err), -1);
  assert_true(strlen(err) > 0);
}

static void test_objects_map(void **state) {
  (void)state;
  tf_diags d;
  tf_diags_init(&d);
  const char *sens[] = {"hunter2"};
  tf_value *m = hr_objects_map(MANIFEST, "rel", "apps", sens, 1, &d);
  assert_non_null(m);
  assert_int_equal(tf_value_len(m), 4);
  const tf_value *sa = tf_value_map_get(m, "/ServiceAccount/apps/sa");
  assert_non_null(sa);
  assert_non_null(strstr(tf_value_str(sa), "app.kubernetes.io/managed-by: Helm"));
  const tf_value *sec = tf_value_map_get(m, "/Secret/apps/creds");
  assert_non_null(sec);
  assert_null(strstr(tf_value_str(sec), "hunter2"));
  assert_non_null(strstr(tf_value_str(sec), "password: ++++++++"));
  const tf_value *cm = tf_value_map_get(m, "/ConfigMap/other/cm");
  assert_non_null(cm);
  assert_null(strstr(tf_value_str(cm), "hunter2"));
  assert_non_null(strstr(tf_value_str(cm), "x: plain"));
  assert_non_null(strstr(tf_value_str(cm), "dsn: ++++++++"));
  assert_non_null(tf_value_map_get(m, "rbac.authorization.k8s.io/ClusterRole//reader"));
  tf_value_free(m);
  /* Without sensitive values the ConfigMap is shown as it is. */
  m = hr_objects_map(MANIFEST, "rel", "apps", NULL, 0, &d);
  assert_non_null(strstr(tf_value_str(tf_value_map_get(m, "/ConfigMap/other/cm")), "hunter2"));
  tf_value_free(m);
  assert_false(tf_diags_has_error(&d));
  tf_diags_free(&d);
}

static void test_sha256(void **state) {
  (void)state;
  char h[65];
  hr_sha256_hex("abc", 3, h);
  assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_manifest_objects),
      cmocka_unit_test(test_objects_map),
      cmocka_unit_test(test_sha256),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

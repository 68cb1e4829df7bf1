/* Unit tests for engine/kube ordering: Namespaces, CRDs, sync waves, Helm's
 * install order, names; deletion is the exact reverse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/kube/kube.h"
#include "test_kube_helpers.h"

static cJSON *obj(const char *api, const char *kind, const char *name, const char *wave) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "apiVersion", api);
  cJSON_AddStringToObject(o, "kind", kind);
  cJSON *m = cJSON_AddObjectToObject(o, "metadata");
  cJSON_AddStringToObject(m, "name", name);
  if (wave)
    cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "annotations"),
                            "argocd.argoproj.io/sync-wave", wave);
  return o;
}

static void test_order(void **state) {
  (void)state;
  cJSON *o[] = {
      obj("apps/v1", "Deployment", "web", NULL),                            /* 0 */
      obj("example.com/v1", "Widget", "w1", NULL),                          /* 1 */
      obj("v1", "ConfigMap", "b-config", NULL),                             /* 2 */
      obj("v1", "Namespace", "zeta", "5"),                                  /* 3 */
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "w", "2"), /* 4 */
      obj("v1", "ConfigMap", "a-config", NULL),                             /* 5 */
      obj("batch/v1", "Job", "migrate", "-1"),                              /* 6 */
      obj("v1", "Service", "web", NULL),                                    /* 7 */
      obj("v1", "Namespace", "alpha", NULL),                                /* 8 */
      obj("example.com/v1", "Gadget", "g1", NULL),                          /* 9 */
      obj("v1", "Secret", "s", "1"),                                        /* 10 */
      obj("rbac.authorization.k8s.io/v1", "ClusterRole", "cr", NULL),       /* 11 */
      obj("v1", "ServiceAccount", "sa", NULL),                              /* 12 */
      obj("networking.k8s.io/v1", "Ingress", "ing", NULL),                  /* 13 */
      obj("v1", "ConfigMap", "bad-wave", "not-a-number"),                   /* 14 */
  };
  size_t n = sizeof(o) / sizeof(o[0]), order[16], rev[16];
  kube_order((const cJSON *const *)o, n, order);
  size_t want[] = {8, 3, 4, 6, 12, 5, 2, 14, 11, 7, 0, 13, 9, 1, 10};
  for (size_t i = 0; i < n; i++)
    if (order[i] != want[i])
      fail_msg("position %zu: got object %zu, want %zu", i, order[i], want[i]);
  kube_order_delete((const cJSON *const *)o, n, rev);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(rev[i], order[n - 1 - i]);
  assert_int_equal(kube_sync_wave(o[6]), -1);
  assert_int_equal(kube_sync_wave(o[14]), 0);
  for (size_t i = 0; i < n; i++)
    cJSON_Delete(o[i]);
}

static void test_kind_rank(void **state) {
  (void)state;
  const char *helm[] = {"PriorityClass",
                        "Namespace",
                        "NetworkPolicy",
                        "ResourceQuota",
                        "LimitRange",
                        "PodSecurityPolicy",
                        "PodDisruptionBudget",
                        "ServiceAccount",
                        "Secret",
                        "SecretList",
                        "ConfigMap",
                        "StorageClass",
                        "PersistentVolume",
                        "PersistentVolumeClaim",
                        "CustomResourceDefinition",
                        "ClusterRole",
                        "ClusterRoleList",
                        "ClusterRoleBinding",
                        "ClusterRoleBindingList",
                        "Role",
                        "RoleList",
                        "RoleBinding",
                        "RoleBindingList",
                        "Service",
                        "DaemonSet",
                        "Pod",
                        "ReplicationController",
                        "ReplicaSet",
                        "Deployment",
                        "HorizontalPodAutoscaler",
                        "StatefulSet",
                        "Job",
                        "CronJob",
                        "IngressClass",
                        "Ingress",
                        "APIService"};
  int n = (int)(sizeof(helm) / sizeof(helm[0]));
  for (int i = 0; i < n; i++)
    assert_int_equal(kube_kind_rank(helm[i]), i);
  assert_int_equal(kube_kind_rank("Widget"), n);
  assert_int_equal(kube_kind_rank(NULL), n);
}

/* Large sets sort stably and completely (every index exactly once). */
static void test_large(void **state) {
  (void)state;
  enum { N = 2000 };
  static cJSON *o[N];
  static size_t order[N];
  const char *kinds[] = {"ConfigMap", "Deployment", "Service", "Secret", "Widget"};
  for (int i = 0; i < N; i++) {
    char name[32], wave[8];
    snprintf(name, sizeof(name), "n%04d", (i * 7919) % N);
    snprintf(wave, sizeof(wave), "%d", i % 3 - 1);
    o[i] = obj(i % 5 == 4 ? "example.com/v1" : (i % 5 == 1 ? "apps/v1" : "v1"), kinds[i % 5], name,
               wave);
  }
  kube_order((const cJSON *const *)o, N, order);
  static char seen[N];
  for (int i = 0; i < N; i++) {
    assert_false(seen[order[i]]);
    seen[order[i]] = 1;
    if (i) {
      int wa = kube_sync_wave(o[order[i - 1]]), wb = kube_sync_wave(o[order[i]]);
      assert_true(wa <= wb);
    }
  }
  for (int i = 0; i < N; i++)
    cJSON_Delete(o[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order),
      cmocka_unit_test(test_kind_rank),
      cmocka_unit_test(test_large),
  };
  return cmocka_run_group_tests_name("kube_order", tests, NULL, NULL);
}

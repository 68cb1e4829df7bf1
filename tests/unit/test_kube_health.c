/* Unit tests for engine/kube health: every JSON fixture in tests/kube/health
 * ({"expect": {"status", "message"?}, "object": {...}}) is assessed as Argo CD
 * (gitops-engine) would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>

#include "engine/kube/kube.h"
#include "test_kube_helpers.h"

static const char *fixture_dir(void) {
  static char dir[PATH_MAX];
  struct stat st;
  if (stat("tests/kube/health", &st) == 0) return "tests/kube/health";
  snprintf(dir, sizeof(dir), "%s", __FILE__);
  char *slash = strrchr(dir, '/');
  if (slash) snprintf(slash, sizeof(dir) - (size_t)(slash - dir), "/../kube/health");
  return dir;
}

static kube_health_status status_of(const char *s) {
  static const kube_health_status all[] = {KUBE_HEALTH_HEALTHY,  KUBE_HEALTH_PROGRESSING,
                                           KUBE_HEALTH_DEGRADED, KUBE_HEALTH_SUSPENDED,
                                           KUBE_HEALTH_MISSING,  KUBE_HEALTH_UNKNOWN};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    if (!strcmp(kube_health_name(all[i]), s)) return all[i];
  fail_msg("unknown status %s", s);
  return KUBE_HEALTH_UNKNOWN;
}

static void test_fixtures(void **state) {
  (void)state;
  const char *dir = fixture_dir();
  DIR *d = opendir(dir);
  if (!d) fail_msg("no fixture directory %s", dir);
  int n = 0, bad = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 6 || strcmp(de->d_name + l - 5, ".json")) continue;
    char path[PATH_MAX + 256];
    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
    char *text = kt_read(path);
    cJSON *fx = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!fx) fail_msg("%s: not JSON", path);
    const cJSON *exp = cJSON_GetObjectItem(fx, "expect");
    const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(exp, "status"));
    const char *want_msg = cJSON_GetStringValue(cJSON_GetObjectItem(exp, "message"));
    kube_health h;
    kube_health_assess(cJSON_GetObjectItem(fx, "object"), &h);
    if (h.status != status_of(want) || (want_msg && strcmp(h.message, want_msg))) {
      print_error("%s: got %s \"%s\", want %s \"%s\"\n", de->d_name, kube_health_name(h.status),
                  h.message, want, want_msg ? want_msg : "*");
      bad++;
    }
    n++;
    cJSON_Delete(fx);
  }
  closedir(d);
  assert_true(n >= 60);
  assert_int_equal(bad, 0);
}

static void test_missing_and_order(void **state) {
  (void)state;
  kube_health h;
  kube_health_assess(NULL, &h);
  assert_int_equal(h.status, KUBE_HEALTH_MISSING);
  assert_string_equal(kube_health_name(KUBE_HEALTH_SUSPENDED), "Suspended");
  /* Healthy < Suspended < Progressing < Missing < Degraded < Unknown */
  kube_health_status order[] = {KUBE_HEALTH_HEALTHY, KUBE_HEALTH_SUSPENDED, KUBE_HEALTH_PROGRESSING,
                                KUBE_HEALTH_MISSING, KUBE_HEALTH_DEGRADED,  KUBE_HEALTH_UNKNOWN};
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++)
      assert_int_equal(kube_health_worse(order[i], order[j]), i > j);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_missing_and_order),
  };
  return cmocka_run_group_tests_name("kube_health", tests, NULL, NULL);
}

/* Provider block validation and configuration, and the registry's schemas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "resources/res.h"

static int setup(void **state) {
  tf_diags d;
  tf_diags_init(&d);
  int rc = res_registry_init(&d);
  tf_diags_free(&d);
  *state = NULL;
  return rc;
}

static int teardown(void **state) {
  (void)state;
  res_registry_free();
  return 0;
}

/* A provider config whose block `name` has the given string attributes set. */
static tf_value *config_with(const char *block, const char *const *kv) {
  const tf_type *t = res_provider_entry()->type;
  tf_value *cfg = tf_value_object_empty(t);
  if (block) {
    const tf_type *bt = tf_type_at(t, (size_t)tf_type_attr_index(t, block));
    tf_value *b = tf_value_object_empty(bt);
    for (size_t i = 0; kv && kv[i]; i += 2) {
      const tf_type *at = tf_type_at(bt, (size_t)tf_type_attr_index(bt, kv[i]));
      tf_value *v = tf_type_kind(at) == TF_BOOL     ? tf_value_bool(strcmp(kv[i + 1], "true") == 0)
                    : tf_type_kind(at) == TF_NUMBER ? tf_value_number_text(kv[i + 1])
                                                    : tf_value_string(kv[i + 1]);
      assert_int_equal(tf_value_set_attr(b, kv[i], v), 0);
    }
    assert_int_equal(tf_value_set_attr(cfg, block, b), 0);
  }
  return cfg;
}

/* Validates and returns the path of the first error as text ("" if none). */
static char *first_error_path(tf_value *cfg) {
  tf_diags d;
  tf_diags_init(&d);
  res_provider_validate(cfg, &d);
  char *out = strdup("");
  for (size_t i = 0; i < d.len; i++)
    if (d.items[i].severity == TF_ERROR) {
      free(out);
      out = tf_path_to_string(&d.items[i].path);
      break;
    }
  tf_diags_free(&d);
  tf_value_free(cfg);
  return out;
}

static void expect_error_at(const char *block, const char *const *kv, const char *path) {
  char *got = first_error_path(config_with(block, kv));
  assert_string_equal(got, path);
  free(got);
}

static void valid_configs(void **state) {
  (void)state;
  expect_error_at(NULL, NULL, "");
  expect_error_at("kubernetes", (const char *[]){"config_path", "~/.kube/config", NULL}, "");
  expect_error_at("kubernetes",
                  (const char *[]){"host", "https://127.0.0.1:6443", "token", "t", NULL}, "");
  expect_error_at("git", (const char *[]){"token", "t", "timeout", "30", NULL}, "");
}

static void conflicts_and_bad_values(void **state) {
  (void)state;
  expect_error_at("kubernetes",
                  (const char *[]){"cluster_ca_certificate", "-----BEGIN CERTIFICATE-----",
                                   "insecure", "true", NULL},
                  ".kubernetes.insecure");
  expect_error_at("kubernetes",
                  (const char *[]){"client_certificate", "-----BEGIN CERTIFICATE-----", NULL},
                  ".kubernetes.client_certificate");
  expect_error_at("kubernetes", (const char *[]){"host", "ftp://x", NULL}, ".kubernetes.host");
  expect_error_at("kubernetes", (const char *[]){"cluster_ca_certificate", "not pem", NULL},
                  ".kubernetes.cluster_ca_certificate");
  expect_error_at("git", (const char *[]){"password", "p", "token", "t", NULL}, ".git.token");
  expect_error_at("git", (const char *[]){"ssh_private_key", "~/.ssh/id_rsa", NULL},
                  ".git.ssh_private_key");
  expect_error_at("git", (const char *[]){"timeout", "0", NULL}, ".git.timeout");
  expect_error_at("git", (const char *[]){"timeout", "1.5", NULL}, ".git.timeout");
}

static void configure_defaults(void **state) {
  (void)state;
  setenv("HOME", "/home/someone", 1);
  unsetenv("XDG_CACHE_HOME");
  unsetenv("GITOPS_GIT_TIMEOUT");
  tf_diags d;
  tf_diags_init(&d);
  res_provider *p;
  tf_value *cfg = config_with("kubernetes", (const char *[]){"config_path", "~/k.yaml", NULL});
  assert_int_equal(res_provider_configure(cfg, &p, &d), 0);
  assert_string_equal(p->git.cache_dir, "/home/someone/.cache/terraform-provider-gitops");
  assert_int_equal(p->git.timeout_seconds, 120);
  assert_string_equal(p->kube.config_paths[0], "/home/someone/k.yaml");
  assert_null(p->kube.config_paths[1]);
  res_provider_free(p);
  tf_value_free(cfg);
  cfg = config_with("git", (const char *[]){"cache_dir", "/var/cache/x", "token", "tok", NULL});
  assert_int_equal(res_provider_configure(cfg, &p, &d), 0);
  assert_string_equal(p->git.cache_dir, "/var/cache/x");
  assert_string_equal(p->git.password, "tok");
  res_provider_free(p);
  tf_value_free(cfg);
  tf_diags_free(&d);
}

static void schemas_valid(void **state) {
  (void)state;
  const res_entry *ds = res_find_data_source("gitops_git_revision");
  assert_non_null(ds);
  assert_non_null(ds->type);
  assert_null(res_find_data_source("nope"));
  tf_diags d;
  tf_diags_init(&d);
  assert_int_equal(tf_block_validate(res_provider_entry()->schema, &d), 0);
  assert_int_equal(tf_block_validate(ds->schema, &d), 0);
  tf_diags_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(valid_configs), cmocka_unit_test(conflicts_and_bad_values),
      cmocka_unit_test(configure_defaults), cmocka_unit_test(schemas_valid)};
  return cmocka_run_group_tests(tests, setup, teardown);
}

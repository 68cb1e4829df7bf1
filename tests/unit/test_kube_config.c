/* Unit tests for engine/kube kubeconfig resolution (every auth form, merged
 * KUBECONFIG, contexts and overrides, in-cluster) and exec credential plugins
 * (a shell script printing ExecCredential: caching, expiry, re-run after a
 * 401, KUBERNETES_EXEC_INFO, failures).  No API server needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/kube/kube.h"
#include "engine/kube/kube_internal.h"
#include "test_kube_helpers.h"

#define CA_PEM "-----BEGIN CERTIFICATE-----\nQ0EtY2VydA==\n-----END CERTIFICATE-----\n"
#define CERT_PEM "-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----\n"
#define KEY_PEM "-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n"

static char CA_B64[512], CERT_B64[512], KEY_B64[512];

static void b64(const char *in, char *out, size_t cap) {
  char *e = kube__b64_encode(in, strlen(in));
  snprintf(out, cap, "%s", e);
  free(e);
}

static int group_setup(void **state) {
  (void)state;
  if (kt_mkdtemp("kube-config")) return -1;
  b64(CA_PEM, CA_B64, sizeof(CA_B64));
  b64(CERT_PEM, CERT_B64, sizeof(CERT_B64));
  b64(KEY_PEM, KEY_B64, sizeof(KEY_B64));
  mkdir(kt_path("home"), 0700);
  mkdir(kt_path("home/.kube"), 0700);
  mkdir(kt_path("certs"), 0700);
  mkdir(kt_path("sa"), 0700);
  kt_write(kt_path("certs/ca.crt"), CA_PEM, 0);
  kt_write(kt_path("certs/client.crt"), CERT_PEM, 0);
  kt_write(kt_path("certs/client.key"), KEY_PEM, 0600);
  kt_write(kt_path("token-file"), "file-token\n", 0600);
  setenv("HOME", kt_path("home"), 1);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  kt_rmdir();
  return 0;
}

/* Every test starts without KUBECONFIG, in-cluster variables or a default
 * kubeconfig. */
static int setup(void **state) {
  (void)state;
  unsetenv("KUBECONFIG");
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  unlink(kt_path("home/.kube/config"));
  return 0;
}

static const char *kubeconfig(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *kubeconfig(const char *name, const char *fmt, ...) {
  char text[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  const char *p = kt_path("%s", name);
  kt_write(p, text, 0600);
  return p;
}

static int resolve_paths(const char *p1, const char *p2, kube_rest_config *c, kube_error *e) {
  char *paths[] = {(char *)p1, (char *)p2, NULL};
  kube_settings s = {.config_paths = paths};
  return kube_config_resolve(&s, c, e);
}

/* ------------------------------------------------------------------ */

static void test_token_and_ca_data(void **state) {
  (void)state;
  const char *p = kubeconfig("kc-token",
                             "apiVersion: v1\nkind: Config\n"
                             "clusters:\n- name: c1\n  cluster:\n"
                             "    server: https://10.0.0.1:6443/\n"
                             "    certificate-authority-data: %s\n"
                             "users:\n- name: u1\n  user:\n    token: secret-token\n"
                             "contexts:\n- name: ctx\n  context:\n    cluster: c1\n"
                             "    user: u1\n    namespace: team-a\n"
                             "current-context: ctx\n",
                             CA_B64);
  kube_rest_config c;
  kube_error e;
  assert_ok(resolve_paths(p, NULL, &c, &e), e);
  assert_string_equal(c.server, "https://10.0.0.1:6443");
  assert_string_equal(c.token, "secret-token");
  assert_string_equal(c.ca_pem, CA_PEM);
  assert_string_equal(c.namespace_, "team-a");
  assert_string_equal(c.context, "ctx");
  assert_string_equal(c.cluster, "c1");
  assert_string_equal(c.user, "u1");
  assert_null(c.client_cert_pem);
  assert_int_equal(c.insecure, 0);
  assert_contains(c.source, p);
  kube_rest_config_clear(&c);
}

static void test_files_relative_to_kubeconfig(void **state) {
  (void)state;
  const char *p = kubeconfig("kc-files",
                             "clusters:\n- name: c1\n  cluster:\n"
                             "    server: https://k8s.example:443\n"
                             "    certificate-authority: certs/ca.crt\n"
                             "    tls-server-name: api.internal\n"
                             "    proxy-url: http://proxy.example:3128\n"
                             "users:\n- name: u1\n  user:\n"
                             "    client-certificate: certs/client.crt\n"
                             "    client-key: %s\n"
                             "    tokenFile: token-file\n"
                             "contexts:\n- name: ctx\n  context: {cluster: c1, user: u1}\n"
                             "current-context: ctx\n",
                             kt_path("certs/client.key"));
  kube_rest_config c;
  kube_error e;
  assert_ok(resolve_paths(p, NULL, &c, &e), e);
  assert_string_equal(c.ca_pem, CA_PEM);
  assert_string_equal(c.client_cert_pem, CERT_PEM);
  assert_string_equal(c.client_key_pem, KEY_PEM);
  assert_string_equal(c.token_file, kt_path("token-file"));
  assert_null(c.token);
  assert_string_equal(c.tls_server_name, "api.internal");
  assert_string_equal(c.proxy_url, "http://proxy.example:3128");
  assert_string_equal(c.namespace_, "default");
  kube_rest_config_clear(&c);
}

static void test_client_cert_data_insecure_basic(void **state) {
  (void)state;
  const char *p = kubeconfig("kc-data",
                             "clusters:\n- name: c1\n  cluster:\n"
                             "    server: https://1.2.3.4\n"
                             "    insecure-skip-tls-verify: true\n"
                             "users:\n- name: u1\n  user:\n"
                             "    client-certificate-data: %s\n"
                             "    client-key-data: %s\n"
                             "- name: u2\n  user:\n    username: admin\n    password: pw\n"
                             "contexts:\n- name: a\n  context: {cluster: c1, user: u1}\n"
                             "- name: b\n  context: {cluster: c1, user: u2}\n"
                             "current-context: a\n",
                             CERT_B64, KEY_B64);
  kube_rest_config c;
  kube_error e;
  assert_ok(resolve_paths(p, NULL, &c, &e), e);
  assert_int_equal(c.insecure, 1);
  assert_null(c.ca_pem);
  assert_string_equal(c.client_cert_pem, CERT_PEM);
  assert_string_equal(c.client_key_pem, KEY_PEM);
  kube_rest_config_clear(&c);

  char *paths[] = {(char *)p, NULL};
  kube_settings s = {.config_paths = paths, .config_context = "b"};
  assert_ok(kube_config_resolve(&s, &c, &e), e);
  assert_string_equal(c.username, "admin");
  assert_string_equal(c.password, "pw");
  assert_null(c.client_cert_pem);
  kube_rest_config_clear(&c);
}

/* KUBECONFIG=a:b — the first file that names a cluster/user/context or sets
 * current-context wins (client-go); missing files are skipped. */
static void test_kubeconfig_env_merge(void **state) {
  (void)state;
  const char *a =
      kubeconfig("kc-a", "clusters:\n- name: shared\n  cluster:\n"
                         "    server: https://first:6443\n"
                         "users:\n- name: ua\n  user:\n    token: token-a\n"
                         "contexts:\n- name: ctx-a\n  context: {cluster: shared, user: ua}\n");
  const char *b =
      kubeconfig("kc-b", "clusters:\n- name: shared\n  cluster:\n"
                         "    server: https://second:6443\n"
                         "- name: only-b\n  cluster:\n    server: https://b-only:6443\n"
                         "users:\n- name: ub\n  user:\n    token: token-b\n"
                         "contexts:\n- name: ctx-b\n  context: {cluster: only-b, user: ub,"
                         " namespace: nb}\n"
                         "- name: ctx-a\n  context: {cluster: only-b, user: ub}\n"
                         "current-context: ctx-b\n");
  char env[3 * PATH_MAX];
  snprintf(env, sizeof(env), "%s:%s:%s", kt_path("does-not-exist"), a, b);
  setenv("KUBECONFIG", env, 1);
  kube_rest_config c;
  kube_error e;
  /* current-context only in b */
  assert_ok(kube_config_resolve(NULL, &c, &e), e);
  assert_string_equal(c.context, "ctx-b");
  assert_string_equal(c.server, "https://b-only:6443");
  assert_string_equal(c.token, "token-b");
  assert_string_equal(c.namespace_, "nb");
  assert_contains(c.source, a);
  assert_contains(c.source, b);
  kube_rest_config_clear(&c);
  /* ctx-a and cluster "shared" are defined in both: a wins */
  kube_settings s = {.config_context = "ctx-a"};
  assert_ok(kube_config_resolve(&s, &c, &e), e);
  assert_string_equal(c.server, "https://first:6443");
  assert_string_equal(c.token, "token-a");
  kube_rest_config_clear(&c);
  /* explicit config_paths win over KUBECONFIG */
  char *paths[] = {(char *)b, NULL};
  kube_settings s2 = {.config_paths = paths, .config_context = "ctx-a"};
  assert_ok(kube_config_resolve(&s2, &c, &e), e);
  assert_string_equal(c.server, "https://b-only:6443");
  kube_rest_config_clear(&c);
}

static void test_default_kubeconfig_in_home(void **state) {
  (void)state;
  kt_write(kt_path("home/.kube/config"),
           "clusters:\n- name: c\n  cluster: {server: 'https://home:6443'}\n"
           "users:\n- name: u\n  user: {token: t}\n"
           "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
           0600);
  kube_rest_config c;
  kube_error e;
  assert_ok(kube_config_resolve(NULL, &c, &e), e);
  assert_string_equal(c.server, "https://home:6443");
  kube_rest_config_clear(&c);
}

static void test_context_overrides(void **state) {
  (void)state;
  const char *p =
      kubeconfig("kc-ovr", "clusters:\n- name: c1\n  cluster: {server: 'https://one'}\n"
                           "- name: c2\n  cluster: {server: 'https://two'}\n"
                           "users:\n- name: u1\n  user: {token: t1}\n"
                           "- name: u2\n  user: {token: t2}\n"
                           "contexts:\n- name: ctx\n  context: {cluster: c1, user: u1}\n"
                           "current-context: ctx\n");
  char *paths[] = {(char *)p, NULL};
  kube_settings s = {
      .config_paths = paths, .config_context_cluster = "c2", .config_context_auth_info = "u2"};
  kube_rest_config c;
  kube_error e;
  assert_ok(kube_config_resolve(&s, &c, &e), e);
  assert_string_equal(c.server, "https://two");
  assert_string_equal(c.token, "t2");
  kube_rest_config_clear(&c);
}

/* The provider's explicit settings override the kubeconfig like the helm
 * provider's (client-go ConfigOverrides). */
static void test_explicit_overrides(void **state) {
  (void)state;
  const char *p = kubeconfig("kc-expl",
                             "clusters:\n- name: c1\n  cluster:\n"
                             "    server: https://orig:6443\n"
                             "    certificate-authority-data: %s\n"
                             "    tls-server-name: orig.internal\n"
                             "users:\n- name: u1\n  user:\n    tokenFile: token-file\n"
                             "contexts:\n- name: ctx\n  context: {cluster: c1, user: u1}\n"
                             "current-context: ctx\n",
                             CA_B64);
  char *paths[] = {(char *)p, NULL};
  kube_settings s = {.config_paths = paths,
                     .host = "new-host:8443",
                     .token = "explicit-token",
                     .client_certificate = CERT_PEM,
                     .client_key = KEY_PEM,
                     .proxy_url = "socks5://127.0.0.1:1080"};
  kube_rest_config c;
  kube_error e;
  assert_ok(kube_config_resolve(&s, &c, &e), e);
  assert_string_equal(c.server, "https://new-host:8443");
  assert_null(c.tls_server_name); /* a new host drops the kubeconfig's server name */
  assert_string_equal(c.ca_pem, CA_PEM);
  assert_string_equal(c.token, "explicit-token");
  assert_null(c.token_file);
  assert_string_equal(c.client_cert_pem, CERT_PEM);
  assert_string_equal(c.proxy_url, "socks5://127.0.0.1:1080");
  kube_rest_config_clear(&c);

  /* insecure drops the kubeconfig's CA instead of conflicting with it */
  kube_settings s2 = {.config_paths = paths, .insecure = 1, .tls_server_name = "sni.example"};
  assert_ok(kube_config_resolve(&s2, &c, &e), e);
  assert_int_equal(c.insecure, 1);
  assert_null(c.ca_pem);
  assert_string_equal(c.tls_server_name, "sni.example");
  assert_string_equal(c.server, "https://orig:6443");
  kube_rest_config_clear(&c);

  /* host without any config path: explicit settings only (KUBECONFIG ignored) */
  setenv("KUBECONFIG", p, 1);
  kube_settings s3 = {
      .host = "https://only.example", .token = "t", .cluster_ca_certificate = CA_PEM};
  assert_ok(kube_config_resolve(&s3, &c, &e), e);
  assert_string_equal(c.server, "https://only.example");
  assert_string_equal(c.ca_pem, CA_PEM);
  assert_null(c.context);
  assert_string_equal(c.namespace_, "default");
  assert_string_equal(c.source, "provider settings");
  kube_rest_config_clear(&c);
}

static void test_in_cluster(void **state) {
  (void)state;
  kt_write(kt_path("sa/token"), "sa-token\n", 0600);
  kt_write(kt_path("sa/ca.crt"), CA_PEM, 0);
  kt_write(kt_path("sa/namespace"), "apps\n", 0);
  kube_rest_config c;
  kube_error e;
  kube_settings s = {.in_cluster_dir = kt_path("sa")};
  assert_code(kube_config_resolve(&s, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "no Kubernetes configuration");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  assert_ok(kube_config_resolve(&s, &c, &e), e);
  assert_string_equal(c.server, "https://10.96.0.1:443");
  assert_string_equal(c.token_file, kt_path("sa/token"));
  assert_string_equal(c.ca_pem, CA_PEM);
  assert_string_equal(c.namespace_, "apps");
  assert_string_equal(c.source, "in-cluster configuration");
  kube_rest_config_clear(&c);
  /* IPv6 service host */
  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  assert_ok(kube_config_resolve(&s, &c, &e), e);
  assert_string_equal(c.server, "https://[fd00::1]:443");
  kube_rest_config_clear(&c);
  /* no token: a clear error */
  unlink(kt_path("sa/token"));
  assert_code(kube_config_resolve(&s, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "in-cluster");
}

static void test_errors(void **state) {
  (void)state;
  kube_rest_config c;
  kube_error e;
  assert_code(resolve_paths(kt_path("missing.yaml"), NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "missing.yaml");

  const char *p =
      kubeconfig("kc-err", "clusters:\n- name: c1\n  cluster: {server: 'https://x'}\n"
                           "contexts:\n- name: one\n  context: {cluster: c1, user: nobody}\n"
                           "- name: two\n  context: {cluster: gone}\n");
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "no current-context");
  char *paths[] = {(char *)p, NULL};
  kube_settings s = {.config_paths = paths, .config_context = "three"};
  assert_code(kube_config_resolve(&s, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "context \"three\" does not exist");
  assert_contains(e.message, "\"one\", \"two\"");
  s.config_context = "one";
  assert_code(kube_config_resolve(&s, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "user \"nobody\"");
  s.config_context = "two";
  assert_code(kube_config_resolve(&s, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "cluster \"gone\"");

  p = kubeconfig("kc-bad", "clusters: [\n");
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "kc-bad");

  p = kubeconfig("kc-b64", "clusters:\n- name: c\n  cluster: {server: 'https://x', "
                           "certificate-authority-data: '!!notbase64'}\n"
                           "contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n");
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "base64");

  p = kubeconfig("kc-ap",
                 "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
                 "users:\n- name: u\n  user:\n    auth-provider: {name: gcp}\n"
                 "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "auth-provider");

  p = kubeconfig("kc-both",
                 "clusters:\n- name: c\n  cluster: {server: 'https://x', "
                 "insecure-skip-tls-verify: true, certificate-authority-data: '%s'}\n"
                 "contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n",
                 CA_B64);
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "insecure");

  p = kubeconfig("kc-nos", "clusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: true}\n"
                           "contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n");
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "no server");

  p = kubeconfig("kc-exv1",
                 "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
                 "users:\n- name: u\n  user:\n    exec:\n"
                 "      apiVersion: client.authentication.k8s.io/v1\n      command: x\n"
                 "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "interactiveMode must be specified");

  p = kubeconfig("kc-exa",
                 "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
                 "users:\n- name: u\n  user:\n    exec:\n"
                 "      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: x\n"
                 "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
  assert_code(resolve_paths(p, NULL, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "v1alpha1");

  kube_settings s2 = {.host = "https://h", .client_certificate = CERT_PEM};
  assert_code(kube_config_resolve(&s2, &c, &e), KUBE_ECONFIG, e);
  assert_contains(e.message, "client key");
}

/* ------------------------------------------------------------------ */
/* exec credential plugins                                             */

/* The plugin counts its runs in DIR/count, records its environment and
 * arguments, and prints DIR/out (a template: @N@ → run number). */
static const char PLUGIN[] =
    "#!/bin/sh\n"
    "d=\"$1\"; shift\n"
    "n=$(cat \"$d/count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$d/count\"\n"
    "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$d/info\"\n"
    "printf '%s|%s' \"$PLUGIN_ENV\" \"$*\" > \"$d/env\"\n"
    "if [ -f \"$d/fail\" ]; then cat \"$d/fail\" >&2; exit 3; fi\n"
    "sed \"s/@N@/$n/g\" \"$d/out\"\n";

static void plugin_dir(const char *name) {
  kt_sh("rm -rf '%s' && mkdir -p '%s'", kt_path("%s", name), kt_path("%s", name));
  kt_write(kt_path("%s/plugin.sh", name), PLUGIN, 0755);
}

static void plugin_output(const char *name, const char *api, const char *status_json) {
  char out[4096];
  snprintf(out, sizeof(out), "{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":%s}\n",
           api, status_json);
  kt_write(kt_path("%s/out", name), out, 0);
}

static int plugin_runs(const char *name) {
  char *s = kt_read(kt_path("%s/count", name));
  int n = s ? atoi(s) : 0;
  free(s);
  return n;
}

static void rfc3339(time_t t, char *buf, size_t cap) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A kubeconfig whose user runs the plugin of DIR `name` (relative command
 * path: resolved against the kubeconfig's directory, like client-go). */
static const char *exec_kubeconfig(const char *name, const char *api, const char *extra) {
  char file[128];
  snprintf(file, sizeof(file), "%s/kubeconfig", name);
  return kubeconfig(file,
                    "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                    "    certificate-authority-data: %s\n"
                    "users:\n- name: u\n  user:\n    exec:\n"
                    "      apiVersion: %s\n"
                    "      command: ./plugin.sh\n"
                    "      args: [\"%s\", \"--flag\", \"two words\"]\n"
                    "      env:\n      - {name: PLUGIN_ENV, value: from-kubeconfig}\n"
                    "      installHint: install the plugin with make plugin\n"
                    "%s"
                    "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
                    CA_B64, api, kt_path("%s", name), extra ? extra : "");
}

static void test_exec_plugin_cached(void **state) {
  (void)state;
  plugin_dir("ex1");
  plugin_output("ex1", "client.authentication.k8s.io/v1beta1", "{\"token\":\"tok-@N@\"}");
  const char *p = exec_kubeconfig("ex1", "client.authentication.k8s.io/v1beta1",
                                  "      provideClusterInfo: true\n");
  kube_rest_config cfg;
  kube_error e;
  assert_ok(resolve_paths(p, NULL, &cfg, &e), e);
  assert_int_equal(cfg.has_exec, 1);
  assert_string_equal(cfg.exec.args[1], "--flag");
  assert_string_equal(cfg.exec.env[0], "PLUGIN_ENV=from-kubeconfig");

  kube_auth a;
  kube__auth_init(&a, &cfg, 5000);
  kube_cred cr;
  uint64_t gen;
  for (int i = 0; i < 3; i++) {
    assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
    assert_string_equal(cr.token, "tok-1"); /* no expiry: cached */
    kube__cred_clear(&cr);
  }
  assert_int_equal(plugin_runs("ex1"), 1);
  assert_int_equal((int)atomic_load(&a.exec_runs), 1);

  /* arguments, env and KUBERNETES_EXEC_INFO as client-go passes them */
  char *env = kt_read(kt_path("ex1/env"));
  assert_string_equal(env, "from-kubeconfig|--flag two words");
  free(env);
  char *info = kt_read(kt_path("ex1/info"));
  cJSON *j = cJSON_Parse(info);
  assert_non_null(j);
  assert_string_equal(kube__jstr(j, "kind"), "ExecCredential");
  assert_string_equal(kube__jstr(j, "apiVersion"), "client.authentication.k8s.io/v1beta1");
  assert_true(cJSON_IsFalse(kube__jpath(j, "spec.interactive")));
  assert_string_equal(kube__jpath_str(j, "spec.cluster.server"), "https://127.0.0.1:1");
  assert_string_equal(kube__jpath_str(j, "spec.cluster.certificate-authority-data"), CA_B64);
  cJSON_Delete(j);
  free(info);

  /* a 401 with these credentials: re-run */
  assert_int_equal(kube__auth_invalidate(&a, gen), 1);
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "tok-2");
  kube__cred_clear(&cr);
  /* a stale generation does not throw away newer credentials */
  assert_int_equal(kube__auth_invalidate(&a, gen - 1), 1);
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "tok-2");
  kube__cred_clear(&cr);
  assert_int_equal(plugin_runs("ex1"), 2);
  kube__auth_dispose(&a);
  kube_rest_config_clear(&cfg);
}

static void test_exec_plugin_expiry(void **state) {
  (void)state;
  plugin_dir("ex2");
  char status[512], ts[64];
  /* already expired: every request runs the plugin again */
  rfc3339(time(NULL) - 60, ts, sizeof(ts));
  snprintf(status, sizeof(status), "{\"token\":\"tok-@N@\",\"expirationTimestamp\":\"%s\"}", ts);
  plugin_output("ex2", "client.authentication.k8s.io/v1", status);
  const char *p =
      exec_kubeconfig("ex2", "client.authentication.k8s.io/v1", "      interactiveMode: Never\n");
  kube_rest_config cfg;
  kube_error e;
  assert_ok(resolve_paths(p, NULL, &cfg, &e), e);
  kube_auth a;
  kube__auth_init(&a, &cfg, 5000);
  kube_cred cr;
  uint64_t gen;
  for (int i = 1; i <= 2; i++) {
    assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
    char want[16];
    snprintf(want, sizeof(want), "tok-%d", i);
    assert_string_equal(cr.token, want);
    kube__cred_clear(&cr);
  }
  /* valid for two more seconds: cached until then */
  rfc3339(time(NULL) + 2, ts, sizeof(ts));
  snprintf(status, sizeof(status), "{\"token\":\"tok-@N@\",\"expirationTimestamp\":\"%s\"}", ts);
  plugin_output("ex2", "client.authentication.k8s.io/v1", status);
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "tok-3");
  assert_true(cr.expires_ms > 0);
  kube__cred_clear(&cr);
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "tok-3");
  kube__cred_clear(&cr);
  assert_int_equal(plugin_runs("ex2"), 3);
  usleep(3100 * 1000);
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "tok-4");
  kube__cred_clear(&cr);
  kube__auth_dispose(&a);
  kube_rest_config_clear(&cfg);
}

static void test_exec_plugin_client_cert(void **state) {
  (void)state;
  plugin_dir("ex3");
  char status[2048];
  cJSON *st = cJSON_CreateObject();
  cJSON_AddStringToObject(st, "clientCertificateData", CERT_PEM);
  cJSON_AddStringToObject(st, "clientKeyData", KEY_PEM);
  char *js = cJSON_PrintUnformatted(st);
  snprintf(status, sizeof(status), "%s", js);
  free(js);
  cJSON_Delete(st);
  plugin_output("ex3", "client.authentication.k8s.io/v1beta1", status);
  const char *p = exec_kubeconfig("ex3", "client.authentication.k8s.io/v1beta1", NULL);
  kube_rest_config cfg;
  kube_error e;
  assert_ok(resolve_paths(p, NULL, &cfg, &e), e);
  kube_cred cr;
  assert_ok(kube__exec_run(&cfg, 5000, NULL, &cr, &e), e);
  assert_null(cr.token);
  assert_string_equal(cr.cert_pem, CERT_PEM);
  assert_string_equal(cr.key_pem, KEY_PEM);
  assert_int_equal(cr.expires_ms, 0);
  kube__cred_clear(&cr);
  char *info = kt_read(kt_path("ex3/info"));
  assert_null(strstr(info, "cluster")); /* provideClusterInfo not set */
  free(info);
  kube_rest_config_clear(&cfg);
}

static void test_exec_plugin_errors(void **state) {
  (void)state;
  plugin_dir("ex4");
  const char *p = exec_kubeconfig("ex4", "client.authentication.k8s.io/v1beta1", NULL);
  kube_rest_config cfg;
  kube_error e;
  kube_cred cr;
  assert_ok(resolve_paths(p, NULL, &cfg, &e), e);

  kt_write(kt_path("ex4/fail"), "boom: cannot reach the identity provider\n", 0);
  assert_code(kube__exec_run(&cfg, 5000, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "exit code 3");
  assert_contains(e.message, "cannot reach the identity provider");
  unlink(kt_path("ex4/fail"));

  plugin_output("ex4", "client.authentication.k8s.io/v1", "{\"token\":\"t\"}");
  assert_code(kube__exec_run(&cfg, 5000, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "plugin returned version client.authentication.k8s.io/v1");

  plugin_output("ex4", "client.authentication.k8s.io/v1beta1", "{}");
  assert_code(kube__exec_run(&cfg, 5000, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "didn't return a token or cert/key pair");

  plugin_output("ex4", "client.authentication.k8s.io/v1beta1", "{\"clientKeyData\":\"k\"}");
  assert_code(kube__exec_run(&cfg, 5000, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "must both be present");

  kt_write(kt_path("ex4/out"), "not json\n", 0);
  assert_code(kube__exec_run(&cfg, 5000, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "not an ExecCredential");

  /* a plugin that hangs is killed at the timeout */
  kt_write(kt_path("ex4/out"), "{}", 0);
  kt_write(kt_path("ex4/plugin.sh"), "#!/bin/sh\nexec sleep 30\n", 0755);
  double t0 = kt_now();
  assert_code(kube__exec_run(&cfg, 300, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "timed out");
  assert_true(kt_now() - t0 < 5);
  /* and cancellation interrupts it */
  atomic_int cancel = 1;
  assert_code(kube__exec_run(&cfg, 5000, &cancel, &cr, &e), KUBE_ECANCELLED, e);

  unlink(kt_path("ex4/plugin.sh"));
  assert_code(kube__exec_run(&cfg, 5000, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "not found");
  assert_contains(e.message, "install the plugin with make plugin");
  kube_rest_config_clear(&cfg);

  p = exec_kubeconfig("ex4", "client.authentication.k8s.io/v1", "      interactiveMode: Always\n");
  assert_ok(resolve_paths(p, NULL, &cfg, &e), e);
  assert_code(kube__exec_run(&cfg, 5000, NULL, &cr, &e), KUBE_EAUTH, e);
  assert_contains(e.message, "interactive");
  kube_rest_config_clear(&cfg);
}

/* exec settings from the provider block replace the kubeconfig's user auth */
static void test_exec_explicit(void **state) {
  (void)state;
  plugin_dir("ex5");
  plugin_output("ex5", "client.authentication.k8s.io/v1", "{\"token\":\"explicit-@N@\"}");
  char *args[] = {(char *)kt_path("ex5"), NULL};
  char *env[] = {"PLUGIN_ENV=from-provider", NULL};
  kube_settings s = {.host = "https://127.0.0.1:2",
                     .has_exec = 1,
                     .exec = {.api_version = "client.authentication.k8s.io/v1",
                              .command = kt_path("ex5/plugin.sh"),
                              .args = args,
                              .env = env}};
  kube_rest_config cfg;
  kube_error e;
  assert_ok(kube_config_resolve(&s, &cfg, &e), e);
  kube_cred cr;
  assert_ok(kube__exec_run(&cfg, 5000, NULL, &cr, &e), e);
  assert_string_equal(cr.token, "explicit-1");
  kube__cred_clear(&cr);
  char *got = kt_read(kt_path("ex5/env"));
  assert_string_equal(got, "from-provider|");
  free(got);
  kube_rest_config_clear(&cfg);
}

static void test_token_file_reread(void **state) {
  (void)state;
  kube_rest_config cfg = {0};
  cfg.server = strdup("https://x");
  cfg.token_file = strdup(kt_path("tf"));
  kt_write(kt_path("tf"), "first\n", 0600);
  kube_auth a;
  kube__auth_init(&a, &cfg, 1000);
  kube_cred cr;
  uint64_t gen;
  kube_error e;
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "first");
  kube__cred_clear(&cr);
  kt_write(kt_path("tf"), "second\n", 0600);
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e); /* cached for a minute */
  assert_string_equal(cr.token, "first");
  kube__cred_clear(&cr);
  assert_int_equal(kube__auth_invalidate(&a, gen), 1); /* after a 401: read again */
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "second");
  kube__cred_clear(&cr);
  /* the file disappears: keep the last good token */
  unlink(kt_path("tf"));
  kube__auth_invalidate(&a, gen);
  assert_ok(kube__auth_get(&a, NULL, &cr, &gen, &e), e);
  assert_string_equal(cr.token, "second");
  kube__cred_clear(&cr);
  kube__auth_dispose(&a);
  kube_rest_config_clear(&cfg);
}

static void test_helpers(void **state) {
  (void)state;
  assert_int_equal(kube__parse_time("1970-01-01T00:00:10Z"), 10000);
  assert_int_equal(kube__parse_time("1970-01-01T01:00:10.250+01:00"), 10250);
  assert_int_equal(kube__parse_time("garbage"), -1);
  char *g, *k, *ns, *n;
  kube_error e;
  assert_ok(kube_key_parse("apps/Deployment/web/api", &g, &k, &ns, &n, &e), e);
  assert_string_equal(g, "apps");
  assert_string_equal(k, "Deployment");
  assert_string_equal(ns, "web");
  assert_string_equal(n, "api");
  free(g), free(k), free(ns), free(n);
  assert_ok(kube_key_parse("/Namespace//team", &g, &k, &ns, &n, &e), e);
  assert_string_equal(g, "");
  assert_string_equal(ns, "");
  assert_string_equal(n, "team");
  free(g), free(k), free(ns), free(n);
  assert_code(kube_key_parse("/ConfigMap/x", &g, &k, &ns, &n, &e), KUBE_EINVALID, e);
  assert_code(kube_key_parse("a/b/c/d/e", &g, &k, &ns, &n, &e), KUBE_EINVALID, e);
  cJSON *o =
      cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\","
                  "\"namespace\":\"y\"}}");
  char *key = kube_object_key(o);
  assert_string_equal(key, "/ConfigMap/y/x");
  free(key);
  cJSON_Delete(o);
  char *esc = kube__url_escape("app in (a,b),tier=x y");
  assert_string_equal(esc, "app%20in%20%28a%2Cb%29%2Ctier%3Dx%20y");
  free(esc);
  char *dec = NULL;
  assert_int_equal(kube__b64_decode("aGVs\nbG8=", &dec, NULL), 0);
  assert_string_equal(dec, "hello");
  free(dec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_token_and_ca_data, setup),
      cmocka_unit_test_setup(test_files_relative_to_kubeconfig, setup),
      cmocka_unit_test_setup(test_client_cert_data_insecure_basic, setup),
      cmocka_unit_test_setup(test_kubeconfig_env_merge, setup),
      cmocka_unit_test_setup(test_default_kubeconfig_in_home, setup),
      cmocka_unit_test_setup(test_context_overrides, setup),
      cmocka_unit_test_setup(test_explicit_overrides, setup),
      cmocka_unit_test_setup(test_in_cluster, setup),
      cmocka_unit_test_setup(test_errors, setup),
      cmocka_unit_test_setup(test_exec_plugin_cached, setup),
      cmocka_unit_test_setup(test_exec_plugin_expiry, setup),
      cmocka_unit_test_setup(test_exec_plugin_client_cert, setup),
      cmocka_unit_test_setup(test_exec_plugin_errors, setup),
      cmocka_unit_test_setup(test_exec_explicit, setup),
      cmocka_unit_test_setup(test_token_file_reread, setup),
      cmocka_unit_test(test_helpers),
  };
  return cmocka_run_group_tests_name("kube_config", tests, group_setup, group_teardown);
}

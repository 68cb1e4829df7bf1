/* The provider block: kubernetes { … } (shaped like the helm provider's) and git { … }. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/git/gsync.h"
#include "resources/res.h"

static tf_type *str(void) {
  return tf_type_primitive(TF_STRING);
}
static tf_type *boolean(void) {
  return tf_type_primitive(TF_BOOL);
}
static tf_type *list_of_str(void) {
  return tf_type_collection(TF_LIST, str());
}

enum { OPT = TF_OPTIONAL, SENS = TF_OPTIONAL | TF_SENSITIVE };

static tf_block *exec_schema(void) {
  tf_block *b = tf_block_new("A client-go credential plugin, as in a kubeconfig user's exec.");
  tf_block_attr(b, "api_version", str(), TF_REQUIRED,
                "client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1.");
  tf_block_attr(b, "command", str(), TF_REQUIRED, "Program to run.");
  tf_block_attr(b, "args", list_of_str(), OPT, "Arguments.");
  tf_block_attr(b, "env", tf_type_collection(TF_MAP, str()), OPT, "Extra environment.");
  return b;
}

static tf_block *kubernetes_schema(void) {
  tf_block *b = tf_block_new("How to reach the Kubernetes cluster. Empty: KUBECONFIG and the "
                             "current context, or the in-cluster service account.");
  tf_block_attr(b, "config_path", str(), OPT, "Path to a kubeconfig file.");
  tf_block_attr(b, "config_paths", list_of_str(), OPT, "Kubeconfig files, merged like KUBECONFIG.");
  tf_block_attr(b, "config_context", str(), OPT, "Context of the kubeconfig to use.");
  tf_block_attr(b, "config_context_auth_info", str(), OPT, "User of the kubeconfig to use.");
  tf_block_attr(b, "config_context_cluster", str(), OPT, "Cluster of the kubeconfig to use.");
  tf_block_attr(b, "host", str(), OPT, "API server URL, e.g. https://10.0.0.1:6443.");
  tf_block_attr(b, "username", str(), OPT, "Basic-auth user name.");
  tf_block_attr(b, "password", str(), SENS, "Basic-auth password.");
  tf_block_attr(b, "token", str(), SENS, "Bearer token.");
  tf_block_attr(b, "client_certificate", str(), OPT, "PEM client certificate.");
  tf_block_attr(b, "client_key", str(), SENS, "PEM client key.");
  tf_block_attr(b, "cluster_ca_certificate", str(), OPT, "PEM CA bundle of the API server.");
  tf_block_attr(b, "insecure", boolean(), OPT, "Skip TLS verification of the API server.");
  tf_block_attr(b, "tls_server_name", str(), OPT, "Server name for TLS verification.");
  tf_block_attr(b, "proxy_url", str(), OPT, "HTTP(S) proxy for API requests.");
  tf_block_nested(b, "exec", TF_NEST_SINGLE, 0, 0, exec_schema());
  return b;
}

static tf_block *git_schema(void) {
  tf_block *b = tf_block_new("Git access shared by every resource of this provider.");
  tf_block_attr(b, "cache_dir", str(), OPT,
                "Bare mirrors live here (default ~/.cache/terraform-provider-gitops).");
  tf_block_attr(b, "username", str(), OPT, "User name for HTTPS remotes.");
  tf_block_attr(b, "password", str(), SENS, "Password for HTTPS remotes.");
  tf_block_attr(b, "token", str(), SENS, "Access token for HTTPS remotes.");
  tf_block_attr(b, "ssh_private_key", str(), SENS, "PEM/OpenSSH private key for ssh remotes.");
  tf_block_attr(b, "ssh_known_hosts", str(), OPT, "known_hosts lines that ssh remotes must match.");
  tf_block_attr(b, "insecure_skip_tls_verify", boolean(), OPT, "Skip TLS verification.");
  tf_block_attr(b, "timeout", tf_type_primitive(TF_NUMBER), OPT,
                "Seconds a fetch may take before it fails (default 120).");
  return b;
}

tf_block *res_provider_schema(void) {
  tf_block *b = tf_block_new("GitOps from Terraform: Helm releases and Argo CD-style applications "
                             "synced from Git into Kubernetes.");
  tf_block_nested(b, "kubernetes", TF_NEST_SINGLE, 0, 0, kubernetes_schema());
  tf_block_nested(b, "git", TF_NEST_SINGLE, 0, 0, git_schema());
  return b;
}

/* ---- validation ---- */

static void path2(tf_path *p, const char *block, const char *attr) {
  tf_path_init(p);
  tf_path_push_attr(p, block);
  if (attr) tf_path_push_attr(p, attr);
}

static int conflict(const tf_value *blk, const char *block, const char *a, const char *b,
                    tf_diags *d) {
  const tf_value *va = tf_value_get_attr(blk, a), *vb = tf_value_get_attr(blk, b);
  if (!va || !vb || tf_value_is_null(va) || tf_value_is_null(vb)) return 0;
  tf_path p;
  path2(&p, block, b);
  tf_diags_add(d, TF_ERROR, &p, "Conflicting configuration arguments",
               "\"%s.%s\": conflicts with %s.%s; set only one of them.", block, b, block, a);
  tf_path_free(&p);
  return -1;
}

static int requires(const tf_value *blk, const char *block, const char *a, const char *b,
                    tf_diags *d) {
  const tf_value *va = tf_value_get_attr(blk, a), *vb = tf_value_get_attr(blk, b);
  if (!va || tf_value_is_null(va) || (vb && !tf_value_is_null(vb))) return 0;
  tf_path p;
  path2(&p, block, a);
  tf_diags_add(d, TF_ERROR, &p, "Missing required argument",
               "\"%s.%s\": all of `%s,%s` must be specified.", block, a, a, b);
  tf_path_free(&p);
  return -1;
}

static int bad_value(const char *block, const char *attr, tf_diags *d, const char *fmt,
                     const char *arg) {
  tf_path p;
  path2(&p, block, attr);
  tf_diags_add(d, TF_ERROR, &p, "Invalid provider configuration", fmt, arg);
  tf_path_free(&p);
  return -1;
}

static int looks_like_pem(const char *s) {
  return strstr(s, "-----BEGIN ") != NULL;
}

static int validate_kubernetes(const tf_value *k, tf_diags *d) {
  int rc = 0;
  rc |= conflict(k, "kubernetes", "config_path", "config_paths", d);
  rc |= conflict(k, "kubernetes", "cluster_ca_certificate", "insecure", d);
  rc |= conflict(k, "kubernetes", "token", "password", d);
  rc |= requires(k, "kubernetes", "client_certificate", "client_key", d);
  rc |= requires(k, "kubernetes", "client_key", "client_certificate", d);
  rc |= requires(k, "kubernetes", "username", "password", d);
  const char *host = res_get_string(k, "host");
  if (host && !*host)
    rc |= bad_value("kubernetes", "host", d, "%s", "host must not be empty.");
  else if (host && strstr(host, "://") && strncmp(host, "https://", 8) != 0 &&
           strncmp(host, "http://", 7) != 0)
    rc |= bad_value("kubernetes", "host", d,
                    "host %s must be an http:// or https:// URL, or host:port.", host);
  const char *pems[] = {"client_certificate", "client_key", "cluster_ca_certificate"};
  for (size_t i = 0; i < 3; i++) {
    const char *v = res_get_string(k, pems[i]);
    if (v && !looks_like_pem(v))
      rc |= bad_value("kubernetes", pems[i], d, "%s must be PEM-encoded (-----BEGIN …).", pems[i]);
  }
  const char *proxy = res_get_string(k, "proxy_url");
  if (proxy && !strstr(proxy, "://"))
    rc |= bad_value("kubernetes", "proxy_url", d, "proxy_url %s must be a URL.", proxy);
  const tf_value *exec = res_get_block(k, "exec");
  const char *api = res_get_string(exec, "api_version");
  if (api && strcmp(api, "client.authentication.k8s.io/v1") != 0 &&
      strcmp(api, "client.authentication.k8s.io/v1beta1") != 0) {
    tf_path p;
    path2(&p, "kubernetes", "exec");
    tf_path_push_attr(&p, "api_version");
    tf_diags_add(d, TF_ERROR, &p, "Invalid provider configuration",
                 "exec api_version %s is not supported; use client.authentication.k8s.io/v1 "
                 "or client.authentication.k8s.io/v1beta1.",
                 api);
    tf_path_free(&p);
    rc = -1;
  }
  return rc ? -1 : 0;
}

static int validate_git(const tf_value *g, tf_diags *d) {
  int rc = conflict(g, "git", "password", "token", d);
  const char *key = res_get_string(g, "ssh_private_key");
  if (key && !looks_like_pem(key))
    rc |= bad_value("git", "ssh_private_key", d, "%s",
                    "ssh_private_key must hold the key itself (-----BEGIN … PRIVATE KEY-----), "
                    "not a file name; use file(\"~/.ssh/id_ed25519\").");
  int64_t t;
  if (!res_is_unknown(g, "timeout") && tf_value_get_attr(g, "timeout") &&
      !tf_value_is_null(tf_value_get_attr(g, "timeout")) &&
      (res_get_int(g, "timeout", &t) != 0 || t <= 0 || t > 86400))
    rc |= bad_value("git", "timeout", d, "%s",
                    "timeout must be a whole number of seconds between 1 and 86400.");
  const char *dir = res_get_string(g, "cache_dir");
  if (dir && !*dir) rc |= bad_value("git", "cache_dir", d, "%s", "cache_dir must not be empty.");
  return rc ? -1 : 0;
}

int res_provider_validate(const tf_value *config, tf_diags *d) {
  if (!config || tf_value_is_null(config) || !tf_value_is_known(config)) return 0;
  int rc = 0;
  const tf_value *k = res_get_block(config, "kubernetes");
  const tf_value *g = res_get_block(config, "git");
  if (k) rc |= validate_kubernetes(k, d);
  if (g) rc |= validate_git(g, d);
  return rc ? -1 : 0;
}

/* ---- configure ---- */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

static char *dup_env(const char *name) {
  const char *v = getenv(name);
  return v && *v ? strdup(v) : NULL;
}

/* Expands a leading "~/" with $HOME. */
static char *expand_home(const char *path) {
  const char *home = getenv("HOME");
  if (strncmp(path, "~/", 2) != 0 || !home) return strdup(path);
  size_t n = strlen(home) + strlen(path);
  char *out = malloc(n);
  if (out) snprintf(out, n, "%s%s", home, path + 1);
  return out;
}

static char **string_list(const tf_value *list) {
  size_t n = list && tf_value_is_known(list) && !tf_value_is_null(list) ? tf_value_len(list) : 0;
  char **out = calloc(n + 1, sizeof *out);
  size_t j = 0;
  for (size_t i = 0; out && i < n; i++) {
    const tf_value *e = tf_value_at(list, i);
    if (tf_value_is_known(e) && !tf_value_is_null(e)) out[j++] = strdup(tf_value_str(e));
  }
  return out;
}

static char **env_list(const tf_value *map) {
  size_t n = map && tf_value_is_known(map) && !tf_value_is_null(map) ? tf_value_len(map) : 0;
  char **out = calloc(n + 1, sizeof *out);
  size_t j = 0;
  for (size_t i = 0; out && i < n; i++) {
    const tf_value *e = tf_value_at(map, i);
    if (!tf_value_is_known(e) || tf_value_is_null(e)) continue;
    const char *k = tf_value_key_at(map, i), *v = tf_value_str(e);
    size_t len = strlen(k) + strlen(v) + 2;
    if ((out[j] = malloc(len))) snprintf(out[j++], len, "%s=%s", k, v);
  }
  return out;
}

static void configure_kube(res_kube_config *kc, const tf_value *k) {
  kc->host = dup_or_null(res_get_string(k, "host"));
  kc->token = dup_or_null(res_get_string(k, "token"));
  kc->username = dup_or_null(res_get_string(k, "username"));
  kc->password = dup_or_null(res_get_string(k, "password"));
  kc->client_certificate = dup_or_null(res_get_string(k, "client_certificate"));
  kc->client_key = dup_or_null(res_get_string(k, "client_key"));
  kc->cluster_ca_certificate = dup_or_null(res_get_string(k, "cluster_ca_certificate"));
  kc->tls_server_name = dup_or_null(res_get_string(k, "tls_server_name"));
  kc->proxy_url = dup_or_null(res_get_string(k, "proxy_url"));
  kc->config_context = dup_or_null(res_get_string(k, "config_context"));
  kc->config_context_auth_info = dup_or_null(res_get_string(k, "config_context_auth_info"));
  kc->config_context_cluster = dup_or_null(res_get_string(k, "config_context_cluster"));
  kc->insecure = res_get_bool(k, "insecure");
  const char *one = res_get_string(k, "config_path");
  if (one) {
    kc->config_paths = calloc(2, sizeof *kc->config_paths);
    if (kc->config_paths) kc->config_paths[0] = expand_home(one);
  } else if (k) {
    kc->config_paths = string_list(tf_value_get_attr(k, "config_paths"));
  }
  const tf_value *exec = res_get_block(k, "exec");
  if (exec) {
    kc->has_exec = 1;
    kc->exec.api_version = dup_or_null(res_get_string(exec, "api_version"));
    kc->exec.command = dup_or_null(res_get_string(exec, "command"));
    kc->exec.args = string_list(tf_value_get_attr(exec, "args"));
    kc->exec.env = env_list(tf_value_get_attr(exec, "env"));
  }
}

static void configure_git(res_git_config *gc, const tf_value *g) {
  const char *dir = res_get_string(g, "cache_dir");
  const char *xdg = getenv("XDG_CACHE_HOME");
  if (dir) {
    gc->cache_dir = expand_home(dir);
  } else if (xdg && *xdg) {
    size_t n = strlen(xdg) + 32;
    if ((gc->cache_dir = malloc(n)))
      snprintf(gc->cache_dir, n, "%s/terraform-provider-gitops", xdg);
  } else {
    gc->cache_dir = expand_home("~/.cache/terraform-provider-gitops");
  }
  gc->username = dup_or_null(res_get_string(g, "username"));
  gc->password = dup_or_null(res_get_string(g, "password"));
  if (!gc->password) gc->password = dup_or_null(res_get_string(g, "token"));
  gc->ssh_private_key = dup_or_null(res_get_string(g, "ssh_private_key"));
  gc->ssh_known_hosts = dup_or_null(res_get_string(g, "ssh_known_hosts"));
  gc->insecure_skip_tls_verify = res_get_bool(g, "insecure_skip_tls_verify") == 1;
  int64_t t = 120;
  if (res_get_int(g, "timeout", &t) != 0) {
    char *env = dup_env("GITOPS_GIT_TIMEOUT");
    t = env ? atoi(env) : 120;
    free(env);
    if (t <= 0) t = 120;
  }
  gc->timeout_seconds = (int)t;
}

int res_provider_configure(const tf_value *config, res_provider **out, tf_diags *d) {
  *out = NULL;
  if (res_provider_validate(config, d) != 0) return -1;
  res_provider *p = calloc(1, sizeof *p);
  if (!p) return tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  pthread_mutex_init(&p->git_cache_lock, NULL);
  pthread_mutex_init(&p->kube_lock, NULL);
  configure_kube(&p->kube, res_get_block(config, "kubernetes"));
  configure_git(&p->git, res_get_block(config, "git"));
  if (!p->git.cache_dir) {
    res_provider_free(p);
    return tf_diags_add(d, TF_ERROR, NULL, "Cannot determine the Git cache directory",
                        "Set git.cache_dir or HOME.");
  }
  *out = p;
  return 0;
}

static void free_strv(char **v) {
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

void res_provider_free(res_provider *p) {
  if (!p) return;
  res_kube_config *k = &p->kube;
  free(k->host);
  free(k->token);
  free(k->username);
  free(k->password);
  free(k->client_certificate);
  free(k->client_key);
  free(k->cluster_ca_certificate);
  free(k->tls_server_name);
  free(k->proxy_url);
  free(k->config_context);
  free(k->config_context_auth_info);
  free(k->config_context_cluster);
  free_strv(k->config_paths);
  free(k->exec.api_version);
  free(k->exec.command);
  free_strv(k->exec.args);
  free_strv(k->exec.env);
  if (p->git_cache) gsync_cache_free(p->git_cache);
  res_kube_free_all(p);
  pthread_mutex_destroy(&p->kube_lock);
  pthread_mutex_destroy(&p->git_cache_lock);
  free(p->git.cache_dir);
  free(p->git.username);
  free(p->git.password);
  free(p->git.ssh_private_key);
  free(p->git.ssh_known_hosts);
  free(p);
}

int res_git_cache(const res_ctx *ctx, gsync_cache **out, tf_diags *d) {
  if (!ctx->provider)
    return tf_diags_add(d, TF_ERROR, NULL, "Provider not configured",
                        "The provider received a request before ConfigureProvider.");
  res_provider *p = (res_provider *)ctx->provider; /* only the lazily opened cache changes */
  int rc = 0;
  pthread_mutex_lock(&p->git_cache_lock);
  if (!p->git_cache) {
    gsync_error err;
    if (gsync_cache_open(p->git.cache_dir, &p->git_cache, &err) != 0) {
      rc = tf_diags_add(d, TF_ERROR, NULL, "Cannot open the Git cache directory",
                        "%s: %s (set git.cache_dir in the provider block)", p->git.cache_dir,
                        err.message);
    }
  }
  *out = p->git_cache;
  pthread_mutex_unlock(&p->git_cache_lock);
  return rc;
}

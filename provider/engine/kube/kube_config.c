/* Kubeconfig resolution like kubectl / client-go: merged kubeconfig files,
 * contexts, clusters and users, in-cluster configuration, and the provider's
 * explicit settings as overrides (as the helm provider applies them). */
#include "engine/kube/kube_internal.h"
#include "engine/manifest/manifest.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

typedef struct {
  char *path;
  char *dir;
  cJSON *doc;
} kc_file;

typedef struct {
  kc_file *files;
  size_t n;
  kube_buf paths; /* "a:b" for messages */
} kc_set;

static void kc_set_free(kc_set *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->files[i].path);
    free(s->files[i].dir);
    cJSON_Delete(s->files[i].doc);
  }
  free(s->files);
  kube__buf_free(&s->paths);
  memset(s, 0, sizeof(*s));
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Load one kubeconfig file; missing files are an error only when `must`. */
static int kc_load(kc_set *s, const char *path_in, int must, kube_error *err) {
  char *path = kube__expand_home(path_in);
  if (!path) return kube__set(err, KUBE_ENOMEM, "out of memory");
  if (!file_exists(path)) {
    int rc = 0;
    if (must)
      rc = kube__set(err, KUBE_ECONFIG, "kubeconfig %s: %s", path,
                     errno == ENOENT || errno == 0 ? "no such file" : strerror(errno));
    free(path);
    return rc;
  }
  char *text = NULL;
  size_t len = 0;
  int rc = kube__read_file(path, &text, &len, err);
  if (rc) {
    free(path);
    return rc;
  }
  /* YAML read as Kubernetes reads it (the manifest module); the first
   * document is the Config, an empty file an empty one */
  cJSON *docs = NULL;
  mf_error me;
  if (mf_yaml_to_json(text, len, path, NULL, &docs, &me)) {
    free(text);
    char ebuf[1024];
    rc = kube__set(err, KUBE_ECONFIG, "kubeconfig %s", mf_error_format(&me, ebuf, sizeof(ebuf)));
    free(path);
    return rc;
  }
  free(text);
  cJSON *doc = cJSON_DetachItemFromArray(docs, 0);
  cJSON_Delete(docs);
  if (!doc || cJSON_IsNull(doc)) {
    cJSON_Delete(doc);
    doc = cJSON_CreateObject();
  }
  if (!cJSON_IsObject(doc)) {
    cJSON_Delete(doc);
    rc = kube__set(err, KUBE_ECONFIG, "kubeconfig %s: not a Config mapping", path);
    free(path);
    return rc;
  }
  kc_file *nf = realloc(s->files, (s->n + 1) * sizeof(*nf));
  if (!nf) {
    cJSON_Delete(doc);
    free(path);
    return kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  s->files = nf;
  char *tmp = strdup(path);
  char *dir = tmp ? strdup(dirname(tmp)) : NULL;
  free(tmp);
  s->files[s->n++] = (kc_file){path, dir, doc};
  if (s->paths.len) kube__buf_puts(&s->paths, ":");
  kube__buf_puts(&s->paths, path);
  return 0;
}

/* First entry `name` of list `list` ("clusters", "users", "contexts") in file
 * order; *inner is its "cluster"/"user"/"context" mapping. */
static const cJSON *kc_find(const kc_set *s, const char *list, const char *inner_key,
                            const char *name, const char **dir) {
  for (size_t i = 0; i < s->n; i++) {
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s->files[i].doc, list)) {
      const char *n = kube__jstr(e, "name");
      if (n && strcmp(n, name) == 0) {
        if (dir) *dir = s->files[i].dir;
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(e, inner_key);
        return in ? in : e;
      }
    }
  }
  return NULL;
}

static const char *kc_current_context(const kc_set *s) {
  for (size_t i = 0; i < s->n; i++) {
    const char *c = kube__jstr(s->files[i].doc, "current-context");
    if (c && *c) return c;
  }
  return NULL;
}

static char *kc_names(const kc_set *s, const char *list) {
  kube_buf b = {0};
  for (size_t i = 0; i < s->n; i++) {
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s->files[i].doc, list)) {
      const char *n = kube__jstr(e, "name");
      if (n) {
        if (b.len) kube__buf_puts(&b, ", ");
        kube__buf_printf(&b, "\"%s\"", n);
      }
    }
  }
  return kube__buf_take(&b);
}

static char *resolve_rel(const char *dir, const char *p) {
  if (!p) return NULL;
  if (p[0] == '/' || p[0] == '~' || !dir) return kube__expand_home(p);
  return kube__asprintf("%s/%s", dir, p);
}

/* `*_data` (base64) wins over the file. */
static int data_or_file(const cJSON *obj, const char *data_key, const char *file_key,
                        const char *dir, char **out, const char *what, kube_error *err) {
  const char *data = kube__jstr(obj, data_key);
  const char *file = kube__jstr(obj, file_key);
  if (data && *data) {
    char *dec = NULL;
    if (kube__b64_decode(data, &dec, NULL))
      return kube__set(err, KUBE_ECONFIG, "%s: %s is not valid base64", what, data_key);
    free(*out);
    *out = dec;
    return 0;
  }
  if (file && *file) {
    char *p = resolve_rel(dir, file);
    char *text = NULL;
    int rc = p ? kube__read_file(p, &text, NULL, err) : kube__set(err, KUBE_ENOMEM, "oom");
    free(p);
    if (rc) {
      kube__prefix(err, "%s: %s", what, file_key);
      return err ? (err->code = KUBE_ECONFIG) : KUBE_ECONFIG;
    }
    free(*out);
    *out = text;
  }
  return 0;
}

static void set_str(char **dst, const char *v) {
  if (v && *v) {
    free(*dst);
    *dst = strdup(v);
  }
}

static void strip_trailing_slash(char *s) {
  size_t n = s ? strlen(s) : 0;
  while (n > 1 && s[n - 1] == '/')
    s[--n] = 0;
}

static char *normalize_host(const char *host) {
  if (strstr(host, "://")) return strdup(host);
  return kube__asprintf("https://%s", host);
}

static int take_cluster(kube_rest_config *c, const cJSON *cl, const char *dir, const char *name,
                        kube_error *err) {
  char what[300];
  snprintf(what, sizeof(what), "cluster \"%s\"", name);
  set_str(&c->server, kube__jstr(cl, "server"));
  set_str(&c->tls_server_name, kube__jstr(cl, "tls-server-name"));
  set_str(&c->proxy_url, kube__jstr(cl, "proxy-url"));
  c->insecure = kube__jbool(cJSON_GetObjectItemCaseSensitive(cl, "insecure-skip-tls-verify"));
  return data_or_file(cl, "certificate-authority-data", "certificate-authority", dir, &c->ca_pem,
                      what, err);
}

static int take_exec(kube_rest_config *c, const cJSON *ex, const char *dir, const char *what,
                     kube_error *err) {
  const char *cmd = kube__jstr(ex, "command");
  if (!cmd || !*cmd) return kube__set(err, KUBE_ECONFIG, "%s: exec plugin has no command", what);
  c->has_exec = 1;
  c->exec.command = strdup(cmd);
  c->exec.api_version = kube__strdup(kube__jstr(ex, "apiVersion"));
  c->exec.install_hint = kube__strdup(kube__jstr(ex, "installHint"));
  c->exec.interactive_mode = kube__strdup(kube__jstr(ex, "interactiveMode"));
  c->exec.provide_cluster_info =
      kube__jbool(cJSON_GetObjectItemCaseSensitive(ex, "provideClusterInfo"));
  c->exec.dir = kube__strdup(dir);
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(ex, "args");
  const cJSON *env = cJSON_GetObjectItemCaseSensitive(ex, "env");
  int na = cJSON_GetArraySize(args), ne = cJSON_GetArraySize(env);
  c->exec.args = calloc((size_t)na + 1, sizeof(char *));
  c->exec.env = calloc((size_t)ne + 1, sizeof(char *));
  if (!c->exec.args || !c->exec.env || !c->exec.command)
    return kube__set(err, KUBE_ENOMEM, "out of memory");
  int k = 0;
  const cJSON *it;
  cJSON_ArrayForEach(it, args) {
    if (cJSON_IsString(it)) c->exec.args[k++] = strdup(it->valuestring);
  }
  k = 0;
  cJSON_ArrayForEach(it, env) {
    const char *n = kube__jstr(it, "name"), *v = kube__jstr(it, "value");
    if (n) c->exec.env[k++] = kube__asprintf("%s=%s", n, v ? v : "");
  }
  return 0;
}

static int take_user(kube_rest_config *c, const cJSON *u, const char *dir, const char *name,
                     kube_error *err) {
  char what[300];
  snprintf(what, sizeof(what), "user \"%s\"", name);
  set_str(&c->token, kube__jstr(u, "token"));
  const char *tf = kube__jstr(u, "tokenFile");
  if (tf && *tf && !c->token) c->token_file = resolve_rel(dir, tf);
  set_str(&c->username, kube__jstr(u, "username"));
  set_str(&c->password, kube__jstr(u, "password"));
  int rc = data_or_file(u, "client-certificate-data", "client-certificate", dir,
                        &c->client_cert_pem, what, err);
  if (!rc)
    rc = data_or_file(u, "client-key-data", "client-key", dir, &c->client_key_pem, what, err);
  if (rc) return rc;
  const cJSON *ap = cJSON_GetObjectItemCaseSensitive(u, "auth-provider");
  if (cJSON_IsObject(ap)) {
    const char *pn = kube__jstr(ap, "name");
    return kube__set(err, KUBE_ECONFIG,
                     "%s: the \"%s\" auth-provider was removed from client-go; use an exec "
                     "credential plugin (e.g. kubelogin, gke-gcloud-auth-plugin)",
                     what, pn ? pn : "?");
  }
  const cJSON *ex = cJSON_GetObjectItemCaseSensitive(u, "exec");
  if (cJSON_IsObject(ex)) return take_exec(c, ex, dir, what, err);
  return 0;
}

static int in_cluster(const kube_settings *s, kube_rest_config *c, kube_error *err) {
  const char *host = getenv("KUBERNETES_SERVICE_HOST");
  const char *port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port)
    return kube__set(err, KUBE_ECONFIG,
                     "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
                     "KUBERNETES_SERVICE_PORT must be defined");
  const char *dir = s->in_cluster_dir ? s->in_cluster_dir : SA_DIR;
  c->server = strchr(host, ':') ? kube__asprintf("https://[%s]:%s", host, port)
                                : kube__asprintf("https://%s:%s", host, port);
  c->token_file = kube__asprintf("%s/token", dir);
  if (!c->server || !c->token_file) return kube__set(err, KUBE_ENOMEM, "out of memory");
  char *tok = NULL;
  int rc = kube__read_file(c->token_file, &tok, NULL, err);
  free(tok);
  if (rc) {
    kube__prefix(err, "in-cluster configuration");
    return err ? (err->code = KUBE_ECONFIG) : KUBE_ECONFIG;
  }
  char *p = kube__asprintf("%s/ca.crt", dir);
  kube_error tmp;
  if (p && kube__read_file(p, &c->ca_pem, NULL, &tmp)) /* no CA file: system roots */
    c->ca_pem = NULL;
  free(p);
  p = kube__asprintf("%s/namespace", dir);
  char *ns = NULL;
  if (p && kube__read_file(p, &ns, NULL, &tmp) == 0) {
    size_t n = strlen(ns);
    while (n && (ns[n - 1] == '\n' || ns[n - 1] == ' ' || ns[n - 1] == '\r'))
      ns[--n] = 0;
    if (n)
      c->namespace_ = ns;
    else
      free(ns);
  }
  free(p);
  c->source = strdup("in-cluster configuration");
  return 0;
}

/* The provider's settings override the kubeconfig, as client-go's
 * ConfigOverrides do (clientcmd/client_config.go). */
static int apply_overrides(const kube_settings *s, kube_rest_config *c, kube_error *err) {
  if (s->host && *s->host) {
    free(c->server);
    c->server = normalize_host(s->host);
    /* a new server drops the kubeconfig's tls-server-name */
    free(c->tls_server_name);
    c->tls_server_name = NULL;
  }
  if (s->tls_server_name && *s->tls_server_name) set_str(&c->tls_server_name, s->tls_server_name);
  if (s->insecure > 0 || (s->cluster_ca_certificate && *s->cluster_ca_certificate)) {
    c->insecure = s->insecure > 0;
    free(c->ca_pem);
    c->ca_pem = kube__strdup(
        s->cluster_ca_certificate && *s->cluster_ca_certificate ? s->cluster_ca_certificate : NULL);
  }
  set_str(&c->proxy_url, s->proxy_url);
  if (s->token && *s->token) {
    set_str(&c->token, s->token);
    free(c->token_file);
    c->token_file = NULL;
  }
  set_str(&c->client_cert_pem, s->client_certificate);
  set_str(&c->client_key_pem, s->client_key);
  if (s->has_exec) {
    free(c->exec.api_version), free(c->exec.command), free(c->exec.install_hint);
    free(c->exec.dir), free(c->exec.interactive_mode);
    kube__strv_free(c->exec.args), kube__strv_free(c->exec.env);
    memset(&c->exec, 0, sizeof(c->exec));
    if (!s->exec.command || !*s->exec.command)
      return kube__set(err, KUBE_ECONFIG, "kubernetes.exec: command is required");
    c->has_exec = 1;
    c->exec.api_version = kube__strdup(s->exec.api_version);
    c->exec.command = strdup(s->exec.command);
    static char *const none[] = {NULL};
    c->exec.args = kube__strv_dup(s->exec.args ? s->exec.args : none);
    c->exec.env = kube__strv_dup(s->exec.env ? s->exec.env : none);
    c->exec.interactive_mode = strdup("IfAvailable"); /* as the helm provider sets it */
    if (!c->exec.command || !c->exec.args || !c->exec.env)
      return kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  return 0;
}

static int validate(kube_rest_config *c, kube_error *err) {
  const char *src = c->source ? c->source : "configuration";
  if (!c->server || !*c->server)
    return kube__set(err, KUBE_ECONFIG,
                     "%s: no server (cluster has no \"server\" and no host is set)", src);
  strip_trailing_slash(c->server);
  if (strncmp(c->server, "https://", 8) != 0 && strncmp(c->server, "http://", 7) != 0)
    return kube__set(err, KUBE_ECONFIG, "%s: server \"%s\" must be an http(s) URL", src, c->server);
  if (c->insecure && c->ca_pem)
    return kube__set(err, KUBE_ECONFIG,
                     "%s: specifying a root certificates file with the insecure flag is not "
                     "allowed",
                     src);
  if (!!c->client_cert_pem != !!c->client_key_pem)
    return kube__set(err, KUBE_ECONFIG,
                     "%s: client certificate and client key must be given together", src);
  if (c->has_exec) {
    const char *v = c->exec.api_version;
    if (!v || !*v)
      return kube__set(err, KUBE_ECONFIG, "%s: exec plugin: apiVersion is required", src);
    if (strcmp(v, "client.authentication.k8s.io/v1") &&
        strcmp(v, "client.authentication.k8s.io/v1beta1"))
      return kube__set(err, KUBE_ECONFIG,
                       "%s: exec plugin: unsupported apiVersion \"%s\" (want "
                       "client.authentication.k8s.io/v1 or v1beta1)",
                       src, v);
    const char *im = c->exec.interactive_mode;
    if (im && *im && strcmp(im, "Never") && strcmp(im, "IfAvailable") && strcmp(im, "Always"))
      return kube__set(err, KUBE_ECONFIG, "%s: exec plugin: invalid interactiveMode \"%s\"", src,
                       im);
    if (!im && strcmp(v, "client.authentication.k8s.io/v1") == 0)
      return kube__set(err, KUBE_ECONFIG,
                       "%s: exec plugin: interactiveMode must be specified for %s to use exec "
                       "authentication plugin",
                       src, c->user ? c->user : "the user");
  }
  if (!c->namespace_) c->namespace_ = strdup("default");
  return c->namespace_ ? 0 : kube__set(err, KUBE_ENOMEM, "out of memory");
}

static int from_kubeconfig(const kube_settings *s, kc_set *set, kube_rest_config *c,
                           kube_error *err) {
  const char *ctx_name =
      (s->config_context && *s->config_context) ? s->config_context : kc_current_context(set);
  const cJSON *ctx = NULL;
  const char *paths = set->paths.p ? set->paths.p : "";
  if (ctx_name) {
    ctx = kc_find(set, "contexts", "context", ctx_name, NULL);
    if (!ctx) {
      char *names = kc_names(set, "contexts");
      kube__set(err, KUBE_ECONFIG, "context \"%s\" does not exist in kubeconfig %s (contexts: %s)",
                ctx_name, paths, names && *names ? names : "none");
      free(names);
      return KUBE_ECONFIG;
    }
  } else if (!(s->host && *s->host) && !(s->config_context_cluster && *s->config_context_cluster)) {
    return kube__set(err, KUBE_ECONFIG,
                     "kubeconfig %s has no current-context; set config_context (or host)", paths);
  }
  c->context = kube__strdup(ctx_name);
  const char *cl_name = (s->config_context_cluster && *s->config_context_cluster)
                            ? s->config_context_cluster
                            : kube__jstr(ctx, "cluster");
  const char *us_name = (s->config_context_auth_info && *s->config_context_auth_info)
                            ? s->config_context_auth_info
                            : kube__jstr(ctx, "user");
  const char *ns = kube__jstr(ctx, "namespace");
  if (ns && *ns) c->namespace_ = strdup(ns);
  c->cluster = kube__strdup(cl_name);
  c->user = kube__strdup(us_name);
  c->source = kube__asprintf("kubeconfig %s%s%s%s", paths, ctx_name ? " (context \"" : "",
                             ctx_name ? ctx_name : "", ctx_name ? "\")" : "");
  if (cl_name && *cl_name) {
    const char *dir = NULL;
    const cJSON *cl = kc_find(set, "clusters", "cluster", cl_name, &dir);
    if (!cl) {
      if (!(s->host && *s->host))
        return kube__set(err, KUBE_ECONFIG, "cluster \"%s\" does not exist in kubeconfig %s",
                         cl_name, paths);
    } else {
      int rc = take_cluster(c, cl, dir, cl_name, err);
      if (rc) return rc;
    }
  } else if (!(s->host && *s->host)) {
    return kube__set(err, KUBE_ECONFIG, "context \"%s\" names no cluster in kubeconfig %s",
                     ctx_name ? ctx_name : "", paths);
  }
  if (us_name && *us_name) {
    const char *dir = NULL;
    const cJSON *us = kc_find(set, "users", "user", us_name, &dir);
    if (!us)
      return kube__set(err, KUBE_ECONFIG, "user \"%s\" does not exist in kubeconfig %s", us_name,
                       paths);
    int rc = take_user(c, us, dir, us_name, err);
    if (rc) return rc;
  }
  return 0;
}

int kube_config_resolve(const kube_settings *s, kube_rest_config *out, kube_error *err) {
  static const kube_settings empty = {0};
  if (!s) s = &empty;
  memset(out, 0, sizeof(*out));
  if (err) err->code = 0, err->http_status = 0, err->message[0] = 0;
  kc_set set = {0};
  int rc = 0;
  int explicit_host = s->host && *s->host;
  if (s->config_paths && s->config_paths[0]) {
    for (size_t i = 0; s->config_paths[i] && !rc; i++)
      if (*s->config_paths[i]) rc = kc_load(&set, s->config_paths[i], 1, err);
  } else if (!explicit_host) {
    const char *kc = getenv("KUBECONFIG");
    if (kc && *kc) {
      char *copy = strdup(kc), *save = NULL;
      for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p && !rc;
           p = strtok_r(NULL, ":", &save))
        rc = kc_load(&set, p, 0, err);
      free(copy);
    } else {
      rc = kc_load(&set, "~/.kube/config", 0, err);
    }
  }
  if (!rc) {
    if (set.n)
      rc = from_kubeconfig(s, &set, out, err);
    else if (explicit_host)
      out->source = strdup("provider settings");
    else if (getenv("KUBERNETES_SERVICE_HOST"))
      rc = in_cluster(s, out, err);
    else
      rc = kube__set(err, KUBE_ECONFIG,
                     "no Kubernetes configuration: set config_path or host in the provider's "
                     "kubernetes block, or KUBECONFIG, or create ~/.kube/config");
  }
  if (!rc) rc = apply_overrides(s, out, err);
  if (!rc) rc = validate(out, err);
  kc_set_free(&set);
  if (rc) kube_rest_config_clear(out);
  return rc;
}

static void wipe_free(char *s) {
  if (s) {
    volatile char *p = s;
    while (*p)
      *p++ = 0;
    free(s);
  }
}

void kube_rest_config_clear(kube_rest_config *c) {
  if (!c) return;
  free(c->server), free(c->tls_server_name), free(c->proxy_url), free(c->ca_pem);
  free(c->client_cert_pem);
  wipe_free(c->client_key_pem);
  wipe_free(c->token);
  free(c->token_file), free(c->username);
  wipe_free(c->password);
  free(c->exec.api_version), free(c->exec.command), free(c->exec.install_hint);
  free(c->exec.dir), free(c->exec.interactive_mode);
  kube__strv_free(c->exec.args);
  kube__strv_free(c->exec.env);
  free(c->namespace_), free(c->context), free(c->cluster), free(c->user), free(c->source);
  memset(c, 0, sizeof(*c));
}

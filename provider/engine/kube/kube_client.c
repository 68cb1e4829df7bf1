/* Client lifetime: configuration copy, option defaults, the curl share with
 * its locks, the handle pool, TLS server name routing, counters. */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud) {
  (void)h, (void)access;
  kube_client *c = ud;
  pthread_mutex_lock(&c->share_mu[data < CURL_LOCK_DATA_LAST ? data : 0]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud) {
  (void)h;
  kube_client *c = ud;
  pthread_mutex_unlock(&c->share_mu[data < CURL_LOCK_DATA_LAST ? data : 0]);
}

static int copy_config(kube_rest_config *d, const kube_rest_config *s) {
  memset(d, 0, sizeof(*d));
  int bad = 0;
#define DUP(f)                                                                                     \
  do {                                                                                             \
    d->f = kube__strdup(s->f);                                                                     \
    bad |= (s->f && !d->f);                                                                        \
  } while (0)
  DUP(server);
  DUP(tls_server_name);
  DUP(proxy_url);
  DUP(ca_pem);
  DUP(client_cert_pem);
  DUP(client_key_pem);
  DUP(token);
  DUP(token_file);
  DUP(username);
  DUP(password);
  DUP(exec.api_version);
  DUP(exec.command);
  DUP(exec.install_hint);
  DUP(exec.dir);
  DUP(exec.interactive_mode);
  DUP(namespace_);
  DUP(context);
  DUP(cluster);
  DUP(user);
  DUP(source);
#undef DUP
  d->insecure = s->insecure;
  d->has_exec = s->has_exec;
  d->exec.provide_cluster_info = s->exec.provide_cluster_info;
  static char *const none[] = {NULL};
  if (s->has_exec) {
    d->exec.args = kube__strv_dup(s->exec.args ? s->exec.args : none);
    d->exec.env = kube__strv_dup(s->exec.env ? s->exec.env : none);
    bad |= !d->exec.args || !d->exec.env;
  }
  if (!d->namespace_) bad |= !(d->namespace_ = strdup("default"));
  return bad ? -1 : 0;
}

/* With tls_server_name, URLs name that host (SNI and certificate check) and
 * CURLOPT_CONNECT_TO routes the connection to the real one. */
static int route(kube_client *c, kube_error *err) {
  const char *srv = c->cfg.server;
  if (!c->cfg.tls_server_name || strncmp(srv, "https://", 8) != 0) {
    c->url_base = strdup(srv);
    return c->url_base ? 0 : kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  const char *hp = srv + 8;
  const char *slash = strchr(hp, '/');
  const char *prefix = slash ? slash : "";
  size_t hl = slash ? (size_t)(slash - hp) : strlen(hp);
  char hostport[512];
  if (hl >= sizeof(hostport)) return kube__set(err, KUBE_ECONFIG, "server URL too long");
  memcpy(hostport, hp, hl);
  hostport[hl] = 0;
  char host[512], port[16] = "443";
  if (hostport[0] == '[') {
    char *rb = strchr(hostport, ']');
    if (!rb) return kube__set(err, KUBE_ECONFIG, "server \"%s\": bad IPv6 address", srv);
    snprintf(host, sizeof(host), "%.*s", (int)(rb - hostport + 1), hostport);
    if (rb[1] == ':') snprintf(port, sizeof(port), "%s", rb + 2);
  } else {
    char *colon = strrchr(hostport, ':');
    if (colon) {
      snprintf(port, sizeof(port), "%s", colon + 1);
      *colon = 0;
    }
    snprintf(host, sizeof(host), "%s", hostport);
  }
  char *ct = kube__asprintf("%s:%s:%s:%s", c->cfg.tls_server_name, port, host, port);
  c->url_base = kube__asprintf("https://%s:%s%s", c->cfg.tls_server_name, port, prefix);
  if (!ct || !c->url_base) {
    free(ct);
    return kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  c->connect_to = curl_slist_append(NULL, ct);
  free(ct);
  return c->connect_to ? 0 : kube__set(err, KUBE_ENOMEM, "out of memory");
}

int kube_client_new_from_config(const kube_rest_config *cfg, const kube_client_options *o,
                                kube_client **out, kube_error *err) {
  *out = NULL;
  if (err) err->code = 0, err->http_status = 0, err->message[0] = 0;
  if (!cfg || !cfg->server) return kube__set(err, KUBE_EINVALID, "kube_client_new: no server");
  pthread_once(&curl_once, curl_init_once);
  kube_client *c = calloc(1, sizeof(*c));
  if (!c) return kube__set(err, KUBE_ENOMEM, "out of memory");
  if (o) c->opts = *o;
  kube_client_options *op = &c->opts;
  if (op->connect_timeout_ms <= 0) op->connect_timeout_ms = 10000;
  if (op->request_timeout_ms <= 0) op->request_timeout_ms = 60000;
  if (op->max_attempts <= 0) op->max_attempts = 5;
  if (op->backoff_initial_ms <= 0) op->backoff_initial_ms = 200;
  if (op->backoff_max_ms <= 0) op->backoff_max_ms = 5000;
  if (op->max_retry_after_ms <= 0) op->max_retry_after_ms = 30000;
  if (op->max_response_bytes == 0) op->max_response_bytes = 256u << 20;
  if (op->exec_timeout_ms <= 0) op->exec_timeout_ms = 60000;
  if (op->discovery_ttl_ms <= 0) op->discovery_ttl_ms = 600000;
  c->user_agent = strdup(op->user_agent ? op->user_agent : "terraform-provider-gitops");
  op->user_agent = NULL;
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_init(&c->share_mu[i], NULL);
  pthread_mutex_init(&c->pool_mu, NULL);
  int rc = 0;
  if (copy_config(&c->cfg, cfg) || !c->user_agent) {
    rc = kube__set(err, KUBE_ENOMEM, "out of memory");
  } else if (!(rc = route(c, err))) {
    c->share = curl_share_init();
    if (!c->share) {
      rc = kube__set(err, KUBE_ENOMEM, "out of memory (curl share)");
    } else {
      curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
      curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
      curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
      curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
      curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
      curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    }
  }
  kube__auth_init(&c->auth, &c->cfg, op->exec_timeout_ms);
  if (!rc) {
    c->disco = kube__disco_get(c->cfg.server, op->legacy_discovery, op->discovery_ttl_ms);
    if (!c->disco) rc = kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  if (rc) {
    kube_client_free(c);
    return rc;
  }
  *out = c;
  return 0;
}

int kube_client_new(const kube_settings *s, const kube_client_options *opts, kube_client **out,
                    kube_error *err) {
  *out = NULL;
  kube_rest_config cfg;
  int rc = kube_config_resolve(s, &cfg, err);
  if (rc) return rc;
  rc = kube_client_new_from_config(&cfg, opts, out, err);
  kube_rest_config_clear(&cfg);
  return rc;
}

void kube_client_free(kube_client *c) {
  if (!c) return;
  for (int i = 0; i < c->npool; i++)
    curl_easy_cleanup(c->pool[i]);
  if (c->share) curl_share_cleanup(c->share);
  curl_slist_free_all(c->connect_to);
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_destroy(&c->share_mu[i]);
  pthread_mutex_destroy(&c->pool_mu);
  kube__auth_dispose(&c->auth);
  kube_rest_config_clear(&c->cfg);
  free(c->user_agent);
  free(c->url_base);
  free(c);
}

const char *kube_client_server(const kube_client *c) {
  return c->cfg.server;
}

const char *kube_client_namespace(const kube_client *c) {
  return c->cfg.namespace_;
}

void kube_client_stats(const kube_client *c, kube_stats *s) {
  kube_client *m = (kube_client *)c;
  s->requests = atomic_load(&m->n_requests);
  s->gets = atomic_load(&m->n_get);
  s->lists = atomic_load(&m->n_list);
  s->patches = atomic_load(&m->n_patch);
  s->deletes = atomic_load(&m->n_delete);
  s->posts = atomic_load(&m->n_post);
  s->puts = atomic_load(&m->n_put);
  s->retries = atomic_load(&m->n_retries);
  s->discovery = atomic_load(&m->n_discovery);
  s->connects = atomic_load(&m->n_connects);
  s->exec_runs = atomic_load(&m->auth.exec_runs);
}

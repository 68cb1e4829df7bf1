/* Kubernetes clients for the provider block's cluster settings, one per
 * kubeconfig context, created on first use and shared by all RPCs. */
#include <stdlib.h>
#include <string.h>

#include "engine/kube/kube.h"
#include "resources/res.h"

struct res_kube_conn {
  char *context; /* "" = the provider's own settings */
  kube_client *client;
  struct res_kube_conn *next;
};

static void fill_settings(const res_kube_config *k, const char *context, kube_settings *s) {
  memset(s, 0, sizeof *s);
  s->config_paths = k->config_paths;
  s->config_context = context && *context ? context : k->config_context;
  s->config_context_auth_info = k->config_context_auth_info;
  s->config_context_cluster = k->config_context_cluster;
  s->host = k->host;
  s->token = k->token;
  s->client_certificate = k->client_certificate;
  s->client_key = k->client_key;
  s->cluster_ca_certificate = k->cluster_ca_certificate;
  s->tls_server_name = k->tls_server_name;
  s->proxy_url = k->proxy_url;
  s->insecure = k->insecure;
  s->has_exec = k->has_exec;
  s->exec.api_version = k->exec.api_version;
  s->exec.command = k->exec.command;
  s->exec.args = k->exec.args;
  s->exec.env = k->exec.env;
}

int res_kube_client(const res_ctx *ctx, const char *context, kube_client **out, tf_diags *d) {
  *out = NULL;
  if (!ctx->provider)
    return tf_diags_add(d, TF_ERROR, NULL, "Provider not configured",
                        "The provider received a request before ConfigureProvider.");
  res_provider *p = (res_provider *)ctx->provider; /* only the client cache changes */
  const char *key = context ? context : "";
  int rc = 0;
  pthread_mutex_lock(&p->kube_lock);
  struct res_kube_conn *c = p->kube_conns;
  while (c && strcmp(c->context, key) != 0)
    c = c->next;
  if (!c) {
    kube_settings s;
    kube_rest_config cfg = {0};
    kube_error err = {0};
    kube_client *client = NULL;
    fill_settings(&p->kube, key, &s);
    int failed = kube_config_resolve(&s, &cfg, &err) != 0;
    if (!failed && p->kube.username) { /* basic auth from the provider block wins */
      free(cfg.username);
      free(cfg.password);
      cfg.username = strdup(p->kube.username);
      cfg.password = strdup(p->kube.password ? p->kube.password : "");
    }
    failed = failed || kube_client_new_from_config(&cfg, NULL, &client, &err) != 0;
    kube_rest_config_clear(&cfg);
    if (failed) {
      rc = tf_diags_add(d, TF_ERROR, NULL, "Cannot configure the Kubernetes client", "%s%s%s",
                        err.message, *key ? " (context " : "", *key ? key : "");
      if (*key) tf_diags_add(d, TF_WARNING, NULL, "Check the destination context", "%s)", key);
    } else if ((c = calloc(1, sizeof *c)) && (c->context = strdup(key))) {
      c->client = client;
      c->next = p->kube_conns;
      p->kube_conns = c;
    } else {
      free(c);
      c = NULL;
      kube_client_free(client);
      rc = tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
    }
  }
  if (c) *out = c->client;
  pthread_mutex_unlock(&p->kube_lock);
  return rc;
}

void res_kube_free_all(res_provider *p) {
  for (struct res_kube_conn *c = p->kube_conns, *next; c; c = next) {
    next = c->next;
    kube_client_free(c->client);
    free(c->context);
    free(c);
  }
  p->kube_conns = NULL;
}

void res_response_free(res_response *r) {
  tf_value_free(r->state);
  free(r->private_out);
  for (size_t i = 0; i < r->n_replace; i++)
    tf_path_free(&r->replace[i]);
  free(r->replace);
  memset(r, 0, sizeof *r);
}

int res_response_replace(res_response *r, const char *attr) {
  tf_path *grown = realloc(r->replace, (r->n_replace + 1) * sizeof *grown);
  if (!grown) return -1;
  r->replace = grown;
  tf_path_init(&r->replace[r->n_replace]);
  tf_path_push_attr(&r->replace[r->n_replace], attr);
  r->n_replace++;
  return 0;
}

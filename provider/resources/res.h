/*
 * res — the provider's resources, data sources and provider configuration,
 * in Terraform's terms (tf values in, tf values and diagnostics out). The
 * protocol layer (plugin/) decodes requests and calls these; nothing here knows
 * about gRPC or protobuf.
 */
#ifndef RES_H
#define RES_H

#include <pthread.h>
#include <stdatomic.h>

#include "engine/git/gsync.h"
#include "tf/tf.h"

/* Provider configuration after ConfigureProvider (read-only from then on). */
typedef struct {
  char *host, *token, *client_certificate, *client_key, *cluster_ca_certificate;
  char *tls_server_name, *proxy_url, *config_context, *config_context_auth_info,
      *config_context_cluster;
  char **config_paths;       /* NULL-terminated; from config_path(s) or KUBECONFIG later */
  char *username, *password; /* basic auth */
  int insecure;              /* -1 unset */
  struct {
    char *api_version, *command;
    char **args; /* NULL-terminated */
    char **env;  /* NULL-terminated "K=V" */
  } exec;
  int has_exec;
} res_kube_config;

typedef struct {
  char *cache_dir; /* expanded, absolute */
  char *username, *password, *ssh_private_key, *ssh_known_hosts;
  int insecure_skip_tls_verify;
  int timeout_seconds;
} res_git_config;

typedef struct res_provider {
  res_kube_config kube;
  res_git_config git;
  pthread_mutex_t git_cache_lock;
  struct gsync_cache *git_cache; /* opened on first use, shared by all RPCs */
  pthread_mutex_t kube_lock;
  struct res_kube_conn *kube_conns; /* clients by context, created on first use */
} res_provider;

/* Per-RPC context. */
typedef struct {
  const res_provider *provider; /* NULL until ConfigureProvider */
  atomic_int *stop;             /* set when Terraform sends StopProvider */
} res_ctx;

typedef struct {
  const char *type_name;
  tf_block *(*build_schema)(void);
  int (*validate)(const res_ctx *ctx, const tf_value *config, tf_diags *d);
  /* Fills *state with a wholly known object of the schema's type. */
  int (*read)(const res_ctx *ctx, const tf_value *config, tf_value **state, tf_diags *d);
} res_data_source_def;

/* One managed-resource call. Inputs are borrowed; the resource fills the outputs. */
typedef struct {
  const tf_value *prior;     /* prior state (null on create) */
  const tf_value *proposed;  /* plan: Terraform's proposed new state */
  const tf_value *config;    /* plan/apply: configuration (null on delete) */
  const tf_value *planned;   /* apply: planned state (null on delete) */
  const uint8_t *private_in; /* private bytes from the previous step (may be NULL) */
  size_t private_in_len;
} res_request;

typedef struct {
  tf_value *state; /* planned / new / refreshed / imported state (owned) */
  /* Private bytes to hand to the next step. When private_set is 0 the incoming
   * bytes are passed on unchanged. */
  uint8_t *private_out;
  size_t private_out_len;
  int private_set;
  /* plan: attribute paths whose change forces replacement (owned) */
  tf_path *replace;
  size_t n_replace;
} res_response;

void res_response_free(res_response *r);
/* Adds a top-level attribute name to resp->replace. */
int res_response_replace(res_response *r, const char *attr);

/* Managed resources. Deletion arrives at apply with req->planned null. */
typedef struct {
  const char *type_name;
  int64_t schema_version;
  tf_block *(*build_schema)(void);
  int (*validate)(const res_ctx *ctx, const tf_value *config, tf_diags *d);
  int (*plan)(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d);
  int (*apply)(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d);
  /* Refresh; resp->state null = the object is gone. */
  int (*read)(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d);
  int (*import)(const res_ctx *ctx, const char *id, res_response *resp, tf_diags *d); /* optional */
} res_resource_def;

/* A registered type with its schema built once at start-up. */
typedef struct {
  const char *type_name;
  tf_block *schema;
  tf_type *type; /* implied type */
  int64_t version;
  const res_data_source_def *ds;
  const res_resource_def *rs;
} res_entry;

/* Builds every schema once; returns 0 or -1 (a schema bug) with diagnostics. */
int res_registry_init(tf_diags *d);
void res_registry_free(void);
const res_entry *res_provider_entry(void);
const res_entry *res_data_sources(size_t *n);
const res_entry *res_resources(size_t *n);
const res_entry *res_find_data_source(const char *type_name);
const res_entry *res_find_resource(const char *type_name);

/* Provider configuration (provider_config.c). */
tf_block *res_provider_schema(void);
int res_provider_validate(const tf_value *config, tf_diags *d);
int res_provider_configure(const tf_value *config, res_provider **out, tf_diags *d);
void res_provider_free(res_provider *p);

/* The provider's Git mirror cache, opened on first use; errors name git.cache_dir. */
int res_git_cache(const res_ctx *ctx, struct gsync_cache **out, tf_diags *d);

/* One Git operation's cache, credentials and options, from the provider block and
 * the environment (res_git.c). res_git_end wipes the credentials. */
typedef struct {
  struct gsync_cache *cache;
  gsync_credentials creds;
  gsync_options opts;
} res_git_call;
int res_git_begin(const res_ctx *ctx, res_git_call *call, tf_diags *d);
void res_git_end(res_git_call *call);
/* A gsync failure as a diagnostic on the URL or revision attribute; returns -1. */
int res_git_fail(int code, const gsync_error *err, const char *url_attr, const char *revision_attr,
                 tf_diags *d);

/* A Kubernetes client for the provider's cluster settings, or for another context of
 * its kubeconfig (context NULL/"" = the provider's own). Clients are created on first
 * use and shared by every RPC of the process (res_kube.c). */
struct kube_client;
int res_kube_client(const res_ctx *ctx, const char *context, struct kube_client **out, tf_diags *d);
void res_kube_free_all(res_provider *p);

/* Helpers for reading config values (res_value.c): NULL/-1 when null or unknown. */
const char *res_get_string(const tf_value *obj, const char *name);
int res_get_bool(const tf_value *obj, const char *name);              /* -1, 0, 1 */
int res_get_int(const tf_value *obj, const char *name, int64_t *out); /* 0 if set */
int res_is_unknown(const tf_value *obj, const char *name);
const tf_value *res_get_block(const tf_value *obj, const char *name); /* NULL if null */

#endif

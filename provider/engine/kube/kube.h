/*
 * kube — the Kubernetes apply engine: kubeconfig resolution, a libcurl REST
 * client, discovery and REST mapping, server-side apply, prune, health (as
 * Argo CD assesses it), wait, drift diff and apply ordering.
 *
 * Error discipline (like libgit2): every int-returning function returns 0 on
 * success or a negative kube_code and, when `err` is non-NULL, fills it with a
 * human-readable message meant for end users (it quotes the API server's own
 * message; it never contains tokens, keys or request bodies).  Nothing here
 * prints, exits or aborts.
 *
 * Objects are cJSON trees in the Kubernetes JSON form (what the manifest
 * module produces).  Input objects are only borrowed; every cJSON returned in
 * an output struct or through a `cJSON **` is owned by the caller (or by the
 * report, released by its *_clear function).
 *
 * Object keys are Argo CD's resource keys: "group/Kind/namespace/name", with
 * an empty group for the core API ("/ConfigMap/default/settings") and an empty
 * namespace for cluster-scoped objects ("/Namespace//team-a").
 *
 * Threading: all functions are thread-safe.  A kube_client may be shared by
 * any number of threads (its connection pool and credential cache are
 * locked); discovery is cached per API server for the whole process.
 * Cancellation: every network call takes a `const atomic_int *cancel` (may be
 * NULL); when it becomes non-zero the call returns KUBE_ECANCELLED promptly,
 * also in the middle of a transfer, a retry back-off or a wait.
 */
#ifndef GITOPS_ENGINE_KUBE_KUBE_H
#define GITOPS_ENGINE_KUBE_KUBE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== */
/* Errors                                                                 */

typedef enum kube_code {
  KUBE_OK = 0,
  KUBE_EINVALID = -1,   /* bad argument or object (missing kind/name, bad key, …) */
  KUBE_ECONFIG = -2,    /* kubeconfig / provider settings unusable */
  KUBE_EAUTH = -3,      /* 401, or the exec credential plugin failed */
  KUBE_EFORBIDDEN = -4, /* 403 */
  KUBE_ENOTFOUND = -5,  /* 404: object (or API path) does not exist */
  KUBE_ECONFLICT = -6,  /* 409: field-manager conflict or concurrent change */
  KUBE_ENOKIND = -7,    /* no matches for kind "X" in version "g/v" */
  KUBE_EREJECTED = -8,  /* 400/422: the API server rejected the object */
  KUBE_ESERVER = -9,    /* other HTTP error (5xx after retries, 429 after retries, …) */
  KUBE_ENETWORK = -10,  /* connect/TLS/reset/timeout after retries */
  KUBE_ECANCELLED = -11,
  KUBE_ETIMEOUT = -12,  /* kube_wait / CRD establishment / deletion deadline */
  KUBE_EDEGRADED = -13, /* kube_wait: an object is Degraded */
  KUBE_ETOOBIG = -14,   /* response larger than max_response_bytes */
  KUBE_EIO = -15,       /* local file problem (kubeconfig, certificate file, …) */
  KUBE_ENOMEM = -16
} kube_code;

#define KUBE_ERROR_MAX 4096

/* Caller-provided error sink; no heap memory, nothing to free. */
typedef struct kube_error {
  int code;                     /* same value as the return code */
  int http_status;              /* last HTTP status involved, 0 if none */
  char message[KUBE_ERROR_MAX]; /* NUL-terminated, "" when code == 0 */
} kube_error;

/* Symbolic name of a code, e.g. "KUBE_ENOTFOUND" (static string). */
const char *kube_strerror(int code);

/* ===================================================================== */
/* Settings and kubeconfig                                                */

/* client-go credential plugin (users[].user.exec). */
typedef struct kube_exec_settings {
  const char *api_version; /* client.authentication.k8s.io/v1 or /v1beta1 */
  const char *command;
  char *const *args; /* NULL-terminated, may be NULL */
  char *const *env;  /* NULL-terminated "NAME=value", may be NULL */
} kube_exec_settings;

/*
 * The provider's `kubernetes {}` block (fields mirror res_kube_config).  All
 * pointers are borrowed and may be NULL.  Explicit settings override what the
 * kubeconfig says, as the helm provider does.  Where the configuration comes
 * from (first match wins):
 *   1. config_paths, when given (every file must exist; merged in order);
 *   2. `host` given without config_paths: explicit settings only;
 *   3. $KUBECONFIG (':'-separated list; missing files are skipped);
 *   4. ~/.kube/config when it exists;
 *   5. in-cluster: $KUBERNETES_SERVICE_HOST/$KUBERNETES_SERVICE_PORT and the
 *      service account's token, ca.crt and namespace.
 * Merging follows client-go: for every cluster/user/context name and for
 * current-context, the first file that sets it wins.
 */
typedef struct kube_settings {
  char *const *config_paths; /* NULL-terminated; "~/" expanded */
  const char *config_context;
  const char *config_context_auth_info; /* override the context's user */
  const char *config_context_cluster;   /* override the context's cluster */
  const char *host;                     /* https://host[:port][/path] or host[:port] */
  const char *token;                    /* bearer token */
  const char *client_certificate;       /* PEM */
  const char *client_key;               /* PEM */
  const char *cluster_ca_certificate;   /* PEM */
  const char *tls_server_name;
  const char *proxy_url;
  int insecure; /* > 0: skip TLS verification (and drop the kubeconfig's CA) */
  int has_exec;
  kube_exec_settings exec;
  /* For tests: the service-account directory of in-cluster configuration
   * (NULL: /var/run/secrets/kubernetes.io/serviceaccount). */
  const char *in_cluster_dir;
} kube_settings;

/* Resolved connection parameters.  All strings are heap copies (NULL when
 * unset) owned by the struct; release with kube_rest_config_clear(). */
typedef struct kube_rest_config {
  char *server;              /* "https://host:port[/prefix]", no trailing '/' */
  char *tls_server_name;     /* SNI / certificate name override */
  char *proxy_url;           /* NULL: libcurl's *_proxy environment variables */
  char *ca_pem;              /* CA bundle (PEM); NULL: system trust store */
  char *client_cert_pem;     /* client certificate (PEM) */
  char *client_key_pem;      /* client key (PEM) */
  char *token;               /* static bearer token */
  char *token_file;          /* bearer token re-read from this file (client-go tokenFile) */
  char *username, *password; /* basic auth (legacy kubeconfigs) */
  int insecure;              /* skip TLS verification */
  int has_exec;
  struct {
    char *api_version, *command, *install_hint;
    char **args;            /* NULL-terminated (never NULL when has_exec) */
    char **env;             /* NULL-terminated "NAME=value" */
    char *dir;              /* directory of the kubeconfig that named the plugin */
    char *interactive_mode; /* Never / IfAvailable / Always */
    int provide_cluster_info;
  } exec;
  char *namespace_; /* the context's namespace, the pod's namespace, or "default" */
  char *context;    /* names from the kubeconfig (NULL when not from one) */
  char *cluster;
  char *user;
  char *source; /* for messages: "kubeconfig /a:/b", "in-cluster", "provider settings" */
} kube_rest_config;

int kube_config_resolve(const kube_settings *s, kube_rest_config *out, kube_error *err);
void kube_rest_config_clear(kube_rest_config *c);

/* ===================================================================== */
/* Client                                                                 */

typedef struct kube_client kube_client;

/*
 * Zero means "default" for every field.
 * Every request is retried (up to max_attempts in all, exponential back-off
 * from backoff_initial_ms to backoff_max_ms, at least Retry-After when the
 * server sends one, capped by max_retry_after_ms) on HTTP 429, 500, 502, 503,
 * 504 and on connection failures, resets, empty replies and timeouts; never on
 * other statuses or TLS certificate problems.  A 401 with credentials from an
 * exec plugin or a tokenFile runs / reads them again once and repeats the
 * request.  Connections are kept in a shared pool (HTTP/2 where the server
 * offers it).
 */
typedef struct kube_client_options {
  int connect_timeout_ms;    /* default 10000 */
  int request_timeout_ms;    /* per attempt, default 60000 */
  int max_attempts;          /* total tries per request, default 5 */
  int backoff_initial_ms;    /* default 200, doubled per retry */
  int backoff_max_ms;        /* default 5000 */
  int max_retry_after_ms;    /* upper bound for honouring Retry-After, default 30000 */
  size_t max_response_bytes; /* default 256 MiB */
  int exec_timeout_ms;       /* credential plugin run, default 60000 */
  int legacy_discovery;      /* 1: do not ask for aggregated discovery */
  int discovery_ttl_ms;      /* cache lifetime, default 600000 */
  const char *user_agent;    /* default "terraform-provider-gitops" */
} kube_client_options;

/* Resolve `s` (see kube_settings) and create a client.  `opts` may be NULL. */
int kube_client_new(const kube_settings *s, const kube_client_options *opts, kube_client **out,
                    kube_error *err);
/* Same, from an already resolved configuration (copied). */
int kube_client_new_from_config(const kube_rest_config *cfg, const kube_client_options *opts,
                                kube_client **out, kube_error *err);
void kube_client_free(kube_client *c);

const char *kube_client_server(const kube_client *c);
/* Namespace used for namespaced objects that name none. */
const char *kube_client_namespace(const kube_client *c);

/* Counters since the client was created (all HTTP attempts, retries included). */
typedef struct kube_stats {
  uint64_t requests; /* every HTTP attempt */
  uint64_t gets, lists, patches, deletes, posts, puts;
  uint64_t retries;   /* attempts that were retries */
  uint64_t exec_runs; /* credential plugin runs */
  uint64_t discovery; /* discovery requests */
  uint64_t connects;  /* new connections opened (the rest reused one) */
} kube_stats;
void kube_client_stats(const kube_client *c, kube_stats *out);

/* A raw API call.  `path` starts with '/' and may carry a query string.  Body
 * and accept may be NULL.  Retries, authentication and limits apply.  Returns
 * 0 for 2xx; otherwise an error code mapped from the HTTP status (message from
 * the API server's Status) and *resp still holds the response. */
typedef struct kube_response {
  long status;
  char *body; /* NUL-terminated */
  size_t len;
  char *content_type;
} kube_response;
int kube_request(kube_client *c, const char *method, const char *path, const char *content_type,
                 const char *body, size_t body_len, const char *accept, const atomic_int *cancel,
                 kube_response *resp, kube_error *err);
void kube_response_clear(kube_response *r);

/* GET /version: gitVersion (e.g. "v1.30.2"), major, minor; caller frees. */
int kube_server_version(kube_client *c, const atomic_int *cancel, char **git_version, char **major,
                        char **minor, kube_error *err);

/* ===================================================================== */
/* Discovery and REST mapping                                             */

typedef struct kube_mapping {
  char group[256];
  char version[64];
  char kind[128];
  char resource[128]; /* plural, e.g. "deployments" */
  int namespaced;
} kube_mapping;

/* apiVersion ("v1", "apps/v1") + kind → resource.  A kind not in the cache
 * triggers one discovery refresh (a CRD may just have been created); when
 * still unknown: KUBE_ENOKIND, message `no matches for kind "X" in version
 * "g/v"`. */
int kube_map_kind(kube_client *c, const char *api_version, const char *kind,
                  const atomic_int *cancel, kube_mapping *out, kube_error *err);
/* group + kind → the group's preferred version that serves the kind. */
int kube_map_group_kind(kube_client *c, const char *group, const char *kind,
                        const atomic_int *cancel, kube_mapping *out, kube_error *err);
/* Every served resource (full discovery); *out is a malloc'ed array. */
int kube_discovery_all(kube_client *c, const atomic_int *cancel, kube_mapping **out, size_t *n,
                       kube_error *err);
/* Forget what discovery knows about this client's API server. */
void kube_discovery_invalidate(kube_client *c);

/* ===================================================================== */
/* Objects                                                                */

/* Resource key of an object, namespace as written in it; NULL on a missing
 * kind/name.  Caller frees. */
char *kube_object_key(const cJSON *obj);
/* Split a key into its four parts (each a heap string, caller frees). */
int kube_key_parse(const char *key, char **group, char **kind, char **ns, char **name,
                   kube_error *err);

/* GET one object; KUBE_ENOTFOUND when it does not exist. */
int kube_get(kube_client *c, const char *api_version, const char *kind, const char *ns,
             const char *name, const atomic_int *cancel, cJSON **out, kube_error *err);
int kube_get_key(kube_client *c, const char *key, const atomic_int *cancel, cJSON **out,
                 kube_error *err);
/* LIST (all pages) into a JSON array of objects with apiVersion and kind set.
 * ns NULL or "" lists across namespaces (or a cluster-scoped kind); selector
 * may be NULL. */
int kube_list(kube_client *c, const char *api_version, const char *kind, const char *ns,
              const char *label_selector, const atomic_int *cancel, cJSON **items, kube_error *err);
/* DELETE with propagationPolicy (NULL: "Background").  KUBE_ENOTFOUND when
 * already gone. */
int kube_delete(kube_client *c, const char *api_version, const char *kind, const char *ns,
                const char *name, const char *propagation, int dry_run, const atomic_int *cancel,
                kube_error *err);
/* Read the live state of n objects (apiVersion/kind/metadata are enough),
 * with one LIST per (resource, namespace) when that is cheaper than GETs.
 * live[i] is the object or NULL when it does not exist.  Namespaced objects
 * without a namespace are looked up in kube_client_namespace(). */
int kube_read_objects(kube_client *c, const cJSON *const *objects, size_t n,
                      const atomic_int *cancel, cJSON **live, kube_error *err);

/* ===================================================================== */
/* Ordering                                                               */

/* Sync wave of an object (annotation argocd.argoproj.io/sync-wave, default 0). */
int kube_sync_wave(const cJSON *obj);
/* Rank of a kind in Helm's InstallOrder; unknown kinds rank after all known. */
int kube_kind_rank(const char *kind);
/* Apply order: Namespaces, then CustomResourceDefinitions, then ascending
 * sync wave, Helm's kind order (unknown kinds last, by kind name), name and
 * namespace.  Fills order[0..n) with indices into objects.  Deletion uses
 * exactly the reverse order (kube_order_delete). */
void kube_order(const cJSON *const *objects, size_t n, size_t *order);
void kube_order_delete(const cJSON *const *objects, size_t n, size_t *order);

/* ===================================================================== */
/* Health                                                                 */

typedef enum kube_health_status {
  KUBE_HEALTH_UNKNOWN = 0,
  KUBE_HEALTH_HEALTHY,
  KUBE_HEALTH_PROGRESSING,
  KUBE_HEALTH_DEGRADED,
  KUBE_HEALTH_SUSPENDED,
  KUBE_HEALTH_MISSING
} kube_health_status;

typedef struct kube_health {
  kube_health_status status;
  char message[768];
} kube_health;

/* "Healthy", "Progressing", … (static). */
const char *kube_health_name(kube_health_status s);
/* Argo CD's health of a live object (NULL: Missing).  Kinds without a rule
 * are Healthy when they exist. */
void kube_health_assess(const cJSON *live, kube_health *out);
/* 1 when a is worse than b in Argo CD's order
 * (Healthy < Suspended < Progressing < Missing < Degraded < Unknown). */
int kube_health_worse(kube_health_status a, kube_health_status b);

typedef struct kube_wait_report {
  size_t n;
  char **keys;         /* keys[i] of objects[i] (namespace defaulted) */
  kube_health *health; /* last assessment of objects[i] */
} kube_wait_report;

/* Poll until every object is Healthy (or Suspended, which is final).  Returns
 * KUBE_EDEGRADED as soon as one is Degraded (message: the object, its
 * conditions and recent events), KUBE_ETIMEOUT after timeout_ms naming every
 * object that is not Healthy and why.  `report` may be NULL. */
int kube_wait(kube_client *c, const cJSON *const *objects, size_t n, int timeout_ms,
              const atomic_int *cancel, kube_wait_report *report, kube_error *err);
void kube_wait_report_clear(kube_wait_report *r);

/* ===================================================================== */
/* Diff                                                                   */

/* Argo CD's ignoreDifferences: group and kind required ("*" matches any);
 * name / namespace optional (NULL or "" matches any). */
typedef struct kube_ignore_rule {
  const char *group, *kind, *name, *namespace_;
  char *const *json_pointers; /* NULL-terminated, RFC 6901 */
} kube_ignore_rule;

typedef struct kube_diff_result {
  int drift;    /* live differs from desired in fields this manager sets */
  char **paths; /* JSON pointers of the differences (n_paths of them) */
  size_t n_paths;
  int missing;     /* live is NULL */
  int not_owned;   /* desired holds fields this manager does not own (yet) */
  int has_manager; /* live has an Apply entry of the manager in managedFields */
} kube_diff_result;

/*
 * Compare the desired object (what `manager` applies) with the live one:
 *  - every field of desired must have the same value live (lists matched in
 *    order; numbers by value; resource quantities like "500m" == "0.5";
 *    Secret stringData against data; nulls and empty maps/lists are absent);
 *  - every field the manager owns (its Apply entry in managedFields) must
 *    still be in desired, else applying would remove it: that is drift too;
 *  - paths covered by a matching ignore rule are skipped.
 * Fields set by the server or by other managers and not in desired never
 * count.  not_owned / has_manager tell kube_apply whether a PATCH is needed to
 * take ownership even without a value difference.  manager NULL: "gitops".
 */
int kube_diff(const cJSON *desired, const cJSON *live, const char *manager,
              const kube_ignore_rule *rules, size_t n_rules, kube_diff_result *out,
              kube_error *err);
void kube_diff_result_clear(kube_diff_result *r);

/* ===================================================================== */
/* Apply                                                                  */

typedef enum kube_apply_status {
  KUBE_APPLY_PENDING = 0, /* not attempted (an earlier object failed, or cancelled) */
  KUBE_APPLY_CREATED,
  KUBE_APPLY_CONFIGURED,
  KUBE_APPLY_UNCHANGED,
  KUBE_APPLY_FAILED
} kube_apply_status;

/* "pending", "created", "configured", "unchanged", "failed" (static). */
const char *kube_apply_status_name(kube_apply_status s);

/* Zero means "default" for every field. */
typedef struct kube_apply_options {
  const char *field_manager;     /* default "gitops" */
  int force;                     /* force=true: take over fields other managers own */
  int dry_run;                   /* dryRun=All: validate and compute, persist nothing */
  int always_patch;              /* PATCH even when the live object already matches */
  const char *default_namespace; /* NULL: kube_client_namespace() */
  int continue_on_error;         /* keep applying the other objects after a failure */
  int crd_timeout_ms;            /* wait for CRDs of the set to be Established, default 60000 */
  int wait_waves;                /* kube_wait every sync wave before applying the next */
  int wave_timeout_ms;           /* for wait_waves, default 300000 */
  int parallelism;               /* concurrent PATCHes within one kind of one wave, default 4 */
  const char *list_selector;     /* label selector narrowing the LISTs used to read live state */
  const atomic_int *cancel;
} kube_apply_options;

typedef struct kube_apply_result {
  char *key; /* resource key, namespace defaulted (never NULL) */
  kube_apply_status status;
  cJSON *live;   /* the object as the server returned it (or as it was, when unchanged) */
  int code;      /* KUBE_* of a failure */
  char *message; /* failure message, else NULL */
} kube_apply_result;

typedef struct kube_apply_report {
  size_t n;
  kube_apply_result *results; /* results[i] belongs to objects[i] */
  size_t *order;              /* the apply order (indices into objects) */
  size_t created, configured, unchanged, failed, pending;
} kube_apply_report;

/*
 * Server-side apply of a set of objects (PATCH application/apply-patch+yaml,
 * fieldManager, force / dryRun as asked), in kube_order() order.  CRDs are
 * applied and waited for (Established) before any custom resource; the kinds
 * they define are then mapped by refreshing discovery.
 *
 * Before anything is sent every object is checked (apiVersion, kind, name,
 * known kind or defined by a CRD of the set, no namespace on cluster-scoped
 * objects); a failed check applies nothing.  The live state is then read
 * (LIST per resource and namespace, or GET) and objects whose live state
 * already matches (kube_diff: no drift, every desired field owned by the
 * manager) are reported unchanged without any PATCH.
 *
 * Objects of the same kind, apiVersion and sync wave are applied
 * concurrently (`parallelism`); after a failure no further object is started
 * (unless continue_on_error), so the objects after it stay pending.  A custom
 * resource whose CRD of the set failed is failed without waiting.
 *
 * `report` is always filled, also on failure: results[i].status says for
 * every object whether it was created, configured, unchanged, failed or never
 * attempted.  Returns 0 when every object was applied, else the code of the
 * first failure (err names the object and quotes the server; a conflict names
 * the fields and the other manager).
 */
int kube_apply(kube_client *c, const cJSON *const *objects, size_t n,
               const kube_apply_options *opts, kube_apply_report *report, kube_error *err);
void kube_apply_report_clear(kube_apply_report *r);

/* ===================================================================== */
/* Prune / delete                                                         */

typedef enum kube_prune_status {
  KUBE_PRUNE_KEPT = 0, /* in keep[]: not touched */
  KUBE_PRUNE_DELETED,  /* delete accepted (and gone, with wait_timeout_ms) */
  KUBE_PRUNE_GONE,     /* did not exist any more */
  KUBE_PRUNE_FAILED,
  KUBE_PRUNE_PENDING /* not attempted */
} kube_prune_status;

typedef struct kube_prune_options {
  const char *propagation; /* "Background" (default), "Foreground", "Orphan" */
  int dry_run;
  int wait_timeout_ms; /* > 0: wait until each deleted object is gone */
  int continue_on_error;
  const atomic_int *cancel;
} kube_prune_options;

typedef struct kube_prune_result {
  char *key;
  kube_prune_status status;
  int code;
  char *message;
} kube_prune_result;

typedef struct kube_prune_report {
  size_t n;
  kube_prune_result *results; /* one per inventory key, in inventory order */
  size_t *order;              /* deletion order of the candidates (indices into inventory) */
  size_t n_order;
  size_t deleted, gone, failed;
} kube_prune_report;

/* Delete every inventory object whose key is not in keep[] (keep may be NULL
 * to delete all: destroy), in the reverse of apply order (the live objects'
 * sync waves are read first). */
int kube_prune(kube_client *c, const char *const *inventory, size_t n_inventory,
               const char *const *keep, size_t n_keep, const kube_prune_options *opts,
               kube_prune_report *report, kube_error *err);
void kube_prune_report_clear(kube_prune_report *r);

#ifdef __cplusplus
}
#endif
#endif

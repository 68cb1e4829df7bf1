/* Internal declarations shared by the kube_*.c files (and the unit tests).
 * Not a public API. */
#ifndef GITOPS_ENGINE_KUBE_KUBE_INTERNAL_H
#define GITOPS_ENGINE_KUBE_KUBE_INTERNAL_H

#include "engine/kube/kube.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- errors (kube_error.c) ---- */
int kube__set(kube_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix err->message with "prefix: " (keeps code). */
void kube__prefix(kube_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Map an HTTP status to a kube_code. */
int kube__code_for_status(long status);
/* The API server's message for an error response: Status.message (with the
 * causes of a conflict), else a short printable excerpt; writes into buf. */
void kube__status_message(long status, const char *body, size_t len, char *buf, size_t cap);

/* ---- growable string (kube_util.c) ---- */
typedef struct kube_buf {
  char *p;
  size_t len, cap;
  int oom;
} kube_buf;
void kube__buf_add(kube_buf *b, const char *s, size_t n);
void kube__buf_puts(kube_buf *b, const char *s);
void kube__buf_printf(kube_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the string (never NULL unless out of memory) and resets b. */
char *kube__buf_take(kube_buf *b);
void kube__buf_free(kube_buf *b);

/* ---- misc (kube_util.c) ---- */
char *kube__strdup(const char *s); /* NULL-safe */
char *kube__asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char **kube__strv_dup(char *const *v); /* NULL → NULL */
void kube__strv_free(char **v);
size_t kube__strv_len(char *const *v);
int64_t kube__now_ms(void);  /* CLOCK_MONOTONIC */
int64_t kube__wall_ms(void); /* CLOCK_REALTIME */
/* Sleep up to ms, waking early on cancel; returns 1 when cancelled. */
int kube__sleep(int ms, const atomic_int *cancel);
int kube__cancelled(const atomic_int *cancel);
/* Read a whole file (NUL-terminated); "~/" expanded; max 64 MiB. */
int kube__read_file(const char *path, char **out, size_t *len, kube_error *err);
char *kube__expand_home(const char *path);
/* Decode standard base64 (whitespace ignored); NUL-terminated result. */
int kube__b64_decode(const char *in, char **out, size_t *len);
char *kube__b64_encode(const void *in, size_t len);
/* RFC 3339 time → Unix milliseconds; -1 on a bad value. */
int64_t kube__parse_time(const char *s);
/* Percent-encode everything but RFC 3986 unreserved characters. */
char *kube__url_escape(const char *s);
/* Append a JSON-pointer-escaped reference token ('~' → "~0", '/' → "~1"). */
void kube__ptr_add(kube_buf *b, const char *token);

/* ---- JSON helpers (kube_util.c) ---- */
const char *kube__jstr(const cJSON *obj, const char *name);     /* string or NULL */
const cJSON *kube__jpath(const cJSON *obj, const char *dotted); /* "a.b.c" */
const char *kube__jpath_str(const cJSON *obj, const char *dotted);
int kube__jpath_int(const cJSON *obj, const char *dotted, long long *out); /* 0 if a number */
int kube__jbool(const cJSON *v); /* true / "true" → 1, else 0 */
/* A number, plain or raw (the manifest module's canonical number text). */
int kube__is_num(const cJSON *v);
double kube__num(const cJSON *v);
/* Object identity pieces. */
const char *kube__obj_api_version(const cJSON *o);
const char *kube__obj_kind(const cJSON *o);
const char *kube__obj_name(const cJSON *o);
const char *kube__obj_namespace(const cJSON *o); /* "" when none */
/* Group of an apiVersion into buf ("" for "v1"). */
void kube__group_of(const char *api_version, char *buf, size_t cap);
const char *kube__version_of(const char *api_version);
char *kube__make_key(const char *group, const char *kind, const char *ns, const char *name);

/* ---- small string → pointer hash map (kube_util.c) ---- */
typedef struct kube_map {
  struct kube_map_slot {
    char *key;
    void *val;
  } * slots;
  size_t cap, n;
} kube_map;
int kube__map_put(kube_map *m, const char *key, void *val); /* replaces; 0 or -1 */
void *kube__map_get(const kube_map *m, const char *key);
/* Frees keys; calls free_val on values when non-NULL. */
void kube__map_free(kube_map *m, void (*free_val)(void *));

/* ---- credentials (kube_exec.c, kube_auth.c) ---- */
typedef struct kube_cred {
  char *token, *cert_pem, *key_pem;
  int64_t expires_ms; /* wall clock; 0 = does not expire */
} kube_cred;
void kube__cred_clear(kube_cred *c);
/* Run the exec credential plugin of cfg. */
int kube__exec_run(const kube_rest_config *cfg, int timeout_ms, const atomic_int *cancel,
                   kube_cred *out, kube_error *err);

typedef struct kube_auth {
  pthread_mutex_t mu;
  const kube_rest_config *cfg; /* the client's */
  int exec_timeout_ms;
  kube_cred cur;       /* exec / tokenFile credentials */
  int have;            /* cur is filled */
  int64_t loaded_ms;   /* monotonic time of the last tokenFile read */
  uint64_t generation; /* bumped on every refresh */
  atomic_uint_fast64_t exec_runs;
} kube_auth;
void kube__auth_init(kube_auth *a, const kube_rest_config *cfg, int exec_timeout_ms);
void kube__auth_dispose(kube_auth *a);
/* Credentials for one request (copies, release with kube__cred_clear); *gen
 * identifies them for kube__auth_invalidate. */
int kube__auth_get(kube_auth *a, const atomic_int *cancel, kube_cred *out, uint64_t *gen,
                   kube_error *err);
/* After a 401: forget credentials of generation gen.  Returns 1 when a retry
 * with fresh credentials makes sense (exec plugin or token file). */
int kube__auth_invalidate(kube_auth *a, uint64_t gen);

/* ---- client (kube_client.c, kube_http.c) ---- */
#define KUBE_POOL_MAX 32

struct kube_disco;

struct kube_client {
  kube_rest_config cfg;
  kube_client_options opts; /* defaults filled in */
  char *user_agent;
  char *url_base;                /* scheme://host:port[/prefix] used in URLs */
  struct curl_slist *connect_to; /* tls_server_name: connect to the real host */
  CURLSH *share;
  pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
  pthread_mutex_t pool_mu;
  CURL *pool[KUBE_POOL_MAX];
  int npool;
  kube_auth auth;
  struct kube_disco *disco;
  atomic_uint_fast64_t n_requests, n_get, n_list, n_patch, n_delete, n_post, n_put, n_retries,
      n_discovery, n_connects;
};

typedef enum { KUBE_REQ_OTHER = 0, KUBE_REQ_LIST, KUBE_REQ_DISCOVERY } kube_req_class;
/* OR-ed into the class: HTTP error messages are the server's message alone,
 * without "METHOD path: " (callers name the object themselves). */
#define KUBE_REQ_BARE 0x100

/* kube_request with a class for the counters. */
int kube__request(kube_client *c, const char *method, const char *path, const char *content_type,
                  const char *body, size_t body_len, const char *accept, int cls,
                  const atomic_int *cancel, kube_response *resp, kube_error *err);
/* GET path and parse JSON. */
int kube__get_json(kube_client *c, const char *path, const char *accept, int cls,
                   const atomic_int *cancel, cJSON **out, char **content_type, kube_error *err);

/* ---- discovery (kube_discovery.c) ---- */
struct kube_disco *kube__disco_get(const char *server, int legacy, int ttl_ms);
/* Process-wide cleanup of the discovery cache (tests). */
void kube__disco_reset_all(void);

/* "group/version" ("v1" for the core group); caller frees. */
char *kube__mapping_api_version(const kube_mapping *m);
/* URL path of a resource collection or object; ns may be NULL/""; name may be NULL. */
char *kube__resource_path(const kube_mapping *m, const char *ns, const char *name);

/* ---- apply helpers shared with wait/prune ---- */
/* Map obj's apiVersion/kind; *ns_out = namespace to use ("" cluster-scoped,
 * default_ns for namespaced objects without one).  Errors name the object. */
int kube__map_object(kube_client *c, const cJSON *obj, const char *default_ns,
                     const atomic_int *cancel, kube_mapping *m, const char **ns_out,
                     kube_error *err);

/* Live state of n targets (mapping, namespace, name): one LIST per
 * collection holding at least list_min of them (list_min <= 0: never),
 * else GET.  live[i] = object or NULL when absent. */
int kube__read_live(kube_client *c, const kube_mapping *maps, const char *const *nss,
                    const char *const *names, size_t n, const char *selector, int list_min,
                    const atomic_int *cancel, cJSON **live, kube_error *err);
/* Printable description of an object for messages: its key or "object #i". */
char *kube__describe(const cJSON *obj, size_t index);

/* ---- ordering (kube_order.c) ---- */
enum { KUBE_PHASE_NAMESPACE = 0, KUBE_PHASE_CRD = 1, KUBE_PHASE_OTHER = 2 };
/* Namespaces, then CustomResourceDefinitions, then everything else. */
int kube__phase_class(const cJSON *o);

/* ---- managedFields (kube_diff.c) ---- */
/* The fieldsV1 set of manager's Apply entry in live (NULL when none). */
const cJSON *kube__managed_fields(const cJSON *live, const char *manager);

#endif

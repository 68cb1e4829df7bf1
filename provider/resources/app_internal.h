/*
 * gitops_application — the pure parts (schema, defaults, object preparation,
 * redaction, inventory maps, private bytes), kept apart from the Git and
 * Kubernetes calls in app_resource.c so unit tests can reach them.
 */
#ifndef RES_APP_INTERNAL_H
#define RES_APP_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "tf/tf.h"

#define APP_TYPE_NAME "gitops_application"
#define APP_LABEL_INSTANCE "app.kubernetes.io/instance"
#define APP_ANNOTATION_OWNER "gitops.terraform.io/owner"
#define APP_REDACTED "++++++++"
#define APP_DEFAULT_TIMEOUT 300

tf_block *app_schema(void);
/* The schema's implied type (built once, shared). */
const tf_type *app_type(void);

/* Fills optional+computed attributes left null (project, wait, timeout,
 * cascade_delete, engine, state_detail, source.target_revision, source.path)
 * with their defaults; unknowns stay unknown. id = name. Returns 0. */
int app_fill_defaults(tf_value *planned);

/* 1 when a kind is cluster-scoped in the static list of well-known kinds. */
int app_static_cluster_scoped(const char *api_version, const char *kind);
/* Scope of a custom kind declared by a CRD of the set: 1 cluster, 0 namespaced, -1 unknown. */
int app_crd_scope(cJSON *const *objs, size_t n, const char *api_version, const char *kind);

/* Adds the instance label and the owner annotation; sets the namespace of a
 * namespaced object that names none. */
int app_prepare_object(cJSON *obj, const char *app_name, int namespaced, const char *ns);

/* Secret data/stringData values replaced by APP_REDACTED (in place). */
void app_redact_secret(cJSON *obj);

/* The `objects` map: key => redacted YAML (full) or "sha256:…" (digests).
 * keys[i] belongs to objs[i]. NULL on out-of-memory. */
tf_value *app_objects_map(cJSON *const *objs, char *const *keys, size_t n, int digests);

/* Private bytes: {"v":1,"revision":SHA,"objects":[desired objects]}. */
int app_private_encode(const char *revision, cJSON *const *objs, size_t n, uint8_t **out,
                       size_t *out_len);
/* *objs is a cJSON array owned by the caller (NULL when the bytes hold none). */
int app_private_decode(const uint8_t *buf, size_t len, char *revision_out, size_t rev_cap,
                       cJSON **objs);

/* Sync option checks: 1 when set in the config's sync_policy.sync_options. */
int app_sync_option(const tf_value *config_or_state, const char *option);
/* 1 when a sync option is one this version understands. */
int app_sync_option_known(const char *option);

/* A helm parameter as a --set argument, commas and backslashes in the value
 * escaped ("a=x\\,y"); NULL without a name. Caller frees. */
char *app_helm_set_arg(const char *name, const char *value);

/* A diagnostic path from a dotted attribute path ("source.repo_url"). */
void app_path(tf_path *p, const char *dotted);
int app_error(tf_diags *d, const char *dotted, const char *summary, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif

/* gitops_application: schema, defaults, object preparation and the state's
 * `objects` map (no network here). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/manifest/manifest.h"
#include "resources/app_internal.h"
#include "resources/res.h"

static tf_type *str_t(void) {
  return tf_type_primitive(TF_STRING);
}
static tf_type *bool_t(void) {
  return tf_type_primitive(TF_BOOL);
}
static tf_type *str_list_t(void) {
  return tf_type_collection(TF_LIST, tf_type_primitive(TF_STRING));
}

static tf_block *source_schema(void) {
  tf_block *s = tf_block_new("Where the manifests come from.");
  tf_block_attr(s, "repo_url", str_t(), TF_REQUIRED, "Repository URL (https, ssh, git or file).");
  tf_block_attr(s, "target_revision", str_t(), TF_OPTIONAL | TF_COMPUTED,
                "Branch, tag, commit SHA or HEAD (the default).");
  tf_block_attr(s, "path", str_t(), TF_OPTIONAL | TF_COMPUTED,
                "Directory of the repository holding the source (default: the root, \".\").");
  tf_block *dir = tf_block_new("Plain manifests (*.yaml, *.yml, *.json), the default.");
  tf_block_attr(dir, "recurse", bool_t(), TF_OPTIONAL, "Also read subdirectories.");
  tf_block_attr(dir, "include", str_t(), TF_OPTIONAL, "Glob of files to read.");
  tf_block_attr(dir, "exclude", str_t(), TF_OPTIONAL, "Glob of files to skip.");
  tf_block_nested(s, "directory", TF_NEST_SINGLE, 0, 0, dir);
  tf_block *helm = tf_block_new(
      "A Helm chart at the source path, rendered by the provider (hooks are not applied).");
  tf_block_attr(helm, "release_name", str_t(), TF_OPTIONAL, "Release name (default: name).");
  tf_block_attr(helm, "value_files", str_list_t(), TF_OPTIONAL,
                "Values files, relative to the chart.");
  tf_block_attr(helm, "values", str_t(), TF_OPTIONAL, "Values as YAML.");
  tf_block *param = tf_block_new("A --set style parameter.");
  tf_block_attr(param, "name", str_t(), TF_REQUIRED, "Dotted path.");
  tf_block_attr(param, "value", str_t(), TF_OPTIONAL, "Value.");
  tf_block_attr(param, "force_string", bool_t(), TF_OPTIONAL, "Keep the value a string.");
  tf_block_nested(helm, "parameter", TF_NEST_LIST, 0, 0, param);
  tf_block_nested(s, "helm", TF_NEST_SINGLE, 0, 0, helm);
  tf_block *k = tf_block_new("A Kustomize overlay (not supported yet).");
  tf_block_attr(k, "name_prefix", str_t(), TF_OPTIONAL, "Prefix for names.");
  tf_block_attr(k, "name_suffix", str_t(), TF_OPTIONAL, "Suffix for names.");
  tf_block_attr(k, "namespace", str_t(), TF_OPTIONAL, "Namespace for every object.");
  tf_block_attr(k, "images", str_list_t(), TF_OPTIONAL, "Image overrides.");
  tf_block_attr(k, "common_labels", tf_type_collection(TF_MAP, str_t()), TF_OPTIONAL,
                "Labels added to every object.");
  tf_block_nested(s, "kustomize", TF_NEST_SINGLE, 0, 0, k);
  return s;
}

tf_block *app_schema(void) {
  tf_block *b = tf_block_new(
      "An Argo CD-style application: manifests from Git applied to a cluster with server-side "
      "apply, pruned and health-checked, without an agent in the cluster.");
  tf_block_attr(b, "name", str_t(), TF_REQUIRED,
                "Application name (value of the app.kubernetes.io/instance label).");
  tf_block_attr(b, "project", str_t(), TF_OPTIONAL | TF_COMPUTED,
                "Project (informational; default \"default\").");
  tf_block_attr(b, "wait", bool_t(), TF_OPTIONAL | TF_COMPUTED,
                "Wait until every object is Healthy (default true).");
  tf_block_attr(b, "timeout", tf_type_primitive(TF_NUMBER), TF_OPTIONAL | TF_COMPUTED,
                "Seconds to wait for health and deletion (default 300).");
  tf_block_attr(b, "cascade_delete", bool_t(), TF_OPTIONAL | TF_COMPUTED,
                "Destroy deletes the objects (default true).");
  tf_block_attr(b, "engine", str_t(), TF_OPTIONAL | TF_COMPUTED,
                "\"embedded\" (default): the provider applies; \"argocd\": not supported yet.");
  tf_block_attr(b, "state_detail", str_t(), TF_OPTIONAL | TF_COMPUTED,
                "\"full\" (default): objects as YAML; \"digests\": content digests.");
  tf_block_attr(b, "id", str_t(), TF_COMPUTED, "The name.");
  tf_block_attr(b, "revision", str_t(), TF_COMPUTED, "Commit SHA target_revision resolved to.");
  tf_block_attr(b, "objects", tf_type_collection(TF_MAP, str_t()), TF_COMPUTED,
                "\"group/Kind/namespace/name\" => the object as applied (YAML, Secret values "
                "redacted) or its digest.");
  tf_block_attr(b, "sync_status", str_t(), TF_COMPUTED, "Synced or OutOfSync.");
  tf_block_attr(b, "health", str_t(), TF_COMPUTED,
                "Healthy, Progressing, Degraded, Suspended, Missing or Unknown.");
  tf_block_nested(b, "source", TF_NEST_SINGLE, 1, 1, source_schema());
  tf_block *dst = tf_block_new("Where the objects go.");
  tf_block_attr(dst, "namespace", str_t(), TF_OPTIONAL,
                "Namespace for namespaced objects that name none.");
  tf_block_attr(dst, "context", str_t(), TF_OPTIONAL,
                "kubeconfig context (default: the provider's cluster).");
  tf_block_nested(b, "destination", TF_NEST_SINGLE, 0, 0, dst);
  tf_block *sp = tf_block_new("Sync policy.");
  tf_block *au = tf_block_new("Automated sync.");
  tf_block_attr(au, "prune", bool_t(), TF_OPTIONAL, "Delete objects that left the source.");
  tf_block_attr(au, "self_heal", bool_t(), TF_OPTIONAL,
                "Take fields back from other managers (force apply).");
  tf_block_nested(sp, "automated", TF_NEST_SINGLE, 0, 0, au);
  tf_block_attr(sp, "sync_options", str_list_t(), TF_OPTIONAL,
                "CreateNamespace=true, PruneLast=true, ServerSideApply=true.");
  tf_block_nested(b, "sync_policy", TF_NEST_SINGLE, 0, 0, sp);
  tf_block *ig = tf_block_new("Fields drift detection ignores (Argo CD ignoreDifferences).");
  tf_block_attr(ig, "group", str_t(), TF_OPTIONAL, "API group (\"\" core, \"*\" any).");
  tf_block_attr(ig, "kind", str_t(), TF_REQUIRED, "Kind (\"*\" any).");
  tf_block_attr(ig, "name", str_t(), TF_OPTIONAL, "Object name (any when unset).");
  tf_block_attr(ig, "namespace", str_t(), TF_OPTIONAL, "Namespace (any when unset).");
  tf_block_attr(ig, "json_pointers", str_list_t(), TF_OPTIONAL, "RFC 6901 pointers.");
  tf_block_nested(b, "ignore_difference", TF_NEST_LIST, 0, 0, ig);
  return b;
}

static tf_type *g_type;
static pthread_once_t g_type_once = PTHREAD_ONCE_INIT;
static void build_type(void) {
  tf_block *b = app_schema();
  g_type = b ? tf_block_implied_type(b) : NULL;
  tf_block_free(b);
}
const tf_type *app_type(void) {
  const res_entry *e = res_find_resource(APP_TYPE_NAME);
  if (e) return e->type;
  pthread_once(&g_type_once, build_type);
  return g_type;
}

static void default_attr(tf_value *obj, const char *name, tf_value *def) {
  const tf_value *v = tf_value_get_attr(obj, name);
  if (v && tf_value_is_null(v))
    tf_value_set_attr(obj, name, def);
  else
    tf_value_free(def);
}

int app_fill_defaults(tf_value *p) {
  if (!p || tf_value_is_null(p) || !tf_value_is_known(p)) return 0;
  default_attr(p, "project", tf_value_string("default"));
  default_attr(p, "wait", tf_value_bool(true));
  default_attr(p, "timeout", tf_value_number_i64(APP_DEFAULT_TIMEOUT));
  default_attr(p, "cascade_delete", tf_value_bool(true));
  default_attr(p, "engine", tf_value_string("embedded"));
  default_attr(p, "state_detail", tf_value_string("full"));
  const tf_value *name = tf_value_get_attr(p, "name");
  tf_value_set_attr(p, "id", tf_value_copy(name));
  const tf_value *src = tf_value_get_attr(p, "source");
  if (src && !tf_value_is_null(src) && tf_value_is_known(src)) {
    tf_value *s = tf_value_copy(src);
    default_attr(s, "target_revision", tf_value_string("HEAD"));
    default_attr(s, "path", tf_value_string("."));
    tf_value_set_attr(p, "source", s);
  }
  return 0;
}

static const char *const cluster_kinds[] = {"Namespace",
                                            "Node",
                                            "PersistentVolume",
                                            "StorageClass",
                                            "CustomResourceDefinition",
                                            "ClusterRole",
                                            "ClusterRoleBinding",
                                            "PriorityClass",
                                            "ValidatingWebhookConfiguration",
                                            "MutatingWebhookConfiguration",
                                            "APIService",
                                            "CSIDriver",
                                            "CSINode",
                                            "IngressClass",
                                            "RuntimeClass",
                                            "VolumeAttachment",
                                            "ComponentStatus",
                                            "CertificateSigningRequest",
                                            "PodSecurityPolicy",
                                            "FlowSchema",
                                            "PriorityLevelConfiguration",
                                            "ValidatingAdmissionPolicy",
                                            "ValidatingAdmissionPolicyBinding",
                                            "MutatingAdmissionPolicy",
                                            "MutatingAdmissionPolicyBinding",
                                            "SelfSubjectReview",
                                            "TokenReview",
                                            "SelfSubjectAccessReview",
                                            "SelfSubjectRulesReview",
                                            "SubjectAccessReview",
                                            "StorageVersionMigration",
                                            "IPAddress",
                                            "ServiceCIDR",
                                            "DeviceClass",
                                            "ResourceSlice",
                                            "VolumeAttributesClass"};

static int builtin_group(const char *api_version) {
  /* core "v1" and *.k8s.io / well-known built-in groups */
  if (!api_version) return 0;
  const char *slash = strchr(api_version, '/');
  if (!slash) return 1;
  size_t n = (size_t)(slash - api_version);
  if (n >= 7 && strncmp(slash - 7, ".k8s.io", 7) == 0) return 1;
  static const char *const groups[] = {"apps", "batch", "autoscaling", "policy", "extensions"};
  for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
    if (strlen(groups[i]) == n && strncmp(api_version, groups[i], n) == 0) return 1;
  return 0;
}

int app_static_cluster_scoped(const char *api_version, const char *kind) {
  if (!kind || !builtin_group(api_version)) return 0;
  for (size_t i = 0; i < sizeof cluster_kinds / sizeof *cluster_kinds; i++)
    if (strcmp(kind, cluster_kinds[i]) == 0) return 1;
  return 0;
}

static const char *jstr(const cJSON *o, const char *path) {
  /* dotted lookup of a string */
  char buf[128];
  const cJSON *cur = o;
  while (cur && *path) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    if (n >= sizeof buf) return NULL;
    memcpy(buf, path, n);
    buf[n] = 0;
    cur = cJSON_GetObjectItemCaseSensitive(cur, buf);
    path += n + (dot ? 1 : 0);
  }
  return cJSON_IsString(cur) ? cur->valuestring : NULL;
}

int app_crd_scope(cJSON *const *objs, size_t n, const char *api_version, const char *kind) {
  if (!api_version || !kind) return -1;
  const char *slash = strchr(api_version, '/');
  if (!slash) return -1;
  size_t glen = (size_t)(slash - api_version);
  for (size_t i = 0; i < n; i++) {
    const char *k = mf_obj_kind(objs[i]);
    if (!k || strcmp(k, "CustomResourceDefinition") != 0) continue;
    const char *g = jstr(objs[i], "spec.group");
    const char *ck = jstr(objs[i], "spec.names.kind");
    const char *scope = jstr(objs[i], "spec.scope");
    if (g && ck && strlen(g) == glen && strncmp(g, api_version, glen) == 0 && strcmp(ck, kind) == 0)
      return scope && strcmp(scope, "Cluster") == 0 ? 1 : 0;
  }
  return -1;
}

int app_prepare_object(cJSON *obj, const char *app_name, int namespaced, const char *ns) {
  char owner[512];
  snprintf(owner, sizeof owner, APP_TYPE_NAME ".%s", app_name);
  if (mf_obj_set_label(obj, APP_LABEL_INSTANCE, app_name) != 0) return -1;
  if (mf_obj_set_annotation(obj, APP_ANNOTATION_OWNER, owner) != 0) return -1;
  const char *cur = mf_obj_namespace(obj);
  if (namespaced && (!cur || !*cur) && ns && *ns) return mf_obj_set_namespace(obj, ns) ? -1 : 0;
  return 0;
}

void app_redact_secret(cJSON *obj) {
  const char *kind = mf_obj_kind(obj), *api = mf_obj_api_version(obj);
  if (!kind || !api || strcmp(kind, "Secret") != 0 || strcmp(api, "v1") != 0) return;
  const char *fields[] = {"data", "stringData"};
  for (size_t i = 0; i < 2; i++) {
    cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, fields[i]);
    if (!cJSON_IsObject(m)) continue;
    for (cJSON *e = m->child, *next; e; e = next) {
      next = e->next;
      cJSON_ReplaceItemInObjectCaseSensitive(m, e->string, cJSON_CreateString(APP_REDACTED));
    }
  }
}

tf_value *app_objects_map(cJSON *const *objs, char *const *keys, size_t n, int digests) {
  tf_value **vals = calloc(n + 1, sizeof *vals);
  int ok = vals != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    if (digests) {
      char hex[65], buf[80];
      ok = mf_digest(objs[i], hex) == 0;
      snprintf(buf, sizeof buf, "sha256:%s", hex);
      vals[i] = ok ? tf_value_string(buf) : NULL;
    } else {
      cJSON *copy = cJSON_Duplicate(objs[i], 1);
      char *yaml = NULL;
      if (copy) {
        app_redact_secret(copy);
        yaml = mf_to_yaml(copy);
      }
      cJSON_Delete(copy);
      vals[i] = yaml ? tf_value_string(yaml) : NULL;
      free(yaml);
    }
    ok = ok && vals[i];
  }
  tf_value *m = NULL;
  if (ok) {
    tf_type *t = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
    m = tf_value_collection(t, n, (const char *const *)keys, vals);
    tf_type_unref(t);
  } else {
    for (size_t i = 0; vals && i < n; i++)
      tf_value_free(vals[i]);
  }
  free(vals);
  return m;
}

int app_private_encode(const char *revision, cJSON *const *objs, size_t n, uint8_t **out,
                       size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
  if (!root || !arr) {
    cJSON_Delete(root);
    cJSON_Delete(arr);
    return -1;
  }
  cJSON_AddItemToObject(root, "objects", arr);
  cJSON_AddNumberToObject(root, "v", 1);
  cJSON_AddStringToObject(root, "revision", revision ? revision : "");
  for (size_t i = 0; i < n; i++)
    cJSON_AddItemToArray(arr, cJSON_Duplicate(objs[i], 1));
  char *s = mf_canonical_json(root);
  cJSON_Delete(root);
  if (!s) return -1;
  *out = (uint8_t *)s;
  *out_len = strlen(s);
  return 0;
}

int app_private_decode(const uint8_t *buf, size_t len, char *revision_out, size_t rev_cap,
                       cJSON **objs) {
  *objs = NULL;
  if (rev_cap) revision_out[0] = 0;
  if (!buf || !len) return -1;
  cJSON *root = cJSON_ParseWithLength((const char *)buf, len);
  if (!root) return -1;
  const cJSON *rev = cJSON_GetObjectItemCaseSensitive(root, "revision");
  if (cJSON_IsString(rev) && rev_cap) snprintf(revision_out, rev_cap, "%s", rev->valuestring);
  cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(root, "objects");
  cJSON_Delete(root);
  if (!cJSON_IsArray(arr)) {
    cJSON_Delete(arr);
    return -1;
  }
  *objs = arr;
  return 0;
}

int app_sync_option(const tf_value *v, const char *option) {
  const tf_value *sp = res_get_block(v, "sync_policy");
  const tf_value *opts = sp ? tf_value_get_attr(sp, "sync_options") : NULL;
  if (!opts || tf_value_is_null(opts) || !tf_value_is_known(opts)) return 0;
  for (size_t i = 0; i < tf_value_len(opts); i++) {
    const tf_value *e = tf_value_at(opts, i);
    if (tf_value_is_known(e) && !tf_value_is_null(e) && strcmp(tf_value_str(e), option) == 0)
      return 1;
  }
  return 0;
}

int app_sync_option_known(const char *option) {
  static const char *const known[] = {"CreateNamespace=true", "PruneLast=true",
                                      "ServerSideApply=true", "CreateNamespace=false",
                                      "PruneLast=false"};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++)
    if (strcmp(option, known[i]) == 0) return 1;
  return 0;
}

void app_path(tf_path *p, const char *dotted) {
  tf_path_init(p);
  char buf[256];
  while (dotted && *dotted) {
    const char *dot = strchr(dotted, '.');
    size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, dotted, n);
    buf[n] = 0;
    tf_path_push_attr(p, buf);
    dotted += n + (dot ? 1 : 0);
  }
}

int app_error(tf_diags *d, const char *dotted, const char *summary, const char *fmt, ...) {
  char detail[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  tf_path p;
  app_path(&p, dotted);
  tf_diags_add(d, TF_ERROR, dotted ? &p : NULL, summary, "%s", detail);
  tf_path_free(&p);
  return -1;
}

char *app_helm_set_arg(const char *name, const char *value) {
  if (!name) return NULL;
  size_t n = strlen(name) + 2 * strlen(value ? value : "") + 2;
  char *s = malloc(n + 1), *o = s;
  if (!s) return NULL;
  o += sprintf(o, "%s=", name);
  for (const char *c = value ? value : ""; *c; c++) {
    if (*c == ',' || *c == '\\') *o++ = '\\';
    *o++ = *c;
  }
  *o = 0;
  return s;
}

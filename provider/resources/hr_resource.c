/* resource "gitops_helm_release": a Helm 3 release rendered by the provider and
 * stored the way Helm stores it (Secret sh.helm.release.v1.NAME.vREV), so the
 * real helm lists, inspects, rolls back and uninstalls it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/kube/kube.h"
#include "engine/manifest/manifest.h"
#include "resources/hr_internal.h"

#define TYPE_NAME "gitops_helm_release"

static tf_type *meta_type(void) {
  const char *names[] = {"name",    "namespace",   "revision", "chart",
                         "version", "app_version", "notes",    "digest"};
  tf_type *types[8];
  for (int i = 0; i < 8; i++)
    types[i] = tf_type_primitive(i == 2 ? TF_NUMBER : TF_STRING);
  return tf_type_object(8, names, types);
}

static tf_block *schema(void) {
  tf_block *b = tf_block_new("A Helm 3 release: the chart is rendered by the provider, applied "
                             "with server-side apply and recorded as Helm records releases.");
  tf_type *str = NULL;
#define S tf_type_primitive(TF_STRING)
#define B tf_type_primitive(TF_BOOL)
#define N tf_type_primitive(TF_NUMBER)
  (void)str;
  tf_block_attr(b, "name", S, TF_REQUIRED, "Release name (a change replaces the release).");
  tf_block_attr(b, "namespace", S, TF_OPTIONAL | TF_COMPUTED,
                "Namespace of the release (default \"default\"; a change replaces it).");
  tf_block_attr(b, "repository", S, TF_OPTIONAL,
                "http(s) Helm repository URL, or a local chart path (directory or .tgz).");
  tf_block_attr(b, "repository_username", S, TF_OPTIONAL, "Basic auth user of the repository.");
  tf_block_attr(b, "repository_password", S, TF_OPTIONAL | TF_SENSITIVE,
                "Basic auth password of the repository.");
  tf_block_attr(b, "repository_ca_file", S, TF_OPTIONAL, "CA bundle for the repository.");
  tf_block_attr(b, "insecure", B, TF_OPTIONAL, "Skip TLS verification of the repository.");
  tf_block_attr(b, "chart", S, TF_REQUIRED, "Chart name in the repository, or a local path.");
  tf_block_attr(b, "version", S, TF_OPTIONAL | TF_COMPUTED,
                "Exact chart version or a semver range (default: the latest stable).");
  tf_block_attr(b, "values", tf_type_collection(TF_LIST, S), TF_OPTIONAL,
                "Values files' contents (YAML), merged in order.");
  tf_block_attr(b, "create_namespace", B, TF_OPTIONAL, "Create the namespace (default false).");
  tf_block_attr(b, "wait", B, TF_OPTIONAL, "Wait until every object is healthy (default true).");
  tf_block_attr(b, "timeout", N, TF_OPTIONAL, "Seconds to wait (hooks, health), default 300.");
  tf_block_attr(b, "atomic", B, TF_OPTIONAL,
                "Roll back a failed upgrade, uninstall a failed install (default false).");
  tf_block_attr(b, "skip_crds", B, TF_OPTIONAL, "Do not install the chart's crds/.");
  tf_block_attr(b, "max_history", N, TF_OPTIONAL, "Revisions kept (default 10, 0 = no limit).");
  tf_block_attr(b, "description", S, TF_OPTIONAL, "Release description.");
  tf_block_attr(b, "reuse_values", B, TF_OPTIONAL, "Accepted (the configuration is complete).");
  tf_block_attr(b, "reset_values", B, TF_OPTIONAL, "Accepted (the configuration is complete).");
  tf_block_attr(b, "cleanup_on_fail", B, TF_OPTIONAL,
                "Delete objects created by a failed upgrade.");
  tf_block_attr(b, "disable_webhooks", B, TF_OPTIONAL, "Do not run hooks.");
  tf_block_attr(b, "dependency_update", B, TF_OPTIONAL,
                "Accepted: dependencies must be vendored in charts/.");
  tf_block_attr(b, "crd_policy", S, TF_OPTIONAL,
                "CRDs of crds/: \"create\" (default, only missing ones), \"skip\", "
                "\"create_replace\" (apply every time).");
  tf_block_attr(b, "id", S, TF_COMPUTED, "\"namespace/name\".");
  tf_block_attr(b, "status", S, TF_COMPUTED, "Release status (deployed, failed, …).");
  tf_block_attr(b, "objects", tf_type_collection(TF_MAP, S), TF_COMPUTED,
                "\"group/Kind/namespace/name\" => the object as YAML (Secret values redacted).");
  tf_block_attr(b, "metadata", meta_type(), TF_COMPUTED,
                "name, namespace, revision, chart, version (resolved), app_version, notes, "
                "digest (sha256 of the manifest).");
  tf_block *set = tf_block_new("A --set value.");
  tf_block_attr(set, "name", S, TF_REQUIRED, "Dotted path.");
  tf_block_attr(set, "value", S, TF_OPTIONAL, "Value.");
  tf_block_attr(set, "type", S, TF_OPTIONAL, "\"auto\" (default) or \"string\".");
  tf_block_nested(b, "set", TF_NEST_LIST, 0, 0, set);
  tf_block *ss = tf_block_new("A --set value kept out of plan output.");
  tf_block_attr(ss, "name", S, TF_REQUIRED, "Dotted path.");
  tf_block_attr(ss, "value", S, TF_REQUIRED | TF_SENSITIVE, "Value.");
  tf_block_attr(ss, "type", S, TF_OPTIONAL, "\"auto\" (default) or \"string\".");
  tf_block_nested(b, "set_sensitive", TF_NEST_LIST, 0, 0, ss);
  tf_block *sl = tf_block_new("A list value.");
  tf_block_attr(sl, "name", S, TF_REQUIRED, "Dotted path.");
  tf_block_attr(sl, "value", tf_type_collection(TF_LIST, S), TF_OPTIONAL, "Items.");
  tf_block_nested(b, "set_list", TF_NEST_LIST, 0, 0, sl);
#undef S
#undef B
#undef N
  return b;
}

static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (!n || n > 53) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-' && c != '.') return 0;
    if ((i == 0 || i == n - 1) && !alnum) return 0;
  }
  return 1;
}

static int validate(const res_ctx *ctx, const tf_value *cfg, tf_diags *d) {
  (void)ctx;
  int rc = 0;
  const char *name = res_get_string(cfg, "name");
  const char *repo = res_get_string(cfg, "repository");
  const char *pol = res_get_string(cfg, "crd_policy");
  if (name && !valid_name(name))
    rc = hr_attr_error(d, "name", "Invalid release name",
                       "release name \"%s\": must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
                       "([-a-z0-9]*[a-z0-9])?)*$ and be at most 53 characters long",
                       name);
  if (repo && (strncmp(repo, "oci://", 6) == 0 || strncmp(repo, "git+", 4) == 0))
    rc = hr_attr_error(d, "repository", "Repository type not supported yet",
                       "%s repositories are not supported yet: use an http(s) Helm repository "
                       "or a local chart path.",
                       strncmp(repo, "oci://", 6) == 0 ? "oci://" : "git+");
  if (pol && strcmp(pol, "create") && strcmp(pol, "skip") && strcmp(pol, "create_replace"))
    rc = hr_attr_error(d, "crd_policy", "Invalid crd_policy",
                       "crd_policy must be \"create\", \"skip\" or \"create_replace\", not \"%s\".",
                       pol);
  int64_t t;
  if (res_get_int(cfg, "timeout", &t) == 0 && t <= 0)
    rc = hr_attr_error(d, "timeout", "Invalid timeout", "timeout must be positive.");
  return rc;
}

static const tf_type *rtype(void) {
  return res_find_resource(TYPE_NAME)->type;
}

static const char *meta_str(const tf_value *st, const char *k) {
  return res_get_string(res_get_block(st, "metadata"), k);
}

static int64_t meta_rev(const tf_value *st) {
  int64_t r = 0;
  if (res_get_int(res_get_block(st, "metadata"), "revision", &r) != 0) r = 0;
  return r;
}

static tf_value *meta_value(const char *name, const char *ns, int64_t rev, const char *chart,
                            const char *version, const char *app_version, const char *notes,
                            const char *digest) {
  tf_type *t = meta_type();
  tf_value *m = tf_value_object_empty(t);
  tf_type_unref(t);
  tf_value_set_attr(m, "name", tf_value_string(name));
  tf_value_set_attr(m, "namespace", tf_value_string(ns));
  tf_value_set_attr(m, "revision", tf_value_number_i64(rev));
  tf_value_set_attr(m, "chart", tf_value_string(chart ? chart : ""));
  tf_value_set_attr(m, "version", tf_value_string(version ? version : ""));
  tf_value_set_attr(m, "app_version", tf_value_string(app_version ? app_version : ""));
  tf_value_set_attr(m, "notes", tf_value_string(notes ? notes : ""));
  tf_value_set_attr(m, "digest", tf_value_string(digest ? digest : ""));
  return m;
}

static char *make_id(const char *ns, const char *name) {
  char *s = NULL;
  if (asprintf(&s, "%s/%s", ns, name) < 0) return NULL;
  return s;
}

/* Sensitive values of a state or configuration (set_sensitive[*].value). */
static size_t sensitive_of(const tf_value *v, const char ***out) {
  const tf_value *l = v && !tf_value_is_null(v) ? tf_value_get_attr(v, "set_sensitive") : NULL;
  size_t n = l && !tf_value_is_null(l) && tf_value_is_known(l) ? tf_value_len(l) : 0, m = 0;
  *out = calloc(n + 1, sizeof **out);
  for (size_t i = 0; i < n; i++) {
    const char *s = res_get_string(tf_value_at(l, i), "value");
    if (s && *s) (*out)[m++] = s;
  }
  return m;
}

/* Does the release itself change (new revision), beyond arguments like wait? */
static int release_changed(const tf_value *prior, const tf_value *planned, const hr_render *h) {
  const char *attrs[] = {"chart",         "version",  "values",     "set",
                         "set_sensitive", "set_list", "description"};
  for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
    if (!tf_value_equal(tf_value_get_attr(prior, attrs[i]), tf_value_get_attr(planned, attrs[i])))
      return 1;
  const char *st = res_get_string(prior, "status");
  if (!st || strcmp(st, "deployed") != 0) return 1;
  const char *dg = meta_str(prior, "digest"), *ver = meta_str(prior, "version");
  if (!dg || strcmp(dg, h->digest) != 0) return 1;
  if (!ver || strcmp(ver, h->version) != 0) return 1;
  return 0;
}

static int hr_plan(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d) {
  const tf_value *cfg = req->config, *prior = req->prior;
  int create = !prior || tf_value_is_null(prior);
  tf_value *p = tf_value_copy(req->proposed);
  const char *ns = res_get_string(cfg, "namespace");
  if (!ns && !res_is_unknown(cfg, "namespace"))
    tf_value_set_attr(p, "namespace", tf_value_string("default"));
  if (!create) {
    res_response_replace(resp, "name");
    res_response_replace(resp, "namespace");
  }
  const char *name = res_get_string(p, "name");
  ns = res_get_string(p, "namespace");
  tf_type *mt = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
  if (!tf_value_is_wholly_known(cfg)) {
    tf_type *st = tf_type_primitive(TF_STRING), *mtt = meta_type();
    char *id = name && ns ? make_id(ns, name) : NULL;
    tf_value_set_attr(p, "id", id ? tf_value_string(id) : tf_value_unknown(st));
    free(id);
    tf_value_set_attr(p, "status", tf_value_unknown(st));
    tf_value_set_attr(p, "objects", tf_value_unknown(mt));
    tf_value_set_attr(p, "metadata", tf_value_unknown(mtt));
    if (!res_get_string(cfg, "version")) tf_value_set_attr(p, "version", tf_value_unknown(st));
    tf_type_unref(st);
    tf_type_unref(mtt);
    resp->state = p;
    tf_type_unref(mt);
    return 0;
  }
  hr_render h;
  int rc = hr_render_config(ctx, cfg, !create, &h, d);
  if (rc != 0) {
    hr_render_free(&h);
    tf_value_free(p);
    tf_type_unref(mt);
    return -1;
  }
  tf_value *objects =
      hr_objects_map(h.r.manifest, name, ns, (const char *const *)h.sensitive, h.n_sensitive, d);
  if (!objects) {
    hr_render_free(&h);
    tf_value_free(p);
    tf_type_unref(mt);
    return -1;
  }
  if (!res_get_string(cfg, "version")) tf_value_set_attr(p, "version", tf_value_string(h.version));
  int64_t rev = 1;
  if (!create) rev = meta_rev(prior) + (release_changed(prior, p, &h) ? 1 : 0);
  char *notes =
      hr_redact_text(h.r.notes ? h.r.notes : "", (const char *const *)h.sensitive, h.n_sensitive);
  char *id = make_id(ns, name);
  tf_value_set_attr(p, "id", tf_value_string(id));
  tf_value_set_attr(p, "status", tf_value_string("deployed"));
  tf_value_set_attr(p, "objects", objects);
  tf_value_set_attr(
      p, "metadata",
      meta_value(name, ns, rev, h.chart->name, h.version, h.app_version, notes, h.digest));
  free(id);
  free(notes);
  hr_render_free(&h);
  tf_type_unref(mt);
  if (!create && tf_value_equal(p, prior)) {
    tf_value_free(p);
    p = tf_value_copy(prior);
  }
  resp->state = p;
  return 0;
}

/* ---------- cluster side ---------- */

typedef struct {
  kube_client *c;
  const atomic_int *cancel;
  const char *name, *ns;
  int timeout_ms;
} hr_op;

static int kerr(tf_diags *d, const char *summary, const kube_error *e) {
  return tf_diags_add(d, TF_ERROR, NULL, summary, "%s", e->message);
}

/* Namespaced or not, as the cluster says; objects of unknown kinds stay as they are. */
static void fix_scope(hr_op *op, cJSON **objs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const cJSON *api = cJSON_GetObjectItemCaseSensitive(objs[i], "apiVersion");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(objs[i], "kind");
    kube_mapping m;
    kube_error e = {0};
    if (!cJSON_IsString(api) || !cJSON_IsString(kind) ||
        kube_map_kind(op->c, api->valuestring, kind->valuestring, op->cancel, &m, &e) != 0)
      continue;
    cJSON *md = cJSON_GetObjectItemCaseSensitive(objs[i], "metadata");
    if (!m.namespaced) {
      cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
    } else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(md, "namespace"))) {
      cJSON_AddStringToObject(md, "namespace", op->ns);
    }
  }
}

static int apply_objs(hr_op *op, cJSON **objs, size_t n, kube_error *e) {
  if (!n) return 0;
  fix_scope(op, objs, n);
  kube_apply_options o = {
      .field_manager = "gitops", .force = 1, .default_namespace = op->ns, .cancel = op->cancel};
  kube_apply_report rep = {0};
  int rc = kube_apply(op->c, (const cJSON *const *)objs, n, &o, &rep, e);
  kube_apply_report_clear(&rep);
  return rc;
}

static int write_release(hr_op *op, const cJSON *rel, kube_error *e) {
  cJSON *s = hr_release_secret(rel, (long)time(NULL));
  if (!s) return snprintf(e->message, sizeof e->message, "out of memory"), -1;
  int rc = apply_objs(op, &s, 1, e);
  cJSON_Delete(s);
  return rc;
}

/* Release Secrets of the release, decoded, sorted by version (ascending). */
typedef struct {
  cJSON **rels;
  size_t n;
} hr_history;

static void history_free(hr_history *h) {
  for (size_t i = 0; i < h->n; i++)
    cJSON_Delete(h->rels[i]);
  free(h->rels);
  memset(h, 0, sizeof *h);
}

static int cmp_rel(const void *a, const void *b) {
  long x = hr_release_version(*(cJSON *const *)a), y = hr_release_version(*(cJSON *const *)b);
  return x < y ? -1 : x > y;
}

static int load_history(hr_op *op, hr_history *out, kube_error *e) {
  memset(out, 0, sizeof *out);
  char sel[512];
  snprintf(sel, sizeof sel, "owner=helm,name=%s", op->name);
  cJSON *items = NULL;
  int rc = kube_list(op->c, "v1", "Secret", op->ns, sel, op->cancel, &items, e);
  if (rc != 0) return rc;
  size_t n = (size_t)cJSON_GetArraySize(items);
  out->rels = calloc(n + 1, sizeof *out->rels);
  const cJSON *it;
  cJSON_ArrayForEach(it, items) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "helm.sh/release.v1") != 0) continue;
    cJSON *rel = NULL;
    char err[256];
    if (hr_release_from_secret(it, &rel, err, sizeof err) == 0) out->rels[out->n++] = rel;
  }
  cJSON_Delete(items);
  qsort(out->rels, out->n, sizeof *out->rels, cmp_rel);
  return 0;
}

static cJSON *last_deployed(const hr_history *h) {
  for (size_t i = h->n; i-- > 0;) {
    const char *st = hr_release_str(h->rels[i], "info.status");
    if (st && strcmp(st, "deployed") == 0) return h->rels[i];
  }
  return NULL;
}

static int delete_secret(hr_op *op, long rev) {
  char sname[512];
  hr_secret_name(op->name, rev, sname, sizeof sname);
  kube_error e = {0};
  int rc = kube_delete(op->c, "v1", "Secret", op->ns, sname, NULL, 0, op->cancel, &e);
  return rc == KUBE_ENOTFOUND ? 0 : rc;
}

static int has_str(const cJSON *arr, const char *s) {
  const cJSON *x;
  cJSON_ArrayForEach(x, arr) if (cJSON_IsString(x) && strcmp(x->valuestring, s) == 0) return 1;
  return 0;
}

static int cmp_weight(const void *a, const void *b) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(*(cJSON *const *)a, "weight");
  const cJSON *y = cJSON_GetObjectItemCaseSensitive(*(cJSON *const *)b, "weight");
  double wx = cJSON_IsNumber(x) ? x->valuedouble : 0, wy = cJSON_IsNumber(y) ? y->valuedouble : 0;
  return wx < wy ? -1 : wx > wy;
}

static void delete_obj(hr_op *op, const cJSON *o, int wait) {
  const cJSON *api = cJSON_GetObjectItemCaseSensitive(o, "apiVersion");
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
  const cJSON *nm = cJSON_GetObjectItemCaseSensitive(md, "name");
  const cJSON *ns = cJSON_GetObjectItemCaseSensitive(md, "namespace");
  if (!cJSON_IsString(api) || !cJSON_IsString(kind) || !cJSON_IsString(nm)) return;
  kube_error e = {0};
  const char *n = cJSON_IsString(ns) ? ns->valuestring : NULL;
  if (kube_delete(op->c, api->valuestring, kind->valuestring, n, nm->valuestring, "Background", 0,
                  op->cancel, &e) != 0 ||
      !wait)
    return;
  for (int i = 0; i < 300; i++) { /* up to 30 s until it is gone */
    cJSON *live = NULL;
    if (kube_get(op->c, api->valuestring, kind->valuestring, n, nm->valuestring, op->cancel, &live,
                 &e) == KUBE_ENOTFOUND)
      return;
    cJSON_Delete(live);
    usleep(100000);
  }
}

/* Runs the hooks of one event in weight order, as Helm's execHook does. */
static int run_hooks(hr_op *op, cJSON *rel, const char *event, tf_diags *d) {
  cJSON *hooks = cJSON_GetObjectItemCaseSensitive(rel, "hooks");
  size_t n = 0, total = (size_t)cJSON_GetArraySize(hooks);
  cJSON **sel = calloc(total + 1, sizeof *sel);
  cJSON *h;
  cJSON_ArrayForEach(h, hooks) if (has_str(cJSON_GetObjectItemCaseSensitive(h, "events"), event))
      sel[n++] = h;
  qsort(sel, n, sizeof *sel, cmp_weight);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    const cJSON *man = cJSON_GetObjectItemCaseSensitive(sel[i], "manifest");
    const cJSON *dp = cJSON_GetObjectItemCaseSensitive(sel[i], "delete_policies");
    int before = cJSON_GetArraySize(dp) == 0 || has_str(dp, "before-hook-creation");
    cJSON **objs = NULL;
    size_t no = 0;
    char err[1024];
    if (hr_manifest_objects(cJSON_IsString(man) ? man->valuestring : "", op->name, op->ns, &objs,
                            &no, err, sizeof err) != 0) {
      free(sel);
      return tf_diags_add(d, TF_ERROR, NULL, "Hook failed", "%s hook: %s", event, err);
    }
    fix_scope(op, objs, no);
    if (before)
      for (size_t k = 0; k < no; k++)
        delete_obj(op, objs[k], 1);
    kube_error e = {0};
    char started[64], done[64];
    hr_time_now(started, sizeof started);
    rc = apply_objs(op, objs, no, &e);
    if (rc == 0) {
      for (size_t k = 0; rc == 0 && k < no; k++) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(objs[k], "kind");
        if (cJSON_IsString(kind) &&
            (strcmp(kind->valuestring, "Job") == 0 || strcmp(kind->valuestring, "Pod") == 0))
          rc = kube_wait(op->c, (const cJSON *const *)&objs[k], 1, op->timeout_ms, op->cancel, NULL,
                         &e);
      }
    }
    hr_time_now(done, sizeof done);
    cJSON *lr = cJSON_CreateObject();
    cJSON_AddStringToObject(lr, "started_at", started);
    cJSON_AddStringToObject(lr, "completed_at", done);
    cJSON_AddStringToObject(lr, "phase", rc == 0 ? "Succeeded" : "Failed");
    cJSON_ReplaceItemInObjectCaseSensitive(sel[i], "last_run", lr);
    const char *pol = rc == 0 ? "hook-succeeded" : "hook-failed";
    if (has_str(dp, pol))
      for (size_t k = 0; k < no; k++)
        delete_obj(op, objs[k], 0);
    if (rc != 0) {
      const cJSON *hn = cJSON_GetObjectItemCaseSensitive(sel[i], "name");
      tf_diags_add(d, TF_ERROR, NULL, "Hook failed", "%s hook %s: %s", event,
                   cJSON_IsString(hn) ? hn->valuestring : "?", e.message);
    }
    hr_objects_free(objs, no);
  }
  free(sel);
  return rc == 0 ? 0 : -1;
}

/* CRDs of crds/ per crd_policy. */
static int apply_crds(hr_op *op, const tf_value *cfg, const helm_chart *c, tf_diags *d) {
  const char *pol = res_get_string(cfg, "crd_policy");
  if (res_get_bool(cfg, "skip_crds") == 1 || (pol && strcmp(pol, "skip") == 0)) return 0;
  int replace = pol && strcmp(pol, "create_replace") == 0;
  for (size_t i = 0; i < c->n_files; i++) {
    const char *fn = c->files[i].name;
    size_t l = strlen(fn);
    if (strncmp(fn, "crds/", 5) != 0 ||
        !(l > 5 && (strcmp(fn + l - 5, ".yaml") == 0 || strcmp(fn + l - 4, ".yml") == 0 ||
                    strcmp(fn + l - 5, ".json") == 0)))
      continue;
    mf_docs docs = {0};
    mf_error me = {0};
    if (mf_parse((const char *)c->files[i].data, c->files[i].size, fn, &docs, &me) != 0) {
      char buf[1024];
      return tf_diags_add(d, TF_ERROR, NULL, "Invalid CRD", "%s",
                          mf_error_format(&me, buf, sizeof buf));
    }
    for (size_t k = 0; k < docs.count; k++) {
      cJSON *o = docs.items[k].obj;
      kube_error e = {0};
      if (!replace) {
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(md, "name");
        const cJSON *api = cJSON_GetObjectItemCaseSensitive(o, "apiVersion");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
        cJSON *live = NULL;
        if (cJSON_IsString(nm) && cJSON_IsString(api) && cJSON_IsString(kind) &&
            kube_get(op->c, api->valuestring, kind->valuestring, NULL, nm->valuestring, op->cancel,
                     &live, &e) == 0) {
          cJSON_Delete(live);
          continue;
        }
      }
      if (apply_objs(op, &o, 1, &e) != 0) {
        mf_docs_free(&docs);
        return kerr(d, "CRD installation failed", &e);
      }
    }
    mf_docs_free(&docs);
  }
  return 0;
}

static char **keys_of(cJSON **objs, size_t n) {
  char **k = calloc(n + 1, sizeof *k);
  for (size_t i = 0; k && i < n; i++)
    k[i] = kube_object_key(objs[i]);
  return k;
}

static void keys_free(char **k, size_t n) {
  for (size_t i = 0; k && i < n; i++)
    free(k[i]);
  free(k);
}

/* Deletes the objects of `old_manifest` that are not in `keep` (NULL: all). */
static int prune_manifest(hr_op *op, const char *old_manifest, cJSON **keep, size_t n_keep,
                          kube_error *e) {
  cJSON **old = NULL;
  size_t n_old = 0;
  char err[1024];
  if (!old_manifest ||
      hr_manifest_objects(old_manifest, op->name, op->ns, &old, &n_old, err, sizeof err) != 0)
    return 0;
  fix_scope(op, old, n_old);
  char **ko = keys_of(old, n_old), **kk = keys_of(keep, n_keep);
  size_t m = 0;
  for (size_t i = 0; i < n_old; i++)
    if (ko[i]) ko[m++] = ko[i];
  size_t mk = 0;
  for (size_t i = 0; i < n_keep; i++)
    if (kk[i]) kk[mk++] = kk[i];
  kube_prune_options po = {.cancel = op->cancel, .continue_on_error = 1};
  kube_prune_report rep = {0};
  int rc =
      m ? kube_prune(op->c, (const char *const *)ko, m, (const char *const *)kk, mk, &po, &rep, e)
        : 0;
  kube_prune_report_clear(&rep);
  keys_free(ko, m);
  keys_free(kk, mk);
  hr_objects_free(old, n_old);
  return rc;
}

static void trim_history(hr_op *op, long keep) {
  if (keep <= 0) return;
  hr_history hist;
  kube_error e = {0};
  if (load_history(op, &hist, &e) != 0) return;
  if (hist.n > (size_t)keep) {
    size_t extra = hist.n - (size_t)keep;
    for (size_t i = 0; i < hist.n && extra; i++) {
      const char *st = hr_release_str(hist.rels[i], "info.status");
      if (st && strcmp(st, "deployed") == 0) continue;
      delete_secret(op, hr_release_version(hist.rels[i]));
      extra--;
    }
  }
  history_free(&hist);
}

static int op_begin(const res_ctx *ctx, const tf_value *st, hr_op *op, tf_diags *d) {
  memset(op, 0, sizeof *op);
  op->name = res_get_string(st, "name");
  op->ns = res_get_string(st, "namespace");
  if (!op->ns || !*op->ns) op->ns = "default";
  op->cancel = ctx->stop;
  int64_t t = 300;
  res_get_int(st, "timeout", &t);
  op->timeout_ms = (int)(t > 0 && t < 86400 ? t * 1000 : 300000);
  return res_kube_client(ctx, NULL, &op->c, d);
}

/* Apply the release's manifest; wait; returns 0 or -1 with diagnostics. */
static int deploy(hr_op *op, const tf_value *cfg, const char *manifest, const char *prev_manifest,
                  int wait, tf_diags *d) {
  cJSON **objs = NULL;
  size_t n = 0;
  char err[1024];
  kube_error e = {0};
  if (hr_manifest_objects(manifest, op->name, op->ns, &objs, &n, err, sizeof err) != 0)
    return tf_diags_add(d, TF_ERROR, NULL, "Invalid manifest", "%s", err);
  int rc = apply_objs(op, objs, n, &e);
  if (rc != 0) {
    kerr(d, "Helm release apply failed", &e);
  } else if (prune_manifest(op, prev_manifest, objs, n, &e) != 0) {
    rc = kerr(d, "Pruning objects of the previous revision failed", &e);
  } else if (wait && n) {
    rc = kube_wait(op->c, (const cJSON *const *)objs, n, op->timeout_ms, op->cancel, NULL, &e);
    if (rc != 0) kerr(d, "Helm release is not healthy", &e);
  }
  (void)cfg;
  hr_objects_free(objs, n);
  return rc == 0 ? 0 : -1;
}

static void set_state_status(tf_value *st, const char *status) {
  tf_value_set_attr(st, "status", tf_value_string(status));
}

/* The state of what a release record says (for failures and rollbacks). */
static void state_from_release(tf_value *st, const cJSON *rel, const char *const *sens,
                               size_t n_sens) {
  const char *man = hr_release_str(rel, "manifest");
  char dg[65];
  hr_sha256_hex(man ? man : "", man ? strlen(man) : 0, dg);
  const char *name = hr_release_str(rel, "name"), *ns = hr_release_str(rel, "namespace");
  char *notes = hr_redact_text(hr_release_str(rel, "info.notes"), sens, n_sens);
  tf_value_set_attr(st, "status",
                    tf_value_string(hr_release_str(rel, "info.status")
                                        ? hr_release_str(rel, "info.status")
                                        : "unknown"));
  tf_value_set_attr(st, "metadata",
                    meta_value(name ? name : "", ns ? ns : "", hr_release_version(rel),
                               hr_release_str(rel, "chart.metadata.name"),
                               hr_release_str(rel, "chart.metadata.version"),
                               hr_release_str(rel, "chart.metadata.appVersion"), notes, dg));
  free(notes);
  tf_diags tmp;
  tf_diags_init(&tmp);
  tf_value *objs = hr_objects_map(man, name ? name : "", ns ? ns : "", sens, n_sens, &tmp);
  if (objs) tf_value_set_attr(st, "objects", objs);
  tf_diags_free(&tmp);
}

static int destroy(const res_ctx *ctx, const tf_value *prior, tf_diags *d);

static int install_or_upgrade(const res_ctx *ctx, const res_request *req, res_response *resp,
                              tf_diags *d) {
  const tf_value *cfg = req->config, *planned = req->planned, *prior = req->prior;
  int create = !prior || tf_value_is_null(prior);
  hr_op op;
  if (op_begin(ctx, planned, &op, d) != 0) return -1;
  hr_render h;
  if (hr_render_config(ctx, cfg, !create, &h, d) != 0) {
    hr_render_free(&h);
    return -1;
  }
  const char *pdg = meta_str(planned, "digest");
  if (pdg && strcmp(pdg, h.digest) != 0) {
    hr_render_free(&h);
    return tf_diags_add(
        d, TF_ERROR, NULL, "Chart changed since the plan",
        "The chart or its values render differently than when planned; plan again.");
  }
  kube_error e = {0};
  if (res_get_bool(cfg, "create_namespace") == 1) {
    cJSON *nso = cJSON_CreateObject();
    cJSON_AddStringToObject(nso, "apiVersion", "v1");
    cJSON_AddStringToObject(nso, "kind", "Namespace");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(nso, "metadata"), "name", op.ns);
    int rc = apply_objs(&op, &nso, 1, &e);
    cJSON_Delete(nso);
    if (rc != 0) {
      hr_render_free(&h);
      return kerr(d, "Namespace creation failed", &e);
    }
  }
  hr_history hist;
  if (load_history(&op, &hist, &e) != 0) {
    hr_render_free(&h);
    return kerr(d, "Reading the release history failed", &e);
  }
  cJSON *prev = last_deployed(&hist);
  if (create && prev) {
    history_free(&hist);
    hr_render_free(&h);
    return hr_attr_error(d, "name", "Release exists",
                         "cannot re-use a name that is still in use: release %s exists in "
                         "namespace %s (import it with terraform import)",
                         op.name, op.ns);
  }
  int64_t rev = meta_rev(planned);
  if (hist.n && hr_release_version(hist.rels[hist.n - 1]) >= rev)
    rev = hr_release_version(hist.rels[hist.n - 1]) + 1;
  int upgrade = prev != NULL;
  char now[64];
  hr_time_now(now, sizeof now);
  const char *first = prev ? hr_release_str(prev, "info.first_deployed") : now;
  const char *desc = res_get_string(cfg, "description");
  cJSON *rel =
      hr_release_build(op.name, op.ns, rev, upgrade ? "pending-upgrade" : "pending-install",
                       desc      ? desc
                       : upgrade ? "Preparing upgrade"
                                 : "Initial install underway",
                       first ? first : now, now, h.chart, h.config, &h.r);
  const char *prev_manifest = prev ? hr_release_str(prev, "manifest") : NULL;
  int disable_hooks = res_get_bool(cfg, "disable_webhooks") == 1;
  int wait = res_get_bool(cfg, "wait") != 0;
  tf_diags fail;
  tf_diags_init(&fail);
  int rc = write_release(&op, rel, &e);
  if (rc != 0) kerr(&fail, "Recording the release failed", &e);
  if (rc == 0 && !disable_hooks)
    rc = run_hooks(&op, rel, upgrade ? "pre-upgrade" : "pre-install", &fail);
  if (rc == 0) rc = apply_crds(&op, cfg, h.chart, &fail);
  if (rc == 0) rc = deploy(&op, cfg, h.r.manifest, prev_manifest, wait, &fail);
  if (rc == 0 && !disable_hooks)
    rc = run_hooks(&op, rel, upgrade ? "post-upgrade" : "post-install", &fail);
  tf_value *st = tf_value_copy(planned);
  tf_value_set_attr(st, "metadata", tf_value_copy(tf_value_get_attr(planned, "metadata")));
  if (rc == 0) {
    hr_release_set_status(rel, "deployed",
                          desc      ? desc
                          : upgrade ? "Upgrade complete"
                                    : "Install complete");
    if (write_release(&op, rel, &e) != 0) rc = kerr(&fail, "Recording the release failed", &e);
    if (prev) {
      hr_release_set_status(prev, "superseded", "Superseded by upgrade");
      write_release(&op, prev, &e);
    }
    int64_t mh = 10;
    res_get_int(cfg, "max_history", &mh);
    trim_history(&op, (long)mh);
    if (rev != meta_rev(planned))
      state_from_release(st, rel, (const char *const *)h.sensitive, h.n_sensitive);
  } else {
    char msg[2048];
    snprintf(msg, sizeof msg, "%s %s failed: %s", upgrade ? "Upgrade" : "Release", op.name,
             fail.len && fail.items[0].detail ? fail.items[0].detail : "error");
    hr_release_set_status(rel, "failed", msg);
    write_release(&op, rel, &e);
    set_state_status(st, "failed");
    if (rev != meta_rev(planned))
      state_from_release(st, rel, (const char *const *)h.sensitive, h.n_sensitive);
    if (res_get_bool(cfg, "atomic") == 1) {
      if (upgrade) {
        /* Roll back: the previous revision's manifest again, as a new revision. */
        tf_diags rb;
        tf_diags_init(&rb);
        int rrc = deploy(&op, cfg, prev_manifest, h.r.manifest, wait, &rb);
        cJSON *back = cJSON_Duplicate(prev, 1);
        cJSON_ReplaceItemInObjectCaseSensitive(back, "version",
                                               cJSON_CreateNumber((double)rev + 1));
        char rmsg[64];
        snprintf(rmsg, sizeof rmsg, "Rollback to %ld", hr_release_version(prev));
        cJSON *info = cJSON_GetObjectItemCaseSensitive(back, "info");
        cJSON_ReplaceItemInObjectCaseSensitive(info, "last_deployed", cJSON_CreateString(now));
        hr_release_set_status(back, rrc == 0 ? "deployed" : "failed", rmsg);
        write_release(&op, back, &e);
        hr_release_set_status(prev, "superseded", NULL);
        write_release(&op, prev, &e);
        const char **sens = NULL;
        size_t ns_ = sensitive_of(prior, &sens);
        state_from_release(st, back, sens, ns_);
        free(sens);
        tf_diags_add(&fail, rrc == 0 ? TF_WARNING : TF_ERROR, NULL,
                     rrc == 0 ? "Release rolled back" : "Rollback failed",
                     "atomic: release %s rolled back to revision %ld (as revision %ld)", op.name,
                     hr_release_version(prev), (long)rev + 1);
        tf_diags_move(&fail, &rb);
        cJSON_Delete(back);
      } else {
        /* Uninstall the failed install. */
        tf_diags un;
        tf_diags_init(&un);
        destroy(ctx, st, &un);
        tf_diags_free(&un);
        tf_value_free(st);
        st = NULL;
        tf_diags_add(&fail, TF_WARNING, NULL, "Release uninstalled",
                     "atomic: the failed install of %s was uninstalled", op.name);
      }
    }
  }
  tf_diags_move(d, &fail);
  cJSON_Delete(rel);
  history_free(&hist);
  hr_render_free(&h);
  resp->state = st ? st : tf_value_null(rtype());
  if (!st && create) { /* nothing exists: a null state would be kept as prior (none) */
  }
  return rc == 0 ? 0 : -1;
}

static int destroy(const res_ctx *ctx, const tf_value *prior, tf_diags *d) {
  hr_op op;
  if (op_begin(ctx, prior, &op, d) != 0) return -1;
  hr_history hist;
  kube_error e = {0};
  if (load_history(&op, &hist, &e) != 0) return kerr(d, "Reading the release history failed", &e);
  cJSON *last = hist.n ? hist.rels[hist.n - 1] : NULL;
  int rc = 0;
  if (last) {
    int hooks = res_get_bool(prior, "disable_webhooks") != 1;
    if (hooks) rc = run_hooks(&op, last, "pre-delete", d);
    if (rc == 0 && prune_manifest(&op, hr_release_str(last, "manifest"), NULL, 0, &e) != 0)
      rc = kerr(d, "Uninstall failed", &e);
    if (rc == 0 && hooks) rc = run_hooks(&op, last, "post-delete", d);
    if (rc == 0)
      for (size_t i = 0; i < hist.n; i++)
        delete_secret(&op, hr_release_version(hist.rels[i]));
  }
  history_free(&hist);
  return rc;
}

static int hr_apply(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d) {
  if (!req->planned || tf_value_is_null(req->planned)) {
    int rc = destroy(ctx, req->prior, d);
    resp->state = rc == 0 ? tf_value_null(rtype()) : tf_value_copy(req->prior);
    return rc;
  }
  int create = !req->prior || tf_value_is_null(req->prior);
  if (!create && meta_rev(req->planned) == meta_rev(req->prior)) {
    resp->state = tf_value_copy(req->planned); /* only arguments like wait or timeout */
    return 0;
  }
  return install_or_upgrade(ctx, req, resp, d);
}

static int hr_read(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d) {
  hr_op op;
  if (op_begin(ctx, req->prior, &op, d) != 0) return -1;
  hr_history hist;
  kube_error e = {0};
  if (load_history(&op, &hist, &e) != 0) return kerr(d, "Reading the release failed", &e);
  if (!hist.n) {
    resp->state = tf_value_null(rtype());
    return 0;
  }
  const cJSON *rel = hist.rels[hist.n - 1];
  tf_value *st = tf_value_copy(req->prior);
  const char *man = hr_release_str(rel, "manifest");
  char dg[65];
  hr_sha256_hex(man ? man : "", man ? strlen(man) : 0, dg);
  const char *pdg = meta_str(req->prior, "digest");
  int64_t prev = meta_rev(req->prior);
  const char *pst = res_get_string(req->prior, "status");
  const char *rst = hr_release_str(rel, "info.status");
  if (!pdg || strcmp(pdg, dg) != 0 || prev != hr_release_version(rel) || !pst || !rst ||
      strcmp(pst, rst) != 0) {
    const char **sens = NULL;
    size_t n = sensitive_of(req->prior, &sens);
    state_from_release(st, rel, sens, n);
    free(sens);
  }
  char *id = make_id(op.ns, op.name);
  tf_value_set_attr(st, "id", tf_value_string(id));
  free(id);
  history_free(&hist);
  resp->state = st;
  return 0;
}

static int hr_import(const res_ctx *ctx, const char *id, res_response *resp, tf_diags *d) {
  const char *slash = id ? strchr(id, '/') : NULL;
  if (!slash || slash == id || !slash[1] || strchr(slash + 1, '/'))
    return tf_diags_add(d, TF_ERROR, NULL, "Invalid import ID",
                        "Expected \"namespace/name\", got \"%s\".", id ? id : "");
  char *ns = strndup(id, (size_t)(slash - id));
  const char *name = slash + 1;
  tf_value *st = tf_value_object_empty(rtype());
  tf_value_set_attr(st, "name", tf_value_string(name));
  tf_value_set_attr(st, "namespace", tf_value_string(ns));
  free(ns);
  hr_op op;
  if (op_begin(ctx, st, &op, d) != 0) {
    tf_value_free(st);
    return -1;
  }
  hr_history hist;
  kube_error e = {0};
  if (load_history(&op, &hist, &e) != 0 || !hist.n) {
    history_free(&hist);
    tf_value_free(st);
    if (e.code) return kerr(d, "Reading the release failed", &e);
    return tf_diags_add(d, TF_ERROR, NULL, "Release not found",
                        "No Helm release %s in namespace %s.", op.name, op.ns);
  }
  const cJSON *rel = hist.rels[hist.n - 1];
  const tf_block *b = res_find_resource(TYPE_NAME)->schema;
  for (size_t i = 0; i < b->n_blocks; i++) {
    tf_type *lt = tf_type_collection(TF_LIST, tf_block_implied_type(b->blocks[i].block));
    tf_value_set_attr(st, b->blocks[i].name, tf_value_collection(lt, 0, NULL, NULL));
    tf_type_unref(lt);
  }
  tf_value_set_attr(st, "chart",
                    tf_value_string(hr_release_str(rel, "chart.metadata.name")
                                        ? hr_release_str(rel, "chart.metadata.name")
                                        : ""));
  const char *ver = hr_release_str(rel, "chart.metadata.version");
  tf_value_set_attr(st, "version", tf_value_string(ver ? ver : ""));
  const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(rel, "config");
  if (cJSON_IsObject(cfg) && cfg->child) {
    char *y = mf_to_yaml(cfg);
    tf_type *lt = tf_type_collection(TF_LIST, tf_type_primitive(TF_STRING));
    tf_value *one = tf_value_string(y ? y : "");
    tf_value_set_attr(st, "values", tf_value_collection(lt, 1, NULL, &one));
    tf_type_unref(lt);
    free(y);
  }
  state_from_release(st, rel, NULL, 0);
  char *idv = make_id(op.ns, op.name);
  tf_value_set_attr(st, "id", tf_value_string(idv));
  free(idv);
  history_free(&hist);
  resp->state = st;
  return 0;
}

const res_resource_def res_rs_helm_release = {
    .type_name = TYPE_NAME,
    .schema_version = 0,
    .build_schema = schema,
    .validate = validate,
    .plan = hr_plan,
    .apply = hr_apply,
    .read = hr_read,
    .import = hr_import,
};

/* resource "gitops_application" (engine = "embedded"): manifests from Git,
 * rendered at a resolved commit, applied with server-side apply, pruned,
 * health-checked and compared with the live cluster on refresh. */
#include <cjson/cJSON.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm.h"
#include "engine/kube/kube.h"
#include "engine/manifest/manifest.h"
#include "resources/app_internal.h"
#include "resources/res.h"

/* ---------- helm sources ---------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* Writes the tree into a private temporary directory (the chart loader reads
 * directories). Returns 0 and the directory in dir. */
static int write_tree(const gsync_tree *tree, char *dir, size_t cap) {
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, cap, "%s/gitops-app-chart.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) return -1;
  for (size_t i = 0; i < tree->count; i++) {
    const gsync_file *f = &tree->files[i];
    if (f->mode == GSYNC_MODE_SYMLINK || strstr(f->rel, "..")) continue;
    char full[4096];
    if ((size_t)snprintf(full, sizeof full, "%s/%s", dir, f->rel) >= sizeof full) return -1;
    for (char *sl = full + strlen(dir) + 1; (sl = strchr(sl, '/')); sl++) {
      *sl = 0;
      mkdir(full, 0700);
      *sl = '/';
    }
    FILE *fp = fopen(full, "wb");
    if (!fp) return -1;
    size_t w = f->size ? fwrite(f->data, 1, f->size, fp) : 0;
    if (fclose(fp) != 0 || w != f->size) return -1;
  }
  return 0;
}

static int helm_fail(tf_diags *d, const char *attr, const char *summary, helm_error *he) {
  app_error(d, attr, summary, "%s", he->message ? he->message : helm_strerror(he->code));
  helm_error_clear(he);
  return -1;
}

/* Renders the chart at the source path: value_files, then values, then
 * parameters (Argo CD's precedence), release name (default: the app name),
 * namespace destination.namespace; hooks are not applied. */
static int render_helm(const gsync_tree *tree, const tf_value *helm, const char *app_name,
                       const char *ns, mf_docs *docs, tf_diags *d) {
  char dir[4096];
  helm_error he = {0};
  helm_chart *chart = NULL;
  helm_value *vals = NULL;
  helm_release rel = {0};
  int rc = 0;
  if (write_tree(tree, dir, sizeof dir) != 0) {
    rc = app_error(d, "source.path", "Cannot prepare the chart",
                   "writing the chart to a temporary directory failed");
    goto out;
  }
  if (helm_chart_load(dir, NULL, &chart, &he) != 0) {
    rc = helm_fail(d, "source.path", "Cannot load the Helm chart", &he);
    goto out;
  }
  const tf_value *vf = tf_value_get_attr(helm, "value_files");
  size_t nvf = vf && !tf_value_is_null(vf) ? tf_value_len(vf) : 0;
  const tf_value *params = tf_value_get_attr(helm, "parameter");
  size_t np = params && !tf_value_is_null(params) ? tf_value_len(params) : 0;
  const char *values = res_get_string(helm, "values");
  char **files = calloc(nvf + 2, sizeof *files);
  char **sets = calloc(np + 1, sizeof *sets), **strs = calloc(np + 1, sizeof *strs);
  size_t nf = 0, ns_ = 0, nstr = 0;
  rc = files && sets && strs ? 0 : tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  for (size_t i = 0; rc == 0 && i < nvf; i++) {
    const char *f = tf_value_str(tf_value_at(vf, i));
    if (f[0] == '/' || strstr(f, "..")) {
      rc = app_error(d, "source.helm.value_files", "Invalid values file",
                     "%s: value files must be relative to the chart", f);
      break;
    }
    char buf[8192];
    snprintf(buf, sizeof buf, "%s/%s", dir, f);
    files[nf++] = strdup(buf);
  }
  if (rc == 0 && values && *values) {
    char buf[8192];
    snprintf(buf, sizeof buf, "%s/.gitops-values.yaml", dir);
    FILE *fp = fopen(buf, "wb");
    if (!fp || fwrite(values, 1, strlen(values), fp) != strlen(values)) {
      rc = app_error(d, "source.helm.values", "Cannot write the values", "%s", buf);
    }
    if (fp) fclose(fp);
    files[nf++] = strdup(buf);
  }
  for (size_t i = 0; rc == 0 && i < np; i++) {
    const tf_value *pm = tf_value_at(params, i);
    char *s = app_helm_set_arg(res_get_string(pm, "name"), res_get_string(pm, "value"));
    if (!s) continue;
    if (res_get_bool(pm, "force_string") == 1)
      strs[nstr++] = s;
    else
      sets[ns_++] = s;
  }
  if (rc == 0) {
    helm_values_options vo = {.value_files = (const char *const *)files,
                              .n_value_files = nf,
                              .values = (const char *const *)sets,
                              .n_values = ns_,
                              .string_values = (const char *const *)strs,
                              .n_string_values = nstr};
    if (helm_values_merge(&vo, &vals, &he) != 0)
      rc = helm_fail(d, values && *values ? "source.helm" : "source.helm.value_files",
                     "Invalid Helm values", &he);
  }
  for (size_t i = 0; files && i < nf; i++)
    free(files[i]);
  for (size_t i = 0; sets && i < ns_; i++)
    free(sets[i]);
  for (size_t i = 0; strs && i < nstr; i++)
    free(strs[i]);
  free(files);
  free(sets);
  free(strs);
  if (rc != 0) goto out;
  const char *rname = res_get_string(helm, "release_name");
  helm_render_options ro = {.release_name = rname && *rname ? rname : app_name,
                            .namespace_ = ns && *ns ? ns : "default",
                            .include_crds = 1};
  if (helm_render(chart, vals, &ro, &rel, &he) != 0) {
    rc = helm_fail(d, "source.path", "Helm template error", &he);
    goto out;
  }
  for (size_t i = 0; rc == 0 && i < rel.n_manifests; i++) {
    mf_docs one = {0};
    mf_error merr = {0};
    const char *c = rel.manifests[i].content;
    if (mf_parse(c, strlen(c), rel.manifests[i].name, &one, &merr) != 0) {
      char buf[1024];
      rc = app_error(d, "source.path", "Invalid manifest", "%s",
                     mf_error_format(&merr, buf, sizeof buf));
    }
    for (size_t j = 0; rc == 0 && j < one.count; j++) {
      if (mf_docs_append(docs, one.items[j].obj, one.items[j].line, one.items[j].file) != 0)
        rc = tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
      else
        one.items[j].obj = NULL;
    }
    mf_docs_free(&one);
  }
out:
  helm_release_free(&rel);
  helm_value_free(vals);
  helm_chart_free(chart);
  if (dir[0] && strstr(dir, "gitops-app-chart.")) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}

/* ---------- the desired set ---------- */

typedef struct {
  cJSON **objs;
  char **keys;
  size_t n;
} app_set;

static void set_free(app_set *s) {
  for (size_t i = 0; i < s->n; i++) {
    cJSON_Delete(s->objs[i]);
    free(s->keys[i]);
  }
  free(s->objs);
  free(s->keys);
  memset(s, 0, sizeof *s);
}

static int set_find(const app_set *s, const char *key) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->keys[i], key) == 0) return (int)i;
  return -1;
}

/* Moves the diagnostics of src under the "source" block into d. */
static void under_source(tf_diags *d, tf_diags *src) {
  for (size_t i = 0; i < src->len; i++) {
    tf_path p;
    tf_path_init(&p);
    if (src->items[i].path.len) tf_path_push_attr(&p, "source");
    for (size_t j = 0; j < src->items[i].path.len; j++)
      tf_path_push_attr(&p, src->items[i].path.steps[j].name);
    tf_diags_add(d, src->items[i].severity, &p, src->items[i].summary, "%s",
                 src->items[i].detail ? src->items[i].detail : "");
    tf_path_free(&p);
  }
  tf_diags_free(src);
}

/* Is obj namespaced? Asks the cluster when a client is given (and drops the
 * client on a network failure: the rest of the plan is offline). */
static int is_namespaced(const res_ctx *ctx, kube_client **client, cJSON *const *objs, size_t n,
                         const cJSON *obj) {
  const char *api = mf_obj_api_version(obj), *kind = mf_obj_kind(obj);
  if (*client) {
    kube_mapping m;
    kube_error err = {0};
    int rc = kube_map_kind(*client, api, kind, ctx->stop, &m, &err);
    if (rc == 0) return m.namespaced;
    if (rc != KUBE_ENOKIND) *client = NULL; /* unreachable: offline from here on */
  }
  int scope = app_crd_scope(objs, n, api, kind);
  if (scope >= 0) return !scope;
  return !app_static_cluster_scoped(api, kind);
}

/* Resolve (or take `sha`), read the tree and render the directory source of
 * `v` (planned state or config): objects labelled, annotated and namespaced. */
static int render(const res_ctx *ctx, const tf_value *v, const char *sha, kube_client **clientp,
                  char sha_out[41], app_set *out, tf_diags *d) {
  kube_client *client = *clientp;
  memset(out, 0, sizeof *out);
  const tf_value *src = res_get_block(v, "source");
  const tf_value *dst = res_get_block(v, "destination");
  const char *name = res_get_string(v, "name");
  const char *url = res_get_string(src, "repo_url");
  const char *rev = res_get_string(src, "target_revision");
  const char *path = res_get_string(src, "path");
  const char *ns = res_get_string(dst, "namespace");
  if (!path || !*path) path = ".";
  res_git_call git;
  if (res_git_begin(ctx, &git, d) != 0) return -1;
  gsync_commit c = {0};
  gsync_tree tree = {0};
  gsync_error gerr = {0};
  int rc = gsync_resolve(git.cache, url, sha ? sha : rev, &git.opts, &c, &gerr);
  int resolved = rc == 0;
  if (rc == 0) rc = gsync_read_tree(git.cache, url, c.sha, path, NULL, &git.opts, &tree, &gerr);
  res_git_end(&git);
  if (rc != 0) {
    tf_diags tmp;
    tf_diags_init(&tmp);
    if (resolved && rc == GSYNC_ENOTFOUND)
      app_error(&tmp, "path", "Source path not found", "%s at %s: %s", path, c.sha, gerr.message);
    else
      res_git_fail(rc, &gerr, "repo_url", "target_revision", &tmp);
    under_source(d, &tmp);
    gsync_commit_free(&c);
    return -1;
  }
  memcpy(sha_out, c.sha, 41);
  gsync_commit_free(&c);

  mf_docs docs = {0};
  const tf_value *helm = res_get_block(src, "helm");
  if (helm) {
    rc = render_helm(&tree, helm, name, ns, &docs, d);
    gsync_tree_free(&tree);
    if (rc != 0) {
      mf_docs_free(&docs);
      return -1;
    }
    goto objects;
  }
  mf_file *files = calloc(tree.count + 1, sizeof *files);
  mf_error merr = {0};
  if (!files) {
    gsync_tree_free(&tree);
    return tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  }
  size_t nf = 0;
  for (size_t i = 0; i < tree.count; i++) {
    if (tree.files[i].mode == GSYNC_MODE_SYMLINK) continue;
    files[nf++] =
        (mf_file){tree.files[i].rel, (const char *)tree.files[i].data, tree.files[i].size};
  }
  const tf_value *dir = res_get_block(src, "directory");
  rc = mf_load_files(files, nf, res_get_string(dir, "include"), res_get_string(dir, "exclude"),
                     res_get_bool(dir, "recurse") == 1, &docs, &merr);
  free(files);
  gsync_tree_free(&tree);
  if (rc != 0) {
    char buf[1024];
    return app_error(d, "source.path", "Invalid manifest", "%s/%s", path,
                     mf_error_format(&merr, buf, sizeof buf));
  }
objects:
  out->objs = calloc(docs.count + 1, sizeof *out->objs);
  out->keys = calloc(docs.count + 1, sizeof *out->keys);
  if (!out->objs || !out->keys) {
    mf_docs_free(&docs);
    set_free(out);
    return tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  }
  const char *def_ns = ns && *ns ? ns : client ? kube_client_namespace(client) : "default";
  cJSON **all = calloc(docs.count + 1, sizeof *all);
  for (size_t i = 0; all && i < docs.count; i++)
    all[i] = docs.items[i].obj;
  rc = all ? 0 : tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  for (size_t i = 0; rc == 0 && i < docs.count; i++) {
    cJSON *obj = docs.items[i].obj;
    int namespaced = is_namespaced(ctx, &client, all, docs.count, obj);
    if (!namespaced && mf_obj_namespace(obj) && *mf_obj_namespace(obj)) {
      cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
      cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace"); /* as kubectl does */
    }
    if (app_prepare_object(obj, name, namespaced, def_ns) != 0) {
      rc = tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
      break;
    }
    char key[1024];
    if (mf_obj_key(obj, key, sizeof key) != 0 || !mf_obj_name(obj)) {
      rc = app_error(d, "source.path", "Invalid manifest", "%s/%s:%d: object without a name", path,
                     docs.items[i].file ? docs.items[i].file : "?", docs.items[i].line);
      break;
    }
    if (set_find(out, key) >= 0) {
      rc = app_error(d, "source.path", "Duplicate object",
                     "%s is defined twice (%s/%s:%d and an earlier file).", key, path,
                     docs.items[i].file ? docs.items[i].file : "?", docs.items[i].line);
      break;
    }
    out->keys[out->n] = strdup(key);
    out->objs[out->n] = cJSON_Duplicate(obj, 1);
    out->n++;
  }
  free(all);
  mf_docs_free(&docs);
  *clientp = client; /* NULL when the cluster turned out unreachable */
  if (rc != 0) set_free(out);
  return rc;
}

/* ---------- ignore rules ---------- */

typedef struct {
  kube_ignore_rule *rules;
  char ***ptrs;
  size_t n;
} app_rules;

static void rules_free(app_rules *r) {
  for (size_t i = 0; i < r->n; i++)
    free(r->ptrs[i]);
  free(r->ptrs);
  free(r->rules);
  memset(r, 0, sizeof *r);
}

/* Borrowed from v (which must outlive the rules). */
static void rules_from(const tf_value *v, app_rules *r) {
  memset(r, 0, sizeof *r);
  const tf_value *list = tf_value_get_attr(v, "ignore_difference");
  if (!list || tf_value_is_null(list) || !tf_value_is_known(list)) return;
  size_t n = tf_value_len(list);
  r->rules = calloc(n + 1, sizeof *r->rules);
  r->ptrs = calloc(n + 1, sizeof *r->ptrs);
  if (!r->rules || !r->ptrs) return;
  for (size_t i = 0; i < n; i++) {
    const tf_value *e = tf_value_at(list, i);
    kube_ignore_rule *k = &r->rules[r->n];
    k->group = res_get_string(e, "group");
    if (!k->group) k->group = "";
    k->kind = res_get_string(e, "kind");
    if (!k->kind) continue;
    k->name = res_get_string(e, "name");
    k->namespace_ = res_get_string(e, "namespace");
    const tf_value *jp = tf_value_get_attr(e, "json_pointers");
    size_t m = jp && !tf_value_is_null(jp) && tf_value_is_known(jp) ? tf_value_len(jp) : 0;
    char **ptrs = calloc(m + 1, sizeof *ptrs);
    for (size_t j = 0, o = 0; ptrs && j < m; j++) {
      const tf_value *s = tf_value_at(jp, j);
      if (tf_value_is_known(s) && !tf_value_is_null(s)) ptrs[o++] = (char *)tf_value_str(s);
    }
    r->ptrs[r->n] = ptrs;
    k->json_pointers = ptrs;
    r->n++;
  }
}

/* ---------- live status ---------- */

/* Compares live objects with the desired ones: *out_of_sync, *health. */
static int live_status(const res_ctx *ctx, kube_client *client, cJSON *const *objs, size_t n,
                       const app_rules *rules, int *out_of_sync, kube_health_status *health,
                       char *why, size_t why_cap, kube_error *err) {
  *out_of_sync = 0;
  *health = KUBE_HEALTH_HEALTHY;
  if (why_cap) why[0] = 0;
  if (n == 0) return 0;
  cJSON **live = calloc(n, sizeof *live);
  if (!live) return KUBE_ENOMEM;
  int rc = kube_read_objects(client, (const cJSON *const *)objs, n, ctx->stop, live, err);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    kube_health h;
    kube_health_assess(live[i], &h);
    if (kube_health_worse(h.status, *health)) *health = h.status;
    kube_diff_result dr = {0};
    kube_error derr = {0};
    if (!live[i]) {
      *out_of_sync = 1;
    } else if (kube_diff(objs[i], live[i], "gitops", rules->rules, rules->n, &dr, &derr) == 0 &&
               dr.drift) {
      *out_of_sync = 1;
      if (why_cap && !why[0]) {
        char *k = kube_object_key(objs[i]);
        snprintf(why, why_cap, "%s: %s", k ? k : "?", dr.n_paths ? dr.paths[0] : "");
        free(k);
      }
    }
    kube_diff_result_clear(&dr);
  }
  for (size_t i = 0; i < n; i++)
    cJSON_Delete(live[i]);
  free(live);
  return rc;
}

static cJSON **array_items(cJSON *arr, size_t *n) {
  *n = (size_t)cJSON_GetArraySize(arr);
  cJSON **v = calloc(*n + 1, sizeof *v);
  size_t i = 0;
  for (cJSON *e = arr ? arr->child : NULL; v && e; e = e->next)
    v[i++] = e;
  return v;
}

/* ---------- validate ---------- */

static int validate(const res_ctx *ctx, const tf_value *config, tf_diags *d) {
  (void)ctx;
  int rc = 0;
  const char *engine = res_get_string(config, "engine");
  if (engine && strcmp(engine, "argocd") == 0)
    rc = app_error(d, "engine", "engine \"argocd\" is not supported yet",
                   "This version applies applications itself (engine = \"embedded\").");
  else if (engine && strcmp(engine, "embedded") != 0)
    rc = app_error(d, "engine", "Invalid engine",
                   "engine must be \"embedded\" or \"argocd\", "
                   "not \"%s\".",
                   engine);
  const char *sd = res_get_string(config, "state_detail");
  if (sd && strcmp(sd, "full") != 0 && strcmp(sd, "digests") != 0)
    rc = app_error(d, "state_detail", "Invalid state_detail",
                   "state_detail must be \"full\" or \"digests\", not \"%s\".", sd);
  int64_t t;
  if (res_get_int(config, "timeout", &t) == 0 && t < 0)
    rc = app_error(d, "timeout", "Invalid timeout", "timeout must not be negative.");
  const tf_value *src = res_get_block(config, "source");
  if (src) {
    const char *url = res_get_string(src, "repo_url");
    const char *path = res_get_string(src, "path");
    if (url && !*url)
      rc = app_error(d, "source.repo_url", "Invalid repository URL", "repo_url is empty.");
    if (path && (path[0] == '/' || strstr(path, "..")))
      rc = app_error(d, "source.path", "Invalid path",
                     "path must be relative to the repository root and stay inside it.");
    if (res_get_block(src, "kustomize"))
      rc = app_error(d, "source.kustomize", "kustomize sources are not supported yet",
                     "This version renders directory sources only.");
    if (res_get_block(src, "helm") && res_get_block(src, "directory"))
      rc = app_error(d, "source.helm", "Conflicting source types",
                     "A source is either a directory or a helm chart, not both.");
  }
  const tf_value *sp = res_get_block(config, "sync_policy");
  const tf_value *opts = sp ? tf_value_get_attr(sp, "sync_options") : NULL;
  for (size_t i = 0;
       opts && !tf_value_is_null(opts) && tf_value_is_known(opts) && i < tf_value_len(opts); i++) {
    const tf_value *e = tf_value_at(opts, i);
    if (!tf_value_is_known(e) || tf_value_is_null(e) || app_sync_option_known(tf_value_str(e)))
      continue;
    tf_path p;
    app_path(&p, "sync_policy.sync_options");
    tf_path_push_index(&p, (int64_t)i);
    tf_diags_add(d, TF_WARNING, &p, "Sync option ignored",
                 "\"%s\" is not supported by this version (supported: CreateNamespace=true, "
                 "PruneLast=true, ServerSideApply=true).",
                 tf_value_str(e));
    tf_path_free(&p);
  }
  return rc;
}

/* ---------- plan ---------- */

static const char *state_str(const tf_value *v, const char *attr) {
  return res_get_string(v, attr);
}

/* A client for plan/read: NULL (quietly) when none can be made. */
static kube_client *quiet_client(const res_ctx *ctx, const tf_value *v) {
  kube_client *c = NULL;
  tf_diags tmp;
  tf_diags_init(&tmp);
  const tf_value *dst = res_get_block(v, "destination");
  if (res_is_unknown(dst, "context") ||
      res_kube_client(ctx, res_get_string(dst, "context"), &c, &tmp) != 0)
    c = NULL;
  tf_diags_free(&tmp);
  return c;
}

static int plan(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d) {
  tf_value *p = tf_value_copy(req->proposed);
  if (!p) return tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  app_fill_defaults(p);
  const tf_value *prior = req->prior && !tf_value_is_null(req->prior) ? req->prior : NULL;
  const tf_value *src = tf_value_get_attr(p, "source");
  const tf_value *dst = tf_value_get_attr(p, "destination");
  const tf_value *sd = tf_value_get_attr(p, "state_detail");
  const tf_value *nm = tf_value_get_attr(p, "name");
  int known = src && tf_value_is_wholly_known(src) && !tf_value_is_null(src) && dst &&
              tf_value_is_wholly_known(dst) && sd && tf_value_is_known(sd) && nm &&
              tf_value_is_known(nm);
  const tf_type *str = tf_value_type(tf_value_get_attr(p, "id"));
  tf_type *st = tf_type_primitive(TF_STRING);
  tf_type *mt = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
  (void)str;
  int rc = 0;
  app_set set = {0};
  kube_client *client = NULL;
  if (!known) {
    tf_value_set_attr(p, "revision", tf_value_unknown(st));
    tf_value_set_attr(p, "objects", tf_value_unknown(mt));
    tf_value_set_attr(p, "sync_status", tf_value_unknown(st));
    tf_value_set_attr(p, "health", tf_value_unknown(st));
  } else {
    client = quiet_client(ctx, p);
    char sha[41] = {0};
    rc = render(ctx, p, NULL, &client, sha, &set, d);
    if (rc == 0) {
      int digests = strcmp(state_str(p, "state_detail"), "digests") == 0;
      tf_value *objs = app_objects_map(set.objs, set.keys, set.n, digests);
      if (!objs) rc = tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
      tf_value_set_attr(p, "revision", tf_value_string(sha));
      tf_value_set_attr(p, "objects", objs ? objs : tf_value_unknown(mt));
    }
    if (rc == 0 && !prior) {
      tf_value_set_attr(p, "sync_status", tf_value_string("Synced"));
      tf_value_set_attr(p, "health", tf_value_unknown(st));
    } else if (rc == 0) {
      tf_value_set_attr(p, "sync_status", tf_value_copy(tf_value_get_attr(prior, "sync_status")));
      tf_value_set_attr(p, "health", tf_value_copy(tf_value_get_attr(prior, "health")));
      const char *ps = state_str(prior, "sync_status");
      if (!tf_value_equal(p, prior) || !ps || strcmp(ps, "Synced") != 0) {
        tf_value_set_attr(p, "sync_status", tf_value_string("Synced"));
        tf_value_set_attr(p, "health", tf_value_unknown(st));
      } else if (client && req->private_in_len) {
        /* Nothing changed in Git or config: does the live cluster still match? */
        char rev[64];
        cJSON *arr = NULL;
        if (app_private_decode(req->private_in, req->private_in_len, rev, sizeof rev, &arr) == 0) {
          size_t n;
          cJSON **objs = array_items(arr, &n);
          app_rules rules;
          rules_from(p, &rules);
          int oos = 0;
          kube_health_status h;
          kube_error kerr = {0};
          char why[512];
          if (objs &&
              live_status(ctx, client, objs, n, &rules, &oos, &h, why, sizeof why, &kerr) == 0 &&
              oos) {
            tf_value_set_attr(p, "health", tf_value_unknown(st)); /* forces the re-apply */
            tf_diags_add(d, TF_WARNING, NULL, "Drift detected",
                         "Live objects differ from the applied revision (%s); apply re-applies "
                         "them.",
                         why[0] ? why : "objects missing");
          }
          rules_free(&rules);
          free(objs);
        }
        cJSON_Delete(arr);
      }
    }
  }
  set_free(&set);
  tf_type_unref(st);
  tf_type_unref(mt);
  if (rc != 0) {
    tf_value_free(p);
    return -1;
  }
  resp->state = p;
  res_response_replace(resp, "name");
  return 0;
}

/* ---------- apply ---------- */

static int64_t timeout_of(const tf_value *v) {
  int64_t t = APP_DEFAULT_TIMEOUT;
  if (res_get_int(v, "timeout", &t) != 0) t = APP_DEFAULT_TIMEOUT;
  return t < 0 ? 0 : t;
}

static int client_or_fail(const res_ctx *ctx, const tf_value *v, kube_client **c, tf_diags *d) {
  const tf_value *dst = res_get_block(v, "destination");
  const char *context = res_get_string(dst, "context");
  tf_diags tmp;
  tf_diags_init(&tmp);
  int rc = res_kube_client(ctx, context, c, &tmp);
  if (rc != 0 && context && *context) {
    for (size_t i = 0; i < tmp.len; i++) {
      tf_path p;
      app_path(&p, "destination.context");
      tf_diags_add(d, tmp.items[i].severity, &p, tmp.items[i].summary, "%s",
                   tmp.items[i].detail ? tmp.items[i].detail : "");
      tf_path_free(&p);
    }
    tf_diags_free(&tmp);
  } else {
    tf_diags_move(d, &tmp);
    tf_diags_free(&tmp);
  }
  return rc;
}

static int do_delete(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d) {
  const tf_value *prior = req->prior;
  if (!prior || tf_value_is_null(prior) || res_get_bool(prior, "cascade_delete") == 0) {
    resp->state = tf_value_null(app_type());
    return 0;
  }
  const tf_value *objs = tf_value_get_attr(prior, "objects");
  size_t n = objs && !tf_value_is_null(objs) && tf_value_is_known(objs) ? tf_value_len(objs) : 0;
  if (n == 0) {
    resp->state = tf_value_null(app_type());
    return 0;
  }
  kube_client *client;
  if (client_or_fail(ctx, prior, &client, d) != 0) return -1;
  const char **inv = calloc(n, sizeof *inv);
  if (!inv) return tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  for (size_t i = 0; i < n; i++)
    inv[i] = tf_value_key_at(objs, i);
  kube_prune_options po = {.wait_timeout_ms = (int)(timeout_of(prior) * 1000),
                           .continue_on_error = 1,
                           .cancel = ctx->stop};
  kube_prune_report rep = {0};
  kube_error err = {0};
  int rc = kube_prune(client, inv, n, NULL, 0, &po, &rep, &err);
  if (rc != 0 || rep.failed) {
    /* keep tracking what still exists */
    tf_value *st = tf_value_copy(prior);
    const char **keys = calloc(n, sizeof *keys);
    tf_value **vals = calloc(n + 1, sizeof *vals);
    size_t m = 0;
    for (size_t i = 0; keys && vals && i < rep.n && i < n; i++)
      if (rep.results[i].status != KUBE_PRUNE_DELETED && rep.results[i].status != KUBE_PRUNE_GONE) {
        keys[m] = inv[i];
        vals[m++] = tf_value_copy(tf_value_at(objs, i));
      }
    tf_type *mt = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
    if (keys && vals) tf_value_set_attr(st, "objects", tf_value_collection(mt, m, keys, vals));
    tf_type_unref(mt);
    free(keys);
    free(vals);
    resp->state = st;
    tf_diags_add(d, TF_ERROR, NULL, "Cannot delete the application's objects", "%s",
                 err.message[0] ? err.message : "some objects could not be deleted");
    rc = -1;
  } else {
    resp->state = tf_value_null(app_type());
  }
  kube_prune_report_clear(&rep);
  free(inv);
  return rc;
}

/* The owner annotation of live objects: refuse objects of another application. */
static int check_owners(const res_ctx *ctx, kube_client *client, const app_set *set,
                        const char *name, tf_diags *d) {
  if (!set->n) return 0;
  cJSON **live = calloc(set->n, sizeof *live);
  if (!live) return tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  kube_error err = {0};
  int rc =
      kube_read_objects(client, (const cJSON *const *)set->objs, set->n, ctx->stop, live, &err);
  char mine[512];
  snprintf(mine, sizeof mine, APP_TYPE_NAME ".%s", name);
  if (rc != 0 && rc != KUBE_ENOKIND) {
    /* kube_apply reports the same problem with more context */
    rc = 0;
  }
  rc = 0;
  for (size_t i = 0; i < set->n; i++) {
    const char *owner = live[i] ? mf_obj_annotation(live[i], APP_ANNOTATION_OWNER) : NULL;
    if (owner && strcmp(owner, mine) != 0)
      rc = tf_diags_add(d, TF_ERROR, NULL, "Object owned by another application",
                        "%s already belongs to %s (annotation %s); gitops_application.%s will "
                        "not take it over.",
                        set->keys[i], owner, APP_ANNOTATION_OWNER, name);
    cJSON_Delete(live[i]);
  }
  free(live);
  return rc;
}

static void append_key(char **buf, size_t *len, const char *key) {
  size_t add = strlen(key) + 4;
  char *g = realloc(*buf, *len + add + 1);
  if (!g) return;
  *buf = g;
  *len += (size_t)sprintf(g + *len, "\n  %s", key);
}

static int apply(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d) {
  if (!req->planned || tf_value_is_null(req->planned)) return do_delete(ctx, req, resp, d);
  const tf_value *planned = req->planned;
  const tf_value *prior = req->prior && !tf_value_is_null(req->prior) ? req->prior : NULL;
  const char *name = res_get_string(planned, "name");
  kube_client *client;
  if (client_or_fail(ctx, planned, &client, d) != 0) return -1;
  const char *sha = res_get_string(planned, "revision"); /* exactly what plan resolved */
  char sha_out[41] = {0};
  app_set set = {0};
  kube_client *rclient = client; /* apply talks to the cluster even if discovery failed */
  if (render(ctx, planned, sha, &rclient, sha_out, &set, d) != 0) return -1;
  int digests = strcmp(res_get_string(planned, "state_detail"), "digests") == 0;
  const tf_value *pobjs = tf_value_get_attr(planned, "objects");
  tf_value *objs_now = app_objects_map(set.objs, set.keys, set.n, digests);
  if (pobjs && tf_value_is_wholly_known(pobjs) && objs_now && !tf_value_equal(pobjs, objs_now)) {
    tf_value_free(objs_now);
    set_free(&set);
    return tf_diags_add(d, TF_ERROR, NULL, "Rendered objects differ from the plan",
                        "Rendering %s again gave other objects than plan showed (the cluster's "
                        "kinds changed?). Run plan again.",
                        sha_out);
  }
  tf_value_free(objs_now);
  if (check_owners(ctx, client, &set, name, d) != 0) {
    set_free(&set);
    return -1;
  }
  const tf_value *dst = res_get_block(planned, "destination");
  const char *ns = res_get_string(dst, "namespace");
  const tf_value *sp = res_get_block(planned, "sync_policy");
  const tf_value *au = res_get_block(sp, "automated");
  int self_heal = res_get_bool(au, "self_heal") == 1;
  int prune = res_get_bool(au, "prune") == 1;
  int wait = res_get_bool(planned, "wait") != 0;
  int64_t timeout = timeout_of(planned);
  kube_error err = {0};
  int rc = 0;
  if (ns && *ns && app_sync_option(planned, "CreateNamespace=true")) {
    cJSON *nsobj = cJSON_CreateObject();
    cJSON_AddStringToObject(nsobj, "apiVersion", "v1");
    cJSON_AddStringToObject(nsobj, "kind", "Namespace");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(nsobj, "metadata"), "name", ns);
    kube_apply_options o = {.field_manager = "gitops", .cancel = ctx->stop};
    kube_apply_report r = {0};
    const cJSON *one[1] = {nsobj};
    char key[512];
    snprintf(key, sizeof key, "/Namespace//%s", ns);
    if (set_find(&set, key) < 0 && kube_apply(client, one, 1, &o, &r, &err) != 0)
      rc = app_error(d, "destination.namespace", "Cannot create the destination namespace", "%s",
                     err.message);
    kube_apply_report_clear(&r);
    cJSON_Delete(nsobj);
  }
  kube_apply_report rep = {0};
  if (rc == 0) {
    kube_apply_options o = {.field_manager = "gitops",
                            .force = self_heal,
                            .default_namespace = ns && *ns ? ns : NULL,
                            .wait_waves = wait,
                            .wave_timeout_ms = (int)(timeout * 1000),
                            .cancel = ctx->stop};
    memset(&err, 0, sizeof err);
    rc = kube_apply(client, (const cJSON *const *)set.objs, set.n, &o, &rep, &err);
    if (rc != 0) {
      tf_diags_add(d, TF_ERROR, NULL, "Apply failed", "%s", err.message);
      rc = -1;
    }
  }
  int failed = rc != 0;
  /* The inventory: applied objects, plus prior ones still in the cluster. */
  const tf_value *prior_objs = prior ? tf_value_get_attr(prior, "objects") : NULL;
  size_t np = prior_objs && !tf_value_is_null(prior_objs) && tf_value_is_known(prior_objs)
                  ? tf_value_len(prior_objs)
                  : 0;
  tf_value *new_objs = NULL;
  kube_health_status health = KUBE_HEALTH_HEALTHY;
  if (!failed) {
    /* prune what left the source */
    const char **gone = calloc(np + 1, sizeof *gone);
    size_t ng = 0;
    for (size_t i = 0; gone && i < np; i++)
      if (set_find(&set, tf_value_key_at(prior_objs, i)) < 0)
        gone[ng++] = tf_value_key_at(prior_objs, i);
    if (ng && prune) {
      kube_prune_options po = {
          .wait_timeout_ms = (int)(timeout * 1000), .continue_on_error = 1, .cancel = ctx->stop};
      kube_prune_report pr = {0};
      kube_error perr = {0};
      if (kube_prune(client, gone, ng, NULL, 0, &po, &pr, &perr) != 0 || pr.failed) {
        tf_diags_add(d, TF_ERROR, NULL, "Prune failed", "%s",
                     perr.message[0] ? perr.message : "some objects could not be deleted");
        failed = 1;
      }
      kube_prune_report_clear(&pr);
    } else if (ng) {
      char *list = NULL;
      size_t len = 0;
      for (size_t i = 0; i < ng; i++)
        append_key(&list, &len, gone[i]);
      tf_diags_add(d, TF_WARNING, NULL, "Objects left the source and were not pruned",
                   "These objects are no longer in %s and stay in the cluster, no longer "
                   "tracked (set sync_policy { automated { prune = true } } to delete them):%s",
                   sha_out, list ? list : "");
      free(list);
    }
    free(gone);
    new_objs = app_objects_map(set.objs, set.keys, set.n, digests);
    /* health */
    if (wait && !failed) {
      kube_wait_report wr = {0};
      kube_error werr = {0};
      int wrc = kube_wait(client, (const cJSON *const *)set.objs, set.n, (int)(timeout * 1000),
                          ctx->stop, &wr, &werr);
      for (size_t i = 0; i < wr.n; i++)
        if (kube_health_worse(wr.health[i].status, health)) health = wr.health[i].status;
      if (wrc != 0) {
        tf_diags_add(d, TF_ERROR, NULL,
                     wrc == KUBE_EDEGRADED ? "Application is Degraded"
                                           : "Application did not become Healthy",
                     "%s", werr.message);
        if (wrc == KUBE_EDEGRADED)
          health = KUBE_HEALTH_DEGRADED;
        else if (health == KUBE_HEALTH_HEALTHY)
          health = KUBE_HEALTH_UNKNOWN;
        failed = 1;
      }
      kube_wait_report_clear(&wr);
    } else {
      for (size_t i = 0; i < rep.n; i++) {
        kube_health h;
        kube_health_assess(rep.results[i].live, &h);
        if (kube_health_worse(h.status, health)) health = h.status;
      }
    }
  } else {
    /* partial: applied objects with their new rendering, prior ones as they were */
    tf_value *rendered = app_objects_map(set.objs, set.keys, set.n, digests);
    const char **keys = calloc(set.n + np + 1, sizeof *keys);
    tf_value **vals = calloc(set.n + np + 1, sizeof *vals);
    size_t m = 0;
    for (size_t i = 0; rendered && keys && vals && i < set.n; i++) {
      kube_apply_status s = i < rep.n ? rep.results[i].status : KUBE_APPLY_PENDING;
      const tf_value *pv = np ? tf_value_map_get(prior_objs, set.keys[i]) : NULL;
      if (s == KUBE_APPLY_CREATED || s == KUBE_APPLY_CONFIGURED || s == KUBE_APPLY_UNCHANGED) {
        keys[m] = set.keys[i];
        vals[m++] = tf_value_copy(tf_value_map_get(rendered, set.keys[i]));
      } else if (pv) {
        keys[m] = set.keys[i];
        vals[m++] = tf_value_copy(pv);
      }
    }
    for (size_t i = 0; keys && vals && i < np; i++)
      if (set_find(&set, tf_value_key_at(prior_objs, i)) < 0) {
        keys[m] = tf_value_key_at(prior_objs, i);
        vals[m++] = tf_value_copy(tf_value_at(prior_objs, i));
      }
    if (keys && vals && m == 0 && !prior) {
      /* a failed create that created nothing: no state */
      free(keys);
      free(vals);
      tf_value_free(rendered);
      kube_apply_report_clear(&rep);
      set_free(&set);
      return -1;
    }
    tf_type *mt = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
    if (keys && vals) new_objs = tf_value_collection(mt, m, keys, vals);
    tf_type_unref(mt);
    free(keys);
    free(vals);
    tf_value_free(rendered);
    for (size_t i = 0; i < rep.n; i++) {
      kube_health h;
      kube_health_assess(rep.results[i].live, &h);
      if (rep.results[i].live && kube_health_worse(h.status, health)) health = h.status;
    }
  }
  tf_value *st = tf_value_copy(planned);
  tf_value_set_attr(st, "revision", tf_value_string(sha_out));
  tf_type *mt = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
  tf_value_set_attr(st, "objects", new_objs ? new_objs : tf_value_collection(mt, 0, NULL, NULL));
  tf_type_unref(mt);
  tf_value_set_attr(st, "sync_status", tf_value_string(rc != 0 ? "OutOfSync" : "Synced"));
  tf_value_set_attr(st, "health", tf_value_string(kube_health_name(health)));
  resp->state = st;
  /* private: the desired objects drift detection compares with (applied ones on failure) */
  {
    cJSON **keep = calloc(set.n + 1, sizeof *keep);
    size_t k = 0;
    for (size_t i = 0; keep && i < set.n; i++) {
      kube_apply_status s = i < rep.n ? rep.results[i].status : KUBE_APPLY_PENDING;
      if (rc == 0 || s == KUBE_APPLY_CREATED || s == KUBE_APPLY_CONFIGURED ||
          s == KUBE_APPLY_UNCHANGED)
        keep[k++] = set.objs[i];
    }
    if (keep &&
        app_private_encode(sha_out, keep, k, &resp->private_out, &resp->private_out_len) == 0)
      resp->private_set = 1;
    free(keep);
  }
  kube_apply_report_clear(&rep);
  set_free(&set);
  return failed ? -1 : 0;
}

/* ---------- read ---------- */

static int read_(const res_ctx *ctx, const res_request *req, res_response *resp, tf_diags *d) {
  const tf_value *prior = req->prior;
  resp->state = tf_value_copy(prior);
  if (!prior || tf_value_is_null(prior)) return 0;
  char rev[64];
  cJSON *arr = NULL;
  if (app_private_decode(req->private_in, req->private_in_len, rev, sizeof rev, &arr) != 0)
    return 0; /* nothing applied to compare with (imported or older state) */
  kube_client *client = NULL;
  tf_diags tmp;
  tf_diags_init(&tmp);
  const tf_value *dst = res_get_block(prior, "destination");
  if (res_kube_client(ctx, res_get_string(dst, "context"), &client, &tmp) != 0) {
    tf_diags_add(d, TF_WARNING, NULL, "Cluster unreachable: state not refreshed", "%s",
                 tmp.len && tmp.items[0].detail ? tmp.items[0].detail : "");
    tf_diags_free(&tmp);
    cJSON_Delete(arr);
    return 0;
  }
  tf_diags_free(&tmp);
  size_t n;
  cJSON **objs = array_items(arr, &n);
  app_rules rules;
  rules_from(prior, &rules);
  int oos = 0;
  kube_health_status h = KUBE_HEALTH_HEALTHY;
  kube_error err = {0};
  char why[512];
  int rc = objs ? live_status(ctx, client, objs, n, &rules, &oos, &h, why, sizeof why, &err)
                : KUBE_ENOMEM;
  if (rc != 0) {
    tf_diags_add(d, TF_WARNING, NULL, "Cluster unreachable: state not refreshed", "%s",
                 err.message);
  } else {
    tf_value_set_attr(resp->state, "sync_status", tf_value_string(oos ? "OutOfSync" : "Synced"));
    tf_value_set_attr(resp->state, "health", tf_value_string(kube_health_name(h)));
  }
  rules_free(&rules);
  free(objs);
  cJSON_Delete(arr);
  return 0;
}

/* What an imported object looks like in `objects`: no server-set fields. */
static void strip_live(cJSON *o) {
  cJSON_DeleteItemFromObjectCaseSensitive(o, "status");
  cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
  const char *drop[] = {"managedFields",     "uid",        "resourceVersion",
                        "creationTimestamp", "generation", "selfLink"};
  for (size_t i = 0; md && i < sizeof drop / sizeof *drop; i++)
    cJSON_DeleteItemFromObjectCaseSensitive(md, drop[i]);
  cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
  cJSON_DeleteItemFromObjectCaseSensitive(ann, "kubectl.kubernetes.io/last-applied-configuration");
  cJSON_DeleteItemFromObjectCaseSensitive(ann, "deployment.kubernetes.io/revision");
}

/* terraform import gitops_application.x NAME: the objects labelled
 * app.kubernetes.io/instance=NAME (and not owned by another application)
 * become the inventory; the next plan renders the source and shows the update
 * that takes them over. */
static int import_(const res_ctx *ctx, const char *id, res_response *resp, tf_diags *d) {
  if (!id || !*id)
    return tf_diags_add(d, TF_ERROR, NULL, "Invalid import ID",
                        "Use the application name: terraform import gitops_application.x NAME");
  kube_client *client;
  if (res_kube_client(ctx, NULL, &client, d) != 0) return -1;
  kube_mapping *maps = NULL;
  size_t nm = 0;
  kube_error err = {0};
  if (kube_discovery_all(client, ctx->stop, &maps, &nm, &err) != 0)
    return tf_diags_add(d, TF_ERROR, NULL, "Cannot list the cluster's kinds", "%s", err.message);
  char selector[512], mine[512];
  snprintf(selector, sizeof selector, APP_LABEL_INSTANCE "=%s", id);
  snprintf(mine, sizeof mine, APP_TYPE_NAME ".%s", id);
  app_set set = {0};
  size_t cap = 0;
  kube_health_status health = KUBE_HEALTH_HEALTHY;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < nm; i++) {
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++)
      seen = strcmp(maps[j].group, maps[i].group) == 0 && strcmp(maps[j].kind, maps[i].kind) == 0;
    if (seen || strchr(maps[i].resource, '/')) continue;
    char api[400];
    if (maps[i].group[0])
      snprintf(api, sizeof api, "%s/%s", maps[i].group, maps[i].version);
    else
      snprintf(api, sizeof api, "%s", maps[i].version);
    cJSON *items = NULL;
    kube_error lerr = {0};
    if (kube_list(client, api, maps[i].kind, NULL, selector, ctx->stop, &items, &lerr) != 0) {
      cJSON_Delete(items);
      if (lerr.code == KUBE_ECANCELLED) rc = -1;
      continue; /* kinds that cannot be listed */
    }
    for (cJSON *it = items ? items->child : NULL; rc == 0 && it; it = it->next) {
      const char *owner = mf_obj_annotation(it, APP_ANNOTATION_OWNER);
      if (owner && strcmp(owner, mine) != 0) continue;
      kube_health h;
      kube_health_assess(it, &h);
      if (kube_health_worse(h.status, health)) health = h.status;
      char *key = kube_object_key(it);
      if (!key || set_find(&set, key) >= 0) {
        free(key);
        continue;
      }
      if (set.n == cap) {
        cap = cap ? cap * 2 : 16;
        cJSON **o = realloc(set.objs, cap * sizeof *o);
        if (o) set.objs = o;
        char **k = realloc(set.keys, cap * sizeof *k);
        if (k) set.keys = k;
        if (!o || !k) {
          free(key);
          rc = tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
          break;
        }
      }
      cJSON *copy = cJSON_Duplicate(it, 1);
      strip_live(copy);
      set.objs[set.n] = copy;
      set.keys[set.n++] = key;
    }
    cJSON_Delete(items);
  }
  free(maps);
  if (rc == 0 && set.n == 0)
    rc = tf_diags_add(d, TF_ERROR, NULL, "Cannot import non-existent application",
                      "No object in the cluster is labelled %s.", selector);
  if (rc == 0) {
    tf_value *st = tf_value_object_empty(app_type());
    tf_value_set_attr(st, "name", tf_value_string(id));
    app_fill_defaults(st);
    tf_value *objs = app_objects_map(set.objs, set.keys, set.n, 0);
    tf_type *mt = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
    tf_value_set_attr(st, "objects", objs ? objs : tf_value_collection(mt, 0, NULL, NULL));
    tf_type_unref(mt);
    tf_value_set_attr(st, "sync_status", tf_value_string("OutOfSync"));
    tf_value_set_attr(st, "health", tf_value_string(kube_health_name(health)));
    resp->state = st;
  }
  set_free(&set);
  return rc;
}

const res_resource_def res_app_application = {
    .type_name = APP_TYPE_NAME,
    .schema_version = 0,
    .build_schema = app_schema,
    .validate = validate,
    .plan = plan,
    .apply = apply,
    .read = read_,
    .import = import_,
};

/* gitops_application: schema and defaults, object labelling and namespacing,
 * redaction, the objects map, private bytes, validate and plan value logic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/manifest/manifest.h"
#include "resources/app_internal.h"
#include "resources/res.h"

static int setup(void **state) {
  tf_diags d;
  tf_diags_init(&d);
  int rc = res_registry_init(&d);
  tf_diags_free(&d);
  *state = NULL;
  return rc;
}

static int teardown(void **state) {
  (void)state;
  res_registry_free();
  return 0;
}

static const tf_type *attr_type(const tf_type *t, const char *name) {
  long i = tf_type_attr_index(t, name);
  assert_true(i >= 0);
  return tf_type_at(t, (size_t)i);
}

/* A configuration: name, source { repo_url [, target_revision] }. */
static tf_value *config(const char *name, const char *url, const char *rev) {
  const tf_type *t = app_type();
  tf_value *v = tf_value_object_empty(t);
  const tf_type *st = attr_type(t, "source");
  tf_value *src = tf_value_object_empty(st);
  tf_value_set_attr(src, "repo_url",
                    url ? tf_value_string(url) : tf_value_unknown(attr_type(st, "repo_url")));
  if (rev) tf_value_set_attr(src, "target_revision", tf_value_string(rev));
  tf_value_set_attr(v, "source", src);
  tf_value_set_attr(v, "name", tf_value_string(name));
  return v;
}

static cJSON *parse1(const char *yaml) {
  mf_docs docs = {0};
  mf_error err = {0};
  assert_int_equal(mf_parse(yaml, strlen(yaml), "t.yaml", &docs, &err), 0);
  assert_int_equal(docs.count, 1);
  cJSON *o = cJSON_Duplicate(docs.items[0].obj, 1);
  mf_docs_free(&docs);
  return o;
}

static void schema_registered(void **state) {
  (void)state;
  const res_entry *e = res_find_resource(APP_TYPE_NAME);
  assert_non_null(e);
  assert_true(e->type == app_type());
  const tf_block *b = e->schema;
  const tf_attribute *a = tf_block_find_attr(b, "name");
  assert_true(a->required);
  a = tf_block_find_attr(b, "project");
  assert_true(a->optional && a->computed);
  assert_true(tf_block_find_attr(b, "objects")->computed);
  assert_non_null(tf_block_find_block(b, "source"));
  assert_int_equal(tf_block_find_block(b, "ignore_difference")->nesting, TF_NEST_LIST);
  assert_non_null(tf_block_find_block(tf_block_find_block(b, "source")->block, "kustomize"));
}

static void defaults_filled(void **state) {
  (void)state;
  tf_value *v = config("guestbook", "file:///x", NULL);
  app_fill_defaults(v);
  assert_string_equal(res_get_string(v, "project"), "default");
  assert_int_equal(res_get_bool(v, "wait"), 1);
  assert_int_equal(res_get_bool(v, "cascade_delete"), 1);
  int64_t t = 0;
  assert_int_equal(res_get_int(v, "timeout", &t), 0);
  assert_int_equal(t, 300);
  assert_string_equal(res_get_string(v, "engine"), "embedded");
  assert_string_equal(res_get_string(v, "state_detail"), "full");
  assert_string_equal(res_get_string(v, "id"), "guestbook");
  const tf_value *src = res_get_block(v, "source");
  assert_string_equal(res_get_string(src, "target_revision"), "HEAD");
  assert_string_equal(res_get_string(src, "path"), ".");
  /* configured values stay */
  tf_value *w = config("x", "file:///x", "v1");
  tf_value_set_attr(w, "project", tf_value_string("team"));
  tf_value_set_attr(w, "wait", tf_value_bool(false));
  app_fill_defaults(w);
  assert_string_equal(res_get_string(w, "project"), "team");
  assert_int_equal(res_get_bool(w, "wait"), 0);
  assert_string_equal(res_get_string(res_get_block(w, "source"), "target_revision"), "v1");
  tf_value_free(v);
  tf_value_free(w);
}

static void labelling_and_namespacing(void **state) {
  (void)state;
  cJSON *cm = parse1("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
  assert_int_equal(app_prepare_object(cm, "gb", 1, "team"), 0);
  assert_string_equal(mf_obj_label(cm, APP_LABEL_INSTANCE), "gb");
  assert_string_equal(mf_obj_annotation(cm, APP_ANNOTATION_OWNER), "gitops_application.gb");
  assert_string_equal(mf_obj_namespace(cm), "team");
  char key[256];
  mf_obj_key(cm, key, sizeof key);
  assert_string_equal(key, "/ConfigMap/team/c");
  cJSON_Delete(cm);
  /* an explicit namespace wins; labels already there are kept */
  cJSON *d = parse1("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: "
                    "other\n  labels: {tier: web}\n");
  assert_int_equal(app_prepare_object(d, "gb", 1, "team"), 0);
  assert_string_equal(mf_obj_namespace(d), "other");
  assert_string_equal(mf_obj_label(d, "tier"), "web");
  cJSON_Delete(d);
  /* cluster-scoped: no namespace added */
  cJSON *ns = parse1("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n");
  assert_int_equal(app_prepare_object(ns, "gb", 0, "team"), 0);
  assert_null(mf_obj_namespace(ns));
  cJSON_Delete(ns);
}

static void static_scopes(void **state) {
  (void)state;
  assert_true(app_static_cluster_scoped("v1", "Namespace"));
  assert_true(app_static_cluster_scoped("rbac.authorization.k8s.io/v1", "ClusterRole"));
  assert_true(app_static_cluster_scoped("apiextensions.k8s.io/v1", "CustomResourceDefinition"));
  assert_false(app_static_cluster_scoped("v1", "ConfigMap"));
  assert_false(app_static_cluster_scoped("apps/v1", "Deployment"));
  /* a custom group reusing a built-in name is not assumed cluster-scoped */
  assert_false(app_static_cluster_scoped("example.com/v1", "Namespace"));
  cJSON *objs[2] = {
      parse1("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  "
             "name: ws.example.com\nspec:\n  group: example.com\n  scope: Cluster\n  names: "
             "{kind: W, plural: ws}\n"),
      parse1("apiVersion: example.com/v1\nkind: W\nmetadata:\n  name: w\n")};
  assert_int_equal(app_crd_scope(objs, 2, "example.com/v1", "W"), 1);
  assert_int_equal(app_crd_scope(objs, 2, "other.com/v1", "W"), -1);
  assert_int_equal(app_crd_scope(objs, 2, "v1", "W"), -1);
  cJSON_Delete(objs[0]);
  cJSON_Delete(objs[1]);
}

static void redaction_and_map(void **state) {
  (void)state;
  cJSON *objs[2] = {
      parse1("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: a\ndata:\n  k: "
             "aHVudGVyMg==\nstringData:\n  p: hunter2\n"),
      parse1("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\ndata:\n  "
             "k: hunter2\n")};
  char *keys[2] = {"/Secret/a/s", "/ConfigMap/a/c"};
  tf_value *m = app_objects_map(objs, keys, 2, 0);
  assert_non_null(m);
  const char *s = tf_value_str(tf_value_map_get(m, "/Secret/a/s"));
  assert_non_null(strstr(s, "k: " APP_REDACTED));
  assert_non_null(strstr(s, "p: " APP_REDACTED));
  assert_null(strstr(s, "hunter2"));
  assert_null(strstr(s, "aHVudGVyMg"));
  /* ConfigMaps are not secret; the input objects are not modified */
  assert_non_null(strstr(tf_value_str(tf_value_map_get(m, "/ConfigMap/a/c")), "hunter2"));
  assert_string_equal(
      cJSON_GetObjectItem(cJSON_GetObjectItem(objs[0], "stringData"), "p")->valuestring, "hunter2");
  tf_value *dg = app_objects_map(objs, keys, 2, 1);
  const char *d1 = tf_value_str(tf_value_map_get(dg, "/Secret/a/s"));
  assert_int_equal(strncmp(d1, "sha256:", 7), 0);
  assert_int_equal(strlen(d1), 7 + 64);
  /* digests follow the content */
  tf_value *dg2 = app_objects_map(objs, keys, 2, 1);
  assert_true(tf_value_equal(dg, dg2));
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(objs[1], "data"), "k", cJSON_CreateString("x"));
  tf_value *dg3 = app_objects_map(objs, keys, 2, 1);
  assert_false(tf_value_equal(dg, dg3));
  tf_value *empty = app_objects_map(NULL, NULL, 0, 0);
  assert_non_null(empty);
  assert_int_equal(tf_value_len(empty), 0);
  tf_value_free(m);
  tf_value_free(dg);
  tf_value_free(dg2);
  tf_value_free(dg3);
  tf_value_free(empty);
  cJSON_Delete(objs[0]);
  cJSON_Delete(objs[1]);
}

static void private_roundtrip(void **state) {
  (void)state;
  cJSON *o = parse1("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
  uint8_t *buf;
  size_t len;
  assert_int_equal(app_private_encode("abc123", &o, 1, &buf, &len), 0);
  char rev[64];
  cJSON *arr;
  assert_int_equal(app_private_decode(buf, len, rev, sizeof rev, &arr), 0);
  assert_string_equal(rev, "abc123");
  assert_int_equal(cJSON_GetArraySize(arr), 1);
  assert_true(cJSON_Compare(cJSON_GetArrayItem(arr, 0), o, 1));
  cJSON_Delete(arr);
  free(buf);
  assert_int_not_equal(app_private_decode(NULL, 0, rev, sizeof rev, &arr), 0);
  assert_int_not_equal(app_private_decode((const uint8_t *)"nope", 4, rev, sizeof rev, &arr), 0);
  assert_null(arr);
  cJSON_Delete(o);
}

static int has_diag(const tf_diags *d, tf_severity sev, const char *path, const char *summary) {
  for (size_t i = 0; i < d->len; i++) {
    char *p = tf_path_to_string(&d->items[i].path);
    int ok = d->items[i].severity == sev && strcmp(p, path) == 0 &&
             strstr(d->items[i].summary, summary) != NULL;
    free(p);
    if (ok) return 1;
  }
  return 0;
}

static void validate_rules(void **state) {
  (void)state;
  const res_resource_def *rs = res_find_resource(APP_TYPE_NAME)->rs;
  res_ctx ctx = {0};
  tf_diags d;
  tf_diags_init(&d);
  tf_value *v = config("a", "file:///x", NULL);
  assert_int_equal(rs->validate(&ctx, v, &d), 0);
  assert_int_equal(d.len, 0);
  tf_value_set_attr(v, "engine", tf_value_string("argocd"));
  assert_int_not_equal(rs->validate(&ctx, v, &d), 0);
  assert_true(has_diag(&d, TF_ERROR, ".engine", "not supported yet"));
  tf_diags_free(&d);
  tf_diags_init(&d);
  tf_value_set_attr(v, "engine", tf_value_null(attr_type(app_type(), "engine")));
  /* kustomize: accepted by the schema, refused by validate on its path */
  const tf_type *st = attr_type(app_type(), "source");
  tf_value *src = tf_value_copy(tf_value_get_attr(v, "source"));
  tf_value *k = tf_value_object_empty(attr_type(st, "kustomize"));
  tf_value_set_attr(k, "name_prefix", tf_value_string("p-"));
  tf_value_set_attr(src, "kustomize", k);
  tf_value_set_attr(v, "source", src);
  assert_int_not_equal(rs->validate(&ctx, v, &d), 0);
  assert_true(
      has_diag(&d, TF_ERROR, ".source.kustomize", "kustomize sources are not supported yet"));
  tf_diags_free(&d);
  tf_value_free(v);
  /* unknown sync options warn, known ones do not; bad state_detail fails */
  tf_diags_init(&d);
  v = config("a", "file:///x", NULL);
  const tf_type *spt = attr_type(app_type(), "sync_policy");
  tf_value *sp = tf_value_object_empty(spt);
  tf_value *items[2] = {tf_value_string("CreateNamespace=true"), tf_value_string("Replace=true")};
  tf_value_set_attr(sp, "sync_options",
                    tf_value_collection(attr_type(spt, "sync_options"), 2, NULL, items));
  tf_value_set_attr(v, "sync_policy", sp);
  tf_value_set_attr(v, "state_detail", tf_value_string("some"));
  assert_int_not_equal(rs->validate(&ctx, v, &d), 0);
  assert_true(has_diag(&d, TF_WARNING, ".sync_policy.sync_options[1]", "Sync option ignored"));
  assert_false(has_diag(&d, TF_WARNING, ".sync_policy.sync_options[0]", "Sync option ignored"));
  assert_true(has_diag(&d, TF_ERROR, ".state_detail", "Invalid state_detail"));
  assert_int_equal(app_sync_option(v, "CreateNamespace=true"), 1);
  assert_int_equal(app_sync_option(v, "PruneLast=true"), 0);
  tf_diags_free(&d);
  tf_value_free(v);
}

/* Plan without Git or a cluster: an unknown source makes the Git-dependent
 * values unknown, defaults are filled and a name change forces replacement. */
static void plan_unknown_source(void **state) {
  (void)state;
  const res_resource_def *rs = res_find_resource(APP_TYPE_NAME)->rs;
  res_ctx ctx = {0};
  tf_diags d;
  tf_diags_init(&d);
  tf_value *cfg = config("gb", NULL, NULL);
  tf_value *prior = tf_value_null(app_type());
  res_request rq = {.prior = prior, .proposed = cfg, .config = cfg};
  res_response r = {0};
  assert_int_equal(rs->plan(&ctx, &rq, &r, &d), 0);
  assert_int_equal(d.len, 0);
  assert_non_null(r.state);
  assert_false(tf_value_is_known(tf_value_get_attr(r.state, "revision")));
  assert_false(tf_value_is_known(tf_value_get_attr(r.state, "objects")));
  assert_false(tf_value_is_known(tf_value_get_attr(r.state, "health")));
  assert_string_equal(res_get_string(r.state, "project"), "default");
  assert_string_equal(res_get_string(r.state, "id"), "gb");
  assert_int_equal(r.n_replace, 1);
  char *p = tf_path_to_string(&r.replace[0]);
  assert_string_equal(p, ".name");
  free(p);
  res_response_free(&r);
  tf_value_free(cfg);
  tf_value_free(prior);
  tf_diags_free(&d);
}

/* Import needs a name and a cluster; without them it fails, never fakes a state. */
static void import_not_faked(void **state) {
  (void)state;
  const res_resource_def *rs = res_find_resource(APP_TYPE_NAME)->rs;
  res_ctx ctx = {0};
  tf_diags d;
  tf_diags_init(&d);
  res_response r = {0};
  assert_int_not_equal(rs->import(&ctx, "", &r, &d), 0);
  assert_null(r.state);
  assert_true(has_diag(&d, TF_ERROR, "", "Invalid import ID"));
  assert_int_not_equal(rs->import(&ctx, "gb", &r, &d), 0); /* no provider: no cluster */
  assert_null(r.state);
  tf_diags_free(&d);
}

/* Read without private bytes (nothing applied yet) echoes the state, never unknowns. */
static void read_without_private(void **state) {
  (void)state;
  const res_resource_def *rs = res_find_resource(APP_TYPE_NAME)->rs;
  res_ctx ctx = {0};
  tf_diags d;
  tf_diags_init(&d);
  tf_value *st = config("gb", "file:///x", "main");
  app_fill_defaults(st);
  tf_value_set_attr(st, "sync_status", tf_value_string("Synced"));
  res_request rq = {.prior = st};
  res_response r = {0};
  assert_int_equal(rs->read(&ctx, &rq, &r, &d), 0);
  assert_true(tf_value_equal(r.state, st));
  assert_int_equal(r.private_set, 0);
  res_response_free(&r);
  tf_value_free(st);
  tf_diags_free(&d);
}

static void helm_set_args(void **state) {
  (void)state;
  char *a = app_helm_set_arg("color", "blue,green");
  assert_string_equal(a, "color=blue\\,green");
  free(a);
  a = app_helm_set_arg("path", "c:\\x");
  assert_string_equal(a, "path=c:\\\\x");
  free(a);
  a = app_helm_set_arg("empty", NULL);
  assert_string_equal(a, "empty=");
  free(a);
  assert_null(app_helm_set_arg(NULL, "x"));
}

/* ---- plan value logic against a local Git repository (no cluster) ---- */

static tf_value *block_with(const tf_type *t, const char *block, const char *attr,
                            const char *value) {
  const tf_type *bt = attr_type(t, block);
  tf_value *b = tf_value_object_empty(bt);
  tf_value_set_attr(b, attr, tf_value_string(value));
  return b;
}

static void plan_from_git(void **state) {
  (void)state;
  char dir[] = "/tmp/test-app-plan.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char cmd[2048];
  snprintf(
      cmd, sizeof cmd,
      "cd %s && git init -q -b main repo && cd repo && "
      "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: c\\ndata:\\n  k: v\\n---\\n"
      "apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: ns1\\n' >all.yaml && "
      "git add -A && git -c user.name=t -c user.email=t@t commit -q -m one && "
      "git rev-parse HEAD >../sha",
      dir);
  assert_int_equal(system(cmd), 0);
  char path[1200], sha[64] = {0};
  snprintf(path, sizeof path, "%s/sha", dir);
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  assert_non_null(fgets(sha, sizeof sha, fp));
  fclose(fp);
  sha[strcspn(sha, "\n")] = 0;

  /* provider: Git cache in the temp dir, a kubeconfig that does not exist (offline) */
  const tf_type *pt = res_provider_entry()->type;
  tf_value *pc = tf_value_object_empty(pt);
  snprintf(path, sizeof path, "%s/cache", dir);
  tf_value_set_attr(pc, "git", block_with(pt, "git", "cache_dir", path));
  snprintf(path, sizeof path, "%s/no-kubeconfig", dir);
  tf_value_set_attr(pc, "kubernetes", block_with(pt, "kubernetes", "config_path", path));
  tf_diags d;
  tf_diags_init(&d);
  res_provider *prov = NULL;
  assert_int_equal(res_provider_configure(pc, &prov, &d), 0);
  res_ctx ctx = {.provider = prov};
  const res_resource_def *rs = res_find_resource(APP_TYPE_NAME)->rs;

  snprintf(path, sizeof path, "file://%s/repo", dir);
  tf_value *cfg = config("gb", path, NULL);
  tf_value_set_attr(cfg, "destination", block_with(app_type(), "destination", "namespace", "team"));
  tf_value *null_prior = tf_value_null(app_type());
  res_request rq = {.prior = null_prior, .proposed = cfg, .config = cfg};
  res_response r = {0};
  int prc = rs->plan(&ctx, &rq, &r, &d);
  for (size_t i = 0; prc != 0 && i < d.len; i++)
    print_message("%s: %s\n", d.items[i].summary, d.items[i].detail ? d.items[i].detail : "");
  assert_int_equal(prc, 0);
  assert_string_equal(res_get_string(r.state, "revision"), sha);
  assert_string_equal(res_get_string(r.state, "sync_status"), "Synced");
  assert_false(tf_value_is_known(tf_value_get_attr(r.state, "health")));
  const tf_value *objs = tf_value_get_attr(r.state, "objects");
  assert_int_equal(tf_value_len(objs), 2);
  const tf_value *cm = tf_value_map_get(objs, "/ConfigMap/team/c");
  assert_non_null(cm);
  assert_non_null(strstr(tf_value_str(cm), "app.kubernetes.io/instance: gb"));
  assert_non_null(strstr(tf_value_str(cm), "gitops.terraform.io/owner: gitops_application.gb"));
  assert_non_null(tf_value_map_get(objs, "/Namespace//ns1")); /* cluster-scoped offline too */

  /* the applied state: the same plan again is a no-op (planned == prior) */
  tf_value *prior = tf_value_copy(r.state);
  tf_value_set_attr(prior, "health", tf_value_string("Healthy"));
  res_response_free(&r);
  res_request rq2 = {.prior = prior, .proposed = prior, .config = cfg};
  assert_int_equal(rs->plan(&ctx, &rq2, &r, &d), 0);
  assert_true(tf_value_equal(r.state, prior));
  res_response_free(&r);

  /* refreshed OutOfSync: planned Synced, health after apply */
  tf_value_set_attr(prior, "sync_status", tf_value_string("OutOfSync"));
  assert_int_equal(rs->plan(&ctx, &rq2, &r, &d), 0);
  assert_string_equal(res_get_string(r.state, "sync_status"), "Synced");
  assert_false(tf_value_is_known(tf_value_get_attr(r.state, "health")));
  assert_string_equal(res_get_string(r.state, "revision"), sha);
  res_response_free(&r);

  /* digests: same keys, sha256 values */
  tf_value_set_attr(cfg, "state_detail", tf_value_string("digests"));
  assert_int_equal(rs->plan(&ctx, &rq, &r, &d), 0);
  cm = tf_value_map_get(tf_value_get_attr(r.state, "objects"), "/ConfigMap/team/c");
  assert_int_equal(strncmp(tf_value_str(cm), "sha256:", 7), 0);
  res_response_free(&r);

  /* an unknown revision: an error on source.target_revision */
  tf_value *bad = config("gb", path, "no-such-branch");
  res_request rq3 = {.prior = null_prior, .proposed = bad, .config = bad};
  tf_diags d2;
  tf_diags_init(&d2);
  assert_int_not_equal(rs->plan(&ctx, &rq3, &r, &d2), 0);
  assert_true(has_diag(&d2, TF_ERROR, ".source.target_revision", "Unknown Git revision"));
  assert_null(r.state);
  assert_int_equal(r.n_replace, 0);
  res_response_free(&r);
  tf_diags_free(&d2);

  tf_value_free(bad);
  tf_value_free(prior);
  tf_value_free(null_prior);
  tf_value_free(cfg);
  tf_value_free(pc);
  res_provider_free(prov);
  tf_diags_free(&d);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(schema_registered),
                                     cmocka_unit_test(defaults_filled),
                                     cmocka_unit_test(labelling_and_namespacing),
                                     cmocka_unit_test(static_scopes),
                                     cmocka_unit_test(redaction_and_map),
                                     cmocka_unit_test(private_roundtrip),
                                     cmocka_unit_test(validate_rules),
                                     cmocka_unit_test(plan_unknown_source),
                                     cmocka_unit_test(import_not_faked),
                                     cmocka_unit_test(helm_set_args),
                                     cmocka_unit_test(plan_from_git),
                                     cmocka_unit_test(read_without_private)};
  return cmocka_run_group_tests(tests, setup, teardown);
}

/* data "gitops_manifests": the objects an application source holds at a revision,
 * rendered without applying (directory sources: plain YAML/JSON manifests, read
 * the way Argo CD's directory source reads them). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/manifest/manifest.h"
#include "resources/res.h"

#define REDACTED "++++++++"

static tf_block *directory_schema(void) {
  tf_block *b = tf_block_new("Plain manifests (*.yaml, *.yml, *.json), as Argo CD's directory "
                             "source reads them.");
  tf_block_attr(b, "recurse", tf_type_primitive(TF_BOOL), TF_OPTIONAL,
                "Also read subdirectories (default false).");
  tf_block_attr(b, "include", tf_type_primitive(TF_STRING), TF_OPTIONAL,
                "Glob of files to read, e.g. \"{*.yaml,*.yml}\".");
  tf_block_attr(b, "exclude", tf_type_primitive(TF_STRING), TF_OPTIONAL, "Glob of files to skip.");
  return b;
}

static tf_block *schema(void) {
  tf_block *b = tf_block_new("Renders an application source from Git without applying it.");
  tf_type *str_map = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
  tf_block_attr(b, "repo_url", tf_type_primitive(TF_STRING), TF_REQUIRED, "Repository URL.");
  tf_block_attr(b, "target_revision", tf_type_primitive(TF_STRING), TF_OPTIONAL | TF_COMPUTED,
                "Branch, tag, commit SHA or HEAD (the default).");
  tf_block_attr(b, "path", tf_type_primitive(TF_STRING), TF_OPTIONAL | TF_COMPUTED,
                "Directory of the repository holding the manifests (default: the root).");
  tf_block_attr(b, "revision", tf_type_primitive(TF_STRING), TF_COMPUTED,
                "Commit SHA the target revision resolved to.");
  tf_block_attr(b, "objects", str_map, TF_COMPUTED,
                "\"group/Kind/namespace/name\" => the object as YAML (Secret values redacted).");
  tf_block_attr(b, "manifest", tf_type_primitive(TF_STRING), TF_COMPUTED | TF_SENSITIVE,
                "Every object as one multi-document YAML stream, unredacted.");
  tf_block_nested(b, "directory", TF_NEST_SINGLE, 0, 0, directory_schema());
  return b;
}

static int attr_error(tf_diags *d, const char *attr, const char *summary, const char *detail) {
  tf_path p;
  tf_path_init(&p);
  tf_path_push_attr(&p, attr);
  tf_diags_add(d, TF_ERROR, &p, summary, "%s", detail);
  tf_path_free(&p);
  return -1;
}

static int validate(const res_ctx *ctx, const tf_value *config, tf_diags *d) {
  (void)ctx;
  const char *url = res_get_string(config, "repo_url");
  const char *path = res_get_string(config, "path");
  int rc = 0;
  if (url && !*url) rc = attr_error(d, "repo_url", "Invalid repository URL", "repo_url is empty.");
  if (path && (path[0] == '/' || strstr(path, "..")))
    rc = attr_error(d, "path", "Invalid path",
                    "path must be relative to the repository root and stay inside it.");
  return rc;
}

/* Secrets keep their keys but not their values in what plan output shows. */
static void redact_secret(cJSON *obj) {
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
  const cJSON *api = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
  if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "Secret") != 0 || !cJSON_IsString(api) ||
      strcmp(api->valuestring, "v1") != 0)
    return;
  const char *fields[] = {"data", "stringData"};
  for (size_t i = 0; i < 2; i++) {
    cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, fields[i]);
    for (cJSON *e = m ? m->child : NULL, *next; e; e = next) {
      next = e->next; /* e is freed when replaced */
      cJSON_ReplaceItemInObjectCaseSensitive(m, e->string, cJSON_CreateString(REDACTED));
    }
  }
}

/* Manifests of the tree as objects keyed "group/Kind/namespace/name". */
static int render(const gsync_tree *tree, const tf_value *dir, const char *path, tf_value **objects,
                  char **stream, tf_diags *d) {
  mf_file *files = calloc(tree->count + 1, sizeof *files);
  mf_docs docs = {0};
  mf_error err = {0};
  if (!files) return tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  size_t n = 0;
  for (size_t i = 0; i < tree->count; i++) {
    if (tree->files[i].mode == GSYNC_MODE_SYMLINK) continue;
    files[n++] =
        (mf_file){tree->files[i].rel, (const char *)tree->files[i].data, tree->files[i].size};
  }
  int rc = mf_load_files(files, n, res_get_string(dir, "include"), res_get_string(dir, "exclude"),
                         res_get_bool(dir, "recurse") == 1, &docs, &err);
  free(files);
  if (rc != 0) {
    char buf[1024];
    tf_path p;
    tf_path_init(&p);
    tf_path_push_attr(&p, "path");
    tf_diags_add(d, TF_ERROR, &p, "Invalid manifest", "%s/%s", path,
                 mf_error_format(&err, buf, sizeof buf));
    tf_path_free(&p);
    return -1;
  }
  const char **keys = calloc(docs.count + 1, sizeof *keys);
  tf_value **vals = calloc(docs.count + 1, sizeof *vals);
  size_t cap = 1, len = 0;
  char *all = calloc(1, 1);
  rc = keys && vals && all ? 0 : tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
  for (size_t i = 0; rc == 0 && i < docs.count; i++) {
    char key[1024];
    char *full = mf_to_yaml(docs.items[i].obj);
    mf_obj_key(docs.items[i].obj, key, sizeof key);
    for (size_t j = 0; j < i; j++)
      if (strcmp(keys[j], key) == 0)
        rc = tf_diags_add(d, TF_ERROR, NULL, "Duplicate object",
                          "%s is defined twice (%s:%d and an earlier file).", key,
                          docs.items[i].file ? docs.items[i].file : "?", docs.items[i].line);
    redact_secret(docs.items[i].obj);
    char *shown = mf_to_yaml(docs.items[i].obj);
    size_t add = full ? strlen(full) + 5 : 0;
    char *grown = realloc(all, cap + add);
    if (!full || !shown || !grown) {
      free(grown ? grown : all);
      all = NULL;
      rc = tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
    } else {
      all = grown;
      cap += add;
      len += (size_t)sprintf(all + len, "---\n%s", full);
      keys[i] = strdup(key);
      vals[i] = tf_value_string(shown);
    }
    free(full);
    free(shown);
  }
  if (rc == 0) {
    tf_type *t = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
    *objects = tf_value_collection(t, docs.count, keys, vals);
    tf_type_unref(t);
    *stream = all;
    all = NULL;
  } else {
    for (size_t i = 0; vals && i < docs.count; i++)
      tf_value_free(vals[i]);
  }
  for (size_t i = 0; keys && i < docs.count; i++)
    free((char *)keys[i]);
  free(keys);
  free(vals);
  free(all);
  mf_docs_free(&docs);
  return rc;
}

static int read(const res_ctx *ctx, const tf_value *config, tf_value **state, tf_diags *d) {
  res_git_call git;
  if (validate(ctx, config, d) != 0 || res_git_begin(ctx, &git, d) != 0) return -1;
  const char *url = res_get_string(config, "repo_url");
  const char *rev = res_get_string(config, "target_revision");
  const char *path = res_get_string(config, "path");
  if (!path || !*path) path = ".";
  gsync_commit c = {0};
  gsync_tree tree = {0};
  gsync_error err = {0};
  int rc = gsync_resolve(git.cache, url, rev, &git.opts, &c, &err);
  if (rc == 0) rc = gsync_read_tree(git.cache, url, c.sha, path, NULL, &git.opts, &tree, &err);
  res_git_end(&git);
  if (rc != 0) {
    gsync_commit_free(&c);
    return res_git_fail(rc, &err, rc == GSYNC_ENOTFOUND && c.sha[0] ? "path" : "repo_url",
                        "target_revision", d);
  }
  tf_value *objects = NULL;
  char *stream = NULL;
  rc = render(&tree, res_get_block(config, "directory"), path, &objects, &stream, d);
  gsync_tree_free(&tree);
  if (rc == 0) {
    const tf_type *t = res_find_data_source("gitops_manifests")->type;
    tf_value *v = tf_value_object_empty(t);
    tf_value_set_attr(v, "repo_url", tf_value_string(url));
    tf_value_set_attr(v, "target_revision", tf_value_string(rev ? rev : "HEAD"));
    tf_value_set_attr(v, "path", tf_value_string(path));
    tf_value_set_attr(v, "revision", tf_value_string(c.sha));
    tf_value_set_attr(v, "objects", objects);
    tf_value_set_attr(v, "manifest", tf_value_string(stream));
    const tf_value *dir = tf_value_get_attr(config, "directory");
    tf_value_set_attr(v, "directory", tf_value_copy(dir));
    *state = v;
  }
  free(stream);
  gsync_commit_free(&c);
  return rc;
}

const res_data_source_def res_ds_manifests = {
    .type_name = "gitops_manifests",
    .build_schema = schema,
    .validate = validate,
    .read = read,
};

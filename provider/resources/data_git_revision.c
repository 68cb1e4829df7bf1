/* data "gitops_git_revision": the commit a branch, tag, SHA or HEAD of a repository is at. */
#include <stdlib.h>
#include <string.h>

#include "engine/git/gsync.h"
#include "resources/res.h"

static tf_block *schema(void) {
  tf_block *b = tf_block_new("Resolves a Git revision of a repository to a commit.");
  tf_block_attr(b, "repo_url", tf_type_primitive(TF_STRING), TF_REQUIRED,
                "Repository URL: https://, ssh://, user@host:path, git:// or file://.");
  tf_block_attr(b, "revision", tf_type_primitive(TF_STRING), TF_OPTIONAL | TF_COMPUTED,
                "Branch, tag, commit SHA (full or short) or HEAD (the default).");
  tf_block_attr(b, "sha", tf_type_primitive(TF_STRING), TF_COMPUTED, "Full commit SHA.");
  tf_block_attr(b, "short_sha", tf_type_primitive(TF_STRING), TF_COMPUTED, "First 7 digits.");
  tf_block_attr(b, "message", tf_type_primitive(TF_STRING), TF_COMPUTED, "Commit message.");
  tf_block_attr(b, "author", tf_type_primitive(TF_STRING), TF_COMPUTED, "Name <email>.");
  tf_block_attr(b, "time", tf_type_primitive(TF_STRING), TF_COMPUTED,
                "Commit time, RFC 3339 in UTC.");
  tf_block_attr(b, "ref", tf_type_primitive(TF_STRING), TF_COMPUTED,
                "Full ref the revision named (refs/heads/…, refs/tags/…); empty for a SHA.");
  return b;
}

static void attr_path(tf_path *p, const char *name) {
  tf_path_init(p);
  tf_path_push_attr(p, name);
}

static int validate(const res_ctx *ctx, const tf_value *config, tf_diags *d) {
  (void)ctx;
  const char *url = res_get_string(config, "repo_url");
  const char *rev = res_get_string(config, "revision");
  tf_path p;
  int rc = 0;
  if (url && !*url) {
    attr_path(&p, "repo_url");
    rc = tf_diags_add(d, TF_ERROR, &p, "Invalid repository URL", "repo_url must not be empty.");
    tf_path_free(&p);
  }
  if (rev && (!*rev || strchr(rev, ' ') || strstr(rev, ".."))) {
    attr_path(&p, "revision");
    rc = tf_diags_add(d, TF_ERROR, &p, "Invalid revision",
                      "\"%s\" is not a branch, tag or commit name.", rev);
    tf_path_free(&p);
  }
  return rc;
}

static int read(const res_ctx *ctx, const tf_value *config, tf_value **state, tf_diags *d) {
  res_git_call git;
  if (validate(ctx, config, d) != 0 || res_git_begin(ctx, &git, d) != 0) return -1;
  const char *url = res_get_string(config, "repo_url");
  const char *rev = res_get_string(config, "revision");
  gsync_commit c = {0};
  gsync_error err = {0};
  int rc = gsync_resolve(git.cache, url, rev, &git.opts, &c, &err);
  res_git_end(&git);
  if (rc != 0) return res_git_fail(rc, &err, "repo_url", "revision", d);
  const tf_type *t = res_find_data_source("gitops_git_revision")->type;
  tf_value *v = tf_value_object_empty(t);
  tf_value_set_attr(v, "repo_url", tf_value_string(url));
  tf_value_set_attr(v, "revision", tf_value_string(rev ? rev : "HEAD"));
  tf_value_set_attr(v, "sha", tf_value_string(c.sha));
  tf_value_set_attr(v, "short_sha", tf_value_string(c.short_sha));
  tf_value_set_attr(v, "message", tf_value_string(c.message ? c.message : ""));
  tf_value_set_attr(v, "author", tf_value_string(c.author ? c.author : ""));
  tf_value_set_attr(v, "time", tf_value_string(c.time ? c.time : ""));
  tf_value_set_attr(v, "ref", tf_value_string(c.ref ? c.ref : ""));
  gsync_commit_free(&c);
  *state = v;
  return 0;
}

const res_data_source_def res_ds_git_revision = {
    .type_name = "gitops_git_revision",
    .build_schema = schema,
    .validate = validate,
    .read = read,
};

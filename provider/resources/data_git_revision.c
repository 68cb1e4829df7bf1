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

/* Which attribute a resolve failure is about, and a summary for it. */
static const char *failure_attr(int code, const char **summary) {
  switch (code) {
  case GSYNC_ENOTFOUND:
  case GSYNC_EAMBIGUOUS:
    *summary = "Unknown Git revision";
    return "revision";
  case GSYNC_EAUTH:
    *summary = "Git authentication failed";
    return "repo_url";
  case GSYNC_ECANCELLED:
    *summary = "Cancelled";
    return "repo_url";
  case GSYNC_ENOTREPO:
    *summary = "Not a Git repository";
    return "repo_url";
  case GSYNC_ENETWORK:
    *summary = "Cannot reach the Git repository";
    return "repo_url";
  default:
    *summary = "Cannot read the Git repository";
    return "repo_url";
  }
}

static int read(const res_ctx *ctx, const tf_value *config, tf_value **state, tf_diags *d) {
  gsync_cache *cache;
  if (validate(ctx, config, d) != 0 || res_git_cache(ctx, &cache, d) != 0) return -1;
  const char *url = res_get_string(config, "repo_url");
  const char *rev = res_get_string(config, "revision");
  const res_git_config *g = &ctx->provider->git;
  gsync_credentials creds = {0};
  gsync_error err = {0};
  creds.username = g->username ? strdup(g->username) : NULL;
  creds.password = g->password ? strdup(g->password) : NULL;
  creds.ssh_private_key = g->ssh_private_key ? strdup(g->ssh_private_key) : NULL;
  creds.ssh_known_hosts = g->ssh_known_hosts ? strdup(g->ssh_known_hosts) : NULL;
  creds.insecure_skip_tls_verify = g->insecure_skip_tls_verify;
  gsync_commit c = {0};
  int rc = gsync_credentials_from_env(&creds, &err);
  if (rc == 0) {
    gsync_options opts = {
        .timeout_sec = (unsigned)g->timeout_seconds, .cancel = ctx->stop, .creds = &creds};
    rc = gsync_resolve(cache, url, rev, &opts, &c, &err);
  }
  gsync_credentials_clear(&creds);
  if (rc != 0) {
    const char *summary;
    tf_path p;
    attr_path(&p, failure_attr(rc, &summary));
    tf_diags_add(d, TF_ERROR, &p, summary, "%s", err.message);
    tf_path_free(&p);
    return -1;
  }
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

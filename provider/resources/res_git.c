/* What every Git-reading data source and resource shares: credentials and
 * options from the provider block, and gsync errors as diagnostics. */
#include <stdlib.h>
#include <string.h>

#include "engine/git/gsync.h"
#include "resources/res.h"

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

int res_git_begin(const res_ctx *ctx, res_git_call *call, tf_diags *d) {
  memset(call, 0, sizeof *call);
  if (res_git_cache(ctx, &call->cache, d) != 0) return -1;
  const res_git_config *g = &ctx->provider->git;
  call->creds.username = dup_or_null(g->username);
  call->creds.password = dup_or_null(g->password);
  call->creds.ssh_private_key = dup_or_null(g->ssh_private_key);
  call->creds.ssh_known_hosts = dup_or_null(g->ssh_known_hosts);
  call->creds.insecure_skip_tls_verify = g->insecure_skip_tls_verify;
  call->opts.timeout_sec = (unsigned)g->timeout_seconds;
  call->opts.cancel = ctx->stop;
  call->opts.creds = &call->creds;
  gsync_error err = {0};
  if (gsync_credentials_from_env(&call->creds, &err) != 0) {
    res_git_end(call);
    return tf_diags_add(d, TF_ERROR, NULL, "Invalid Git credentials", "%s", err.message);
  }
  return 0;
}

void res_git_end(res_git_call *call) {
  gsync_credentials_clear(&call->creds);
}

int res_git_fail(int code, const gsync_error *err, const char *url_attr, const char *revision_attr,
                 tf_diags *d) {
  const char *summary = "Cannot read the Git repository", *attr = url_attr;
  switch (code) {
  case GSYNC_ENOTFOUND:
  case GSYNC_EAMBIGUOUS:
    summary = "Unknown Git revision";
    attr = revision_attr;
    break;
  case GSYNC_EAUTH:
    summary = "Git authentication failed";
    break;
  case GSYNC_ECANCELLED:
    summary = "Cancelled";
    break;
  case GSYNC_ENOTREPO:
    summary = "Not a Git repository";
    break;
  case GSYNC_ENETWORK:
    summary = "Cannot reach the Git repository";
    break;
  case GSYNC_ECERTIFICATE:
    summary = "Git server certificate rejected";
    break;
  default:
    break;
  }
  tf_path p;
  tf_path_init(&p);
  if (attr) tf_path_push_attr(&p, attr);
  tf_diags_add(d, TF_ERROR, &p, summary, "%s", err->message);
  tf_path_free(&p);
  return -1;
}

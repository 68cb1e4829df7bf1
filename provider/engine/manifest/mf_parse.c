/* engine/manifest — mf_parse: YAML stream -> Kubernetes objects. */
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_yaml.h"

typedef struct parse_ctx {
  mf_docs *out;
  cJSON *arr; /* mf_yaml_to_json */
  const char *file;
  const mf_parse_opts *opts;
  mf_error *err;
} parse_ctx;

static int decode_root(mf_decoder *dec, mf_node *root, cJSON **v) {
  *v = NULL;
  if (!root) return 0;
  return mf_decode_node(dec, root, 0, v);
}

static int on_doc(void *vctx, mf_decoder *dec, mf_node *root, int line) {
  parse_ctx *c = vctx;
  cJSON *v;
  int rc = decode_root(dec, root, &v);
  if (rc) return rc;
  return mf_docs_add_document(c->out, v, line, c->file, c->opts, c->err);
}

static int on_doc_json(void *vctx, mf_decoder *dec, mf_node *root, int line) {
  parse_ctx *c = vctx;
  (void)line;
  cJSON *v;
  int rc = decode_root(dec, root, &v);
  if (rc) return rc;
  if (!v && !(v = cJSON_CreateNull())) return mf_err_oom(c->err, c->file);
  if (!cJSON_AddItemToArray(c->arr, v)) {
    cJSON_Delete(v);
    return mf_err_oom(c->err, c->file);
  }
  return 0;
}

static void clear_err(mf_error *err) {
  if (err) memset(err, 0, sizeof(*err));
}

int mf_parse_counted(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                     mf_docs *out, mf_error *err, size_t *parsed) {
  mf_parse_opts def;
  clear_err(err);
  if (!opts) {
    mf_parse_opts_default(&def);
    opts = &def;
  }
  if (!out || (!buf && len)) return mf_err_set(err, MF_EINVAL, filename, 0, 0, "invalid argument");
  size_t before = out->count;
  bool had = out->items != NULL;
  parse_ctx c = {.out = out, .file = filename, .opts = opts, .err = err};
  int rc = mf_yaml_stream(buf, len, filename, opts, on_doc, &c, err);
  if (parsed) *parsed = out->count - before;
  if (rc < 0) mf_docs_restore(out, before, had);
  return rc;
}

int mf_parse_ex(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                mf_docs *out, mf_error *err) {
  return mf_parse_counted(buf, len, filename, opts, out, err, NULL);
}

int mf_parse(const char *buf, size_t len, const char *filename, mf_docs *out, mf_error *err) {
  return mf_parse_ex(buf, len, filename, NULL, out, err);
}

int mf_yaml_to_json(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                    cJSON **out, mf_error *err) {
  mf_parse_opts def;
  clear_err(err);
  if (!opts) {
    mf_parse_opts_default(&def);
    opts = &def;
  }
  if (!out || (!buf && len)) return mf_err_set(err, MF_EINVAL, filename, 0, 0, "invalid argument");
  *out = NULL;
  parse_ctx c = {.arr = cJSON_CreateArray(), .file = filename, .opts = opts, .err = err};
  if (!c.arr) return mf_err_oom(err, filename);
  int rc = mf_yaml_stream(buf, len, filename, opts, on_doc_json, &c, err);
  if (rc < 0) {
    cJSON_Delete(c.arr);
    return rc;
  }
  *out = c.arr;
  return 0;
}

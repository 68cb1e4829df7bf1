/* engine/manifest — the YAML node tree between libyaml events and JSON. */
#ifndef GITOPS_ENGINE_MANIFEST_YAML_H
#define GITOPS_ENGINE_MANIFEST_YAML_H

#include "engine/manifest/mf_internal.h"

typedef enum { MF_N_SCALAR, MF_N_SEQ, MF_N_MAP, MF_N_ALIAS } mf_nkind;

typedef struct mf_node {
  mf_nkind kind;
  int line, col; /* 1-based */
  char *tag;     /* NULL, or the tag as libyaml resolved it */
  char *value;   /* scalar text, or alias name */
  size_t len;
  bool implicit;         /* plain_implicit: go-yaml's node.implicit */
  bool visiting;         /* alias being expanded (cycle check) */
  struct mf_node **kids; /* sequence items; mapping key, value, key, ... */
  size_t n, cap;
  struct mf_node *target; /* alias: the anchored node */
  struct mf_node *next_alloc;
} mf_node;

/* String-keyed hash table (keys copied); value is a pointer plus an int. */
typedef struct mf_strmap_ent {
  char *key;
  size_t klen;
  void *ptr;
  long aux;
  int line;
  struct mf_strmap_ent *next;
} mf_strmap_ent;

typedef struct mf_strmap {
  mf_strmap_ent **b;
  size_t nb, count;
} mf_strmap;

mf_strmap_ent *mf_strmap_get(mf_strmap *m, const char *key, size_t klen);
/* Returns the entry (new or existing) or NULL on out of memory. */
mf_strmap_ent *mf_strmap_put(mf_strmap *m, const char *key, size_t klen, bool *created);
void mf_strmap_free(mf_strmap *m);

/* Go's base64.StdEncoding.DecodeString (\r and \n skipped). Returns a
 * malloc'd buffer (NUL-terminated) and its length, or NULL if invalid. */
char *mf_base64_decode(const char *s, size_t n, size_t *outlen, bool *oom);

/* Decoding state shared across the documents of one stream. */
typedef struct mf_decoder {
  const mf_parse_opts *opts;
  const char *file;
  size_t alias_nodes; /* nodes produced through aliases so far */
  int alias_depth;
  long pass; /* serial per mapping pass (duplicate detection) */
  mf_error *err;
} mf_decoder;

/* Node tree -> JSON value (*out NULL for a JSON null is not used: nulls are
 * cJSON null items). 0 or negative code with dec->err filled. */
int mf_decode_node(mf_decoder *dec, mf_node *n, int depth, cJSON **out);

/* Callback per document: root NULL for an empty document. Return <0 to stop. */
typedef int (*mf_doc_cb)(void *ctx, mf_decoder *dec, mf_node *root, int line);

/* Parses the stream with libyaml, builds one tree per document and calls
 * cb for each. */
int mf_yaml_stream(const char *buf, size_t len, const char *file, const mf_parse_opts *opts,
                   mf_doc_cb cb, void *ctx, mf_error *err);

#endif

/* engine/manifest — the mf_docs array and parse options. */
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

void mf_parse_opts_default(mf_parse_opts *o) {
  if (!o) return;
  memset(o, 0, sizeof(*o));
  o->max_alias_nodes = 1000000;
  o->max_depth = 1000;
  o->max_docs = 0;
  o->expand_lists = true;
  o->require_gvk = true;
}

int mf_docs_append(mf_docs *docs, cJSON *obj, int line, const char *file) {
  if (!docs || !obj) {
    cJSON_Delete(obj);
    return MF_EINVAL;
  }
  if (docs->count == docs->cap) {
    size_t cap = docs->cap ? docs->cap * 2 : 8;
    mf_doc *items = realloc(docs->items, cap * sizeof(*items));
    if (!items) {
      cJSON_Delete(obj);
      return MF_ENOMEM;
    }
    docs->items = items;
    docs->cap = cap;
  }
  char *f = NULL;
  if (file && !(f = strdup(file))) {
    cJSON_Delete(obj);
    return MF_ENOMEM;
  }
  docs->items[docs->count++] = (mf_doc){.obj = obj, .line = line, .file = f};
  return 0;
}

void mf_docs_truncate(mf_docs *docs, size_t count) {
  if (!docs) return;
  while (docs->count > count) {
    mf_doc *d = &docs->items[--docs->count];
    cJSON_Delete(d->obj);
    free(d->file);
  }
}

void mf_docs_restore(mf_docs *docs, size_t count, bool had_items) {
  if (!docs) return;
  mf_docs_truncate(docs, count);
  if (!had_items) {
    free(docs->items);
    docs->items = NULL;
    docs->cap = 0;
  }
}

void mf_docs_free(mf_docs *docs) {
  if (!docs) return;
  mf_docs_truncate(docs, 0);
  free(docs->items);
  memset(docs, 0, sizeof(*docs));
}

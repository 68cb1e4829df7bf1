/*
 * Diagnostics lists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"

void tf_diags_init(tf_diags *d) {
  d->items = NULL;
  d->len = d->cap = 0;
}

void tf_diags_free(tf_diags *d) {
  if (!d) return;
  for (size_t i = 0; i < d->len; i++) {
    free(d->items[i].summary);
    free(d->items[i].detail);
    tf_path_free(&d->items[i].path);
  }
  free(d->items);
  tf_diags_init(d);
}

int tf_diags_add(tf_diags *d, tf_severity sev, const tf_path *path, const char *summary,
                 const char *detail_fmt, ...) {
  int ret = sev == TF_ERROR ? -1 : 0;
  if (!d) return ret;
  if (d->len == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 4;
    tf_diag *items = realloc(d->items, cap * sizeof(*items));
    if (!items) return ret; /* out of memory: the diagnostic is lost, the error is not */
    d->items = items;
    d->cap = cap;
  }
  tf_diag *g = &d->items[d->len];
  memset(g, 0, sizeof(*g));
  g->severity = sev;
  g->summary = tf_strdup(summary ? summary : "");
  if (detail_fmt) {
    va_list ap;
    va_start(ap, detail_fmt);
    if (vasprintf(&g->detail, detail_fmt, ap) < 0) g->detail = NULL;
    va_end(ap);
  }
  tf_path_init(&g->path);
  if (path) tf_path_copy(&g->path, path);
  d->len++;
  return ret;
}

bool tf_diags_has_error(const tf_diags *d) {
  if (!d) return false;
  for (size_t i = 0; i < d->len; i++)
    if (d->items[i].severity == TF_ERROR) return true;
  return false;
}

void tf_diags_move(tf_diags *dst, tf_diags *src) {
  if (!src || !src->len) return;
  if (!dst) {
    tf_diags_free(src);
    return;
  }
  if (dst->len + src->len > dst->cap) {
    size_t cap = dst->len + src->len;
    tf_diag *items = realloc(dst->items, cap * sizeof(*items));
    if (!items) {
      tf_diags_free(src);
      return;
    }
    dst->items = items;
    dst->cap = cap;
  }
  memcpy(dst->items + dst->len, src->items, src->len * sizeof(*src->items));
  dst->len += src->len;
  free(src->items);
  tf_diags_init(src);
}

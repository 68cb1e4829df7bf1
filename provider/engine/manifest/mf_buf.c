/* engine/manifest — a growable string; remembers running out of memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

static bool grow(mf_buf *b, size_t extra) {
  if (b->oom) return false;
  if (extra > SIZE_MAX / 2 - b->len) {
    b->oom = 1;
    return false;
  }
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  char *p = realloc(b->ptr, cap);
  if (!p) {
    b->oom = 1;
    return false;
  }
  b->ptr = p;
  b->cap = cap;
  return true;
}

void mf_buf_put(mf_buf *b, const char *s, size_t n) {
  if (!grow(b, n)) return;
  if (n) memcpy(b->ptr + b->len, s, n);
  b->len += n;
  b->ptr[b->len] = '\0';
}

void mf_buf_puts(mf_buf *b, const char *s) {
  mf_buf_put(b, s, strlen(s));
}

void mf_buf_putc(mf_buf *b, char c) {
  mf_buf_put(b, &c, 1);
}

void mf_buf_printf(mf_buf *b, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->oom = 1;
    return;
  }
  if ((size_t)n < sizeof(tmp)) {
    mf_buf_put(b, tmp, (size_t)n);
    return;
  }
  if (!grow(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

char *mf_buf_detach(mf_buf *b) {
  if (b->oom) {
    mf_buf_free(b);
    return NULL;
  }
  if (!b->ptr && !grow(b, 0)) return NULL;
  b->ptr[b->len] = '\0';
  char *p = b->ptr;
  memset(b, 0, sizeof(*b));
  return p;
}

void mf_buf_free(mf_buf *b) {
  free(b->ptr);
  memset(b, 0, sizeof(*b));
}

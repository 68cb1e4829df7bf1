/*
 * Small string and buffer helpers shared by the tf module.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"

char *tf_strdup(const char *s) {
  return s ? tf_strndup(s, strlen(s)) : NULL;
}

char *tf_strndup(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

static bool buf_grow(tf_buf *b, size_t extra) {
  if (b->oom) return false;
  if (b->len + extra + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->oom = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void tf_buf_put(tf_buf *b, const char *s, size_t n) {
  if (!buf_grow(b, n)) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void tf_buf_puts(tf_buf *b, const char *s) {
  tf_buf_put(b, s, strlen(s));
}

void tf_buf_printf(tf_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !buf_grow(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void tf_buf_quote(tf_buf *b, const char *s, size_t n) {
  tf_buf_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"':
      tf_buf_put(b, "\\\"", 2);
      break;
    case '\\':
      tf_buf_put(b, "\\\\", 2);
      break;
    case '\n':
      tf_buf_put(b, "\\n", 2);
      break;
    case '\r':
      tf_buf_put(b, "\\r", 2);
      break;
    case '\t':
      tf_buf_put(b, "\\t", 2);
      break;
    default:
      if (c < 0x20 || c == 0x7f)
        tf_buf_printf(b, "\\u%04x", c);
      else
        tf_buf_put(b, (const char *)&s[i], 1);
    }
  }
  tf_buf_put(b, "\"", 1);
}

char *tf_buf_finish(tf_buf *b) {
  if (b->oom) {
    free(b->p);
    b->p = NULL;
    return NULL;
  }
  if (!b->p) return tf_strdup("");
  char *p = b->p;
  b->p = NULL;
  return p;
}

/* helm_error: heap messages with the C location that raised them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

void helm_error_clear(helm_error *err) {
  if (!err) return;
  free(err->message);
  err->message = NULL;
  err->code = 0;
  err->file = NULL;
  err->line = 0;
}

const char *helm_strerror(int code) {
  switch (code) {
  case HELM_OK:
    return "HELM_OK";
  case HELM_EINVALID:
    return "HELM_EINVALID";
  case HELM_ENOTFOUND:
    return "HELM_ENOTFOUND";
  case HELM_EIO:
    return "HELM_EIO";
  case HELM_ENOMEM:
    return "HELM_ENOMEM";
  case HELM_ETOOBIG:
    return "HELM_ETOOBIG";
  case HELM_EUNSAFE:
    return "HELM_EUNSAFE";
  case HELM_ESCHEMA:
    return "HELM_ESCHEMA";
  case HELM_ERENDER:
    return "HELM_ERENDER";
  case HELM_EYAML:
    return "HELM_EYAML";
  default:
    return "HELM_EUNKNOWN";
  }
}

static char *vfmt(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

int helm_error_set(helm_error *err, int code, const char *file, int line, const char *fmt, ...) {
  if (!err) return code;
  va_list ap;
  va_start(ap, fmt);
  char *m = vfmt(fmt, ap);
  va_end(ap);
  free(err->message);
  err->message = m;
  err->code = code;
  err->file = file;
  err->line = line;
  return code;
}

int helm_error_wrap(helm_error *err, const char *fmt, ...) {
  if (!err) return HELM_EINVALID;
  va_list ap;
  va_start(ap, fmt);
  char *p = vfmt(fmt, ap);
  va_end(ap);
  if (!p) return err->code;
  const char *old = err->message ? err->message : "";
  size_t n = strlen(p) + strlen(old) + 3;
  char *m = malloc(n);
  if (m) {
    snprintf(m, n, "%s: %s", p, old);
    free(err->message);
    err->message = m;
  }
  free(p);
  return err->code;
}

static _Thread_local helm_sb *warn_sink;

void helm_warn_begin(helm_sb *sink) {
  warn_sink = sink;
}

void helm_warnf(const char *fmt, ...) {
  if (!warn_sink) return;
  va_list ap;
  va_start(ap, fmt);
  char *m = vfmt(fmt, ap);
  va_end(ap);
  if (m) {
    helm_sb_puts(warn_sink, m);
    helm_sb_putc(warn_sink, '\n');
  }
  free(m);
}

/* engine/manifest — filling and formatting mf_error. */
#include <stdio.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

int mf_err_set(mf_error *err, int code, const char *file, int line, int column, const char *fmt,
               ...) {
  if (!err) return code;
  memset(err, 0, sizeof(*err));
  err->code = code;
  if (file) snprintf(err->file, sizeof(err->file), "%s", file);
  err->line = line;
  err->column = column;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  return code;
}

int mf_err_oom(mf_error *err, const char *file) {
  return mf_err_set(err, MF_ENOMEM, file, 0, 0, "out of memory");
}

const char *mf_error_format(const mf_error *err, char *buf, size_t cap) {
  if (!buf || cap == 0) return "";
  buf[0] = '\0';
  if (!err) return buf;
  size_t n = 0;
  int w = 0;
  if (err->file[0]) {
    w = snprintf(buf, cap, "%s:", err->file);
    if (w > 0) n = (size_t)w < cap ? (size_t)w : cap - 1;
  }
  if (err->line > 0 && n < cap) {
    w = err->column > 0 ? snprintf(buf + n, cap - n, "%d:%d:", err->line, err->column)
                        : snprintf(buf + n, cap - n, "%d:", err->line);
    if (w > 0) n += (size_t)w < cap - n ? (size_t)w : cap - n - 1;
  }
  if (n < cap) snprintf(buf + n, cap - n, "%s%s", n ? " " : "", err->message);
  return buf;
}

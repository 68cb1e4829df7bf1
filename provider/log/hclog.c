#include "log/hclog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static hclog_level g_level = HCLOG_ERROR;
static pthread_mutex_t g_write_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error"};

hclog_level hclog_parse_level(const char *s) {
  static const char *const upper[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};
  if (!s || !*s) return HCLOG_OFF;
  for (int i = 0; i <= HCLOG_OFF; i++)
    if (strcasecmp(s, upper[i]) == 0) return (hclog_level)i;
  return HCLOG_TRACE; /* JSON and anything unrecognised mean TRACE to Terraform */
}

void hclog_init(void) {
  const char *v = getenv("TF_LOG_PROVIDER_GITOPS");
  if (!v || !*v) v = getenv("TF_LOG_PROVIDER");
  if (!v || !*v) v = getenv("TF_LOG");
  g_level = hclog_parse_level(v);
  /* With logging off Terraform still scans error lines for crash reports. */
  if (g_level == HCLOG_OFF) g_level = HCLOG_ERROR;
}

int hclog_enabled(hclog_level level) {
  return level < HCLOG_OFF && level >= g_level;
}

/* Appends s as a JSON string body (without quotes); returns new length. */
static size_t json_escape(char *buf, size_t cap, size_t len, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char tmp[8];
    const char *out = tmp;
    size_t n;
    switch (*p) {
    case '"':
      out = "\\\"";
      n = 2;
      break;
    case '\\':
      out = "\\\\";
      n = 2;
      break;
    case '\n':
      out = "\\n";
      n = 2;
      break;
    case '\r':
      out = "\\r";
      n = 2;
      break;
    case '\t':
      out = "\\t";
      n = 2;
      break;
    default:
      if (*p < 0x20) {
        n = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *p);
      } else {
        tmp[0] = (char)*p;
        n = 1;
      }
    }
    if (len + n + 1 < cap) {
      memcpy(buf + len, out, n);
      len += n;
    }
  }
  buf[len < cap ? len : cap - 1] = '\0';
  return len;
}

static size_t append(char *buf, size_t cap, size_t len, const char *s) {
  size_t n = strlen(s);
  if (len + n + 1 < cap) {
    memcpy(buf + len, s, n);
    len += n;
    buf[len] = '\0';
  }
  return len;
}

static size_t append_field(char *buf, size_t cap, size_t len, const char *key, const char *val) {
  len = append(buf, cap, len, ",\"");
  len = json_escape(buf, cap, len, key);
  len = append(buf, cap, len, "\":\"");
  len = json_escape(buf, cap, len, val ? val : "");
  return append(buf, cap, len, "\"");
}

int hclog_format(char *buf, size_t cap, hclog_level level, const char *module, const char *message,
                 const char *const *kv) {
  struct timeval tv;
  struct tm tm;
  char ts[96];
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec % 1000000));
  if (level >= HCLOG_OFF) level = HCLOG_ERROR;
  buf[0] = '\0';
  size_t len = append(buf, cap, 0, "{\"@level\":\"");
  len = append(buf, cap, len, level_names[level]);
  len = append(buf, cap, len, "\",\"@message\":\"");
  len = json_escape(buf, cap, len, message ? message : "");
  len = append(buf, cap, len, "\"");
  len = append_field(buf, cap, len, "@module", module ? module : "provider");
  len = append_field(buf, cap, len, "@timestamp", ts);
  for (size_t i = 0; kv && kv[i]; i += 2) /* values are never NULL (see hclog_kv) */
    len = append_field(buf, cap, len, kv[i], kv[i + 1]);
  len = append(buf, cap, len, "}\n");
  return (int)len;
}

static void emit(hclog_level level, const char *module, const char *message,
                 const char *const *kv) {
  char line[8192];
  int n = hclog_format(line, sizeof line, level, module, message, kv);
  if (line[n - 1] != '\n') { /* truncated: keep the line well-formed */
    n = hclog_format(line, sizeof line, level, module, "(log message too long)", NULL);
  }
  pthread_mutex_lock(&g_write_lock);
  ssize_t off = 0;
  while (off < n) {
    ssize_t w = write(STDERR_FILENO, line + off, (size_t)(n - off));
    if (w <= 0) break;
    off += w;
  }
  pthread_mutex_unlock(&g_write_lock);
}

void hclog_kv(hclog_level level, const char *module, const char *message, ...) {
  if (!hclog_enabled(level)) return;
  const char *kv[33];
  size_t n = 0;
  va_list ap;
  va_start(ap, message);
  for (const char *k; n + 2 < sizeof kv / sizeof kv[0] && (k = va_arg(ap, const char *));) {
    kv[n++] = k;
    kv[n++] = va_arg(ap, const char *);
    if (!kv[n - 1]) kv[n - 1] = "";
  }
  va_end(ap);
  kv[n] = NULL;
  emit(level, module, message, kv);
}

void hclog_logf(hclog_level level, const char *module, const char *fmt, ...) {
  if (!hclog_enabled(level)) return;
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  emit(level, module, msg, NULL);
}

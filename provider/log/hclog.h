/*
 * hclog — JSON log lines on stderr in go-hclog's format, which Terraform parses
 * and re-logs under provider.terraform-provider-gitops. The level comes from
 * TF_LOG_PROVIDER_GITOPS, TF_LOG_PROVIDER or TF_LOG, as Terraform reads them.
 * Never pass secrets to these functions.
 */
#ifndef HCLOG_H
#define HCLOG_H

#include <stddef.h>

typedef enum {
  HCLOG_TRACE = 0,
  HCLOG_DEBUG,
  HCLOG_INFO,
  HCLOG_WARN,
  HCLOG_ERROR,
  HCLOG_OFF
} hclog_level;

/* Reads the environment once; safe to call again (tests). */
void hclog_init(void);
int hclog_enabled(hclog_level level);
/* Parses TRACE|DEBUG|INFO|WARN|ERROR|OFF|JSON (case-insensitive); unknown → TRACE,
 * NULL/empty → OFF, as Terraform does. */
hclog_level hclog_parse_level(const char *s);
/* Writes one line: {"@level":…,"@message":…,"@module":…,"@timestamp":…, k:v…}.
 * kv is a NULL-terminated list of key, value string pairs (values may be NULL). */
void hclog_kv(hclog_level level, const char *module, const char *message, ...);
/* printf-style message without extra fields. */
void hclog_logf(hclog_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Formats a line into buf (used by hclog_kv and tests); returns its length. */
int hclog_format(char *buf, size_t cap, hclog_level level, const char *module, const char *message,
                 const char *const *kv);

#endif

/* Error codes, messages and the API server's Status → message. */
#include "engine/kube/kube_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

const char *kube_strerror(int code) {
  switch (code) {
  case KUBE_OK:
    return "KUBE_OK";
  case KUBE_EINVALID:
    return "KUBE_EINVALID";
  case KUBE_ECONFIG:
    return "KUBE_ECONFIG";
  case KUBE_EAUTH:
    return "KUBE_EAUTH";
  case KUBE_EFORBIDDEN:
    return "KUBE_EFORBIDDEN";
  case KUBE_ENOTFOUND:
    return "KUBE_ENOTFOUND";
  case KUBE_ECONFLICT:
    return "KUBE_ECONFLICT";
  case KUBE_ENOKIND:
    return "KUBE_ENOKIND";
  case KUBE_EREJECTED:
    return "KUBE_EREJECTED";
  case KUBE_ESERVER:
    return "KUBE_ESERVER";
  case KUBE_ENETWORK:
    return "KUBE_ENETWORK";
  case KUBE_ECANCELLED:
    return "KUBE_ECANCELLED";
  case KUBE_ETIMEOUT:
    return "KUBE_ETIMEOUT";
  case KUBE_EDEGRADED:
    return "KUBE_EDEGRADED";
  case KUBE_ETOOBIG:
    return "KUBE_ETOOBIG";
  case KUBE_EIO:
    return "KUBE_EIO";
  case KUBE_ENOMEM:
    return "KUBE_ENOMEM";
  default:
    return "KUBE_E?";
  }
}

int kube__set(kube_error *err, int code, const char *fmt, ...) {
  if (err) {
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
  }
  return code;
}

void kube__prefix(kube_error *err, const char *fmt, ...) {
  if (!err) return;
  kube_buf b = {0};
  char pre[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pre, sizeof(pre), fmt, ap);
  va_end(ap);
  kube__buf_printf(&b, "%s: ", pre);
  kube__buf_puts(&b, err->message);
  char *s = kube__buf_take(&b);
  if (s) {
    size_t n = strlen(s);
    if (n >= sizeof(err->message)) n = sizeof(err->message) - 1;
    memcpy(err->message, s, n);
    err->message[n] = 0;
    free(s);
  }
}

int kube__code_for_status(long status) {
  if (status >= 200 && status < 300) return KUBE_OK;
  switch (status) {
  case 400:
  case 422:
  case 415:
  case 405:
    return KUBE_EREJECTED;
  case 401:
    return KUBE_EAUTH;
  case 403:
    return KUBE_EFORBIDDEN;
  case 404:
  case 410:
    return KUBE_ENOTFOUND;
  case 409:
    return KUBE_ECONFLICT;
  case 413:
    return KUBE_ETOOBIG;
  default:
    return KUBE_ESERVER;
  }
}

static const char *reason_phrase(long status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 413:
    return "Request Entity Too Large";
  case 415:
    return "Unsupported Media Type";
  case 422:
    return "Unprocessable Entity";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "";
  }
}

void kube__status_message(long status, const char *body, size_t len, char *buf, size_t cap) {
  const char *phrase = reason_phrase(status);
  cJSON *j = (body && len) ? cJSON_ParseWithLength(body, len) : NULL;
  const char *msg = j ? kube__jstr(j, "message") : NULL;
  if (msg && *msg) {
    kube_buf b = {0};
    kube__buf_puts(&b, msg);
    /* A conflict's causes name each field and manager; the message usually
     * has them already, add those it lacks. */
    const cJSON *causes = kube__jpath(j, "details.causes");
    const cJSON *cause;
    cJSON_ArrayForEach(cause, causes) {
      const char *cm = kube__jstr(cause, "message");
      const char *field = kube__jstr(cause, "field");
      if (cm && !strstr(msg, cm)) {
        kube__buf_printf(&b, "; %s", cm);
        if (field && !strstr(cm, field)) kube__buf_printf(&b, " (%s)", field);
      }
    }
    char *s = kube__buf_take(&b);
    snprintf(buf, cap, "%s", s ? s : msg);
    free(s);
  } else if (body && len && !j) {
    /* Not JSON (a proxy's page): a short printable excerpt. */
    char ex[201];
    size_t k = 0;
    for (size_t i = 0; i < len && k < sizeof(ex) - 1; i++) {
      unsigned char ch = (unsigned char)body[i];
      ex[k++] = (isprint(ch) ? (char)ch : ' ');
    }
    ex[k] = 0;
    while (k && ex[k - 1] == ' ')
      ex[--k] = 0;
    snprintf(buf, cap, "HTTP %ld %s%s%s", status, phrase, k ? ": " : "", ex);
  } else {
    snprintf(buf, cap, "HTTP %ld %s", status, phrase);
  }
  cJSON_Delete(j);
}

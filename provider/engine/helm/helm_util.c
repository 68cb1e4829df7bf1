/* Small string / file helpers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/helm/helm_internal.h"

int helm_sb_add(helm_sb *b, const char *s, size_t n) {
  if (b->oom) return -1;
  if (b->len + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 64;
    while (nc < b->len + n + 1)
      nc *= 2;
    char *p = realloc(b->s, nc);
    if (!p) {
      b->oom = 1;
      return -1;
    }
    b->s = p;
    b->cap = nc;
  }
  if (n) memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
  return 0;
}

int helm_sb_puts(helm_sb *b, const char *s) {
  return helm_sb_add(b, s, strlen(s));
}
int helm_sb_putc(helm_sb *b, char c) {
  return helm_sb_add(b, &c, 1);
}

int helm_sb_printf(helm_sb *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) {
    va_end(ap);
    return -1;
  }
  char *tmp = malloc((size_t)n + 1);
  if (!tmp) {
    va_end(ap);
    b->oom = 1;
    return -1;
  }
  vsnprintf(tmp, (size_t)n + 1, fmt, ap);
  va_end(ap);
  int rc = helm_sb_add(b, tmp, (size_t)n);
  free(tmp);
  return rc;
}

char *helm_sb_take(helm_sb *b) {
  if (b->oom) {
    helm_sb_free(b);
    return NULL;
  }
  if (!b->s && helm_sb_add(b, "", 0) != 0) return NULL;
  char *s = b->s;
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

void helm_sb_free(helm_sb *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
}

char *helm_strdup(const char *s) {
  return s ? strdup(s) : NULL;
}

char *helm_strndup(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

int helm_has_prefix(const char *s, const char *p) {
  return strncmp(s, p, strlen(p)) == 0;
}

int helm_has_suffix(const char *s, const char *p) {
  size_t a = strlen(s), b = strlen(p);
  return a >= b && memcmp(s + a - b, p, b) == 0;
}

int helm_read_file(const char *path, size_t limit, char **data, size_t *len, helm_error *err) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    int e = errno;
    if (e == ENOENT)
      return HELM_ERR(err, HELM_ENOTFOUND, "open %s: no such file or directory", path);
    return HELM_ERR(err, HELM_EIO, "open %s: %s", path, strerror(e));
  }
  helm_sb b = {0};
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    if (limit && b.len + n > limit) {
      if (f != stdin) fclose(f);
      helm_sb_free(&b);
      return HELM_ERR(err, HELM_ETOOBIG, "%s is larger than %zu bytes", path, limit);
    }
    if (helm_sb_add(&b, buf, n) != 0) {
      if (f != stdin) fclose(f);
      helm_sb_free(&b);
      return HELM_ENOMEM_ERR(err);
    }
  }
  int bad = ferror(f);
  if (f != stdin) fclose(f);
  if (bad) {
    helm_sb_free(&b);
    return HELM_ERR(err, HELM_EIO, "read %s: is a directory", path);
  }
  *len = b.len;
  *data = helm_sb_take(&b);
  if (!*data) return HELM_ENOMEM_ERR(err);
  return 0;
}

/* Shortest round-trip digits of f: digits (no dot) and decimal exponent. */
static void shortest(double f, char *digits, size_t *nd_out, int *exp_out, int *neg) {
  char tmp[64];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
    if (strtod(tmp, NULL) == f) break;
  }
  size_t nd = 0;
  const char *p = tmp;
  *neg = 0;
  if (*p == '-') {
    *neg = 1;
    p++;
  }
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9') digits[nd++] = *p;
  digits[nd] = 0;
  *exp_out = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0')
    digits[--nd] = 0;
  *nd_out = nd;
}

/* Go's strconv.FormatFloat(f, 'g', -1, 64) (what %v prints for a float64) or,
 * with json, encoding/json's float64 text. */
void helm_format_float_mode(double f, int json, char *buf, size_t cap) {
  if (f != f) {
    snprintf(buf, cap, "NaN");
    return;
  }
  if (f > 1.7976931348623157e308 || f < -1.7976931348623157e308) {
    snprintf(buf, cap, "%cInf", f > 0 ? '+' : '-');
    return;
  }
  if (f == 0) {
    snprintf(buf, cap, "%s0", signbit(f) && !json ? "-" : "");
    return;
  }
  char digits[32];
  size_t nd;
  int exp, neg;
  shortest(f, digits, &nd, &exp, &neg);
  int use_e;
  if (json) {
    double a = fabs(f);
    use_e = a < 1e-6 || a >= 1e21;
  } else {
    use_e = exp < -4 || exp >= 6;
    /* Go: eprec = 6 for shortest, but when the digits fill the integer
     * part exactly (nd > 6 is impossible to print shorter)… keep Go's rule */
    if (!use_e && exp >= (int)nd && exp >= 6) use_e = 1;
  }
  helm_sb b = {0};
  if (neg) helm_sb_putc(&b, '-');
  if (use_e) {
    helm_sb_putc(&b, digits[0]);
    if (nd > 1) {
      helm_sb_putc(&b, '.');
      helm_sb_add(&b, digits + 1, nd - 1);
    }
    int ae = exp < 0 ? -exp : exp;
    if (json)
      helm_sb_printf(&b, "e%c%d", exp < 0 ? '-' : '+', ae);
    else
      helm_sb_printf(&b, "e%c%02d", exp < 0 ? '-' : '+', ae);
  } else if (exp < 0) {
    helm_sb_puts(&b, "0.");
    for (int i = 0; i < -exp - 1; i++)
      helm_sb_putc(&b, '0');
    helm_sb_add(&b, digits, nd);
  } else {
    for (int i = 0; i <= exp; i++)
      helm_sb_putc(&b, (size_t)i < nd ? digits[i] : '0');
    if ((size_t)exp + 1 < nd) {
      helm_sb_putc(&b, '.');
      helm_sb_add(&b, digits + exp + 1, nd - (size_t)exp - 1);
    }
  }
  char *s = helm_sb_take(&b);
  snprintf(buf, cap, "%s", s ? s : "0");
  free(s);
}

void helm_format_float(double f, char *buf, size_t cap) {
  helm_format_float_mode(f, 0, buf, cap);
}

/* engine/manifest — numbers as Go prints and parses them (strconv,
 * encoding/json), and the raw cJSON items that carry them exactly. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

/* Shortest decimal digits that read back as v (v > 0, finite): digits
 * "d1d2...dn" and dp such that v = 0.d1d2...dn x 10^dp. */
static void shortest(double v, int bits, char *digits, int *nd, int *dp) {
  char tmp[64];
  int maxp = bits == 32 ? 9 : 17;
  for (int p = 1; p <= maxp; p++) {
    snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
    double back = strtod(tmp, NULL);
    bool ok = bits == 32 ? (float)back == (float)v : back == v;
    if (ok || p == maxp) break;
  }
  /* tmp is "d.ddde[+-]XX" */
  int n = 0;
  const char *s = tmp;
  for (; *s && *s != 'e'; s++)
    if (*s >= '0' && *s <= '9') digits[n++] = *s;
  int exp = *s == 'e' ? atoi(s + 1) : 0;
  while (n > 1 && digits[n - 1] == '0')
    n--;
  digits[n] = '\0';
  *nd = n;
  *dp = exp + 1;
}

static void fmt_e(char *out, size_t cap, bool neg, const char *d, int nd, int dp, bool json) {
  char mant[40];
  size_t m = 0;
  mant[m++] = d[0];
  if (nd > 1) {
    mant[m++] = '.';
    for (int i = 1; i < nd; i++)
      mant[m++] = d[i];
  }
  mant[m] = '\0';
  int exp = dp - 1;
  if (json && exp < 0 && exp > -10)
    snprintf(out, cap, "%s%se-%d", neg ? "-" : "", mant, -exp);
  else
    snprintf(out, cap, "%s%se%c%02d", neg ? "-" : "", mant, exp < 0 ? '-' : '+',
             exp < 0 ? -exp : exp);
}

static void fmt_f(char *out, size_t cap, bool neg, const char *d, int nd, int dp) {
  mf_buf b = {0};
  if (neg) mf_buf_putc(&b, '-');
  if (dp > 0) {
    for (int i = 0; i < dp; i++)
      mf_buf_putc(&b, i < nd ? d[i] : '0');
  } else {
    mf_buf_putc(&b, '0');
  }
  int prec = nd - dp > 0 ? nd - dp : 0;
  if (prec > 0) {
    mf_buf_putc(&b, '.');
    for (int i = 1; i <= prec; i++) {
      int j = dp + i - 1;
      mf_buf_putc(&b, j >= 0 && j < nd ? d[j] : '0');
    }
  }
  snprintf(out, cap, "%s", b.ptr && !b.oom ? b.ptr : "0");
  mf_buf_free(&b);
}

void mf_fmt_go_g(double v, int bits, char *out, size_t cap) {
  if (bits == 32) v = (double)(float)v;
  if (isnan(v)) {
    snprintf(out, cap, "NaN");
    return;
  }
  if (isinf(v)) {
    snprintf(out, cap, "%cInf", v < 0 ? '-' : '+');
    return;
  }
  bool neg = signbit(v);
  if (v == 0) {
    snprintf(out, cap, "%s0", neg ? "-" : "");
    return;
  }
  char d[40];
  int nd, dp;
  shortest(fabs(v), bits, d, &nd, &dp);
  int exp = dp - 1;
  if (exp < -4 || exp >= 6) /* shortest: eprec = 6 */
    fmt_e(out, cap, neg, d, nd, dp, false);
  else
    fmt_f(out, cap, neg, d, nd, dp);
}

void mf_fmt_go_json(double v, char *out, size_t cap) {
  bool neg = signbit(v);
  if (v == 0 || !isfinite(v)) {
    /* Go prints -0, but Kubernetes' unstructured decoding reads it as
     * the integer 0: that is the value the cluster holds. */
    snprintf(out, cap, "0");
    return;
  }
  char d[40];
  int nd, dp;
  double a = fabs(v);
  shortest(a, 64, d, &nd, &dp);
  if (a < 1e-6 || a >= 1e21)
    fmt_e(out, cap, neg, d, nd, dp, true);
  else
    fmt_f(out, cap, neg, d, nd, dp);
}

static int lower(int c) {
  return c | 0x20;
}

/* strconv.ParseUint(s, 0, 64) without underscores. */
bool mf_go_parse_uint(const char *s, uint64_t *out) {
  if (!s || !*s) return false;
  unsigned base = 10;
  if (s[0] == '0') {
    size_t n = strlen(s);
    if (n >= 3 && lower(s[1]) == 'b')
      base = 2, s += 2;
    else if (n >= 3 && lower(s[1]) == 'o')
      base = 8, s += 2;
    else if (n >= 3 && lower(s[1]) == 'x')
      base = 16, s += 2;
    else
      base = 8, s += 1;
  }
  uint64_t v = 0;
  for (; *s; s++) {
    unsigned c = (unsigned char)*s, d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (lower((int)c) >= 'a' && lower((int)c) <= 'z')
      d = (unsigned)(lower((int)c) - 'a' + 10);
    else
      return false;
    if (d >= base) return false;
    if (v > (UINT64_MAX - d) / base) return false; /* range */
    v = v * base + d;
  }
  *out = v;
  return true;
}

/* strconv.ParseInt(s, 0, 64) without underscores. */
bool mf_go_parse_int(const char *s, int64_t *out) {
  if (!s || !*s) return false;
  bool neg = false;
  if (*s == '+' || *s == '-') {
    neg = *s == '-';
    s++;
  }
  uint64_t u;
  if (!mf_go_parse_uint(s, &u)) return false;
  if (!neg && u >= (UINT64_C(1) << 63)) return false;
  if (neg && u > (UINT64_C(1) << 63)) return false;
  *out = neg ? (int64_t)(0 - u) : (int64_t)u;
  return true;
}

/* strconv's underscoreOK for a decimal literal. */
static bool underscore_ok(const char *s) {
  char saw = '^';
  if (*s == '+' || *s == '-') s++;
  for (; *s; s++) {
    if (*s >= '0' && *s <= '9') {
      saw = '0';
      continue;
    }
    if (*s == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

/* Decimal float syntax: [+-] digits [. digits] [e [+-] digits] with at
 * least one mantissa digit; underscores as Go allows them. Go's ParseFloat
 * also takes hex floats, inf and nan; our callers never pass those texts
 * here except through the '.' hint, where they cannot start with '.'. */
bool mf_go_parse_float(const char *s, double *out) {
  if (!s || !*s) return false;
  char clean[512];
  size_t n = 0;
  bool us = false, digits = false;
  const char *p = s;
  if (*p == '+' || *p == '-') clean[n++] = *p++;
  for (; *p && *p != 'e' && *p != 'E'; p++) {
    if (*p == '_') {
      us = true;
      continue;
    }
    if (*p >= '0' && *p <= '9')
      digits = true;
    else if (*p != '.')
      return false;
    if (n >= sizeof(clean) - 40) return false;
    clean[n++] = *p;
  }
  {
    int dots = 0;
    for (size_t i = 0; i < n; i++)
      dots += clean[i] == '.';
    if (dots > 1 || !digits) return false;
  }
  if (*p == 'e' || *p == 'E') {
    clean[n++] = 'e';
    p++;
    if (*p == '+' || *p == '-') clean[n++] = *p++;
    bool ed = false;
    for (; *p; p++) {
      if (*p == '_') {
        us = true;
        continue;
      }
      if (*p < '0' || *p > '9') return false;
      ed = true;
      if (n >= sizeof(clean) - 2) return false;
      clean[n++] = *p;
    }
    if (!ed) return false;
  }
  clean[n] = '\0';
  if (us && !underscore_ok(s)) return false;
  double v = strtod(clean, NULL);
  if (isinf(v)) return false;
  *out = v;
  return true;
}

bool mf_is_json_number(const char *s, size_t len) {
  size_t i = 0;
  if (i < len && s[i] == '-') i++;
  if (i >= len) return false;
  if (s[i] == '0') {
    i++;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++;
  } else {
    return false;
  }
  if (i < len && s[i] == '.') {
    i++;
    if (i >= len || s[i] < '0' || s[i] > '9') return false;
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    if (i >= len || s[i] < '0' || s[i] > '9') return false;
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++;
  }
  return i == len;
}

cJSON *mf_raw_number(const char *text) {
  return cJSON_CreateRaw(text);
}

bool mf_is_number(const cJSON *item) {
  if (!item) return false;
  if (cJSON_IsNumber(item)) return true;
  return cJSON_IsRaw(item) && item->valuestring &&
         mf_is_json_number(item->valuestring, strlen(item->valuestring));
}

int mf_number_text(const cJSON *item, char *buf, size_t cap) {
  if (!buf || cap == 0 || !mf_is_number(item)) return MF_EINVAL;
  char tmp[64];
  const char *t = tmp;
  if (cJSON_IsRaw(item)) {
    t = item->valuestring;
  } else {
    double d = item->valuedouble;
    if (!isfinite(d)) return MF_EINVAL;
    if (d == floor(d) && fabs(d) < 9007199254740992.0 && !(d == 0 && signbit(d)))
      snprintf(tmp, sizeof(tmp), "%lld", (long long)d);
    else
      mf_fmt_go_json(d, tmp, sizeof(tmp));
  }
  size_t n = strlen(t);
  if (n >= cap) return MF_ERANGE;
  memcpy(buf, t, n + 1);
  return 0;
}

int mf_number_value(const cJSON *item, double *out) {
  if (!out || !mf_is_number(item)) return MF_EINVAL;
  *out = cJSON_IsRaw(item) ? strtod(item->valuestring, NULL) : item->valuedouble;
  return 0;
}

cJSON *mf_number_create(const char *text) {
  if (!text || !mf_is_json_number(text, strlen(text))) return NULL;
  /* Canonicalise: integers stay as written (minus "-0" -> "0"); others
   * become Go's float64 text. */
  if (!strpbrk(text, ".eE")) {
    if (strcmp(text, "-0") == 0) return mf_raw_number("0");
    return mf_raw_number(text);
  }
  double v = strtod(text, NULL);
  if (!isfinite(v)) return NULL;
  char tmp[64];
  mf_fmt_go_json(v, tmp, sizeof(tmp));
  return mf_raw_number(tmp);
}

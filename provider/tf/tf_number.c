/*
 * Numbers as canonical decimal text. cty numbers are arbitrary-precision
 * decimals (big.Float with 512 bits); keeping the text instead of a double lets
 * "0.1" and integers beyond 2^63 pass through the provider unchanged.
 *
 * The canonical form is what Go's big.Float.Text('f', -1) prints: plain
 * positional notation, no exponent, no leading zeros, no trailing fractional
 * zeros, "-0" written "0", infinities "+Inf"/"-Inf".
 *
 * A number that arrives as a binary double gets the double's shortest
 * round-trip digits, which is also cty's text (and so its equality) for such a
 * number, except for subnormals and for powers of two needing more than 17
 * digits, where Go's big.Float picks slightly different digits. No Terraform
 * value is affected in practice; the double itself is kept for re-encoding.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"

/* Decimal exponents beyond this are rejected: the positional text of 1e1000000
 * would be a megabyte, and no Terraform value comes anywhere near it. */
#define NUM_MAX_EXP 4096

static bool is_inf_text(const char *s, size_t len, int *sign) {
  *sign = 1;
  if (len && (s[0] == '+' || s[0] == '-')) {
    *sign = s[0] == '-' ? -1 : 1;
    s++;
    len--;
  }
  return (len == 3 && !strncasecmp(s, "inf", 3)) || (len == 8 && !strncasecmp(s, "infinity", 8));
}

char *tf_num_canonical(const char *s, size_t len) {
  int sign;
  if (!s) return NULL;
  if (is_inf_text(s, len, &sign)) return tf_strdup(sign < 0 ? "-Inf" : "+Inf");

  size_t i = 0;
  bool neg = false;
  if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';

  /* Collect significant digits into a buffer; exp10 counts the decimal shift so
   * that value = digits * 10^exp10. */
  char *digits = malloc(len + 1);
  if (!digits) return NULL;
  size_t nd = 0, ndigits_seen = 0;
  long exp10 = 0;
  bool point = false;
  for (; i < len; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      ndigits_seen++;
      if (nd == 0 && c == '0') {
        if (point) exp10--; /* leading zero after the point */
        continue;
      }
      digits[nd++] = c;
      if (point) exp10--;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (ndigits_seen == 0) goto bad;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    bool eneg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    if (i >= len) goto bad;
    long e = 0;
    for (; i < len; i++) {
      if (s[i] < '0' || s[i] > '9') goto bad;
      if (e < 100000000) e = e * 10 + (s[i] - '0'); /* saturate; rejected below */
    }
    exp10 += eneg ? -e : e;
  }
  if (i != len) goto bad;

  /* Drop trailing zeros of the significand into the exponent. */
  while (nd > 0 && digits[nd - 1] == '0') {
    nd--;
    exp10++;
  }
  if (nd == 0) {
    free(digits);
    return tf_strdup("0");
  }
  if (exp10 > NUM_MAX_EXP || exp10 + (long)nd < -NUM_MAX_EXP) goto bad;

  size_t cap = nd + (size_t)labs(exp10) + 4;
  char *out = malloc(cap);
  if (!out) goto bad;
  size_t o = 0;
  if (neg) out[o++] = '-';
  if (exp10 >= 0) {
    memcpy(out + o, digits, nd);
    o += nd;
    memset(out + o, '0', (size_t)exp10);
    o += (size_t)exp10;
  } else {
    size_t frac = (size_t)-exp10;
    if (nd > frac) {
      memcpy(out + o, digits, nd - frac);
      o += nd - frac;
      out[o++] = '.';
      memcpy(out + o, digits + nd - frac, frac);
      o += frac;
    } else {
      out[o++] = '0';
      out[o++] = '.';
      memset(out + o, '0', frac - nd);
      o += frac - nd;
      memcpy(out + o, digits, nd);
      o += nd;
    }
  }
  out[o] = '\0';
  free(digits);
  return out;

bad:
  free(digits);
  return NULL;
}

char *tf_num_from_double(double d) {
  if (isnan(d)) return NULL;
  if (isinf(d)) return tf_strdup(d < 0 ? "-Inf" : "+Inf");
  /* The shortest %e form that reads back as the same double. */
  char buf[64];
  for (int prec = 0; prec <= 17; prec++) {
    snprintf(buf, sizeof(buf), "%.*e", prec, d);
    if (strtod(buf, NULL) == d) break;
  }
  return tf_num_canonical(buf, strlen(buf));
}

bool tf_num_is_inf(const char *canon, int *sign) {
  return is_inf_text(canon, strlen(canon), sign);
}

bool tf_num_to_i64(const char *canon, int64_t *out) {
  int sign;
  if (!canon || strchr(canon, '.') || tf_num_is_inf(canon, &sign)) return false;
  errno = 0;
  char *end;
  long long v = strtoll(canon, &end, 10);
  if (errno || *end || end == canon) return false;
  *out = v;
  return true;
}

bool tf_num_exact_double(const char *canon, double *out) {
  int sign;
  if (!canon) return false;
  if (tf_num_is_inf(canon, &sign)) {
    *out = sign < 0 ? -INFINITY : INFINITY;
    return true;
  }
  /* A double has at most 767 significant decimal digits and 1074 fractional
   * ones; anything longer cannot be exact. */
  const char *dot = strchr(canon, '.');
  if (dot && strlen(dot + 1) > 1074) return false;
  double d = strtod(canon, NULL);
  if (!isfinite(d)) return false;
  /* glibc prints the exact binary value; compare it with the text. */
  char buf[1500];
  snprintf(buf, sizeof(buf), "%.1074f", d);
  char *p = strchr(buf, '.');
  if (p) {
    char *e = buf + strlen(buf);
    while (e > p + 1 && e[-1] == '0')
      e--;
    if (e == p + 1) e = p;
    *e = '\0';
  }
  const char *b = buf;
  if (!strcmp(b, "-0")) b = "0";
  if (strcmp(b, canon) != 0) return false;
  *out = d;
  return true;
}

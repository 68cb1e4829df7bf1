/* engine/manifest — UTF-8 validation and Go-style repair (U+FFFD). */
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

/* Mirrors Go's utf8.DecodeRune acceptance: shortest form only, no
 * surrogates, nothing above U+10FFFF. */
size_t mf_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
  if (n == 0) return 0;
  unsigned c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

bool mf_utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  uint32_t cp;
  while (i < n) {
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    size_t k = mf_utf8_seq(p + i, n - i, &cp);
    if (!k) return false;
    i += k;
  }
  return true;
}

char *mf_utf8_sanitize(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  if (n > (SIZE_MAX - 1) / 3) return NULL;
  char *out = malloc(n * 3 + 1);
  if (!out) return NULL;
  size_t o = 0, i = 0;
  uint32_t cp;
  while (i < n) {
    size_t k = p[i] < 0x80 ? 1 : mf_utf8_seq(p + i, n - i, &cp);
    if (k) {
      memcpy(out + o, p + i, k);
      o += k;
      i += k;
    } else {
      memcpy(out + o, "\xEF\xBF\xBD", 3);
      o += 3;
      i += 1;
    }
  }
  out[o] = '\0';
  return out;
}

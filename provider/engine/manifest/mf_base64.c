/* engine/manifest — base64 as Go's base64.StdEncoding.DecodeString reads
 * it (for !!binary): padding required, '\r' and '\n' ignored, nothing else. */
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_yaml.h"

static int val(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

char *mf_base64_decode(const char *s, size_t n, size_t *outlen, bool *oom) {
  *oom = false;
  char *clean = malloc(n + 1);
  char *out = malloc(n / 4 * 3 + 4);
  if (!clean || !out) {
    free(clean);
    free(out);
    *oom = true;
    return NULL;
  }
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] != '\r' && s[i] != '\n') clean[m++] = s[i];
  size_t o = 0;
  bool ok = m % 4 == 0;
  for (size_t i = 0; ok && i < m; i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      unsigned char c = (unsigned char)clean[i + k];
      if (c == '=') {
        /* only at the end: "xx==" or "xxx=" */
        if (i + 4 != m || k < 2 || (k == 2 && clean[i + 3] != '=')) {
          ok = false;
          break;
        }
        v[k] = 0;
        pad++;
      } else {
        if (pad) {
          ok = false;
          break;
        }
        v[k] = val(c);
        if (v[k] < 0) {
          ok = false;
          break;
        }
      }
    }
    if (!ok) break;
    unsigned triple = (unsigned)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out[o++] = (char)(triple >> 16);
    if (pad < 2) out[o++] = (char)(triple >> 8 & 0xFF);
    if (pad < 1) out[o++] = (char)(triple & 0xFF);
    /* Go rejects non-zero trailing bits (strict) only with Strict();
     * StdEncoding accepts them. */
  }
  free(clean);
  if (!ok) {
    free(out);
    return NULL;
  }
  out[o] = '\0';
  *outlen = o;
  return out;
}

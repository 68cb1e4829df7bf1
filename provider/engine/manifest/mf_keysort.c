/* engine/manifest — go-yaml v2's map key order (sorter.go keyList.Less) for
 * string keys: letters after non-letters, runs of digits compared as
 * numbers ("a2" < "a10"). unicode.IsLetter is approximated outside ASCII
 * by the main alphabetic blocks. */
#include <string.h>
#include "engine/manifest/mf_internal.h"

static bool is_letter(uint32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c == 0xAA || c == 0xB5 || c == 0xBA) return true;
  if (c < 0xC0) return false;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c <= 0x2C1) return true;
  if (c >= 0x370 && c <= 0x3FF)
    return c != 0x375 && c != 0x37E && c != 0x384 && c != 0x385 && c != 0x387;
  if ((c >= 0x400 && c <= 0x481) || (c >= 0x48A && c <= 0x52F)) return true;
  if ((c >= 0x531 && c <= 0x556) || (c >= 0x561 && c <= 0x587) || (c >= 0x5D0 && c <= 0x5EA))
    return true;
  if ((c >= 0x620 && c <= 0x64A) || (c >= 0x1E00 && c <= 0x1FBC)) return true;
  if ((c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x4E00 && c <= 0x9FFF))
    return true;
  if (c >= 0xAC00 && c <= 0xD7A3) return true;
  return false;
}

static bool is_digit(uint32_t c) {
  return c >= '0' && c <= '9';
}

/* Decodes s into runes (invalid bytes as U+FFFD, like Go's []rune). */
static size_t runes(const char *s, uint32_t *out, size_t cap) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), i = 0, k = 0;
  while (i < n && k < cap) {
    uint32_t cp;
    size_t l = p[i] < 0x80 ? (cp = p[i], 1) : mf_utf8_seq(p + i, n - i, &cp);
    if (!l) {
      cp = 0xFFFD;
      l = 1;
    }
    out[k++] = cp;
    i += l;
  }
  return k;
}

static bool less(const uint32_t *ar, size_t na, const uint32_t *br, size_t nb) {
  for (size_t i = 0; i < na && i < nb; i++) {
    if (ar[i] == br[i]) continue;
    bool al = is_letter(ar[i]), bl = is_letter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    uint64_t an = 0, bn = 0; /* Go's int64 arithmetic wraps the same way */
    size_t ai, bi;
    if (ar[i] == '0' || br[i] == '0') {
      for (size_t j = i; j-- > 0 && is_digit(ar[j]);) {
        if (ar[j] != '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    for (ai = i; ai < na && is_digit(ar[ai]); ai++)
      an = an * 10 + (ar[ai] - '0');
    for (bi = i; bi < nb && is_digit(br[bi]); bi++)
      bn = bn * 10 + (br[bi] - '0');
    if (an != bn) return (int64_t)an < (int64_t)bn;
    if (ai != bi) return ai < bi;
    return ar[i] < br[i];
  }
  return na < nb;
}

int mf_yaml_key_cmp(const char *a, const char *b) {
  uint32_t ra[512], rb[512];
  size_t na = runes(a, ra, 512), nb = runes(b, rb, 512);
  if (less(ra, na, rb, nb)) return -1;
  if (less(rb, nb, ra, na)) return 1;
  return strcmp(a, b);
}

/* Go's path/filepath.Match on '/'-separated names. */
#include <string.h>

#include "engine/helm/helm_internal.h"

/* Decode one UTF-8 rune; returns its length (1 for invalid bytes). */
static int rune_at(const char *s, unsigned *r) {
  const unsigned char *p = (const unsigned char *)s;
  if (p[0] < 0x80) {
    *r = p[0];
    return 1;
  }
  int n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 1;
  if (n == 1) {
    *r = 0xfffd;
    return 1;
  }
  unsigned v = p[0] & (0x7f >> n);
  for (int i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) {
      *r = 0xfffd;
      return 1;
    }
    v = (v << 6) | (p[i] & 0x3f);
  }
  *r = v;
  return n;
}

/* Scan a chunk: leading stars, then up to the next unescaped star. */
static const char *scan_chunk(const char *pat, int *star, size_t *clen) {
  *star = 0;
  while (*pat == '*') {
    pat++;
    *star = 1;
  }
  int inrange = 0;
  size_t i;
  for (i = 0; pat[i]; i++) {
    if (pat[i] == '\\') {
      if (pat[i + 1]) i++;
    } else if (pat[i] == '[') {
      inrange = 1;
    } else if (pat[i] == ']') {
      inrange = 0;
    } else if (pat[i] == '*' && !inrange) {
      break;
    }
  }
  *clen = i;
  return pat;
}

/* Go's getEsc */
static int get_esc(const char *c, size_t n, unsigned *r, size_t *used) {
  if (n == 0 || c[0] == '-' || c[0] == ']') return -1;
  size_t i = 0;
  if (c[0] == '\\') {
    i = 1;
    if (n == 1) return -1;
  }
  int l = rune_at(c + i, r);
  i += (size_t)l;
  if (i >= n) return -1;
  *used = i;
  return 0;
}

/* matchChunk: returns remaining name (as offset) or -1 no match, -2 bad pattern */
static long match_chunk(const char *chunk, size_t clen, const char *s) {
  size_t ci = 0, si = 0;
  size_t slen = strlen(s);
  int failed = 0;
  while (ci < clen) {
    if (!failed && si >= slen) failed = 1;
    char c = chunk[ci];
    if (c == '[') {
      unsigned r = 0;
      if (!failed) {
        int l = rune_at(s + si, &r);
        si += (size_t)l;
      }
      ci++;
      int negated = 0;
      if (ci < clen && chunk[ci] == '^') {
        negated = 1;
        ci++;
      }
      int match = 0, nrange = 0;
      for (;;) {
        if (ci < clen && chunk[ci] == ']' && nrange > 0) {
          ci++;
          break;
        }
        unsigned lo, hi;
        size_t used;
        if (get_esc(chunk + ci, clen - ci, &lo, &used) != 0) return -2;
        ci += used;
        hi = lo;
        if (ci < clen && chunk[ci] == '-') {
          if (get_esc(chunk + ci + 1, clen - ci - 1, &hi, &used) != 0) return -2;
          ci += 1 + used;
        }
        if (lo <= r && r <= hi) match = 1;
        nrange++;
      }
      if (match == negated) failed = 1;
    } else if (c == '?') {
      if (!failed) {
        if (s[si] == '/') failed = 1;
        unsigned r;
        si += (size_t)rune_at(s + si, &r);
      }
      ci++;
    } else if (c == '\\') {
      ci++;
      if (ci >= clen) return -2;
      if (!failed) {
        if (chunk[ci] != s[si]) failed = 1;
        si++;
      }
      ci++;
    } else {
      if (!failed) {
        if (chunk[ci] != s[si]) failed = 1;
        si++;
      }
      ci++;
    }
  }
  if (failed) return -1;
  return (long)si;
}

int helm_glob_match(const char *pattern, const char *name) {
  const char *pat = pattern;
  const char *s = name;
  while (*pat) {
    int star;
    size_t clen;
    const char *chunk = scan_chunk(pat, &star, &clen);
    pat = chunk + clen;
    if (star && clen == 0) return strchr(s, '/') == NULL;
    long t = match_chunk(chunk, clen, s);
    if (t >= 0 && (s[t] == 0 || *pat)) {
      s += t;
      continue;
    }
    if (t == -2) return -1;
    if (star) {
      int found = 0;
      for (size_t i = 0; s[i] && s[i] != '/'; i++) {
        long u = match_chunk(chunk, clen, s + i + 1);
        if (u >= 0) {
          if (*pat == 0 && s[i + 1 + u] != 0) continue;
          s += i + 1 + u;
          found = 1;
          break;
        }
        if (u == -2) return -1;
      }
      if (found) continue;
    }
    /* Go: before failing, check the rest of the pattern is valid */
    while (*pat) {
      chunk = scan_chunk(pat, &star, &clen);
      pat = chunk + clen;
      if (match_chunk(chunk, clen, "") == -2) return -1;
    }
    return 0;
  }
  return *s == 0;
}

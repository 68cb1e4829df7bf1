/* engine/manifest — glob matching as Argo CD's util/glob (gobwas/glob
 * compiled without separators): '*' and '?' also match '/', character
 * classes [abc] [a-z] [!a-z], alternatives {a,b} (nestable), '\' escapes. */
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

#define MAX_ALTERNATIVES 4096

typedef struct pats {
  char **v;
  size_t n;
  bool bad;
} pats;

static size_t rune_len(const char *s) {
  uint32_t cp;
  size_t k = mf_utf8_seq((const unsigned char *)s, strlen(s), &cp);
  return k ? k : 1;
}

static uint32_t rune_at(const char *s, size_t *len) {
  uint32_t cp;
  size_t k = mf_utf8_seq((const unsigned char *)s, strlen(s), &cp);
  if (!k) {
    *len = 1;
    return (unsigned char)*s;
  }
  *len = k;
  return cp;
}

/* Finds the '}' closing the '{' at p (respecting nesting, escapes and
 * classes); NULL if unbalanced. */
static const char *close_brace(const char *p) {
  int depth = 0;
  for (; *p; p++) {
    if (*p == '\\') {
      if (!*++p) return NULL;
    } else if (*p == '[') {
      const char *q = strchr(p + 1, ']');
      if (!q) return NULL;
      p = q;
    } else if (*p == '{') {
      depth++;
    } else if (*p == '}') {
      if (--depth == 0) return p;
    }
  }
  return NULL;
}

static void add(pats *ps, const char *s, size_t n) {
  if (ps->bad) return;
  if (ps->n >= MAX_ALTERNATIVES) {
    ps->bad = true;
    return;
  }
  char **v = realloc(ps->v, (ps->n + 1) * sizeof(*v));
  char *c = malloc(n + 1);
  if (!v || !c) {
    free(c);
    if (v) ps->v = v;
    ps->bad = true;
    return;
  }
  memcpy(c, s, n);
  c[n] = '\0';
  ps->v = v;
  ps->v[ps->n++] = c;
}

/* Expands the first top-level {..} of pat and recurses. */
static void expand(pats *ps, const char *pat, int depth) {
  if (ps->bad) return;
  if (depth > 64) {
    ps->bad = true;
    return;
  }
  const char *p = pat;
  for (; *p; p++) {
    if (*p == '\\') {
      if (!p[1]) {
        ps->bad = true;
        return;
      }
      p++;
    } else if (*p == '[') {
      const char *q = strchr(p + 1, ']');
      if (!q) {
        ps->bad = true;
        return;
      }
      p = q;
    } else if (*p == '}') {
      ps->bad = true; /* unbalanced */
      return;
    } else if (*p == '{') {
      break;
    }
  }
  if (!*p) {
    add(ps, pat, strlen(pat));
    return;
  }
  const char *end = close_brace(p);
  if (!end) {
    ps->bad = true;
    return;
  }
  size_t pre = (size_t)(p - pat);
  const char *alt = p + 1;
  int d = 0;
  for (const char *q = p + 1; q <= end && !ps->bad; q++) {
    if (*q == '\\' && q < end) {
      q++;
      continue;
    }
    if (*q == '[') {
      q = strchr(q + 1, ']');
      continue;
    }
    if (*q == '{')
      d++;
    else if (*q == '}' && d > 0 && q != end)
      d--;
    else if ((*q == ',' && d == 0) || q == end) {
      size_t alen = (size_t)(q - alt), rest = strlen(end + 1);
      char *np = malloc(pre + alen + rest + 1);
      if (!np) {
        ps->bad = true;
        return;
      }
      memcpy(np, pat, pre);
      memcpy(np + pre, alt, alen);
      memcpy(np + pre + alen, end + 1, rest + 1);
      expand(ps, np, depth + 1);
      free(np);
      alt = q + 1;
    }
  }
}

/* Matches the class starting after '[' at *pp against rune c. */
static bool class_match(const char **pp, uint32_t c, bool *bad) {
  const char *p = *pp;
  bool neg = false, ok = false;
  if (*p == '!') {
    neg = true;
    p++;
  }
  bool first = true;
  while (*p && (*p != ']' || first)) {
    first = false;
    size_t k;
    uint32_t lo = rune_at(p, &k), hi = lo;
    p += k;
    if (*p == '-' && p[1] && p[1] != ']') {
      p++;
      hi = rune_at(p, &k);
      p += k;
    }
    if (c >= lo && c <= hi) ok = true;
  }
  if (*p != ']') {
    *bad = true;
    return false;
  }
  *pp = p + 1;
  return ok != neg;
}

/* Brace-free pattern against text with backtracking over the last '*'. */
static bool match_one(const char *pat, const char *txt, bool *bad) {
  const char *p = pat, *t = txt, *star_p = NULL, *star_t = NULL;
  while (*t) {
    if (*p == '*') {
      while (*p == '*')
        p++;
      star_p = p;
      star_t = t;
      continue;
    }
    if (*p) {
      size_t tk;
      uint32_t c = rune_at(t, &tk);
      if (*p == '?') {
        p++;
        t += tk;
        continue;
      }
      if (*p == '[') {
        const char *q = p + 1;
        if (class_match(&q, c, bad)) {
          p = q;
          t += tk;
          continue;
        }
        if (*bad) return false;
      } else {
        const char *lit = p;
        if (*lit == '\\') lit++;
        size_t pk = rune_len(lit);
        if (pk == tk && memcmp(lit, t, tk) == 0) {
          p = lit + pk;
          t += tk;
          continue;
        }
      }
    }
    if (!star_p) return false;
    star_t += rune_len(star_t);
    t = star_t;
    p = star_p;
  }
  while (*p == '*')
    p++;
  return *p == '\0';
}

/* 1 match, 0 no match, -1 malformed pattern. */
int mf_glob_match_ex(const char *pattern, const char *path) {
  if (!pattern || !path) return -1;
  pats ps = {0};
  expand(&ps, pattern, 0);
  int r = ps.bad ? -1 : 0;
  for (size_t i = 0; i < ps.n && r == 0; i++) {
    bool bad = false;
    if (match_one(ps.v[i], path, &bad)) r = 1;
    if (bad) r = -1;
  }
  for (size_t i = 0; i < ps.n; i++)
    free(ps.v[i]);
  free(ps.v);
  return r;
}

bool mf_glob_match(const char *pattern, const char *path) {
  return mf_glob_match_ex(pattern, path) == 1;
}

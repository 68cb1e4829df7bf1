/* Masterminds/semver v3 versions and constraints (what Helm uses for
 * Chart.yaml kubeVersion and dependency version ranges). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

typedef struct sv {
  unsigned long long maj, min, pat;
  char pre[128];
} sv;

/* Loose version: optional v, 1-3 numeric parts, -pre, +meta. */
static int sv_parse(const char *s, sv *v) {
  memset(v, 0, sizeof *v);
  const char *p = s;
  while (*p == ' ')
    p++;
  if (*p == 'v' || *p == 'V') p++;
  unsigned long long parts[3] = {0, 0, 0};
  int n = 0;
  while (n < 3) {
    if (!isdigit((unsigned char)*p)) return -1;
    char *end;
    parts[n++] = strtoull(p, &end, 10);
    p = end;
    if (*p != '.') break;
    p++;
  }
  v->maj = parts[0];
  v->min = parts[1];
  v->pat = parts[2];
  if (*p == '-') {
    p++;
    size_t k = 0;
    while (*p && *p != '+' && k + 1 < sizeof v->pre)
      v->pre[k++] = *p++;
    v->pre[k] = 0;
    if (!k) return -1;
  }
  if (*p == '+') {
    p++;
    while (isalnum((unsigned char)*p) || *p == '-' || *p == '.')
      p++;
  }
  while (*p == ' ')
    p++;
  return *p ? -1 : 0;
}

static int cmp_pre(const char *a, const char *b) {
  if (!*a && !*b) return 0;
  if (!*a) return 1;
  if (!*b) return -1;
  while (*a || *b) {
    if (!*a) return -1;
    if (!*b) return 1;
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");
    int na = 1, nb = 1;
    for (size_t i = 0; i < la; i++)
      na &= isdigit((unsigned char)a[i]) != 0;
    for (size_t i = 0; i < lb; i++)
      nb &= isdigit((unsigned char)b[i]) != 0;
    int c;
    if (na && nb) {
      unsigned long long x = strtoull(a, NULL, 10), y = strtoull(b, NULL, 10);
      c = x < y ? -1 : x > y;
    } else if (na) {
      c = -1;
    } else if (nb) {
      c = 1;
    } else {
      size_t m = la < lb ? la : lb;
      c = strncmp(a, b, m);
      if (!c) c = la < lb ? -1 : la > lb;
    }
    if (c) return c < 0 ? -1 : 1;
    a += la;
    b += lb;
    if (*a == '.') a++;
    if (*b == '.') b++;
  }
  return 0;
}

static int sv_cmp(const sv *a, const sv *b) {
  if (a->maj != b->maj) return a->maj < b->maj ? -1 : 1;
  if (a->min != b->min) return a->min < b->min ? -1 : 1;
  if (a->pat != b->pat) return a->pat < b->pat ? -1 : 1;
  return cmp_pre(a->pre, b->pre);
}

static int isx(const char *s, size_t n) {
  return n == 1 && (*s == 'x' || *s == 'X' || *s == '*');
}

/* One constraint "OP VERSION"; returns 1 match, 0 no, -1 bad. */
static int check_one(const char *op, const char *ver, const sv *v) {
  /* split version parts to detect wildcards */
  char buf[256];
  size_t vl = strlen(ver);
  if (vl >= sizeof buf) return -1;
  memcpy(buf, ver, vl + 1);
  char *p = buf;
  if (*p == 'v' || *p == 'V') p++;
  char *pre = strpbrk(p, "-+");
  char prebuf[128] = "";
  if (pre) {
    snprintf(prebuf, sizeof prebuf, "%s", pre);
    *pre = 0;
  }
  char *parts[3] = {NULL, NULL, NULL};
  int np = 0;
  for (char *t = p; np < 3;) {
    parts[np++] = t;
    char *d = strchr(t, '.');
    if (!d) break;
    *d = 0;
    t = d + 1;
  }
  int dirty = 0, minor_dirty = 0, patch_dirty = 0;
  char norm[300];
  if (np == 0 || !*parts[0] || isx(parts[0], strlen(parts[0]))) {
    snprintf(norm, sizeof norm, "0.0.0%s", prebuf);
    dirty = 1;
  } else if (np >= 2 && isx(parts[1], strlen(parts[1]))) {
    snprintf(norm, sizeof norm, "%s.0.0%s", parts[0], prebuf);
    dirty = minor_dirty = 1;
  } else if (np >= 3 && isx(parts[2], strlen(parts[2]))) {
    snprintf(norm, sizeof norm, "%s.%s.0%s", parts[0], parts[1], prebuf);
    dirty = patch_dirty = 1;
  } else {
    snprintf(norm, sizeof norm, "%s%s%s%s%s%s", parts[0], np > 1 ? "." : "", np > 1 ? parts[1] : "",
             np > 2 ? "." : "", np > 2 ? parts[2] : "", prebuf);
  }
  sv c;
  if (sv_parse(norm, &c) != 0) return -1;
  if (*v->pre && !*c.pre) return 0;
  int cmp = sv_cmp(v, &c);
  if (!strcmp(op, "") || !strcmp(op, "=")) {
    if (!dirty) return cmp == 0;
    if (np == 0 || !*parts[0] || isx(parts[0], strlen(parts[0]))) return 1;
    if (v->maj != c.maj) return 0;
    if (minor_dirty) return 1;
    if (v->min != c.min) return 0;
    return 1;
  }
  if (!strcmp(op, "!=")) {
    if (!dirty) return cmp != 0;
    if (v->maj != c.maj) return 1;
    if (minor_dirty) return 0;
    return v->min != c.min;
  }
  if (!strcmp(op, ">")) {
    if (!dirty) return cmp > 0;
    if (v->maj > c.maj) return 1;
    if (v->maj < c.maj) return 0;
    if (minor_dirty) return 0;
    if (v->min > c.min) return 1;
    if (v->min < c.min) return 0;
    if (patch_dirty) return 0;
    return v->pat > c.pat;
  }
  if (!strcmp(op, "<")) return cmp < 0;
  if (!strcmp(op, ">=") || !strcmp(op, "=>")) return cmp >= 0;
  if (!strcmp(op, "<=") || !strcmp(op, "=<")) {
    if (!dirty) return cmp <= 0;
    if (v->maj > c.maj) return 0;
    if (v->maj == c.maj && v->min > c.min && !minor_dirty) return 0;
    return 1;
  }
  if (!strcmp(op, "~") || !strcmp(op, "~>")) {
    if (cmp < 0) return 0;
    if (c.min == 0 && c.pat == 0 && !minor_dirty && !patch_dirty) return v->maj == c.maj;
    if (v->maj != c.maj) return 0;
    if (v->min != c.min && !minor_dirty) return 0;
    return 1;
  }
  if (!strcmp(op, "^")) {
    if (cmp < 0) return 0;
    if (c.maj > 0 || minor_dirty) return v->maj == c.maj;
    if (c.min > 0 || patch_dirty) return v->maj == c.maj && v->min == c.min;
    return v->maj == c.maj && v->min == c.min && v->pat == c.pat;
  }
  return -1;
}

/* AND group: tokens separated by ',' or spaces; "A - B" hyphen ranges. */
static int check_group(const char *g, const sv *v) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", g);
  char *toks[64];
  int nt = 0;
  for (char *t = strtok(buf, ", \t"); t && nt < 64; t = strtok(NULL, ", \t"))
    toks[nt++] = t;
  if (nt == 0) return -1;
  for (int i = 0; i < nt; i++) {
    char *t = toks[i];
    if (i + 2 < nt && !strcmp(toks[i + 1], "-")) {
      int a = check_one(">=", t, v), b = check_one("<=", toks[i + 2], v);
      if (a < 0 || b < 0) return -1;
      if (!a || !b) return 0;
      i += 2;
      continue;
    }
    char op[4] = "";
    size_t k = 0;
    while (*t && strchr("=!<>~^", *t) && k < 3)
      op[k++] = *t++;
    op[k] = 0;
    if (!*t && i + 1 < nt) t = toks[++i]; /* ">= 1.2" */
    int r = check_one(op, t, v);
    if (r <= 0) return r;
  }
  return 1;
}

int helm_semver_check(const char *constraint, const char *version) {
  sv v;
  if (!constraint || !version || sv_parse(version, &v) != 0) return -1;
  const char *p = constraint;
  int any_valid = 0;
  for (;;) {
    const char *bar = strstr(p, "||");
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    char g[1024];
    if (n >= sizeof g) return -1;
    memcpy(g, p, n);
    g[n] = 0;
    int r = check_group(g, &v);
    if (r < 0) return -1;
    any_valid = 1;
    if (r == 1) return 1;
    if (!bar) break;
    p = bar + 2;
  }
  return any_valid ? 0 : -1;
}

/* .helmignore rules exactly as Helm's pkg/ignore evaluates them (including
 * its treatment of negated rules). */
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

typedef struct rule {
  char *pat;                  /* without '!', trailing '/', leading '/' */
  int negate, must_dir, kind; /* kind: 0 basename, 1 structural, 2 rooted */
} rule;

struct helm_ignore {
  rule *r;
  size_t n, cap;
};

helm_ignore *helm_ignore_empty(void) {
  return calloc(1, sizeof(helm_ignore));
}

void helm_ignore_free(helm_ignore *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++)
    free(r->r[i].pat);
  free(r->r);
  free(r);
}

static int add_rule(helm_ignore *r, const char *line, size_t len, helm_error *err) {
  while (len &&
         (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\v' || *line == '\f')) {
    line++;
    len--;
  }
  while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r' ||
                 line[len - 1] == '\v' || line[len - 1] == '\f'))
    len--;
  if (!len || line[0] == '#') return 0;
  char *s = helm_strndup(line, len);
  if (!s) return HELM_ENOMEM_ERR(err);
  if (strstr(s, "**")) {
    free(s);
    return HELM_ERR(err, HELM_EINVALID, "double-star (**) syntax is not supported");
  }
  if (helm_glob_match(s, "abc") < 0) {
    free(s);
    return HELM_ERR(err, HELM_EINVALID, "syntax error in pattern");
  }
  rule ru = {0};
  char *p = s;
  if (*p == '!') {
    ru.negate = 1;
    p++;
  }
  size_t pl = strlen(p);
  if (pl && p[pl - 1] == '/') {
    ru.must_dir = 1;
    p[--pl] = 0;
  }
  if (*p == '/') {
    ru.kind = 2;
    p++;
  } else if (strchr(p, '/')) {
    ru.kind = 1;
  }
  ru.pat = helm_strdup(p);
  free(s);
  if (!ru.pat) return HELM_ENOMEM_ERR(err);
  if (r->n == r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 16;
    rule *q = realloc(r->r, nc * sizeof *q);
    if (!q) {
      free(ru.pat);
      return HELM_ENOMEM_ERR(err);
    }
    r->r = q;
    r->cap = nc;
  }
  r->r[r->n++] = ru;
  return 0;
}

int helm_ignore_parse(const char *text, size_t len, helm_ignore **out, helm_error *err) {
  helm_ignore *r = helm_ignore_empty();
  if (!r) return HELM_ENOMEM_ERR(err);
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    len -= 3;
  }
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    while (j < len && text[j] != '\n')
      j++;
    int rc = add_rule(r, text + i, j - i, err);
    if (rc) {
      helm_ignore_free(r);
      return rc;
    }
    i = j + 1;
  }
  *out = r;
  return 0;
}

int helm_ignore_add_defaults(helm_ignore *r) {
  return add_rule(r, "templates/.?*", strlen("templates/.?*"), NULL);
}

static int rule_match(const rule *ru, const char *path) {
  const char *n = path;
  if (ru->kind == 0) {
    const char *slash = strrchr(path, '/');
    /* filepath.Base: strip trailing slashes first */
    n = slash ? slash + 1 : path;
  }
  return helm_glob_match(ru->pat, n) == 1;
}

int helm_ignore_match(const helm_ignore *r, const char *path, int is_dir) {
  if (!r || !*path || !strcmp(path, ".") || !strcmp(path, "./")) return 0;
  for (size_t i = 0; i < r->n; i++) {
    const rule *ru = &r->r[i];
    if (ru->negate) {
      if (ru->must_dir && !is_dir) return 1;
      if (!rule_match(ru, path)) return 1;
      continue;
    }
    if (ru->must_dir && !is_dir) continue;
    if (rule_match(ru, path)) return 1;
  }
  return 0;
}

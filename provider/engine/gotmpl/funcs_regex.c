/* Sprig regex functions with Go regexp semantics. */
#include "engine/gotmpl/tmpl_internal.h"

#include <stdio.h>
#include <stdlib.h>

#define H exec_heap(x)

const char *re_capname(const tregex *re, int i);
extern bool rune_is_letter(int32_t r);

typedef struct rx {
  tregex *re;
  char err[1024];
} rx;

static bool compile(rx *r, tval *pat) {
  r->re = re_compile(pat->u.s.p, pat->u.s.n, r->err, sizeof r->err);
  return r->re != NULL;
}

/* must* variants report err.Error() without the "regexp: Compile(…): " part */
static const char *short_err(const char *e) {
  const char *p = strstr(e, "): error parsing regexp");
  return p ? p + 3 : e;
}

typedef struct match {
  int *caps; /* 2*(ncap+1) */
} match;

/* Go's allMatches: calls cb for each accepted match; n < 0 = all */
typedef bool (*match_cb)(void *ud, const int *caps);

static int all_matches(tregex *re, const char *s, size_t len, long n, match_cb cb, void *ud) {
  int ns = 2 * (re_ncap(re) + 1);
  int *caps = malloc((size_t)ns * sizeof *caps);
  if (!caps) abort();
  long i = 0;
  long prev_end = -1;
  size_t pos = 0;
  int rc = 0;
  while ((n < 0 || i < n) && pos <= len) {
    int r = re_exec(re, s, len, pos, caps, ns);
    if (r < 0) {
      rc = -1;
      break;
    }
    if (r == 0) break;
    bool accept = true;
    if ((size_t)caps[1] == pos) {
      if (caps[0] == prev_end) accept = false;
      if (pos < len) {
        int32_t rr;
        pos += (size_t)utf8_decode(s + pos, len - pos, &rr);
      } else
        pos = len + 1;
    } else
      pos = (size_t)caps[1];
    prev_end = caps[1];
    if (accept) {
      if (!cb(ud, caps)) break;
      i++;
    }
  }
  free(caps);
  return rc;
}

static tval *f_regexmatch_impl(texec *x, tval **a, bool must) {
  rx r;
  if (!compile(&r, a[0])) {
    if (must) return fn_error(x, "%s", short_err(r.err));
    return tv_bool(H, 0);
  }
  int caps[2];
  int m = re_exec(r.re, a[1]->u.s.p, a[1]->u.s.n, 0, caps, 2);
  re_free(r.re);
  return tv_bool(H, m == 1);
}
static tval *f_regexmatch(texec *x, tval **a, int n) {
  (void)n;
  return f_regexmatch_impl(x, a, false);
}
static tval *f_mustregexmatch(texec *x, tval **a, int n) {
  (void)n;
  return f_regexmatch_impl(x, a, true);
}

static tval *f_regexfind_impl(texec *x, tval **a, bool must) {
  rx r;
  if (!compile(&r, a[0])) return fn_error(x, "%s", must ? short_err(r.err) : r.err);
  int caps[2];
  int m = re_exec(r.re, a[1]->u.s.p, a[1]->u.s.n, 0, caps, 2);
  re_free(r.re);
  if (m != 1) return tv_str(H, "", 0);
  return tv_str(H, a[1]->u.s.p + caps[0], (size_t)(caps[1] - caps[0]));
}
static tval *f_regexfind(texec *x, tval **a, int n) {
  (void)n;
  return f_regexfind_impl(x, a, false);
}
static tval *f_mustregexfind(texec *x, tval **a, int n) {
  (void)n;
  return f_regexfind_impl(x, a, true);
}

typedef struct findall_ctx {
  texec *x;
  tval *list;
  const char *s;
} findall_ctx;

static bool findall_cb(void *ud, const int *caps) {
  findall_ctx *c = ud;
  tl_push(exec_heap(c->x), c->list,
          tv_str(exec_heap(c->x), c->s + caps[0], (size_t)(caps[1] - caps[0])));
  return true;
}

static tval *f_regexfindall_impl(texec *x, tval **a, bool must) {
  rx r;
  if (!compile(&r, a[0])) return fn_error(x, "%s", must ? short_err(r.err) : r.err);
  findall_ctx c = {x, tv_strlist(H, 4), a[1]->u.s.p};
  all_matches(r.re, a[1]->u.s.p, a[1]->u.s.n, a[2]->u.i < 0 ? -1 : a[2]->u.i, findall_cb, &c);
  re_free(r.re);
  return c.list;
}
static tval *f_regexfindall(texec *x, tval **a, int n) {
  (void)n;
  return f_regexfindall_impl(x, a, false);
}
static tval *f_mustregexfindall(texec *x, tval **a, int n) {
  (void)n;
  return f_regexfindall_impl(x, a, true);
}

/* regexp.expand */
static void expand(sb *o, tregex *re, const char *tpl, size_t tn, const char *src,
                   const int *caps) {
  int ncap = re_ncap(re);
  size_t i = 0;
  while (i < tn) {
    const char *d = memchr(tpl + i, '$', tn - i);
    if (!d) {
      sb_putn(o, tpl + i, tn - i);
      return;
    }
    sb_putn(o, tpl + i, (size_t)(d - (tpl + i)));
    i = (size_t)(d - tpl) + 1;
    if (i < tn && tpl[i] == '$') {
      sb_putc(o, '$');
      i++;
      continue;
    }
    /* extract */
    size_t j = i;
    bool brace = false;
    if (j < tn && tpl[j] == '{') {
      brace = true;
      j++;
    }
    size_t ns = j;
    while (j < tn) {
      int32_t r;
      int w = utf8_decode(tpl + j, tn - j, &r);
      if (!(rune_is_letter(r) || (r >= '0' && r <= '9') || r == '_')) break;
      j += (size_t)w;
    }
    size_t nl = j - ns;
    if (nl == 0 || (brace && (j >= tn || tpl[j] != '}'))) {
      sb_putc(o, '$');
      continue;
    }
    const char *name = tpl + ns;
    if (brace) j++;
    i = j;
    long num = 0;
    for (size_t k = 0; k < nl; k++) {
      if (name[k] < '0' || name[k] > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (name[k] - '0');
    }
    if (name[0] == '0' && nl > 1) num = -1;
    if (num >= 0) {
      if (num <= ncap && caps[2 * num] >= 0)
        sb_putn(o, src + caps[2 * num], (size_t)(caps[2 * num + 1] - caps[2 * num]));
    } else {
      for (int k = 1; k <= ncap; k++) {
        const char *cn = re_capname(re, k);
        if (cn && strlen(cn) == nl && !memcmp(cn, name, nl) && caps[2 * k] >= 0) {
          sb_putn(o, src + caps[2 * k], (size_t)(caps[2 * k + 1] - caps[2 * k]));
          break;
        }
      }
    }
  }
}

static tval *replace_impl(texec *x, tval **a, bool literal, bool must) {
  rx r;
  if (!compile(&r, a[0])) return fn_error(x, "%s", must ? short_err(r.err) : r.err);
  const char *src = a[1]->u.s.p;
  size_t len = a[1]->u.s.n;
  const char *repl = a[2]->u.s.p;
  size_t rl = a[2]->u.s.n;
  int ns = 2 * (re_ncap(r.re) + 1);
  int *caps = malloc((size_t)ns * sizeof *caps);
  if (!caps) abort();
  sb o = {0};
  sb_putn(&o, "", 0);
  size_t last_end = 0, search = 0;
  while (search <= len) {
    int m = re_exec(r.re, src, len, search, caps, ns);
    if (m != 1) break;
    sb_putn(&o, src + last_end, (size_t)caps[0] - last_end);
    if ((size_t)caps[1] > last_end || caps[0] == 0) {
      if (literal)
        sb_putn(&o, repl, rl);
      else
        expand(&o, r.re, repl, rl, src, caps);
    }
    last_end = (size_t)caps[1];
    size_t width = 0;
    if (search < len) {
      int32_t rr;
      width = (size_t)utf8_decode(src + search, len - search, &rr);
    }
    if (search + width > (size_t)caps[1])
      search += width;
    else if (search + 1 > (size_t)caps[1])
      search++;
    else
      search = (size_t)caps[1];
  }
  sb_putn(&o, src + last_end, len - last_end);
  free(caps);
  re_free(r.re);
  return sb_to_val(H, &o);
}

static tval *f_replaceall(texec *x, tval **a, int n) {
  (void)n;
  return replace_impl(x, a, false, false);
}
static tval *f_mustreplaceall(texec *x, tval **a, int n) {
  (void)n;
  return replace_impl(x, a, false, true);
}
static tval *f_replaceallliteral(texec *x, tval **a, int n) {
  (void)n;
  return replace_impl(x, a, true, false);
}
static tval *f_mustreplaceallliteral(texec *x, tval **a, int n) {
  (void)n;
  return replace_impl(x, a, true, true);
}

typedef struct split_ctx {
  int *idx;
  long n, cap;
} split_ctx;

static bool split_cb(void *ud, const int *caps) {
  split_ctx *c = ud;
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 16;
    int *ni = realloc(c->idx, (size_t)c->cap * 2 * sizeof *ni);
    if (!ni) abort();
    c->idx = ni;
  }
  c->idx[2 * c->n] = caps[0];
  c->idx[2 * c->n + 1] = caps[1];
  c->n++;
  return true;
}

static tval *split_impl(texec *x, tval **a, bool must) {
  rx r;
  if (!compile(&r, a[0])) return fn_error(x, "%s", must ? short_err(r.err) : r.err);
  int64_t n = a[2]->u.i;
  const char *s = a[1]->u.s.p;
  size_t len = a[1]->u.s.n;
  tval *res = tv_strlist(H, 4);
  if (n == 0) {
    re_free(r.re);
    return res;
  }
  if (a[0]->u.s.n > 0 && len == 0) {
    tl_push(H, res, tv_str(H, "", 0));
    re_free(r.re);
    return res;
  }
  split_ctx c = {0};
  all_matches(r.re, s, len, n < 0 ? -1 : n, split_cb, &c);
  size_t beg = 0, end = 0;
  for (long i = 0; i < c.n; i++) {
    if (n > 0 && (int64_t)res->u.l->n == n - 1) break;
    end = (size_t)c.idx[2 * i];
    if (c.idx[2 * i + 1] != 0) tl_push(H, res, tv_str(H, s + beg, end - beg));
    beg = (size_t)c.idx[2 * i + 1];
  }
  if (end != len) tl_push(H, res, tv_str(H, s + beg, len - beg));
  free(c.idx);
  re_free(r.re);
  return res;
}
static tval *f_split(texec *x, tval **a, int n) {
  (void)n;
  return split_impl(x, a, false);
}
static tval *f_mustsplit(texec *x, tval **a, int n) {
  (void)n;
  return split_impl(x, a, true);
}

static tval *f_quotemeta(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  sb_putn(&o, "", 0);
  for (size_t i = 0; i < a[0]->u.s.n; i++) {
    char c = a[0]->u.s.p[i];
    if (strchr("\\.+*?()|[]{}^$", c) && c) sb_putc(&o, '\\');
    sb_putc(&o, c);
  }
  return sb_to_val(H, &o);
}

const tfunc tmpl_funcs_regex[] = {
    {"regexMatch", f_regexmatch, 2, {P_STR, P_STR}, false, 0, "bool"},
    {"mustRegexMatch", f_mustregexmatch, 2, {P_STR, P_STR}, false, 0, "bool"},
    {"regexFind", f_regexfind, 2, {P_STR, P_STR}, false, 0, "string"},
    {"mustRegexFind", f_mustregexfind, 2, {P_STR, P_STR}, false, 0, "string"},
    {"regexFindAll", f_regexfindall, 3, {P_STR, P_STR, P_INT}, false, 0, "[]string"},
    {"mustRegexFindAll", f_mustregexfindall, 3, {P_STR, P_STR, P_INT}, false, 0, "[]string"},
    {"regexReplaceAll", f_replaceall, 3, {P_STR, P_STR, P_STR}, false, 0, "string"},
    {"mustRegexReplaceAll", f_mustreplaceall, 3, {P_STR, P_STR, P_STR}, false, 0, "string"},
    {"regexReplaceAllLiteral", f_replaceallliteral, 3, {P_STR, P_STR, P_STR}, false, 0, "string"},
    {"mustRegexReplaceAllLiteral",
     f_mustreplaceallliteral,
     3,
     {P_STR, P_STR, P_STR},
     false,
     0,
     "string"},
    {"regexSplit", f_split, 3, {P_STR, P_STR, P_INT}, false, 0, "[]string"},
    {"mustRegexSplit", f_mustsplit, 3, {P_STR, P_STR, P_INT}, false, 0, "[]string"},
    {"regexQuoteMeta", f_quotemeta, 1, {P_STR}, false, 0, "string"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

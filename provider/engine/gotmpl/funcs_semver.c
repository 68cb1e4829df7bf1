/* semver / semverCompare (Masterminds/semver v3 semantics). */
#include "engine/gotmpl/tmpl_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#define H exec_heap(x)

typedef struct semv {
  uint64_t major, minor, patch;
  char pre[128];
  char meta[128];
  char orig[256];
} semv;

static bool all_in(const char *s, size_t n, const char *set) {
  for (size_t i = 0; i < n; i++)
    if (!strchr(set, s[i]) || !s[i]) return false;
  return true;
}

static const char *NUM = "0123456789";
static const char *ALLOWED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";

/* parse identifiers "[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*" at s; returns length or 0 */
static size_t scan_idents(const char *s, size_t n) {
  size_t i = 0;
  for (;;) {
    size_t st = i;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'))
      i++;
    if (i == st) return 0;
    if (i < n && s[i] == '.' && i + 1 < n &&
        (isalnum((unsigned char)s[i + 1]) || s[i + 1] == '-')) {
      i++;
      continue;
    }
    return i;
  }
}

/* returns NULL on success or the error message */
static const char *semver_parse(const char *s, size_t n, semv *v) {
  memset(v, 0, sizeof *v);
  snprintf(v->orig, sizeof v->orig, "%.*s", (int)n, s);
  size_t i = 0;
  if (i < n && s[i] == 'v') i++;
  uint64_t seg[3] = {0, 0, 0};
  for (int k = 0; k < 3; k++) {
    if (k > 0) {
      if (i < n && s[i] == '.')
        i++;
      else
        break;
    }
    size_t st = i;
    uint64_t val = 0;
    bool ovf = false;
    while (i < n && isdigit((unsigned char)s[i])) {
      if (val > (UINT64_MAX - 9) / 10) ovf = true;
      val = val * 10 + (uint64_t)(s[i] - '0');
      i++;
    }
    if (i == st) return "Invalid Semantic Version";
    if (ovf) return "Error parsing version segment: strconv.ParseUint: value out of range";
    seg[k] = val;
  }
  if (i < n && s[i] == '-') {
    size_t l = scan_idents(s + i + 1, n - i - 1);
    if (!l) return "Invalid Semantic Version";
    snprintf(v->pre, sizeof v->pre, "%.*s", (int)l, s + i + 1);
    i += 1 + l;
  }
  if (i < n && s[i] == '+') {
    size_t l = scan_idents(s + i + 1, n - i - 1);
    if (!l) return "Invalid Semantic Version";
    snprintf(v->meta, sizeof v->meta, "%.*s", (int)l, s + i + 1);
    i += 1 + l;
  }
  if (i != n) return "Invalid Semantic Version";
  v->major = seg[0];
  v->minor = seg[1];
  v->patch = seg[2];
  if (v->pre[0]) {
    const char *p = v->pre;
    while (*p) {
      const char *e = strchr(p, '.');
      size_t l = e ? (size_t)(e - p) : strlen(p);
      if (all_in(p, l, NUM)) {
        if (l > 1 && p[0] == '0') return "Version segment starts with 0";
      } else if (!all_in(p, l, ALLOWED))
        return "Invalid Prerelease string";
      p += l;
      if (*p == '.') p++;
    }
  }
  return NULL;
}

static int cmp_u(uint64_t a, uint64_t b) {
  return a < b ? -1 : a > b;
}

static bool parse_u(const char *s, size_t n, uint64_t *out) {
  if (n == 0) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return true;
}

static int cmp_pre_part(const char *s, size_t sn, const char *o, size_t on) {
  if (sn == on && !memcmp(s, o, sn)) return 0;
  if (sn == 0) return on ? -1 : 1;
  if (on == 0) return 1;
  uint64_t si = 0, oi = 0;
  bool sok = parse_u(s, sn, &si), ook = parse_u(o, on, &oi);
  if (!sok && !ook) {
    size_t m = sn < on ? sn : on;
    int c = memcmp(s, o, m);
    if (c == 0) c = sn < on ? -1 : 1;
    return c > 0 ? 1 : -1;
  }
  if (!ook) return -1;
  if (!sok) return 1;
  return si > oi ? 1 : -1;
}

static int cmp_pre(const char *a, const char *b) {
  for (;;) {
    const char *ae = strchr(a, '.'), *be = strchr(b, '.');
    size_t al = ae ? (size_t)(ae - a) : strlen(a), bl = be ? (size_t)(be - b) : strlen(b);
    int d = cmp_pre_part(a, al, b, bl);
    if (d) return d;
    if (!ae && !be) return 0;
    a = ae ? ae + 1 : a + al;
    b = be ? be + 1 : b + bl;
  }
}

static int semver_cmp(const semv *v, const semv *o) {
  int d;
  if ((d = cmp_u(v->major, o->major)) || (d = cmp_u(v->minor, o->minor)) ||
      (d = cmp_u(v->patch, o->patch)))
    return d;
  if (!v->pre[0] && !o->pre[0]) return 0;
  if (!v->pre[0]) return 1;
  if (!o->pre[0]) return -1;
  return cmp_pre(v->pre, o->pre);
}

/* ---------------- constraints ---------------- */
typedef struct scons {
  char op[3];
  semv con;
  bool dirty, minor_dirty, patch_dirty;
} scons;

static bool is_x(const char *s, size_t n) {
  return n == 1 && (s[0] == 'x' || s[0] == 'X' || s[0] == '*');
}

static size_t match_op(const char *s, size_t n, char *op) {
  static const char *ops[] = {"!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"};
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    size_t l = strlen(ops[i]);
    if (n >= l && !memcmp(s, ops[i], l)) {
      strcpy(op, ops[i]);
      return l;
    }
  }
  op[0] = 0;
  return 0;
}

static bool is_cvchar(char c) {
  return isdigit((unsigned char)c) || c == 'x' || c == 'X' || c == '*' || c == '|';
}

/* cv: v?SEG(.SEG)?(.SEG)?(-pre)?(+meta)?; fills parts; returns length or 0 */
static size_t scan_cv(const char *s, size_t n, const char **seg, size_t *segl, int *nseg,
                      const char **pre, size_t *prel) {
  size_t i = 0;
  if (i < n && s[i] == 'v') i++;
  *nseg = 0;
  for (int k = 0; k < 3; k++) {
    size_t st = i;
    if (k > 0) {
      if (i < n && s[i] == '.' && i + 1 < n && is_cvchar(s[i + 1]))
        i++;
      else
        break;
      st = i;
    }
    while (i < n && is_cvchar(s[i]))
      i++;
    if (i == st) return 0;
    seg[k] = s + st;
    segl[k] = i - st;
    (*nseg)++;
  }
  *pre = NULL;
  *prel = 0;
  size_t pst = i;
  if (i < n && s[i] == '-') {
    size_t l = scan_idents(s + i + 1, n - i - 1);
    if (l) {
      i += 1 + l;
    }
  }
  if (i > pst) {
    *pre = s + pst;
    *prel = i - pst;
  }
  if (i < n && s[i] == '+') {
    size_t l = scan_idents(s + i + 1, n - i - 1);
    if (l) i += 1 + l;
  }
  return i;
}

static const char *parse_constraint_part(const char *s, size_t n, scons *out, int *nout, int max) {
  size_t i = 0;
  *nout = 0;
  bool first = true;
  while (i < n) {
    size_t sp = i;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
    bool comma = false;
    if (!first && i < n && s[i] == ',') {
      comma = true;
      i++;
      while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    }
    if (i >= n) break;
    if (!first && !comma && i == sp) return "improper";
    scons c;
    memset(&c, 0, sizeof c);
    i += match_op(s + i, n - i, c.op);
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
    const char *seg[3];
    size_t segl[3];
    int nseg;
    const char *pre;
    size_t prel;
    size_t l = scan_cv(s + i, n - i, seg, segl, &nseg, &pre, &prel);
    if (!l) return "improper";
    char ver[256];
    if (is_x(seg[0], segl[0])) {
      snprintf(ver, sizeof ver, "0.0.0%.*s", (int)prel, pre ? pre : "");
      c.dirty = true;
    } else if (nseg < 2 || is_x(seg[1], segl[1])) {
      snprintf(ver, sizeof ver, "%.*s.0.0%.*s", (int)segl[0], seg[0], (int)prel, pre ? pre : "");
      c.dirty = c.minor_dirty = true;
    } else if (nseg < 3 || is_x(seg[2], segl[2])) {
      snprintf(ver, sizeof ver, "%.*s.%.*s.0%.*s", (int)segl[0], seg[0], (int)segl[1], seg[1],
               (int)prel, pre ? pre : "");
      c.dirty = c.patch_dirty = true;
    } else {
      snprintf(ver, sizeof ver, "%.*s", (int)l, s + i);
    }
    if (semver_parse(ver, strlen(ver), &c.con)) return "constraint Parser Error";
    snprintf(c.con.orig, sizeof c.con.orig, "%.*s", (int)l, s + i);
    i += l;
    if (*nout < max) out[(*nout)++] = c;
    first = false;
  }
  if (*nout == 0) return "improper";
  return NULL;
}

static bool c_tilde(const semv *v, const scons *c) {
  if (semver_cmp(v, &c->con) < 0) return false;
  if (c->con.major == 0 && c->con.minor == 0 && c->con.patch == 0 && !c->minor_dirty &&
      !c->patch_dirty)
    return true;
  if (v->major != c->con.major) return false;
  if (v->minor != c->con.minor && !c->minor_dirty) return false;
  return true;
}

static bool c_check(const semv *v, const scons *c) {
  const char *op = c->op;
  bool pre_block = v->pre[0] && !c->con.pre[0];
  if (!strcmp(op, "!=")) {
    if (c->dirty) {
      if (pre_block) return false;
      if (c->con.major != v->major) return true;
      if (c->con.minor != v->minor && !c->minor_dirty) return true;
      if (c->minor_dirty) return false;
      if (c->con.patch != v->patch && !c->patch_dirty) return true;
      if (c->patch_dirty) {
        if (v->pre[0] || c->con.pre[0]) return cmp_pre(v->pre, c->con.pre) != 0;
        return false;
      }
    }
    return semver_cmp(v, &c->con) != 0;
  }
  if (pre_block) return false;
  if (!strcmp(op, ">")) {
    if (!c->dirty) return semver_cmp(v, &c->con) == 1;
    if (v->major > c->con.major) return true;
    if (v->major < c->con.major) return false;
    if (c->minor_dirty) return false;
    if (c->patch_dirty) return v->minor > c->con.minor;
    return semver_cmp(v, &c->con) == 1;
  }
  if (!strcmp(op, "<")) return semver_cmp(v, &c->con) < 0;
  if (!strcmp(op, ">=") || !strcmp(op, "=>")) return semver_cmp(v, &c->con) >= 0;
  if (!strcmp(op, "<=") || !strcmp(op, "=<")) {
    if (!c->dirty) return semver_cmp(v, &c->con) <= 0;
    if (v->major > c->con.major) return false;
    if (v->major == c->con.major && v->minor > c->con.minor && !c->minor_dirty) return false;
    return true;
  }
  if (!strcmp(op, "~") || !strcmp(op, "~>")) return c_tilde(v, c);
  if (!strcmp(op, "^")) {
    if (semver_cmp(v, &c->con) < 0) return false;
    if (c->con.major > 0 || c->minor_dirty) return v->major == c->con.major;
    if (c->con.major == 0 && v->major > 0) return false;
    if (c->con.minor > 0 || c->patch_dirty) return v->minor == c->con.minor;
    if (c->con.minor == 0 && v->minor > 0) return false;
    return c->con.patch == v->patch;
  }
  /* "" / "=" */
  if (c->dirty) return c_tilde(v, c);
  return semver_cmp(v, &c->con) == 0;
}

/* rewriteRange: "A - B" → ">= A, <= B" (only simple forms) */
static void rewrite_range(sb *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ' ' && i + 2 < n && s[i + 1] == '-' && s[i + 2] == ' ') {
      /* find start of left cv */
      size_t ls = o->n;
      while (ls > 0 && o->p[ls - 1] != ' ' && o->p[ls - 1] != ',' && o->p[ls - 1] != '|')
        ls--;
      char left[128];
      snprintf(left, sizeof left, "%.*s", (int)(o->n - ls), o->p + ls);
      o->n = ls;
      size_t j = i + 3;
      while (j < n && s[j] == ' ')
        j++;
      size_t rs = j;
      while (j < n && s[j] != ' ' && s[j] != ',' && s[j] != '|')
        j++;
      sb_printf(o, ">= %s, <= %.*s", left, (int)(j - rs), s + rs);
      i = j - 1;
      continue;
    }
    sb_putc(o, s[i]);
  }
  if (!o->p) sb_putn(o, "", 0);
}

static int constraint_check(const char *cs, size_t cn, const semv *v, char *err, size_t errcap) {
  sb r = {0};
  rewrite_range(&r, cs, cn);
  const char *s = r.p;
  size_t n = r.n;
  bool any = false;
  size_t st = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && !(s[i] == '|' && i + 1 < n && s[i + 1] == '|')) continue;
    scons c[64];
    int nc;
    const char *e = parse_constraint_part(s + st, i - st, c, &nc, 64);
    if (e) {
      if (!strcmp(e, "improper"))
        tmpl_msgf(err, errcap, "improper constraint: %.*s", (int)(i - st), s + st);
      else
        tmpl_msgf(err, errcap, "%s", e);
      sb_free(&r);
      return -1;
    }
    bool joy = true;
    for (int k = 0; k < nc; k++)
      if (!c_check(v, &c[k])) {
        joy = false;
        break;
      }
    if (joy) any = true;
    st = i + 2;
    i++;
  }
  sb_free(&r);
  return any;
}

static tval *f_semvercompare(texec *x, tval **a, int n) {
  (void)n;
  char err[512];
  semv v;
  /* Go parses the constraint first */
  semv dummy = {0};
  int chk = constraint_check(a[0]->u.s.p, a[0]->u.s.n, &dummy, err, sizeof err);
  if (chk < 0) return fn_error(x, "%s", err);
  const char *e = semver_parse(a[1]->u.s.p, a[1]->u.s.n, &v);
  if (e) return fn_error(x, "%s", e);
  chk = constraint_check(a[0]->u.s.p, a[0]->u.s.n, &v, err, sizeof err);
  return tv_bool(H, chk > 0);
}

/* ---------------- *semver.Version object ---------------- */
static semv *sv_of(tmpl_value *self) {
  return (semv *)self->u.m->ext;
}

static int m_sv_uint(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                     tmpl_value **out) {
  (void)a;
  (void)n;
  semv *v = sv_of(self);
  int which = (int)(intptr_t)ud;
  tval *r = tv_i64(tmpl_call_heap(c), (int64_t)(which == 0   ? v->major
                                                : which == 1 ? v->minor
                                                             : v->patch));
  r->tname = "uint64";
  *out = r;
  return 0;
}

void semver_string(sb *b, const tval *self) {
  semv *v = (semv *)self->u.m->ext;
  sb_printf(b, "%llu.%llu.%llu", (unsigned long long)v->major, (unsigned long long)v->minor,
            (unsigned long long)v->patch);
  if (v->pre[0]) sb_printf(b, "-%s", v->pre);
  if (v->meta[0]) sb_printf(b, "+%s", v->meta);
}

static int m_sv_str(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                    tmpl_value **out) {
  (void)a;
  (void)n;
  semv *v = sv_of(self);
  tmpl_heap *h = tmpl_call_heap(c);
  switch ((int)(intptr_t)ud) {
  case 0:
    *out = tv_cstr(h, v->pre);
    break;
  case 1:
    *out = tv_cstr(h, v->meta);
    break;
  case 2:
    *out = tv_cstr(h, v->orig);
    break;
  default: {
    sb b = {0};
    semver_string(&b, self);
    *out = sb_to_val(h, &b);
  }
  }
  return 0;
}

static int m_sv_cmp(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                    tmpl_value **out) {
  (void)n;
  if (a[0]->kind != TMPL_STRUCT || a[0]->u.m->ext_type != 2)
    return tmpl_call_error(c, "wrong type for value; expected *semver.Version; got %s",
                           tv_type(a[0]));
  int d = semver_cmp(sv_of(self), sv_of(a[0]));
  tmpl_heap *h = tmpl_call_heap(c);
  switch ((int)(intptr_t)ud) {
  case 0:
    *out = tv_int(h, d);
    break;
  case 1:
    *out = tv_bool(h, d < 0);
    break;
  case 2:
    *out = tv_bool(h, d > 0);
    break;
  default:
    *out = tv_bool(h, d == 0);
    break;
  }
  return 0;
}

tval *semver_value(tmpl_heap *h, const semv *v) {
  tval *s = tmpl_struct(h, "*semver.Version");
  semv *copy = th_alloc(h, sizeof *copy);
  *copy = *v;
  s->u.m->ext = copy;
  s->u.m->ext_type = 2;
  tmpl_add_method(s, "Major", 0, m_sv_uint, (void *)0);
  tmpl_add_method(s, "Minor", 0, m_sv_uint, (void *)1);
  tmpl_add_method(s, "Patch", 0, m_sv_uint, (void *)2);
  tmpl_add_method(s, "Prerelease", 0, m_sv_str, (void *)0);
  tmpl_add_method(s, "Metadata", 0, m_sv_str, (void *)1);
  tmpl_add_method(s, "Original", 0, m_sv_str, (void *)2);
  tmpl_add_method(s, "String", 0, m_sv_str, (void *)3);
  tmpl_add_method(s, "Compare", 1, m_sv_cmp, (void *)0);
  tmpl_add_method(s, "LessThan", 1, m_sv_cmp, (void *)1);
  tmpl_add_method(s, "GreaterThan", 1, m_sv_cmp, (void *)2);
  tmpl_add_method(s, "Equal", 1, m_sv_cmp, (void *)3);
  for (tmethod *m = s->methods; m; m = m->next)
    if (m->nparams == 1) m->anyargs = 1;
  return s;
}

static tval *f_semver(texec *x, tval **a, int n) {
  (void)n;
  semv v;
  const char *e = semver_parse(a[0]->u.s.p, a[0]->u.s.n, &v);
  if (e) return fn_error(x, "%s", e);
  return semver_value(H, &v);
}

const tfunc tmpl_funcs_semver[] = {
    {"semver", f_semver, 1, {P_STR}, false, 0, "*semver.Version"},
    {"semverCompare", f_semvercompare, 2, {P_STR, P_STR}, false, 0, "bool"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

/* Sprig math, conversion, defaults and reflection functions. */
#include "engine/gotmpl/tmpl_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define H exec_heap(x)

static bool is_nil(const tval *v) {
  return !v || v->kind == TMPL_NIL || v->kind == TMPL_INVALID;
}

static int64_t f2i(double f) {
  /* Go's float64→int64 conversion on amd64 (out of range → MinInt64) */
  if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) return INT64_MIN;
  return (int64_t)f;
}

/* strconv.ParseInt(s, 0, 64) */
static int parse_int0(const char *s, size_t n, int64_t *out) {
  size_t i = 0;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    i++;
  }
  int base = 10;
  bool pref = false;
  if (n - i >= 2 && s[i] == '0') {
    char c = s[i + 1] | 0x20;
    if (c == 'x')
      base = 16, i += 2, pref = true;
    else if (c == 'b')
      base = 2, i += 2, pref = true;
    else if (c == 'o')
      base = 8, i += 2, pref = true;
    else
      base = 8, i += 1, pref = true;
  }
  if (i >= n && !(pref && base == 8 && s[i - 1] == '0')) return -1;
  uint64_t v = 0;
  bool last_us = pref, any = pref && base == 8;
  for (; i < n; i++) {
    char c = s[i];
    if (c == '_') {
      if (last_us) return -1;
      last_us = true;
      continue;
    }
    last_us = false;
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
      d = (c | 0x20) - 'a' + 10;
    else
      return -1;
    if (d >= base) return -1;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return -2;
    v = v * (uint64_t)base + (uint64_t)d;
    any = true;
  }
  if (!any || (last_us && base != 8)) return -1;
  if (neg) {
    if (v > (uint64_t)INT64_MAX + 1) return -2;
    *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
  } else {
    if (v > (uint64_t)INT64_MAX) return -2;
    *out = (int64_t)v;
  }
  return 0;
}

static size_t trim_zero_decimal(const char *s, size_t n) {
  bool found_zero = false;
  for (size_t i = n; i > 0; i--) {
    switch (s[i - 1]) {
    case '.':
      if (found_zero) return i - 1;
      break;
    case '0':
      found_zero = true;
      break;
    default:
      return n;
    }
  }
  return n;
}

int64_t sprig_toint64(const tval *v) {
  if (is_nil(v)) return 0;
  switch (v->kind) {
  case TMPL_INT:
    return v->u.i;
  case TMPL_FLOAT:
    return f2i(v->u.f);
  case TMPL_BOOL:
    return v->u.b;
  case TMPL_STRING: {
    int64_t r;
    size_t n = trim_zero_decimal(v->u.s.p, v->u.s.n);
    return parse_int0(v->u.s.p, n, &r) == 0 ? r : 0;
  }
  default:
    return 0;
  }
}

/* strconv.ParseFloat (accepts Go syntax incl. underscores, inf, nan) */
static int parse_float(const char *s, size_t n, double *out) {
  char buf[128];
  if (n == 0 || n >= sizeof buf) return -1;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '_') continue;
    buf[k++] = s[i];
  }
  buf[k] = 0;
  const char *p = buf;
  if (*p == '+' || *p == '-') p++;
  if (!strcasecmp(p, "inf") || !strcasecmp(p, "infinity")) {
    *out = buf[0] == '-' ? -INFINITY : INFINITY;
    return 0;
  }
  if (!strcasecmp(p, "nan")) {
    *out = NAN;
    return 0;
  }
  for (const char *q = p; *q; q++)
    if (!strchr("0123456789.eE+-xXabcdefABCDEFpP", *q)) return -1;
  /* hex mantissa requires a p exponent in Go */
  if ((p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) && !strpbrk(p, "pP")) return -1;
  char *end;
  errno = 0;
  double f = strtod(buf, &end);
  if (*end || end == buf) return -1;
  if (errno == ERANGE && isinf(f)) return -2;
  *out = f;
  return 0;
}

double sprig_tofloat64(const tval *v) {
  if (is_nil(v)) return 0;
  switch (v->kind) {
  case TMPL_INT:
    return v->tname && v->tname[0] == 'u' ? (double)(uint64_t)v->u.i : (double)v->u.i;
  case TMPL_FLOAT:
    return v->u.f;
  case TMPL_BOOL:
    return v->u.b;
  case TMPL_STRING: {
    double f;
    return parse_float(v->u.s.p, v->u.s.n, &f) == 0 ? f : 0;
  }
  default:
    return 0;
  }
}

bool sprig_empty(const tval *v) {
  if (is_nil(v)) return true;
  switch (v->kind) {
  case TMPL_STRING:
  case TMPL_BYTES:
    return v->u.s.n == 0;
  case TMPL_LIST:
    return v->u.l->n == 0;
  case TMPL_MAP:
    return v->u.m->n == 0;
  case TMPL_BOOL:
    return !v->u.b;
  case TMPL_INT:
    return v->u.i == 0;
  case TMPL_FLOAT:
    return v->u.f == 0;
  default:
    return false;
  }
}

/* ---------------- integer math ---------------- */
static tval *f_add(texec *x, tval **a, int n) {
  int64_t s = 0;
  for (int i = 0; i < n; i++)
    s = (int64_t)((uint64_t)s + (uint64_t)sprig_toint64(a[i]));
  return tv_i64(H, s);
}
static tval *f_add1(texec *x, tval **a, int n) {
  (void)n;
  return tv_i64(H, (int64_t)((uint64_t)sprig_toint64(a[0]) + 1));
}
static tval *f_sub(texec *x, tval **a, int n) {
  (void)n;
  return tv_i64(H, (int64_t)((uint64_t)sprig_toint64(a[0]) - (uint64_t)sprig_toint64(a[1])));
}
static tval *f_div(texec *x, tval **a, int n) {
  (void)n;
  int64_t p = sprig_toint64(a[0]), q = sprig_toint64(a[1]);
  if (q == 0) return fn_error(x, "runtime error: integer divide by zero");
  if (q == -1) return tv_i64(H, (int64_t)(0 - (uint64_t)p));
  return tv_i64(H, p / q);
}
static tval *f_mod(texec *x, tval **a, int n) {
  (void)n;
  int64_t p = sprig_toint64(a[0]), q = sprig_toint64(a[1]);
  if (q == 0) return fn_error(x, "runtime error: integer divide by zero");
  if (q == -1) return tv_i64(H, 0);
  return tv_i64(H, p % q);
}
static tval *f_mul(texec *x, tval **a, int n) {
  int64_t v = sprig_toint64(a[0]);
  for (int i = 1; i < n; i++)
    v = (int64_t)((uint64_t)v * (uint64_t)sprig_toint64(a[i]));
  return tv_i64(H, v);
}
static tval *f_max(texec *x, tval **a, int n) {
  int64_t v = sprig_toint64(a[0]);
  for (int i = 1; i < n; i++) {
    int64_t b = sprig_toint64(a[i]);
    if (b > v) v = b;
  }
  return tv_i64(H, v);
}
static tval *f_min(texec *x, tval **a, int n) {
  int64_t v = sprig_toint64(a[0]);
  for (int i = 1; i < n; i++) {
    int64_t b = sprig_toint64(a[i]);
    if (b < v) v = b;
  }
  return tv_i64(H, v);
}
static tval *f_maxf(texec *x, tval **a, int n) {
  double v = sprig_tofloat64(a[0]);
  for (int i = 1; i < n; i++) {
    double b = sprig_tofloat64(a[i]);
    if (isnan(b) || isnan(v))
      v = NAN;
    else
      v = fmax(v, b);
  }
  return tv_float(H, v);
}
static tval *f_minf(texec *x, tval **a, int n) {
  double v = sprig_tofloat64(a[0]);
  for (int i = 1; i < n; i++) {
    double b = sprig_tofloat64(a[i]);
    if (isnan(b) || isnan(v))
      v = NAN;
    else
      v = fmin(v, b);
  }
  return tv_float(H, v);
}
static tval *f_floor(texec *x, tval **a, int n) {
  (void)n;
  return tv_float(H, floor(sprig_tofloat64(a[0])));
}
static tval *f_ceil(texec *x, tval **a, int n) {
  (void)n;
  return tv_float(H, ceil(sprig_tofloat64(a[0])));
}
static tval *f_round(texec *x, tval **a, int n) {
  double round_on = .5;
  if (n > 2) round_on = a[2]->u.f;
  double val = sprig_tofloat64(a[0]);
  double pw = pow(10, (double)a[1]->u.i);
  double digit = pw * val;
  double ip;
  double div = modf(digit, &ip);
  double r = div >= round_on ? ceil(digit) : floor(digit);
  return tv_float(H, r / pw);
}

/* ---------------- decimal float math (shopspring/decimal) ---------------- */
/* A decimal: value = m * 10^e with m in __int128. */
typedef struct dec {
  __int128 m;
  int e;
  bool ok;
} dec;

static dec dec_from_float(double f) {
  dec d = {0, 0, true};
  if (isnan(f) || isinf(f)) {
    d.ok = false;
    return d;
  }
  if (f == 0) return d;
  char buf[64];
  /* shortest repr */
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
    if (strtod(buf, NULL) == f) break;
  }
  bool neg = buf[0] == '-';
  char *p = buf + (neg ? 1 : 0);
  __int128 m = 0;
  int nd = 0;
  for (; *p && *p != 'e'; p++)
    if (*p != '.') {
      m = m * 10 + (*p - '0');
      nd++;
    }
  int e = atoi(p + 1);
  d.m = neg ? -m : m;
  d.e = e - (nd - 1);
  return d;
}

static void dec_align(dec *a, dec *b) {
  while (a->e > b->e && a->ok) {
    if (a->m > ((__int128)1 << 120) || a->m < -((__int128)1 << 120)) a->ok = false;
    a->m *= 10;
    a->e--;
  }
  while (b->e > a->e && b->ok) {
    if (b->m > ((__int128)1 << 120) || b->m < -((__int128)1 << 120)) b->ok = false;
    b->m *= 10;
    b->e--;
  }
}

static double dec_to_float(dec d) {
  char buf[80];
  __int128 m = d.m;
  bool neg = m < 0;
  if (neg) m = -m;
  char digs[60];
  int k = 0;
  if (m == 0) digs[k++] = '0';
  while (m > 0 && k < 59) {
    digs[k++] = (char)('0' + (int)(m % 10));
    m /= 10;
  }
  int p = 0;
  if (neg) buf[p++] = '-';
  for (int i = k - 1; i >= 0; i--)
    buf[p++] = digs[i];
  snprintf(buf + p, sizeof buf - (size_t)p, "e%d", d.e);
  return strtod(buf, NULL);
}

enum { DOP_ADD, DOP_SUB, DOP_MUL, DOP_DIV };

static double dec_op(double a, double b, int op) {
  dec x = dec_from_float(a), y = dec_from_float(b);
  if (!x.ok || !y.ok) goto fallback;
  switch (op) {
  case DOP_ADD:
  case DOP_SUB:
    dec_align(&x, &y);
    if (!x.ok || !y.ok) goto fallback;
    x.m = op == DOP_ADD ? x.m + y.m : x.m - y.m;
    return dec_to_float(x);
  case DOP_MUL: {
    __int128 lim = (__int128)1 << 62;
    if (x.m > lim || x.m < -lim || y.m > lim || y.m < -lim) goto fallback;
    x.m *= y.m;
    x.e += y.e;
    return dec_to_float(x);
  }
  case DOP_DIV:
    if (b == 0) return a / b; /* decimal panics: caller reports */
    {
      /* DivisionPrecision = 16 digits after the point */
      long double q = (long double)a / (long double)b;
      char buf[80];
      snprintf(buf, sizeof buf, "%.16Lf", q);
      return strtod(buf, NULL);
    }
  }
fallback:
  switch (op) {
  case DOP_ADD:
    return a + b;
  case DOP_SUB:
    return a - b;
  case DOP_MUL:
    return a * b;
  default:
    return a / b;
  }
}

static tval *decimal_fold(texec *x, double start, tval **a, int n, int op) {
  double acc = start;
  for (int i = 0; i < n; i++) {
    double b = sprig_tofloat64(a[i]);
    if (op == DOP_DIV && b == 0) return fn_error(x, "decimal division by 0");
    acc = dec_op(acc, b, op);
  }
  return tv_float(H, acc);
}

static tval *f_addf(texec *x, tval **a, int n) {
  return decimal_fold(x, 0, a, n, DOP_ADD);
}
static tval *f_add1f(texec *x, tval **a, int n) {
  (void)n;
  return tv_float(H, dec_op(sprig_tofloat64(a[0]), 1, DOP_ADD));
}
static tval *f_subf(texec *x, tval **a, int n) {
  return decimal_fold(x, sprig_tofloat64(a[0]), a + 1, n - 1, DOP_SUB);
}
static tval *f_mulf(texec *x, tval **a, int n) {
  return decimal_fold(x, sprig_tofloat64(a[0]), a + 1, n - 1, DOP_MUL);
}
static tval *f_divf(texec *x, tval **a, int n) {
  return decimal_fold(x, sprig_tofloat64(a[0]), a + 1, n - 1, DOP_DIV);
}

static tval *f_randint(texec *x, tval **a, int n) {
  (void)n;
  int64_t lo = a[0]->u.i, hi = a[1]->u.i;
  if (hi - lo <= 0) return fn_error(x, "invalid argument to Intn");
  return tv_int(H, lo + (int64_t)(exec_rand(x) % (uint64_t)(hi - lo)));
}

/* ---------------- conversions ---------------- */
static tval *f_int64(texec *x, tval **a, int n) {
  (void)n;
  return tv_i64(H, sprig_toint64(a[0]));
}
static tval *f_int(texec *x, tval **a, int n) {
  (void)n;
  return tv_int(H, sprig_toint64(a[0]));
}
static tval *f_float64(texec *x, tval **a, int n) {
  (void)n;
  return tv_float(H, sprig_tofloat64(a[0]));
}
static tval *f_atoi(texec *x, tval **a, int n) {
  (void)n;
  /* strconv.Atoi: base 10, optional sign, no underscores */
  const char *s = a[0]->u.s.p;
  size_t len = a[0]->u.s.n, i = 0;
  bool neg = false;
  if (len && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    i++;
  }
  if (i >= len) return tv_int(H, 0);
  uint64_t v = 0;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return tv_int(H, 0);
    if (v > (uint64_t)INT64_MAX / 10 + 1) return tv_int(H, neg ? INT64_MIN : INT64_MAX);
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (!neg && v > (uint64_t)INT64_MAX) return tv_int(H, INT64_MAX);
  if (neg && v > (uint64_t)INT64_MAX + 1) return tv_int(H, INT64_MIN);
  return tv_int(H, neg ? (int64_t)(0 - v) : (int64_t)v);
}
static tval *f_todecimal(texec *x, tval **a, int n) {
  (void)n;
  sb s = {0};
  gofmt_sprint(&s, a, 1);
  /* strconv.ParseInt(s, 8, 64) */
  int64_t v = 0;
  size_t i = 0;
  bool neg = false, ok = s.n > 0;
  if (s.n && (s.p[0] == '-' || s.p[0] == '+')) {
    neg = s.p[0] == '-';
    i = 1;
    ok = s.n > 1;
  }
  for (; i < s.n && ok; i++) {
    if (s.p[i] < '0' || s.p[i] > '7' || v > INT64_MAX / 8)
      ok = false;
    else
      v = v * 8 + (s.p[i] - '0');
  }
  sb_free(&s);
  return tv_i64(H, ok ? (neg ? -v : v) : 0);
}

/* ---------------- defaults / flow ---------------- */
static tval *f_default(texec *x, tval **a, int n) {
  (void)x;
  if (n < 2 || sprig_empty(a[1])) return a[0];
  return a[1];
}
static tval *f_empty(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, sprig_empty(a[0]));
}
static tval *f_coalesce(texec *x, tval **a, int n) {
  for (int i = 0; i < n; i++)
    if (!sprig_empty(a[i])) return a[i];
  return tv_nil(H);
}
static tval *f_all(texec *x, tval **a, int n) {
  for (int i = 0; i < n; i++)
    if (sprig_empty(a[i])) return tv_bool(H, 0);
  return tv_bool(H, 1);
}
static tval *f_any(texec *x, tval **a, int n) {
  for (int i = 0; i < n; i++)
    if (!sprig_empty(a[i])) return tv_bool(H, 1);
  return tv_bool(H, 0);
}
static tval *f_ternary(texec *x, tval **a, int n) {
  (void)n;
  (void)x;
  return a[2]->u.b ? a[0] : a[1];
}

/* ---------------- reflection ---------------- */
static const char *type_of(const tval *v) {
  return is_nil(v) ? "<nil>" : tv_type(v);
}

static tval *f_typeof(texec *x, tval **a, int n) {
  (void)n;
  return tv_cstr(H, type_of(a[0]));
}
static tval *f_typeis(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, !strcmp(a[0]->u.s.p, type_of(a[1])));
}
static tval *f_typeislike(texec *x, tval **a, int n) {
  (void)n;
  const char *t = type_of(a[1]);
  return tv_bool(H, !strcmp(a[0]->u.s.p, t) || (t[0] == '*' && !strcmp(a[0]->u.s.p, t + 1)));
}
static tval *f_kindof(texec *x, tval **a, int n) {
  (void)n;
  return tv_cstr(H, tv_kindname(a[0]));
}
static tval *f_kindis(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, !strcmp(a[0]->u.s.p, tv_kindname(a[1])));
}
static tval *f_deepequal(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, tv_deep_equal(a[0], a[1]));
}

const tfunc tmpl_funcs_math[] = {
    {"add", f_add, 0, {0}, true, P_ANY, "int64"},
    {"add1", f_add1, 1, {P_ANY}, false, 0, "int64"},
    {"sub", f_sub, 2, {P_ANY, P_ANY}, false, 0, "int64"},
    {"div", f_div, 2, {P_ANY, P_ANY}, false, 0, "int64"},
    {"mod", f_mod, 2, {P_ANY, P_ANY}, false, 0, "int64"},
    {"mul", f_mul, 1, {P_ANY}, true, P_ANY, "int64"},
    {"max", f_max, 1, {P_ANY}, true, P_ANY, "int64"},
    {"biggest", f_max, 1, {P_ANY}, true, P_ANY, "int64"},
    {"min", f_min, 1, {P_ANY}, true, P_ANY, "int64"},
    {"maxf", f_maxf, 1, {P_ANY}, true, P_ANY, "float64"},
    {"minf", f_minf, 1, {P_ANY}, true, P_ANY, "float64"},
    {"floor", f_floor, 1, {P_ANY}, false, 0, "float64"},
    {"ceil", f_ceil, 1, {P_ANY}, false, 0, "float64"},
    {"round", f_round, 2, {P_ANY, P_INT}, true, P_F64, "float64"},
    {"addf", f_addf, 0, {0}, true, P_ANY, "float64"},
    {"add1f", f_add1f, 1, {P_ANY}, false, 0, "float64"},
    {"subf", f_subf, 1, {P_ANY}, true, P_ANY, "float64"},
    {"mulf", f_mulf, 1, {P_ANY}, true, P_ANY, "float64"},
    {"divf", f_divf, 1, {P_ANY}, true, P_ANY, "float64"},
    {"randInt", f_randint, 2, {P_INT, P_INT}, false, 0, "int"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

const tfunc tmpl_funcs_conv[] = {
    {"int64", f_int64, 1, {P_ANY}, false, 0, "int64"},
    {"int", f_int, 1, {P_ANY}, false, 0, "int"},
    {"float64", f_float64, 1, {P_ANY}, false, 0, "float64"},
    {"atoi", f_atoi, 1, {P_STR}, false, 0, "int"},
    {"toDecimal", f_todecimal, 1, {P_ANY}, false, 0, "int64"},
    {"default", f_default, 1, {P_ANY}, true, P_ANY, "interface {}"},
    {"empty", f_empty, 1, {P_ANY}, false, 0, "bool"},
    {"coalesce", f_coalesce, 0, {0}, true, P_ANY, "interface {}"},
    {"all", f_all, 0, {0}, true, P_ANY, "bool"},
    {"any", f_any, 0, {0}, true, P_ANY, "bool"},
    {"ternary", f_ternary, 3, {P_ANY, P_ANY, P_BOOL}, false, 0, "interface {}"},
    {"typeOf", f_typeof, 1, {P_ANY}, false, 0, "string"},
    {"typeIs", f_typeis, 2, {P_STR, P_ANY}, false, 0, "bool"},
    {"typeIsLike", f_typeislike, 2, {P_STR, P_ANY}, false, 0, "bool"},
    {"kindOf", f_kindof, 1, {P_ANY}, false, 0, "string"},
    {"kindIs", f_kindis, 2, {P_STR, P_ANY}, false, 0, "bool"},
    {"deepEqual", f_deepequal, 2, {P_ANY, P_ANY}, false, 0, "bool"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

/* Function registry and Go's predefined template functions. */
#include "engine/gotmpl/tmpl_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------------- registry ---------------- */
static const tfunc **g_index;
static size_t g_nindex;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static int cmp_func(const void *a, const void *b) {
  return strcmp((*(const tfunc *const *)a)->name, (*(const tfunc *const *)b)->name);
}

static void build_index(void) {
  const tfunc *tables[] = {
      tmpl_funcs_builtin, tmpl_funcs_strings,  tmpl_funcs_lists,  tmpl_funcs_dict,  tmpl_funcs_math,
      tmpl_funcs_conv,    tmpl_funcs_encoding, tmpl_funcs_crypto, tmpl_funcs_regex, tmpl_funcs_date,
      tmpl_funcs_semver,  tmpl_funcs_misc,     tmpl_funcs_helm};
  size_t n = 0;
  for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
    for (const tfunc *f = tables[t]; f->name; f++)
      n++;
  g_index = malloc(n * sizeof *g_index);
  if (!g_index) abort();
  /* later tables override earlier ones (Helm's funcs replace Sprig's,
   * Sprig's replace Go's builtins): insert in order, dedupe keeping last */
  for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
    for (const tfunc *f = tables[t]; f->name; f++) {
      size_t i;
      for (i = 0; i < g_nindex; i++)
        if (!strcmp(g_index[i]->name, f->name)) {
          g_index[i] = f;
          break;
        }
      if (i == g_nindex) g_index[g_nindex++] = f;
    }
  qsort(g_index, g_nindex, sizeof *g_index, cmp_func);
}

const tfunc *tmpl_find_func_len(const char *name, size_t len) {
  pthread_once(&g_once, build_index);
  size_t lo = 0, hi = g_nindex;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *k = g_index[mid]->name;
    int c = strncmp(k, name, len);
    if (c == 0 && k[len] != 0) c = 1;
    if (c == 0) return g_index[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const tfunc *tmpl_find_func(const char *name) {
  return tmpl_find_func_len(name, strlen(name));
}

/* ---------------- comparisons ---------------- */
enum { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_UINT };

static int basic_kind(const tval *v) {
  switch (v ? v->kind : TMPL_INVALID) {
  case TMPL_BOOL:
    return K_BOOL;
  case TMPL_INT:
    return v->tname && v->tname[0] == 'u' ? K_UINT : K_INT;
  case TMPL_FLOAT:
    return K_FLOAT;
  case TMPL_STRING:
    return K_STRING;
  default:
    return K_INVALID;
  }
}

static bool is_zero(const tval *v) {
  return !v || v->kind == TMPL_INVALID || v->kind == TMPL_NIL;
}

static int str_cmp(const tval *a, const tval *b) {
  size_t m = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
  int c = memcmp(a->u.s.p, b->u.s.p, m);
  if (c) return c;
  return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
}

/* returns 1/0, or -1 with fn_error */
static int eq2(texec *x, const tval *a, const tval *b) {
  int k1 = basic_kind(a), k2 = basic_kind(b);
  if (k1 != k2) {
    if (k1 == K_INT && k2 == K_UINT) return a->u.i >= 0 && (uint64_t)a->u.i == (uint64_t)b->u.i;
    if (k1 == K_UINT && k2 == K_INT) return b->u.i >= 0 && (uint64_t)a->u.i == (uint64_t)b->u.i;
    if (!is_zero(a) && !is_zero(b)) {
      fn_error(x, "incompatible types for comparison");
      return -1;
    }
    return 0;
  }
  switch (k1) {
  case K_BOOL:
    return a->u.b == b->u.b;
  case K_FLOAT:
    return a->u.f == b->u.f;
  case K_INT:
  case K_UINT:
    return a->u.i == b->u.i;
  case K_STRING:
    return str_cmp(a, b) == 0;
  }
  /* non-basic */
  bool an = is_zero(a), bn = is_zero(b);
  if (!an && !bn && a->kind != b->kind) {
    sb s1 = {0}, s2 = {0};
    gofmt_value(&s1, a);
    gofmt_value(&s2, b);
    fn_error(x, "non-comparable types %s: %s, %s: %s", s1.p, tv_type(a), tv_type(b), s2.p);
    sb_free(&s1);
    sb_free(&s2);
    return -1;
  }
  if (an || bn) return an == bn;
  if (b->kind == TMPL_LIST || b->kind == TMPL_MAP || b->kind == TMPL_BYTES) {
    sb s = {0};
    gofmt_value(&s, b);
    fn_error(x, "non-comparable type %s: %s", s.p, tv_type(b));
    sb_free(&s);
    return -1;
  }
  return a == b;
}

static tval *f_eq(texec *x, tval **a, int n) {
  if (n < 2) return fn_error(x, "missing argument for comparison");
  for (int i = 1; i < n; i++) {
    int r = eq2(x, a[0], a[i]);
    if (r < 0) return NULL;
    if (r) return tv_bool(exec_heap(x), 1);
  }
  return tv_bool(exec_heap(x), 0);
}

static tval *f_ne(texec *x, tval **a, int n) {
  (void)n;
  int r = eq2(x, a[0], a[1]);
  if (r < 0) return NULL;
  return tv_bool(exec_heap(x), !r);
}

static int lt2(texec *x, const tval *a, const tval *b) {
  int k1 = basic_kind(a);
  if (k1 == K_INVALID) {
    fn_error(x, "invalid type for comparison");
    return -1;
  }
  int k2 = basic_kind(b);
  if (k2 == K_INVALID) {
    fn_error(x, "invalid type for comparison");
    return -1;
  }
  if (k1 != k2) {
    if (k1 == K_INT && k2 == K_UINT) return a->u.i < 0 || (uint64_t)a->u.i < (uint64_t)b->u.i;
    if (k1 == K_UINT && k2 == K_INT) return b->u.i >= 0 && (uint64_t)a->u.i < (uint64_t)b->u.i;
    fn_error(x, "incompatible types for comparison");
    return -1;
  }
  switch (k1) {
  case K_BOOL:
    fn_error(x, "invalid type for comparison");
    return -1;
  case K_FLOAT:
    return a->u.f < b->u.f;
  case K_INT:
    return a->u.i < b->u.i;
  case K_UINT:
    return (uint64_t)a->u.i < (uint64_t)b->u.i;
  case K_STRING:
    return str_cmp(a, b) < 0;
  }
  return 0;
}

static tval *f_lt(texec *x, tval **a, int n) {
  (void)n;
  int r = lt2(x, a[0], a[1]);
  return r < 0 ? NULL : tv_bool(exec_heap(x), r);
}
static int le2(texec *x, tval *a, tval *b) {
  int r = lt2(x, a, b);
  if (r != 0) return r;
  return eq2(x, a, b);
}
static tval *f_le(texec *x, tval **a, int n) {
  (void)n;
  int r = le2(x, a[0], a[1]);
  return r < 0 ? NULL : tv_bool(exec_heap(x), r);
}
static tval *f_gt(texec *x, tval **a, int n) {
  (void)n;
  int r = le2(x, a[0], a[1]);
  return r < 0 ? NULL : tv_bool(exec_heap(x), !r);
}
static tval *f_ge(texec *x, tval **a, int n) {
  (void)n;
  int r = lt2(x, a[0], a[1]);
  return r < 0 ? NULL : tv_bool(exec_heap(x), !r);
}

static tval *f_not(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(exec_heap(x), !tv_truth(a[0]));
}

static tval *f_len(texec *x, tval **a, int n) {
  (void)n;
  tval *v = a[0];
  if (v->kind == TMPL_INVALID)
    return fn_error(x, "reflect: call of reflect.Value.Type on zero Value");
  if (v->kind == TMPL_NIL) return fn_error(x, "len of nil pointer");
  switch (v->kind) {
  case TMPL_STRING:
  case TMPL_BYTES:
    return tv_int(exec_heap(x), (int64_t)v->u.s.n);
  case TMPL_LIST:
    return tv_int(exec_heap(x), (int64_t)v->u.l->n);
  case TMPL_MAP:
    return tv_int(exec_heap(x), (int64_t)v->u.m->n);
  default:
    return fn_error(x, "len of type %s", tv_type(v));
  }
}

static int index_arg(texec *x, const tval *idx, size_t cap, size_t *out) {
  if (!idx || idx->kind == TMPL_INVALID || idx->kind == TMPL_NIL) {
    fn_error(x, "cannot index slice/array with nil");
    return -1;
  }
  if (idx->kind != TMPL_INT) {
    fn_error(x, "cannot index slice/array with type %s", tv_type(idx));
    return -1;
  }
  if (idx->u.i < 0 || (uint64_t)idx->u.i > cap) {
    fn_error(x, "index out of range: %lld", (long long)idx->u.i);
    return -1;
  }
  *out = (size_t)idx->u.i;
  return 0;
}

static tval *f_index(texec *x, tval **a, int n) {
  tval *item = a[0];
  if (item->kind == TMPL_INVALID || item->kind == TMPL_NIL)
    return fn_error(x, "index of untyped nil");
  for (int i = 1; i < n; i++) {
    tval *idx = a[i];
    if (item->kind == TMPL_NIL) return fn_error(x, "index of nil pointer");
    size_t k;
    switch (item->kind) {
    case TMPL_LIST:
      if (index_arg(x, idx, item->u.l->n, &k)) return NULL;
      if (k == item->u.l->n) return fn_error(x, "reflect: slice index out of range");
      item = item->u.l->v[k];
      break;
    case TMPL_STRING:
    case TMPL_BYTES: {
      if (index_arg(x, idx, item->u.s.n, &k)) return NULL;
      if (k == item->u.s.n) return fn_error(x, "reflect: string index out of range");
      tval *b = tv_i64(exec_heap(x), (unsigned char)item->u.s.p[k]);
      b->tname = "uint8";
      item = b;
      break;
    }
    case TMPL_MAP: {
      bool strmap = item->tname && !strcmp(item->tname, "map[string]string");
      if (!idx || idx->kind == TMPL_INVALID || idx->kind == TMPL_NIL)
        return fn_error(x, "value is nil; should be of type string");
      if (idx->kind != TMPL_STRING)
        return fn_error(x, "value has type %s; should be string", tv_type(idx));
      tval *v = tm_get(item, idx->u.s.p, idx->u.s.n);
      item = v ? v : strmap ? tv_str(exec_heap(x), "", 0) : tv_nil(exec_heap(x));
      break;
    }
    default:
      return fn_error(x, "can't index item of type %s", tv_type(item));
    }
  }
  return item;
}

static tval *f_call(texec *x, tval **a, int n) {
  (void)n;
  if (is_zero(a[0])) return fn_error(x, "call of nil");
  const char *exec_callee(texec * x);
  return fn_error(x, "non-function %s of type %s", exec_callee(x), tv_type(a[0]));
}

static tval *f_print(texec *x, tval **a, int n) {
  sb b = {0};
  gofmt_sprint(&b, a, n);
  return sb_to_val(exec_heap(x), &b);
}
static tval *f_println(texec *x, tval **a, int n) {
  sb b = {0};
  gofmt_sprintln(&b, a, n);
  return sb_to_val(exec_heap(x), &b);
}
static tval *f_printf(texec *x, tval **a, int n) {
  sb b = {0};
  gofmt_sprintf(&b, a[0]->u.s.p, a[0]->u.s.n, a + 1, n - 1);
  return sb_to_val(exec_heap(x), &b);
}

/* evalArgs of html/js/urlquery */
static void eval_args(sb *b, tval **a, int n) {
  if (n == 1 && a[0]->kind == TMPL_STRING) {
    sb_putn(b, a[0]->u.s.p, a[0]->u.s.n);
    return;
  }
  tval nv = {.kind = TMPL_STRING};
  tval **c = malloc((size_t)(n ? n : 1) * sizeof *c);
  if (!c) abort();
  nv.u.s.p = "<no value>";
  nv.u.s.n = 10;
  for (int i = 0; i < n; i++)
    c[i] = is_zero(a[i]) ? &nv : a[i];
  gofmt_sprint(b, c, n);
  free(c);
}

static tval *f_html(texec *x, tval **a, int n) {
  sb s = {0}, o = {0};
  eval_args(&s, a, n);
  sb_putn(&o, "", 0);
  for (size_t i = 0; i < s.n; i++) {
    switch (s.p[i]) {
    case 0:
      sb_puts(&o, "\xEF\xBF\xBD");
      break;
    case '"':
      sb_puts(&o, "&#34;");
      break;
    case '\'':
      sb_puts(&o, "&#39;");
      break;
    case '&':
      sb_puts(&o, "&amp;");
      break;
    case '<':
      sb_puts(&o, "&lt;");
      break;
    case '>':
      sb_puts(&o, "&gt;");
      break;
    default:
      sb_putc(&o, s.p[i]);
    }
  }
  sb_free(&s);
  return sb_to_val(exec_heap(x), &o);
}

static tval *f_js(texec *x, tval **a, int n) {
  sb s = {0}, o = {0};
  eval_args(&s, a, n);
  sb_putn(&o, "", 0);
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < s.n;) {
    unsigned char c = (unsigned char)s.p[i];
    if (c < 0x80) {
      i++;
      switch (c) {
      case '\\':
        sb_puts(&o, "\\\\");
        continue;
      case '\'':
        sb_puts(&o, "\\'");
        continue;
      case '"':
        sb_puts(&o, "\\\"");
        continue;
      case '<':
        sb_puts(&o, "\\u003C");
        continue;
      case '>':
        sb_puts(&o, "\\u003E");
        continue;
      case '&':
        sb_puts(&o, "\\u0026");
        continue;
      case '=':
        sb_puts(&o, "\\u003D");
        continue;
      case '`':
        sb_puts(&o, "\\u0060");
        continue;
      case '+':
        sb_puts(&o, "\\u002B");
        continue;
      case '\n':
        sb_puts(&o, "\\n");
        continue;
      case '\r':
        sb_puts(&o, "\\r");
        continue;
      case '\t':
        sb_puts(&o, "\\t");
        continue;
      }
      if (c < ' ') {
        sb_puts(&o, "\\u00");
        sb_putc(&o, hex[c >> 4]);
        sb_putc(&o, hex[c & 15]);
      } else
        sb_putc(&o, (char)c);
      continue;
    }
    int32_t r;
    int w = utf8_decode(s.p + i, s.n - i, &r);
    if (r < 0xA0 || (r >= 0x2028 && r <= 0x2029) || r == 0xFFFD) {
      /* not printable: \uXXXX */
      sb_printf(&o, "\\u%04X", (unsigned)r);
    } else
      sb_putn(&o, s.p + i, (size_t)w);
    i += (size_t)w;
  }
  sb_free(&s);
  return sb_to_val(exec_heap(x), &o);
}

static tval *f_urlquery(texec *x, tval **a, int n) {
  sb s = {0}, o = {0};
  eval_args(&s, a, n);
  sb_putn(&o, "", 0);
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < s.n; i++) {
    unsigned char c = (unsigned char)s.p[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~')
      sb_putc(&o, (char)c);
    else if (c == ' ')
      sb_putc(&o, '+');
    else {
      sb_putc(&o, '%');
      sb_putc(&o, hex[c >> 4]);
      sb_putc(&o, hex[c & 15]);
    }
  }
  sb_free(&s);
  return sb_to_val(exec_heap(x), &o);
}

const tfunc tmpl_funcs_builtin[] = {
    {"and", NULL, 1, {P_RV}, true, P_RV, "reflect.Value"},
    {"or", NULL, 1, {P_RV}, true, P_RV, "reflect.Value"},
    {"not", f_not, 1, {P_RV}, false, 0, "bool"},
    {"len", f_len, 1, {P_RV}, false, 0, "int"},
    {"index", f_index, 1, {P_RV}, true, P_RV, "reflect.Value"},
    {"slice", f_index, 1, {P_RV}, true, P_RV, "reflect.Value"}, /* replaced by Sprig's */
    {"call", f_call, 1, {P_RV}, true, P_RV, "reflect.Value"},
    {"eq", f_eq, 1, {P_RV}, true, P_RV, "bool"},
    {"ne", f_ne, 2, {P_RV, P_RV}, false, 0, "bool"},
    {"lt", f_lt, 2, {P_RV, P_RV}, false, 0, "bool"},
    {"le", f_le, 2, {P_RV, P_RV}, false, 0, "bool"},
    {"gt", f_gt, 2, {P_RV, P_RV}, false, 0, "bool"},
    {"ge", f_ge, 2, {P_RV, P_RV}, false, 0, "bool"},
    {"print", f_print, 0, {0}, true, P_ANY, "string"},
    {"printf", f_printf, 1, {P_STR}, true, P_ANY, "string"},
    {"println", f_println, 0, {0}, true, P_ANY, "string"},
    {"html", f_html, 0, {0}, true, P_ANY, "string"},
    {"js", f_js, 0, {0}, true, P_ANY, "string"},
    {"urlquery", f_urlquery, 0, {0}, true, P_ANY, "string"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

/* toToml: the output of BurntSushi/toml's Encoder (as Helm's toToml uses it). */
#include "engine/gotmpl/tmpl_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct tenc {
  sb *b;
  bool written;
  char *err;
  size_t errcap;
  bool failed;
} tenc;

typedef struct tkey {
  const char **k;
  size_t *kl;
  int n;
} tkey;

static void w(tenc *e, const char *s, size_t n) {
  sb_putn(e->b, s, n);
  if (n) e->written = true;
}
static void ws_(tenc *e, const char *s) {
  w(e, s, strlen(s));
}
static void nl(tenc *e) {
  if (e->written) sb_putc(e->b, '\n');
}

static void indent(tenc *e, const tkey *k) {
  for (int i = 0; i < k->n - 1; i++)
    ws_(e, "  ");
}

static bool is_nil(const tval *v) {
  return !v || v->kind == TMPL_NIL || v->kind == TMPL_INVALID;
}
static bool is_table(const tval *v) {
  return v && (v->kind == TMPL_MAP || v->kind == TMPL_STRUCT);
}
static bool is_table_array(const tval *v) {
  if (!v || v->kind != TMPL_LIST || v->u.l->n == 0) return false;
  for (size_t i = 0; i < v->u.l->n; i++)
    if (!is_table(v->u.l->v[i])) return false;
  return true;
}

static void quote(tenc *e, const char *s, size_t n) {
  sb_putc(e->b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '\b':
      sb_puts(e->b, "\\b");
      continue;
    case '\t':
      sb_puts(e->b, "\\t");
      continue;
    case '\n':
      sb_puts(e->b, "\\n");
      continue;
    case '\f':
      sb_puts(e->b, "\\f");
      continue;
    case '\r':
      sb_puts(e->b, "\\r");
      continue;
    case '"':
      sb_puts(e->b, "\\\"");
      continue;
    case '\\':
      sb_puts(e->b, "\\\\");
      continue;
    }
    if (c < 0x20 || c == 0x7f)
      sb_printf(e->b, "\\u%04x", c);
    else
      sb_putc(e->b, (char)c);
  }
  sb_putc(e->b, '"');
  e->written = true;
}

static void key_part(tenc *e, const char *k, size_t kl) {
  bool bare = kl > 0;
  for (size_t i = 0; i < kl; i++) {
    char c = k[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      bare = false;
  }
  if (bare)
    w(e, k, kl);
  else
    quote(e, k, kl);
}

static void full_key(tenc *e, const tkey *k) {
  for (int i = 0; i < k->n; i++) {
    if (i) ws_(e, ".");
    key_part(e, k->k[i], k->kl[i]);
  }
}

static void element(tenc *e, const tval *v, int depth);

static void inline_table(tenc *e, const tval *v, int depth) {
  ws_(e, "{");
  size_t n = v->u.m->n;
  bool first = true;
  /* direct keys first, then tables, each sorted */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < n; i++) {
      const tval *x = v->u.m->v[i];
      if (is_nil(x) || (is_table(x) || is_table_array(x)) != (pass == 1)) continue;
      if (!first) ws_(e, ", ");
      first = false;
      key_part(e, v->u.m->k[i], v->u.m->kl[i]);
      ws_(e, " = ");
      element(e, x, depth + 1);
    }
  ws_(e, "}");
}

static void element(tenc *e, const tval *v, int depth) {
  if (depth > 1000 || e->b->n > tmpl_fmt_limit) {
    e->failed = true;
    return;
  }
  if (v && v->kind == TMPL_STRUCT && v->u.m->ext_type == 1 && v->u.m->ext)
    v = (const tval *)v->u.m->ext;
  switch (v ? v->kind : TMPL_INVALID) {
  case TMPL_BOOL:
    ws_(e, v->u.b ? "true" : "false");
    return;
  case TMPL_INT:
    sb_printf(e->b, "%lld", (long long)v->u.i);
    e->written = true;
    return;
  case TMPL_FLOAT: {
    double f = v->u.f;
    if (isnan(f))
      ws_(e, "nan");
    else if (isinf(f))
      ws_(e, f > 0 ? "inf" : "-inf");
    else {
      size_t st = e->b->n;
      gofmt_float(e->b, f, 'f', -1);
      if (!memchr(e->b->p + st, '.', e->b->n - st)) sb_puts(e->b, ".0");
      e->written = true;
    }
    return;
  }
  case TMPL_STRING:
  case TMPL_BYTES:
    quote(e, v->u.s.p, v->u.s.n);
    return;
  case TMPL_LIST:
    ws_(e, "[");
    for (size_t i = 0; i < v->u.l->n; i++) {
      if (i) ws_(e, ", ");
      if (is_nil(v->u.l->v[i])) {
        e->failed = true;
        tmpl_msgf(e->err, e->errcap, "toml: cannot encode a nil value in an array");
        return;
      }
      element(e, v->u.l->v[i], depth + 1);
    }
    ws_(e, "]");
    return;
  case TMPL_MAP:
  case TMPL_STRUCT:
    inline_table(e, v, depth);
    return;
  default:
    e->failed = true;
    return;
  }
}

static void encode(tenc *e, tkey *k, const tval *v, int depth);

static void map_body(tenc *e, tkey *k, const tval *v, int depth) {
  if (v->kind == TMPL_STRUCT && v->u.m->ext_type == 1 && v->u.m->ext) v = (const tval *)v->u.m->ext;
  size_t n = v->u.m->n;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < n; i++) {
      const tval *x = v->u.m->v[i];
      bool tab = is_table(x) || is_table_array(x);
      if (tab != (pass == 1) || is_nil(x)) continue;
      k->k[k->n] = v->u.m->k[i];
      k->kl[k->n] = v->u.m->kl[i];
      k->n++;
      encode(e, k, x, depth + 1);
      k->n--;
    }
}

static void encode(tenc *e, tkey *k, const tval *v, int depth) {
  if (depth > 500 || e->failed) {
    e->failed = true;
    return;
  }
  if (is_table(v)) {
    if (k->n == 1) nl(e);
    if (k->n > 0) {
      indent(e, k);
      ws_(e, "[");
      full_key(e, k);
      ws_(e, "]");
      nl(e);
    }
    map_body(e, k, v, depth);
    return;
  }
  if (is_table_array(v)) {
    for (size_t i = 0; i < v->u.l->n; i++) {
      nl(e);
      indent(e, k);
      ws_(e, "[[");
      full_key(e, k);
      ws_(e, "]]");
      nl(e);
      map_body(e, k, v->u.l->v[i], depth);
    }
    return;
  }
  indent(e, k);
  key_part(e, k->k[k->n - 1], k->kl[k->n - 1]);
  ws_(e, " = ");
  element(e, v, depth);
  nl(e);
}

int toml_emit(sb *b, const tval *v, char *errbuf, size_t errcap) {
  tenc e = {b, false, errbuf, errcap, false};
  sb_putn(b, "", 0);
  const char *ks[512];
  size_t kls[512];
  tkey k = {ks, kls, 0};
  if (is_table(v))
    map_body(&e, &k, v, 0);
  else if (!is_nil(v))
    element(&e, v, 0);
  if (e.failed && !errbuf[0]) tmpl_msgf(errbuf, errcap, "toml: cannot encode value");
  return e.failed ? -1 : 0;
}

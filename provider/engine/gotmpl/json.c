/* encoding/json semantics: Marshal / MarshalIndent / Unmarshal into interface{}. */
#include "engine/gotmpl/tmpl_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int b64_encode(const unsigned char *in, size_t n, sb *out);

static void json_string(sb *b, const char *s, size_t n, bool html) {
  static const char hex[] = "0123456789abcdef";
  sb_putc(b, '"');
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      i++;
      switch (c) {
      case '"':
        sb_puts(b, "\\\"");
        continue;
      case '\\':
        sb_puts(b, "\\\\");
        continue;
      case '\n':
        sb_puts(b, "\\n");
        continue;
      case '\r':
        sb_puts(b, "\\r");
        continue;
      case '\t':
        sb_puts(b, "\\t");
        continue;
      case '\b':
        sb_puts(b, "\\b");
        continue;
      case '\f':
        sb_puts(b, "\\f");
        continue;
      }
      if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
        sb_puts(b, "\\u00");
        sb_putc(b, hex[c >> 4]);
        sb_putc(b, hex[c & 15]);
        continue;
      }
      sb_putc(b, (char)c);
      continue;
    }
    int32_t r;
    int w = utf8_decode(s + i, n - i, &r);
    if (w == 1 && r == 0xFFFD) {
      sb_puts(b, "\\ufffd");
      i++;
      continue;
    }
    if (r == 0x2028 || r == 0x2029) {
      sb_printf(b, "\\u202%c", r == 0x2028 ? '8' : '9');
      i += (size_t)w;
      continue;
    }
    sb_putn(b, s + i, (size_t)w);
    i += (size_t)w;
  }
  sb_putc(b, '"');
}

static void json_float(sb *b, double f) {
  double a = fabs(f);
  char fmtc = 'f';
  if (a != 0 && (a < 1e-6 || a >= 1e21)) fmtc = 'e';
  size_t st = b->n;
  gofmt_float(b, f, fmtc, -1);
  if (fmtc == 'e') {
    size_t n = b->n - st;
    char *p = b->p + st;
    if (n >= 4 && p[n - 4] == 'e' && p[n - 3] == '-' && p[n - 2] == '0') {
      p[n - 2] = p[n - 1];
      b->n--;
      b->p[b->n] = 0;
    }
  }
}

static void newline(sb *b, const char *indent, int depth) {
  sb_putc(b, '\n');
  for (int i = 0; i < depth; i++)
    sb_puts(b, indent);
}

static void enc(sb *b, const tval *v, bool html, const char *indent, int depth, int *err) {
  if (depth > 10000 || b->n > tmpl_fmt_limit) {
    if (err) *err = 1;
    return;
  }
  switch (v ? v->kind : TMPL_INVALID) {
  case TMPL_INVALID:
  case TMPL_NIL:
    sb_puts(b, "null");
    return;
  case TMPL_BOOL:
    sb_puts(b, v->u.b ? "true" : "false");
    return;
  case TMPL_INT:
    if (v->tname && v->tname[0] == 'u')
      sb_printf(b, "%llu", (unsigned long long)v->u.i);
    else
      sb_printf(b, "%lld", (long long)v->u.i);
    return;
  case TMPL_FLOAT:
    if (isnan(v->u.f) || isinf(v->u.f)) {
      if (err) *err = 2;
      sb_puts(b, "null");
      return;
    }
    json_float(b, v->u.f);
    return;
  case TMPL_STRING:
    json_string(b, v->u.s.p, v->u.s.n, html);
    return;
  case TMPL_BYTES: {
    sb t = {0};
    b64_encode((const unsigned char *)v->u.s.p, v->u.s.n, &t);
    json_string(b, t.p ? t.p : "", t.n, html);
    sb_free(&t);
    return;
  }
  case TMPL_LIST:
    if (v->u.l->n == 0) {
      sb_puts(b, "[]");
      return;
    }
    sb_putc(b, '[');
    for (size_t i = 0; i < v->u.l->n; i++) {
      if (i) sb_putc(b, ',');
      if (indent) newline(b, indent, depth + 1);
      enc(b, v->u.l->v[i], html, indent, depth + 1, err);
    }
    if (indent) newline(b, indent, depth);
    sb_putc(b, ']');
    return;
  case TMPL_STRUCT:
    if (v->u.m->ext_type == 1 && v->u.m->ext) {
      enc(b, (const tval *)v->u.m->ext, html, indent, depth, err);
      return;
    }
    if (v->u.m->nord == 0) {
      sb_puts(b, "{}");
      return;
    }
    sb_putc(b, '{');
    for (size_t i = 0; i < v->u.m->nord; i++) {
      const char *k = v->u.m->ord[i];
      if (i) sb_putc(b, ',');
      if (indent) newline(b, indent, depth + 1);
      json_string(b, k, strlen(k), html);
      sb_putc(b, ':');
      if (indent) sb_putc(b, ' ');
      enc(b, tm_get(v, k, strlen(k)), html, indent, depth + 1, err);
    }
    if (indent) newline(b, indent, depth);
    sb_putc(b, '}');
    return;
  case TMPL_MAP:
    if (v->u.m->n == 0) {
      sb_puts(b, "{}");
      return;
    }
    sb_putc(b, '{');
    for (size_t i = 0; i < v->u.m->n; i++) {
      if (i) sb_putc(b, ',');
      if (indent) newline(b, indent, depth + 1);
      json_string(b, v->u.m->k[i], v->u.m->kl[i], html);
      sb_putc(b, ':');
      if (indent) sb_putc(b, ' ');
      enc(b, v->u.m->v[i], html, indent, depth + 1, err);
    }
    if (indent) newline(b, indent, depth);
    sb_putc(b, '}');
    return;
  default:
    sb_puts(b, "null");
    return;
  }
}

void json_encode(sb *b, const tval *v, bool escape_html, const char *indent, int *err) {
  sb_putn(b, "", 0);
  enc(b, v, escape_html, indent, 0, err);
}

/* ---------------- decoder ---------------- */
typedef struct jp {
  const char *s;
  size_t n, i;
  tmpl_heap *h;
  char *err;
  size_t errcap;
  bool failed;
  int depth;
} jp;

static void jerr_char(jp *p, const char *ctx) {
  if (p->failed) return;
  p->failed = true;
  if (p->i >= p->n) {
    snprintf(p->err, p->errcap, "unexpected end of JSON input");
    return;
  }
  unsigned char c = (unsigned char)p->s[p->i];
  char q[16];
  if (c == '\'')
    snprintf(q, sizeof q, "'\\''");
  else if (c == '"')
    snprintf(q, sizeof q, "'\"'");
  else if (c < 0x20 || c >= 0x7f)
    snprintf(q, sizeof q, "'\\x%02x'", c);
  else
    snprintf(q, sizeof q, "'%c'", c);
  snprintf(p->err, p->errcap, "invalid character %s %s", q, ctx);
}

/* Go's scanner feeds a space at EOF: inside numbers and literals that is
 * reported as an invalid ' ' rather than "unexpected end" */
static void jerr_space(jp *p, const char *ctx) {
  if (p->failed) return;
  if (p->i >= p->n) {
    p->failed = true;
    tmpl_msgf(p->err, p->errcap, "invalid character ' ' %s", ctx);
    return;
  }
  jerr_char(p, ctx);
}

static void ws(jp *p) {
  while (p->i < p->n &&
         (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
    p->i++;
}

static tval *jvalue(jp *p);

static int hex4(const char *s) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'                     ? c - '0'
            : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                     : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

static tval *jstring(jp *p, sb *out) {
  p->i++; /* opening quote */
  sb_putn(out, "", 0);
  while (p->i < p->n) {
    unsigned char c = (unsigned char)p->s[p->i];
    if (c == '"') {
      p->i++;
      return TV_INVALID; /* marker: ok */
    }
    if (c < 0x20) {
      jerr_char(p, "in string literal");
      return NULL;
    }
    if (c == '\\') {
      p->i++;
      if (p->i >= p->n) break;
      char e = p->s[p->i++];
      switch (e) {
      case '"':
        sb_putc(out, '"');
        break;
      case '\\':
        sb_putc(out, '\\');
        break;
      case '/':
        sb_putc(out, '/');
        break;
      case 'b':
        sb_putc(out, '\b');
        break;
      case 'f':
        sb_putc(out, '\f');
        break;
      case 'n':
        sb_putc(out, '\n');
        break;
      case 'r':
        sb_putc(out, '\r');
        break;
      case 't':
        sb_putc(out, '\t');
        break;
      case 'u': {
        if (p->n - p->i < 4) {
          p->i = p->n;
          break;
        }
        int r = hex4(p->s + p->i);
        if (r < 0) {
          jerr_char(p, "in \\u hexadecimal character escape");
          return NULL;
        }
        p->i += 4;
        if (r >= 0xD800 && r < 0xDC00 && p->n - p->i >= 6 && p->s[p->i] == '\\' &&
            p->s[p->i + 1] == 'u') {
          int r2 = hex4(p->s + p->i + 2);
          if (r2 >= 0xDC00 && r2 < 0xE000) {
            r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
            p->i += 6;
          } else
            r = 0xFFFD;
        } else if (r >= 0xD800 && r < 0xE000)
          r = 0xFFFD;
        char u[4];
        sb_putn(out, u, (size_t)utf8_encode(u, r));
        break;
      }
      default:
        p->i--;
        jerr_char(p, "in string escape code");
        return NULL;
      }
      continue;
    }
    sb_putc(out, (char)c);
    p->i++;
  }
  p->failed = true;
  snprintf(p->err, p->errcap, "unexpected end of JSON input");
  return NULL;
}

static tval *jnumber(jp *p) {
  size_t st = p->i;
  if (p->s[p->i] == '-') p->i++;
  if (p->i >= p->n) {
    jerr_space(p, "in numeric literal");
    return NULL;
  }
  if (p->s[p->i] == '0')
    p->i++;
  else if (p->s[p->i] >= '1' && p->s[p->i] <= '9')
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
      p->i++;
  else {
    jerr_space(p, "in numeric literal");
    return NULL;
  }
  if (p->i < p->n && p->s[p->i] == '.') {
    p->i++;
    if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9') {
      jerr_space(p, "after decimal point in numeric literal");
      return NULL;
    }
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
      p->i++;
  }
  if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
    p->i++;
    if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) p->i++;
    if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9') {
      jerr_space(p, "in exponent of numeric literal");
      return NULL;
    }
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
      p->i++;
  }
  char buf[512];
  size_t len = p->i - st;
  if (len >= sizeof buf) len = sizeof buf - 1;
  memcpy(buf, p->s + st, len);
  buf[len] = 0;
  return tv_float(p->h, strtod(buf, NULL));
}

static bool lit(jp *p, const char *w) {
  size_t n = strlen(w);
  for (size_t k = 0; k < n; k++) {
    if (p->i + k >= p->n) {
      p->i = p->n;
      char ctx[64];
      snprintf(ctx, sizeof ctx, "in literal %s (expecting '%c')", w, w[k]);
      jerr_space(p, ctx);
      return false;
    }
    if (p->s[p->i + k] != w[k]) {
      p->i += k;
      char ctx[64];
      snprintf(ctx, sizeof ctx, "in literal %s (expecting '%c')", w, w[k]);
      jerr_char(p, ctx);
      return false;
    }
  }
  p->i += n;
  return true;
}

static tval *jvalue(jp *p) {
  ws(p);
  if (p->i >= p->n) {
    p->failed = true;
    snprintf(p->err, p->errcap, "unexpected end of JSON input");
    return NULL;
  }
  if (++p->depth > 10000) {
    p->failed = true;
    snprintf(p->err, p->errcap, "exceeded max depth");
    return NULL;
  }
  tval *r = NULL;
  char c = p->s[p->i];
  switch (c) {
  case '{': {
    p->i++;
    r = tv_map(p->h);
    ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
      p->i++;
      break;
    }
    tm_entry *ents = NULL;
    size_t ne = 0, ce = 0;
    for (;;) {
      ws(p);
      if (p->i >= p->n || p->s[p->i] != '"') {
        jerr_char(p, "looking for beginning of object key string");
        return NULL;
      }
      sb k = {0};
      if (!jstring(p, &k)) {
        sb_free(&k);
        free(ents);
        return NULL;
      }
      ws(p);
      if (p->i >= p->n || p->s[p->i] != ':') {
        sb_free(&k);
        free(ents);
        jerr_char(p, "after object key");
        return NULL;
      }
      p->i++;
      tval *v = jvalue(p);
      if (!v) {
        sb_free(&k);
        free(ents);
        return NULL;
      }
      if (ne == ce) {
        ce = ce ? ce * 2 : 16;
        tm_entry *nn = realloc(ents, ce * sizeof *nn);
        if (!nn) abort();
        ents = nn;
      }
      ents[ne++] = (tm_entry){th_strndup(p->h, k.p ? k.p : "", k.n), k.n, v, 0};
      sb_free(&k);
      ws(p);
      if (p->i < p->n && p->s[p->i] == ',') {
        p->i++;
        continue;
      }
      if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        break;
      }
      free(ents);
      jerr_char(p, "after object key:value pair");
      return NULL;
    }
    tm_bulk(p->h, r, ents, ne);
    free(ents);
    break;
  }
  case '[': {
    p->i++;
    r = tv_list(p->h, 4);
    ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
      p->i++;
      break;
    }
    for (;;) {
      tval *v = jvalue(p);
      if (!v) return NULL;
      tl_push(p->h, r, v);
      ws(p);
      if (p->i < p->n && p->s[p->i] == ',') {
        p->i++;
        continue;
      }
      if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
        break;
      }
      jerr_char(p, "after array element");
      return NULL;
    }
    break;
  }
  case '"': {
    sb s = {0};
    if (!jstring(p, &s)) {
      sb_free(&s);
      return NULL;
    }
    r = sb_to_val(p->h, &s);
    break;
  }
  case 't':
    r = lit(p, "true") ? tv_bool(p->h, 1) : NULL;
    break;
  case 'f':
    r = lit(p, "false") ? tv_bool(p->h, 0) : NULL;
    break;
  case 'n':
    r = lit(p, "null") ? tv_nil(p->h) : NULL;
    break;
  default:
    if (c == '-' || (c >= '0' && c <= '9'))
      r = jnumber(p);
    else
      jerr_char(p, "looking for beginning of value");
  }
  p->depth--;
  return r;
}

tval *json_decode(tmpl_heap *h, const char *s, size_t n, char *errbuf, size_t errcap) {
  jp p = {s, n, 0, h, errbuf, errcap, false, 0};
  tval *v = jvalue(&p);
  if (!v) return NULL;
  ws(&p);
  if (p.i < p.n) {
    jerr_char(&p, "after top-level value");
    return NULL;
  }
  return v;
}

/* ---------------- cJSON bridge ---------------- */
static tval *from_cjson(tmpl_heap *h, const cJSON *j, int ints, int depth) {
  if (!j || depth > 10000) return tv_nil(h);
  if (cJSON_IsNull(j)) return tv_nil(h);
  if (cJSON_IsBool(j)) return tv_bool(h, cJSON_IsTrue(j));
  if (cJSON_IsNumber(j)) {
    double d = j->valuedouble;
    if (ints && d == floor(d) && fabs(d) < 9.007199254740992e15) return tv_i64(h, (int64_t)d);
    return tv_float(h, d);
  }
  if (cJSON_IsString(j)) return tv_cstr(h, j->valuestring);
  if (cJSON_IsArray(j)) {
    tval *l = tv_list(h, 4);
    for (const cJSON *c = j->child; c; c = c->next)
      tl_push(h, l, from_cjson(h, c, ints, depth + 1));
    return l;
  }
  if (cJSON_IsObject(j)) {
    tval *m = tv_map(h);
    size_t n = 0;
    for (const cJSON *c = j->child; c; c = c->next)
      n++;
    tm_entry *e = malloc((n ? n : 1) * sizeof *e);
    if (!e) abort();
    size_t i = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++)
      e[i] = (tm_entry){c->string ? c->string : "", c->string ? strlen(c->string) : 0,
                        from_cjson(h, c, ints, depth + 1), 0};
    tm_bulk(h, m, e, n);
    free(e);
    return m;
  }
  return tv_nil(h);
}

tmpl_value *tmpl_from_cjson(tmpl_heap *h, const struct cJSON *j, int ints_as_int64) {
  return from_cjson(h, j, ints_as_int64, 0);
}

struct cJSON *tmpl_to_cjson(const tmpl_value *v) {
  sb b = {0};
  int err = 0;
  json_encode(&b, v, false, NULL, &err);
  cJSON *j = cJSON_ParseWithLength(b.p, b.n);
  sb_free(&b);
  return j;
}

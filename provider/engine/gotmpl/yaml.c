/* YAML as Helm does it: sigs.k8s.io/yaml over go-yaml v2.  Emission goes
 * through libyaml's emitter (go-yaml v2's emitter is a port of it) with the
 * event stream go-yaml's encoder produces for the JSON round-trip of the
 * value; decoding uses libyaml's parser and go-yaml v2's scalar resolution. */
#include "engine/gotmpl/tmpl_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

/* ---------------- go-yaml v2 resolve() ---------------- */
typedef enum { R_STR, R_NULL, R_BOOL, R_INT, R_UINT, R_FLOAT, R_TIMESTAMP, R_MERGE } rtag;

typedef struct rval {
  rtag tag;
  bool b;
  int64_t i;
  uint64_t u;
  double f;
} rval;

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* yamlStyleFloat = ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n) {
  size_t i = 0;
  if (i < n && (s[i] == '-' || s[i] == '+')) i++;
  if (i < n && s[i] == '.') {
    i++;
    size_t st = i;
    while (i < n && is_digit(s[i]))
      i++;
    if (i == st) return false;
  } else {
    size_t st = i;
    while (i < n && is_digit(s[i]))
      i++;
    if (i == st) return false;
    if (i < n && s[i] == '.') {
      i++;
      while (i < n && is_digit(s[i]))
        i++;
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    size_t st = i;
    while (i < n && is_digit(s[i]))
      i++;
    if (i == st) return false;
  }
  return i == n;
}

/* strconv.ParseInt/ParseUint(s, 0, 64) on a string without underscores */
static int go_parse_int(const char *s, size_t n, bool allow_sign, int64_t *iv, uint64_t *uv,
                        bool *is_neg) {
  size_t i = 0;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    if (!allow_sign) return -1;
    neg = s[i] == '-';
    i++;
  }
  int base = 10;
  if (n - i >= 2 && s[i] == '0') {
    char c = s[i + 1] | 0x20;
    if (c == 'x')
      base = 16, i += 2;
    else if (c == 'b')
      base = 2, i += 2;
    else if (c == 'o')
      base = 8, i += 2;
    else
      base = 8, i += 1;
  }
  if (i >= n && !(base == 8 && n >= 1 && s[n - 1] == '0')) return -1;
  uint64_t v = 0;
  for (; i < n; i++) {
    char c = s[i];
    int d;
    if (is_digit(c))
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (c | 0x20) - 'a' + 10;
    else
      return -1;
    if (d >= base) return -1;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return -2;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  *is_neg = neg;
  *uv = v;
  if (neg) {
    if (v > (uint64_t)INT64_MAX + 1) return -2;
    *iv = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
  } else {
    *iv = (int64_t)v;
    if (v > (uint64_t)INT64_MAX) return 1; /* only as uint */
  }
  return 0;
}

static bool parse_timestamp(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && is_digit(s[i]))
    i++;
  if (i != 4 || i == n || s[i] != '-') return false;
  /* formats: 2006-1-2 [T/t/space 15:4:5(.999999999)] [Z07:00] */
  size_t p = 5;
  size_t st = p;
  while (p < n && is_digit(s[p]))
    p++;
  if (p == st || p - st > 2 || p >= n || s[p] != '-') return false;
  p++;
  st = p;
  while (p < n && is_digit(s[p]))
    p++;
  if (p == st || p - st > 2) return false;
  if (p == n) return true;
  char sep = s[p];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  p++;
  for (int k = 0; k < 3; k++) {
    st = p;
    while (p < n && is_digit(s[p]))
      p++;
    if (p == st || p - st > 2) return false;
    if (k < 2) {
      if (p >= n || s[p] != ':') return false;
      p++;
    }
  }
  if (p < n && s[p] == '.') {
    p++;
    st = p;
    while (p < n && is_digit(s[p]))
      p++;
    if (p == st) return false;
  }
  if (p == n) return sep == ' ';
  if (sep == ' ') return false;
  if (s[p] == 'Z') return p + 1 == n;
  if (s[p] == '+' || s[p] == '-') {
    p++;
    if (n - p == 5 && is_digit(s[p]) && is_digit(s[p + 1]) && s[p + 2] == ':' &&
        is_digit(s[p + 3]) && is_digit(s[p + 4]))
      return true;
  }
  return false;
}

static rval resolve_plain(const char *s, size_t n) {
  rval r = {R_STR, 0, 0, 0, 0};
  static const struct {
    const char *w;
    rtag t;
    int v;
  } map[] = {
      {"y", R_BOOL, 1},      {"Y", R_BOOL, 1},      {"yes", R_BOOL, 1},    {"Yes", R_BOOL, 1},
      {"YES", R_BOOL, 1},    {"true", R_BOOL, 1},   {"True", R_BOOL, 1},   {"TRUE", R_BOOL, 1},
      {"on", R_BOOL, 1},     {"On", R_BOOL, 1},     {"ON", R_BOOL, 1},     {"n", R_BOOL, 0},
      {"N", R_BOOL, 0},      {"no", R_BOOL, 0},     {"No", R_BOOL, 0},     {"NO", R_BOOL, 0},
      {"false", R_BOOL, 0},  {"False", R_BOOL, 0},  {"FALSE", R_BOOL, 0},  {"off", R_BOOL, 0},
      {"Off", R_BOOL, 0},    {"OFF", R_BOOL, 0},    {"", R_NULL, 0},       {"~", R_NULL, 0},
      {"null", R_NULL, 0},   {"Null", R_NULL, 0},   {"NULL", R_NULL, 0},   {".nan", R_FLOAT, 2},
      {".NaN", R_FLOAT, 2},  {".NAN", R_FLOAT, 2},  {".inf", R_FLOAT, 3},  {".Inf", R_FLOAT, 3},
      {".INF", R_FLOAT, 3},  {"+.inf", R_FLOAT, 3}, {"+.Inf", R_FLOAT, 3}, {"+.INF", R_FLOAT, 3},
      {"-.inf", R_FLOAT, 4}, {"-.Inf", R_FLOAT, 4}, {"-.INF", R_FLOAT, 4}, {"<<", R_MERGE, 0}};
  char hint = 'N';
  if (n) {
    char c = s[0];
    if (c == '+' || c == '-')
      hint = 'S';
    else if (is_digit(c))
      hint = 'D';
    else if (strchr("yYnNtTfFoO~", c))
      hint = 'M';
    else if (c == '.')
      hint = '.';
    else
      hint = 0;
  }
  if (!hint) return r;
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (strlen(map[i].w) == n && !memcmp(map[i].w, s, n)) {
      r.tag = map[i].t;
      r.b = map[i].v == 1;
      if (map[i].t == R_FLOAT) r.f = map[i].v == 2 ? NAN : map[i].v == 3 ? INFINITY : -INFINITY;
      return r;
    }
  if (hint == '.') {
    /* strconv.ParseFloat */
    char buf[128];
    if (n < sizeof buf) {
      memcpy(buf, s, n);
      buf[n] = 0;
      char *end;
      double f = strtod(buf, &end);
      if (*end == 0 && n > 1 && !strpbrk(buf, "xXpPnNiI")) return (rval){R_FLOAT, 0, 0, 0, f};
    }
    return r;
  }
  if (hint == 'D' || hint == 'S') {
    if (parse_timestamp(s, n)) {
      r.tag = R_TIMESTAMP;
      return r;
    }
    char plain[256];
    size_t pn = 0;
    for (size_t i = 0; i < n && pn + 1 < sizeof plain; i++)
      if (s[i] != '_') plain[pn++] = s[i];
    plain[pn] = 0;
    if (pn < sizeof plain - 1) {
      int64_t iv;
      uint64_t uv;
      bool neg;
      int rc = go_parse_int(plain, pn, true, &iv, &uv, &neg);
      if (rc == 0) return (rval){R_INT, 0, iv, 0, 0};
      if (rc == 1) return (rval){R_UINT, 0, 0, uv, 0};
      if (yaml_style_float(plain, pn)) {
        double f = strtod(plain, NULL);
        if (!isinf(f)) /* ParseFloat range error: stays a string */
          return (rval){R_FLOAT, 0, 0, 0, f};
      }
    }
  }
  return r;
}

/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool is_base60_float(const char *s, size_t n) {
  if (n == 0) return false;
  char c = s[0];
  if (!(c == '+' || c == '-' || is_digit(c)) || !memchr(s, ':', n)) return false;
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') i++;
  if (i >= n || !is_digit(s[i])) return false;
  i++;
  while (i < n && (is_digit(s[i]) || s[i] == '_'))
    i++;
  int groups = 0;
  while (i < n && s[i] == ':') {
    i++;
    size_t st = i;
    while (i < n && is_digit(s[i]) && i - st < 2)
      i++;
    size_t len = i - st;
    if (len == 0) return false;
    if (len == 2 && s[st] > '5') return false;
    groups++;
  }
  if (!groups) return false;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && (is_digit(s[i]) || s[i] == '_'))
      i++;
  }
  return i == n;
}

/* ---------------- emitter ---------------- */
typedef struct emit_ctx {
  yaml_emitter_t em;
  sb *out;
  int err;
  char *errbuf;
  size_t errcap;
  int depth;
} emit_ctx;

static int write_handler(void *data, unsigned char *buffer, size_t size) {
  emit_ctx *c = data;
  sb_putn(c->out, (const char *)buffer, size);
  return 1;
}

static void emit_event(emit_ctx *c, yaml_event_t *ev) {
  if (c->err) {
    yaml_event_delete(ev);
    return;
  }
  if (!yaml_emitter_emit(&c->em, ev)) {
    c->err = 1;
    tmpl_msgf(c->errbuf, c->errcap, "%s", c->em.problem ? c->em.problem : "yaml emitter error");
  }
}

static void emit_scalar(emit_ctx *c, const char *s, size_t n, yaml_scalar_style_t style) {
  yaml_event_t ev;
  yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, 1, 1, style);
  emit_event(c, &ev);
}

static bool valid_utf8(const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    int32_t r;
    int w = utf8_decode(s + i, n - i, &r);
    if (r == 0xFFFD && w == 1) {
      /* a literal U+FFFD is 3 bytes; width 1 means invalid */
      return false;
    }
    i += (size_t)w;
  }
  return true;
}

static void emit_string(emit_ctx *c, const char *s, size_t n) {
  /* go-yaml v2 encoder.stringv */
  if (!valid_utf8(s, n)) {
    /* json.Marshal replaced invalid bytes with U+FFFD before */
    sb f = {0};
    for (size_t i = 0; i < n;) {
      int32_t r;
      int w = utf8_decode(s + i, n - i, &r);
      if (w == 1 && r == 0xFFFD)
        sb_puts(&f, "\xEF\xBF\xBD");
      else
        sb_putn(&f, s + i, (size_t)w);
      i += (size_t)w;
    }
    emit_string(c, f.p, f.n);
    sb_free(&f);
    return;
  }
  /* Helm's JSON round trip: json.Marshal leaves U+0085 (NEL) raw, and
   * go-yaml's scanner folds it as a line break inside the double-quoted
   * JSON string: one break → " ", k breaks → k-1 newlines; blanks around
   * the breaks are dropped. */
  for (size_t i = 0; i + 1 < n; i++)
    if ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0x85) {
      sb f = {0};
      size_t j = 0;
      while (j < n) {
        if (j + 1 < n && (unsigned char)s[j] == 0xC2 && (unsigned char)s[j + 1] == 0x85) {
          while (f.n && (f.p[f.n - 1] == ' ' || f.p[f.n - 1] == '\t'))
            f.n--;
          int k = 0;
          for (;;) {
            while (j < n && (s[j] == ' ' || s[j] == '\t'))
              j++;
            if (j + 1 < n && (unsigned char)s[j] == 0xC2 && (unsigned char)s[j + 1] == 0x85) {
              k++;
              j += 2;
              continue;
            }
            break;
          }
          if (k == 1)
            sb_putc(&f, ' ');
          else
            for (int q = 1; q < k; q++)
              sb_putc(&f, '\n');
          continue;
        }
        sb_putc(&f, s[j++]);
      }
      sb_putn(&f, "", 0);
      emit_string(c, f.p, f.n);
      sb_free(&f);
      return;
    }
  rval r = resolve_plain(s, n);
  bool can_plain = r.tag == R_STR && !is_base60_float(s, n);
  yaml_scalar_style_t style;
  if (memchr(s, '\n', n))
    style = YAML_LITERAL_SCALAR_STYLE;
  else if (can_plain)
    style = YAML_PLAIN_SCALAR_STYLE;
  else
    style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
  emit_scalar(c, s, n, style);
}

/* go-yaml v2 keyList.Less for string keys */
static bool uni_letter(int32_t r) {
  extern bool rune_is_letter(int32_t r);
  return rune_is_letter(r);
}
static bool uni_digit(int32_t r) {
  return r >= '0' && r <= '9';
}

static int decode_runes(const char *s, size_t n, int32_t **out) {
  int32_t *r = malloc((n + 1) * sizeof *r);
  if (!r) abort();
  int k = 0;
  for (size_t i = 0; i < n;) {
    i += (size_t)utf8_decode(s + i, n - i, &r[k]);
    k++;
  }
  *out = r;
  return k;
}

static bool key_less_v(const char *a, size_t an_, const char *b, size_t bn_, bool v3) {
  int32_t *ar, *br;
  int la = decode_runes(a, an_, &ar), lb = decode_runes(b, bn_, &br);
  bool res = la < lb;
  bool digits = false;
  for (int i = 0; i < la && i < lb; i++) {
    if (ar[i] == br[i]) {
      digits = uni_digit(ar[i]);
      continue;
    }
    bool al = uni_letter(ar[i]), bl = uni_letter(br[i]);
    if (al && bl) {
      res = ar[i] < br[i];
      goto done;
    }
    if (al || bl) {
      res = (v3 && digits) ? al : bl;
      goto done;
    }
    int ai, bi;
    int64_t an = 0, bn = 0;
    if (ar[i] == '0' || br[i] == '0') {
      for (int j = i - 1; j >= 0 && uni_digit(ar[j]); j--)
        if (ar[j] != '0') {
          an = 1;
          bn = 1;
          break;
        }
    }
    for (ai = i; ai < la && uni_digit(ar[ai]); ai++)
      an = an * 10 + (ar[ai] - '0');
    for (bi = i; bi < lb && uni_digit(br[bi]); bi++)
      bn = bn * 10 + (br[bi] - '0');
    if (an != bn) {
      res = an < bn;
      goto done;
    }
    if (ai != bi) {
      res = ai < bi;
      goto done;
    }
    res = ar[i] < br[i];
    goto done;
  }
done:
  free(ar);
  free(br);
  return res;
}

static bool key_less(const char *a, size_t an_, const char *b, size_t bn_) {
  return key_less_v(a, an_, b, bn_, false);
}

typedef struct kv {
  const char *k;
  size_t kl;
  const tval *v;
} kv;

static int kv_cmp(const void *p, const void *q) {
  const kv *a = p, *b = q;
  if (key_less(a->k, a->kl, b->k, b->kl)) return -1;
  if (key_less(b->k, b->kl, a->k, a->kl)) return 1;
  return 0;
}

static void sort_keys(kv *a, size_t n) {
  /* keys of a JSON-decoded map are unique, so an unstable sort is fine */
  qsort(a, n, sizeof *a, kv_cmp);
}

/* JSON number text of a float64 → go-yaml resolved value → its YAML text */
static void emit_float(emit_ctx *c, double f) {
  if (isnan(f) || isinf(f)) {
    /* json.Marshal fails: "json: unsupported value: NaN" */
    c->err = 2;
    tmpl_msgf(c->errbuf, c->errcap, "json: unsupported value: %s",
              isnan(f) ? "NaN"
              : f > 0  ? "+Inf"
                       : "-Inf");
    return;
  }
  sb j = {0};
  json_encode(&j, &(tval){.kind = TMPL_FLOAT, .u.f = f}, false, NULL, NULL);
  rval r = resolve_plain(j.p, j.n);
  sb o = {0};
  if (r.tag == R_INT)
    sb_printf(&o, "%lld", (long long)r.i);
  else if (r.tag == R_UINT)
    sb_printf(&o, "%llu", (unsigned long long)r.u);
  else {
    gofmt_float(&o, strtod(j.p, NULL), 'g', -1);
  }
  emit_scalar(c, o.p, o.n, YAML_PLAIN_SCALAR_STYLE);
  sb_free(&o);
  sb_free(&j);
}

static void emit_value(emit_ctx *c, const tval *v);

static void emit_map(emit_ctx *c, const tval *v) {
  yaml_event_t ev;
  yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
  emit_event(c, &ev);
  size_t n = v->u.m->n;
  kv *a = malloc((n ? n : 1) * sizeof *a);
  if (!a) abort();
  for (size_t i = 0; i < n; i++)
    a[i] = (kv){v->u.m->k[i], v->u.m->kl[i], v->u.m->v[i]};
  sort_keys(a, n);
  for (size_t i = 0; i < n && !c->err; i++) {
    emit_string(c, a[i].k, a[i].kl);
    emit_value(c, a[i].v);
  }
  free(a);
  yaml_mapping_end_event_initialize(&ev);
  emit_event(c, &ev);
}

static void emit_value(emit_ctx *c, const tval *v) {
  if (c->err) return;
  if (++c->depth > 10000 || c->out->n > tmpl_fmt_limit) {
    c->err = 2;
    tmpl_msgf(c->errbuf, c->errcap, "json: exceeded max depth");
    c->depth--;
    return;
  }
  yaml_event_t ev;
  switch (v ? v->kind : TMPL_INVALID) {
  case TMPL_INVALID:
  case TMPL_NIL:
    emit_scalar(c, "null", 4, YAML_PLAIN_SCALAR_STYLE);
    break;
  case TMPL_BOOL:
    emit_scalar(c, v->u.b ? "true" : "false", v->u.b ? 4 : 5, YAML_PLAIN_SCALAR_STYLE);
    break;
  case TMPL_INT: {
    char b[32];
    if (v->tname && v->tname[0] == 'u')
      snprintf(b, sizeof b, "%llu", (unsigned long long)v->u.i);
    else
      snprintf(b, sizeof b, "%lld", (long long)v->u.i);
    emit_scalar(c, b, strlen(b), YAML_PLAIN_SCALAR_STYLE);
    break;
  }
  case TMPL_FLOAT:
    emit_float(c, v->u.f);
    break;
  case TMPL_STRING:
    emit_string(c, v->u.s.p, v->u.s.n);
    break;
  case TMPL_BYTES: {
    /* json: []byte → base64 string */
    sb j = {0};
    json_encode(&j, v, false, NULL, NULL);
    sb d = {0};
    go_unquote(j.p, j.n, &d);
    emit_string(c, d.p ? d.p : "", d.n);
    sb_free(&j);
    sb_free(&d);
    break;
  }
  case TMPL_LIST:
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    emit_event(c, &ev);
    for (size_t i = 0; i < v->u.l->n && !c->err; i++)
      emit_value(c, v->u.l->v[i]);
    yaml_sequence_end_event_initialize(&ev);
    emit_event(c, &ev);
    break;
  case TMPL_MAP:
    emit_map(c, v);
    break;
  case TMPL_STRUCT: {
    /* through JSON: encode, decode as a generic map */
    sb j = {0};
    int e = 0;
    json_encode(&j, v, false, NULL, &e);
    tmpl_heap *h = tmpl_heap_new(0);
    char eb[256];
    tval *g = json_decode(h, j.p ? j.p : "null", j.n ? j.n : 4, eb, sizeof eb);
    if (g) emit_value(c, g);
    tmpl_heap_free(h);
    sb_free(&j);
    break;
  }
  default:
    emit_scalar(c, "null", 4, YAML_PLAIN_SCALAR_STYLE);
    break;
  }
  c->depth--;
}

int yaml_emit(sb *b, const tval *v, char *errbuf, size_t errcap) {
  emit_ctx c = {0};
  c.out = b;
  c.errbuf = errbuf;
  c.errcap = errcap;
  if (!yaml_emitter_initialize(&c.em)) return -1;
  yaml_emitter_set_output(&c.em, write_handler, &c);
  yaml_emitter_set_unicode(&c.em, 1);
  yaml_emitter_set_width(&c.em, 80);
  yaml_emitter_set_indent(&c.em, 2);
  yaml_event_t ev;
  yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
  emit_event(&c, &ev);
  yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
  emit_event(&c, &ev);
  size_t mark = b->n;
  emit_value(&c, v);
  yaml_document_end_event_initialize(&ev, 1);
  emit_event(&c, &ev);
  yaml_stream_end_event_initialize(&ev);
  emit_event(&c, &ev);
  yaml_emitter_delete(&c.em);
  if (c.err) {
    b->n = mark;
    if (b->p) b->p[b->n] = 0;
    return -1;
  }
  /* libyaml ≥0.2 ends open-ended documents with "...\n"; go-yaml v2
   * does not. */
  if (b->n >= mark + 4 && !memcmp(b->p + b->n - 4, "...\n", 4) &&
      (b->n == mark + 4 || b->p[b->n - 5] == '\n')) {
    b->n -= 4;
    b->p[b->n] = 0;
  }
  return 0;
}

typedef struct ty_job {
  sb *b;
  const tval *v;
  char eb[512];
  int rc;
} ty_job;

static void ty_run(void *p) {
  ty_job *j = p;
  j->rc = yaml_emit(j->b, j->v, j->eb, sizeof j->eb);
}

int tmpl_to_yaml(const tmpl_value *v, tmpl_buf *out, tmpl_error *err) {
  sb b = {0};
  ty_job j = {&b, v, "", 0};
  tmpl_on_big_stack(ty_run, &j);
  const char *eb = j.eb;
  if (j.rc != 0) {
    if (err) {
      err->detail = NULL;
      err->code = TMPL_EINVALID;
      tmpl_msgf(err->msg, sizeof err->msg, "%s", eb);
    }
    sb_free(&b);
    return TMPL_EINVALID;
  }
  size_t need = out->len + b.n + 1;
  if (need > out->cap) {
    size_t nc = out->cap ? out->cap : 256;
    while (nc < need)
      nc *= 2;
    char *p = realloc(out->data, nc);
    if (!p) {
      sb_free(&b);
      return TMPL_ENOMEM;
    }
    out->data = p;
    out->cap = nc;
  }
  if (b.n) memcpy(out->data + out->len, b.p, b.n);
  out->len += b.n;
  out->data[out->len] = 0;
  sb_free(&b);
  return 0;
}

/* ---------------- decoder ---------------- */
typedef struct anchor {
  char *name;
  tval *v;
} anchor;

typedef struct dec_ctx {
  yaml_parser_t p;
  tmpl_heap *h;
  anchor *anchors;
  int nanch, capanch;
  char *errbuf;
  size_t errcap;
  bool failed;
  int depth;
} dec_ctx;

static void dec_fail(dec_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dec_fail(dec_ctx *c, const char *fmt, ...) {
  if (c->failed) return;
  c->failed = true;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->errbuf, c->errcap, fmt, ap);
  va_end(ap);
}

static bool next_event(dec_ctx *c, yaml_event_t *ev) {
  if (!yaml_parser_parse(&c->p, ev)) {
    const char *prob = c->p.problem ? c->p.problem : "unknown error";
    /* go-yaml v2 parser.fail(): 0-based problem line (+1 for scanner
     * errors), else the context line, else no location */
    size_t line = 0;
    if (c->p.problem_mark.line != 0) {
      line = c->p.problem_mark.line;
      if (c->p.error == YAML_SCANNER_ERROR) line++;
    } else if (c->p.context_mark.line != 0)
      line = c->p.context_mark.line;
    if (line)
      dec_fail(c, "error converting YAML to JSON: yaml: line %zu: %s", line, prob);
    else
      dec_fail(c, "error converting YAML to JSON: yaml: %s", prob);
    return false;
  }
  return true;
}

static void set_anchor(dec_ctx *c, const yaml_char_t *name, tval *v) {
  if (!name) return;
  for (int i = 0; i < c->nanch; i++)
    if (!strcmp(c->anchors[i].name, (const char *)name)) {
      c->anchors[i].v = v;
      return;
    }
  if (c->nanch == c->capanch) {
    c->capanch = c->capanch ? c->capanch * 2 : 8;
    anchor *na = realloc(c->anchors, (size_t)c->capanch * sizeof *na);
    if (!na) abort();
    c->anchors = na;
  }
  c->anchors[c->nanch].name = th_strdup(c->h, (const char *)name);
  c->anchors[c->nanch].v = v;
  c->nanch++;
}

/* JSON-ify a key as sigs.k8s.io/yaml does */
static void key_string(sb *b, const tval *k) {
  switch (k->kind) {
  case TMPL_STRING:
    sb_putn(b, k->u.s.p, k->u.s.n);
    break;
  case TMPL_INT:
    sb_printf(b, "%lld", (long long)k->u.i);
    break;
  case TMPL_FLOAT:
    gofmt_float(b, k->u.f, 'g', -1);
    break;
  case TMPL_BOOL:
    sb_puts(b, k->u.b ? "true" : "false");
    break;
  case TMPL_NIL:
    sb_puts(b, "null");
    break;
  default:
    gofmt_value(b, k);
    break;
  }
}

static tval *scalar_value(dec_ctx *c, yaml_event_t *ev) {
  const char *s = (const char *)ev->data.scalar.value;
  size_t n = ev->data.scalar.length;
  const char *tag = (const char *)ev->data.scalar.tag;
  bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  if (tag && strcmp(tag, "!") != 0) {
    if (!strcmp(tag, "tag:yaml.org,2002:str")) return tv_str(c->h, s, n);
    if (!strcmp(tag, "tag:yaml.org,2002:binary")) {
      extern int b64_decode(const char *in, size_t n, sb *out);
      sb d = {0};
      if (b64_decode(s, n, &d) != 0) {
        sb_free(&d);
        dec_fail(
            c, "error converting YAML to JSON: yaml: !!binary value contains invalid base64 data");
        return NULL;
      }
      return sb_to_val(c->h, &d);
    }
    plain = true; /* other tags: resolve the text */
  }
  if (!plain || (tag && !strcmp(tag, "!"))) return tv_str(c->h, s, n);
  rval r = resolve_plain(s, n);
  switch (r.tag) {
  case R_NULL:
    return tv_nil(c->h);
  case R_BOOL:
    return tv_bool(c->h, r.b);
  case R_INT:
    return tv_float(c->h, (double)r.i);
  case R_UINT:
    return tv_float(c->h, (double)r.u);
  case R_FLOAT:
    if (isnan(r.f) || isinf(r.f)) {
      dec_fail(c, "error converting YAML to JSON: json: unsupported value: %s",
               isnan(r.f) ? "NaN"
               : r.f > 0  ? "+Inf"
                          : "-Inf");
      return NULL;
    }
    return tv_float(c->h, r.f);
  case R_TIMESTAMP:
    /* sigs.k8s.io/yaml keeps timestamps as their original text
     * (verified against helm: `d: 2001-12-14` stays "2001-12-14") */
    return tv_str(c->h, s, n);
  default:
    return tv_str(c->h, s, n);
  }
}

static tval *parse_node(dec_ctx *c, yaml_event_t *ev);

typedef struct entries {
  tm_entry *e;
  size_t n, cap;
} entries;

static void ent_push(entries *es, const char *k, size_t kl, tval *v) {
  if (es->n == es->cap) {
    es->cap = es->cap ? es->cap * 2 : 16;
    tm_entry *ne = realloc(es->e, es->cap * sizeof *ne);
    if (!ne) abort();
    es->e = ne;
  }
  es->e[es->n++] = (tm_entry){k, kl, v, 0};
}

static tval *parse_mapping_into(dec_ctx *c, yaml_event_t *start, tval *m, entries *es);

static tval *parse_mapping(dec_ctx *c, yaml_event_t *start) {
  tval *m = tv_map(c->h);
  entries es = {0};
  tval *r = parse_mapping_into(c, start, m, &es);
  if (r) tm_bulk(c->h, m, es.e, es.n);
  free(es.e);
  return r;
}

static tval *parse_mapping_into(dec_ctx *c, yaml_event_t *start, tval *m, entries *es) {
  tval *nil_key_val = NULL; /* go-yaml keeps the last value of a null key */
  set_anchor(c, start->data.mapping_start.anchor, m);
  for (;;) {
    yaml_event_t ev;
    if (!next_event(c, &ev)) return NULL;
    if (ev.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&ev);
      if (nil_key_val) {
        tval *v = nil_key_val;
        sb vs = {0};
        if (v->kind == TMPL_STRING)
          gofmt_quote(&vs, v->u.s.p, v->u.s.n);
        else if (v->kind == TMPL_NIL)
          sb_puts(&vs, "<nil>");
        else
          gofmt_value(&vs, v);
        dec_fail(c,
                 "error converting YAML to JSON: unsupported map key of type: %%!s(<nil>), key: "
                 "<nil>, value: %s",
                 vs.p ? vs.p : "");
        sb_free(&vs);
        return NULL;
      }
      return m;
    }
    bool is_merge = ev.type == YAML_SCALAR_EVENT &&
                    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev.data.scalar.length == 2 &&
                    !memcmp(ev.data.scalar.value, "<<", 2);
    tval *k = parse_node(c, &ev);
    if (!k) return NULL;
    yaml_event_t vev;
    if (!next_event(c, &vev)) return NULL;
    tval *v = parse_node(c, &vev);
    if (!v) return NULL;
    if (is_merge) {
      /* merge: map or list of maps; existing keys win */
      tval *srcs[64];
      int ns = 0;
      if (v->kind == TMPL_MAP)
        srcs[ns++] = v;
      else if (v->kind == TMPL_LIST)
        for (size_t i = 0; i < v->u.l->n && ns < 64; i++)
          if (v->u.l->v[i]->kind == TMPL_MAP)
            srcs[ns++] = v->u.l->v[i];
          else {
            dec_fail(c, "error converting YAML to JSON: yaml: map merge requires map or sequence "
                        "of maps as the value");
            return NULL;
          }
      else {
        dec_fail(c, "error converting YAML to JSON: yaml: map merge requires map or sequence of "
                    "maps as the value");
        return NULL;
      }
      /* go-yaml v2 applies a merge in place (it overrides keys set
       * before it); of a sequence, earlier maps take precedence */
      for (int s2 = ns - 1; s2 >= 0; s2--)
        for (size_t i = 0; i < srcs[s2]->u.m->n; i++)
          ent_push(es, srcs[s2]->u.m->k[i], srcs[s2]->u.m->kl[i], srcs[s2]->u.m->v[i]);
      continue;
    }
    if (k->kind == TMPL_NIL) {
      nil_key_val = v;
      continue;
    }
    sb ks = {0};
    if (k->kind == TMPL_MAP || k->kind == TMPL_LIST) {
      dec_fail(c, "error converting YAML to JSON: yaml: invalid map key: %s",
               "map[interface {}]interface {}{}");
      return NULL;
    }
    key_string(&ks, k);
    ent_push(es, th_strndup(c->h, ks.p ? ks.p : "", ks.n), ks.n, v);
    sb_free(&ks);
  }
}

static tval *parse_sequence(dec_ctx *c, yaml_event_t *start) {
  tval *l = tv_list(c->h, 4);
  set_anchor(c, start->data.sequence_start.anchor, l);
  for (;;) {
    yaml_event_t ev;
    if (!next_event(c, &ev)) return NULL;
    if (ev.type == YAML_SEQUENCE_END_EVENT) {
      yaml_event_delete(&ev);
      return l;
    }
    tval *v = parse_node(c, &ev);
    if (!v) return NULL;
    tl_push(c->h, l, v);
  }
}

static tval *parse_node(dec_ctx *c, yaml_event_t *ev) {
  tval *r = NULL;
  if (++c->depth > 10000) {
    dec_fail(c, "error converting YAML to JSON: yaml: exceeded max depth of 10000");
    yaml_event_delete(ev);
    return NULL;
  }
  switch (ev->type) {
  case YAML_SCALAR_EVENT:
    r = scalar_value(c, ev);
    if (r) set_anchor(c, ev->data.scalar.anchor, r);
    break;
  case YAML_ALIAS_EVENT:
    for (int i = 0; i < c->nanch; i++)
      if (!strcmp(c->anchors[i].name, (const char *)ev->data.alias.anchor)) r = c->anchors[i].v;
    if (!r)
      dec_fail(c, "error converting YAML to JSON: yaml: unknown anchor '%s' referenced",
               ev->data.alias.anchor);
    break;
  case YAML_MAPPING_START_EVENT:
    r = parse_mapping(c, ev);
    break;
  case YAML_SEQUENCE_START_EVENT:
    r = parse_sequence(c, ev);
    break;
  default:
    dec_fail(c, "error converting YAML to JSON: yaml: unexpected event");
    break;
  }
  c->depth--;
  yaml_event_delete(ev);
  return r;
}

/* Decode the first document (sigs.k8s.io/yaml.Unmarshal semantics); an
 * empty document yields NIL. */
tval *yaml_decode(tmpl_heap *h, const char *s, size_t n, bool multi_doc_array, char *errbuf,
                  size_t errcap) {
  (void)multi_doc_array;
  dec_ctx c = {0};
  c.h = h;
  c.errbuf = errbuf;
  c.errcap = errcap;
  if (!yaml_parser_initialize(&c.p)) {
    snprintf(errbuf, errcap, "yaml: out of memory");
    return NULL;
  }
  yaml_parser_set_input_string(&c.p, (const unsigned char *)s, n);
  tval *result = tv_nil(h);
  yaml_event_t ev;
  bool in_doc = false;
  for (;;) {
    if (!next_event(&c, &ev)) break;
    yaml_event_type_t t = ev.type;
    if (t == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&ev);
      break;
    }
    if (t == YAML_DOCUMENT_START_EVENT) {
      in_doc = true;
      yaml_event_delete(&ev);
      continue;
    }
    if (t == YAML_DOCUMENT_END_EVENT) {
      yaml_event_delete(&ev);
      break; /* only the first document */
    }
    if (t == YAML_STREAM_START_EVENT) {
      yaml_event_delete(&ev);
      continue;
    }
    if (in_doc) {
      tval *v = parse_node(&c, &ev);
      if (!v) break;
      result = v;
      continue;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&c.p);
  free(c.anchors);
  return c.failed ? NULL : result;
}

typedef struct fy_job {
  tmpl_heap *h;
  const char *s;
  size_t n;
  char eb[1024];
  tval *v;
} fy_job;

static void fy_run(void *p) {
  fy_job *j = p;
  j->v = yaml_decode(j->h, j->s, j->n, false, j->eb, sizeof j->eb);
}

tmpl_value *tmpl_from_yaml(tmpl_heap *h, const char *yaml, size_t len, tmpl_error *err) {
  fy_job j = {h, yaml ? yaml : "", yaml ? len : 0, "", NULL};
  tmpl_on_big_stack(fy_run, &j);
  tval *v = j.v;
  const char *eb = j.eb;
  if (!v && err) {
    err->detail = NULL;
    err->code = TMPL_EINVALID;
    tmpl_msgf(err->msg, sizeof err->msg, "%s", eb);
  }
  return v;
}

/* ---------------- toYamlPretty: yaml.v3 Encoder, SetIndent(2) ---------------- */
/* yaml.v3 marshals the Go value directly (no JSON round trip), never wraps
 * lines, and indents sequences under mapping keys.  Scalars are rendered by
 * libyaml (the same emitter rules) in a one-entry mapping and re-indented. */
static int kv3_cmp(const void *p, const void *q) {
  const kv *a = p, *b = q;
  if (key_less_v(a->k, a->kl, b->k, b->kl, true)) return -1;
  if (key_less_v(b->k, b->kl, a->k, a->kl, true)) return 1;
  return 0;
}

static bool is_old_bool(const char *s, size_t n) {
  static const char *w[] = {"y", "Y", "yes", "Yes", "YES", "on",  "On",  "ON",
                            "n", "N", "no",  "No",  "NO",  "off", "Off", "OFF"};
  for (size_t i = 0; i < sizeof w / sizeof *w; i++)
    if (strlen(w[i]) == n && !memcmp(w[i], s, n)) return true;
  return false;
}

/* render scalar text s in a block-mapping value (key=false) or key context */
static int render_scalar3(sb *out, const char *s, size_t n, yaml_scalar_style_t style, bool key) {
  sb tmp = {0};
  emit_ctx c = {0};
  char eb[128];
  c.out = &tmp;
  c.errbuf = eb;
  c.errcap = sizeof eb;
  if (!yaml_emitter_initialize(&c.em)) return -1;
  yaml_emitter_set_output(&c.em, write_handler, &c);
  yaml_emitter_set_unicode(&c.em, 1);
  yaml_emitter_set_width(&c.em, -1);
  yaml_emitter_set_indent(&c.em, 2);
  yaml_event_t ev;
  yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
  emit_event(&c, &ev);
  yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
  emit_event(&c, &ev);
  yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
  emit_event(&c, &ev);
  if (key) {
    emit_scalar(&c, s, n, style);
    emit_scalar(&c, "x", 1, YAML_PLAIN_SCALAR_STYLE);
  } else {
    emit_scalar(&c, "k", 1, YAML_PLAIN_SCALAR_STYLE);
    emit_scalar(&c, s, n, style);
  }
  yaml_mapping_end_event_initialize(&ev);
  emit_event(&c, &ev);
  yaml_document_end_event_initialize(&ev, 1);
  emit_event(&c, &ev);
  yaml_stream_end_event_initialize(&ev);
  emit_event(&c, &ev);
  yaml_emitter_delete(&c.em);
  if (c.err) {
    sb_free(&tmp);
    return -1;
  }
  /* strip a document end marker */
  if (tmp.n >= 4 && !memcmp(tmp.p + tmp.n - 4, "...\n", 4)) tmp.n -= 4;
  while (tmp.n && tmp.p[tmp.n - 1] == '\n')
    tmp.n--;
  if (key) {
    /* "KEY: x" */
    if (tmp.n >= 3) sb_putn(out, tmp.p, tmp.n - 3);
  } else if (tmp.n >= 3) {
    sb_putn(out, tmp.p + 3, tmp.n - 3); /* after "k: " */
  }
  sb_free(&tmp);
  return 0;
}

static void put_indent(sb *b, int n) {
  for (int i = 0; i < n; i++)
    sb_putc(b, ' ');
}

/* append scalar text whose continuation lines are indented by 2 in the
 * mini document: re-indent them to `indent` */
static void put_scalar_lines(sb *b, const sb *t, int indent) {
  size_t i = 0;
  bool first = true;
  while (i <= t->n) {
    size_t e = i;
    while (e < t->n && t->p[e] != '\n')
      e++;
    if (!first) {
      sb_putc(b, '\n');
      if (e > i) {
        size_t skip = (e - i >= 2 && t->p[i] == ' ' && t->p[i + 1] == ' ') ? 2 : 0;
        put_indent(b, indent);
        sb_putn(b, t->p + i + skip, e - i - skip);
      }
    } else
      sb_putn(b, t->p + i, e - i);
    first = false;
    if (e >= t->n) break;
    i = e + 1;
  }
}

static int scalar3(sb *b, const tval *v, int indent) {
  char buf[64];
  sb t = {0};
  int rc = 0;
  switch (v ? v->kind : TMPL_INVALID) {
  case TMPL_INVALID:
  case TMPL_NIL:
    sb_puts(b, "null");
    return 0;
  case TMPL_BOOL:
    sb_puts(b, v->u.b ? "true" : "false");
    return 0;
  case TMPL_INT:
    if (v->tname && v->tname[0] == 'u')
      snprintf(buf, sizeof buf, "%llu", (unsigned long long)v->u.i);
    else
      snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
    sb_puts(b, buf);
    return 0;
  case TMPL_FLOAT: {
    double f = v->u.f;
    if (isnan(f))
      sb_puts(b, ".nan");
    else if (isinf(f))
      sb_puts(b, f > 0 ? ".inf" : "-.inf");
    else
      gofmt_float(b, f, 'g', -1);
    return 0;
  }
  case TMPL_STRING:
  case TMPL_BYTES: {
    const char *s = v->u.s.p;
    size_t n = v->u.s.n;
    rval r = resolve_plain(s, n);
    bool can_plain = r.tag == R_STR && !is_base60_float(s, n) && !is_old_bool(s, n);
    yaml_scalar_style_t st = memchr(s, '\n', n) ? YAML_LITERAL_SCALAR_STYLE
                             : can_plain        ? YAML_PLAIN_SCALAR_STYLE
                                                : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    rc = render_scalar3(&t, s, n, st, false);
    put_scalar_lines(b, &t, indent);
    sb_free(&t);
    return rc;
  }
  default:
    sb_puts(b, "null");
    return 0;
  }
}

static bool is_coll(const tval *v) {
  return v && (v->kind == TMPL_MAP || v->kind == TMPL_LIST || v->kind == TMPL_STRUCT);
}
static bool is_empty_coll(const tval *v) {
  return (v->kind == TMPL_LIST && v->u.l->n == 0) ||
         ((v->kind == TMPL_MAP || v->kind == TMPL_STRUCT) && v->u.m->n == 0);
}

static int emit3(sb *b, const tval *v, int indent, bool inline_first, int depth);

static int emit3_map(sb *b, const tval *v, int indent, bool inline_first, int depth) {
  size_t n = v->u.m->n;
  kv *a = malloc((n ? n : 1) * sizeof *a);
  if (!a) abort();
  for (size_t i = 0; i < n; i++)
    a[i] = (kv){v->u.m->k[i], v->u.m->kl[i], v->u.m->v[i]};
  qsort(a, n, sizeof *a, kv3_cmp);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (i > 0 || !inline_first) put_indent(b, indent);
    rval r = resolve_plain(a[i].k, a[i].kl);
    bool can_plain =
        r.tag == R_STR && !is_base60_float(a[i].k, a[i].kl) && !is_old_bool(a[i].k, a[i].kl);
    sb kt = {0};
    rc = render_scalar3(&kt, a[i].k, a[i].kl,
                        memchr(a[i].k, '\n', a[i].kl) ? YAML_LITERAL_SCALAR_STYLE
                        : can_plain                   ? YAML_PLAIN_SCALAR_STYLE
                                                      : YAML_DOUBLE_QUOTED_SCALAR_STYLE,
                        true);
    sb_putn(b, kt.p ? kt.p : "", kt.n);
    sb_free(&kt);
    sb_putc(b, ':');
    const tval *val = a[i].v;
    if (is_coll(val) && !is_empty_coll(val)) {
      sb_putc(b, '\n');
      rc = emit3(b, val, indent + 2, false, depth + 1);
    } else {
      sb_putc(b, ' ');
      if (is_coll(val))
        sb_puts(b, val->kind == TMPL_LIST ? "[]" : "{}");
      else
        rc = scalar3(b, val, indent + 2);
      sb_putc(b, '\n');
    }
  }
  free(a);
  return rc;
}

static int emit3(sb *b, const tval *v, int indent, bool inline_first, int depth) {
  if (depth > 10000 || b->n > tmpl_fmt_limit) return -1;
  if (v && v->kind == TMPL_STRUCT && v->u.m->ext_type == 1 && v->u.m->ext)
    v = (const tval *)v->u.m->ext;
  if (v && (v->kind == TMPL_MAP || v->kind == TMPL_STRUCT))
    return emit3_map(b, v, indent, inline_first, depth);
  if (v && v->kind == TMPL_LIST) {
    int rc = 0;
    for (size_t i = 0; i < v->u.l->n && rc == 0; i++) {
      if (i > 0 || !inline_first) put_indent(b, indent);
      sb_puts(b, "- ");
      const tval *it = v->u.l->v[i];
      if (is_coll(it) && !is_empty_coll(it))
        rc = emit3(b, it, indent + 2, true, depth + 1);
      else {
        if (is_coll(it))
          sb_puts(b, it->kind == TMPL_LIST ? "[]" : "{}");
        else
          rc = scalar3(b, it, indent + 2);
        sb_putc(b, '\n');
      }
    }
    return rc;
  }
  int rc = scalar3(b, v, depth == 0 ? 2 : indent);
  sb_putc(b, '\n');
  return rc;
}

int yaml3_emit(sb *b, const tval *v) {
  sb_putn(b, "", 0);
  if (is_coll(v) && is_empty_coll(v)) {
    sb_puts(b, v->kind == TMPL_LIST ? "[]\n" : "{}\n");
    return 0;
  }
  return emit3(b, v, 0, false, 0);
}

/* YAML → helm_value with Helm's semantics: go-yaml v2 scalar resolution,
 * then sigs.k8s.io/yaml's conversion through JSON (numbers float64, keys
 * stringified, timestamps kept as strings). Built on libyaml's loader. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "engine/helm/helm_internal.h"

#define MAX_DEPTH 1000
#define MAX_NODES 20000000u

typedef struct ctx {
  yaml_document_t *doc;
  size_t produced;
  helm_error *err;
  int rc;
} ctx;

static int fail(ctx *c, int code, const char *msg) {
  if (!c->rc) c->rc = HELM_ERR(c->err, code, "%s", msg);
  return c->rc;
}

/* strconv.ParseInt(s, 0, 64) after '_' removal; 1 ok. */
static int parse_go_int(const char *s, int64_t *out, int *overflow_ok_uint, uint64_t *uout) {
  const char *p = s;
  int neg = 0;
  *overflow_ok_uint = 0;
  if (*p == '+' || *p == '-') {
    neg = *p == '-';
    p++;
  }
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
    base = 8;
    p += 2;
  } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
    base = 2;
    p += 2;
  } else if (p[0] == '0' && p[1]) {
    base = 8;
    p += 1;
  }
  if (!*p) return 0;
  uint64_t v = 0;
  for (const char *q = p; *q; q++) {
    int d;
    if (*q >= '0' && *q <= '9')
      d = *q - '0';
    else if (*q >= 'a' && *q <= 'z')
      d = *q - 'a' + 10;
    else if (*q >= 'A' && *q <= 'Z')
      d = *q - 'A' + 10;
    else
      return 0;
    if (d >= base) return 0;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return 0;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  if (neg) {
    if (v > (uint64_t)INT64_MAX + 1) return 0;
    *out = (int64_t)(0 - v);
    return 1;
  }
  if (v > (uint64_t)INT64_MAX) {
    *overflow_ok_uint = 1;
    *uout = v;
    return 1;
  }
  *out = (int64_t)v;
  return 1;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int yaml_style_float(const char *s) {
  const char *p = s;
  if (*p == '+' || *p == '-') p++;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p)) return 0;
    while (isdigit((unsigned char)*p))
      p++;
  } else {
    if (!isdigit((unsigned char)*p)) return 0;
    while (isdigit((unsigned char)*p))
      p++;
    if (*p == '.') {
      p++;
      while (isdigit((unsigned char)*p))
        p++;
    }
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!isdigit((unsigned char)*p)) return 0;
    while (isdigit((unsigned char)*p))
      p++;
  }
  return *p == 0;
}

static int in_list(const char *s, const char *const *l) {
  for (; *l; l++)
    if (strcmp(s, *l) == 0) return 1;
  return 0;
}

/* go-yaml v2's timestamp check: 4 digits then '-', then one of its layouts.
 * Timestamps decode into interface{} as the original string anyway, so only
 * "is it a timestamp" matters (it then is not an int/float). */
static int looks_timestamp(const char *s) {
  int i = 0;
  while (s[i] >= '0' && s[i] <= '9')
    i++;
  if (i != 4 || s[i] != '-') return 0;
  /* 2006-1-2 with optional time part: be permissive on the date shape */
  const char *p = s + 5;
  int n = 0;
  while (isdigit((unsigned char)p[n]))
    n++;
  if (n < 1 || n > 2 || p[n] != '-') return 0;
  p += n + 1;
  n = 0;
  while (isdigit((unsigned char)p[n]))
    n++;
  if (n < 1 || n > 2) return 0;
  p += n;
  if (!*p) return 1;
  if (*p != 'T' && *p != 't' && *p != ' ') return 0;
  return 1;
}

/* Resolve a plain scalar the way go-yaml v2 does into interface{}. */
static helm_value *resolve_plain(const char *s, size_t len) {
  static const char *const t_[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                   "True", "TRUE", "on",  "On",  "ON",  NULL};
  static const char *const f_[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                   "False", "FALSE", "off", "Off", "OFF", NULL};
  static const char *const n_[] = {"", "~", "null", "Null", "NULL", NULL};
  if (strlen(s) != len) return helm_value_stringn(s, len); /* embedded NUL */
  char c0 = s[0];
  int hint = 0;
  if (len == 0)
    hint = 'N';
  else if (c0 == '+' || c0 == '-')
    hint = 'S';
  else if (c0 >= '0' && c0 <= '9')
    hint = 'D';
  else if (strchr("yYnNtTfFoO~", c0))
    hint = 'M';
  else if (c0 == '.')
    hint = '.';
  if (!hint) return helm_value_stringn(s, len);
  if (in_list(s, t_)) return helm_value_bool(1);
  if (in_list(s, f_)) return helm_value_bool(0);
  if (in_list(s, n_)) return helm_value_null();
  if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) return helm_value_float(NAN);
  if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") || !strcmp(s, "+.inf") ||
      !strcmp(s, "+.Inf") || !strcmp(s, "+.INF"))
    return helm_value_float(INFINITY);
  if (!strcmp(s, "-.inf") || !strcmp(s, "-.Inf") || !strcmp(s, "-.INF"))
    return helm_value_float(-INFINITY);
  if (hint == '.') {
    if (yaml_style_float(s) || 1) {
      char *end;
      errno = 0;
      double d = strtod(s, &end);
      /* Go ParseFloat accepts "_" only in base-prefixed forms; plain
       * ".5", ".5e3" are the cases here */
      if (*end == 0 && end != s && yaml_style_float(s)) return helm_value_float(d);
    }
    return helm_value_stringn(s, len);
  }
  if (hint == 'D' || hint == 'S') {
    if (looks_timestamp(s)) return helm_value_stringn(s, len);
    char *plain = malloc(len + 1);
    if (!plain) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
      if (s[i] != '_') plain[k++] = s[i];
    plain[k] = 0;
    int64_t iv;
    uint64_t uv;
    int isu;
    helm_value *r = NULL;
    if (parse_go_int(plain, &iv, &isu, &uv)) {
      /* through JSON: every number becomes float64 */
      r = helm_value_float(isu ? (double)uv : (double)iv);
    } else if (yaml_style_float(plain)) {
      r = helm_value_float(strtod(plain, NULL));
    }
    free(plain);
    if (r) return r;
    return helm_value_stringn(s, len);
  }
  return helm_value_stringn(s, len);
}

static int is_merge_key(yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE) return 0;
  if (n->data.scalar.length != 2 || memcmp(n->data.scalar.value, "<<", 2) != 0) return 0;
  if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) return 1;
  return n->tag && strcmp((char *)n->tag, "tag:yaml.org,2002:merge") == 0;
}

static helm_value *convert(ctx *c, yaml_node_t *n, int depth);

/* Key text as sigs.k8s.io/yaml writes it. NULL + error when unsupported. */
static char *key_string(ctx *c, yaml_node_t *k, int depth) {
  helm_value *kv = convert(c, k, depth + 1);
  if (!kv) return NULL;
  char buf[64];
  char *out = NULL;
  switch (kv->type) {
  case HELM_STRING:
    out = helm_strdup(kv->u.str.s);
    break;
  case HELM_BOOL:
    out = helm_strdup(kv->u.b ? "true" : "false");
    break;
  case HELM_INT:
    snprintf(buf, sizeof buf, "%lld", (long long)kv->u.i);
    out = helm_strdup(buf);
    break;
  case HELM_FLOAT: {
    double f = kv->u.f;
    if (f == floor(f) && fabs(f) < 9.2e18) {
      /* go-yaml gives int for integral plain scalars */
      snprintf(buf, sizeof buf, "%lld", (long long)f);
      /* but a float-looking key ("1.0") stays float: check text */
      if (k->type == YAML_SCALAR_NODE &&
          (strchr((char *)k->data.scalar.value, '.') ||
           strpbrk((char *)k->data.scalar.value, "eE")) &&
          !strpbrk((char *)k->data.scalar.value, "xX"))
        helm_format_float(f, buf, sizeof buf);
    } else if (isnan(f)) {
      snprintf(buf, sizeof buf, ".nan");
    } else if (isinf(f)) {
      snprintf(buf, sizeof buf, f > 0 ? ".inf" : "-.inf");
    } else {
      helm_format_float((double)(float)f, buf, sizeof buf);
    }
    out = helm_strdup(buf);
    break;
  }
  default: {
    helm_value_free(kv);
    fail(c, HELM_EYAML, "error converting YAML to JSON: Unsupported map key of type: <nil>");
    return NULL;
  }
  }
  helm_value_free(kv);
  if (!out) fail(c, HELM_ENOMEM, "out of memory");
  return out;
}

static int merge_into(ctx *c, helm_value *m, yaml_node_t *src, int depth);

static int mapping_into(ctx *c, helm_value *m, yaml_node_t *n, int depth) {
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
    if (!k || !v) return fail(c, HELM_EYAML, "error converting YAML to JSON: bad node");
    if (is_merge_key(k)) {
      if (merge_into(c, m, v, depth) != 0) return c->rc;
      continue;
    }
    char *ks = key_string(c, k, depth);
    if (!ks) return c->rc;
    helm_value *vv = convert(c, v, depth + 1);
    if (!vv) {
      free(ks);
      return c->rc;
    }
    int rc = helm_map_set(m, ks, vv);
    free(ks);
    if (rc) {
      helm_value_free(vv);
      return fail(c, HELM_ENOMEM, "out of memory");
    }
  }
  return 0;
}

static int merge_into(ctx *c, helm_value *m, yaml_node_t *src, int depth) {
  static const char want[] = "error converting YAML to JSON: yaml: map merge requires map or "
                             "sequence of maps as the value";
  if (depth > MAX_DEPTH)
    return fail(c, HELM_ETOOBIG, "error converting YAML to JSON: yaml: exceeded max depth");
  if (src->type == YAML_MAPPING_NODE) return mapping_into(c, m, src, depth + 1);
  if (src->type != YAML_SEQUENCE_NODE) return fail(c, HELM_EYAML, want);
  yaml_node_item_t *it = src->data.sequence.items.top;
  while (it > src->data.sequence.items.start) {
    it--;
    yaml_node_t *e = yaml_document_get_node(c->doc, *it);
    if (!e || e->type != YAML_MAPPING_NODE) return fail(c, HELM_EYAML, want);
    if (mapping_into(c, m, e, depth + 1) != 0) return c->rc;
  }
  return 0;
}

static helm_value *scalar(ctx *c, yaml_node_t *n) {
  const char *s = (const char *)n->data.scalar.value;
  size_t len = n->data.scalar.length;
  const char *tag = (const char *)n->tag;
  int plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  /* libyaml's loader tags every scalar; non-specific tags become the
   * default str tag. A plain scalar with the default tag resolves. */
  if (tag && strncmp(tag, "tag:yaml.org,2002:", 18) == 0) {
    const char *t = tag + 18;
    if (!strcmp(t, "str")) {
      return plain ? resolve_plain(s, len) : helm_value_stringn(s, len);
    }
    if (!strcmp(t, "binary")) {
      /* base64-decoded into a string */
      helm_sb b = {0};
      unsigned acc = 0;
      int bits = 0;
      for (size_t i = 0; i < len; i++) {
        int d;
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z')
          d = ch - 'A';
        else if (ch >= 'a' && ch <= 'z')
          d = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9')
          d = ch - '0' + 52;
        else if (ch == '+')
          d = 62;
        else if (ch == '/')
          d = 63;
        else
          continue;
        acc = (acc << 6) | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          helm_sb_putc(&b, (char)((acc >> bits) & 0xff));
        }
      }
      helm_value *v = helm_value_stringn(b.s ? b.s : "", b.len);
      helm_sb_free(&b);
      return v;
    }
    if (!strcmp(t, "null")) return helm_value_null();
    if (!strcmp(t, "int") || !strcmp(t, "float") || !strcmp(t, "bool") || !strcmp(t, "timestamp")) {
      helm_value *v = resolve_plain(s, len);
      if (v && v->type == HELM_STRING && !!strcmp(t, "timestamp")) {
        helm_value_free(v);
        char msg[256];
        snprintf(msg, sizeof msg,
                 "error converting YAML to JSON: yaml: cannot decode !!str `%.40s` as a !!%s", s,
                 t);
        fail(c, HELM_EYAML, msg);
        return NULL;
      }
      return v;
    }
    return plain ? resolve_plain(s, len) : helm_value_stringn(s, len);
  }
  /* custom tag (!foo): go-yaml keeps the text */
  if (tag && tag[0] == '!' && tag[1] != 0) return helm_value_stringn(s, len);
  return plain ? resolve_plain(s, len) : helm_value_stringn(s, len);
}

static helm_value *convert(ctx *c, yaml_node_t *n, int depth) {
  if (c->rc) return NULL;
  if (depth > MAX_DEPTH) {
    fail(c, HELM_ETOOBIG, "error converting YAML to JSON: yaml: exceeded max depth");
    return NULL;
  }
  if (++c->produced > MAX_NODES) {
    fail(c, HELM_ETOOBIG,
         "error converting YAML to JSON: yaml: document contains excessive aliasing");
    return NULL;
  }
  helm_value *v = NULL;
  switch (n->type) {
  case YAML_SCALAR_NODE:
    v = scalar(c, n);
    break;
  case YAML_SEQUENCE_NODE:
    v = helm_value_list();
    if (!v) break;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
      yaml_node_t *e = yaml_document_get_node(c->doc, *it);
      helm_value *ev = e ? convert(c, e, depth + 1) : NULL;
      if (!ev || helm_list_append(v, ev) != 0) {
        helm_value_free(ev);
        helm_value_free(v);
        if (!c->rc) fail(c, HELM_ENOMEM, "out of memory");
        return NULL;
      }
    }
    return v;
  case YAML_MAPPING_NODE:
    v = helm_value_map();
    if (!v) break;
    if (mapping_into(c, v, n, depth) != 0) {
      helm_value_free(v);
      return NULL;
    }
    return v;
  default:
    v = helm_value_null();
    break;
  }
  if (!v && !c->rc) fail(c, HELM_ENOMEM, "out of memory");
  return v;
}

/* go-yaml v2's parser.fail(): "yaml: line N: problem". */
static int parser_error(yaml_parser_t *p, helm_error *err) {
  size_t line = 0;
  if (p->problem_mark.line != 0) {
    line = p->problem_mark.line;
    if (p->error == YAML_SCANNER_ERROR) line++;
  } else if (p->context_mark.line != 0) {
    line = p->context_mark.line;
  }
  const char *msg = p->problem ? p->problem : "unknown problem parsing YAML content";
  if (line)
    return HELM_ERR(err, HELM_EYAML, "error converting YAML to JSON: yaml: line %zu: %s", line,
                    msg);
  return HELM_ERR(err, HELM_EYAML, "error converting YAML to JSON: yaml: %s", msg);
}

int helm_yaml_parse(const char *text, size_t len, helm_value **out, helm_error *err) {
  *out = NULL;
  yaml_parser_t p;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&p)) return HELM_ENOMEM_ERR(err);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  if (!yaml_parser_load(&p, &doc)) {
    int rc = parser_error(&p, err);
    yaml_parser_delete(&p);
    return rc;
  }
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  ctx c = {.doc = &doc, .err = err};
  helm_value *v = root ? convert(&c, root, 0) : helm_value_null();
  yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  if (c.rc) {
    helm_value_free(v);
    return c.rc;
  }
  if (!v) return HELM_ENOMEM_ERR(err);
  *out = v;
  return 0;
}

int helm_yaml_parse_values(const char *text, size_t len, helm_value **out, helm_error *err) {
  helm_value *v = NULL;
  int rc = helm_yaml_parse(text, len, &v, err);
  if (rc) return rc;
  if (v->type == HELM_NULL) {
    helm_value_free(v);
    v = helm_value_map();
    if (!v) return HELM_ENOMEM_ERR(err);
  } else if (v->type != HELM_MAP) {
    const char *what = v->type == HELM_LIST     ? "array"
                       : v->type == HELM_STRING ? "string"
                       : v->type == HELM_BOOL   ? "bool"
                                                : "number";
    helm_value_free(v);
    return HELM_ERR(err, HELM_EYAML,
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s "
                    "into Go value of type map[string]interface {}",
                    what);
  }
  *out = v;
  return 0;
}

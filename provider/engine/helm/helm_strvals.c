/* --set / --set-string / --set-json / --set-file / --set-literal parsing:
 * a port of Helm's pkg/strvals (parser.go, literal_parser.go). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

#define MAX_INDEX 65536
#define MAX_NESTED 30
#define SV_EOF 1 /* io.EOF, not an error at top level */

typedef struct sc {
  const char *s;
  size_t pos, len;
} sc;

typedef struct parser {
  sc in;
  helm_set_kind kind;
  helm_error *err;
} parser;

static int rd(sc *c, int *ch) {
  if (c->pos >= c->len) return SV_EOF;
  *ch = (unsigned char)c->s[c->pos++];
  return 0;
}

static void unrd(sc *c) {
  if (c->pos > 0) c->pos--;
}

/* runesUntil: reads until a stop char (consumed, returned in *last).
 * Returns 0, or SV_EOF (with what was read so far). '\\' escapes. */
static int runes_until(sc *c, const char *stop, helm_sb *v, int *last) {
  *last = 0;
  for (;;) {
    int ch;
    if (rd(c, &ch)) return SV_EOF;
    if (strchr(stop, ch) && ch) {
      *last = ch;
      return 0;
    }
    if (ch == '\\') {
      int nx;
      if (rd(c, &nx)) return SV_EOF;
      helm_sb_putc(v, (char)nx);
      continue;
    }
    helm_sb_putc(v, (char)ch);
  }
}

static const char *vtype_go(const helm_value *v) {
  if (!v || v->type == HELM_NULL) return "nil";
  return helm_value_go_type(v);
}

static int perr(parser *p, const char *fmt, const char *a) {
  return HELM_ERR(p->err, HELM_EINVALID, fmt, a);
}

/* typedVal */
static helm_value *typed_val(const char *s, size_t n, int as_string) {
  if (as_string) return helm_value_stringn(s, n);
  if (n == 4 && !strncasecmp(s, "true", 4)) return helm_value_bool(1);
  if (n == 5 && !strncasecmp(s, "false", 5)) return helm_value_bool(0);
  if (n == 4 && !strncasecmp(s, "null", 4)) return helm_value_null();
  if (n == 1 && s[0] == '0') return helm_value_int(0);
  if (n && s[0] != '0' && strlen(s) == n) {
    const char *q = s;
    if (*q == '+' || *q == '-') q++;
    int ok = *q != 0;
    for (const char *r = q; *r; r++)
      if (!isdigit((unsigned char)*r)) ok = 0;
    if (ok) {
      errno = 0;
      char *end;
      long long iv = strtoll(s, &end, 10);
      if (!errno && *end == 0) return helm_value_int(iv);
    }
  }
  return helm_value_stringn(s, n);
}

/* The value reader: typed / string / file contents. Returns 0 or error. */
static int reader(parser *p, const char *s, size_t n, helm_value **out) {
  if (p->kind == HELM_SET_FILE) {
    char *path = helm_strndup(s, n);
    if (!path) return HELM_ENOMEM_ERR(p->err);
    char *data = NULL;
    size_t len = 0;
    int rc = helm_read_file(path, 64u << 20, &data, &len, p->err);
    free(path);
    if (rc) return rc;
    *out = helm_value_stringn(data, len);
    free(data);
  } else {
    *out = typed_val(s, n, p->kind == HELM_SET_STRING);
  }
  return *out ? 0 : HELM_ENOMEM_ERR(p->err);
}

static void set(helm_value *data, const char *key, helm_value *val) {
  if (!*key) {
    helm_value_free(val);
    return;
  }
  helm_map_set(data, key, val);
}

/* setIndex: list (owned, may be NULL = empty) with val at index. */
static int set_index(parser *p, helm_value **list, long idx, helm_value *val) {
  if (idx < 0) {
    helm_value_free(val);
    char b[32];
    snprintf(b, sizeof b, "%ld", idx);
    return perr(p, "negative %s index not allowed", b);
  }
  if (idx > MAX_INDEX) {
    helm_value_free(val);
    char b[64];
    snprintf(b, sizeof b, "%ld", idx);
    return HELM_ERR(p->err, HELM_EINVALID,
                    "index of %s is greater than maximum supported index of %d", b, MAX_INDEX);
  }
  if (!*list) *list = helm_value_list();
  while ((*list)->u.list.n <= (size_t)idx)
    helm_list_append(*list, helm_value_null());
  helm_value_free((*list)->u.list.items[idx]);
  (*list)->u.list.items[idx] = val;
  return 0;
}

/* emptyVal: skip spaces; true at ',' or EOF (consumed). */
static int empty_val(parser *p) {
  for (;;) {
    int ch;
    if (rd(&p->in, &ch)) return 1;
    if (ch == ',') return 1;
    if (!isspace(ch)) {
      unrd(&p->in);
      return 0;
    }
  }
}

static int json_val(parser *p, helm_value **out) {
  const char *start = p->in.s + p->in.pos;
  size_t rem = p->in.len - p->in.pos;
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithLengthOpts(start, rem, &end, 0);
  if (!j) return HELM_ERR(p->err, HELM_EINVALID, "invalid JSON value");
  char *txt = NULL;
  (void)txt;
  helm_error e2 = {0};
  /* re-parse the consumed text through our own converter (float64 numbers) */
  size_t used = (size_t)(end - start);
  helm_value *v = NULL;
  int rc = helm_json_parse(start, used, 0, &v, &e2);
  helm_error_clear(&e2);
  cJSON_Delete(j);
  if (rc) return HELM_ERR(p->err, HELM_EINVALID, "invalid JSON value");
  p->in.pos += used;
  *out = v;
  return 0;
}

/* valList: {a,b}. Returns 0 with *out, SV_EOF, 2 = not a list, or error. */
static int val_list(parser *p, helm_value **out) {
  int ch;
  *out = NULL;
  if (rd(&p->in, &ch)) return SV_EOF;
  if (ch != '{') {
    unrd(&p->in);
    return 2;
  }
  helm_value *list = helm_value_list();
  for (;;) {
    helm_sb rs = {0};
    int last;
    int r = runes_until(&p->in, ",}", &rs, &last);
    if (r) {
      helm_sb_free(&rs);
      helm_value_free(list);
      return HELM_ERR(p->err, HELM_EINVALID, "list must terminate with '}'");
    }
    helm_value *v = NULL;
    int e = reader(p, rs.s ? rs.s : "", rs.len, &v);
    helm_sb_free(&rs);
    if (e) {
      helm_value_free(list);
      return e;
    }
    helm_list_append(list, v);
    if (last == '}') {
      if (!rd(&p->in, &ch) && ch != ',') unrd(&p->in);
      *out = list;
      return 0;
    }
  }
}

static int key(parser *p, helm_value *data, int level);

/* Reads the value after '=' into *out: list, scalar, or JSON. */
static int value_after_eq(parser *p, helm_value **out, int *eof) {
  *eof = 0;
  helm_value *vl = NULL;
  int r = val_list(p, &vl);
  if (r == 0) {
    *out = vl;
    return 0;
  }
  if (r == SV_EOF) {
    *out = helm_value_string("");
    *eof = 1;
    return 0;
  }
  if (r == 2) {
    helm_sb rs = {0};
    int last;
    runes_until(&p->in, ",", &rs, &last);
    int e = reader(p, rs.s ? rs.s : "", rs.len, out);
    helm_sb_free(&rs);
    return e;
  }
  return r;
}

static int list_item(parser *p, helm_value **list, long i, int level) {
  if (i < 0) {
    char b[32];
    snprintf(b, sizeof b, "%ld", i);
    return perr(p, "negative %s index not allowed", b);
  }
  helm_sb k = {0};
  int last;
  int r = runes_until(&p->in, "[.=", &k, &last);
  if (k.len > 0) {
    int rc = HELM_ERR(p->err, HELM_EINVALID, "unexpected data at end of array index: \"%s\"", k.s);
    helm_sb_free(&k);
    return rc;
  }
  helm_sb_free(&k);
  if (r) return SV_EOF;
  if (last == '=') {
    if (p->kind == HELM_SET_JSON) {
      if (empty_val(p)) return set_index(p, list, i, helm_value_null());
      helm_value *jv = NULL;
      int e = json_val(p, &jv);
      if (e) return e;
      e = set_index(p, list, i, jv);
      if (e) return e;
      empty_val(p);
      return 0;
    }
    helm_value *v = NULL;
    int eof;
    int e = value_after_eq(p, &v, &eof);
    if (e) return e;
    return set_index(p, list, i, v);
  }
  if (last == '[') {
    helm_sb ix = {0};
    int l2;
    if (runes_until(&p->in, "]", &ix, &l2)) {
      helm_sb_free(&ix);
      return HELM_ERR(p->err, HELM_EINVALID, "error parsing index: EOF");
    }
    char *end;
    errno = 0;
    long next = strtol(ix.s ? ix.s : "", &end, 10);
    if (!ix.s || *end || errno) {
      int rc = HELM_ERR(p->err, HELM_EINVALID,
                        "error parsing index: strconv.Atoi: parsing \"%s\": invalid syntax",
                        ix.s ? ix.s : "");
      helm_sb_free(&ix);
      return rc;
    }
    helm_sb_free(&ix);
    helm_value *crt = NULL;
    if (*list && (*list)->u.list.n > (size_t)i) {
      helm_value *ex = (*list)->u.list.items[i];
      if (ex->type != HELM_NULL) {
        if (ex->type != HELM_LIST)
          return HELM_ERR(p->err, HELM_EINVALID,
                          "unable to parse key: interface conversion: interface {} is %s, "
                          "not []interface {}",
                          vtype_go(ex));
        crt = helm_value_copy(ex);
      }
    }
    int e = list_item(p, &crt, next, level);
    if (e) {
      helm_value_free(crt);
      return e;
    }
    if (!crt) crt = helm_value_list();
    return set_index(p, list, i, crt);
  }
  if (last == '.') {
    helm_value *inner = NULL;
    if (*list && (*list)->u.list.n > (size_t)i && (*list)->u.list.items[i]->type == HELM_MAP)
      inner = helm_value_copy((*list)->u.list.items[i]);
    if (!inner) inner = helm_value_map();
    int e = key(p, inner, level);
    if (e && e != SV_EOF) {
      helm_value_free(inner);
      return e;
    }
    int e2 = set_index(p, list, i, inner);
    return e2 ? e2 : e;
  }
  return HELM_ERR(p->err, HELM_EINVALID, "parse error: unexpected token %d", last);
}

static int literal_rest(parser *p, helm_value *data, const char *k) {
  /* everything to the end is the value */
  helm_value *v = helm_value_stringn(p->in.s + p->in.pos, p->in.len - p->in.pos);
  p->in.pos = p->in.len;
  set(data, k, v);
  return SV_EOF;
}

static int key(parser *p, helm_value *data, int level) {
  for (;;) {
    helm_sb k = {0};
    int last;
    int r = runes_until(&p->in, p->kind == HELM_SET_LITERAL ? "=[." : "=[,.", &k, &last);
    char *ks = helm_sb_take(&k);
    if (!ks) return HELM_ENOMEM_ERR(p->err);
    if (r) {
      if (!*ks) {
        free(ks);
        return SV_EOF;
      }
      int rc = HELM_ERR(p->err, HELM_EINVALID, "key \"%s\" has no value", ks);
      free(ks);
      return rc;
    }
    int rc = 0;
    if (last == '[') {
      helm_sb ix = {0};
      int l2;
      if (runes_until(&p->in, "]", &ix, &l2)) {
        helm_sb_free(&ix);
        free(ks);
        return HELM_ERR(p->err, HELM_EINVALID, "error parsing index: EOF");
      }
      char *end;
      errno = 0;
      long i = strtol(ix.s ? ix.s : "", &end, 10);
      if (!ix.s || *end || errno) {
        rc = HELM_ERR(p->err, HELM_EINVALID,
                      "error parsing index: strconv.Atoi: parsing \"%s\": invalid syntax",
                      ix.s ? ix.s : "");
        helm_sb_free(&ix);
        free(ks);
        return rc;
      }
      helm_sb_free(&ix);
      helm_value *list = NULL;
      helm_value *ex = helm_map_get(data, ks);
      if (ex) {
        if (ex->type != HELM_LIST) {
          rc = HELM_ERR(p->err, HELM_EINVALID,
                        "unable to parse key: interface conversion: interface {} is %s, not "
                        "[]interface {}",
                        vtype_go(ex));
          free(ks);
          return rc;
        }
        list = helm_value_copy(ex);
      }
      rc = list_item(p, &list, i, level);
      if (!list) list = helm_value_list();
      set(data, ks, list);
      free(ks);
      return rc;
    }
    if (last == '=') {
      if (p->kind == HELM_SET_LITERAL) {
        rc = literal_rest(p, data, ks);
        free(ks);
        return rc;
      }
      if (p->kind == HELM_SET_JSON) {
        if (empty_val(p)) {
          set(data, ks, helm_value_null());
          free(ks);
          return 0;
        }
        helm_value *jv = NULL;
        rc = json_val(p, &jv);
        if (rc) {
          free(ks);
          return rc;
        }
        set(data, ks, jv);
        free(ks);
        empty_val(p);
        return 0;
      }
      helm_value *v = NULL;
      int eof = 0;
      rc = value_after_eq(p, &v, &eof);
      if (rc) {
        free(ks);
        return rc;
      }
      set(data, ks, v);
      free(ks);
      return eof ? SV_EOF : 0;
    }
    if (last == ',') {
      set(data, ks, helm_value_string(""));
      rc = HELM_ERR(p->err, HELM_EINVALID, "key \"%s\" has no value (cannot end with ,)", ks);
      free(ks);
      return rc;
    }
    if (last == '.') {
      level++;
      if (level > MAX_NESTED) {
        free(ks);
        return HELM_ERR(p->err, HELM_EINVALID,
                        "value name nested level is greater than maximum supported nested "
                        "level of %d",
                        MAX_NESTED);
      }
      helm_value *inner = NULL;
      helm_value *ex = helm_map_get(data, ks);
      if (ex) {
        if (ex->type != HELM_MAP) {
          rc = HELM_ERR(p->err, HELM_EINVALID,
                        "unable to parse key: interface conversion: interface {} is %s, not "
                        "map[string]interface {}",
                        vtype_go(ex));
          free(ks);
          return rc;
        }
        inner = helm_value_copy(ex);
      } else {
        inner = helm_value_map();
      }
      rc = key(p, inner, level);
      if (rc == 0 && inner->u.map.n == 0) {
        helm_value_free(inner);
        int e = HELM_ERR(p->err, HELM_EINVALID, "key map \"%s\" has no value", ks);
        free(ks);
        return e;
      }
      if (inner->u.map.n)
        set(data, ks, inner);
      else
        helm_value_free(inner);
      free(ks);
      return rc;
    }
    free(ks);
  }
}

int helm_strvals_parse(const char *s, helm_set_kind kind, helm_value *into, helm_error *err) {
  if (!into || into->type != HELM_MAP)
    return HELM_ERR(err, HELM_EINVALID, "strvals: target is not a map");
  parser p = {.in = {.s = s, .pos = 0, .len = strlen(s)}, .kind = kind, .err = err};
  for (;;) {
    int rc = key(&p, into, 0);
    if (rc == 0) continue;
    if (rc == SV_EOF) return 0;
    return rc;
  }
}

/* ---------------- MergeValues ---------------- */

int helm_merge_maps(helm_value *dst, const helm_value *src) {
  for (size_t i = 0; i < src->u.map.n; i++) {
    const char *k = src->u.map.keys[i];
    const helm_value *v = src->u.map.vals[i];
    helm_value *d = helm_map_get(dst, k);
    if (v->type == HELM_MAP && d && d->type == HELM_MAP) {
      if (helm_merge_maps(d, v)) return HELM_ENOMEM;
      continue;
    }
    helm_value *c = helm_value_copy(v);
    if (!c || helm_map_set(dst, k, c)) {
      helm_value_free(c);
      return HELM_ENOMEM;
    }
  }
  return 0;
}

int helm_values_merge(const helm_values_options *o, helm_value **out, helm_error *err) {
  *out = NULL;
  helm_value *base = helm_value_map();
  if (!base) return HELM_ENOMEM_ERR(err);
  int rc = 0;
  for (size_t i = 0; !rc && i < o->n_value_files; i++) {
    const char *fp = o->value_files[i];
    char *data = NULL;
    size_t len = 0;
    rc = helm_read_file(fp, 256u << 20, &data, &len, err);
    if (rc) break;
    helm_value *cur = NULL;
    rc = helm_yaml_parse_values(data, len, &cur, err);
    free(data);
    if (rc) {
      helm_error_wrap(err, "failed to parse %s", fp);
      break;
    }
    rc = helm_merge_maps(base, cur);
    helm_value_free(cur);
    if (rc) rc = HELM_ENOMEM_ERR(err);
  }
  for (size_t i = 0; !rc && i < o->n_json_values; i++) {
    helm_error e2 = {0};
    if (helm_strvals_parse(o->json_values[i], HELM_SET_JSON, base, &e2)) {
      rc = HELM_ERR(err, HELM_EINVALID, "failed parsing --set-json data %s", o->json_values[i]);
    }
    helm_error_clear(&e2);
  }
  for (size_t i = 0; !rc && i < o->n_values; i++)
    if ((rc = helm_strvals_parse(o->values[i], HELM_SET, base, err)))
      helm_error_wrap(err, "failed parsing --set data");
  for (size_t i = 0; !rc && i < o->n_string_values; i++)
    if ((rc = helm_strvals_parse(o->string_values[i], HELM_SET_STRING, base, err)))
      helm_error_wrap(err, "failed parsing --set-string data");
  for (size_t i = 0; !rc && i < o->n_file_values; i++)
    if ((rc = helm_strvals_parse(o->file_values[i], HELM_SET_FILE, base, err)))
      helm_error_wrap(err, "failed parsing --set-file data");
  for (size_t i = 0; !rc && i < o->n_literal_values; i++)
    if ((rc = helm_strvals_parse(o->literal_values[i], HELM_SET_LITERAL, base, err)))
      helm_error_wrap(err, "failed parsing --set-literal data");
  if (rc) {
    helm_value_free(base);
    return rc;
  }
  *out = base;
  return 0;
}

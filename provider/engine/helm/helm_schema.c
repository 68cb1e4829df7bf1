/* values.schema.json validation with the messages of xeipuuv/gojsonschema
 * (what Helm 3.17 uses): draft 4/6/7 keywords used by real charts. */
#include <cjson/cJSON.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

typedef struct verr {
  char *field, *msg;
} verr;

typedef struct result {
  verr *e;
  size_t n, cap;
  long score;
  int oom;
} result;

typedef struct vctx {
  const cJSON *root;
  int depth;
  char *fatal; /* schema problem (bad $ref, bad regex) */
} vctx;

static void res_free(result *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->e[i].field);
    free(r->e[i].msg);
  }
  free(r->e);
  memset(r, 0, sizeof *r);
}

static void add_err(result *r, const char *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_err(result *r, const char *ctx, const char *fmt, ...) {
  if (r->n == r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 8;
    verr *p = realloc(r->e, nc * sizeof *p);
    if (!p) {
      r->oom = 1;
      return;
    }
    r->e = p;
    r->cap = nc;
  }
  va_list ap;
  va_start(ap, fmt);
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  r->e[r->n].field = helm_strdup(ctx);
  r->e[r->n].msg = helm_strdup(buf);
  r->n++;
}

static void merge(result *dst, result *src) {
  for (size_t i = 0; i < src->n; i++) {
    if (dst->n == dst->cap) {
      size_t nc = dst->cap ? dst->cap * 2 : 8;
      verr *p = realloc(dst->e, nc * sizeof *p);
      if (!p) {
        dst->oom = 1;
        break;
      }
      dst->e = p;
      dst->cap = nc;
    }
    dst->e[dst->n++] = src->e[i];
    src->e[i].field = src->e[i].msg = NULL;
  }
  dst->score += src->score;
  res_free(src);
}

/* Field(): context without the "(root)." prefix. ctx is "(root)" or "(root).a.b". */
static const char *field_of(const char *ctx) {
  return strncmp(ctx, "(root).", 7) == 0 ? ctx + 7 : ctx;
}

static char *sub_ctx(const char *ctx, const char *key) {
  helm_sb b = {0};
  helm_sb_printf(&b, "%s.%s", ctx, key);
  return helm_sb_take(&b);
}

static const char *json_type(const helm_value *v) {
  switch (v ? v->type : HELM_NULL) {
  case HELM_NULL:
    return "null";
  case HELM_BOOL:
    return "boolean";
  case HELM_INT:
    return "integer";
  case HELM_FLOAT:
    return v->u.f == floor(v->u.f) && isfinite(v->u.f) ? "integer" : "number";
  case HELM_STRING:
    return "string";
  case HELM_LIST:
    return "array";
  case HELM_MAP:
    return "object";
  }
  return "null";
}

static double num(const helm_value *v) {
  return v->type == HELM_INT ? (double)v->u.i : v->u.f;
}

static void fmt_num(double d, char *buf, size_t cap) {
  helm_format_float(d, buf, cap);
}

/* types: "type" keyword as a list. Returns count; writes display string. */
static int schema_types(const cJSON *s, const char **types, int max, char *disp, size_t cap) {
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
  int n = 0;
  if (cJSON_IsString(t))
    types[n++] = t->valuestring;
  else if (cJSON_IsArray(t))
    for (const cJSON *e = t->child; e && n < max; e = e->next)
      if (cJSON_IsString(e)) types[n++] = e->valuestring;
  if (n == 1)
    snprintf(disp, cap, "%s", types[0]);
  else if (n > 1) {
    helm_sb b = {0};
    helm_sb_putc(&b, '[');
    for (int i = 0; i < n; i++) {
      if (i) helm_sb_putc(&b, ',');
      helm_sb_puts(&b, types[i]);
    }
    helm_sb_putc(&b, ']');
    char *x = helm_sb_take(&b);
    snprintf(disp, cap, "%s", x ? x : "");
    free(x);
  }
  return n;
}

static int has_type(const char **types, int n, const char *t) {
  for (int i = 0; i < n; i++)
    if (!strcmp(types[i], t)) return 1;
  return 0;
}

static const cJSON *resolve_ref(vctx *vc, const char *ref) {
  if (ref[0] != '#') return NULL;
  const cJSON *cur = vc->root;
  const char *p = ref + 1;
  if (*p == 0) return cur;
  if (*p != '/') return NULL;
  while (*p == '/' && cur) {
    p++;
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char key[512];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof key; i++) {
      if (p[i] == '~' && i + 1 < n && p[i + 1] == '1') {
        key[k++] = '/';
        i++;
      } else if (p[i] == '~' && i + 1 < n && p[i + 1] == '0') {
        key[k++] = '~';
        i++;
      } else {
        key[k++] = p[i];
      }
    }
    key[k] = 0;
    if (cJSON_IsArray(cur))
      cur = cJSON_GetArrayItem(cur, atoi(key));
    else
      cur = cJSON_GetObjectItemCaseSensitive(cur, key);
    p += n;
  }
  return cur;
}

/* JSON text of a value as gojsonschema's marshalWithoutNumber compares it. */
static char *canon(const helm_value *v) {
  if (v && v->type == HELM_FLOAT && v->u.f == floor(v->u.f) && fabs(v->u.f) < 1e18) {
    char b[64];
    snprintf(b, sizeof b, "%lld", (long long)v->u.f);
    return helm_strdup(b);
  }
  return helm_value_to_json(v);
}

static char *canon_cjson(const cJSON *j) {
  helm_value *v = NULL;
  char *txt = cJSON_PrintUnformatted(j);
  if (!txt) return NULL;
  helm_error e = {0};
  int rc = helm_json_parse(txt, strlen(txt), 0, &v, &e);
  free(txt);
  helm_error_clear(&e);
  if (rc) return NULL;
  char *s = canon(v);
  helm_value_free(v);
  return s;
}

/* RE2-ish pattern → POSIX ERE (common escapes). */
static int pattern_match(vctx *vc, const char *pat, const char *s) {
  helm_sb b = {0};
  for (const char *p = pat; *p; p++) {
    if (*p == '\\' && p[1]) {
      p++;
      switch (*p) {
      case 'd':
        helm_sb_puts(&b, "[0-9]");
        break;
      case 'D':
        helm_sb_puts(&b, "[^0-9]");
        break;
      case 'w':
        helm_sb_puts(&b, "[A-Za-z0-9_]");
        break;
      case 'W':
        helm_sb_puts(&b, "[^A-Za-z0-9_]");
        break;
      case 's':
        helm_sb_puts(&b, "[[:space:]]");
        break;
      case 'S':
        helm_sb_puts(&b, "[^[:space:]]");
        break;
      default:
        helm_sb_putc(&b, '\\');
        helm_sb_putc(&b, *p);
      }
      continue;
    }
    if (*p == '(' && p[1] == '?' && p[2] == ':') {
      helm_sb_putc(&b, '(');
      p += 2;
      continue;
    }
    helm_sb_putc(&b, *p);
  }
  char *ere = helm_sb_take(&b);
  if (!ere) return 1;
  regex_t re;
  int ok = 1;
  if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB) == 0) {
    ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
  } else if (!vc->fatal) {
    helm_sb e = {0};
    helm_sb_printf(&e, "error parsing regexp: invalid pattern: `%s`", pat);
    vc->fatal = helm_sb_take(&e);
  }
  free(ere);
  return ok;
}

static size_t rune_count(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80) c++;
  return c;
}

static void validate(vctx *vc, const cJSON *s, const helm_value *v, const char *ctx, result *r);

static void sub_validate(vctx *vc, const cJSON *s, const helm_value *v, const char *ctx,
                         result *out) {
  memset(out, 0, sizeof *out);
  validate(vc, s, v, ctx, out);
}

static void validate_schema(vctx *vc, const cJSON *s, const helm_value *v, const char *ctx,
                            result *r) {
  const cJSON *any = cJSON_GetObjectItemCaseSensitive(s, "anyOf");
  if (cJSON_IsArray(any) && cJSON_GetArraySize(any) > 0) {
    int ok = 0;
    result best = {0};
    int have_best = 0;
    for (const cJSON *e = any->child; e && !ok; e = e->next) {
      result sr;
      sub_validate(vc, e, v, ctx, &sr);
      ok = sr.n == 0;
      if (!ok && (!have_best || sr.score > best.score)) {
        res_free(&best);
        best = sr;
        have_best = 1;
      } else {
        res_free(&sr);
      }
    }
    if (!ok) {
      add_err(r, ctx, "Must validate at least one schema (anyOf)");
      merge(r, &best);
    } else {
      res_free(&best);
    }
  }
  const cJSON *one = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
  if (cJSON_IsArray(one) && cJSON_GetArraySize(one) > 0) {
    int nb = 0;
    result best = {0};
    int have_best = 0;
    for (const cJSON *e = one->child; e; e = e->next) {
      result sr;
      sub_validate(vc, e, v, ctx, &sr);
      if (sr.n == 0) {
        nb++;
        res_free(&sr);
      } else if (nb == 0 && (!have_best || sr.score > best.score)) {
        res_free(&best);
        best = sr;
        have_best = 1;
      } else {
        res_free(&sr);
      }
    }
    if (nb != 1) {
      add_err(r, ctx, "Must validate one and only one schema (oneOf)");
      if (nb == 0)
        merge(r, &best);
      else
        res_free(&best);
    } else {
      res_free(&best);
    }
  }
  const cJSON *all = cJSON_GetObjectItemCaseSensitive(s, "allOf");
  if (cJSON_IsArray(all) && cJSON_GetArraySize(all) > 0) {
    int nb = 0, total = 0;
    for (const cJSON *e = all->child; e; e = e->next) {
      result sr;
      sub_validate(vc, e, v, ctx, &sr);
      total++;
      if (sr.n == 0) nb++;
      merge(r, &sr);
    }
    if (nb != total) add_err(r, ctx, "Must validate all the schemas (allOf)");
  }
  const cJSON *not = cJSON_GetObjectItemCaseSensitive(s, "not");
  if (not &&(cJSON_IsObject(not ) || cJSON_IsBool(not ))) {
    result sr;
    sub_validate(vc, not, v, ctx, &sr);
    if (sr.n == 0) add_err(r, ctx, "Must not validate the schema (not)");
    res_free(&sr);
  }
  const cJSON *iff = cJSON_GetObjectItemCaseSensitive(s, "if");
  if (iff) {
    result sr;
    sub_validate(vc, iff, v, ctx, &sr);
    int ok = sr.n == 0;
    res_free(&sr);
    const cJSON *br = cJSON_GetObjectItemCaseSensitive(s, ok ? "then" : "else");
    if (br) {
      result br_r;
      sub_validate(vc, br, v, ctx, &br_r);
      if (br_r.n) {
        merge(r, &br_r);
        add_err(r, ctx,
                ok ? "Must validate \"then\" as \"if\" was valid"
                   : "Must validate \"else\" as \"if\" was not valid");
      } else {
        res_free(&br_r);
      }
    }
  }
  r->score++;
}

static void validate_common(const cJSON *s, const helm_value *v, const char *ctx, result *r) {
  const cJSON *cst = cJSON_GetObjectItemCaseSensitive(s, "const");
  if (cst) {
    char *a = canon(v), *b = canon_cjson(cst);
    if (a && b && strcmp(a, b)) add_err(r, ctx, "%s does not match: %s", field_of(ctx), b);
    free(a);
    free(b);
  }
  const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
  if (cJSON_IsArray(en) && cJSON_GetArraySize(en) > 0) {
    char *a = canon(v);
    int found = 0;
    helm_sb allowed = {0};
    int first = 1;
    for (const cJSON *e = en->child; e; e = e->next) {
      char *b = canon_cjson(e);
      if (!b) continue;
      if (a && !strcmp(a, b)) found = 1;
      if (!first) helm_sb_puts(&allowed, ", ");
      helm_sb_puts(&allowed, b);
      first = 0;
      free(b);
    }
    if (!found)
      add_err(r, ctx, "%s must be one of the following: %s", field_of(ctx),
              allowed.s ? allowed.s : "");
    helm_sb_free(&allowed);
    free(a);
  }
  r->score++;
}

static const cJSON *num_kw(const cJSON *s, const char *k) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(s, k);
  return cJSON_IsNumber(x) ? x : NULL;
}

static void validate_number(const cJSON *s, const helm_value *v, const char *ctx, result *r) {
  if (v->type != HELM_INT && v->type != HELM_FLOAT) return;
  double d = num(v);
  char b[64];
  const cJSON *mo = num_kw(s, "multipleOf");
  if (mo && mo->valuedouble != 0) {
    double q = d / mo->valuedouble;
    if (fabs(q - round(q)) > 1e-9) {
      fmt_num(mo->valuedouble, b, sizeof b);
      add_err(r, ctx, "Must be a multiple of %s", b);
    }
  }
  const cJSON *mx = num_kw(s, "maximum");
  const cJSON *emx = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMaximum");
  if (mx) {
    fmt_num(mx->valuedouble, b, sizeof b);
    if (cJSON_IsTrue(emx)) {
      if (d >= mx->valuedouble) add_err(r, ctx, "Must be less than %s", b);
    } else if (d > mx->valuedouble) {
      add_err(r, ctx, "Must be less than or equal to %s", b);
    }
  }
  if (cJSON_IsNumber(emx)) {
    fmt_num(emx->valuedouble, b, sizeof b);
    if (d >= emx->valuedouble) add_err(r, ctx, "Must be less than %s", b);
  }
  const cJSON *mn = num_kw(s, "minimum");
  const cJSON *emn = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMinimum");
  if (mn) {
    fmt_num(mn->valuedouble, b, sizeof b);
    if (cJSON_IsTrue(emn)) {
      if (d <= mn->valuedouble) add_err(r, ctx, "Must be greater than %s", b);
    } else if (d < mn->valuedouble) {
      add_err(r, ctx, "Must be greater than or equal to %s", b);
    }
  }
  if (cJSON_IsNumber(emn)) {
    fmt_num(emn->valuedouble, b, sizeof b);
    if (d <= emn->valuedouble) add_err(r, ctx, "Must be greater than %s", b);
  }
  r->score++;
}

static void validate_string(vctx *vc, const cJSON *s, const helm_value *v, const char *ctx,
                            result *r) {
  if (v->type != HELM_STRING) return;
  size_t n = rune_count(v->u.str.s, v->u.str.len);
  const cJSON *mn = num_kw(s, "minLength"), *mx = num_kw(s, "maxLength");
  if (mn && n < (size_t)mn->valuedouble)
    add_err(r, ctx, "String length must be greater than or equal to %d", mn->valueint);
  if (mx && n > (size_t)mx->valuedouble)
    add_err(r, ctx, "String length must be less than or equal to %d", mx->valueint);
  const cJSON *pat = cJSON_GetObjectItemCaseSensitive(s, "pattern");
  if (cJSON_IsString(pat) && !pattern_match(vc, pat->valuestring, v->u.str.s))
    add_err(r, ctx, "Does not match pattern '%s'", pat->valuestring);
  r->score++;
}

static void validate_array(vctx *vc, const cJSON *s, const helm_value *v, const char *ctx,
                           result *r) {
  size_t n = v->u.list.n;
  const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
  if (items && (cJSON_IsObject(items) || cJSON_IsBool(items))) {
    for (size_t i = 0; i < n; i++) {
      char idx[32];
      snprintf(idx, sizeof idx, "%zu", i);
      char *sc = sub_ctx(ctx, idx);
      result sr;
      sub_validate(vc, items, v->u.list.items[i], sc ? sc : ctx, &sr);
      merge(r, &sr);
      free(sc);
    }
  } else if (cJSON_IsArray(items)) {
    size_t i = 0;
    for (const cJSON *it = items->child; it && i < n; it = it->next, i++) {
      char idx[32];
      snprintf(idx, sizeof idx, "%zu", i);
      char *sc = sub_ctx(ctx, idx);
      result sr;
      sub_validate(vc, it, v->u.list.items[i], sc ? sc : ctx, &sr);
      merge(r, &sr);
      free(sc);
    }
    const cJSON *add = cJSON_GetObjectItemCaseSensitive(s, "additionalItems");
    size_t ni = (size_t)cJSON_GetArraySize(items);
    if (cJSON_IsFalse(add) && n > ni)
      add_err(r, ctx, "No additional items allowed on array");
    else if (cJSON_IsObject(add))
      for (size_t k = ni; k < n; k++) {
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", k);
        char *sc = sub_ctx(ctx, idx);
        result sr;
        sub_validate(vc, add, v->u.list.items[k], sc ? sc : ctx, &sr);
        merge(r, &sr);
        free(sc);
      }
  }
  const cJSON *mn = num_kw(s, "minItems"), *mx = num_kw(s, "maxItems");
  if (mn && n < (size_t)mn->valuedouble)
    add_err(r, ctx, "Array must have at least %d items", mn->valueint);
  if (mx && n > (size_t)mx->valuedouble)
    add_err(r, ctx, "Array must have at most %d items", mx->valueint);
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "uniqueItems"))) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = i + 1; j < n; j++)
        if (helm_value_equal(v->u.list.items[i], v->u.list.items[j])) {
          add_err(r, ctx, "array items[%zu,%zu] must be unique", i, j);
          i = j = n;
        }
  }
  const cJSON *contains = cJSON_GetObjectItemCaseSensitive(s, "contains");
  if (contains) {
    int any = 0;
    for (size_t i = 0; i < n && !any; i++) {
      result sr;
      sub_validate(vc, contains, v->u.list.items[i], ctx, &sr);
      any = sr.n == 0;
      res_free(&sr);
    }
    if (!any) add_err(r, ctx, "At least one of the items must match");
  }
  r->score++;
}

static int pattern_props(vctx *vc, const cJSON *s, const char *key, const helm_value *val,
                         const char *ctx, result *r) {
  const cJSON *pp = cJSON_GetObjectItemCaseSensitive(s, "patternProperties");
  int matched = 0;
  for (const cJSON *e = pp ? pp->child : NULL; e; e = e->next) {
    if (!pattern_match(vc, e->string, key)) continue;
    matched = 1;
    char *sc = sub_ctx(ctx, key);
    result sr;
    sub_validate(vc, e, val, sc ? sc : ctx, &sr);
    merge(r, &sr);
    free(sc);
  }
  return matched;
}

static void validate_object(vctx *vc, const cJSON *s, const helm_value *v, const char *ctx,
                            result *r) {
  const cJSON *mn = num_kw(s, "minProperties"), *mx = num_kw(s, "maxProperties");
  if (mn && v->u.map.n < (size_t)mn->valuedouble)
    add_err(r, ctx, "Must have at least %d properties", mn->valueint);
  if (mx && v->u.map.n > (size_t)mx->valuedouble)
    add_err(r, ctx, "Must have at most %d properties", mx->valueint);
  const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
  for (const cJSON *e = cJSON_IsArray(req) ? req->child : NULL; e; e = e->next) {
    if (!cJSON_IsString(e)) continue;
    if (helm_map_get(v, e->valuestring))
      r->score++;
    else
      add_err(r, ctx, "%s is required", e->valuestring);
  }
  const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
  const cJSON *ap = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
  for (size_t i = 0; i < v->u.map.n; i++) {
    const char *k = v->u.map.keys[i];
    int found = props && cJSON_GetObjectItemCaseSensitive(props, k) != NULL;
    int pm = pattern_props(vc, s, k, v->u.map.vals[i], ctx, r);
    if (found || pm) continue;
    if (cJSON_IsFalse(ap)) {
      add_err(r, ctx, "Additional property %s is not allowed", k);
    } else if (cJSON_IsObject(ap)) {
      char *sc = sub_ctx(ctx, k);
      result sr;
      sub_validate(vc, ap, v->u.map.vals[i], sc ? sc : ctx, &sr);
      merge(r, &sr);
      free(sc);
    }
  }
  const cJSON *deps = cJSON_GetObjectItemCaseSensitive(s, "dependencies");
  for (const cJSON *d = deps ? deps->child : NULL; d; d = d->next) {
    if (!helm_map_get(v, d->string)) continue;
    if (cJSON_IsArray(d)) {
      for (const cJSON *e = d->child; e; e = e->next)
        if (cJSON_IsString(e) && !helm_map_get(v, e->valuestring))
          add_err(r, ctx, "Has a dependency on %s", e->valuestring);
    } else if (cJSON_IsObject(d)) {
      result sr;
      sub_validate(vc, d, v, ctx, &sr);
      merge(r, &sr);
    }
  }
  r->score++;
}

static void validate(vctx *vc, const cJSON *s, const helm_value *v, const char *ctx, result *r) {
  if (vc->fatal || ++vc->depth > 200) {
    if (!vc->fatal) vc->fatal = helm_strdup("schema nesting too deep (recursive $ref?)");
    vc->depth--;
    return;
  }
  if (cJSON_IsBool(s)) {
    if (cJSON_IsFalse(s)) add_err(r, ctx, "False always fails validation");
    vc->depth--;
    return;
  }
  if (!cJSON_IsObject(s)) {
    vc->depth--;
    return;
  }
  const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, "$ref");
  if (cJSON_IsString(ref)) {
    const cJSON *t = resolve_ref(vc, ref->valuestring);
    if (!t) {
      if (!vc->fatal) {
        helm_sb e = {0};
        helm_sb_printf(&e, "Object has no key '%s'", ref->valuestring);
        vc->fatal = helm_sb_take(&e);
      }
    } else {
      validate(vc, t, v, ctx, r);
    }
    vc->depth--;
    return;
  }
  const char *types[16];
  char disp[256] = "";
  int nt = schema_types(s, types, 16, disp, sizeof disp);
  const char *given = json_type(v);
  int ok_type = nt == 0 || has_type(types, nt, given) ||
                (!strcmp(given, "integer") && has_type(types, nt, "number"));
  if (!ok_type) {
    add_err(r, ctx, "Invalid type. Expected: %s, given: %s", disp, given);
    vc->depth--;
    return;
  }
  validate_schema(vc, s, v, ctx, r);
  switch (v ? v->type : HELM_NULL) {
  case HELM_NULL:
    validate_common(s, v, ctx, r);
    break;
  case HELM_INT:
  case HELM_FLOAT:
    validate_number(s, v, ctx, r);
    validate_common(s, v, ctx, r);
    break;
  case HELM_LIST:
    validate_array(vc, s, v, ctx, r);
    validate_common(s, v, ctx, r);
    break;
  case HELM_MAP: {
    validate_object(vc, s, v, ctx, r);
    validate_common(s, v, ctx, r);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    for (const cJSON *p = props ? props->child : NULL; p; p = p->next) {
      const helm_value *nv = helm_map_get(v, p->string);
      if (!nv) continue;
      char *sc = sub_ctx(ctx, p->string);
      validate(vc, p, nv, sc ? sc : ctx, r);
      free(sc);
    }
    break;
  }
  case HELM_BOOL:
    validate_common(s, v, ctx, r);
    break;
  case HELM_STRING:
    validate_common(s, v, ctx, r);
    validate_string(vc, s, v, ctx, r);
    break;
  }
  r->score++;
  vc->depth--;
}

int helm_schema_validate(const char *schema_json, size_t len, const helm_value *values,
                         char **report, helm_error *err) {
  *report = NULL;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(schema_json, len, &end, 0);
  if (!root) {
    size_t off = end ? (size_t)(end - schema_json) : 0;
    if (off >= len) return HELM_ERR(err, HELM_ESCHEMA, "unexpected end of JSON input");
    return HELM_ERR(err, HELM_ESCHEMA, "invalid character '%c' looking for beginning of value",
                    schema_json[off]);
  }
  vctx vc = {.root = root};
  result r = {0};
  helm_value *empty = NULL;
  if (!values || values->type == HELM_NULL) values = empty = helm_value_map();
  validate(&vc, root, values, "(root)", &r);
  helm_value_free(empty);
  cJSON_Delete(root);
  int rc = 0;
  if (vc.fatal) {
    rc = HELM_ERR(err, HELM_ESCHEMA, "%s", vc.fatal);
    free(vc.fatal);
    res_free(&r);
    return rc;
  }
  if (r.n) {
    helm_sb b = {0};
    for (size_t i = 0; i < r.n; i++)
      helm_sb_printf(&b, "- %s: %s\n", field_of(r.e[i].field ? r.e[i].field : "(root)"),
                     r.e[i].msg ? r.e[i].msg : "");
    *report = helm_sb_take(&b);
    rc = HELM_ERR(err, HELM_ESCHEMA, "%s", *report ? *report : "");
  }
  res_free(&r);
  return rc;
}

static void validate_chart(const helm_chart *c, const helm_value *values, helm_sb *out) {
  if (c->schema) {
    char *rep = NULL;
    helm_error e = {0};
    if (helm_schema_validate(c->schema, c->schema_len, values, &rep, &e)) {
      helm_sb_printf(out, "%s:\n", c->name);
      helm_sb_puts(out, rep ? rep : (e.message ? e.message : ""));
    }
    free(rep);
    helm_error_clear(&e);
  }
  for (size_t i = 0; i < c->n_charts; i++) {
    const helm_value *sv = helm_map_get(values, c->charts[i]->name);
    validate_chart(c->charts[i], sv, out);
  }
}

int helm_validate_schema(const helm_chart *c, const helm_value *values, helm_error *err) {
  helm_sb b = {0};
  validate_chart(c, values, &b);
  if (!b.len) {
    helm_sb_free(&b);
    return 0;
  }
  char *s = helm_sb_take(&b);
  int rc = HELM_ERR(
      err, HELM_ESCHEMA,
      "values don't meet the specifications of the schema(s) in the following chart(s):\n%s",
      s ? s : "");
  free(s);
  return rc;
}

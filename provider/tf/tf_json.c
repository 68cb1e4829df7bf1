/*
 * JSON ↔ value per cty/json (state files, RawState), with cJSON.
 *
 * cJSON keeps a parsed number only as a double, which would round integers
 * beyond 2^53 and decimals beyond 17 digits. So after parsing, the number
 * literals are re-read from the text (in document order, which is cJSON's
 * child order) and attached to their nodes' unused valuestring; the decoder
 * uses that exact text. Encoding writes numbers from their canonical decimal
 * text verbatim (cJSON raw items).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tf/tf_internal.h"

typedef struct {
  tf_path path;
  tf_diags *d;
} jctx;

static tf_value *fail(jctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static tf_value *fail(jctx *x, const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
  va_end(ap);
  tf_diags_add(x->d, TF_ERROR, &x->path, "Invalid JSON value", "%s", msg ? msg : "out of memory");
  free(msg);
  return NULL;
}

static tf_value *oom(jctx *x) {
  return fail(x, "out of memory");
}

/* ---------- exact number literals ---------- */

/* Finds the next number literal at or after *pos outside strings. */
static bool next_number(const char *s, size_t *pos, size_t *start, size_t *len) {
  size_t i = *pos;
  while (s[i]) {
    char c = s[i];
    if (c == '"') {
      for (i++; s[i] && s[i] != '"'; i++)
        if (s[i] == '\\' && s[i + 1]) i++;
      if (s[i]) i++;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      *start = i;
      while (s[i] && strchr("0123456789+-.eE", s[i]))
        i++;
      *len = i - *start;
      *pos = i;
      return true;
    } else {
      i++;
    }
  }
  *pos = i;
  return false;
}

/* Pre-order walk attaching literals; false if the counts do not line up. */
static bool attach_literals(cJSON *j, const char *text, size_t *pos) {
  for (; j; j = j->next) {
    if (cJSON_IsNumber(j)) {
      size_t start, len;
      if (!next_number(text, pos, &start, &len)) return false;
      free(j->valuestring); /* always NULL for numbers; be safe */
      j->valuestring = tf_strndup(text + start, len);
    }
    if (j->child && !attach_literals(j->child, text, pos)) return false;
  }
  return true;
}

/* The exact text of a number node, or NULL when unavailable. */
static const char *literal(const cJSON *j) {
  return cJSON_IsNumber(j) ? j->valuestring : NULL;
}

/* ---------- decode ---------- */

static tf_value *decode(jctx *x, const cJSON *j, const tf_type *t, int depth);

static tf_value *decode_primitive(jctx *x, const cJSON *j, const tf_type *t) {
  tf_value *v = NULL;
  switch (t->kind) {
  case TF_BOOL:
    /* cty converts the strings "true"/"false" too */
    if (cJSON_IsBool(j))
      v = tf_value_bool(cJSON_IsTrue(j));
    else if (cJSON_IsString(j) && !strcmp(j->valuestring, "true"))
      v = tf_value_bool(true);
    else if (cJSON_IsString(j) && !strcmp(j->valuestring, "false"))
      v = tf_value_bool(false);
    else
      return fail(x, "bool is required");
    break;
  case TF_NUMBER:
    if (cJSON_IsNumber(j)) {
      /* Not marked as a binary double: cty parses JSON numbers as decimals. */
      const char *lit = literal(j);
      char *c = lit ? tf_num_canonical(lit, strlen(lit)) : NULL;
      if (!c && isfinite(j->valuedouble)) c = tf_num_from_double(j->valuedouble);
      if (!c) return fail(x, "number is out of range");
      v = tf_value_number_canon_take(c);
    } else if (cJSON_IsString(j)) {
      char *c = tf_num_canonical(j->valuestring, strlen(j->valuestring));
      if (!c) return fail(x, "a number is required");
      v = tf_value_number_canon_take(c);
    } else {
      return fail(x, "number is required");
    }
    break;
  case TF_STRING:
    if (cJSON_IsString(j)) {
      v = tf_value_string(j->valuestring);
    } else if (cJSON_IsBool(j)) {
      v = tf_value_string(cJSON_IsTrue(j) ? "true" : "false");
    } else if (cJSON_IsNumber(j)) {
      /* cty keeps the number's JSON text */
      char *c = literal(j) ? tf_strdup(literal(j)) : tf_num_from_double(j->valuedouble);
      v = c ? tf_value_string(c) : NULL;
      free(c);
      if (!c) return fail(x, "number is out of range");
    } else {
      return fail(x, "string is required");
    }
    break;
  default:
    return fail(x, "unsupported type");
  }
  return v ? v : oom(x);
}

static tf_value *decode_seq(jctx *x, const cJSON *j, const tf_type *t, int depth) {
  if (!cJSON_IsArray(j))
    return fail(x, "%s is required",
                t->kind == TF_LIST  ? "a list"
                : t->kind == TF_SET ? "a set"
                                    : "a tuple");
  size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
  if (t->kind == TF_TUPLE && n != t->n)
    return fail(x, "%s tuple elements (need %zu)", n < t->n ? "not enough" : "too many", t->n);
  tf_value **items = calloc(n ? n : 1, sizeof(*items));
  if (!items) return oom(x);
  const cJSON *e;
  cJSON_ArrayForEach(e, j) {
    const tf_type *et = t->kind == TF_TUPLE ? t->types[i] : t->elem;
    bool push = t->kind != TF_SET;
    if (push && tf_path_push_index(&x->path, (int64_t)i) < 0) {
      oom(x);
      break;
    }
    items[i] = decode(x, e, et, depth + 1);
    if (push) tf_path_pop(&x->path);
    if (!items[i]) break;
    i++;
  }
  tf_value *v = NULL;
  if (i == n) {
    if (!(v = tf_value_collection(t, n, NULL, items))) oom(x);
  } else {
    for (size_t k = 0; k < i; k++)
      tf_value_free(items[k]);
  }
  free(items);
  return v;
}

static tf_value *decode_map(jctx *x, const cJSON *j, const tf_type *t, int depth) {
  if (!cJSON_IsObject(j)) return fail(x, "a map is required");
  size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
  tf_value **items = calloc(n ? n : 1, sizeof(*items));
  const char **keys = calloc(n ? n : 1, sizeof(*keys));
  if (!items || !keys) {
    free(items);
    free(keys);
    return oom(x);
  }
  const cJSON *e;
  cJSON_ArrayForEach(e, j) {
    keys[i] = e->string;
    if (tf_path_push_key(&x->path, e->string) < 0) {
      oom(x);
      break;
    }
    items[i] = decode(x, e, t->elem, depth + 1);
    tf_path_pop(&x->path);
    if (!items[i]) break;
    i++;
  }
  tf_value *v = NULL;
  if (i == n) {
    if (!(v = tf_value_collection(t, n, keys, items))) oom(x);
  } else {
    for (size_t k = 0; k < i; k++)
      tf_value_free(items[k]);
  }
  free(items);
  free(keys);
  return v;
}

/* Missing attributes become null and attributes the type lacks are dropped:
 * Terraform's own fix-ups on stored state (spec 3.8). */
static tf_value *decode_object(jctx *x, const cJSON *j, const tf_type *t, int depth) {
  if (!cJSON_IsObject(j)) return fail(x, "an object is required");
  tf_value *v = tf_value_object_empty(t);
  if (!v) return oom(x);
  const cJSON *e;
  cJSON_ArrayForEach(e, j) {
    long idx = tf_type_attr_index(t, e->string);
    if (idx < 0) continue;
    if (tf_path_push_attr(&x->path, e->string) < 0) {
      tf_value_free(v);
      return oom(x);
    }
    tf_value *av = decode(x, e, t->types[idx], depth + 1);
    tf_path_pop(&x->path);
    if (!av) {
      tf_value_free(v);
      return NULL;
    }
    tf_value_free(v->u.c.items[idx]); /* a repeated key: the last one wins */
    v->u.c.items[idx] = av;
  }
  return v;
}

static tf_value *decode_dynamic(jctx *x, const cJSON *j, int depth) {
  if (!cJSON_IsObject(j)) return fail(x, "a dynamically-typed value must be a JSON object");
  const cJSON *tj = NULL, *vj = NULL, *e;
  cJSON_ArrayForEach(e, j) {
    if (!strcmp(e->string, "type"))
      tj = e;
    else if (!strcmp(e->string, "value"))
      vj = e;
    else
      return fail(x, "invalid key \"%s\" in dynamically-typed value", e->string);
  }
  if (!tj) return fail(x, "missing type in dynamically-typed value");
  if (!vj) return fail(x, "missing value in dynamically-typed value");
  char *text = cJSON_PrintUnformatted(tj);
  if (!text) return oom(x);
  tf_diags td;
  tf_diags_init(&td);
  tf_type *t = tf_type_from_json(text, strlen(text), &td);
  free(text);
  if (!t) {
    const char *why = td.len && td.items[0].detail ? td.items[0].detail : "invalid";
    fail(x, "failed to decode type for dynamic value: %s", why);
    tf_diags_free(&td);
    return NULL;
  }
  tf_value *v = decode(x, vj, t, depth + 1);
  tf_type_unref(t);
  return v;
}

static tf_value *decode(jctx *x, const cJSON *j, const tf_type *t, int depth) {
  if (depth > TF_MAX_DEPTH) return fail(x, "value is nested too deeply (limit %d)", TF_MAX_DEPTH);
  if (cJSON_IsNull(j)) {
    tf_value *v = tf_value_null(t);
    return v ? v : oom(x);
  }
  switch (t->kind) {
  case TF_DYNAMIC:
    return decode_dynamic(x, j, depth);
  case TF_STRING:
  case TF_NUMBER:
  case TF_BOOL:
    return decode_primitive(x, j, t);
  case TF_LIST:
  case TF_SET:
  case TF_TUPLE:
    return decode_seq(x, j, t, depth);
  case TF_MAP:
    return decode_map(x, j, t, depth);
  case TF_OBJECT:
    return decode_object(x, j, t, depth);
  }
  return fail(x, "unsupported type");
}

int tf_json_decode(const char *buf, size_t len, const tf_type *t, tf_value **out, tf_diags *d) {
  jctx x = {.d = d};
  tf_path_init(&x.path);
  *out = NULL;
  if (!t || !buf) return fail(&x, "no input"), -1;
  char *copy = tf_strndup(buf, len);
  if (!copy) return oom(&x), -1;
  if (strlen(copy) != len) {
    free(copy);
    return fail(&x, "JSON contains a NUL byte"), -1;
  }
  cJSON *root = cJSON_ParseWithOpts(copy, NULL, 1);
  size_t pos = 0;
  if (root) attach_literals(root, copy, &pos); /* on a mismatch, doubles remain */
  free(copy);
  if (!root)
    return fail(&x, "malformed JSON (or nested more than %d levels)", CJSON_NESTING_LIMIT), -1;
  *out = decode(&x, root, t, 0);
  cJSON_Delete(root);
  tf_path_free(&x.path);
  return *out ? 0 : -1;
}

/* ---------- encode ---------- */

static cJSON *efail(jctx *x, const char *msg) {
  tf_diags_add(x->d, TF_ERROR, &x->path, "Cannot encode value as JSON", "%s", msg);
  return NULL;
}

static cJSON *encode(jctx *x, const tf_value *v, const tf_type *t, int depth);

static cJSON *encode_string(const tf_value *v) {
  if (!memchr(v->u.s.p, 0, v->u.s.len)) return cJSON_CreateString(v->u.s.p);
  /* cJSON strings stop at NUL: write this one pre-escaped. */
  tf_buf b = {0};
  tf_buf_quote(&b, v->u.s.p, v->u.s.len);
  char *raw = tf_buf_finish(&b);
  cJSON *j = raw ? cJSON_CreateRaw(raw) : NULL;
  free(raw);
  return j;
}

static bool add_child(cJSON *parent, const char *key, cJSON *child) {
  if (!child) return false;
  if (key) return cJSON_AddItemToObject(parent, key, child);
  return cJSON_AddItemToArray(parent, child);
}

static cJSON *encode_known(jctx *x, const tf_value *v, const tf_type *t, int depth) {
  if (v->type->kind != t->kind) return efail(x, "the value does not conform to the type");
  cJSON *j = NULL;
  switch (t->kind) {
  case TF_STRING:
    j = encode_string(v);
    break;
  case TF_BOOL:
    j = cJSON_CreateBool(v->u.b);
    break;
  case TF_NUMBER: {
    int sign;
    if (tf_num_is_inf(v->u.num.text, &sign)) return efail(x, "infinity cannot be written as JSON");
    j = cJSON_CreateRaw(v->u.num.text); /* exact decimal text, not a double */
    break;
  }
  case TF_LIST:
  case TF_SET:
  case TF_TUPLE:
    if (t->kind == TF_TUPLE && v->u.c.n != t->n) return efail(x, "wrong tuple length");
    if (!(j = cJSON_CreateArray())) break;
    for (size_t i = 0; i < v->u.c.n; i++) {
      const tf_type *et = t->kind == TF_TUPLE ? t->types[i] : t->elem;
      bool push = t->kind != TF_SET;
      if (push && tf_path_push_index(&x->path, (int64_t)i) < 0) goto oom;
      cJSON *e = encode(x, v->u.c.items[i], et, depth + 1);
      if (push) tf_path_pop(&x->path);
      if (!add_child(j, NULL, e)) goto fail;
    }
    break;
  case TF_MAP:
  case TF_OBJECT:
    if (!(j = cJSON_CreateObject())) break;
    for (size_t i = 0; i < (t->kind == TF_MAP ? v->u.c.n : t->n); i++) {
      const char *k = t->kind == TF_MAP ? v->u.c.keys[i] : t->names[i];
      const tf_value *e = t->kind == TF_MAP ? v->u.c.items[i] : tf_value_get_attr(v, k);
      const tf_type *et = t->kind == TF_MAP ? t->elem : t->types[i];
      if (!e) {
        efail(x, "the object lacks an attribute of its type");
        goto fail;
      }
      int rc = t->kind == TF_MAP ? tf_path_push_key(&x->path, k) : tf_path_push_attr(&x->path, k);
      if (rc < 0) goto oom;
      cJSON *c = encode(x, e, et, depth + 1);
      tf_path_pop(&x->path);
      if (!add_child(j, k, c)) goto fail;
    }
    break;
  default:
    return efail(x, "unsupported type");
  }
  return j ? j : efail(x, "out of memory");

oom:
  efail(x, "out of memory");
fail:
  cJSON_Delete(j);
  return NULL;
}

static cJSON *encode(jctx *x, const tf_value *v, const tf_type *t, int depth) {
  if (depth > TF_MAX_DEPTH) return efail(x, "value is nested too deeply");
  if (!v) return efail(x, "missing value");
  if (v->state == TF_V_UNKNOWN) return efail(x, "value is not known");
  if (v->state == TF_V_NULL) {
    cJSON *j = cJSON_CreateNull();
    return j ? j : efail(x, "out of memory");
  }
  if (t->kind != TF_DYNAMIC) return encode_known(x, v, t, depth);
  /* {"value": V, "type": T} */
  cJSON *val = encode_known(x, v, v->type, depth + 1);
  if (!val) return NULL;
  char *tj = tf_type_to_json(v->type);
  cJSON *j = cJSON_CreateObject();
  cJSON *ty = tj ? cJSON_CreateRaw(tj) : NULL;
  free(tj);
  if (!j || !ty || !cJSON_AddItemToObject(j, "value", val)) {
    cJSON_Delete(val);
    cJSON_Delete(ty);
    cJSON_Delete(j);
    return efail(x, "out of memory");
  }
  cJSON_AddItemToObject(j, "type", ty);
  return j;
}

int tf_json_encode(const tf_value *v, const tf_type *t, char **out, tf_diags *d) {
  jctx x = {.d = d};
  tf_path_init(&x.path);
  *out = NULL;
  if (!t) return efail(&x, "no type given"), -1;
  cJSON *j = encode(&x, v, t, 0);
  tf_path_free(&x.path);
  if (!j) return -1;
  *out = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (!*out) return tf_diags_add(d, TF_ERROR, NULL, "Cannot encode value as JSON", "out of memory");
  return 0;
}

/*
 * msgpack → value, mirroring cty/msgpack/unmarshal.go: the check order is
 * (1) any extension is an unknown, (2) a dynamic expected type reads the
 * [typeJSON, value] wrapper, (3) nil is null, (4) decode by type.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"
#include "tf/tf_msgpack_read.h"

/* Terraform rejects refinement payloads larger than this. */
#define REFINEMENTS_MAX 1024

typedef struct {
  mp_reader r;
  tf_path path;
  tf_diags *d;
} dec;

static tf_value *fail(dec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static tf_value *fail(dec *x, const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
  va_end(ap);
  tf_diags_add(x->d, TF_ERROR, &x->path, "Invalid msgpack value", "%s",
               msg ? msg : "out of memory");
  free(msg);
  return NULL;
}

static tf_value *truncated(dec *x) {
  return fail(x, "malformed or truncated msgpack data at byte %zu", x->r.pos);
}

static tf_value *decode(dec *x, const tf_type *t, int depth);

/* ---------- unknowns and refinements ---------- */

static int read_int(mp_reader *r, int64_t *out) {
  mp_item it;
  if (mp_read(r, &it) < 0) return -1;
  if (it.kind == MP_INT) {
    *out = it.i;
    return 0;
  }
  if (it.kind == MP_UINT && it.u <= INT64_MAX) {
    *out = (int64_t)it.u;
    return 0;
  }
  return -1;
}

static char *number_from_item(const mp_item *it);

/* A number bound: [number, inclusive bool]. */
static int read_bound(mp_reader *r, char **num, bool *incl) {
  mp_item it;
  if (mp_read(r, &it) < 0 || it.kind != MP_ARRAY || it.len != 2) return -1;
  if (mp_read(r, &it) < 0 || !(*num = number_from_item(&it))) return -1;
  if (mp_read(r, &it) < 0 || it.kind != MP_BOOL) return -1;
  *incl = it.b;
  return 0;
}

static int parse_refinements(const mp_item *ext, tf_refinements *rf) {
  mp_reader r = {ext->data, ext->len, 0};
  mp_item it;
  if (mp_read(&r, &it) < 0 || it.kind != MP_MAP) return -1;
  uint32_t n = it.len;
  for (uint32_t i = 0; i < n; i++) {
    int64_t key;
    mp_item v;
    if (read_int(&r, &key) < 0) return -1;
    switch (key) {
    case 1: /* nullness: false means "definitely not null" */
      if (mp_read(&r, &v) < 0 || v.kind != MP_BOOL) return -1;
      rf->not_null = !v.b;
      break;
    case 2:
      if (mp_read(&r, &v) < 0 || v.kind != MP_STR) return -1;
      free(rf->string_prefix);
      if (!(rf->string_prefix = tf_strndup((const char *)v.data, v.len))) return -1;
      break;
    case 3:
      free(rf->num_lower);
      rf->num_lower = NULL;
      if (read_bound(&r, &rf->num_lower, &rf->num_lower_incl) < 0) return -1;
      break;
    case 4:
      free(rf->num_upper);
      rf->num_upper = NULL;
      if (read_bound(&r, &rf->num_upper, &rf->num_upper_incl) < 0) return -1;
      break;
    case 5:
    case 6: {
      int64_t len;
      if (read_int(&r, &len) < 0 || len < 0) return -1;
      if (key == 5)
        rf->len_lower = len;
      else
        rf->len_upper = len;
      break;
    }
    default: /* unknown refinements are ignored */
      if (mp_skip(&r, 32) < 0) return -1;
    }
  }
  return r.pos == r.len ? 0 : -1;
}

static tf_value *decode_unknown(dec *x, const tf_type *t, const mp_item *ext) {
  tf_value *v = tf_value_unknown(t);
  if (!v) return fail(x, "out of memory");
  /* Only type 12 carries refinements; other extensions and payloads of at
   * most one byte are plain unknowns. */
  if (ext->ext_type != 12 || ext->len <= 1) return v;
  if (ext->len > REFINEMENTS_MAX) {
    tf_value_free(v);
    return fail(x, "unknown value refinements too long (%u bytes)", ext->len);
  }
  tf_refinements *rf = calloc(1, sizeof(*rf));
  if (!rf) {
    tf_value_free(v);
    return fail(x, "out of memory");
  }
  rf->len_lower = rf->len_upper = -1;
  if (parse_refinements(ext, rf) < 0) {
    tf_refinements_free(rf);
    tf_value_free(v);
    return fail(x, "invalid unknown value refinements");
  }
  tf_value_set_refinements(v, rf);
  return v;
}

/* ---------- primitives ---------- */

static char *number_from_item(const mp_item *it) {
  char buf[32];
  switch (it->kind) {
  case MP_UINT:
    snprintf(buf, sizeof(buf), "%" PRIu64, it->u);
    return tf_strdup(buf);
  case MP_INT:
    snprintf(buf, sizeof(buf), "%" PRId64, it->i);
    return tf_strdup(buf);
  case MP_FLOAT:
    return tf_num_from_double(it->f); /* NULL for NaN */
  case MP_STR:
  case MP_BIN:
    return tf_num_canonical((const char *)it->data, it->len);
  default:
    return NULL;
  }
}

static tf_value *decode_primitive(dec *x, const tf_type *t, const mp_item *it) {
  tf_value *v = NULL;
  switch (t->kind) {
  case TF_BOOL:
    if (it->kind != MP_BOOL) return fail(x, "bool is required");
    v = tf_value_bool(it->b);
    break;
  case TF_STRING:
    if (it->kind != MP_STR && it->kind != MP_BIN) return fail(x, "string is required");
    v = tf_value_string_len((const char *)it->data, it->len);
    break;
  case TF_NUMBER: {
    char *text = number_from_item(it);
    if (!text) return fail(x, "number is required");
    v = tf_value_number_canon_take(text);
    if (v && it->kind == MP_FLOAT) {
      v->u.num.has_dbl = true; /* re-encoded as float64, as cty would */
      v->u.num.dbl = it->f;
    }
    break;
  }
  default:
    return fail(x, "unsupported type");
  }
  return v ? v : fail(x, "out of memory");
}

/* ---------- containers ---------- */

static tf_value **items_alloc(dec *x, uint32_t n) {
  tf_value **items = calloc(n ? n : 1, sizeof(*items));
  if (!items) fail(x, "out of memory");
  return items;
}

static void items_free(tf_value **items, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    tf_value_free(items[i]);
  free(items);
}

static tf_value *decode_seq(dec *x, const tf_type *t, const mp_item *it, int depth) {
  const char *what = t->kind == TF_LIST ? "a list" : t->kind == TF_SET ? "a set" : "a tuple";
  if (it->kind != MP_ARRAY) return fail(x, "%s is required", what);
  uint32_t n = it->len;
  if (t->kind == TF_TUPLE && n != t->n)
    return fail(x, "a tuple of length %zu is required (%u given)", t->n, n);
  tf_value **items = items_alloc(x, n);
  if (!items) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    const tf_type *et = t->kind == TF_TUPLE ? t->types[i] : t->elem;
    /* Set elements have no addressable path (spec 7.2): stop at the set. */
    bool push = t->kind != TF_SET;
    if (push && tf_path_push_index(&x->path, i) < 0) {
      items_free(items, i);
      return fail(x, "out of memory");
    }
    items[i] = decode(x, et, depth + 1);
    if (push) tf_path_pop(&x->path);
    if (!items[i]) {
      items_free(items, i);
      return NULL;
    }
  }
  tf_value *v = tf_value_collection(t, n, NULL, items);
  free(items);
  return v ? v : fail(x, "out of memory");
}

/* Reads a map key; NULL (with a diagnostic) if it is not a string. */
static char *read_key(dec *x, const char *msg) {
  mp_item k;
  if (mp_read(&x->r, &k) < 0) return (char *)truncated(x);
  if (k.kind != MP_STR && k.kind != MP_BIN) return (char *)fail(x, "%s", msg);
  if (memchr(k.data, 0, k.len)) return (char *)fail(x, "key contains a NUL byte");
  char *s = tf_strndup((const char *)k.data, k.len);
  if (!s) fail(x, "out of memory");
  return s;
}

static tf_value *decode_map(dec *x, const tf_type *t, const mp_item *it, int depth) {
  if (it->kind != MP_MAP) return fail(x, "a map is required");
  uint32_t n = it->len, i;
  tf_value **items = items_alloc(x, n);
  char **keys = calloc(n ? n : 1, sizeof(*keys));
  if (!items || !keys) {
    free(items);
    free(keys);
    return items ? fail(x, "out of memory") : NULL;
  }
  tf_value *v = NULL;
  for (i = 0; i < n; i++) {
    if (!(keys[i] = read_key(x, "map keys must be strings"))) break;
    if (tf_path_push_key(&x->path, keys[i]) < 0) {
      free(keys[i]);
      fail(x, "out of memory");
      break;
    }
    items[i] = decode(x, t->elem, depth + 1);
    tf_path_pop(&x->path);
    if (!items[i]) {
      free(keys[i]);
      break;
    }
  }
  if (i == n) {
    v = tf_value_collection(t, n, (const char *const *)keys, items);
    if (!v) fail(x, "out of memory");
  } else {
    for (uint32_t j = 0; j < i; j++)
      tf_value_free(items[j]);
  }
  for (uint32_t j = 0; j < i; j++)
    free(keys[j]);
  free(keys);
  free(items);
  return v;
}

static tf_value *decode_object(dec *x, const tf_type *t, const mp_item *it, int depth) {
  if (it->kind != MP_MAP) return fail(x, "an object is required");
  if (it->len != t->n)
    return fail(x, "an object with %zu attributes is required (%u given)", t->n, it->len);
  tf_value *v = tf_value_object_empty(t);
  if (!v) return fail(x, "out of memory");
  bool *seen = calloc(t->n ? t->n : 1, sizeof(bool));
  if (!seen) {
    tf_value_free(v);
    return fail(x, "out of memory");
  }
  for (uint32_t i = 0; i < it->len; i++) {
    char *name = read_key(x, "all keys must be strings");
    if (!name) goto fail;
    long idx = tf_type_attr_index(t, name);
    if (idx < 0 || seen[idx]) {
      fail(x, idx < 0 ? "unsupported attribute \"%s\"" : "duplicate attribute \"%s\"", name);
      free(name);
      goto fail;
    }
    seen[idx] = true;
    int rc = tf_path_push_attr(&x->path, name);
    free(name);
    if (rc < 0) {
      fail(x, "out of memory");
      goto fail;
    }
    tf_value *av = decode(x, t->types[idx], depth + 1);
    tf_path_pop(&x->path);
    if (!av) goto fail;
    tf_value_free(v->u.c.items[idx]);
    v->u.c.items[idx] = av;
  }
  free(seen);
  return v;

fail:
  free(seen);
  tf_value_free(v);
  return NULL;
}

static tf_value *decode_dynamic(dec *x, const mp_item *it, int depth) {
  if (it->kind == MP_NIL) return tf_value_null(tf_type_primitive(TF_DYNAMIC));
  if (it->kind != MP_ARRAY || it->len != 2)
    return fail(x, "dynamic value array must have exactly two elements");
  mp_item tj;
  if (mp_read(&x->r, &tj) < 0) return truncated(x);
  if (tj.kind != MP_BIN && tj.kind != MP_STR)
    return fail(x, "the type of a dynamic value must be JSON in a bin or str");
  tf_diags td;
  tf_diags_init(&td);
  tf_type *t = tf_type_from_json((const char *)tj.data, tj.len, &td);
  if (!t) {
    const char *why = td.len && td.items[0].detail ? td.items[0].detail : "invalid";
    fail(x, "invalid type for dynamic value: %s", why);
    tf_diags_free(&td);
    return NULL;
  }
  tf_value *v = decode(x, t, depth + 1);
  tf_type_unref(t);
  return v;
}

static tf_value *decode(dec *x, const tf_type *t, int depth) {
  if (depth > TF_MAX_DEPTH) return fail(x, "value is nested too deeply (limit %d)", TF_MAX_DEPTH);
  mp_item it;
  if (mp_read(&x->r, &it) < 0) return truncated(x);
  if (it.kind == MP_EXT) return decode_unknown(x, t, &it);
  if (t->kind == TF_DYNAMIC) return decode_dynamic(x, &it, depth);
  if (it.kind == MP_NIL) {
    tf_value *v = tf_value_null(t);
    return v ? v : fail(x, "out of memory");
  }
  switch (t->kind) {
  case TF_STRING:
  case TF_NUMBER:
  case TF_BOOL:
    return decode_primitive(x, t, &it);
  case TF_LIST:
  case TF_SET:
  case TF_TUPLE:
    return decode_seq(x, t, &it, depth);
  case TF_MAP:
    return decode_map(x, t, &it, depth);
  case TF_OBJECT:
    return decode_object(x, t, &it, depth);
  default:
    return fail(x, "unsupported type");
  }
}

int tf_msgpack_decode(const uint8_t *buf, size_t len, const tf_type *t, tf_value **out,
                      tf_diags *d) {
  *out = NULL;
  if (!t) return tf_diags_add(d, TF_ERROR, NULL, "Invalid msgpack value", "no type given");
  dec x = {.r = {buf, buf ? len : 0, 0}, .d = d};
  tf_path_init(&x.path);
  tf_value *v = decode(&x, t, 0);
  if (v && x.r.pos != x.r.len) {
    fail(&x, "%zu unexpected bytes after the value", x.r.len - x.r.pos);
    tf_value_free(v);
    v = NULL;
  }
  tf_path_free(&x.path);
  if (!v) return -1;
  *out = v;
  return 0;
}

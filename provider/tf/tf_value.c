/*
 * Values: construction, accessors, copying, ordering and equality.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"

tf_value *tf_value_alloc(const tf_type *t, tf_vstate state) {
  if (!t) return NULL;
  tf_value *v = calloc(1, sizeof(*v));
  if (!v) return NULL;
  v->type = tf_type_ref(t);
  v->state = state;
  return v;
}

static bool is_coll(const tf_value *v) {
  if (v->state != TF_V_KNOWN) return false;
  switch (v->type->kind) {
  case TF_LIST:
  case TF_SET:
  case TF_MAP:
  case TF_OBJECT:
  case TF_TUPLE:
    return true;
  default:
    return false;
  }
}

void tf_value_free(tf_value *v) {
  if (!v) return;
  if (v->state == TF_V_KNOWN) {
    switch (v->type->kind) {
    case TF_STRING:
      free(v->u.s.p);
      break;
    case TF_NUMBER:
      free(v->u.num.text);
      break;
    case TF_LIST:
    case TF_SET:
    case TF_MAP:
    case TF_OBJECT:
    case TF_TUPLE:
      for (size_t i = 0; i < v->u.c.n; i++) {
        tf_value_free(v->u.c.items[i]);
        if (v->u.c.keys) free(v->u.c.keys[i]);
      }
      free(v->u.c.items);
      free(v->u.c.keys);
      break;
    default:
      break;
    }
  }
  tf_refinements_free(v->refn);
  tf_type_unref(v->type);
  free(v);
}

/* ---------- refinements ---------- */

void tf_refinements_free(tf_refinements *r) {
  if (!r) return;
  free(r->string_prefix);
  free(r->num_lower);
  free(r->num_upper);
  free(r);
}

tf_refinements *tf_refinements_copy(const tf_refinements *r) {
  if (!r) return NULL;
  tf_refinements *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  *c = *r;
  c->string_prefix = tf_strdup(r->string_prefix);
  c->num_lower = tf_strdup(r->num_lower);
  c->num_upper = tf_strdup(r->num_upper);
  if ((r->string_prefix && !c->string_prefix) || (r->num_lower && !c->num_lower) ||
      (r->num_upper && !c->num_upper)) {
    tf_refinements_free(c);
    return NULL;
  }
  return c;
}

void tf_value_set_refinements(tf_value *v, tf_refinements *r) {
  if (!r) return;
  tf_kind k = v->type->kind;
  if (v->state != TF_V_UNKNOWN || k == TF_DYNAMIC) {
    tf_refinements_free(r);
    return;
  }
  /* Drop refinements that cannot apply to this type, as cty does. */
  if (k != TF_STRING) {
    free(r->string_prefix);
    r->string_prefix = NULL;
  }
  if (r->string_prefix && !r->string_prefix[0]) {
    free(r->string_prefix);
    r->string_prefix = NULL;
  }
  if (k != TF_NUMBER) {
    free(r->num_lower);
    free(r->num_upper);
    r->num_lower = r->num_upper = NULL;
  }
  if (k != TF_LIST && k != TF_SET && k != TF_MAP) r->len_lower = r->len_upper = -1;
  if (!r->not_null && !r->string_prefix && !r->num_lower && !r->num_upper && r->len_lower < 0 &&
      r->len_upper < 0) {
    tf_refinements_free(r);
    return;
  }
  tf_refinements_free(v->refn);
  v->refn = r;
}

/* ---------- primitives ---------- */

tf_value *tf_value_null(const tf_type *t) {
  return tf_value_alloc(t, TF_V_NULL);
}

tf_value *tf_value_unknown(const tf_type *t) {
  return tf_value_alloc(t, TF_V_UNKNOWN);
}

tf_value *tf_value_string_len(const char *s, size_t len) {
  if (!s && len) return NULL;
  tf_value *v = tf_value_alloc(tf_type_primitive(TF_STRING), TF_V_KNOWN);
  if (!v) return NULL;
  if (!(v->u.s.p = tf_strndup(s ? s : "", len))) {
    tf_value_free(v);
    return NULL;
  }
  v->u.s.len = len;
  return v;
}

tf_value *tf_value_string(const char *s) {
  return s ? tf_value_string_len(s, strlen(s)) : NULL;
}

tf_value *tf_value_bool(bool b) {
  tf_value *v = tf_value_alloc(tf_type_primitive(TF_BOOL), TF_V_KNOWN);
  if (v) v->u.b = b;
  return v;
}

tf_value *tf_value_number_canon_take(char *canon) {
  if (!canon) return NULL;
  tf_value *v = tf_value_alloc(tf_type_primitive(TF_NUMBER), TF_V_KNOWN);
  if (!v) {
    free(canon);
    return NULL;
  }
  v->u.num.text = canon;
  return v;
}

tf_value *tf_value_number_text(const char *text) {
  if (!text) return NULL;
  return tf_value_number_canon_take(tf_num_canonical(text, strlen(text)));
}

tf_value *tf_value_number_i64(int64_t n) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%lld", (long long)n);
  return tf_value_number_canon_take(tf_strdup(buf));
}

tf_value *tf_value_number_double(double d) {
  tf_value *v = tf_value_number_canon_take(tf_num_from_double(d));
  if (v) {
    /* Remember the binary value: cty re-encodes such a number as float64. */
    v->u.num.has_dbl = true;
    v->u.num.dbl = d;
  }
  return v;
}

/* ---------- collections ---------- */

static void free_items(size_t n, tf_value **items) {
  for (size_t i = 0; items && i < n; i++)
    tf_value_free(items[i]);
}

static tf_value *coll_alloc(const tf_type *t, size_t n) {
  tf_value *v = tf_value_alloc(t, TF_V_KNOWN);
  if (!v) return NULL;
  if (n && !(v->u.c.items = calloc(n, sizeof(tf_value *)))) {
    tf_value_free(v);
    return NULL;
  }
  return v;
}

static int value_ptr_cmp(const void *a, const void *b) {
  return tf_value_cmp(*(tf_value *const *)a, *(tf_value *const *)b);
}

tf_value *tf_value_set_take(const tf_type *t, size_t n, tf_value **items) {
  tf_value *v = coll_alloc(t, n);
  if (!v) {
    free_items(n, items);
    return NULL;
  }
  if (n) memcpy(v->u.c.items, items, n * sizeof(tf_value *));
  /* Sorting gives sets a canonical order; equal wholly-known neighbours are
   * duplicates and collapse (unknowns are all distinct, as in cty). */
  if (n > 1) qsort(v->u.c.items, n, sizeof(tf_value *), value_ptr_cmp);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    tf_value *e = v->u.c.items[i];
    if (o > 0 && tf_value_is_wholly_known(e) && tf_value_is_wholly_known(v->u.c.items[o - 1]) &&
        tf_value_cmp(v->u.c.items[o - 1], e) == 0) {
      tf_value_free(e);
      continue;
    }
    v->u.c.items[o++] = e;
  }
  v->u.c.n = o;
  return v;
}

typedef struct {
  const char *key;
  size_t idx;
} key_idx;

static int key_idx_cmp(const void *a, const void *b) {
  const key_idx *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  if (c) return c;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Map: sorted by key; a repeated key keeps its last value (like cty's decoder). */
static tf_value *map_build(const tf_type *t, size_t n, const char *const *keys, tf_value **items) {
  key_idx *ki = n ? calloc(n, sizeof(*ki)) : NULL;
  tf_value *v = coll_alloc(t, n);
  if ((n && !ki) || !v || (n && !(v->u.c.keys = calloc(n, sizeof(char *))))) goto fail;
  for (size_t i = 0; i < n; i++) {
    if (!keys[i]) goto fail;
    ki[i].key = keys[i];
    ki[i].idx = i;
  }
  if (n > 1) qsort(ki, n, sizeof(*ki), key_idx_cmp);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    tf_value *e = items[ki[i].idx];
    items[ki[i].idx] = NULL;
    if (i + 1 < n && !strcmp(ki[i].key, ki[i + 1].key)) {
      tf_value_free(e); /* superseded by a later entry */
      continue;
    }
    if (!(v->u.c.keys[o] = tf_strdup(ki[i].key))) {
      tf_value_free(e);
      goto fail;
    }
    v->u.c.items[o++] = e;
    v->u.c.n = o;
  }
  free(ki);
  return v;

fail:
  free(ki);
  free_items(n, items);
  tf_value_free(v);
  return NULL;
}

static tf_value *object_build(const tf_type *t, size_t n, const char *const *keys,
                              tf_value **items) {
  tf_value *v = tf_value_object_empty(t);
  if (!v || (n && !keys)) goto fail;
  for (size_t i = 0; i < n; i++) {
    long idx = tf_type_attr_index(t, keys[i]);
    if (idx < 0 || v->u.c.items[idx]->state != TF_V_NULL || !items[i]) goto fail;
    tf_value_free(v->u.c.items[idx]);
    v->u.c.items[idx] = items[i];
    items[i] = NULL;
  }
  return v;

fail:
  free_items(n, items);
  tf_value_free(v);
  return NULL;
}

tf_value *tf_value_collection(const tf_type *t, size_t n, const char *const *keys,
                              tf_value **items) {
  if (!t || (n && !items)) goto fail;
  for (size_t i = 0; i < n; i++)
    if (!items[i]) goto fail;
  switch (t->kind) {
  case TF_MAP:
    if (n && !keys) goto fail;
    return map_build(t, n, keys, items);
  case TF_OBJECT:
    return object_build(t, n, keys, items);
  case TF_SET:
    if (keys) goto fail;
    return tf_value_set_take(t, n, items);
  case TF_LIST:
  case TF_TUPLE: {
    if (keys || (t->kind == TF_TUPLE && n != t->n)) goto fail;
    tf_value *v = coll_alloc(t, n);
    if (!v) goto fail;
    if (n) memcpy(v->u.c.items, items, n * sizeof(tf_value *));
    v->u.c.n = n;
    return v;
  }
  default:
    goto fail;
  }

fail:
  free_items(n, items);
  return NULL;
}

tf_value *tf_value_object_empty(const tf_type *t) {
  if (!t || t->kind != TF_OBJECT) return NULL;
  tf_value *v = coll_alloc(t, t->n);
  if (!v) return NULL;
  for (size_t i = 0; i < t->n; i++) {
    if (!(v->u.c.items[i] = tf_value_null(t->types[i]))) {
      tf_value_free(v);
      return NULL;
    }
    v->u.c.n = i + 1;
  }
  return v;
}

int tf_value_set_attr(tf_value *obj, const char *name, tf_value *v) {
  long idx = -1;
  if (obj && obj->state == TF_V_KNOWN && obj->type->kind == TF_OBJECT)
    idx = tf_type_attr_index(obj->type, name);
  if (idx < 0 || !v) {
    tf_value_free(v);
    return -1;
  }
  tf_value_free(obj->u.c.items[idx]);
  obj->u.c.items[idx] = v;
  return 0;
}

/* ---------- accessors ---------- */

const tf_type *tf_value_type(const tf_value *v) {
  return v ? v->type : NULL;
}

bool tf_value_is_null(const tf_value *v) {
  return v && v->state == TF_V_NULL;
}

bool tf_value_is_known(const tf_value *v) {
  return v && v->state != TF_V_UNKNOWN;
}

bool tf_value_is_wholly_known(const tf_value *v) {
  if (!v || v->state == TF_V_UNKNOWN) return false;
  if (is_coll(v))
    for (size_t i = 0; i < v->u.c.n; i++)
      if (!tf_value_is_wholly_known(v->u.c.items[i])) return false;
  return true;
}

const tf_refinements *tf_value_refinements(const tf_value *v) {
  return v ? v->refn : NULL;
}

static bool known_kind(const tf_value *v, tf_kind k) {
  return v && v->state == TF_V_KNOWN && v->type->kind == k;
}

const char *tf_value_str(const tf_value *v) {
  return known_kind(v, TF_STRING) ? v->u.s.p : NULL;
}

size_t tf_value_str_len(const tf_value *v) {
  return known_kind(v, TF_STRING) ? v->u.s.len : 0;
}

bool tf_value_get_bool(const tf_value *v) {
  return known_kind(v, TF_BOOL) && v->u.b;
}

const char *tf_value_num_text(const tf_value *v) {
  return known_kind(v, TF_NUMBER) ? v->u.num.text : NULL;
}

int tf_value_num_i64(const tf_value *v, int64_t *out) {
  if (!known_kind(v, TF_NUMBER)) return -1;
  return tf_num_to_i64(v->u.num.text, out) ? 0 : -1;
}

double tf_value_num_double(const tf_value *v) {
  if (!known_kind(v, TF_NUMBER)) return 0;
  if (v->u.num.has_dbl) return v->u.num.dbl;
  return strtod(v->u.num.text, NULL);
}

size_t tf_value_len(const tf_value *v) {
  return (v && is_coll(v)) ? v->u.c.n : 0;
}

const tf_value *tf_value_at(const tf_value *v, size_t i) {
  return (v && is_coll(v) && i < v->u.c.n) ? v->u.c.items[i] : NULL;
}

const char *tf_value_key_at(const tf_value *v, size_t i) {
  if (!v || !is_coll(v) || i >= v->u.c.n) return NULL;
  if (v->type->kind == TF_MAP) return v->u.c.keys[i];
  if (v->type->kind == TF_OBJECT) return v->type->names[i];
  return NULL;
}

const tf_value *tf_value_get_attr(const tf_value *obj, const char *name) {
  if (!known_kind(obj, TF_OBJECT)) return NULL;
  long idx = tf_type_attr_index(obj->type, name);
  return idx < 0 ? NULL : obj->u.c.items[idx];
}

const tf_value *tf_value_map_get(const tf_value *map, const char *key) {
  if (!known_kind(map, TF_MAP) || !key) return NULL;
  size_t lo = 0, hi = map->u.c.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(map->u.c.keys[mid], key);
    if (c == 0) return map->u.c.items[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* ---------- copy, order, equality ---------- */

tf_value *tf_value_copy(const tf_value *v) {
  if (!v) return NULL;
  tf_value *c = tf_value_alloc(v->type, v->state);
  if (!c) return NULL;
  if (v->refn && !(c->refn = tf_refinements_copy(v->refn))) goto fail;
  if (v->state != TF_V_KNOWN) return c;
  switch (v->type->kind) {
  case TF_STRING:
    if (!(c->u.s.p = tf_strndup(v->u.s.p, v->u.s.len))) goto fail;
    c->u.s.len = v->u.s.len;
    break;
  case TF_NUMBER:
    c->u.num = v->u.num;
    if (!(c->u.num.text = tf_strdup(v->u.num.text))) goto fail;
    break;
  case TF_BOOL:
    c->u.b = v->u.b;
    break;
  case TF_LIST:
  case TF_SET:
  case TF_MAP:
  case TF_OBJECT:
  case TF_TUPLE: {
    size_t n = v->u.c.n;
    if (n && !(c->u.c.items = calloc(n, sizeof(tf_value *)))) goto fail;
    if (n && v->u.c.keys && !(c->u.c.keys = calloc(n, sizeof(char *)))) goto fail;
    for (size_t i = 0; i < n; i++) {
      c->u.c.n = i + 1;
      if (!(c->u.c.items[i] = tf_value_copy(v->u.c.items[i]))) goto fail;
      if (c->u.c.keys && !(c->u.c.keys[i] = tf_strdup(v->u.c.keys[i]))) goto fail;
    }
    break;
  }
  default:
    break;
  }
  return c;

fail:
  tf_value_free(c);
  return NULL;
}

static int state_rank(const tf_value *v) {
  return v->state == TF_V_NULL ? 0 : v->state == TF_V_UNKNOWN ? 1 : 2;
}

/* Nulls are equal to nulls and unknowns to unknowns whatever their type (cty's
 * Equals does the same for nulls); known values compare by kind and content. */
int tf_value_cmp(const tf_value *a, const tf_value *b) {
  int ra = state_rank(a), rb = state_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (a->state != TF_V_KNOWN) return 0;
  tf_kind ka = a->type->kind, kb = b->type->kind;
  if (ka != kb) return ka < kb ? -1 : 1;
  switch (ka) {
  case TF_BOOL:
    return (int)a->u.b - (int)b->u.b;
  case TF_NUMBER:
    return strcmp(a->u.num.text, b->u.num.text);
  case TF_STRING: {
    size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
    int c = memcmp(a->u.s.p, b->u.s.p, n);
    if (c) return c;
    return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
  }
  case TF_LIST:
  case TF_SET:
  case TF_MAP:
  case TF_OBJECT:
  case TF_TUPLE: {
    if (a->u.c.n != b->u.c.n) return a->u.c.n < b->u.c.n ? -1 : 1;
    for (size_t i = 0; i < a->u.c.n; i++) {
      const char *ka_ = tf_value_key_at(a, i), *kb_ = tf_value_key_at(b, i);
      int c;
      if (ka_ && kb_ && (c = strcmp(ka_, kb_)) != 0) return c;
      if ((c = tf_value_cmp(a->u.c.items[i], b->u.c.items[i])) != 0) return c;
    }
    return 0;
  }
  default:
    return 0;
  }
}

bool tf_value_equal(const tf_value *a, const tf_value *b) {
  if (!a || !b) return a == b;
  return tf_value_cmp(a, b) == 0;
}

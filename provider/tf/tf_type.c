/*
 * Immutable, reference-counted types. Primitives are static singletons; the
 * refcount is atomic because schema types are shared by concurrent RPCs.
 */
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"

#define PRIM(k)                                                                                    \
  { .refs = 1, .immortal = true, .kind = (k) }
static tf_type prim_dynamic = PRIM(TF_DYNAMIC);
static tf_type prim_string = PRIM(TF_STRING);
static tf_type prim_number = PRIM(TF_NUMBER);
static tf_type prim_bool = PRIM(TF_BOOL);

tf_type *tf_type_primitive(tf_kind kind) {
  switch (kind) {
  case TF_DYNAMIC:
    return &prim_dynamic;
  case TF_STRING:
    return &prim_string;
  case TF_NUMBER:
    return &prim_number;
  case TF_BOOL:
    return &prim_bool;
  default:
    return NULL;
  }
}

static tf_type *type_alloc(tf_kind kind) {
  tf_type *t = calloc(1, sizeof(*t));
  if (!t) return NULL;
  atomic_init(&t->refs, 1);
  t->kind = kind;
  return t;
}

tf_type *tf_type_collection(tf_kind kind, tf_type *elem_adopt) {
  if (!elem_adopt) return NULL;
  if (kind != TF_LIST && kind != TF_SET && kind != TF_MAP) {
    tf_type_unref(elem_adopt);
    return NULL;
  }
  tf_type *t = type_alloc(kind);
  if (!t) {
    tf_type_unref(elem_adopt);
    return NULL;
  }
  t->elem = elem_adopt;
  return t;
}

static void unref_all(size_t n, tf_type **types) {
  for (size_t i = 0; types && i < n; i++)
    tf_type_unref(types[i]);
}

typedef struct {
  const char *name;
  tf_type *type;
} attr_pair;

static int attr_pair_cmp(const void *a, const void *b) {
  return strcmp(((const attr_pair *)a)->name, ((const attr_pair *)b)->name);
}

tf_type *tf_type_object(size_t n, const char *const *names, tf_type **types_adopt) {
  tf_type *t = type_alloc(TF_OBJECT);
  attr_pair *pairs = n ? calloc(n, sizeof(*pairs)) : NULL;
  if (!t || (n && (!pairs || !names || !types_adopt))) goto fail;
  for (size_t i = 0; i < n; i++) {
    if (!names[i] || !types_adopt[i]) goto fail;
    pairs[i].name = names[i];
    pairs[i].type = types_adopt[i];
  }
  if (n > 1) qsort(pairs, n, sizeof(*pairs), attr_pair_cmp);
  for (size_t i = 1; i < n; i++)
    if (strcmp(pairs[i - 1].name, pairs[i].name) == 0) goto fail; /* duplicate name */
  if (n) {
    t->names = calloc(n, sizeof(char *));
    t->types = calloc(n, sizeof(tf_type *));
    if (!t->names || !t->types) goto fail;
    for (size_t i = 0; i < n; i++)
      if (!(t->names[i] = tf_strdup(pairs[i].name))) goto fail;
    for (size_t i = 0; i < n; i++)
      t->types[i] = pairs[i].type;
  }
  t->n = n;
  free(pairs);
  return t;

fail:
  free(pairs);
  if (t) {
    for (size_t i = 0; t->names && i < n; i++)
      free(t->names[i]);
    free(t->names);
    free(t->types);
    free(t);
  }
  unref_all(n, types_adopt);
  return NULL;
}

tf_type *tf_type_tuple(size_t n, tf_type **types_adopt) {
  tf_type *t = type_alloc(TF_TUPLE);
  if (!t || (n && !types_adopt)) goto fail;
  for (size_t i = 0; i < n; i++)
    if (!types_adopt[i]) goto fail;
  if (n) {
    if (!(t->types = calloc(n, sizeof(tf_type *)))) goto fail;
    memcpy(t->types, types_adopt, n * sizeof(tf_type *));
  }
  t->n = n;
  return t;

fail:
  free(t);
  unref_all(n, types_adopt);
  return NULL;
}

tf_type *tf_type_ref(const tf_type *ct) {
  tf_type *t = (tf_type *)ct; /* refcount is the only mutable part */
  if (t && !t->immortal) atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
  return t;
}

void tf_type_unref(tf_type *t) {
  if (!t || t->immortal) return;
  if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1) return;
  tf_type_unref(t->elem);
  for (size_t i = 0; i < t->n; i++) {
    if (t->names) free(t->names[i]);
    tf_type_unref(t->types[i]);
  }
  free(t->names);
  free(t->types);
  free(t);
}

tf_kind tf_type_kind(const tf_type *t) {
  return t->kind;
}

const tf_type *tf_type_elem(const tf_type *t) {
  return t ? t->elem : NULL;
}

size_t tf_type_len(const tf_type *t) {
  return (t && (t->kind == TF_OBJECT || t->kind == TF_TUPLE)) ? t->n : 0;
}

const char *tf_type_attr_name(const tf_type *t, size_t i) {
  return (t && t->kind == TF_OBJECT && i < t->n) ? t->names[i] : NULL;
}

const tf_type *tf_type_at(const tf_type *t, size_t i) {
  return (t && (t->kind == TF_OBJECT || t->kind == TF_TUPLE) && i < t->n) ? t->types[i] : NULL;
}

long tf_type_attr_index(const tf_type *t, const char *name) {
  if (!t || t->kind != TF_OBJECT || !name) return -1;
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(t->names[mid], name);
    if (c == 0) return (long)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

/* A total order on types (kind first, then structure); 0 means equal. */
int tf_type_cmp(const tf_type *a, const tf_type *b) {
  if (a == b) return 0;
  if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
  switch (a->kind) {
  case TF_LIST:
  case TF_SET:
  case TF_MAP:
    return tf_type_cmp(a->elem, b->elem);
  case TF_OBJECT:
  case TF_TUPLE:
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (size_t i = 0; i < a->n; i++) {
      int c;
      if (a->kind == TF_OBJECT && (c = strcmp(a->names[i], b->names[i])) != 0) return c;
      if ((c = tf_type_cmp(a->types[i], b->types[i])) != 0) return c;
    }
    return 0;
  default:
    return 0;
  }
}

bool tf_type_equal(const tf_type *a, const tf_type *b) {
  if (!a || !b) return a == b;
  return tf_type_cmp(a, b) == 0;
}

bool tf_type_has_dynamic(const tf_type *t) {
  if (!t) return false;
  switch (t->kind) {
  case TF_DYNAMIC:
    return true;
  case TF_LIST:
  case TF_SET:
  case TF_MAP:
    return tf_type_has_dynamic(t->elem);
  case TF_OBJECT:
  case TF_TUPLE:
    for (size_t i = 0; i < t->n; i++)
      if (tf_type_has_dynamic(t->types[i])) return true;
    return false;
  default:
    return false;
  }
}

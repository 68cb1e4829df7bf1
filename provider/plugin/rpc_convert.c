#include "plugin/rpc_convert.h"

#include <stdlib.h>
#include <string.h>

void *rpc_arena_alloc(rpc_arena *a, size_t size) {
  if (a->len == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 64;
    void **p = realloc(a->ptrs, cap * sizeof *p);
    if (!p) return NULL;
    a->ptrs = p;
    a->cap = cap;
  }
  void *m = calloc(1, size ? size : 1);
  if (m) a->ptrs[a->len++] = m;
  return m;
}

char *rpc_arena_strdup(rpc_arena *a, const char *s) {
  if (!s) s = "";
  size_t n = strlen(s) + 1;
  char *out = rpc_arena_alloc(a, n);
  if (out) memcpy(out, s, n);
  return out;
}

void rpc_arena_free(rpc_arena *a) {
  for (size_t i = 0; i < a->len; i++)
    free(a->ptrs[i]);
  free(a->ptrs);
  memset(a, 0, sizeof *a);
}

/* A message in the arena, initialised from its protobuf-c INIT value. */
static void *new_msg(rpc_arena *a, size_t size, const void *init) {
  void *m = rpc_arena_alloc(a, size);
  if (m) memcpy(m, init, size);
  return m;
}
#define NEW(a, T, INIT) ((T *)new_msg(a, sizeof(T), &(T)INIT))

static Tfplugin6__Schema__Block *block_to_pb(rpc_arena *a, const tf_block *b) {
  Tfplugin6__Schema__Block *pb = NEW(a, Tfplugin6__Schema__Block, TFPLUGIN6__SCHEMA__BLOCK__INIT);
  if (!pb) return NULL;
  pb->description = rpc_arena_strdup(a, b->description);
  pb->deprecated = b->deprecated;
  pb->attributes = rpc_arena_alloc(a, b->n_attrs * sizeof *pb->attributes);
  pb->n_attributes = b->n_attrs;
  for (size_t i = 0; i < b->n_attrs && pb->attributes; i++) {
    const tf_attribute *at = &b->attrs[i];
    Tfplugin6__Schema__Attribute *pa =
        NEW(a, Tfplugin6__Schema__Attribute, TFPLUGIN6__SCHEMA__ATTRIBUTE__INIT);
    if (!pa) return NULL;
    char *json = tf_type_to_json(at->type);
    char *type = rpc_arena_strdup(a, json);
    free(json);
    pa->name = rpc_arena_strdup(a, at->name);
    pa->type.data = (uint8_t *)type;
    pa->type.len = type ? strlen(type) : 0;
    pa->description = rpc_arena_strdup(a, at->description);
    pa->required = at->required;
    pa->optional = at->optional;
    pa->computed = at->computed;
    pa->sensitive = at->sensitive;
    pa->deprecated = at->deprecated;
    pb->attributes[i] = pa;
  }
  pb->block_types = rpc_arena_alloc(a, b->n_blocks * sizeof *pb->block_types);
  pb->n_block_types = b->n_blocks;
  for (size_t i = 0; i < b->n_blocks && pb->block_types; i++) {
    const tf_nested_block *nb = &b->blocks[i];
    Tfplugin6__Schema__NestedBlock *pn =
        NEW(a, Tfplugin6__Schema__NestedBlock, TFPLUGIN6__SCHEMA__NESTED_BLOCK__INIT);
    if (!pn) return NULL;
    pn->type_name = rpc_arena_strdup(a, nb->name);
    pn->block = block_to_pb(a, nb->block);
    pn->nesting = (Tfplugin6__Schema__NestedBlock__NestingMode)nb->nesting;
    pn->min_items = nb->min_items;
    pn->max_items = nb->max_items;
    pb->block_types[i] = pn;
  }
  return pb;
}

Tfplugin6__Schema *rpc_schema_to_pb(rpc_arena *a, const tf_block *b, int64_t version) {
  Tfplugin6__Schema *s = NEW(a, Tfplugin6__Schema, TFPLUGIN6__SCHEMA__INIT);
  if (!s) return NULL;
  s->version = version;
  s->block =
      b ? block_to_pb(a, b) : NEW(a, Tfplugin6__Schema__Block, TFPLUGIN6__SCHEMA__BLOCK__INIT);
  return s;
}

Tfplugin6__AttributePath *rpc_path_to_pb(rpc_arena *a, const tf_path *p) {
  Tfplugin6__AttributePath *pb = NEW(a, Tfplugin6__AttributePath, TFPLUGIN6__ATTRIBUTE_PATH__INIT);
  if (!pb) return NULL;
  pb->steps = rpc_arena_alloc(a, p->len * sizeof *pb->steps);
  pb->n_steps = pb->steps ? p->len : 0;
  for (size_t i = 0; i < pb->n_steps; i++) {
    Tfplugin6__AttributePath__Step *st =
        NEW(a, Tfplugin6__AttributePath__Step, TFPLUGIN6__ATTRIBUTE_PATH__STEP__INIT);
    if (!st) return NULL;
    switch (p->steps[i].kind) {
    case TF_PATH_ATTR:
      st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
      st->attribute_name = rpc_arena_strdup(a, p->steps[i].name);
      break;
    case TF_PATH_KEY:
      st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
      st->element_key_string = rpc_arena_strdup(a, p->steps[i].name);
      break;
    case TF_PATH_INDEX:
      st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
      st->element_key_int = p->steps[i].index;
      break;
    }
    pb->steps[i] = st;
  }
  return pb;
}

Tfplugin6__Diagnostic **rpc_diags_to_pb(rpc_arena *a, const tf_diags *d, size_t *n) {
  *n = 0;
  Tfplugin6__Diagnostic **out = rpc_arena_alloc(a, (d->len + 1) * sizeof *out);
  for (size_t i = 0; out && i < d->len; i++) {
    Tfplugin6__Diagnostic *pd = NEW(a, Tfplugin6__Diagnostic, TFPLUGIN6__DIAGNOSTIC__INIT);
    if (!pd) break;
    pd->severity = d->items[i].severity == TF_WARNING ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING
                                                      : TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
    pd->summary = rpc_arena_strdup(a, d->items[i].summary);
    pd->detail = rpc_arena_strdup(a, d->items[i].detail);
    if (d->items[i].path.len) pd->attribute = rpc_path_to_pb(a, &d->items[i].path);
    out[(*n)++] = pd;
  }
  return out;
}

int rpc_value_from_pb(const Tfplugin6__DynamicValue *dv, const tf_type *t, tf_value **out,
                      tf_diags *d) {
  *out = NULL;
  if (dv && dv->msgpack.len) return tf_msgpack_decode(dv->msgpack.data, dv->msgpack.len, t, out, d);
  if (dv && dv->json.len)
    return tf_json_decode((const char *)dv->json.data, dv->json.len, t, out, d);
  *out = tf_value_null(t);
  return *out ? 0 : tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
}

Tfplugin6__DynamicValue *rpc_value_to_pb(rpc_arena *a, const tf_value *v, const tf_type *t,
                                         tf_diags *d) {
  uint8_t *buf = NULL;
  size_t len = 0;
  if (tf_msgpack_encode(v, t, &buf, &len, d) != 0) return NULL;
  Tfplugin6__DynamicValue *dv = NEW(a, Tfplugin6__DynamicValue, TFPLUGIN6__DYNAMIC_VALUE__INIT);
  uint8_t *copy = rpc_arena_alloc(a, len);
  if (!dv || !copy) {
    free(buf);
    tf_diags_add(d, TF_ERROR, NULL, "Out of memory", NULL);
    return NULL;
  }
  memcpy(copy, buf, len);
  free(buf);
  dv->msgpack.data = copy;
  dv->msgpack.len = len;
  return dv;
}

/*
 * Provider schemas: building blocks, their implied type (configschema
 * implied_type.go), the value of an absent block (empty_value.go) and
 * Terraform's internal_validate.go checks.
 */
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"

tf_block *tf_block_new(const char *description) {
  tf_block *b = calloc(1, sizeof(*b));
  if (!b) return NULL;
  if (description && !(b->description = tf_strdup(description))) {
    free(b);
    return NULL;
  }
  return b;
}

void tf_block_free(tf_block *b) {
  if (!b) return;
  for (size_t i = 0; i < b->n_attrs; i++) {
    free(b->attrs[i].name);
    free(b->attrs[i].description);
    tf_type_unref(b->attrs[i].type);
  }
  for (size_t i = 0; i < b->n_blocks; i++) {
    free(b->blocks[i].name);
    tf_block_free(b->blocks[i].block);
  }
  free(b->attrs);
  free(b->blocks);
  free(b->description);
  free(b);
}

/* On failure the builders free both the block and what they adopt, so a
 * chain of calls ends in NULL without leaking. */
tf_block *tf_block_attr(tf_block *b, const char *name, tf_type *type, unsigned flags,
                        const char *description) {
  if (!b || !name) goto fail;
  tf_attribute *attrs = realloc(b->attrs, (b->n_attrs + 1) * sizeof(*attrs));
  if (!attrs) goto fail;
  b->attrs = attrs;
  tf_attribute *a = &attrs[b->n_attrs];
  memset(a, 0, sizeof(*a));
  a->name = tf_strdup(name);
  a->description = description ? tf_strdup(description) : NULL;
  if (!a->name || (description && !a->description)) {
    free(a->name);
    free(a->description);
    goto fail;
  }
  a->type = type;
  a->required = flags & TF_REQUIRED;
  a->optional = flags & TF_OPTIONAL;
  a->computed = flags & TF_COMPUTED;
  a->sensitive = flags & TF_SENSITIVE;
  a->deprecated = flags & TF_DEPRECATED;
  b->n_attrs++;
  return b;

fail:
  tf_type_unref(type);
  tf_block_free(b);
  return NULL;
}

tf_block *tf_block_nested(tf_block *b, const char *name, tf_nesting nesting, int64_t min_items,
                          int64_t max_items, tf_block *child) {
  if (!b || !name || !child) goto fail;
  tf_nested_block *blocks = realloc(b->blocks, (b->n_blocks + 1) * sizeof(*blocks));
  if (!blocks) goto fail;
  b->blocks = blocks;
  tf_nested_block *nb = &blocks[b->n_blocks];
  memset(nb, 0, sizeof(*nb));
  if (!(nb->name = tf_strdup(name))) goto fail;
  nb->nesting = nesting;
  nb->min_items = min_items;
  nb->max_items = max_items;
  nb->block = child;
  b->n_blocks++;
  return b;

fail:
  tf_block_free(child);
  tf_block_free(b);
  return NULL;
}

const tf_attribute *tf_block_find_attr(const tf_block *b, const char *name) {
  for (size_t i = 0; b && name && i < b->n_attrs; i++)
    if (!strcmp(b->attrs[i].name, name)) return &b->attrs[i];
  return NULL;
}

const tf_nested_block *tf_block_find_block(const tf_block *b, const char *name) {
  for (size_t i = 0; b && name && i < b->n_blocks; i++)
    if (!strcmp(b->blocks[i].name, name)) return &b->blocks[i];
  return NULL;
}

/* ---------- implied type ---------- */

/* The type of a nested block inside its parent's object. LIST and MAP blocks
 * whose content has a dynamic type become a tuple/object at decode time, so
 * their attribute type is dynamic (hcldec BlockTupleSpec/BlockObjectSpec). */
static tf_type *nested_type(const tf_nested_block *nb) {
  tf_type *obj = tf_block_implied_type(nb->block);
  if (!obj) return NULL;
  switch (nb->nesting) {
  case TF_NEST_SINGLE:
  case TF_NEST_GROUP:
    return obj;
  case TF_NEST_LIST:
  case TF_NEST_MAP:
    if (tf_type_has_dynamic(obj)) {
      tf_type_unref(obj);
      return tf_type_primitive(TF_DYNAMIC);
    }
    return tf_type_collection(nb->nesting == TF_NEST_LIST ? TF_LIST : TF_MAP, obj);
  case TF_NEST_SET:
    return tf_type_collection(TF_SET, obj);
  }
  tf_type_unref(obj);
  return NULL;
}

tf_type *tf_block_implied_type(const tf_block *b) {
  if (!b) return NULL;
  size_t n = b->n_attrs + b->n_blocks, i = 0;
  const char **names = calloc(n ? n : 1, sizeof(*names));
  tf_type **types = calloc(n ? n : 1, sizeof(*types));
  tf_type *t = NULL;
  if (!names || !types) goto out;
  for (; i < b->n_attrs; i++) {
    names[i] = b->attrs[i].name;
    if (!(types[i] = tf_type_ref(b->attrs[i].type))) goto out;
  }
  for (; i < n; i++) {
    const tf_nested_block *nb = &b->blocks[i - b->n_attrs];
    names[i] = nb->name;
    if (!(types[i] = nested_type(nb))) goto out;
  }
  t = tf_type_object(n, names, types); /* adopts types[] even on failure */
  i = 0;
out:
  if (types)
    for (size_t k = 0; k < i; k++)
      tf_type_unref(types[k]);
  free(names);
  free(types);
  return t;
}

/* ---------- empty value ---------- */

static tf_value *empty_nested(const tf_nested_block *nb, const tf_type *t) {
  switch (nb->nesting) {
  case TF_NEST_SINGLE:
    return tf_value_null(t);
  case TF_NEST_GROUP:
    return tf_block_empty_value(nb->block);
  case TF_NEST_LIST:
  case TF_NEST_SET:
  case TF_NEST_MAP:
    if (t->kind == TF_DYNAMIC) {
      /* Dynamic LIST/MAP blocks are an empty tuple/object, as in configschema. */
      tf_type *et =
          nb->nesting == TF_NEST_LIST ? tf_type_tuple(0, NULL) : tf_type_object(0, NULL, NULL);
      tf_value *v = et ? tf_value_collection(et, 0, NULL, NULL) : NULL;
      tf_type_unref(et);
      return v;
    }
    return tf_value_collection(t, 0, NULL, NULL);
  }
  return NULL;
}

tf_value *tf_block_empty_value(const tf_block *b) {
  tf_type *t = tf_block_implied_type(b);
  tf_value *v = t ? tf_value_object_empty(t) : NULL;
  for (size_t i = 0; v && i < b->n_blocks; i++) {
    const tf_nested_block *nb = &b->blocks[i];
    const tf_type *bt = tf_type_at(t, (size_t)tf_type_attr_index(t, nb->name));
    tf_value *e = empty_nested(nb, bt);
    if (!e || tf_value_set_attr(v, nb->name, e) < 0) {
      tf_value_free(v);
      v = NULL;
    }
  }
  tf_type_unref(t);
  return v;
}

/* ---------- validation ---------- */

static bool valid_name(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
  return true;
}

static void invalid(tf_diags *d, tf_path *path, const char *what) {
  char *p = tf_path_to_string(path);
  /* Terraform's own messages read "name: problem"; the path's leading dot is dropped. */
  tf_diags_add(d, TF_ERROR, path, "Invalid provider schema", "%s: %s",
               p && p[0] == '.' ? p + 1 : (p ? p : ""), what);
  free(p);
}

static void validate_block(const tf_block *b, tf_path *path, tf_diags *d, int depth) {
  if (depth > TF_MAX_DEPTH) {
    invalid(d, path, "schema is nested too deeply");
    return;
  }
  for (size_t i = 0; i < b->n_attrs; i++) {
    const tf_attribute *a = &b->attrs[i];
    tf_path_push_attr(path, a->name);
    if (!valid_name(a->name))
      invalid(d, path, "name may contain only lowercase letters, digits and underscores");
    for (size_t k = 0; k < i; k++)
      if (!strcmp(b->attrs[k].name, a->name)) invalid(d, path, "duplicate attribute name");
    if (!a->optional && !a->required && !a->computed)
      invalid(d, path, "must set Optional, Required or Computed");
    if (a->optional && a->required) invalid(d, path, "cannot set both Optional and Required");
    if (a->computed && a->required) invalid(d, path, "cannot set both Computed and Required");
    if (!a->type) invalid(d, path, "either Type or NestedType must be defined");
    tf_path_pop(path);
  }
  for (size_t i = 0; i < b->n_blocks; i++) {
    const tf_nested_block *nb = &b->blocks[i];
    tf_path_push_attr(path, nb->name);
    if (!valid_name(nb->name))
      invalid(d, path, "name may contain only lowercase letters, digits and underscores");
    if (tf_block_find_attr(b, nb->name))
      invalid(d, path, "name defined as both attribute and child block type");
    for (size_t k = 0; k < i; k++)
      if (!strcmp(b->blocks[k].name, nb->name)) invalid(d, path, "duplicate block type name");
    if (nb->min_items < 0 || nb->max_items < 0)
      invalid(d, path, "MinItems and MaxItems must both be greater than zero");
    switch (nb->nesting) {
    case TF_NEST_SINGLE:
      if (nb->min_items != nb->max_items)
        invalid(d, path, "MinItems and MaxItems must match in NestingSingle mode");
      else if (nb->min_items > 1)
        invalid(d, path,
                "MinItems and MaxItems must be set to either 0 or 1 in NestingSingle mode");
      break;
    case TF_NEST_GROUP:
      if (nb->min_items != 0 || nb->max_items != 0)
        invalid(d, path, "MinItems and MaxItems cannot be used in NestingGroup mode");
      break;
    case TF_NEST_LIST:
    case TF_NEST_SET:
      if (nb->max_items != 0 && nb->min_items > nb->max_items)
        invalid(d, path, "MinItems must be less than or equal to MaxItems");
      if (nb->nesting == TF_NEST_SET && nb->block) {
        tf_type *t = tf_block_implied_type(nb->block);
        if (t && tf_type_has_dynamic(t))
          invalid(d, path, "NestingSet blocks may not contain attributes of cty.DynamicPseudoType");
        tf_type_unref(t);
      }
      break;
    case TF_NEST_MAP:
      if (nb->min_items != 0 || nb->max_items != 0)
        invalid(d, path, "MinItems and MaxItems must both be 0 in NestingMap mode");
      break;
    default:
      invalid(d, path, "unsupported nesting mode");
      break;
    }
    if (!nb->block)
      invalid(d, path, "nested block has no schema");
    else
      validate_block(nb->block, path, d, depth + 1);
    tf_path_pop(path);
  }
}

int tf_block_validate(const tf_block *b, tf_diags *d) {
  if (!b) return tf_diags_add(d, TF_ERROR, NULL, "Invalid provider schema", "missing schema");
  tf_diags mine;
  tf_diags_init(&mine);
  tf_path path;
  tf_path_init(&path);
  validate_block(b, &path, &mine, 0);
  tf_path_free(&path);
  bool err = tf_diags_has_error(&mine);
  tf_diags_move(d, &mine);
  tf_diags_free(&mine);
  return err ? -1 : 0;
}

/*
 * The JSON encoding of types (cty's Type.MarshalJSON / UnmarshalJSON), used for
 * schema attribute types and the dynamic value wrapper.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tf/tf_internal.h"

static void type_json(tf_buf *b, const tf_type *t) {
  switch (t->kind) {
  case TF_DYNAMIC:
    tf_buf_puts(b, "\"dynamic\"");
    break;
  case TF_STRING:
    tf_buf_puts(b, "\"string\"");
    break;
  case TF_NUMBER:
    tf_buf_puts(b, "\"number\"");
    break;
  case TF_BOOL:
    tf_buf_puts(b, "\"bool\"");
    break;
  case TF_LIST:
  case TF_SET:
  case TF_MAP:
    tf_buf_puts(b, t->kind == TF_LIST  ? "[\"list\","
                   : t->kind == TF_SET ? "[\"set\","
                                       : "[\"map\",");
    type_json(b, t->elem);
    tf_buf_puts(b, "]");
    break;
  case TF_OBJECT:
    tf_buf_puts(b, "[\"object\",{");
    for (size_t i = 0; i < t->n; i++) {
      if (i) tf_buf_puts(b, ",");
      tf_buf_quote(b, t->names[i], strlen(t->names[i]));
      tf_buf_puts(b, ":");
      type_json(b, t->types[i]);
    }
    tf_buf_puts(b, "}]");
    break;
  case TF_TUPLE:
    tf_buf_puts(b, "[\"tuple\",[");
    for (size_t i = 0; i < t->n; i++) {
      if (i) tf_buf_puts(b, ",");
      type_json(b, t->types[i]);
    }
    tf_buf_puts(b, "]]");
    break;
  }
}

char *tf_type_to_json(const tf_type *t) {
  if (!t) return NULL;
  tf_buf b = {0};
  type_json(&b, t);
  return tf_buf_finish(&b);
}

static tf_type *bad(tf_diags *d, const char *detail) {
  tf_diags_add(d, TF_ERROR, NULL, "Invalid type description", "%s", detail);
  return NULL;
}

static tf_type *from_cjson(const cJSON *j, int depth, tf_diags *d) {
  if (depth > TF_MAX_DEPTH) return bad(d, "type description is nested too deeply");
  if (cJSON_IsString(j)) {
    const char *s = j->valuestring;
    if (!strcmp(s, "string")) return tf_type_primitive(TF_STRING);
    if (!strcmp(s, "number")) return tf_type_primitive(TF_NUMBER);
    if (!strcmp(s, "bool")) return tf_type_primitive(TF_BOOL);
    if (!strcmp(s, "dynamic")) return tf_type_primitive(TF_DYNAMIC);
    tf_diags_add(d, TF_ERROR, NULL, "Invalid type description",
                 "invalid primitive type name \"%s\"", s);
    return NULL;
  }
  if (!cJSON_IsArray(j)) return bad(d, "invalid type description");
  int n = cJSON_GetArraySize(j);
  const cJSON *kind = cJSON_GetArrayItem(j, 0);
  if (!cJSON_IsString(kind)) return bad(d, "invalid complex type kind name");
  const char *k = kind->valuestring;
  const cJSON *arg = cJSON_GetArrayItem(j, 1);
  if (!arg) return bad(d, "complex type description lacks its element type");

  if (!strcmp(k, "list") || !strcmp(k, "set") || !strcmp(k, "map")) {
    if (n != 2) return bad(d, "unexpected extra data in type description");
    tf_type *elem = from_cjson(arg, depth + 1, d);
    if (!elem) return NULL;
    tf_kind ck = k[0] == 'l' ? TF_LIST : k[0] == 's' ? TF_SET : TF_MAP;
    tf_type *t = tf_type_collection(ck, elem);
    return t ? t : bad(d, "out of memory");
  }

  if (!strcmp(k, "object")) {
    /* A third element (optional attribute names) is accepted and ignored. */
    if (n > 3) return bad(d, "unexpected extra data in type description");
    if (n == 3 && !cJSON_IsArray(cJSON_GetArrayItem(j, 2)))
      return bad(d, "optional attribute list must be an array");
    if (!cJSON_IsObject(arg)) return bad(d, "object type attributes must be a JSON object");
    size_t cnt = (size_t)cJSON_GetArraySize(arg), i = 0;
    const char **names = calloc(cnt ? cnt : 1, sizeof(*names));
    tf_type **types = calloc(cnt ? cnt : 1, sizeof(*types));
    if (!names || !types) {
      free(names);
      free(types);
      return bad(d, "out of memory");
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, arg) {
      names[i] = a->string;
      if (!(types[i] = from_cjson(a, depth + 1, d))) break;
      i++;
    }
    tf_type *t = NULL;
    if (i == cnt) {
      t = tf_type_object(cnt, names, types);
      if (!t) bad(d, "duplicate attribute name in object type");
    } else {
      for (size_t x = 0; x < i; x++)
        tf_type_unref(types[x]);
    }
    free(names);
    free(types);
    return t;
  }

  if (!strcmp(k, "tuple")) {
    if (n != 2) return bad(d, "unexpected extra data in type description");
    if (!cJSON_IsArray(arg)) return bad(d, "tuple element types must be a JSON array");
    size_t cnt = (size_t)cJSON_GetArraySize(arg), i = 0;
    tf_type **types = calloc(cnt ? cnt : 1, sizeof(*types));
    if (!types) return bad(d, "out of memory");
    const cJSON *a;
    cJSON_ArrayForEach(a, arg) {
      if (!(types[i] = from_cjson(a, depth + 1, d))) break;
      i++;
    }
    tf_type *t = NULL;
    if (i == cnt) {
      t = tf_type_tuple(cnt, types);
      if (!t) bad(d, "out of memory");
    } else {
      for (size_t x = 0; x < i; x++)
        tf_type_unref(types[x]);
    }
    free(types);
    return t;
  }
  return bad(d, "invalid complex type kind name");
}

tf_type *tf_type_from_json(const char *json, size_t len, tf_diags *d) {
  if (!json) return bad(d, "empty type description");
  /* cJSON wants a NUL-terminated copy: the input may be a bare byte slice. */
  char *copy = tf_strndup(json, len);
  if (!copy) return bad(d, "out of memory");
  if (strlen(copy) != len) {
    free(copy);
    return bad(d, "type description contains a NUL byte");
  }
  cJSON *root = cJSON_ParseWithOpts(copy, NULL, 1);
  free(copy);
  if (!root) return bad(d, "type description is not valid JSON");
  tf_type *t = from_cjson(root, 0, d);
  cJSON_Delete(root);
  return t;
}

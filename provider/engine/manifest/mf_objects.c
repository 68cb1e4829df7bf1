/* engine/manifest — the Kubernetes object rules applied to a decoded
 * document: null documents skipped, mappings only, *List kinds with an
 * items array expanded into their items (as kubectl's unstructured decoder
 * does; kubectl and Argo CD expand any object with an items array, we ask
 * for a kind ending in "List" too), *List kinds with items: null skipped
 * (Argo CD's isNullList), apiVersion and kind required. */
#include <stdio.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

static const char *type_name(const cJSON *v) {
  if (cJSON_IsString(v)) return "string";
  if (cJSON_IsArray(v)) return "sequence";
  if (cJSON_IsBool(v)) return "boolean";
  if (mf_is_number(v)) return "number";
  if (cJSON_IsNull(v)) return "null";
  return "value";
}

static const char *str_field(const cJSON *o, const char *name) {
  const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsString(f) && f->valuestring[0] ? f->valuestring : NULL;
}

static bool list_kind(const cJSON *o) {
  const char *kind = str_field(o, "kind");
  size_t n = kind ? strlen(kind) : 0;
  return n >= 4 && strcmp(kind + n - 4, "List") == 0;
}

static bool is_list(const cJSON *o) {
  return list_kind(o) && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "items"));
}

/* Argo CD's isNullList: a *List whose items are null holds nothing. */
static bool is_null_list(const cJSON *o) {
  return list_kind(o) && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "items")) &&
         !cJSON_GetObjectItemCaseSensitive(o, "spec") &&
         !cJSON_GetObjectItemCaseSensitive(o, "status");
}

static int add(mf_docs *out, cJSON *v, int line, const char *file, const mf_parse_opts *o,
               mf_error *err, int depth, const char *what) {
  if (!cJSON_IsObject(v)) {
    int rc = mf_err_set(err, MF_ENOTOBJ, file, line, 0,
                        "error converting YAML to JSON: object is not a mapping: %s is a %s", what,
                        type_name(v));
    cJSON_Delete(v);
    return rc;
  }
  if (o->expand_lists && is_null_list(v)) {
    cJSON_Delete(v);
    return 0;
  }
  if (o->expand_lists && is_list(v)) {
    if (depth > 16) {
      cJSON_Delete(v);
      return mf_err_set(err, MF_ELIMIT, file, line, 0, "Lists nested deeper than 16 levels");
    }
    const char *kind = str_field(v, "kind");
    const char *api = str_field(v, "apiVersion");
    char item_kind[256];
    snprintf(item_kind, sizeof(item_kind), "%.*s", (int)(strlen(kind) - 4), kind);
    cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(v, "items");
    int rc = 0;
    size_t idx = 0;
    while (!rc && items->child) {
      cJSON *it = cJSON_DetachItemViaPointer(items, items->child);
      if (cJSON_IsObject(it) && !cJSON_GetObjectItemCaseSensitive(it, "kind") &&
          !cJSON_GetObjectItemCaseSensitive(it, "apiVersion")) {
        /* As unstructured's decodeToList: items of typed lists
         * take the list's apiVersion and kind. */
        if ((item_kind[0] && !cJSON_AddStringToObject(it, "kind", item_kind)) ||
            (api && !cJSON_AddStringToObject(it, "apiVersion", api))) {
          cJSON_Delete(it);
          rc = mf_err_oom(err, file);
          break;
        }
      }
      char w[64];
      snprintf(w, sizeof(w), "item %zu of the %s", idx++, kind);
      rc = add(out, it, line, file, o, err, depth + 1, w);
    }
    cJSON_Delete(items);
    cJSON_Delete(v);
    return rc;
  }
  if (o->require_gvk) {
    const char *api = str_field(v, "apiVersion"), *kind = str_field(v, "kind");
    if (!api || !kind) {
      int rc = mf_err_set(err, MF_EOBJECT, file, line, 0, "%s has no %s%s%s", what,
                          !api ? "apiVersion" : "", !api && !kind ? " and no " : "",
                          !kind ? "kind (Object 'Kind' is missing)" : "");
      cJSON_Delete(v);
      return rc;
    }
  }
  int rc = mf_docs_append(out, v, line, file);
  return rc ? mf_err_oom(err, file) : 0;
}

int mf_docs_add_document(mf_docs *out, cJSON *v, int line, const char *file, const mf_parse_opts *o,
                         mf_error *err) {
  if (!v || cJSON_IsNull(v)) {
    cJSON_Delete(v);
    return 0;
  }
  return add(out, v, line, file, o, err, 0, "the document");
}

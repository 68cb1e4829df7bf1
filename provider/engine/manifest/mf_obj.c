/* engine/manifest — object helpers: group/version/kind, name, namespace,
 * labels, annotations, the "group/Kind/namespace/name" key. */
#include <stdio.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

static const char *str_at(const cJSON *o, const char *name) {
  const cJSON *f = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
  return cJSON_IsString(f) ? f->valuestring : NULL;
}

static const cJSON *metadata(const cJSON *obj) {
  const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, "metadata") : NULL;
  return cJSON_IsObject(m) ? m : NULL;
}

const char *mf_obj_api_version(const cJSON *obj) {
  return str_at(obj, "apiVersion");
}

const char *mf_obj_kind(const cJSON *obj) {
  return str_at(obj, "kind");
}

const char *mf_obj_name(const cJSON *obj) {
  return str_at(metadata(obj), "name");
}

const char *mf_obj_namespace(const cJSON *obj) {
  return str_at(metadata(obj), "namespace");
}

const cJSON *mf_obj_labels(const cJSON *obj) {
  const cJSON *l = cJSON_GetObjectItemCaseSensitive(metadata(obj), "labels");
  return cJSON_IsObject(l) ? l : NULL;
}

const cJSON *mf_obj_annotations(const cJSON *obj) {
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(metadata(obj), "annotations");
  return cJSON_IsObject(a) ? a : NULL;
}

const char *mf_obj_label(const cJSON *obj, const char *key) {
  return key ? str_at(mf_obj_labels(obj), key) : NULL;
}

const char *mf_obj_annotation(const cJSON *obj, const char *key) {
  return key ? str_at(mf_obj_annotations(obj), key) : NULL;
}

int mf_obj_gvk(const cJSON *obj, mf_gvk *out) {
  if (!out) return MF_EINVAL;
  memset(out, 0, sizeof(*out));
  const char *api = mf_obj_api_version(obj), *kind = mf_obj_kind(obj);
  if (!api || !kind || !*api || !*kind) return MF_EOBJECT;
  const char *slash = strchr(api, '/');
  size_t glen = slash ? (size_t)(slash - api) : 0;
  const char *ver = slash ? slash + 1 : api;
  if (glen >= sizeof(out->group) || strlen(ver) >= sizeof(out->version) ||
      strlen(kind) >= sizeof(out->kind))
    return MF_ERANGE;
  memcpy(out->group, api, glen);
  out->group[glen] = '\0';
  snprintf(out->version, sizeof(out->version), "%s", ver);
  snprintf(out->kind, sizeof(out->kind), "%s", kind);
  return 0;
}

int mf_obj_key(const cJSON *obj, char *buf, size_t cap) {
  if (!buf || !cap) return MF_EINVAL;
  buf[0] = '\0';
  mf_gvk g;
  int rc = mf_obj_gvk(obj, &g);
  if (rc) return rc;
  const char *ns = mf_obj_namespace(obj), *name = mf_obj_name(obj);
  int n = snprintf(buf, cap, "%s/%s/%s/%s", g.group, g.kind, ns ? ns : "", name ? name : "");
  if (n < 0 || (size_t)n >= cap) {
    buf[0] = '\0';
    return MF_ERANGE;
  }
  return 0;
}

static cJSON *child_object(cJSON *parent, const char *name) {
  cJSON *c = cJSON_GetObjectItemCaseSensitive(parent, name);
  if (cJSON_IsObject(c)) return c;
  if (c && !cJSON_IsNull(c)) return NULL; /* present but not a mapping */
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  if (c ? !cJSON_ReplaceItemInObjectCaseSensitive(parent, name, o)
        : !cJSON_AddItemToObject(parent, name, o)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int set_string(cJSON *o, const char *key, const char *value) {
  cJSON *s = cJSON_CreateString(value);
  if (!s) return MF_ENOMEM;
  bool ok = cJSON_GetObjectItemCaseSensitive(o, key)
                ? cJSON_ReplaceItemInObjectCaseSensitive(o, key, s)
                : cJSON_AddItemToObject(o, key, s);
  if (!ok) {
    cJSON_Delete(s);
    return MF_ENOMEM;
  }
  return 0;
}

static int set_meta_map(cJSON *obj, const char *map, const char *key, const char *value) {
  if (!cJSON_IsObject(obj) || !key || !value) return MF_EINVAL;
  cJSON *m = child_object(obj, "metadata");
  cJSON *l = m ? child_object(m, map) : NULL;
  if (!l) return MF_EINVAL;
  return set_string(l, key, value);
}

int mf_obj_set_label(cJSON *obj, const char *key, const char *value) {
  return set_meta_map(obj, "labels", key, value);
}

int mf_obj_set_annotation(cJSON *obj, const char *key, const char *value) {
  return set_meta_map(obj, "annotations", key, value);
}

int mf_obj_set_namespace(cJSON *obj, const char *ns) {
  if (!cJSON_IsObject(obj) || !ns) return MF_EINVAL;
  cJSON *m = child_object(obj, "metadata");
  if (!m) return MF_EINVAL;
  return set_string(m, "namespace", ns);
}

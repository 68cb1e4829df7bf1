/* JSON → helm_value (cJSON underneath). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

static helm_value *from_cjson(const cJSON *j, int ints, int depth) {
  if (depth > 1000) return NULL;
  if (cJSON_IsNull(j)) return helm_value_null();
  if (cJSON_IsBool(j)) return helm_value_bool(cJSON_IsTrue(j));
  if (cJSON_IsNumber(j)) {
    double d = j->valuedouble;
    if (ints && d == floor(d) && fabs(d) < 9007199254740992.0) return helm_value_int((int64_t)d);
    return helm_value_float(d);
  }
  if (cJSON_IsString(j)) return helm_value_string(j->valuestring);
  if (cJSON_IsArray(j)) {
    helm_value *l = helm_value_list();
    for (const cJSON *e = j->child; l && e; e = e->next) {
      helm_value *v = from_cjson(e, ints, depth + 1);
      if (!v || helm_list_append(l, v)) {
        helm_value_free(v);
        helm_value_free(l);
        return NULL;
      }
    }
    return l;
  }
  if (cJSON_IsObject(j)) {
    helm_value *m = helm_value_map();
    for (const cJSON *e = j->child; m && e; e = e->next) {
      helm_value *v = from_cjson(e, ints, depth + 1);
      if (!v || helm_map_set(m, e->string ? e->string : "", v)) {
        helm_value_free(v);
        helm_value_free(m);
        return NULL;
      }
    }
    return m;
  }
  return helm_value_null();
}

int helm_json_parse(const char *text, size_t len, int ints_as_int64, helm_value **out,
                    helm_error *err) {
  *out = NULL;
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (!j) {
    size_t off = end ? (size_t)(end - text) : 0;
    if (off >= len) return HELM_ERR(err, HELM_EYAML, "unexpected end of JSON input");
    return HELM_ERR(err, HELM_EYAML, "invalid character '%c' looking for beginning of value",
                    text[off]);
  }
  /* trailing garbage */
  const char *p = end;
  while (p && (size_t)(p - text) < len && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
    p++;
  if (p && (size_t)(p - text) < len && *p) {
    cJSON_Delete(j);
    return HELM_ERR(err, HELM_EYAML, "invalid character '%c' after top-level value", *p);
  }
  helm_value *v = from_cjson(j, ints_as_int64, 0);
  cJSON_Delete(j);
  if (!v) return HELM_ENOMEM_ERR(err);
  *out = v;
  return 0;
}

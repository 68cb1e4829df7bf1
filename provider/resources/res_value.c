/* Small accessors for configuration objects: null and unknown read as "unset". */
#include <stdlib.h>

#include "resources/res.h"

static const tf_value *known_attr(const tf_value *obj, const char *name) {
  if (!obj || tf_value_is_null(obj) || !tf_value_is_known(obj)) return NULL;
  const tf_value *v = tf_value_get_attr(obj, name);
  if (!v || tf_value_is_null(v) || !tf_value_is_known(v)) return NULL;
  return v;
}

const char *res_get_string(const tf_value *obj, const char *name) {
  const tf_value *v = known_attr(obj, name);
  return v && tf_type_kind(tf_value_type(v)) == TF_STRING ? tf_value_str(v) : NULL;
}

int res_get_bool(const tf_value *obj, const char *name) {
  const tf_value *v = known_attr(obj, name);
  if (!v || tf_type_kind(tf_value_type(v)) != TF_BOOL) return -1;
  return tf_value_get_bool(v) ? 1 : 0;
}

int res_get_int(const tf_value *obj, const char *name, int64_t *out) {
  const tf_value *v = known_attr(obj, name);
  if (!v || tf_type_kind(tf_value_type(v)) != TF_NUMBER) return -1;
  return tf_value_num_i64(v, out);
}

int res_is_unknown(const tf_value *obj, const char *name) {
  if (!obj || tf_value_is_null(obj)) return 0;
  if (!tf_value_is_known(obj)) return 1;
  const tf_value *v = tf_value_get_attr(obj, name);
  return v && !tf_value_is_known(v);
}

const tf_value *res_get_block(const tf_value *obj, const char *name) {
  return known_attr(obj, name);
}

/*
 * Terraform-style rendering of values for diagnostics.
 */
#include <string.h>

#include "tf/tf_internal.h"

static bool is_ident(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9')) return false;
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
}

static void display(tf_buf *b, const tf_value *v) {
  if (v->state == TF_V_NULL) {
    tf_buf_puts(b, "null");
    return;
  }
  if (v->state == TF_V_UNKNOWN) {
    tf_buf_puts(b, "(known after apply)");
    return;
  }
  switch (v->type->kind) {
  case TF_STRING:
    tf_buf_quote(b, v->u.s.p, v->u.s.len);
    break;
  case TF_NUMBER:
    tf_buf_puts(b, v->u.num.text);
    break;
  case TF_BOOL:
    tf_buf_puts(b, v->u.b ? "true" : "false");
    break;
  case TF_LIST:
  case TF_SET:
  case TF_TUPLE:
    tf_buf_puts(b, "[");
    for (size_t i = 0; i < v->u.c.n; i++) {
      if (i) tf_buf_puts(b, ", ");
      display(b, v->u.c.items[i]);
    }
    tf_buf_puts(b, "]");
    break;
  case TF_MAP:
  case TF_OBJECT:
    if (!v->u.c.n) {
      tf_buf_puts(b, "{}");
      break;
    }
    tf_buf_puts(b, "{ ");
    for (size_t i = 0; i < v->u.c.n; i++) {
      const char *k = tf_value_key_at(v, i);
      if (i) tf_buf_puts(b, ", ");
      if (v->type->kind == TF_OBJECT && is_ident(k))
        tf_buf_puts(b, k);
      else
        tf_buf_quote(b, k, strlen(k));
      tf_buf_puts(b, " = ");
      display(b, v->u.c.items[i]);
    }
    tf_buf_puts(b, " }");
    break;
  default:
    tf_buf_puts(b, "?");
    break;
  }
}

char *tf_value_to_display(const tf_value *v) {
  if (!v) return tf_strdup("null");
  tf_buf b = {0};
  display(&b, v);
  return tf_buf_finish(&b);
}

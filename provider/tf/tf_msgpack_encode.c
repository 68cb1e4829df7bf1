/*
 * value → msgpack with msgpack-c's packer, producing the bytes Terraform's own
 * encoder (cty/msgpack/marshal.go) would: compact ints, float64 for other
 * exactly-representable numbers, decimal strings otherwise, object keys sorted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "tf/tf_internal.h"

/* Terraform rejects string prefix refinements longer than this. */
#define PREFIX_MAX 256

typedef struct {
  msgpack_packer pk;
  tf_path path;
  tf_diags *d;
} enc;

/* An sbuffer that remembers a failed write (out of memory), which the packer
 * functions would otherwise let pass silently. */
typedef struct {
  msgpack_sbuffer sb;
  bool oom;
} outbuf;

static int outbuf_write(void *data, const char *buf, size_t len) {
  outbuf *o = data;
  if (o->oom || msgpack_sbuffer_write(&o->sb, buf, len) != 0) o->oom = true;
  return o->oom ? -1 : 0;
}

static int fail(enc *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(enc *x, const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
  va_end(ap);
  tf_diags_add(x->d, TF_ERROR, &x->path, "Cannot encode value", "%s", msg ? msg : "out of memory");
  free(msg);
  return -1;
}

static const char *kind_name(tf_kind k) {
  static const char *names[] = {"dynamic", "string", "number", "bool", "list",
                                "set",     "map",    "object", "tuple"};
  return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void pack_str(msgpack_packer *pk, const char *s, size_t n) {
  msgpack_pack_str(pk, n);
  msgpack_pack_str_body(pk, s, n);
}

static void pack_number(msgpack_packer *pk, const char *text, bool has_dbl, double dbl) {
  int64_t i;
  double d;
  if (tf_num_to_i64(text, &i))
    msgpack_pack_int64(pk, i); /* msgpack-c picks the most compact int format */
  else if (has_dbl)
    msgpack_pack_double(pk, dbl);
  else if (tf_num_exact_double(text, &d))
    msgpack_pack_double(pk, d);
  else
    pack_str(pk, text, strlen(text));
}

/* Length of the longest prefix of s (≤ max bytes) not ending inside a UTF-8
 * sequence: a shorter prefix is still a true refinement. */
static size_t utf8_cut(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n <= max) return n;
  n = max;
  while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
    n--;
  return n;
}

static int pack_unknown(enc *x, const tf_value *v, const tf_type *t) {
  const tf_refinements *r = v->refn;
  tf_kind k = t->kind;
  int n = 0;
  bool prefix = false, lower = false, upper = false, llen = false, ulen = false;
  if (r && k != TF_DYNAMIC) {
    prefix = k == TF_STRING && r->string_prefix && r->string_prefix[0];
    lower = k == TF_NUMBER && r->num_lower;
    upper = k == TF_NUMBER && r->num_upper;
    llen = (k == TF_LIST || k == TF_SET || k == TF_MAP) && r->len_lower >= 0;
    ulen = (k == TF_LIST || k == TF_SET || k == TF_MAP) && r->len_upper >= 0;
    n = (r->not_null != 0) + prefix + lower + upper + llen + ulen;
  }
  if (n == 0) {
    /* d4 00 00: fixext1 of type 0, exactly what cty writes */
    msgpack_pack_ext(&x->pk, 1, 0);
    msgpack_pack_ext_body(&x->pk, "", 1);
    return 0;
  }
  outbuf ob = {.oom = false};
  msgpack_packer p;
  msgpack_sbuffer_init(&ob.sb);
  msgpack_packer_init(&p, &ob, outbuf_write);
  msgpack_pack_map(&p, (size_t)n);
  if (r->not_null) {
    msgpack_pack_int(&p, 1);
    msgpack_pack_false(&p);
  }
  if (prefix) {
    msgpack_pack_int(&p, 2);
    pack_str(&p, r->string_prefix, utf8_cut(r->string_prefix, PREFIX_MAX));
  }
  if (lower) {
    msgpack_pack_int(&p, 3);
    msgpack_pack_array(&p, 2);
    pack_number(&p, r->num_lower, false, 0);
    r->num_lower_incl ? msgpack_pack_true(&p) : msgpack_pack_false(&p);
  }
  if (upper) {
    msgpack_pack_int(&p, 4);
    msgpack_pack_array(&p, 2);
    pack_number(&p, r->num_upper, false, 0);
    r->num_upper_incl ? msgpack_pack_true(&p) : msgpack_pack_false(&p);
  }
  if (llen) {
    msgpack_pack_int(&p, 5);
    msgpack_pack_int64(&p, r->len_lower);
  }
  if (ulen) {
    msgpack_pack_int(&p, 6);
    msgpack_pack_int64(&p, r->len_upper);
  }
  int rc = ob.oom ? fail(x, "out of memory") : 0;
  if (!ob.oom) {
    msgpack_pack_ext(&x->pk, ob.sb.size, 12);
    msgpack_pack_ext_body(&x->pk, ob.sb.data, ob.sb.size);
  }
  msgpack_sbuffer_destroy(&ob.sb);
  return rc;
}

static int encode(enc *x, const tf_value *v, const tf_type *t, int depth);

static int encode_items(enc *x, const tf_value *v, const tf_type *t, int depth) {
  for (size_t i = 0; i < v->u.c.n; i++) {
    const tf_type *et = t->kind == TF_TUPLE ? t->types[i] : t->elem;
    bool push = t->kind != TF_SET;
    if (push && tf_path_push_index(&x->path, (int64_t)i) < 0) return fail(x, "out of memory");
    int rc = encode(x, v->u.c.items[i], et, depth + 1);
    if (push) tf_path_pop(&x->path);
    if (rc < 0) return -1;
  }
  return 0;
}

static int encode_known(enc *x, const tf_value *v, const tf_type *t, int depth) {
  tf_kind vk = v->type->kind;
  if (vk != t->kind)
    return fail(x, "a %s value cannot be encoded as %s", kind_name(vk), kind_name(t->kind));
  switch (t->kind) {
  case TF_STRING:
    pack_str(&x->pk, v->u.s.p, v->u.s.len);
    return 0;
  case TF_NUMBER:
    pack_number(&x->pk, v->u.num.text, v->u.num.has_dbl, v->u.num.dbl);
    return 0;
  case TF_BOOL:
    v->u.b ? msgpack_pack_true(&x->pk) : msgpack_pack_false(&x->pk);
    return 0;
  case TF_LIST:
  case TF_SET:
    msgpack_pack_array(&x->pk, v->u.c.n);
    return encode_items(x, v, t, depth);
  case TF_TUPLE:
    if (v->u.c.n != t->n)
      return fail(x, "a tuple of length %zu cannot be encoded as a tuple of length %zu", v->u.c.n,
                  t->n);
    msgpack_pack_array(&x->pk, v->u.c.n);
    return encode_items(x, v, t, depth);
  case TF_MAP:
    msgpack_pack_map(&x->pk, v->u.c.n);
    for (size_t i = 0; i < v->u.c.n; i++) {
      const char *k = v->u.c.keys[i];
      pack_str(&x->pk, k, strlen(k));
      if (tf_path_push_key(&x->path, k) < 0) return fail(x, "out of memory");
      int rc = encode(x, v->u.c.items[i], t->elem, depth + 1);
      tf_path_pop(&x->path);
      if (rc < 0) return -1;
    }
    return 0;
  case TF_OBJECT:
    /* The type's attribute names are sorted, which is Terraform's key order. */
    for (size_t i = 0; i < t->n; i++)
      if (!tf_value_get_attr(v, t->names[i]))
        return fail(x, "the object lacks attribute \"%s\"", t->names[i]);
    if (v->u.c.n != t->n)
      return fail(x, "the object has %zu attributes, its type %zu", v->u.c.n, t->n);
    msgpack_pack_map(&x->pk, t->n);
    for (size_t i = 0; i < t->n; i++) {
      pack_str(&x->pk, t->names[i], strlen(t->names[i]));
      if (tf_path_push_attr(&x->path, t->names[i]) < 0) return fail(x, "out of memory");
      int rc = encode(x, tf_value_get_attr(v, t->names[i]), t->types[i], depth + 1);
      tf_path_pop(&x->path);
      if (rc < 0) return -1;
    }
    return 0;
  default:
    return fail(x, "cannot encode a known value of type %s", kind_name(t->kind));
  }
}

static int encode(enc *x, const tf_value *v, const tf_type *t, int depth) {
  if (depth > TF_MAX_DEPTH) return fail(x, "value is nested too deeply (limit %d)", TF_MAX_DEPTH);
  if (!v) return fail(x, "missing value");
  if (v->state == TF_V_UNKNOWN) return pack_unknown(x, v, t);
  if (v->state == TF_V_NULL) {
    msgpack_pack_nil(&x->pk);
    return 0;
  }
  if (t->kind == TF_DYNAMIC) {
    /* [bin typeJSON, value]; null and unknown stay unwrapped (spec 3.5). */
    if (v->type->kind == TF_DYNAMIC) return fail(x, "a known value has no concrete type");
    char *tj = tf_type_to_json(v->type);
    if (!tj) return fail(x, "out of memory");
    msgpack_pack_array(&x->pk, 2);
    msgpack_pack_bin(&x->pk, strlen(tj));
    msgpack_pack_bin_body(&x->pk, tj, strlen(tj));
    free(tj);
    return encode_known(x, v, v->type, depth + 1);
  }
  return encode_known(x, v, t, depth);
}

int tf_msgpack_encode(const tf_value *v, const tf_type *t, uint8_t **out, size_t *out_len,
                      tf_diags *d) {
  *out = NULL;
  *out_len = 0;
  enc x = {.d = d};
  if (!t) return fail(&x, "no type given");
  outbuf ob = {.oom = false};
  msgpack_sbuffer_init(&ob.sb);
  msgpack_packer_init(&x.pk, &ob, outbuf_write);
  tf_path_init(&x.path);
  int rc = encode(&x, v, t, 0);
  tf_path_free(&x.path);
  if (rc == 0 && (ob.oom || !ob.sb.size)) rc = fail(&x, "out of memory");
  if (rc < 0) {
    msgpack_sbuffer_destroy(&ob.sb);
    return -1;
  }
  /* msgpack_sbuffer_release hands over the malloc'd buffer. */
  *out_len = ob.sb.size;
  *out = (uint8_t *)msgpack_sbuffer_release(&ob.sb);
  return 0;
}

/*
 * tf — Terraform's value model (go-cty) in C: types, values, the msgpack and
 * JSON wire codecs, provider schemas and diagnostics with attribute paths.
 *
 * Ownership: every constructor returns an object the caller owns and frees with
 * the matching *_free or *_unref. Functions that take a value "adopt" it only when
 * their name says so (…_adopt / …_take); otherwise they copy or borrow.
 * Types are immutable and reference counted (atomically: schema types are shared
 * by concurrent RPCs).
 *
 * Errors: functions return 0 on success and -1 on failure, with the reason added
 * to a tf_diags list.
 */
#ifndef TF_H
#define TF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------- diagnostics ---------- */

typedef enum { TF_PATH_ATTR, TF_PATH_KEY, TF_PATH_INDEX } tf_path_step_kind;

typedef struct {
  tf_path_step_kind kind;
  char *name;    /* TF_PATH_ATTR: attribute or block name; TF_PATH_KEY: map key */
  int64_t index; /* TF_PATH_INDEX */
} tf_path_step;

typedef struct {
  tf_path_step *steps;
  size_t len;
} tf_path;

void tf_path_init(tf_path *p);
void tf_path_free(tf_path *p);
int tf_path_copy(tf_path *dst, const tf_path *src);
int tf_path_push_attr(tf_path *p, const char *name);
int tf_path_push_key(tf_path *p, const char *key);
int tf_path_push_index(tf_path *p, int64_t index);
void tf_path_pop(tf_path *p);
/* Terraform's display form: .a[0]["k"]; caller frees. */
char *tf_path_to_string(const tf_path *p);

typedef enum { TF_ERROR = 1, TF_WARNING = 2 } tf_severity;

typedef struct {
  tf_severity severity;
  char *summary;
  char *detail;
  tf_path path; /* empty = whole object */
} tf_diag;

typedef struct {
  tf_diag *items;
  size_t len, cap;
} tf_diags;

void tf_diags_init(tf_diags *d);
void tf_diags_free(tf_diags *d);
/* path may be NULL. detail is printf-style (may be NULL). Always returns -1 for
 * TF_ERROR (so callers can `return tf_diags_add(...)`), 0 for warnings. */
int tf_diags_add(tf_diags *d, tf_severity sev, const tf_path *path, const char *summary,
                 const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
bool tf_diags_has_error(const tf_diags *d);
/* Moves all of src's items to the end of dst (src is left empty). */
void tf_diags_move(tf_diags *dst, tf_diags *src);

/* ---------- types ---------- */

typedef enum {
  TF_DYNAMIC, /* DynamicPseudoType */
  TF_STRING,
  TF_NUMBER,
  TF_BOOL,
  TF_LIST,
  TF_SET,
  TF_MAP,
  TF_OBJECT,
  TF_TUPLE
} tf_kind;

typedef struct tf_type tf_type;

tf_type *tf_type_primitive(tf_kind kind); /* TF_DYNAMIC, TF_STRING, TF_NUMBER, TF_BOOL */
tf_type *tf_type_collection(tf_kind kind, tf_type *elem_adopt); /* LIST, SET, MAP */
/* names need not be sorted; the type stores them sorted. Adopts every types[i]. */
tf_type *tf_type_object(size_t n, const char *const *names, tf_type **types_adopt);
tf_type *tf_type_tuple(size_t n, tf_type **types_adopt);
tf_type *tf_type_ref(const tf_type *t);
void tf_type_unref(tf_type *t);

tf_kind tf_type_kind(const tf_type *t);
const tf_type *tf_type_elem(const tf_type *t);             /* LIST/SET/MAP */
size_t tf_type_len(const tf_type *t);                      /* OBJECT attrs / TUPLE elems */
const char *tf_type_attr_name(const tf_type *t, size_t i); /* OBJECT, sorted order */
const tf_type *tf_type_at(const tf_type *t, size_t i);     /* OBJECT / TUPLE */
/* Index of an object attribute, or -1. */
long tf_type_attr_index(const tf_type *t, const char *name);
bool tf_type_equal(const tf_type *a, const tf_type *b);
bool tf_type_has_dynamic(const tf_type *t);

/* JSON type encoding, e.g. ["map",["object",{"a":"string"}]]. Caller frees. */
char *tf_type_to_json(const tf_type *t);
tf_type *tf_type_from_json(const char *json, size_t len, tf_diags *d);

/* ---------- values ---------- */

/* Optional refinements of an unknown value (msgpack ext type 12). */
typedef struct {
  int not_null;        /* 1 = definitely not null, 0 = unspecified */
  char *string_prefix; /* NULL = none */
  char *num_lower;     /* decimal text or NULL */
  bool num_lower_incl;
  char *num_upper;
  bool num_upper_incl;
  int64_t len_lower; /* -1 = none */
  int64_t len_upper; /* -1 = none */
} tf_refinements;

typedef struct tf_value tf_value;

/* The value's type. For known values under a dynamic type this is the concrete type. */
const tf_type *tf_value_type(const tf_value *v);
bool tf_value_is_null(const tf_value *v);
bool tf_value_is_known(const tf_value *v);                     /* false for unknown */
bool tf_value_is_wholly_known(const tf_value *v);              /* no unknown anywhere inside */
const tf_refinements *tf_value_refinements(const tf_value *v); /* NULL if none */

tf_value *tf_value_null(const tf_type *t);
tf_value *tf_value_unknown(const tf_type *t);
tf_value *tf_value_string(const char *s);
tf_value *tf_value_string_len(const char *s, size_t len);
tf_value *tf_value_bool(bool b);
tf_value *tf_value_number_i64(int64_t n);
/* Decimal text as Terraform writes it ("12", "-0.1", "1e+100" accepted); NULL if invalid. */
tf_value *tf_value_number_text(const char *text);
tf_value *tf_value_number_double(double d);

/* Collections: t is the full collection/object/tuple type. Elements are adopted.
 * For LIST/SET/TUPLE: keys must be NULL. For MAP: keys[i] names items[i].
 * For OBJECT: keys[i] names items[i]; attributes not given become null. */
tf_value *tf_value_collection(const tf_type *t, size_t n, const char *const *keys,
                              tf_value **items_adopt);
/* An object of type t with every attribute null, to be filled with tf_value_set_attr. */
tf_value *tf_value_object_empty(const tf_type *t);
/* Replaces attribute `name` of a known object; adopts v. Returns -1 if no such attribute. */
int tf_value_set_attr(tf_value *obj, const char *name, tf_value *v_adopt);

/* Accessors (borrowed pointers). */
const char *tf_value_str(const tf_value *v); /* TF_STRING, NUL-terminated */
size_t tf_value_str_len(const tf_value *v);
bool tf_value_get_bool(const tf_value *v);
const char *tf_value_num_text(const tf_value *v); /* canonical decimal text */
/* 0 if the number is an integer in int64 range, else -1. */
int tf_value_num_i64(const tf_value *v, int64_t *out);
double tf_value_num_double(const tf_value *v);
size_t tf_value_len(const tf_value *v);                   /* collections, objects, tuples */
const tf_value *tf_value_at(const tf_value *v, size_t i); /* by position (map: sorted keys) */
const char *tf_value_key_at(const tf_value *v, size_t i); /* MAP/OBJECT key of position i */
const tf_value *tf_value_get_attr(const tf_value *obj, const char *name); /* NULL if absent */
const tf_value *tf_value_map_get(const tf_value *map, const char *key);

tf_value *tf_value_copy(const tf_value *v);
void tf_value_free(tf_value *v);
/* Structural equality of two values, unknowns equal only to unknowns (refinements
 * ignored), numbers compared by value, sets regardless of order. */
bool tf_value_equal(const tf_value *a, const tf_value *b);
/* Debug/diagnostic rendering in Terraform's style: "x", 3, true, null, (known after apply). */
char *tf_value_to_display(const tf_value *v);

/* ---------- codecs ---------- */

/* msgpack per cty: decode against the expected type (the schema's implied type). */
int tf_msgpack_decode(const uint8_t *buf, size_t len, const tf_type *t, tf_value **out,
                      tf_diags *d);
/* Encode v as type t (dynamic wrapping where t is dynamic). *out is malloc'd. */
int tf_msgpack_encode(const tf_value *v, const tf_type *t, uint8_t **out, size_t *out_len,
                      tf_diags *d);

/* JSON per cty (state files): missing object attributes decode as null, attributes not
 * in the type are dropped (Terraform's own fix-ups on state). */
int tf_json_decode(const char *buf, size_t len, const tf_type *t, tf_value **out, tf_diags *d);
int tf_json_encode(const tf_value *v, const tf_type *t, char **out, tf_diags *d);

/* ---------- schemas ---------- */

typedef enum {
  TF_NEST_SINGLE = 1,
  TF_NEST_LIST = 2,
  TF_NEST_SET = 3,
  TF_NEST_MAP = 4,
  TF_NEST_GROUP = 5
} tf_nesting;

typedef struct tf_block tf_block;

typedef struct {
  char *name;
  tf_type *type; /* owned */
  char *description;
  bool required, optional, computed, sensitive, deprecated;
} tf_attribute;

typedef struct {
  char *name;
  tf_nesting nesting;
  int64_t min_items, max_items;
  tf_block *block; /* owned */
} tf_nested_block;

struct tf_block {
  tf_attribute *attrs;
  size_t n_attrs;
  tf_nested_block *blocks;
  size_t n_blocks;
  char *description;
  bool deprecated;
};

/* Flags for tf_block_attr. */
enum {
  TF_REQUIRED = 1 << 0,
  TF_OPTIONAL = 1 << 1,
  TF_COMPUTED = 1 << 2,
  TF_SENSITIVE = 1 << 3,
  TF_DEPRECATED = 1 << 4
};

tf_block *tf_block_new(const char *description);
/* Adds an attribute; adopts type. Returns b for chaining-style building. */
tf_block *tf_block_attr(tf_block *b, const char *name, tf_type *type_adopt, unsigned flags,
                        const char *description);
/* Adds a nested block; adopts child. */
tf_block *tf_block_nested(tf_block *b, const char *name, tf_nesting nesting, int64_t min_items,
                          int64_t max_items, tf_block *child_adopt);
void tf_block_free(tf_block *b);
const tf_attribute *tf_block_find_attr(const tf_block *b, const char *name);
const tf_nested_block *tf_block_find_block(const tf_block *b, const char *name);

/* The implied type of a block (the shape of every DynamicValue for it). */
tf_type *tf_block_implied_type(const tf_block *b);
/* Terraform's own schema checks (internal_validate); errors name the attribute. */
int tf_block_validate(const tf_block *b, tf_diags *d);
/* The value Terraform sends for an absent block: attrs null, LIST/SET empty, MAP empty. */
tf_value *tf_block_empty_value(const tf_block *b);

#endif

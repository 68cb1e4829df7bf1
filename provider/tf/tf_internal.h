/*
 * Private definitions shared by the provider/tf implementation files.
 */
#ifndef TF_INTERNAL_H
#define TF_INTERNAL_H

#include <stdatomic.h>

#include "tf/tf.h"

/* Recursion cap for every decoder (msgpack, JSON, type JSON). Terraform values
 * nest far less deeply; the cap only protects the C stack from hostile input. */
#define TF_MAX_DEPTH 512

struct tf_type {
  atomic_long refs;
  bool immortal; /* the static primitive singletons are never freed */
  tf_kind kind;
  tf_type *elem;   /* LIST/SET/MAP */
  size_t n;        /* OBJECT/TUPLE */
  char **names;    /* OBJECT: sorted attribute names */
  tf_type **types; /* OBJECT/TUPLE */
};

typedef enum { TF_V_KNOWN = 0, TF_V_NULL, TF_V_UNKNOWN } tf_vstate;

struct tf_value {
  tf_type *type; /* owned reference */
  tf_vstate state;
  tf_refinements *refn; /* unknowns only; NULL = none */
  union {
    bool b;
    struct {
      char *p;
      size_t len;
    } s;
    struct {
      char *text;   /* canonical decimal text */
      bool has_dbl; /* the number came from a binary double: re-encode as float64 */
      double dbl;
    } num;
    struct {
      tf_value **items; /* OBJECT: in the type's sorted attribute order */
      char **keys;      /* MAP only: sorted, unique */
      size_t n;
    } c;
  } u;
};

/* ---- tf_type.c ---- */
int tf_type_cmp(const tf_type *a, const tf_type *b);

/* ---- tf_number.c ---- */
/* Canonical text of a decimal number (Go big.Float 'f' style, "-0" → "0");
 * NULL if text is not a number. Also accepts "Infinity"/"-Infinity". */
char *tf_num_canonical(const char *text, size_t len);
/* Canonical text of a double (shortest round-trip digits); NULL for NaN. */
char *tf_num_from_double(double d);
/* true and *out set if the canonical text is an integer in int64 range. */
bool tf_num_to_i64(const char *canon, int64_t *out);
/* true and *out set if the canonical text is exactly a float64 value. */
bool tf_num_exact_double(const char *canon, double *out);
bool tf_num_is_inf(const char *canon, int *sign);

/* ---- tf_value.c ---- */
tf_value *tf_value_alloc(const tf_type *t, tf_vstate state);
tf_value *tf_value_number_canon_take(char *canon); /* adopts canon text */
/* Builds a set value: deduplicates items and sorts them; adopts items. */
tf_value *tf_value_set_take(const tf_type *t, size_t n, tf_value **items);
/* Total order on values consistent with tf_value_equal. */
int tf_value_cmp(const tf_value *a, const tf_value *b);
tf_refinements *tf_refinements_copy(const tf_refinements *r);
void tf_refinements_free(tf_refinements *r);
/* Attaches refinements to an unknown value (adopted; dropped when they do not
 * apply to the value's type or are empty). */
void tf_value_set_refinements(tf_value *v, tf_refinements *r_adopt);

/* ---- small string helpers ---- */
char *tf_strdup(const char *s);
char *tf_strndup(const char *s, size_t n);

/* A growable byte buffer used by the display and path renderers. */
typedef struct {
  char *p;
  size_t len, cap;
  bool oom;
} tf_buf;

void tf_buf_put(tf_buf *b, const char *s, size_t n);
void tf_buf_puts(tf_buf *b, const char *s);
void tf_buf_printf(tf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes s as a JSON/HCL style quoted string. */
void tf_buf_quote(tf_buf *b, const char *s, size_t n);
/* Returns the NUL-terminated string (caller frees) or NULL after OOM. */
char *tf_buf_finish(tf_buf *b);

#endif

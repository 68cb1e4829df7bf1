/* engine/manifest — declarations shared between the module's files. */
#ifndef GITOPS_ENGINE_MANIFEST_INTERNAL_H
#define GITOPS_ENGINE_MANIFEST_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include "engine/manifest/manifest.h"

#if defined(__GNUC__)
#define MF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MF_PRINTF(a, b)
#endif

/* ---- errors (mf_error.c) ---- */
int mf_err_set(mf_error *err, int code, const char *file, int line, int column, const char *fmt,
               ...) MF_PRINTF(6, 7);
int mf_err_oom(mf_error *err, const char *file);

/* ---- growable string (mf_buf.c) ---- */
typedef struct mf_buf {
  char *ptr;
  size_t len, cap;
  int oom;
} mf_buf;
void mf_buf_put(mf_buf *b, const char *s, size_t n);
void mf_buf_puts(mf_buf *b, const char *s);
void mf_buf_putc(mf_buf *b, char c);
void mf_buf_printf(mf_buf *b, const char *fmt, ...) MF_PRINTF(2, 3);
char *mf_buf_detach(mf_buf *b); /* NUL-terminated, NULL if oom */
void mf_buf_free(mf_buf *b);

/* ---- numbers (mf_number.c) ---- */
/* Go strconv.FormatFloat(v, 'g', -1, bits) (bits 32 or 64); v finite. */
void mf_fmt_go_g(double v, int bits, char *out, size_t cap);
/* Go encoding/json float64 text (-0 as 0, as Kubernetes reads it); v finite. */
void mf_fmt_go_json(double v, char *out, size_t cap);
/* Go strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) (no underscores). */
bool mf_go_parse_int(const char *s, int64_t *out);
bool mf_go_parse_uint(const char *s, uint64_t *out);
/* Go strconv.ParseFloat(s, 64) for decimal syntax (with Go's underscore
 * rule); false on syntax error or overflow to infinity. */
bool mf_go_parse_float(const char *s, double *out);
/* Whether s is a JSON number (RFC 8259 grammar). */
bool mf_is_json_number(const char *s, size_t len);
cJSON *mf_raw_number(const char *text);

/* ---- yaml.v2 scalar resolution (mf_resolve.c) ---- */
typedef enum {
  MF_R_STR,
  MF_R_NULL,
  MF_R_BOOL,
  MF_R_INT,       /* int64 / uint64: text in .num (canonical decimal) */
  MF_R_FLOAT,     /* .f (finite or not) */
  MF_R_BIGINT,    /* integer text that yaml.v2 reads as a float64: exact digits in .num */
  MF_R_TIMESTAMP, /* a string for JSON purposes */
  MF_R_MERGE,
  MF_R_BINARY
} mf_rkind;

typedef struct mf_resolved {
  mf_rkind kind;
  bool b;
  bool is_unsigned; /* MF_R_INT beyond int64 */
  int64_t i;
  uint64_t u;
  double f;
  char num[400]; /* canonical number text (INT, BIGINT) */
} mf_resolved;

#define MF_TAG_PREFIX "tag:yaml.org,2002:"
/* resolve(tag, in) of yaml.v2: tag is "" or a long tag. Returns 0, or -1
 * when an explicit tag does not fit the value (yaml.v2's "cannot decode"). */
int mf_resolve(const char *tag, const char *in, size_t len, mf_resolved *out);
bool mf_is_base60_float(const char *s);
bool mf_go_is_timestamp(const char *s, size_t len);
const char *mf_short_tag(const char *tag, char *buf, size_t cap);

/* ---- UTF-8 (mf_utf8.c) ---- */
/* Length of the valid UTF-8 sequence at s (Go's rules), 0 if invalid. */
size_t mf_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);
bool mf_utf8_valid(const char *s, size_t n);
/* Copy with invalid sequences replaced by U+FFFD (as Go's encoding/json). */
char *mf_utf8_sanitize(const char *s, size_t n);

/* ---- objects (mf_objects.c) ---- */
/* Applies the object rules (non-mapping, List expansion, apiVersion/kind)
 * to one decoded document and appends the results to out (takes v). */
int mf_docs_add_document(mf_docs *out, cJSON *v, int line, const char *file, const mf_parse_opts *o,
                         mf_error *err);
void mf_docs_truncate(mf_docs *docs, size_t count);
/* Back to count items, and to no array at all if there was none: how an
 * mf_docs is left when a call fails. */
void mf_docs_restore(mf_docs *docs, size_t count, bool had_items);
/* mf_parse_ex that also tells how many objects it had appended when it
 * failed (mf_parse.c). */
int mf_parse_counted(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                     mf_docs *out, mf_error *err, size_t *parsed);
/* One strict JSON value (mf_json_parse.c). */
int mf_json_value(const char *buf, size_t len, const char *file, const mf_parse_opts *opts,
                  cJSON **out, mf_error *err);

/* ---- globs (mf_glob.c): 1 match, 0 no match, -1 malformed ---- */
int mf_glob_match_ex(const char *pattern, const char *path);

/* ---- sorting helpers ---- */
int mf_yaml_key_cmp(const char *a, const char *b); /* yaml.v2 keyList.Less as a comparator */

#endif

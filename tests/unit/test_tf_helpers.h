/*
 * Helpers shared by the tf unit tests (header-only, included by test_tf_*.c).
 */
#ifndef TEST_TF_HELPERS_H
#define TEST_TF_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tf/tf.h"

/* "83 a2 69 64" → bytes; spaces ignored. Caller frees. */
static inline uint8_t *hex_bytes(const char *hex, size_t *len) {
  uint8_t *out = malloc(strlen(hex) / 2 + 1);
  size_t n = 0;
  int hi = -1;
  for (const char *p = hex; *p; p++) {
    int v;
    if (*p >= '0' && *p <= '9')
      v = *p - '0';
    else if (*p >= 'a' && *p <= 'f')
      v = *p - 'a' + 10;
    else if (*p >= 'A' && *p <= 'F')
      v = *p - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out[n++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  *len = n;
  return out;
}

/* bytes → "83a26964" (no spaces). Caller frees. */
static inline char *bytes_hex(const uint8_t *b, size_t len) {
  char *s = malloc(len * 2 + 1);
  for (size_t i = 0; i < len; i++)
    sprintf(s + 2 * i, "%02x", b[i]);
  s[len * 2] = '\0';
  return s;
}

/* The hex string with spaces removed, for comparisons. */
static inline char *hex_norm(const char *hex) {
  size_t n;
  uint8_t *b = hex_bytes(hex, &n);
  char *s = bytes_hex(b, n);
  free(b);
  return s;
}

static inline tf_type *type_of(const char *json) {
  tf_diags d;
  tf_diags_init(&d);
  tf_type *t = tf_type_from_json(json, strlen(json), &d);
  if (!t) fail_msg("bad type JSON %s: %s", json, d.len ? d.items[0].detail : "?");
  tf_diags_free(&d);
  return t;
}

/* Decodes hex as type JSON; fails the test on error. */
static inline tf_value *mp_decode_ok(const char *type_json, const char *hex) {
  tf_type *t = type_of(type_json);
  size_t n;
  uint8_t *b = hex_bytes(hex, &n);
  tf_diags d;
  tf_diags_init(&d);
  tf_value *v = NULL;
  int rc = tf_msgpack_decode(b, n, t, &v, &d);
  if (rc != 0)
    fail_msg("decode %s as %s failed: %s", hex, type_json,
             d.len && d.items[0].detail ? d.items[0].detail : "?");
  assert_int_equal(d.len, 0);
  tf_diags_free(&d);
  free(b);
  tf_type_unref(t);
  return v;
}

/* Decoding must fail; returns the first diagnostic detail (caller frees). */
static inline char *mp_decode_err(const char *type_json, const char *hex) {
  tf_type *t = type_of(type_json);
  size_t n;
  uint8_t *b = hex_bytes(hex, &n);
  tf_diags d;
  tf_diags_init(&d);
  tf_value *v = (tf_value *)1;
  int rc = tf_msgpack_decode(b, n, t, &v, &d);
  if (rc != -1) fail_msg("decode %s as %s unexpectedly succeeded", hex, type_json);
  assert_null(v);
  assert_true(tf_diags_has_error(&d));
  char *detail = strdup(d.items[0].detail ? d.items[0].detail : "");
  tf_diags_free(&d);
  free(b);
  tf_type_unref(t);
  return detail;
}

/* Encodes v as type JSON; returns hex (caller frees). */
static inline char *mp_encode_hex(const tf_value *v, const char *type_json) {
  tf_type *t = type_of(type_json);
  tf_diags d;
  tf_diags_init(&d);
  uint8_t *out = NULL;
  size_t len = 0;
  if (tf_msgpack_encode(v, t, &out, &len, &d) != 0)
    fail_msg("encode as %s failed: %s", type_json, d.len ? d.items[0].detail : "?");
  char *hex = bytes_hex(out, len);
  free(out);
  tf_diags_free(&d);
  tf_type_unref(t);
  return hex;
}

/* decode(hex) then encode must give back exactly the same bytes. */
static inline void mp_roundtrip(const char *type_json, const char *hex) {
  tf_value *v = mp_decode_ok(type_json, hex);
  char *got = mp_encode_hex(v, type_json);
  char *want = hex_norm(hex);
  assert_string_equal(got, want);
  free(got);
  free(want);
  tf_value_free(v);
}

static inline void assert_display(const tf_value *v, const char *want) {
  char *s = tf_value_to_display(v);
  assert_string_equal(s, want);
  free(s);
}

#endif

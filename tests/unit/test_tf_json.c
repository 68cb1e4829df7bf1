/*
 * JSON value codec (state files) and type JSON.
 */
#include <pthread.h>

#include "test_tf_helpers.h"

static tf_value *json_ok(const char *type_json, const char *json) {
  tf_type *t = type_of(type_json);
  tf_diags d;
  tf_diags_init(&d);
  tf_value *v = NULL;
  if (tf_json_decode(json, strlen(json), t, &v, &d) != 0)
    fail_msg("json decode %s failed: %s", json, d.len ? d.items[0].detail : "?");
  tf_diags_free(&d);
  tf_type_unref(t);
  return v;
}

static char *json_err(const char *type_json, const char *json) {
  tf_type *t = type_of(type_json);
  tf_diags d;
  tf_diags_init(&d);
  tf_value *v = NULL;
  if (tf_json_decode(json, strlen(json), t, &v, &d) != -1)
    fail_msg("json decode %s unexpectedly succeeded", json);
  assert_null(v);
  char *e = strdup(d.items[0].detail);
  tf_diags_free(&d);
  tf_type_unref(t);
  return e;
}

static char *json_enc(const tf_value *v, const char *type_json) {
  tf_type *t = type_of(type_json);
  tf_diags d;
  tf_diags_init(&d);
  char *out = NULL;
  if (tf_json_encode(v, t, &out, &d) != 0)
    fail_msg("json encode failed: %s", d.len ? d.items[0].detail : "?");
  tf_diags_free(&d);
  tf_type_unref(t);
  return out;
}

static void json_roundtrip(const char *type_json, const char *json) {
  tf_value *v = json_ok(type_json, json);
  char *out = json_enc(v, type_json);
  assert_string_equal(out, json);
  free(out);
  tf_value_free(v);
}

static void test_json_values(void **state) {
  (void)state;
  json_roundtrip("\"string\"", "\"a\\\"b\\n\"");
  json_roundtrip("\"number\"", "42");
  json_roundtrip("\"number\"", "-1.5");
  json_roundtrip("\"number\"", "0.1");
  json_roundtrip("\"number\"", "9007199254740992");
  json_roundtrip("\"bool\"", "true");
  json_roundtrip("\"string\"", "null");
  json_roundtrip("[\"list\",\"number\"]", "[1,2,3]");
  json_roundtrip("[\"set\",\"string\"]", "[\"a\",\"b\"]");
  json_roundtrip("[\"map\",\"bool\"]", "{\"a\":true,\"b\":false}");
  json_roundtrip("[\"tuple\",[\"string\",\"number\"]]", "[\"x\",1]");
  json_roundtrip("[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"number\"]}]",
                 "{\"a\":\"x\",\"b\":[1,2]}");
  /* dynamic: {"value": V, "type": T} */
  json_roundtrip("\"dynamic\"", "{\"value\":\"hi\",\"type\":\"string\"}");
  json_roundtrip("[\"object\",{\"d\":\"dynamic\"}]",
                 "{\"d\":{\"value\":{\"k\":[1]},\"type\":[\"map\",[\"list\",\"number\"]]}}");
  tf_value *v = json_ok("\"dynamic\"", "{\"type\":\"number\",\"value\":5}");
  assert_int_equal(tf_type_kind(tf_value_type(v)), TF_NUMBER);
  tf_value_free(v);
  v = json_ok("\"dynamic\"", "null");
  assert_true(tf_value_is_null(v));
  tf_value_free(v);

  /* cty's conversions: strings for numbers and bools, numbers and bools for strings */
  v = json_ok("\"number\"", "\"12.50\"");
  assert_string_equal(tf_value_num_text(v), "12.5");
  tf_value_free(v);
  v = json_ok("\"bool\"", "\"true\"");
  assert_true(tf_value_get_bool(v));
  tf_value_free(v);
  v = json_ok("\"string\"", "12");
  assert_string_equal(tf_value_str(v), "12");
  tf_value_free(v);
  v = json_ok("\"string\"", "1.50e2"); /* cty keeps a number's JSON text */
  assert_string_equal(tf_value_str(v), "1.50e2");
  tf_value_free(v);
  v = json_ok("\"string\"", "false");
  assert_string_equal(tf_value_str(v), "false");
  tf_value_free(v);
}

static void test_json_state_fixups(void **state) {
  (void)state;
  const char *t = "[\"object\",{\"id\":\"string\",\"name\":\"string\",\"size\":\"number\"}]";
  /* missing attributes become null, attributes not in the schema are dropped */
  tf_value *v = json_ok(t, "{\"id\":\"i-1\",\"old\":[1,2],\"size\":3}");
  assert_true(tf_value_is_null(tf_value_get_attr(v, "name")));
  assert_null(tf_value_get_attr(v, "old"));
  char *out = json_enc(v, t);
  assert_string_equal(out, "{\"id\":\"i-1\",\"name\":null,\"size\":3}");
  free(out);
  /* and the result encodes as the full object in msgpack */
  char *hex = mp_encode_hex(v, t);
  char *want = hex_norm("83 a2 69 64 a3 69 2d 31 a4 6e 61 6d 65 c0 a4 73 69 7a 65 03");
  assert_string_equal(hex, want);
  free(hex);
  free(want);
  tf_value_free(v);

  /* a JSON number decodes as a decimal (cty parses it so): 0.1 goes to msgpack as "0.1" */
  v = json_ok("\"number\"", "0.1");
  hex = mp_encode_hex(v, "\"number\"");
  assert_string_equal(hex, "a3302e31");
  free(hex);
  tf_value_free(v);
}

static void test_json_numbers_exact_on_encode(void **state) {
  (void)state;
  /* decoding keeps the exact literal too, beyond what a double holds */
  json_roundtrip("[\"list\",\"number\"]",
                 "[18446744073709551617,0.30000000000000000001,-9223372036854775809,1]");
  tf_value *big = json_ok("[\"object\",{\"n\":\"number\",\"s\":\"string\"}]",
                          "{\"s\":\"1,2\\\"3 -4\",\"x\":[5,6e1],\"n\":1e+30}");
  assert_string_equal(tf_value_num_text(tf_value_get_attr(big, "n")),
                      "1000000000000000000000000000000");
  tf_value_free(big);
  const char *texts[] = {"18446744073709551616", "123456789012345678901234567890.123", "0.1", "-7",
                         "1e-7"};
  const char *want[] = {"18446744073709551616", "123456789012345678901234567890.123", "0.1", "-7",
                        "0.0000001"};
  for (size_t i = 0; i < 5; i++) {
    tf_value *v = tf_value_number_text(texts[i]);
    char *out = json_enc(v, "\"number\"");
    assert_string_equal(out, want[i]);
    free(out);
    tf_value_free(v);
  }
  /* a string with a NUL byte is escaped rather than cut */
  tf_value *s = tf_value_string_len("a\0b", 3);
  char *out = json_enc(s, "\"string\"");
  assert_string_equal(out, "\"a\\u0000b\"");
  free(out);
  tf_value_free(s);
}

static void test_json_errors(void **state) {
  (void)state;
  char *e;
  free(json_err("\"string\"", "{"));
  free(json_err("\"string\"", "\"a\" x"));
  free(json_err("\"string\"", "[1]"));
  e = json_err("\"number\"", "true");
  assert_string_equal(e, "number is required");
  free(e);
  free(json_err("\"number\"", "\"abc\""));
  free(json_err("\"bool\"", "\"yes\""));
  free(json_err("[\"list\",\"string\"]", "{}"));
  free(json_err("[\"map\",\"string\"]", "[]"));
  free(json_err("[\"object\",{\"a\":\"string\"}]", "[]"));
  e = json_err("[\"tuple\",[\"string\",\"string\"]]", "[\"a\"]");
  assert_string_equal(e, "not enough tuple elements (need 2)");
  free(e);
  e = json_err("[\"tuple\",[\"string\"]]", "[\"a\",\"b\"]");
  assert_string_equal(e, "too many tuple elements (need 1)");
  free(e);
  e = json_err("\"dynamic\"", "{\"value\":1}");
  assert_string_equal(e, "missing type in dynamically-typed value");
  free(e);
  free(json_err("\"dynamic\"", "{\"type\":\"string\"}"));
  free(json_err("\"dynamic\"", "{\"type\":\"strin\",\"value\":\"x\"}"));
  free(json_err("\"dynamic\"", "{\"type\":\"string\",\"value\":\"x\",\"x\":1}"));
  free(json_err("\"dynamic\"", "\"x\""));
  free(json_err("\"number\"", "1e99999"));

  /* path in the diagnostic */
  tf_type *t = type_of("[\"object\",{\"a\":[\"list\",\"number\"]}]");
  tf_diags d;
  tf_diags_init(&d);
  tf_value *v;
  assert_int_equal(tf_json_decode("{\"a\":[1,\"x\"]}", 13, t, &v, &d), -1);
  char *p = tf_path_to_string(&d.items[0].path);
  assert_string_equal(p, ".a[1]");
  free(p);
  tf_diags_free(&d);
  /* NUL inside the buffer */
  assert_int_equal(tf_json_decode("{}\0", 3, t, &v, &d), -1);
  tf_diags_free(&d);
  tf_type_unref(t);

  /* deep nesting */
  char *deep = malloc(4000);
  deep[0] = '\0';
  for (int i = 0; i < 1500; i++)
    strcat(deep, "[");
  free(json_err("\"dynamic\"", deep));
  free(deep);

  /* unknowns cannot be written as JSON */
  tf_value *u = tf_value_unknown(tf_type_primitive(TF_STRING));
  t = type_of("\"string\"");
  char *out = NULL;
  assert_int_equal(tf_json_encode(u, t, &out, &d), -1);
  assert_null(out);
  tf_diags_free(&d);
  tf_value_free(u);
  tf_type_unref(t);
}

/* ---------- type JSON ---------- */

static void type_rt(const char *json, const char *canon) {
  tf_type *t = type_of(json);
  char *s = tf_type_to_json(t);
  assert_string_equal(s, canon ? canon : json);
  free(s);
  tf_type_unref(t);
}

static void test_type_json(void **state) {
  (void)state;
  type_rt("\"string\"", NULL);
  type_rt("\"number\"", NULL);
  type_rt("\"bool\"", NULL);
  type_rt("\"dynamic\"", NULL);
  type_rt("[\"list\",\"string\"]", NULL);
  type_rt("[\"set\",[\"map\",\"number\"]]", NULL);
  type_rt("[\"map\",[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"number\"]}]]", NULL);
  type_rt("[\"tuple\",[\"string\",\"bool\"]]", NULL);
  type_rt("[\"tuple\",[]]", NULL);
  type_rt("[\"object\",{}]", NULL);
  type_rt(" [ \"object\" , { \"b\" : \"string\" , \"a\" : \"number\" } ] ",
          "[\"object\",{\"a\":\"number\",\"b\":\"string\"}]");
  /* optional attribute list accepted and ignored */
  type_rt("[\"object\",{\"a\":\"string\"},[\"a\"]]", "[\"object\",{\"a\":\"string\"}]");

  const char *bad[] = {"",
                       "strin",
                       "\"strin\"",
                       "1",
                       "[]",
                       "[\"list\"]",
                       "[\"list\",\"string\",\"x\"]",
                       "[\"lisst\",\"string\"]",
                       "[1,\"string\"]",
                       "[\"object\",[\"a\"]]",
                       "[\"object\",{\"a\":\"string\"},[\"a\"],1]",
                       "[\"object\",{\"a\":\"string\"},3]",
                       "[\"object\",{\"a\":\"string\",\"a\":\"number\"}]",
                       "[\"object\",{\"a\":\"nope\"}]",
                       "[\"tuple\",{}]",
                       "[\"tuple\",[\"string\"],1]",
                       "\"string\" x",
                       "{\"list\":\"string\"}"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    tf_diags d;
    tf_diags_init(&d);
    tf_type *t = tf_type_from_json(bad[i], strlen(bad[i]), &d);
    if (t) fail_msg("type JSON %s accepted", bad[i]);
    assert_true(tf_diags_has_error(&d));
    tf_diags_free(&d);
  }
  /* deep nesting is capped */
  char *deep = malloc(600 * 9 + 20);
  deep[0] = '\0';
  for (int i = 0; i < 600; i++)
    strcat(deep, "[\"list\",");
  strcat(deep, "\"string\"");
  for (int i = 0; i < 600; i++)
    strcat(deep, "]");
  tf_diags d;
  tf_diags_init(&d);
  assert_null(tf_type_from_json(deep, strlen(deep), &d));
  assert_non_null(strstr(d.items[0].detail, "nested too deeply"));
  tf_diags_free(&d);
  free(deep);
}

static void test_type_api(void **state) {
  (void)state;
  tf_type *t = type_of("[\"object\",{\"b\":[\"list\",\"dynamic\"],\"a\":\"string\"}]");
  assert_int_equal(tf_type_kind(t), TF_OBJECT);
  assert_int_equal(tf_type_len(t), 2);
  assert_string_equal(tf_type_attr_name(t, 0), "a");
  assert_int_equal(tf_type_attr_index(t, "b"), 1);
  assert_int_equal(tf_type_attr_index(t, "c"), -1);
  assert_true(tf_type_has_dynamic(t));
  assert_int_equal(tf_type_kind(tf_type_elem(tf_type_at(t, 1))), TF_DYNAMIC);
  tf_type *u = type_of("[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"dynamic\"]}]");
  assert_true(tf_type_equal(t, u));
  tf_type *w = type_of("[\"object\",{\"a\":\"string\",\"b\":[\"set\",\"dynamic\"]}]");
  assert_false(tf_type_equal(t, w));
  assert_false(tf_type_has_dynamic(tf_type_at(w, 0)));
  tf_type_unref(u);
  tf_type_unref(w);

  /* constructors adopt, and reject bad input without leaking */
  const char *names[] = {"x", "x"};
  tf_type *types[] = {tf_type_primitive(TF_STRING),
                      tf_type_collection(TF_LIST, tf_type_primitive(TF_BOOL))};
  assert_null(tf_type_object(2, names, types));
  assert_null(tf_type_collection(TF_OBJECT, tf_type_primitive(TF_STRING)));
  assert_null(tf_type_collection(TF_LIST, NULL));
  assert_null(tf_type_primitive(TF_LIST));
  tf_type *tt[] = {tf_type_ref(t), NULL};
  assert_null(tf_type_tuple(2, tt));
  tf_type_unref(t);
}

static void *ref_worker(void *arg) {
  tf_type *t = arg;
  for (int i = 0; i < 100000; i++) {
    tf_type *r = tf_type_ref(t);
    tf_type_unref(r);
  }
  return NULL;
}

static void test_type_refcount_threads(void **state) {
  (void)state;
  tf_type *t = type_of("[\"map\",[\"object\",{\"a\":\"string\"}]]");
  pthread_t th[8];
  for (int i = 0; i < 8; i++)
    pthread_create(&th[i], NULL, ref_worker, t);
  for (int i = 0; i < 8; i++)
    pthread_join(th[i], NULL);
  char *s = tf_type_to_json(t);
  assert_string_equal(s, "[\"map\",[\"object\",{\"a\":\"string\"}]]");
  free(s);
  tf_type_unref(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_values),
      cmocka_unit_test(test_json_state_fixups),
      cmocka_unit_test(test_json_numbers_exact_on_encode),
      cmocka_unit_test(test_json_errors),
      cmocka_unit_test(test_type_json),
      cmocka_unit_test(test_type_api),
      cmocka_unit_test(test_type_refcount_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

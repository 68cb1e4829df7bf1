/*
 * msgpack codec: every type, numbers, unknowns and refinements, the dynamic
 * wrapper, the spec's worked examples and malformed input.
 */
#include "test_tf_helpers.h"

#define OBJ3 "[\"object\",{\"id\":\"string\",\"name\":\"string\",\"size\":\"number\"}]"

static void test_primitives(void **state) {
  (void)state;
  tf_value *v = mp_decode_ok("\"string\"", "a2 68 69");
  assert_string_equal(tf_value_str(v), "hi");
  assert_int_equal(tf_value_str_len(v), 2);
  tf_value_free(v);

  v = mp_decode_ok("\"string\"", "c4 02 68 69"); /* bin accepted as string */
  assert_string_equal(tf_value_str(v), "hi");
  char *hex = mp_encode_hex(v, "\"string\"");
  assert_string_equal(hex, "a26869"); /* but always written as str */
  free(hex);
  tf_value_free(v);

  v = mp_decode_ok("\"string\"", "a3 61 00 62"); /* embedded NUL kept */
  assert_int_equal(tf_value_str_len(v), 3);
  tf_value_free(v);

  mp_roundtrip("\"string\"", "a0");
  mp_roundtrip("\"string\"", "d9 20 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 "
                             "61 61 61 61 61 61 61 61 61 61 61 61");
  mp_roundtrip("\"bool\"", "c3");
  mp_roundtrip("\"bool\"", "c2");
  v = mp_decode_ok("\"bool\"", "c3");
  assert_true(tf_value_get_bool(v));
  tf_value_free(v);

  const char *types[] = {"\"string\"",
                         "\"number\"",
                         "\"bool\"",
                         "\"dynamic\"",
                         "[\"list\",\"string\"]",
                         "[\"set\",\"number\"]",
                         "[\"map\",\"bool\"]",
                         OBJ3,
                         "[\"tuple\",[\"string\"]]"};
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    v = mp_decode_ok(types[i], "c0");
    assert_true(tf_value_is_null(v));
    assert_true(tf_value_is_known(v));
    tf_value_free(v);
    mp_roundtrip(types[i], "c0");
    mp_roundtrip(types[i], "d4 00 00");
  }
}

static void check_num(const char *hex, const char *text, const char *reencoded) {
  tf_value *v = mp_decode_ok("\"number\"", hex);
  assert_string_equal(tf_value_num_text(v), text);
  char *got = mp_encode_hex(v, "\"number\"");
  char *want = hex_norm(reencoded ? reencoded : hex);
  assert_string_equal(got, want);
  free(got);
  free(want);
  tf_value_free(v);
}

static void test_numbers(void **state) {
  (void)state;
  check_num("05", "5", NULL);
  check_num("7f", "127", NULL);
  check_num("ff", "-1", NULL);
  check_num("e0", "-32", NULL);
  check_num("d0 df", "-33", NULL);
  check_num("d0 80", "-128", NULL);
  check_num("d1 ff 7f", "-129", NULL);
  check_num("d2 ff ff 7f ff", "-32769", NULL);
  check_num("d3 80 00 00 00 00 00 00 00", "-9223372036854775808", NULL);
  check_num("cc 80", "128", NULL);
  check_num("cc ff", "255", NULL);
  check_num("cd 01 00", "256", NULL);
  check_num("ce 00 01 00 00", "65536", NULL);
  check_num("cf 00 00 00 01 00 00 00 00", "4294967296", NULL);
  check_num("cf 7f ff ff ff ff ff ff ff", "9223372036854775807", NULL);
  /* non-compact encodings are accepted and re-encoded compactly */
  check_num("d0 05", "5", "05");
  check_num("d3 00 00 00 00 00 00 00 05", "5", "05");
  check_num("cd 00 80", "128", "cc 80");
  /* uint64 beyond int64: 2^63 is exactly a double (cty writes float64), 2^64-1 is not */
  check_num("cf 80 00 00 00 00 00 00 00", "9223372036854775808", "cb 43 e0 00 00 00 00 00 00");
  check_num("cf ff ff ff ff ff ff ff ff", "18446744073709551615",
            "b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 35");
  /* floats */
  check_num("ca 3f c0 00 00", "1.5", "cb 3f f8 00 00 00 00 00 00");
  check_num("cb 3f f8 00 00 00 00 00 00", "1.5", NULL);
  check_num("cb 3f b9 99 99 99 99 99 9a", "0.1", NULL); /* binary 0.1 stays float64 */
  check_num("cb 40 08 00 00 00 00 00 00", "3", "03");   /* integral float → int */
  check_num("cb c0 09 21 fb 54 44 2d 18", "-3.141592653589793", NULL);
  check_num("cb 7f f0 00 00 00 00 00 00", "+Inf", NULL);
  check_num("cb ff f0 00 00 00 00 00 00", "-Inf", NULL);
  /* decimal strings: "0.1" is not a float64, so it stays a string */
  check_num("a3 30 2e 31", "0.1", NULL);
  check_num("a4 31 65 2b 32", "100", "64"); /* "1e+2" */
  check_num("a3 31 2e 35", "1.5", "cb 3f f8 00 00 00 00 00 00");
  check_num("c4 02 34 32", "42", "2a"); /* bin accepted too */
  /* a huge decimal passes through exactly */
  check_num(
      "d9 20 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 "
      "38 39 30 2e 35",
      "123456789012345678901234567890.5", NULL);
  /* float32 0.1 is a different number than 0.1 */
  tf_value *v = mp_decode_ok("\"number\"", "ca 3d cc cc cd");
  assert_string_equal(tf_value_num_text(v), "0.10000000149011612");
  tf_value_free(v);

  /* encoding built values */
  struct {
    const char *text, *hex;
  } enc[] = {{"0", "00"},
             {"-0", "00"},
             {"127", "7f"},
             {"128", "cc80"},
             {"-33", "d0df"},
             {"65535", "cdffff"},
             {"-2147483649", "d3ffffffff7fffffff"},
             {"1e20", "cb4415af1d78b58c40"},
             {"0.25", "cb3fd0000000000000"},
             {"0.1", "a3302e31"},
             {"1e-400", "da01920"}, /* prefix check below */
             {NULL, NULL}};
  for (int i = 0; enc[i].text; i++) {
    tf_value *n = tf_value_number_text(enc[i].text);
    assert_non_null(n);
    char *hex = mp_encode_hex(n, "\"number\"");
    if (!strcmp(enc[i].text, "1e-400"))
      assert_memory_equal(hex, "da0192", 6); /* str16, 402 characters */
    else
      assert_string_equal(hex, enc[i].hex);
    free(hex);
    tf_value_free(n);
  }
}

static void test_unknowns(void **state) {
  (void)state;
  /* plain unknown, and any extension type means unknown */
  tf_value *v = mp_decode_ok("\"string\"", "d4 00 00");
  assert_false(tf_value_is_known(v));
  assert_null(tf_value_refinements(v));
  assert_display(v, "(known after apply)");
  tf_value_free(v);
  v = mp_decode_ok("\"string\"", "d5 05 01 02");
  assert_false(tf_value_is_known(v));
  tf_value_free(v);
  mp_roundtrip("\"number\"", "d4 00 00");

  /* the spec example: unknown string, not null, prefix "ab" */
  v = mp_decode_ok("\"string\"", "c7 07 0c 82 01 c2 02 a2 61 62");
  assert_false(tf_value_is_known(v));
  const tf_refinements *r = tf_value_refinements(v);
  assert_non_null(r);
  assert_int_equal(r->not_null, 1);
  assert_string_equal(r->string_prefix, "ab");
  assert_int_equal(r->len_lower, -1);
  tf_value *c = tf_value_copy(v);
  assert_true(tf_value_equal(v, c));
  assert_string_equal(tf_value_refinements(c)->string_prefix, "ab");
  tf_value_free(c);
  tf_value_free(v);
  mp_roundtrip("\"string\"", "c7 07 0c 82 01 c2 02 a2 61 62");

  /* number bounds: not null, [1 inclusive, 10 exclusive] */
  const char *num = "c7 0b 0c 83 01 c2 03 92 01 c3 04 92 0a c2";
  v = mp_decode_ok("\"number\"", num);
  r = tf_value_refinements(v);
  assert_string_equal(r->num_lower, "1");
  assert_true(r->num_lower_incl);
  assert_string_equal(r->num_upper, "10");
  assert_false(r->num_upper_incl);
  tf_value_free(v);
  mp_roundtrip("\"number\"", num);
  /* a decimal bound */
  mp_roundtrip("\"number\"", "c7 09 0c 81 03 92 a4 30 2e 30 31 c2");

  /* collection length bounds */
  v = mp_decode_ok("[\"list\",\"string\"]", "c7 05 0c 82 05 01 06 05");
  r = tf_value_refinements(v);
  assert_int_equal(r->len_lower, 1);
  assert_int_equal(r->len_upper, 5);
  tf_value_free(v);
  mp_roundtrip("[\"set\",\"string\"]", "c7 05 0c 82 05 01 06 05");
  mp_roundtrip("[\"map\",\"string\"]", "c7 03 0c 81 06 05");

  /* unknown keys are ignored; refinements not applying to the type are dropped */
  v = mp_decode_ok("\"string\"", "c7 07 0c 82 01 c2 63 92 01 02");
  assert_int_equal(tf_value_refinements(v)->not_null, 1);
  tf_value_free(v);
  v = mp_decode_ok("\"bool\"", "c7 05 0c 81 02 a2 61 62");
  assert_null(tf_value_refinements(v));
  char *hex = mp_encode_hex(v, "\"bool\"");
  assert_string_equal(hex, "d40000");
  free(hex);
  tf_value_free(v);
  v = mp_decode_ok("\"dynamic\"", "c7 03 0c 81 01 c2"); /* dynamic never refined */
  assert_null(tf_value_refinements(v));
  tf_value_free(v);
  /* type 12 with a payload of at most one byte is a plain unknown */
  v = mp_decode_ok("\"string\"", "d4 0c 00");
  assert_null(tf_value_refinements(v));
  tf_value_free(v);

  /* unknowns inside collections */
  v = mp_decode_ok("[\"list\",\"string\"]", "92 a1 61 d4 00 00");
  assert_true(tf_value_is_known(v));
  assert_false(tf_value_is_wholly_known(v));
  assert_display(v, "[\"a\", (known after apply)]");
  tf_value_free(v);
  /* two unknowns in a set stay distinct */
  v = mp_decode_ok("[\"set\",\"string\"]", "92 d4 00 00 d4 00 00");
  assert_int_equal(tf_value_len(v), 2);
  tf_value_free(v);

  /* malformed refinements */
  free(mp_decode_err("\"string\"", "c7 02 0c 01 02"));       /* not a map */
  free(mp_decode_err("\"string\"", "c7 03 0c 81 01 a0"));    /* nullness not bool */
  free(mp_decode_err("\"string\"", "c7 03 0c 82 01 c2"));    /* truncated map */
  free(mp_decode_err("\"number\"", "c7 04 0c 81 03 01"));    /* bound not an array */
  free(mp_decode_err("\"string\"", "c7 04 0c 81 01 c2 00")); /* trailing payload */
  free(mp_decode_err("\"string\"", "c7 03 0c 81 a1 01"));    /* key not an int */
}

static void test_dynamic(void **state) {
  (void)state;
  /* the spec example: "hi" under a dynamic type */
  const char *ex = "92 c4 08 22 73 74 72 69 6e 67 22 a2 68 69";
  tf_value *v = mp_decode_ok("\"dynamic\"", ex);
  assert_int_equal(tf_type_kind(tf_value_type(v)), TF_STRING);
  assert_string_equal(tf_value_str(v), "hi");
  tf_value_free(v);
  mp_roundtrip("\"dynamic\"", ex);

  /* the type JSON may come as str */
  v = mp_decode_ok("\"dynamic\"", "92 a8 22 73 74 72 69 6e 67 22 a2 68 69");
  char *hex = mp_encode_hex(v, "\"dynamic\"");
  char *want = hex_norm(ex);
  assert_string_equal(hex, want);
  free(hex);
  free(want);
  tf_value_free(v);

  /* a built value: map(number) inside a dynamic attribute of an object */
  tf_type *mt = tf_type_collection(TF_MAP, tf_type_primitive(TF_NUMBER));
  const char *keys[] = {"b", "a"};
  tf_value *items[] = {tf_value_number_i64(2), tf_value_number_i64(1)};
  tf_value *m = tf_value_collection(mt, 2, keys, items);
  tf_type_unref(mt);
  hex = mp_encode_hex(m, "\"dynamic\"");
  /* [bin '["map","number"]', {a:1, b:2}] */
  want = hex_norm("92 c4 10 5b 22 6d 61 70 22 2c 22 6e 75 6d 62 65 72 22 5d 82 a1 61 01 a1 62 02");
  assert_string_equal(hex, want);
  free(hex);
  free(want);

  tf_type *ot = type_of("[\"object\",{\"d\":\"dynamic\",\"n\":\"string\"}]");
  tf_value *o = tf_value_object_empty(ot);
  assert_int_equal(tf_value_set_attr(o, "d", m), 0);
  assert_int_equal(tf_value_set_attr(o, "nope", tf_value_bool(true)), -1);
  hex = mp_encode_hex(o, "[\"object\",{\"d\":\"dynamic\",\"n\":\"string\"}]");
  tf_value *back = mp_decode_ok("[\"object\",{\"d\":\"dynamic\",\"n\":\"string\"}]", hex);
  assert_true(tf_value_equal(o, back));
  const tf_value *d = tf_value_get_attr(back, "d");
  assert_int_equal(tf_type_kind(tf_value_type(d)), TF_MAP);
  assert_string_equal(tf_value_num_text(tf_value_map_get(d, "b")), "2");
  tf_value_free(back);
  free(hex);
  tf_value_free(o);
  tf_type_unref(ot);

  /* nested dynamic wrappers, null inside the wrapper, typed null stays unwrapped */
  mp_roundtrip("\"dynamic\"", "92 c4 12 5b 22 6c 69 73 74 22 2c 22 64 79 6e 61 6d 69 63 22 5d 91 "
                              "92 c4 06 22 62 6f 6f 6c 22 c3");
  v = mp_decode_ok("\"dynamic\"", "92 c4 08 22 73 74 72 69 6e 67 22 c0");
  assert_true(tf_value_is_null(v));
  assert_int_equal(tf_type_kind(tf_value_type(v)), TF_STRING);
  hex = mp_encode_hex(v, "\"dynamic\"");
  assert_string_equal(hex, "c0");
  free(hex);
  tf_value_free(v);

  /* malformed wrappers */
  char *e = mp_decode_err("\"dynamic\"", "93 c4 08 22 73 74 72 69 6e 67 22 a2 68 69 c0");
  assert_non_null(strstr(e, "exactly two elements"));
  free(e);
  e = mp_decode_err("\"dynamic\"", "92 c4 07 22 73 74 72 69 6e 22 a1 78");
  assert_non_null(strstr(e, "invalid type"));
  free(e);
  free(mp_decode_err("\"dynamic\"", "92 01 a1 78"));
  free(mp_decode_err("\"dynamic\"", "a1 78"));
  free(mp_decode_err("\"dynamic\"", "92 c4 08 22 73 74 72 69 6e 67 22 03"));
}

static void test_spec_worked_example(void **state) {
  (void)state;
  const char *pns = "83 a2 69 64 c0 a4 6e 61 6d 65 a1 78 a4 73 69 7a 65 03";
  tf_value *v = mp_decode_ok(OBJ3, pns);
  assert_true(tf_value_is_null(tf_value_get_attr(v, "id")));
  assert_string_equal(tf_value_str(tf_value_get_attr(v, "name")), "x");
  int64_t n = 0;
  assert_int_equal(tf_value_num_i64(tf_value_get_attr(v, "size"), &n), 0);
  assert_int_equal(n, 3);
  assert_display(v, "{ id = null, name = \"x\", size = 3 }");

  /* the planned state: id unknown */
  assert_int_equal(tf_value_set_attr(v, "id", tf_value_unknown(tf_type_primitive(TF_STRING))), 0);
  char *hex = mp_encode_hex(v, OBJ3);
  char *want = hex_norm("83 a2 69 64 d4 00 00 a4 6e 61 6d 65 a1 78 a4 73 69 7a 65 03");
  assert_string_equal(hex, want);
  free(hex);
  free(want);
  tf_value_free(v);
  mp_roundtrip(OBJ3, pns);

  /* key order is free on input, sorted on output */
  v = mp_decode_ok(OBJ3, "83 a4 73 69 7a 65 03 a4 6e 61 6d 65 a1 78 a2 69 64 c0");
  hex = mp_encode_hex(v, OBJ3);
  want = hex_norm(pns);
  assert_string_equal(hex, want);
  free(hex);
  free(want);
  tf_value_free(v);

  /* building it by hand gives the same bytes */
  tf_type *t = type_of(OBJ3);
  const char *keys[] = {"size", "name"};
  tf_value *items[] = {tf_value_number_i64(3), tf_value_string("x")};
  v = tf_value_collection(t, 2, keys, items);
  hex = mp_encode_hex(v, OBJ3);
  want = hex_norm(pns);
  assert_string_equal(hex, want);
  free(hex);
  free(want);
  tf_value_free(v);
  tf_type_unref(t);
}

static void test_collections(void **state) {
  (void)state;
  /* list of objects */
  const char *lt = "[\"list\",[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"number\"]}]]";
  mp_roundtrip(lt, "92 82 a1 61 a1 78 a1 62 92 01 02 82 a1 61 c0 a1 62 90");
  tf_value *v = mp_decode_ok(lt, "91 82 a1 61 a1 78 a1 62 92 01 02");
  assert_int_equal(tf_value_len(v), 1);
  assert_display(v, "[{ a = \"x\", b = [1, 2] }]");
  tf_value_free(v);
  mp_roundtrip(lt, "90");

  /* set: duplicates collapse, order does not matter for equality */
  v = mp_decode_ok("[\"set\",\"string\"]", "93 a1 62 a1 61 a1 62");
  assert_int_equal(tf_value_len(v), 2);
  tf_value *w = mp_decode_ok("[\"set\",\"string\"]", "92 a1 61 a1 62");
  assert_true(tf_value_equal(v, w));
  tf_value_free(w);
  w = mp_decode_ok("[\"set\",\"string\"]", "92 a1 61 a1 63");
  assert_false(tf_value_equal(v, w));
  tf_value_free(w);
  tf_value_free(v);
  /* numerically equal set elements collapse too */
  v = mp_decode_ok("[\"set\",\"number\"]", "93 01 cb 3f f0 00 00 00 00 00 00 a3 31 2e 30");
  assert_int_equal(tf_value_len(v), 1);
  tf_value_free(v);
  /* set of objects */
  mp_roundtrip("[\"set\",[\"object\",{\"k\":\"string\"}]]", "92 81 a1 6b a1 61 81 a1 6b a1 62");

  /* map */
  v = mp_decode_ok("[\"map\",\"string\"]", "82 a1 62 a1 32 a1 61 a1 31");
  assert_string_equal(tf_value_key_at(v, 0), "a");
  assert_string_equal(tf_value_str(tf_value_map_get(v, "b")), "2");
  assert_null(tf_value_map_get(v, "c"));
  char *hex = mp_encode_hex(v, "[\"map\",\"string\"]");
  assert_string_equal(hex, "82a161a131a162a132");
  free(hex);
  tf_value_free(v);
  mp_roundtrip("[\"map\",\"string\"]", "80");
  /* a repeated map key keeps its last value, as in cty */
  v = mp_decode_ok("[\"map\",\"number\"]", "82 a1 61 01 a1 61 02");
  assert_int_equal(tf_value_len(v), 1);
  assert_string_equal(tf_value_num_text(tf_value_map_get(v, "a")), "2");
  tf_value_free(v);

  /* tuple */
  const char *tt = "[\"tuple\",[\"string\",\"number\",\"bool\"]]";
  mp_roundtrip(tt, "93 a1 61 01 c3");
  mp_roundtrip("[\"tuple\",[]]", "90");

  /* deeper nesting than msgpack-c's own unpacker allows (32) */
  char type[2048] = "", val[512] = "";
  for (int i = 0; i < 40; i++) {
    strcat(type, "[\"list\",");
    strcat(val, "91");
  }
  strcat(type, "\"string\"");
  for (int i = 0; i < 40; i++)
    strcat(type, "]");
  strcat(val, "a1 78");
  mp_roundtrip(type, val);

  /* map(object) with nested set and map */
  const char *big = "[\"map\",[\"object\",{\"s\":[\"set\",\"number\"],\"m\":[\"map\",\"bool\"]}]]";
  mp_roundtrip(big, "81 a1 6b 82 a1 6d 81 a1 78 c3 a1 73 92 01 02");
}

static void test_errors(void **state) {
  (void)state;
  char *e;
  e = mp_decode_err("\"string\"", "c3");
  assert_string_equal(e, "string is required");
  free(e);
  e = mp_decode_err("\"number\"", "a1 78");
  assert_string_equal(e, "number is required");
  free(e);
  e = mp_decode_err("\"bool\"", "01");
  assert_string_equal(e, "bool is required");
  free(e);
  free(mp_decode_err("\"number\"", "cb 7f f8 00 00 00 00 00 00")); /* NaN */
  free(mp_decode_err("\"number\"", "c3"));
  free(mp_decode_err("\"number\"", "a2 31 65")); /* "1e" */
  free(mp_decode_err("\"number\"", "a0"));
  free(mp_decode_err("\"number\"", "a6 31 65 39 39 39 39")); /* 1e9999: too large */
  e = mp_decode_err("[\"map\",\"string\"]", "92 a1 61 a1 62");
  assert_string_equal(e, "a map is required");
  free(e);
  free(mp_decode_err("[\"list\",\"string\"]", "81 a1 61 a1 62"));
  free(mp_decode_err("[\"set\",\"string\"]", "a1 61"));
  free(mp_decode_err("[\"map\",\"string\"]", "81 01 a1 78"));          /* non-string key */
  free(mp_decode_err("[\"map\",\"string\"]", "81 a3 61 00 62 a1 78")); /* NUL in key */
  free(mp_decode_err(OBJ3, "93 01 02 03"));

  /* object attribute count and unknown attributes, with cty's wording */
  e = mp_decode_err(OBJ3, "82 a2 69 64 c0 a4 6e 61 6d 65 a1 78");
  assert_string_equal(e, "an object with 3 attributes is required (2 given)");
  free(e);
  e = mp_decode_err(OBJ3, "80");
  assert_string_equal(e, "an object with 3 attributes is required (0 given)");
  free(e);
  e = mp_decode_err(OBJ3, "83 a2 69 64 c0 a4 6e 61 6d 65 a1 78 a1 7a 03");
  assert_string_equal(e, "unsupported attribute \"z\"");
  free(e);
  e = mp_decode_err(OBJ3, "83 a2 69 64 c0 a2 69 64 c0 a1 7a 03");
  assert_string_equal(e, "duplicate attribute \"id\"");
  free(e);
  free(mp_decode_err(OBJ3, "83 01 c0 a4 6e 61 6d 65 a1 78 a4 73 69 7a 65 03"));
  e = mp_decode_err("[\"tuple\",[\"string\",\"number\"]]", "91 a1 78");
  assert_non_null(strstr(e, "a tuple of length 2 is required"));
  free(e);
  free(mp_decode_err("[\"tuple\",[\"string\"]]", "92 a1 78 a1 79"));

  /* a diagnostic carries the path to the bad element */
  tf_type *t = type_of("[\"object\",{\"rule\":[\"list\",[\"map\",\"number\"]]}]");
  size_t n;
  uint8_t *b = hex_bytes("81 a4 72 75 6c 65 92 80 81 a4 68 74 74 70 a1 78", &n);
  tf_diags d;
  tf_diags_init(&d);
  tf_value *v = NULL;
  assert_int_equal(tf_msgpack_decode(b, n, t, &v, &d), -1);
  char *p = tf_path_to_string(&d.items[0].path);
  assert_string_equal(p, ".rule[1][\"http\"]");
  free(p);
  assert_int_equal(d.items[0].severity, TF_ERROR);
  assert_string_equal(d.items[0].summary, "Invalid msgpack value");
  tf_diags_free(&d);
  free(b);
  tf_type_unref(t);

  /* framing: trailing bytes, reserved byte, empty input */
  free(mp_decode_err("\"string\"", "a1 78 00"));
  free(mp_decode_err("\"string\"", "c1"));
  free(mp_decode_err("\"string\"", ""));

  /* huge lengths claimed in headers: no allocation, no crash */
  free(mp_decode_err("[\"list\",\"string\"]", "dd ff ff ff ff"));
  free(mp_decode_err("[\"list\",\"string\"]", "dd ff ff ff ff a1 78"));
  free(mp_decode_err("[\"map\",\"string\"]", "df ff ff ff ff a1 78 a1 78"));
  free(mp_decode_err("[\"list\",\"string\"]", "dc ff ff c0"));
  free(mp_decode_err("\"string\"", "db ff ff ff ff 61"));
  free(mp_decode_err("\"string\"", "c6 ff ff ff ff 61"));
  free(mp_decode_err("\"string\"", "c9 ff ff ff ff 0c 61"));
  free(mp_decode_err("\"string\"", "da 00 05 61"));
  free(mp_decode_err("\"number\"", "cb 00 00"));
  free(mp_decode_err("\"number\"", "cf 00"));

  /* deep nesting is capped with a diagnostic (here through dynamic wrappers;
   * type JSON itself is capped as deeply, see test_tf_type.c) */
  size_t depth = 600, hl = 0;
  char *h2 = malloc(depth * 24 + 16);
  h2[0] = '\0';
  for (size_t i = 0; i < depth; i++)
    hl += (size_t)sprintf(h2 + hl, "92a9%s", "2264796e616d696322");
  strcat(h2, "c0");
  e = mp_decode_err("\"dynamic\"", h2);
  assert_non_null(strstr(e, "nested too deeply"));
  free(e);
  free(h2);
}

/* Every prefix of a valid encoding is rejected cleanly. */
static void test_truncation(void **state) {
  (void)state;
  const char *cases[][2] = {
      {OBJ3, "83 a2 69 64 c0 a4 6e 61 6d 65 a1 78 a4 73 69 7a 65 03"},
      {"\"dynamic\"", "92 c4 08 22 73 74 72 69 6e 67 22 a2 68 69"},
      {"\"string\"", "c7 07 0c 82 01 c2 02 a2 61 62"},
      {"[\"list\",[\"map\",\"number\"]]", "92 81 a1 61 cb 3f b9 99 99 99 99 99 9a 80"},
      {"[\"tuple\",[\"number\",\"number\"]]",
       "92 cf ff ff ff ff ff ff ff ff d3 80 00 00 00 00 00 00 00"},
  };
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    tf_type *t = type_of(cases[c][0]);
    size_t n;
    uint8_t *b = hex_bytes(cases[c][1], &n);
    for (size_t len = 0; len < n; len++) {
      uint8_t *cut = malloc(len ? len : 1);
      memcpy(cut, b, len);
      tf_diags d;
      tf_diags_init(&d);
      tf_value *v = NULL;
      assert_int_equal(tf_msgpack_decode(cut, len, t, &v, &d), -1);
      assert_null(v);
      assert_true(tf_diags_has_error(&d));
      tf_diags_free(&d);
      free(cut);
    }
    free(b);
    tf_type_unref(t);
  }
}

/* Random mutations of valid encodings never crash or leak (run under ASan). */
static void test_mutations(void **state) {
  (void)state;
  const char *cases[][2] = {
      {OBJ3, "83 a2 69 64 c0 a4 6e 61 6d 65 a1 78 a4 73 69 7a 65 03"},
      {"\"dynamic\"", "92 c4 12 5b 22 6c 69 73 74 22 2c 22 64 79 6e 61 6d 69 63 22 5d 91 92 c4 06 "
                      "22 62 6f 6f 6c 22 c3"},
      {"[\"map\",[\"object\",{\"s\":[\"set\",\"number\"],\"m\":[\"map\",\"bool\"]}]]",
       "81 a1 6b 82 a1 6d 81 a1 78 c3 a1 73 92 01 02"},
      {"\"number\"", "c7 0b 0c 83 01 c2 03 92 01 c3 04 92 0a c2"},
  };
  unsigned seed = 12345;
  int ok = 0;
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    tf_type *t = type_of(cases[c][0]);
    size_t n;
    uint8_t *b = hex_bytes(cases[c][1], &n);
    for (int iter = 0; iter < 5000; iter++) {
      uint8_t *m = malloc(n);
      memcpy(m, b, n);
      int flips = 1 + rand_r(&seed) % 3;
      for (int f = 0; f < flips; f++)
        m[rand_r(&seed) % n] = (uint8_t)rand_r(&seed);
      tf_diags d;
      tf_diags_init(&d);
      tf_value *v = NULL;
      int rc = tf_msgpack_decode(m, n, t, &v, &d);
      if (rc == 0) {
        ok++;
        uint8_t *out;
        size_t olen;
        assert_int_equal(tf_msgpack_encode(v, t, &out, &olen, &d), 0);
        free(out);
        char *s = tf_value_to_display(v);
        free(s);
        tf_value_free(v);
      } else {
        assert_true(tf_diags_has_error(&d));
      }
      tf_diags_free(&d);
      free(m);
    }
    free(b);
    tf_type_unref(t);
  }
  assert_true(ok > 0);
}

static void test_encode_errors(void **state) {
  (void)state;
  tf_type *t = type_of("\"number\"");
  tf_value *s = tf_value_string("x");
  uint8_t *out = (uint8_t *)1;
  size_t len = 7;
  tf_diags d;
  tf_diags_init(&d);
  assert_int_equal(tf_msgpack_encode(s, t, &out, &len, &d), -1);
  assert_null(out);
  assert_true(tf_diags_has_error(&d));
  tf_diags_free(&d);
  tf_value_free(s);
  tf_type_unref(t);

  /* an object missing an attribute of the type */
  tf_type *small = type_of("[\"object\",{\"a\":\"string\"}]");
  tf_value *o = tf_value_object_empty(small);
  t = type_of("[\"object\",{\"a\":\"string\",\"b\":\"string\"}]");
  assert_int_equal(tf_msgpack_encode(o, t, &out, &len, &d), -1);
  tf_diags_free(&d);
  tf_value_free(o);
  tf_type_unref(small);
  tf_type_unref(t);

  /* tuple of the wrong length */
  tf_type *t2 = type_of("[\"tuple\",[\"string\",\"string\"]]");
  tf_type *t1 = type_of("[\"tuple\",[\"string\"]]");
  tf_value *one[] = {tf_value_string("a")};
  tf_value *tv = tf_value_collection(t1, 1, NULL, one);
  assert_int_equal(tf_msgpack_encode(tv, t2, &out, &len, &d), -1);
  tf_diags_free(&d);
  tf_value_free(tv);
  tf_type_unref(t1);
  tf_type_unref(t2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_primitives),
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_unknowns),
      cmocka_unit_test(test_dynamic),
      cmocka_unit_test(test_spec_worked_example),
      cmocka_unit_test(test_collections),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_truncation),
      cmocka_unit_test(test_mutations),
      cmocka_unit_test(test_encode_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

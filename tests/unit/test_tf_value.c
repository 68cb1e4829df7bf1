/*
 * Values: numbers, constructors, accessors, equality, display; paths and diagnostics.
 */
#include "test_tf_helpers.h"

static void canon(const char *in, const char *want) {
  tf_value *v = tf_value_number_text(in);
  if (!want) {
    if (v) fail_msg("number text %s accepted as %s", in, tf_value_num_text(v));
    return;
  }
  if (!v) fail_msg("number text %s rejected", in);
  assert_string_equal(tf_value_num_text(v), want);
  tf_value_free(v);
}

static void test_number_text(void **state) {
  (void)state;
  canon("0", "0");
  canon("-0", "0");
  canon("0.000", "0");
  canon("007", "7");
  canon("+7", "7");
  canon("1.500", "1.5");
  canon("1e+2", "100");
  canon("1E2", "100");
  canon("12.5e-1", "1.25");
  canon("1e-3", "0.001");
  canon(".5", "0.5");
  canon("5.", "5");
  canon("-0.0100", "-0.01");
  canon("123456789012345678901234567890", "123456789012345678901234567890");
  canon("18446744073709551616", "18446744073709551616");
  canon("Infinity", "+Inf");
  canon("-inf", "-Inf");
  canon("", NULL);
  canon(".", NULL);
  canon("-", NULL);
  canon("1e", NULL);
  canon("1e+", NULL);
  canon("e5", NULL);
  canon("1.2.3", NULL);
  canon("abc", NULL);
  canon("1 ", NULL);
  canon("0x10", NULL);
  canon("NaN", NULL);
  canon("1e100000", NULL);
  canon("1e99999999999999999999", NULL);

  tf_value *a = tf_value_number_text("1e+2"), *b = tf_value_number_i64(100),
           *c = tf_value_number_double(100.0), *d = tf_value_number_text("100.5");
  assert_true(tf_value_equal(a, b));
  assert_true(tf_value_equal(b, c));
  assert_false(tf_value_equal(a, d));
  int64_t n;
  assert_int_equal(tf_value_num_i64(a, &n), 0);
  assert_int_equal(n, 100);
  assert_int_equal(tf_value_num_i64(d, &n), -1);
  assert_true(tf_value_num_double(d) == 100.5);
  tf_value_free(a);
  tf_value_free(b);
  tf_value_free(c);
  tf_value_free(d);

  a = tf_value_number_text("9223372036854775808");
  assert_int_equal(tf_value_num_i64(a, &n), -1);
  tf_value_free(a);
  a = tf_value_number_i64(INT64_MIN);
  assert_string_equal(tf_value_num_text(a), "-9223372036854775808");
  assert_int_equal(tf_value_num_i64(a, &n), 0);
  assert_true(n == INT64_MIN);
  tf_value_free(a);

  a = tf_value_number_double(0.1);
  assert_string_equal(tf_value_num_text(a), "0.1");
  tf_value_free(a);
  a = tf_value_number_double(1e300);
  assert_int_equal(strlen(tf_value_num_text(a)), 301);
  tf_value_free(a);
  a = tf_value_number_double(5e-324);
  assert_int_equal(strlen(tf_value_num_text(a)), 326); /* "0." + 323 zeros + "5" */
  assert_memory_equal(tf_value_num_text(a), "0.000", 5);
  tf_value_free(a);
  assert_null(tf_value_number_double(0.0 / 0.0));
  assert_null(tf_value_number_text(NULL));
}

static void test_constructors(void **state) {
  (void)state;
  tf_type *lt = tf_type_collection(TF_LIST, tf_type_primitive(TF_STRING));
  tf_value *items[] = {tf_value_string("a"), tf_value_string("b")};
  tf_value *l = tf_value_collection(lt, 2, NULL, items);
  assert_int_equal(tf_value_len(l), 2);
  assert_string_equal(tf_value_str(tf_value_at(l, 1)), "b");
  assert_null(tf_value_at(l, 2));
  assert_null(tf_value_key_at(l, 0));
  assert_display(l, "[\"a\", \"b\"]");
  tf_value *l2 = tf_value_copy(l);
  assert_true(tf_value_equal(l, l2));
  tf_value_free(l2);
  tf_value_free(l);

  /* list with keys is rejected and frees what it adopted */
  const char *k1[] = {"x"};
  tf_value *one[] = {tf_value_string("a")};
  assert_null(tf_value_collection(lt, 1, k1, one));
  tf_type_unref(lt);

  /* object: unknown attribute name rejected, missing ones null */
  tf_type *ot = type_of("[\"object\",{\"a\":\"string\",\"b\":\"number\"}]");
  const char *kb[] = {"b"};
  tf_value *vb[] = {tf_value_number_i64(1)};
  tf_value *o = tf_value_collection(ot, 1, kb, vb);
  assert_true(tf_value_is_null(tf_value_get_attr(o, "a")));
  assert_string_equal(tf_value_key_at(o, 1), "b");
  assert_null(tf_value_get_attr(o, "c"));
  tf_value_free(o);
  const char *kc[] = {"c"};
  tf_value *vc[] = {tf_value_number_i64(1)};
  assert_null(tf_value_collection(ot, 1, kc, vc));
  const char *kdup[] = {"a", "a"};
  tf_value *vdup[] = {tf_value_string("x"), tf_value_string("y")};
  assert_null(tf_value_collection(ot, 2, kdup, vdup));
  tf_type_unref(ot);

  /* tuple length must match */
  tf_type *tt = type_of("[\"tuple\",[\"string\",\"bool\"]]");
  tf_value *t1[] = {tf_value_string("x")};
  assert_null(tf_value_collection(tt, 1, NULL, t1));
  tf_type_unref(tt);

  /* set: duplicates collapse, equality ignores order */
  tf_type *st = tf_type_collection(TF_SET, tf_type_primitive(TF_NUMBER));
  tf_value *s1i[] = {tf_value_number_i64(2), tf_value_number_i64(1), tf_value_number_text("2.0")};
  tf_value *s2i[] = {tf_value_number_i64(1), tf_value_number_i64(2)};
  tf_value *s1 = tf_value_collection(st, 3, NULL, s1i), *s2 = tf_value_collection(st, 2, NULL, s2i);
  assert_int_equal(tf_value_len(s1), 2);
  assert_true(tf_value_equal(s1, s2));
  tf_value_free(s1);
  tf_value_free(s2);
  tf_value *empty = tf_value_collection(st, 0, NULL, NULL);
  assert_int_equal(tf_value_len(empty), 0);
  assert_true(tf_value_is_wholly_known(empty));
  assert_display(empty, "[]");
  tf_value_free(empty);
  tf_type_unref(st);

  /* null/unknown equality, strings with NULs */
  tf_value *n1 = tf_value_null(tf_type_primitive(TF_STRING));
  tf_value *n2 = tf_value_null(tf_type_primitive(TF_DYNAMIC));
  tf_value *u1 = tf_value_unknown(tf_type_primitive(TF_STRING));
  tf_value *e1 = tf_value_string("");
  assert_true(tf_value_equal(n1, n2));
  assert_false(tf_value_equal(n1, u1));
  assert_false(tf_value_equal(n1, e1));
  assert_true(tf_value_is_wholly_known(n1));
  assert_false(tf_value_is_wholly_known(u1));
  assert_display(n1, "null");
  tf_value_free(n1);
  tf_value_free(n2);
  tf_value_free(u1);
  tf_value_free(e1);
  tf_value *z1 = tf_value_string_len("a\0b", 3), *z2 = tf_value_string_len("a\0c", 3);
  assert_false(tf_value_equal(z1, z2));
  assert_display(z1, "\"a\\u0000b\"");
  tf_value_free(z1);
  tf_value_free(z2);
  assert_null(tf_value_string(NULL));

  /* mismatched accessors return neutral values */
  tf_value *b = tf_value_bool(true);
  assert_null(tf_value_str(b));
  assert_null(tf_value_num_text(b));
  assert_int_equal(tf_value_len(b), 0);
  assert_null(tf_value_get_attr(b, "x"));
  assert_null(tf_value_map_get(b, "x"));
  assert_display(b, "true");
  tf_value_free(b);
}

static void test_display(void **state) {
  (void)state;
  tf_value *v = mp_decode_ok("[\"object\",{\"m\":[\"map\",\"number\"],\"s\":\"string\",\"x "
                             "y\":\"bool\",\"u\":\"number\"}]",
                             "84 a1 6d 82 a1 62 02 a3 61 20 62 cb 3f f8 00 00 00 00 00 00 a1 73 a2 "
                             "22 0a a3 78 20 79 c2 a1 "
                             "75 d4 00 00");
  assert_display(v, "{ m = { \"a b\" = 1.5, \"b\" = 2 }, s = \"\\\"\\n\", u = (known after apply), "
                    "\"x y\" = false }");
  tf_value_free(v);
  v = mp_decode_ok("[\"map\",\"string\"]", "80");
  assert_display(v, "{}");
  tf_value_free(v);
}

static void test_paths_and_diags(void **state) {
  (void)state;
  tf_path p;
  tf_path_init(&p);
  char *s = tf_path_to_string(&p);
  assert_string_equal(s, "");
  free(s);
  tf_path_push_attr(&p, "rule");
  tf_path_push_index(&p, 0);
  tf_path_push_attr(&p, "ports");
  tf_path_push_key(&p, "ht\"tp");
  s = tf_path_to_string(&p);
  assert_string_equal(s, ".rule[0].ports[\"ht\\\"tp\"]");
  free(s);
  tf_path q;
  assert_int_equal(tf_path_copy(&q, &p), 0);
  tf_path_pop(&q);
  tf_path_pop(&q);
  s = tf_path_to_string(&q);
  assert_string_equal(s, ".rule[0]");
  free(s);
  assert_int_equal(q.steps[1].kind, TF_PATH_INDEX);

  tf_diags d, e;
  tf_diags_init(&d);
  tf_diags_init(&e);
  assert_int_equal(tf_diags_add(&d, TF_WARNING, NULL, "careful", NULL), 0);
  assert_false(tf_diags_has_error(&d));
  assert_int_equal(tf_diags_add(&e, TF_ERROR, &p, "bad", "value %d is %s", 3, "wrong"), -1);
  assert_string_equal(e.items[0].detail, "value 3 is wrong");
  assert_int_equal(e.items[0].path.len, 4);
  for (int i = 0; i < 20; i++)
    tf_diags_add(&e, TF_WARNING, NULL, "w", NULL);
  tf_diags_move(&d, &e);
  assert_int_equal(e.len, 0);
  assert_int_equal(d.len, 22);
  assert_true(tf_diags_has_error(&d));
  assert_null(d.items[0].detail);
  assert_int_equal(tf_diags_add(NULL, TF_ERROR, NULL, "x", NULL), -1);
  tf_diags_free(&d);
  tf_diags_free(&e);
  tf_path_free(&p);
  tf_path_free(&q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_number_text),
      cmocka_unit_test(test_constructors),
      cmocka_unit_test(test_display),
      cmocka_unit_test(test_paths_and_diags),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Schemas: implied types (spec 3.6), empty values, internal validation (spec 4.3).
 */
#include "test_tf_helpers.h"

static tf_type *S(void) {
  return tf_type_primitive(TF_STRING);
}

static void assert_type_json(const tf_type *t, const char *want) {
  char *s = tf_type_to_json(t);
  assert_string_equal(s, want);
  free(s);
}

static void test_implied_type(void **state) {
  (void)state;
  /* the spec's worked example */
  tf_block *b = tf_block_new("a thing");
  b = tf_block_attr(b, "id", S(), TF_COMPUTED, NULL);
  b = tf_block_attr(b, "name", S(), TF_REQUIRED, "the name");
  b = tf_block_attr(b, "size", tf_type_primitive(TF_NUMBER), TF_OPTIONAL, NULL);
  assert_non_null(b);
  tf_type *t = tf_block_implied_type(b);
  assert_type_json(t, "[\"object\",{\"id\":\"string\",\"name\":\"string\",\"size\":\"number\"}]");
  assert_non_null(tf_block_find_attr(b, "name"));
  assert_true(tf_block_find_attr(b, "name")->required);
  assert_true(tf_block_find_attr(b, "id")->computed);
  assert_null(tf_block_find_attr(b, "nope"));
  assert_int_equal(tf_block_validate(b, NULL), 0);

  /* empty value: all null */
  tf_value *e = tf_block_empty_value(b);
  char *hex =
      mp_encode_hex(e, "[\"object\",{\"id\":\"string\",\"name\":\"string\",\"size\":\"number\"}]");
  assert_string_equal(hex, "83a26964c0a46e616d65c0a473697a65c0");
  free(hex);
  tf_value_free(e);
  tf_type_unref(t);
  tf_block_free(b);
}

static tf_block *child(bool dynamic) {
  tf_block *c = tf_block_new(NULL);
  c = tf_block_attr(c, "v", dynamic ? tf_type_primitive(TF_DYNAMIC) : S(), TF_OPTIONAL, NULL);
  return c;
}

static void test_nesting_modes(void **state) {
  (void)state;
  tf_block *b = tf_block_new(NULL);
  b = tf_block_nested(b, "single", TF_NEST_SINGLE, 0, 0, child(false));
  b = tf_block_nested(b, "group", TF_NEST_GROUP, 0, 0, child(false));
  b = tf_block_nested(b, "list", TF_NEST_LIST, 1, 3, child(false));
  b = tf_block_nested(b, "set", TF_NEST_SET, 0, 0, child(false));
  b = tf_block_nested(b, "map", TF_NEST_MAP, 0, 0, child(false));
  b = tf_block_nested(b, "dlist", TF_NEST_LIST, 0, 0, child(true));
  b = tf_block_nested(b, "dmap", TF_NEST_MAP, 0, 0, child(true));
  b = tf_block_nested(b, "dsingle", TF_NEST_SINGLE, 0, 0, child(true));
  assert_non_null(b);
  assert_int_equal(tf_block_find_block(b, "list")->max_items, 3);
  assert_null(tf_block_find_block(b, "nope"));
  assert_int_equal(tf_block_validate(b, NULL), 0);

  tf_type *t = tf_block_implied_type(b);
  const char *want = "[\"object\",{"
                     "\"dlist\":\"dynamic\","
                     "\"dmap\":\"dynamic\","
                     "\"dsingle\":[\"object\",{\"v\":\"dynamic\"}],"
                     "\"group\":[\"object\",{\"v\":\"string\"}],"
                     "\"list\":[\"list\",[\"object\",{\"v\":\"string\"}]],"
                     "\"map\":[\"map\",[\"object\",{\"v\":\"string\"}]],"
                     "\"set\":[\"set\",[\"object\",{\"v\":\"string\"}]],"
                     "\"single\":[\"object\",{\"v\":\"string\"}]}]";
  assert_type_json(t, want);

  /* empty value: SINGLE null, GROUP object of nulls, LIST/SET/MAP empty;
   * dynamic LIST/MAP blocks are an empty tuple/object */
  tf_value *e = tf_block_empty_value(b);
  assert_display(e, "{ dlist = [], dmap = {}, dsingle = null, group = { v = null }, list = [], "
                    "map = {}, set = [], single = null }");
  assert_int_equal(tf_type_kind(tf_value_type(tf_value_get_attr(e, "dlist"))), TF_TUPLE);
  assert_int_equal(tf_type_kind(tf_value_type(tf_value_get_attr(e, "dmap"))), TF_OBJECT);
  assert_int_equal(tf_type_kind(tf_value_type(tf_value_get_attr(e, "set"))), TF_SET);
  /* it encodes against the implied type and decodes back equal */
  char *hex = mp_encode_hex(e, want);
  tf_value *back = mp_decode_ok(want, hex);
  assert_true(tf_value_equal(e, back));
  /* dlist is sent with the dynamic wrapper: [bin '["tuple",[]]', []] */
  assert_non_null(strstr(hex, "a5646c69737492c40c5b227475706c65222c5b5d5d90"));
  free(hex);
  tf_value_free(back);
  tf_value_free(e);
  tf_type_unref(t);
  tf_block_free(b);
}

static int count_errors(tf_block *b, const char *needle) {
  tf_diags d;
  tf_diags_init(&d);
  int rc = tf_block_validate(b, &d);
  int found = 0;
  for (size_t i = 0; i < d.len; i++)
    if (d.items[i].detail && strstr(d.items[i].detail, needle)) found++;
  if (!found)
    fail_msg("expected \"%s\", got %zu diags, first: %s", needle, d.len,
             d.len ? d.items[0].detail : "-");
  assert_int_equal(rc, -1);
  tf_diags_free(&d);
  tf_block_free(b);
  return found;
}

static void test_validate(void **state) {
  (void)state;
  count_errors(tf_block_attr(tf_block_new(NULL), "a", S(), 0, NULL),
               "a: must set Optional, Required or Computed");
  count_errors(tf_block_attr(tf_block_new(NULL), "a", S(), TF_OPTIONAL | TF_REQUIRED, NULL),
               "cannot set both Optional and Required");
  count_errors(tf_block_attr(tf_block_new(NULL), "a", S(), TF_COMPUTED | TF_REQUIRED, NULL),
               "cannot set both Computed and Required");
  /* optional+computed is fine */
  tf_block *ok = tf_block_attr(tf_block_new(NULL), "a", S(), TF_OPTIONAL | TF_COMPUTED, NULL);
  assert_int_equal(tf_block_validate(ok, NULL), 0);
  tf_block_free(ok);
  count_errors(tf_block_attr(tf_block_new(NULL), "Bad-Name", S(), TF_OPTIONAL, NULL),
               "lowercase letters");
  count_errors(tf_block_attr(tf_block_attr(tf_block_new(NULL), "a", S(), TF_OPTIONAL, NULL), "a",
                             S(), TF_OPTIONAL, NULL),
               "duplicate attribute");
  count_errors(tf_block_nested(tf_block_new(NULL), "Blk", TF_NEST_LIST, 0, 0, child(false)),
               "lowercase letters");
  count_errors(tf_block_nested(tf_block_attr(tf_block_new(NULL), "x", S(), TF_OPTIONAL, NULL), "x",
                               TF_NEST_LIST, 0, 0, child(false)),
               "both attribute and child block");
  count_errors(tf_block_nested(tf_block_new(NULL), "s", TF_NEST_SINGLE, 0, 1, child(false)),
               "must match in NestingSingle");
  count_errors(tf_block_nested(tf_block_new(NULL), "s", TF_NEST_SINGLE, 2, 2, child(false)),
               "either 0 or 1");
  tf_block *single1 = tf_block_nested(tf_block_new(NULL), "s", TF_NEST_SINGLE, 1, 1, child(false));
  assert_int_equal(tf_block_validate(single1, NULL), 0);
  tf_block_free(single1);
  count_errors(tf_block_nested(tf_block_new(NULL), "g", TF_NEST_GROUP, 0, 1, child(false)),
               "NestingGroup");
  count_errors(tf_block_nested(tf_block_new(NULL), "l", TF_NEST_LIST, 3, 2, child(false)),
               "MinItems must be less than or equal to MaxItems");
  tf_block *l30 = tf_block_nested(tf_block_new(NULL), "l", TF_NEST_LIST, 3, 0, child(false));
  assert_int_equal(tf_block_validate(l30, NULL), 0); /* max 0 = unlimited */
  tf_block_free(l30);
  count_errors(tf_block_nested(tf_block_new(NULL), "l", TF_NEST_SET, -1, 0, child(false)),
               "greater than zero");
  count_errors(tf_block_nested(tf_block_new(NULL), "m", TF_NEST_MAP, 1, 0, child(false)),
               "NestingMap");
  count_errors(tf_block_nested(tf_block_new(NULL), "s", TF_NEST_SET, 0, 0, child(true)),
               "NestingSet blocks may not contain attributes of cty.DynamicPseudoType");
  count_errors(tf_block_nested(tf_block_new(NULL), "x", (tf_nesting)9, 0, 0, child(false)),
               "unsupported nesting mode");
  /* errors inside nested blocks name the full path */
  tf_block *inner = tf_block_attr(tf_block_new(NULL), "bad", S(), 0, NULL);
  count_errors(tf_block_nested(tf_block_new(NULL), "outer", TF_NEST_LIST, 0, 0, inner),
               "outer.bad: must set");
  /* a NULL type */
  count_errors(tf_block_attr(tf_block_new(NULL), "a", NULL, TF_OPTIONAL, NULL), "");
}

static void test_builders_null_safe(void **state) {
  (void)state;
  /* a NULL block anywhere in a chain ends in NULL without leaking adopted parts */
  assert_null(tf_block_attr(NULL, "a", tf_type_collection(TF_LIST, S()), TF_OPTIONAL, NULL));
  assert_null(tf_block_nested(NULL, "b", TF_NEST_LIST, 0, 0, child(false)));
  assert_null(tf_block_nested(tf_block_new(NULL), "b", TF_NEST_LIST, 0, 0, NULL));
  assert_null(tf_block_implied_type(NULL));
  tf_diags d;
  tf_diags_init(&d);
  assert_int_equal(tf_block_validate(NULL, &d), -1);
  tf_diags_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_implied_type),
      cmocka_unit_test(test_nesting_modes),
      cmocka_unit_test(test_validate),
      cmocka_unit_test(test_builders_null_safe),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* engine/manifest: YAML -> JSON by Kubernetes' rules (sigs.k8s.io/yaml on
 * go-yaml v2): scalars, tags, collections, anchors, merge keys, keys,
 * documents, Lists, object checks. Expectations follow go-yaml v2's
 * resolve.go / decode.go; test_mf_oracle.c checks the same against kubectl. */
#include "test_mf_util.h"

typedef struct {
  const char *in;   /* plain scalar text */
  const char *want; /* canonical JSON of the value, or NULL for "string as is" */
} scalar_case;

static void check_scalars(const scalar_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char doc[512], want[600];
    snprintf(doc, sizeof(doc), "v: %s\n", cases[i].in);
    if (cases[i].want)
      snprintf(want, sizeof(want), "{\"v\":%s}", cases[i].want);
    else
      snprintf(want, sizeof(want), "{\"v\":\"%s\"}", cases[i].in);
    char *got = mf_t_value(doc);
    if (strcmp(got, want) != 0) fail_msg("v: %s -> %s, want %s", cases[i].in, got, want);
    free(got);
  }
}

static void booleans(void **state) {
  (void)state;
  static const char *t[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                            "True", "TRUE", "on",  "On",  "ON"};
  static const char *f[] = {"n",     "N",     "no",  "No",  "NO", "false",
                            "False", "FALSE", "off", "Off", "OFF"};
  static const char *s[] = {"yEs",        "tRUE",  "oN", "nO", "fALSE", "oFF",
                            "yes please", "truee", "T",  "F",  "1y"};
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
    check_scalars(&(scalar_case){t[i], "true"}, 1);
  for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
    check_scalars(&(scalar_case){f[i], "false"}, 1);
  for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
    check_scalars(&(scalar_case){s[i], NULL}, 1);
  /* quoted: always strings */
  char *g = mf_t_value("a: \"yes\"\nb: 'true'\nc: \"on\"\n");
  assert_string_equal(g, "{\"a\":\"yes\",\"b\":\"true\",\"c\":\"on\"}");
  free(g);
}

static void nulls(void **state) {
  (void)state;
  static const scalar_case c[] = {{"~", "null"},    {"null", "null"}, {"Null", "null"},
                                  {"NULL", "null"}, {"nULL", NULL},   {"nil", NULL},
                                  {"None", NULL}};
  check_scalars(c, sizeof(c) / sizeof(c[0]));
  char *g = mf_t_value("a:\nb: \"\"\nc: ''\nd: \"~\"\n");
  assert_string_equal(g, "{\"a\":null,\"b\":\"\",\"c\":\"\",\"d\":\"~\"}");
  free(g);
}

static void integers(void **state) {
  (void)state;
  static const scalar_case c[] = {
      {"0", "0"},
      {"-0", "0"},
      {"+0", "0"},
      {"00", "0"},
      {"42", "42"},
      {"+42", "42"},
      {"-42", "-42"},
      {"007", "7"},
      {"010", "8"},   /* 0-prefixed octal */
      {"0o17", "15"}, /* 0o octal */
      {"0O17", "15"},
      {"0x1F", "31"},
      {"0X1f", "31"},
      {"-0x1F", "-31"},
      {"0b101", "5"},
      {"-0b101", "-5"},
      {"1_000", "1000"}, /* underscores are dropped */
      {"1__0", "10"},
      {"1_", "1"},
      {"0x_1F", "31"},
      {"0o1_7", "15"},
      {"08", "8"}, /* not octal: read as the float 8 */
      {"09", "9"},
      {"9223372036854775807", "9223372036854775807"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"9223372036854775808", "9223372036854775808"},   /* uint64 */
      {"18446744073709551615", "18446744073709551615"}, /* uint64 max */
      {"_1", NULL},
      {"0x", NULL},
      {"0xg", NULL},
      {"0b", NULL},
      {"0o8", NULL},
      {"0b102", NULL},
      {"1,000", NULL},
      {"12abc", NULL},
      {"+", NULL},
      {"-x", NULL},
      {"0xFFFFFFFFFFFFFFFFFF", NULL}, /* hex beyond 64 bits stays a string, as in go-yaml */
  };
  check_scalars(c, sizeof(c) / sizeof(c[0]));
}

static void big_integers_exact(void **state) {
  (void)state;
  /* go-yaml reads these as float64; we keep every digit (documented). */
  static const scalar_case c[] = {
      {"18446744073709551616", "18446744073709551616"},
      {"-9223372036854775809", "-9223372036854775809"},
      {"+18446744073709551616", "18446744073709551616"},
      {"123456789012345678901234567890", "123456789012345678901234567890"},
      {"000123456789012345678901234567890", "123456789012345678901234567890"},
      {"1_000_000_000_000_000_000_000", "1000000000000000000000"},
  };
  check_scalars(c, sizeof(c) / sizeof(c[0]));
  cJSON *o = mf_t_parse1("apiVersion: v1\nkind: X\nv: 123456789012345678901234567890\n");
  cJSON *v = cJSON_GetObjectItem(o, "v");
  assert_true(cJSON_IsRaw(v));
  assert_true(mf_is_number(v));
  char buf[64];
  assert_int_equal(mf_number_text(v, buf, sizeof(buf)), 0);
  assert_string_equal(buf, "123456789012345678901234567890");
  assert_int_equal(mf_number_text(v, buf, 10), MF_ERANGE);
  double d;
  assert_int_equal(mf_number_value(v, &d), 0);
  assert_true(d > 1.23e29 && d < 1.24e29);
  cJSON_Delete(o);
}

static void floats(void **state) {
  (void)state;
  static const scalar_case c[] = {
      {"1.5", "1.5"},
      {"1.50", "1.5"},
      {"1.0", "1"},
      {"-1.0", "-1"},
      {"-0.0", "0"},
      {"1.", "1"},
      {".5", "0.5"},
      {"-.5", "-0.5"},
      {"+.5", "0.5"},
      {"1e3", "1000"},
      {"1E3", "1000"},
      {"1e+3", "1000"},
      {"1e-3", "0.001"},
      {"+12e03", "12000"},
      {"1e-7", "1e-7"},
      {"0.000001", "0.000001"},
      {"0.0000001", "1e-7"},
      {"1e21", "1e+21"},
      {"1e20", "100000000000000000000"},
      {"1.5e300", "1.5e+300"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"4.9e-324", "5e-324"},
      {"1e-400", "0"},
      {"3.141592653589793238462643", "3.141592653589793"},
      {"0.1", "0.1"},
      {"1234567.5", "1234567.5"},
      {"1_000.5", "1000.5"},
      {".5_5", "0.55"},
      {".5e3", "500"},
      {"1e400", NULL}, /* overflow: a string, as go-yaml */
      {"1.8e308", NULL},
      {"-1e400", NULL},
      {"._5", NULL},
      {".e3", NULL},
      {"1e", NULL},
      {"e1", NULL},
      {"1e+", NULL},
      {"1.2.3", NULL},
      {"inf", NULL},
      {"nan", NULL},
      {"Infinity", NULL},
      {"0x1p-2", NULL},
      {".iNF", NULL},
      {".", NULL},
      {"..", NULL},
  };
  check_scalars(c, sizeof(c) / sizeof(c[0]));
}

static void inf_nan_rejected(void **state) {
  (void)state;
  static const char *bad[] = {".inf",  ".Inf", ".INF", "+.inf", "-.inf",
                              "-.Inf", ".nan", ".NaN", ".NAN",  "!!float .inf"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char doc[64];
    snprintf(doc, sizeof(doc), "apiVersion: v1\nkind: X\nv: %s\n", bad[i]);
    mf_docs d = {0};
    mf_error err;
    assert_int_equal(mf_parse(doc, strlen(doc), "f.yaml", &d, &err), MF_EVALUE);
    assert_int_equal(err.code, MF_EVALUE);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 4);
    assert_string_equal(err.file, "f.yaml");
    assert_non_null(strstr(err.message, "json: unsupported value"));
    assert_int_equal(d.count, 0);
  }
}

static void timestamps_and_strings(void **state) {
  (void)state;
  /* timestamps stay strings (go-yaml keeps them as strings in interface{}) */
  static const scalar_case c[] = {
      {"2001-12-14", NULL},
      {"2001-12-14t21:59:43.10-05:00", NULL},
      {"2001-12-14 21:59:43.10", NULL},
      {"12:30", NULL}, /* base 60 is not supported by go-yaml: a string */
      {"1:20:30", NULL},
      {"hello world", NULL},
      {"a:b", NULL},
      {"http://x.y/z?q=1", NULL},
      {"a=b", NULL},
      {"café", NULL},
      {"$100", NULL},
  };
  check_scalars(c, sizeof(c) / sizeof(c[0]));
}

static void quoted_and_escapes(void **state) {
  (void)state;
  char *g =
      mf_t_value("a: \"x\\ty\\u00e9\\x41\"\nb: 'it''s'\nc: \"line\\nbreak\"\nd: plain # comment\n"
                 "e: \"123\"\nf: '0x1F'\ng: \"\\U0001F600\"\nh: \"<&>\"\n");
  assert_string_equal(
      g, "{\"a\":\"x\\tyéA\",\"b\":\"it's\",\"c\":\"line\\nbreak\",\"d\":\"plain\",\"e\":\"123\","
         "\"f\":\"0x1F\",\"g\":\"😀\",\"h\":\"\\u003c\\u0026\\u003e\"}");
  free(g);
  /* multi-line flow scalars fold */
  g = mf_t_value("a: \"one\n  two\n\n  three\"\nb: plain\n  continued\n");
  assert_string_equal(g, "{\"a\":\"one two\\nthree\",\"b\":\"plain continued\"}");
  free(g);
}

static void block_scalars(void **state) {
  (void)state;
  char *g = mf_t_value("clip: |\n  a\n  b\n\n"
                       "strip: |-\n  a\n  b\n\n"
                       "keep: |+\n  a\n  b\n\n"
                       "folded: >\n  a\n  b\n\n  c\n   d\n  e\n"
                       "foldstrip: >-\n  x\n  y\n"
                       "indent: |2\n    four\n  two\n"
                       "indentkeep: |1+\n  x\n\n"
                       "empty: |\n"
                       "last: end\n");
  assert_string_equal(
      g, "{\"clip\":\"a\\nb\\n\",\"empty\":\"\",\"folded\":\"a b\\nc\\n "
         "d\\ne\\n\",\"foldstrip\":\"x y\","
         "\"indent\":\"  four\\ntwo\\n\",\"indentkeep\":\" x\\n\\n\",\"keep\":\"a\\nb\\n\\n\","
         "\"last\":\"end\",\"strip\":\"a\\nb\"}");
  free(g);
  /* block scalars are never resolved: "true" stays a string */
  g = mf_t_value("a: |-\n  true\nb: >-\n  123\n");
  assert_string_equal(g, "{\"a\":\"true\",\"b\":\"123\"}");
  free(g);
}

static void flow_collections(void **state) {
  (void)state;
  char *g = mf_t_value("a: [1, \"two\", three, {x: z}, [], {}]\nb: {c: d, e: [f, yes]}\n");
  assert_string_equal(
      g,
      "{\"a\":[1,\"two\",\"three\",{\"x\":\"z\"},[],{}],\"b\":{\"c\":\"d\",\"e\":[\"f\",true]}}");
  free(g);
  g = mf_t_value("[a, b]\n");
  assert_string_equal(g, "[\"a\",\"b\"]");
  free(g);
  g = mf_t_value("{\"json\": {\"style\":1, \"n\": [1.0, -2e2]}}\n");
  assert_string_equal(g, "{\"json\":{\"n\":[1,-200],\"style\":1}}");
  free(g);
}

static void tags(void **state) {
  (void)state;
  char *g = mf_t_value(
      "a: !!str 123\nb: !!int \"42\"\nc: !!float 1\nd: !!bool yes\ne: !!null \"\"\n"
      "f: !!binary aGVsbG8=\ng: ! 12\nh: !foo bar\ni: !!timestamp 2001-12-14\n"
      "j: !!str true\nk: !!float \"2.5\"\nl: !custom {x: 1}\nm: !!binary |\n  aGVs\n  bG8=\n");
  assert_string_equal(
      g, "{\"a\":\"123\",\"b\":42,\"c\":1,\"d\":true,\"e\":null,\"f\":\"hello\",\"g\":\"12\","
         "\"h\":\"bar\",\"i\":\"2001-12-14\",\"j\":\"true\",\"k\":2.5,\"l\":{\"x\":1},\"m\":"
         "\"hello\"}");
  free(g);
  /* invalid UTF-8 from !!binary becomes U+FFFD, as Go's encoding/json does */
  g = mf_t_value("a: !!binary /w==\n");
  assert_string_equal(g, "{\"a\":\"\xEF\xBF\xBD\"}");
  free(g);
  static const char *bad[] = {
      "a: !!int abc\n",    "a: !!float abc\n",   "a: !!binary \"a\"\n",
      "a: !!bool 1\n",     "a: !!null x\n",      "a: !!timestamp foo\n",
      "a: !!int 1e3\n",    "a: !!binary a$==\n", "a: !!float 18446744073709551615\n",
      "a: !!binary AAAA\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    g = mf_t_value(bad[i]);
    if (strncmp(g, "ERR:", 4) != 0) fail_msg("%s -> %s, want an error", bad[i], g);
    free(g);
  }
  cJSON *arr;
  mf_error err;
  assert_int_equal(mf_yaml_to_json("x: 1\na: !!int abc\n", 17, "t.yaml", NULL, &arr, &err),
                   MF_EVALUE);
  assert_string_equal(err.message,
                      "error converting YAML to JSON: yaml: cannot decode !!str `abc` as a !!int");
  assert_int_equal(err.line, 2);
}

static void anchors_aliases(void **state) {
  (void)state;
  char *g = mf_t_value("a: &x hello\nb: *x\nc: &l [1, *x]\nd: *l\ne: &m {k: *x}\nf: [*m, *m]\n");
  assert_string_equal(g, "{\"a\":\"hello\",\"b\":\"hello\",\"c\":[1,\"hello\"],\"d\":[1,\"hello\"],"
                         "\"e\":{\"k\":\"hello\"},"
                         "\"f\":[{\"k\":\"hello\"},{\"k\":\"hello\"}]}");
  free(g);
  /* redefinition: later anchor wins */
  g = mf_t_value("a: &x 1\nb: &x 2\nc: *x\n");
  assert_string_equal(g, "{\"a\":1,\"b\":2,\"c\":2}");
  free(g);
  /* aliases keep the anchored node's resolution */
  g = mf_t_value("a: &t yes\nb: *t\n");
  assert_string_equal(g, "{\"a\":true,\"b\":true}");
  free(g);
  /* alias as key */
  g = mf_t_value("k: &k name\n*k : v\n");
  assert_string_equal(g, "{\"k\":\"name\",\"name\":\"v\"}");
  free(g);
}

static void merge_keys(void **state) {
  (void)state;
  char *g = mf_t_value("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n");
  assert_string_equal(g, "{\"base\":{\"a\":1,\"b\":2},\"x\":{\"a\":1,\"b\":3}}");
  free(g);
  /* go-yaml v2 applies keys in order: a merge after an explicit key overrides it */
  g = mf_t_value("base: &b {a: 1, b: 2}\nx:\n  b: 3\n  <<: *b\n");
  assert_string_equal(g, "{\"base\":{\"a\":1,\"b\":2},\"x\":{\"a\":1,\"b\":2}}");
  free(g);
  /* a sequence of maps: earlier maps win */
  g = mf_t_value("a: &a {x: 1}\nb: &b {x: 2, w: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n");
  assert_string_equal(g,
                      "{\"a\":{\"x\":1},\"b\":{\"w\":2,\"x\":2},\"c\":{\"w\":2,\"x\":1,\"z\":3}}");
  free(g);
  /* inline mapping, two merges, tagged merge, quoted "<<" is a plain key */
  g = mf_t_value("c:\n  <<: {x: 1}\n  <<: {x: 2}\nd:\n  !!merge <<: {a: 1}\ne:\n  \"<<\": 1\n");
  assert_string_equal(g, "{\"c\":{\"x\":2},\"d\":{\"a\":1},\"e\":{\"\\u003c\\u003c\":1}}");
  free(g);
  /* nested merges */
  g = mf_t_value("a: &a {x: 1}\nb: &b {<<: *a, w: 2}\nc: {<<: *b, z: 3}\n");
  assert_string_equal(g,
                      "{\"a\":{\"x\":1},\"b\":{\"w\":2,\"x\":1},\"c\":{\"w\":2,\"x\":1,\"z\":3}}");
  free(g);
  static const char *bad[] = {"c:\n  <<: 1\n", "a: &a [1]\nc:\n  <<: *a\n",
                              "c:\n  <<: [{a: 1}, 2]\n", "c:\n  <<:\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    g = mf_t_value(bad[i]);
    if (strcmp(g, "ERR:-4") != 0) fail_msg("%s -> %s, want ERR:-4", bad[i], g);
    free(g);
  }
}

static void keys_to_strings(void **state) {
  (void)state;
  char *g =
      mf_t_value("true: a\nfalse: b\n1: c\n1.5: d\n0x10: e\n010: f\n2001-12-14: g\n-7: i\n"
                 "1e10: j\n0.1: k\n3.14159265358979: l\n.inf: m\n-.inf: nv\n.nan: o\n!!str 5: p\n"
                 "123456789012345678901234567890: q\n");
  /* compare as parsed objects (order-independent) */
  cJSON *got = cJSON_Parse(g);
  assert_non_null(got);
  const char *want[][2] = {
      {"true", "a"},   {"false", "b"}, {"1", "c"},          {"1.5", "d"},
      {"16", "e"},     {"8", "f"},     {"2001-12-14", "g"}, {"-7", "i"},
      {"1e+10", "j"},  {"0.1", "k"},   {"3.1415927", "l"},  {".inf", "m"},
      {"-.inf", "nv"}, {".nan", "o"},  {"5", "p"},          {"1.2345679e+29", "q"}};
  free(g);
  g = NULL;
  size_t nwant = sizeof(want) / sizeof(want[0]);
  assert_int_equal((size_t)cJSON_GetArraySize(got), nwant);
  for (size_t i = 0; i < nwant; i++) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(got, want[i][0]);
    if (!cJSON_IsString(v) || strcmp(v->valuestring, want[i][1]) != 0)
      fail_msg("key %s", want[i][0]);
  }
  cJSON_Delete(got);
  /* true: and yes: collide -> duplicate */
  g = mf_t_value("true: a\nyes: b\n");
  assert_string_equal(g, "ERR:-5");
  free(g);
  static const char *bad[] = {"~: a\n",
                              "null: a\n",
                              "? [1, 2]\n: a\n",
                              "? {a: 1}\n: a\n",
                              "18446744073709551615: a\n",
                              "? \n: b\n",
                              "k: &k [1]\n*k : v\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    g = mf_t_value(bad[i]);
    if (strcmp(g, "ERR:-4") != 0) fail_msg("%s -> %s, want ERR:-4", bad[i], g);
    free(g);
  }
}

static void duplicate_keys(void **state) {
  (void)state;
  static const struct {
    const char *doc;
    int line, col, first;
    const char *key;
  } c[] = {
      {"a: 1\nb: 2\na: 3\n", 3, 1, 1, "a"}, {"x:\n  b: 1\n  c: 2\n  b: 2\n", 4, 3, 2, "b"},
      {"a: {x: 1, x: 2}\n", 1, 11, 1, "x"}, {"1: a\n\"1\": b\n", 2, 1, 1, "1"},
      {"0x10: a\n16: b\n", 2, 1, 1, "16"},
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    cJSON *arr = NULL;
    mf_error err;
    int rc = mf_yaml_to_json(c[i].doc, strlen(c[i].doc), "d.yaml", NULL, &arr, &err);
    assert_int_equal(rc, MF_EDUPKEY);
    assert_null(arr);
    char want[200];
    snprintf(want, sizeof(want), "mapping key \"%s\" already defined at line %d", c[i].key,
             c[i].first);
    if (!strstr(err.message, want)) fail_msg("%s: %s", c[i].doc, err.message);
    assert_int_equal(err.line, c[i].line);
    assert_int_equal(err.column, c[i].col);
  }
  /* the same key in different mappings, and merged keys overridden, are fine */
  char *g = mf_t_value("a: {x: 1}\nb: {x: 2}\nc: &c {x: 1}\nd: {<<: *c, x: 2}\n");
  assert_string_equal(g, "{\"a\":{\"x\":1},\"b\":{\"x\":2},\"c\":{\"x\":1},\"d\":{\"x\":2}}");
  free(g);
}

static void documents_and_lines(void **state) {
  (void)state;
  const char *y = "# leading comment\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
                  "---\n"
                  "# only a comment\n"
                  "---\n"
                  "---\n~\n"
                  "--- \napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n  namespace: ns\n"
                  "...\n"
                  "---\nnull\n"
                  "---\n\n\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\n";
  mf_docs d = {0};
  mf_error err;
  assert_int_equal(mf_parse(y, strlen(y), "multi.yaml", &d, &err), 0);
  assert_int_equal(d.count, 3);
  assert_int_equal(d.items[0].line, 2);
  assert_int_equal(d.items[1].line, 10);
  assert_int_equal(d.items[2].line, 19);
  assert_string_equal(d.items[0].file, "multi.yaml");
  assert_string_equal(mf_obj_name(d.items[1].obj), "b");
  assert_string_equal(mf_obj_kind(d.items[2].obj), "Deployment");
  /* appends to what is there */
  assert_int_equal(mf_parse("apiVersion: v1\nkind: A\n", 22, NULL, &d, &err), 0);
  assert_int_equal(d.count, 4);
  assert_null(d.items[3].file);
  mf_docs_free(&d);
  assert_int_equal(d.count, 0);
  assert_null(d.items);
  /* empty inputs */
  static const char *empty[] = {"",           "\n",  "# c\n",  "---\n",
                                "---\n...\n", "~\n", "null\n", "---\n---\n---\n"};
  for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
    assert_int_equal(mf_parse(empty[i], strlen(empty[i]), "e.yaml", &d, &err), 0);
    assert_int_equal(d.count, 0);
  }
  mf_docs_free(&d);
  /* mf_yaml_to_json keeps null documents */
  cJSON *arr;
  assert_int_equal(mf_yaml_to_json("a: 1\n---\n---\n- x\n", 17, NULL, NULL, &arr, &err), 0);
  char *s = mf_canonical_json(arr);
  assert_string_equal(s, "[{\"a\":1},null,[\"x\"]]");
  free(s);
  cJSON_Delete(arr);
}

static void lists_expand(void **state) {
  (void)state;
  const char *y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n"
                  "---\n"
                  "apiVersion: v1\nkind: List\nitems:\n"
                  "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
                  "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b, namespace: x}\n"
                  "---\n"
                  "apiVersion: v1\nkind: ConfigMapList\nitems:\n"
                  "- metadata: {name: typed}\n"
                  "- kind: Secret\n  apiVersion: v1\n  metadata: {name: s}\n"
                  "---\n"
                  "apiVersion: v1\nkind: List\nitems: []\n"
                  "---\n"
                  "apiVersion: example.com/v1\nkind: WishList\nitems: not-a-list\n";
  mf_docs d = {0};
  mf_error err;
  char eb[600];
  int rc = mf_parse(y, strlen(y), "l.yaml", &d, &err);
  if (rc) fail_msg("%s", mf_error_format(&err, eb, sizeof(eb)));
  assert_int_equal(d.count, 6);
  char key[256];
  const char *want[] = {"/ConfigMap//first", "/ConfigMap//a", "apps/Deployment/x/b",
                        "/ConfigMap//typed", "/Secret//s",    "example.com/WishList//"};
  int lines[] = {1, 4, 4, 14, 14, 26};
  for (size_t i = 0; i < 6; i++) {
    assert_int_equal(mf_obj_key(d.items[i].obj, key, sizeof(key)), 0);
    assert_string_equal(key, want[i]);
    assert_int_equal(d.items[i].line, lines[i]);
  }
  mf_docs_free(&d);
  /* an item of a kind-less "List" without kind is an error; nested lists expand */
  const char *bad = "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: x}\n";
  assert_int_equal(mf_parse(bad, strlen(bad), "l.yaml", &d, &err), MF_EOBJECT);
  assert_non_null(strstr(err.message, "item 0 of the List has no kind"));
  assert_int_equal(err.line, 1);
  const char *nested =
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n"
      "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: deep}}\n";
  assert_int_equal(mf_parse(nested, strlen(nested), "n.yaml", &d, &err), 0);
  assert_int_equal(d.count, 1);
  assert_string_equal(mf_obj_name(d.items[0].obj), "deep");
  mf_docs_free(&d);
  /* items: null (Argo CD's isNullList) holds nothing */
  const char *null_list =
      "apiVersion: v1\nkind: ConfigMapList\nitems: null\n---\napiVersion: v1\nkind: A\n";
  assert_int_equal(mf_parse(null_list, strlen(null_list), "n.yaml", &d, &err), 0);
  assert_int_equal(d.count, 1);
  assert_string_equal(mf_obj_kind(d.items[0].obj), "A");
  mf_docs_free(&d);
  const char *scalar_item = "apiVersion: v1\nkind: List\nitems:\n- just a string\n";
  assert_int_equal(mf_parse(scalar_item, strlen(scalar_item), "s.yaml", &d, &err), MF_ENOTOBJ);
  /* without expansion the List is one object */
  mf_parse_opts o;
  mf_parse_opts_default(&o);
  o.expand_lists = false;
  assert_int_equal(mf_parse_ex(y, strlen(y), "l.yaml", &o, &d, &err), 0);
  assert_int_equal(d.count, 5);
  mf_docs_free(&d);
}

static void object_checks(void **state) {
  (void)state;
  static const struct {
    const char *doc;
    int code, line;
    const char *msg;
  } c[] = {
      {"- a\n- b\n", MF_ENOTOBJ, 1, "object is not a mapping: the document is a sequence"},
      {"just text\n", MF_ENOTOBJ, 1, "the document is a string"},
      {"apiVersion: v1\nkind: A\n---\n42\n", MF_ENOTOBJ, 3, "the document is a number"},
      {"---\ntrue\n", MF_ENOTOBJ, 1, "is a boolean"},
      {"{}\n", MF_EOBJECT, 1, "has no apiVersion and no kind"},
      {"apiVersion: v1\nkind: A\n---\nkind: ConfigMap\nmetadata: {name: x}\n", MF_EOBJECT, 3,
       "has no apiVersion"},
      {"\n\napiVersion: v1\nmetadata: {name: x}\n", MF_EOBJECT, 3, "has no kind"},
      {"apiVersion: v1\nkind: 5\n", MF_EOBJECT, 1, "has no kind"},
      {"apiVersion: v1\nkind: \"\"\n", MF_EOBJECT, 1, "has no kind"},
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    mf_docs d = {0};
    mf_error err;
    int rc = mf_parse(c[i].doc, strlen(c[i].doc), "obj.yaml", &d, &err);
    if (rc != c[i].code) fail_msg("%s: rc %d want %d (%s)", c[i].doc, rc, c[i].code, err.message);
    assert_int_equal(err.code, c[i].code);
    assert_int_equal(err.line, c[i].line);
    assert_string_equal(err.file, "obj.yaml");
    if (!strstr(err.message, c[i].msg)) fail_msg("%s: %s", c[i].doc, err.message);
    assert_int_equal(d.count, 0);
    assert_null(d.items); /* left exactly as it was: nothing to free */
    mf_docs_free(&d);
  }
  /* require_gvk off: any mapping */
  mf_parse_opts o;
  mf_parse_opts_default(&o);
  o.require_gvk = false;
  mf_docs d = {0};
  mf_error err;
  assert_int_equal(mf_parse_ex("a: 1\n", 5, NULL, &o, &d, &err), 0);
  assert_int_equal(d.count, 1);
  mf_docs_free(&d);
  /* an error leaves earlier documents untouched */
  assert_int_equal(mf_parse("apiVersion: v1\nkind: A\n", 22, NULL, &d, &err), 0);
  const char *y = "apiVersion: v1\nkind: B\n---\n- x\n";
  assert_int_equal(mf_parse(y, strlen(y), NULL, &d, &err), MF_ENOTOBJ);
  assert_int_equal(d.count, 1);
  mf_docs_free(&d);
}

static void json_files(void **state) {
  (void)state;
  const char *j = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": "
                  "{\"name\": \"j\"},\n"
                  "  \"data\": {\"a\": \"yes\", \"n\": 1.0, \"big\": "
                  "123456789012345678901234567890, \"e\": 1e-7,\n"
                  "  \"u\": \"\\u00e9\\ud83d\\ude00\\/\", \"lone\": \"\\ud800\", \"neg0\": -0, "
                  "\"f\": -0.0}\n}\n";
  mf_docs d = {0};
  mf_error err;
  char eb[600];
  int rc = mf_parse_json(j, strlen(j), "x.json", NULL, &d, &err);
  if (rc) fail_msg("%s", mf_error_format(&err, eb, sizeof(eb)));
  assert_int_equal(d.count, 1);
  char *s = mf_canonical_json(cJSON_GetObjectItem(d.items[0].obj, "data"));
  assert_string_equal(s, "{\"a\":\"yes\",\"big\":123456789012345678901234567890,\"e\":1e-7,\"f\":0,"
                         "\"lone\":\"\xEF\xBF\xBD\","
                         "\"n\":1,\"neg0\":0,\"u\":\"é😀/\"}");
  free(s);
  mf_docs_free(&d);
  static const struct {
    const char *doc;
    int code, line, col;
  } bad[] = {
      {"", MF_ESYNTAX, 1, 1},
      {"{\"a\": 1,}", MF_ESYNTAX, 1, 9},
      {"{\"a\": 1}\n{\"b\": 2}", MF_ESYNTAX, 2, 1},
      {"{\n  \"a\": 01\n}", MF_ESYNTAX, 2, 8},
      {"{\"a\": 1, \"a\": 2}", MF_EDUPKEY, 1, 10},
      {"{\"a\": 1e400}", MF_EVALUE, 1, 7},
      {"{\"a\": \"x\\u0000\"}", MF_EVALUE, 1, 9},
      {"{\"a\": \"\t\"}", MF_ESYNTAX, 1, 8},
      {"{\"a\": \"\\q\"}", MF_ESYNTAX, 1, 9},
      {"{a: 1}", MF_ESYNTAX, 1, 2},
      {"{\"a\": tru}", MF_ESYNTAX, 1, 7},
      {"[1, 2]", MF_ENOTOBJ, 1, 0},
      {"{\"a\": \"unterminated", MF_ESYNTAX, 1, 20},
      {"{\"a\": -}", MF_ESYNTAX, 1, 7},
      {"\xEF\xBB\xBF{}", MF_ESYNTAX, 1, 1},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    rc = mf_parse_json(bad[i].doc, strlen(bad[i].doc), "b.json", NULL, &d, &err);
    if (rc != bad[i].code || err.line != bad[i].line || err.column != bad[i].col)
      fail_msg("%s: rc %d line %d col %d (%s)", bad[i].doc, rc, err.line, err.column, err.message);
    assert_int_equal(d.count, 0);
  }
  /* deep nesting */
  size_t n = 3000;
  char *deep = malloc(2 * n + 1);
  for (size_t i = 0; i < n; i++)
    deep[i] = '[', deep[2 * n - 1 - i] = ']';
  deep[2 * n] = '\0';
  assert_int_equal(mf_parse_json(deep, 2 * n, "d.json", NULL, &d, &err), MF_ELIMIT);
  free(deep);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(booleans),
      cmocka_unit_test(nulls),
      cmocka_unit_test(integers),
      cmocka_unit_test(big_integers_exact),
      cmocka_unit_test(floats),
      cmocka_unit_test(inf_nan_rejected),
      cmocka_unit_test(timestamps_and_strings),
      cmocka_unit_test(quoted_and_escapes),
      cmocka_unit_test(block_scalars),
      cmocka_unit_test(flow_collections),
      cmocka_unit_test(tags),
      cmocka_unit_test(anchors_aliases),
      cmocka_unit_test(merge_keys),
      cmocka_unit_test(keys_to_strings),
      cmocka_unit_test(duplicate_keys),
      cmocka_unit_test(documents_and_lines),
      cmocka_unit_test(lists_expand),
      cmocka_unit_test(object_checks),
      cmocka_unit_test(json_files),
  };
  return cmocka_run_group_tests_name("mf_parse", tests, NULL, NULL);
}

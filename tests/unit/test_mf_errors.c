/* engine/manifest: every bad input gives an error with file:line:column,
 * never a crash, hang or leak: syntax errors, tabs, unclosed quotes, alias
 * bombs, deep nesting, garbage, huge numbers, NUL bytes, bad UTF-8. */
#include <time.h>
#include "test_mf_util.h"

static void syntax_errors(void **state) {
  (void)state;
  static const struct {
    const char *doc;
    int line, col;
    const char *msg;
  } c[] = {
      {"a: b: c\n", 1, 5, "mapping values are not allowed in this context"},
      {"a:\n\tb: 1\n", 2, 1, "found character that cannot start any token"},
      {"a: 1\nb:\n\t- x\n", 3, 1, "found character that cannot start any token"},
      {"a: \"abc\nb: 1\n", 3, 1,
       "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)"},
      {"a: 'abc\n", 2, 1,
       "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)"},
      {"a: [1, 2\n", 2, 1, "did not find expected ',' or ']'"},
      {"a: {b: 1\n", 2, 1, "did not find expected ',' or '}'"},
      {"a:\n  - b\n  c: d\n", 3, 3, "did not find expected '-' indicator"},
      {"a: @b\n", 1, 4, "found character that cannot start any token"},
      {"a: `b\n", 1, 4, "found character that cannot start any token"},
      {"- a\nb: c\n", 2, 1, "did not find expected '-' indicator"},
      {"%YAML 2.0\n---\na: 1\n", 1, 1, "found incompatible YAML document"},
      {"a: \"\\q\"\n", 1, 5, "found unknown escape character"},
      {"a: !<x 1\n", 1, 7,
       "did not find the expected '>' (while scanning a tag at line 1, column 4)"},
      {"a: &\n", 1, 5, "did not find expected alphabetic or numeric character"},
      {"key: |\n  text\n bad\n", 3, 2, ""},
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    mf_docs d = {0};
    mf_error err;
    int rc = mf_parse(c[i].doc, strlen(c[i].doc), "syn.yaml", &d, &err);
    if (rc != MF_ESYNTAX) fail_msg("%s: rc %d (%s)", c[i].doc, rc, err.message);
    assert_int_equal(err.code, MF_ESYNTAX);
    assert_string_equal(err.file, "syn.yaml");
    if (err.line != c[i].line || err.column != c[i].col)
      fail_msg("%s: at %d:%d, want %d:%d (%s)", c[i].doc, err.line, err.column, c[i].line, c[i].col,
               err.message);
    if (!strstr(err.message, c[i].msg)) fail_msg("%s: %s", c[i].doc, err.message);
    char want[64];
    snprintf(want, sizeof(want), "yaml: line %d: ", c[i].line);
    if (!strstr(err.message, want)) fail_msg("%s: %s", c[i].doc, err.message);
    assert_int_equal(d.count, 0);
    char buf[700];
    mf_error_format(&err, buf, sizeof(buf));
    snprintf(want, sizeof(want), "syn.yaml:%d:%d: error converting YAML to JSON", c[i].line,
             c[i].col);
    if (strncmp(buf, want, strlen(want)) != 0) fail_msg("%s", buf);
  }
}

static void anchors_errors(void **state) {
  (void)state;
  static const struct {
    const char *doc;
    int line, col;
    const char *msg;
  } c[] = {
      {"a: *nope\n", 1, 4, "unknown anchor 'nope' referenced"},
      {"a: &x [1, *x]\n", 1, 11, "anchor 'x' value contains itself"},
      {"a: &x {b: *x}\n", 1, 11, "anchor 'x' value contains itself"},
      {"a: &x {<<: *x}\n", 1, 12, "anchor 'x' value contains itself"},
      {"a: &x 1\n---\nb: *x\n", 3, 4,
       "unknown anchor 'x' referenced"}, /* anchors are per document */
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    cJSON *arr = NULL;
    mf_error err;
    int rc = mf_yaml_to_json(c[i].doc, strlen(c[i].doc), "a.yaml", NULL, &arr, &err);
    if (rc >= 0) fail_msg("%s: no error", c[i].doc);
    assert_null(arr);
    if (err.line != c[i].line || err.column != c[i].col || !strstr(err.message, c[i].msg))
      fail_msg("%s: %d:%d %s", c[i].doc, err.line, err.column, err.message);
  }
}

/* The classic "billion laughs": 9 levels of 10 aliases. */
static char *laughs(int levels, int width) {
  size_t cap = 256 + (size_t)levels * (size_t)width * 16;
  char *s = malloc(cap), *p = s;
  p += sprintf(p, "a0: &a0 [\"lol\"]\n");
  for (int l = 1; l <= levels; l++) {
    p += sprintf(p, "a%d: &a%d [", l, l);
    for (int w = 0; w < width; w++)
      p += sprintf(p, "%s*a%d", w ? ", " : "", l - 1);
    p += sprintf(p, "]\n");
  }
  return s;
}

static void alias_bomb(void **state) {
  (void)state;
  char *s = laughs(9, 10);
  mf_docs d = {0};
  mf_error err;
  time_t t0 = time(NULL);
  int rc = mf_parse(s, strlen(s), "bomb.yaml", &d, &err);
  assert_int_equal(rc, MF_ELIMIT);
  assert_true(time(NULL) - t0 < 20);
  assert_non_null(
      strstr(err.message, "excessive aliasing (more than 1000000 nodes expanded through aliases)"));
  assert_string_equal(err.file, "bomb.yaml");
  assert_true(err.line >= 1);
  assert_int_equal(d.count, 0);
  free(s);
  /* merge keys count too */
  const char *m = "a: &a {k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8}\n"
                  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [{<<: *a}, {<<: *a}, {<<: *a}, {<<: *a}, *b, *b, *b, *b]\n"
                  "d: [*c, *c, *c, *c, *c, *c, *c, *c]\n";
  mf_parse_opts o;
  mf_parse_opts_default(&o);
  o.require_gvk = false;
  o.max_alias_nodes = 500;
  cJSON *arr = NULL;
  assert_int_equal(mf_yaml_to_json(m, strlen(m), "m.yaml", &o, &arr, &err), MF_ELIMIT);
  assert_non_null(strstr(err.message, "more than 500 nodes"));
  o.max_alias_nodes = 100000;
  assert_int_equal(mf_yaml_to_json(m, strlen(m), "m.yaml", &o, &arr, &err), 0);
  cJSON_Delete(arr);
  /* a small bomb under a raised cap expands completely */
  s = laughs(3, 10);
  o.max_alias_nodes = 2000000;
  assert_int_equal(mf_yaml_to_json(s, strlen(s), "s.yaml", &o, &arr, &err), 0);
  cJSON *a3 = cJSON_GetObjectItem(arr->child, "a3");
  assert_int_equal(cJSON_GetArraySize(a3), 10);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetArrayItem(cJSON_GetArrayItem(a3, 9), 9)), 10);
  cJSON_Delete(arr);
  free(s);
}

static char *nested(int depth, bool flow) {
  char *s = malloc((size_t)depth * (flow ? 2 : 64) + 64), *p = s;
  if (flow) {
    for (int i = 0; i < depth; i++)
      *p++ = '[';
    for (int i = 0; i < depth; i++)
      *p++ = ']';
    *p++ = '\n';
  } else {
    for (int i = 0; i < depth; i++) {
      p += sprintf(p, "%*sk:\n", i % 50, "");
      if (i % 50 == 49) p += sprintf(p, "%*s  v: [\n", 49, ""); /* continue deeper in flow style */
    }
  }
  *p = '\0';
  return s;
}

static void deep_nesting(void **state) {
  (void)state;
  cJSON *arr = NULL;
  mf_error err;
  char *s = nested(1000, true);
  assert_int_equal(mf_yaml_to_json(s, strlen(s), "deep.yaml", NULL, &arr, &err), 0);
  cJSON_Delete(arr);
  free(s);
  s = nested(1001, true);
  assert_int_equal(mf_yaml_to_json(s, strlen(s), "deep.yaml", NULL, &arr, &err), MF_ELIMIT);
  assert_int_equal(err.line, 1);
  assert_int_equal(err.column, 1001);
  assert_non_null(strstr(err.message, "nesting deeper than 1000 levels"));
  free(s);
  s = nested(200000, true); /* far deeper: stops early, no stack overflow */
  assert_int_equal(mf_yaml_to_json(s, strlen(s), "deep.yaml", NULL, &arr, &err), MF_ELIMIT);
  free(s);
  /* a configurable cap */
  mf_parse_opts o;
  mf_parse_opts_default(&o);
  o.max_depth = 10;
  const char *y = "a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h:\n        i:\n        "
                  " j:\n          k: 1\n";
  assert_int_equal(mf_yaml_to_json(y, strlen(y), "d.yaml", &o, &arr, &err), MF_ELIMIT);
  assert_int_equal(err.line, 11);
  o.max_depth = 11;
  assert_int_equal(mf_yaml_to_json(y, strlen(y), "d.yaml", &o, &arr, &err), 0);
  cJSON_Delete(arr);
  /* depth through aliases counts too */
  char *a = nested(600, true);
  a[strlen(a) - 1] = '\0';
  size_t n = strlen(a) * 2 + 64;
  char *doc = malloc(n);
  /* x: &x [[[...]]]   y: [[[... *x ...]]] */
  char *p = doc;
  p += sprintf(p, "x: &x %s\ny: ", a);
  for (int i = 0; i < 600; i++)
    *p++ = '[';
  p += sprintf(p, "*x");
  for (int i = 0; i < 600; i++)
    *p++ = ']';
  *p++ = '\n';
  *p = '\0';
  assert_int_equal(mf_yaml_to_json(doc, strlen(doc), "alias-deep.yaml", NULL, &arr, &err),
                   MF_ELIMIT);
  assert_int_equal(err.line, 1); /* inside the anchored value, reached through the alias */
  free(doc);
  free(a);
}

static void bad_bytes(void **state) {
  (void)state;
  static const struct {
    const char *doc;
    size_t len;
    int code;
    const char *msg;
  } c[] = {
      {"a: b\0c\n", 7, MF_ESYNTAX, "control characters are not allowed"},
      {"a: \xff\n", 5, MF_ESYNTAX, "invalid leading UTF-8 octet"},
      {"a: \xc3\x28\n", 6, MF_ESYNTAX, "invalid trailing UTF-8 octet"},
      {"a: \x01\n", 5, MF_ESYNTAX, "control characters are not allowed"},
      {"a: \"\\0\"\n", 8, MF_EVALUE, "NUL characters"},
      {"a: \"x\\x00y\"\n", 12, MF_EVALUE, "NUL characters"},
      {"a: !!binary AAAA\n", 17, MF_EVALUE, "NUL characters"},
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    cJSON *arr = NULL;
    mf_error err;
    int rc = mf_yaml_to_json(c[i].doc, c[i].len, "b.yaml", NULL, &arr, &err);
    if (rc != c[i].code || !strstr(err.message, c[i].msg))
      fail_msg("case %zu: rc %d %s", i, rc, err.message);
    assert_int_equal(err.line, 1);
    assert_true(err.column >= 1);
  }
  /* UTF-16 with a BOM is read like go-yaml does */
  const char u16[] = "\xff\xfe"
                     "a\0:\0 \0\xe9\0\n\0";
  cJSON *arr = NULL;
  mf_error err;
  assert_int_equal(mf_yaml_to_json(u16, sizeof(u16) - 1, "u.yaml", NULL, &arr, &err), 0);
  char *s = mf_canonical_json(arr);
  assert_string_equal(s, "[{\"a\":\"é\"}]");
  free(s);
  cJSON_Delete(arr);
  /* a UTF-8 BOM is skipped */
  assert_int_equal(mf_yaml_to_json("\xef\xbb\xbf"
                                   "a: 1\n",
                                   8, "u.yaml", NULL, &arr, &err),
                   0);
  cJSON_Delete(arr);
}

static void huge_numbers(void **state) {
  (void)state;
  size_t n = 5000;
  char *s = malloc(n + 16);
  strcpy(s, "v: ");
  memset(s + 3, '9', n);
  strcpy(s + 3 + n, "\n");
  cJSON *arr = NULL;
  mf_error err;
  assert_int_equal(mf_yaml_to_json(s, strlen(s), "h.yaml", NULL, &arr, &err), 0);
  cJSON *v = cJSON_GetObjectItem(arr->child, "v");
  assert_true(cJSON_IsString(v)); /* beyond float64: a string, as go-yaml */
  assert_int_equal(strlen(v->valuestring), n);
  cJSON_Delete(arr);
  /* 300 digits: a float64 for Kubernetes, exact digits here */
  memset(s + 3, '7', 300);
  strcpy(s + 303, "\n");
  assert_int_equal(mf_yaml_to_json(s, strlen(s), "h.yaml", NULL, &arr, &err), 0);
  v = cJSON_GetObjectItem(arr->child, "v");
  assert_true(mf_is_number(v));
  assert_int_equal(strlen(v->valuestring), 300);
  cJSON_Delete(arr);
  /* an exponent beyond float64 */
  assert_int_equal(mf_yaml_to_json("v: 1e99999999999999999999\n", 26, "h.yaml", NULL, &arr, &err),
                   0);
  assert_true(cJSON_IsString(cJSON_GetObjectItem(arr->child, "v")));
  cJSON_Delete(arr);
  free(s);
}

static void arguments(void **state) {
  (void)state;
  mf_docs d = {0};
  mf_error err;
  assert_int_equal(mf_parse(NULL, 0, "x", &d, &err), 0);
  assert_int_equal(mf_parse(NULL, 3, "x", &d, &err), MF_EINVAL);
  assert_int_equal(mf_parse("a", 1, "x", NULL, &err), MF_EINVAL);
  assert_int_equal(mf_parse("- a", 3, "x", &d, NULL), MF_ENOTOBJ); /* no err: still an error code */
  assert_int_equal(mf_parse_json(NULL, 0, "x", NULL, &d, &err), MF_ESYNTAX);
  assert_int_equal(mf_yaml_to_json("a", 1, NULL, NULL, NULL, &err), MF_EINVAL);
  assert_int_equal(mf_load_files(NULL, 1, NULL, NULL, false, &d, &err), MF_EINVAL);
  mf_docs_free(NULL);
  mf_docs_free(&d);
  assert_null(mf_to_yaml(NULL));
  assert_null(mf_canonical_json(NULL));
  char out[65];
  assert_int_equal(mf_digest(NULL, out), MF_EINVAL);
  assert_int_equal(mf_docs_append(&d, NULL, 1, NULL), MF_EINVAL);
  /* max_docs */
  mf_parse_opts o;
  mf_parse_opts_default(&o);
  o.max_docs = 2;
  o.require_gvk = false;
  assert_int_equal(mf_parse_ex("a: 1\n---\nb: 2\n", 14, "m.yaml", &o, &d, &err), 0);
  assert_int_equal(d.count, 2);
  assert_int_equal(mf_parse_ex("a: 1\n---\nb: 2\n---\nc: 3\n", 23, "m.yaml", &o, &d, &err),
                   MF_ELIMIT);
  assert_int_equal(d.count, 2);
  assert_int_equal(err.line, 4);
  mf_docs_free(&d);
  /* error formatting */
  char buf[700];
  mf_error e = {.code = MF_ESYNTAX, .message = "boom", .file = "f.yaml", .line = 3, .column = 7};
  assert_string_equal(mf_error_format(&e, buf, sizeof(buf)), "f.yaml:3:7: boom");
  e.column = 0;
  assert_string_equal(mf_error_format(&e, buf, sizeof(buf)), "f.yaml:3: boom");
  e.line = 0;
  assert_string_equal(mf_error_format(&e, buf, sizeof(buf)), "f.yaml: boom");
  e.file[0] = '\0';
  assert_string_equal(mf_error_format(&e, buf, sizeof(buf)), "boom");
  e.line = 2;
  assert_string_equal(mf_error_format(&e, buf, sizeof(buf)), "2: boom");
  assert_string_equal(mf_error_format(&e, buf, 4), "2: ");
  assert_string_equal(mf_error_format(NULL, buf, sizeof(buf)), "");
}

/* xorshift PRNG: deterministic garbage */
static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 7;
  rnd_state ^= rnd_state << 17;
  return rnd_state;
}

/* Any successful parse must print as YAML that parses back to the same
 * canonical JSON. */
static void roundtrip_check(const cJSON *arr) {
  for (const cJSON *doc = arr->child; doc; doc = doc->next) {
    char *y = mf_to_yaml(doc);
    assert_non_null(y);
    cJSON *back = NULL;
    mf_error err;
    mf_parse_opts o;
    mf_parse_opts_default(&o);
    o.max_alias_nodes = (size_t)-1;
    int rc = mf_yaml_to_json(y, strlen(y), "rt.yaml", &o, &back, &err);
    if (rc) fail_msg("re-parse failed: %s\n---\n%s", err.message, y);
    char *a = mf_canonical_json(doc), *b = mf_canonical_json(back->child);
    if (!a || !b || strcmp(a, b) != 0) fail_msg("round trip differs:\n%s\n%s\n---\n%s", a, b, y);
    free(a);
    free(b);
    free(y);
    cJSON_Delete(back);
  }
}

static void garbage_and_mutations(void **state) {
  (void)state;
  const char *seed =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &a x # c\n  labels: {a: \"1\", b: yes}\n"
      "data:\n  k: |\n    line\n  q: 'x'\n  n: [1, 2.5, ~, *a]\n  m: &m {<<: {z: 1}}\n---\n- "
      "0x1F\n";
  static const char specials[] = ":-?[]{},#&*!|>'\"%@`\t\n \\~<=0.e+x\xc3\xa9\x00\xff";
  size_t slen = strlen(seed);
  char *buf = malloc(slen * 2 + 64);
  int ok = 0;
  for (int it = 0; it < 4000; it++) {
    size_t n;
    if (it % 4 == 0) {
      n = rnd() % 200;
      for (size_t i = 0; i < n; i++)
        buf[i] = (char)(rnd() & 0xFF);
    } else {
      memcpy(buf, seed, slen);
      n = slen;
      int muts = 1 + (int)(rnd() % 4);
      for (int m = 0; m < muts; m++) {
        size_t pos = rnd() % n;
        char c = specials[rnd() % (sizeof(specials) - 1)];
        switch (rnd() % 3) {
        case 0:
          buf[pos] = c;
          break;
        case 1:
          memmove(buf + pos + 1, buf + pos, n - pos);
          buf[pos] = c;
          n++;
          break;
        default:
          memmove(buf + pos, buf + pos + 1, n - pos - 1);
          n--;
        }
      }
    }
    cJSON *arr = NULL;
    mf_error err;
    mf_parse_opts o;
    mf_parse_opts_default(&o);
    int rc = mf_yaml_to_json(buf, n, "fuzz.yaml", &o, &arr, &err);
    if (rc == 0) {
      ok++;
      roundtrip_check(arr);
      cJSON_Delete(arr);
    } else {
      assert_true(rc < 0);
      assert_int_equal(err.code, rc);
      assert_true(err.message[0] != '\0');
      assert_string_equal(err.file, "fuzz.yaml");
      assert_null(arr);
    }
    mf_docs d = {0};
    rc = mf_parse(buf, n, "fuzz.yaml", &d, &err);
    assert_true(rc <= 0);
    mf_docs_free(&d);
    rc = mf_parse_json(buf, n, "fuzz.json", NULL, &d, &err);
    assert_true(rc <= 0);
    mf_docs_free(&d);
  }
  print_message("fuzz: %d of 4000 inputs parsed and round-tripped\n", ok);
  assert_true(ok > 100);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(syntax_errors), cmocka_unit_test(anchors_errors),
      cmocka_unit_test(alias_bomb),    cmocka_unit_test(deep_nesting),
      cmocka_unit_test(bad_bytes),     cmocka_unit_test(huge_numbers),
      cmocka_unit_test(arguments),     cmocka_unit_test(garbage_and_mutations),
  };
  return cmocka_run_group_tests_name("mf_errors", tests, NULL, NULL);
}

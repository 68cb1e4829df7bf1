/* engine/helm: --set parsing (Helm's strvals rules), YAML values semantics,
 * coalescing (null deletes, maps merge, globals flow down). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/helm/helm.h"
#include "engine/helm/helm_internal.h"

/* parse with kind, compare with expected JSON (encoding/json text) */
static void sv(const char *in, helm_set_kind kind, const char *want_json) {
  helm_value *m = helm_value_map();
  helm_error e = {0};
  int rc = helm_strvals_parse(in, kind, m, &e);
  if (rc) fail_msg("%s: %s", in, e.message);
  char *j = helm_value_to_json(m);
  if (strcmp(j, want_json)) fail_msg("%s: got %s want %s", in, j, want_json);
  free(j);
  helm_value_free(m);
  helm_error_clear(&e);
}

static void sv_err(const char *in, helm_set_kind kind, const char *want) {
  helm_value *m = helm_value_map();
  helm_error e = {0};
  int rc = helm_strvals_parse(in, kind, m, &e);
  assert_int_not_equal(rc, 0);
  if (strcmp(e.message, want)) fail_msg("%s: got '%s' want '%s'", in, e.message, want);
  helm_value_free(m);
  helm_error_clear(&e);
}

static void strvals_set(void **state) {
  (void)state;
  sv("name=value", HELM_SET, "{\"name\":\"value\"}");
  sv("long_int_string=1234567890", HELM_SET, "{\"long_int_string\":1234567890}");
  sv("boolean=true", HELM_SET, "{\"boolean\":true}");
  sv("is_null=null", HELM_SET, "{\"is_null\":null}");
  sv("zero=0", HELM_SET, "{\"zero\":0}");
  sv("leading_zeros=00009", HELM_SET, "{\"leading_zeros\":\"00009\"}");
  sv("name1=value1,name2=value2", HELM_SET, "{\"name1\":\"value1\",\"name2\":\"value2\"}");
  sv("name1=value1,name2=value2,", HELM_SET, "{\"name1\":\"value1\",\"name2\":\"value2\"}");
  sv("outer.inner=value", HELM_SET, "{\"outer\":{\"inner\":\"value\"}}");
  sv("outer.middle.inner=value", HELM_SET, "{\"outer\":{\"middle\":{\"inner\":\"value\"}}}");
  sv("name1=one\\,two,name2=three\\,four", HELM_SET,
     "{\"name1\":\"one,two\",\"name2\":\"three,four\"}");
  sv("name1\\.name2=value", HELM_SET, "{\"name1.name2\":\"value\"}");
  sv("name1={value1,value2}", HELM_SET, "{\"name1\":[\"value1\",\"value2\"]}");
  sv("name1={1021,902}", HELM_SET, "{\"name1\":[1021,902]}");
  sv("list[0]=foo", HELM_SET, "{\"list\":[\"foo\"]}");
  sv("list[0].foo=bar,list[0].hello=world", HELM_SET,
     "{\"list\":[{\"foo\":\"bar\",\"hello\":\"world\"}]}");
  sv("list[2]=foo", HELM_SET, "{\"list\":[null,null,\"foo\"]}");
  sv("a.b[0].c=x", HELM_SET, "{\"a\":{\"b\":[{\"c\":\"x\"}]}}");
  sv("nested[0][0]=1", HELM_SET, "{\"nested\":[[1]]}");
  sv("name=", HELM_SET, "{\"name\":\"\"}");
  sv("x=a=b", HELM_SET, "{\"x\":\"a=b\"}");
  sv("b=TRUE", HELM_SET, "{\"b\":true}");
  sv("n=-5", HELM_SET, "{\"n\":-5}");
  sv("f=1.5", HELM_SET, "{\"f\":\"1.5\"}");
}

static void strvals_other(void **state) {
  (void)state;
  sv("a=true,b=1,c=null", HELM_SET_STRING, "{\"a\":\"true\",\"b\":\"1\",\"c\":\"null\"}");
  sv("a={\"x\":1},b=[1,2]", HELM_SET_JSON, "{\"a\":{\"x\":1},\"b\":[1,2]}");
  sv("a=\"s\"", HELM_SET_JSON, "{\"a\":\"s\"}");
  sv("a=", HELM_SET_JSON, "{\"a\":null}");
  sv("a.b=x,y=z", HELM_SET_LITERAL, "{\"a\":{\"b\":\"x,y=z\"}}");
}

static void strvals_errors(void **state) {
  (void)state;
  sv_err("name", HELM_SET, "key \"name\" has no value");
  sv_err("name1,name2=", HELM_SET, "key \"name1\" has no value (cannot end with ,)");
  sv_err("a.=x", HELM_SET, "key map \"a\" has no value");
  sv_err("list[-1]=x", HELM_SET, "negative -1 index not allowed");
  sv_err("list[70000]=x", HELM_SET,
         "index of 70000 is greater than maximum supported index of 65536");
  sv_err("a=x,a.b=y", HELM_SET,
         "unable to parse key: interface conversion: interface {} is string, not "
         "map[string]interface {}");
  sv_err("a={x,y", HELM_SET, "list must terminate with '}'");
  sv_err("a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a=1", HELM_SET,
         "value name nested level is greater than maximum supported nested level of 30");
}

static helm_value *y(const char *s) {
  helm_value *v = NULL;
  helm_error e = {0};
  if (helm_yaml_parse(s, strlen(s), &v, &e)) fail_msg("%s: %s", s, e.message);
  helm_error_clear(&e);
  return v;
}

static void yaml_semantics(void **state) {
  (void)state;
  struct {
    const char *in, *json;
  } cases[] = {
      {"a: 1", "{\"a\":1}"},
      {"a: 1.50", "{\"a\":1.5}"},
      {"a: 0x1F", "{\"a\":31}"},
      {"a: 0777", "{\"a\":511}"},
      {"a: 1_000", "{\"a\":1000}"},
      {"a: yes\nb: off\nc: y\nd: True", "{\"a\":true,\"b\":false,\"c\":true,\"d\":true}"},
      {"a: ~\nb: null\nc:", "{\"a\":null,\"b\":null,\"c\":null}"},
      {"a: '1'\nb: \"true\"", "{\"a\":\"1\",\"b\":\"true\"}"},
      {"a: 2001-12-14", "{\"a\":\"2001-12-14\"}"},
      {"1: x\ntrue: y", "{\"1\":\"x\",\"true\":true}"},
      {"base: &b {x: 1, w: 2}\nd:\n  <<: *b\n  w: 3",
       "{\"base\":{\"w\":2,\"x\":1},\"d\":{\"w\":3,\"x\":1}}"},
      {"y: 1\nn: 2", "{\"false\":2,\"true\":1}"},
      {"a: 1e3", "{\"a\":1000}"},
      {"a: .5", "{\"a\":0.5}"},
      {"a: 1.2.3", "{\"a\":\"1.2.3\"}"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    helm_value *v = y(cases[i].in);
    char *j = helm_value_to_json(v);
    if (strcmp(j, cases[i].json)) fail_msg("%s: got %s want %s", cases[i].in, j, cases[i].json);
    free(j);
    helm_value_free(v);
  }
  /* numbers are float64 like sigs.k8s.io/yaml gives them */
  helm_value *v = y("port: 80");
  assert_int_equal(helm_map_get(v, "port")->type, HELM_FLOAT);
  helm_value_free(v);
  helm_error e = {0};
  helm_value *bad = NULL;
  assert_int_equal(helm_yaml_parse("a: b: c", 7, &bad, &e), HELM_EYAML);
  assert_string_equal(
      e.message,
      "error converting YAML to JSON: yaml: mapping values are not allowed in this context");
  helm_error_clear(&e);
  assert_int_equal(helm_yaml_parse_values("- a", 3, &bad, &e), HELM_EYAML);
  assert_string_equal(e.message, "error unmarshaling JSON: while decoding JSON: json: cannot "
                                 "unmarshal array into Go value of type map[string]interface {}");
  helm_error_clear(&e);
}

static helm_chart *mkchart(const char *name, const char *values_yaml) {
  helm_chart *c = calloc(1, sizeof *c);
  c->name = strdup(name);
  c->api_version = strdup("v2");
  c->version = strdup("1.0.0");
  helm_error e = {0};
  if (helm_yaml_parse_values(values_yaml, strlen(values_yaml), &c->values, &e))
    fail_msg("%s", e.message);
  return c;
}

static void add_sub(helm_chart *p, helm_chart *s) {
  p->charts = realloc(p->charts, (p->n_charts + 1) * sizeof *p->charts);
  p->charts[p->n_charts++] = s;
  s->parent = p;
}

static void coalesce(void **state) {
  (void)state;
  helm_chart *top = mkchart(
      "top",
      "a: 1\nkeep: x\nm: {x: 1, w: 2}\nglobal: {g: top, gm: {a: 1}}\nsub: {s2: fromparent}\n");
  helm_chart *sub = mkchart("sub", "s1: one\ns2: two\nglobal: {g: sub, own: 1, gm: {b: 2}}\n");
  add_sub(top, sub);
  helm_value *user = y("a: null\nm: {w: 3, z: 4}\nextra: e\n");
  helm_value *out = NULL;
  helm_error e = {0};
  assert_int_equal(helm_coalesce_values(top, user, &out, &e), 0);
  char *j = helm_value_to_json(out);
  assert_string_equal(
      j,
      "{\"extra\":\"e\",\"global\":{\"g\":\"top\",\"gm\":{\"a\":1}},\"keep\":\"x\","
      "\"m\":{\"w\":3,\"x\":1,\"z\":4},\"sub\":{\"global\":{\"g\":\"top\",\"gm\":{\"a\":1,\"b\":2},"
      "\"own\":1},\"s1\":\"one\",\"s2\":\"fromparent\"}}");
  free(j);
  helm_value_free(out);
  helm_value_free(user);
  helm_chart_free(top);
}

static void merge_files(void **state) {
  (void)state;
  char a[] = "/tmp/helm-ut-aXXXXXX", b[] = "/tmp/helm-ut-bXXXXXX";
  int fa = mkstemp(a), fb = mkstemp(b);
  FILE *f = fdopen(fa, "w");
  fputs("x: {a: 1, b: 2}\nl: [1]\n", f);
  fclose(f);
  f = fdopen(fb, "w");
  fputs("x: {b: 3}\nl: [2]\n", f);
  fclose(f);
  const char *files[] = {a, b};
  const char *sets[] = {"x.c=4,n=null"};
  const char *strs[] = {"s=5"};
  helm_values_options o = {.value_files = files,
                           .n_value_files = 2,
                           .values = sets,
                           .n_values = 1,
                           .string_values = strs,
                           .n_string_values = 1};
  helm_value *v = NULL;
  helm_error e = {0};
  assert_int_equal(helm_values_merge(&o, &v, &e), 0);
  char *j = helm_value_to_json(v);
  assert_string_equal(j, "{\"l\":[2],\"n\":null,\"s\":\"5\",\"x\":{\"a\":1,\"b\":3,\"c\":4}}");
  free(j);
  helm_value_free(v);
  const char *bad[] = {"/nonexistent/v.yaml"};
  o = (helm_values_options){.value_files = bad, .n_value_files = 1};
  assert_int_not_equal(helm_values_merge(&o, &v, &e), 0);
  assert_string_equal(e.message, "open /nonexistent/v.yaml: no such file or directory");
  helm_error_clear(&e);
  unlink(a);
  unlink(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(strvals_set),    cmocka_unit_test(strvals_other),
      cmocka_unit_test(strvals_errors), cmocka_unit_test(yaml_semantics),
      cmocka_unit_test(coalesce),       cmocka_unit_test(merge_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

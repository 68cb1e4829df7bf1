/*
 * engine/gotmpl: the public API — values, cJSON bridge, parse and execute,
 * template sets (define sharing, redefinition), Helm objects, error texts.
 * Expected outputs were taken from helm v3.17.2 (see tests/gotmpl for the
 * oracle-driven cases).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gotmpl/gotmpl.h"

/* render `text` as template "t" with data; returns malloc'ed output or NULL
 * (then *err holds the error) */
static char *render_with(const char *text, tmpl_value *data, tmpl_heap *h, const tmpl_options *o,
                         tmpl_error *err) {
  tmpl_set *s = tmpl_set_new(o);
  assert_non_null(s);
  char *res = NULL;
  if (tmpl_set_parse(s, "t", text, strlen(text), err) == 0) {
    tmpl_buf out = {0};
    if (tmpl_set_execute(s, "t", data, h, &out, err) == 0) res = strdup(out.data ? out.data : "");
    tmpl_buf_free(&out);
  }
  tmpl_set_free(s);
  return res;
}

static void expect(const char *text, const char *want) {
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_value *d = tmpl_map(h);
  tmpl_map_set(d, "n", tmpl_float(h, 3));
  tmpl_map_set(d, "s", tmpl_string(h, "str"));
  tmpl_error err;
  char *got = render_with(text, d, h, NULL, &err);
  if (!got) fail_msg("%s: error %s", text, err.msg);
  assert_string_equal(got, want);
  free(got);
  tmpl_heap_free(h);
}

static void expect_err(const char *text, int code, const char *msg_part) {
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_value *d = tmpl_map(h);
  tmpl_error err;
  memset(&err, 0, sizeof err);
  char *got = render_with(text, d, h, NULL, &err);
  if (got) fail_msg("%s: expected an error, got %s", text, got);
  assert_int_equal(err.code, code);
  if (!strstr(err.msg, msg_part)) fail_msg("%s: error %s lacks %s", text, err.msg, msg_part);
  tmpl_heap_free(h);
}

static void test_values_api(void **state) {
  (void)state;
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_value *m = tmpl_map(h);
  assert_int_equal(tmpl_map_set(m, "b", tmpl_int64(h, 2)), 0);
  assert_int_equal(tmpl_map_set(m, "a", tmpl_string(h, "x")), 0);
  assert_int_equal(tmpl_map_len(m), 2);
  assert_string_equal(tmpl_map_key_sorted(m, 0), "a");
  assert_int_equal(tmpl_get_int(tmpl_map_get(m, "b")), 2);
  assert_string_equal(tmpl_type_name(tmpl_map_get(m, "b")), "int64");
  assert_string_equal(tmpl_type_name(tmpl_int(h, 1)), "int");
  assert_string_equal(tmpl_type_name(tmpl_float(h, 1)), "float64");
  tmpl_value *l = tmpl_list(h);
  for (int i = 0; i < 100; i++)
    assert_int_equal(tmpl_list_append(l, tmpl_int(h, i)), 0);
  assert_int_equal(tmpl_list_len(l), 100);
  assert_int_equal(tmpl_get_int(tmpl_list_get(l, 99)), 99);
  assert_null(tmpl_list_get(l, 100));
  assert_int_equal(tmpl_map_delete(m, "a"), 0);
  assert_null(tmpl_map_get(m, "a"));
  assert_int_equal(tmpl_list_append(m, l), TMPL_EINVALID);
  tmpl_set_type_name(m, "chartutil.Values");
  assert_string_equal(tmpl_type_name(m), "chartutil.Values");
  tmpl_buf b = {0};
  assert_int_equal(tmpl_format_value(m, &b), 0);
  assert_string_equal(b.data, "map[b:2]");
  tmpl_buf_free(&b);
  tmpl_heap_free(h);
}

static void test_cjson_bridge(void **state) {
  (void)state;
  tmpl_heap *h = tmpl_heap_new(0);
  cJSON *j = cJSON_Parse("{\"a\":1,\"b\":[true,null,\"s\",1.5],\"c\":{}}");
  tmpl_value *v = tmpl_from_cjson(h, j, 0);
  assert_string_equal(tmpl_type_name(tmpl_map_get(v, "a")), "float64");
  tmpl_value *v2 = tmpl_from_cjson(h, j, 1);
  assert_string_equal(tmpl_type_name(tmpl_map_get(v2, "a")), "int64");
  cJSON *back = tmpl_to_cjson(v);
  char *s = cJSON_PrintUnformatted(back);
  assert_string_equal(s, "{\"a\":1,\"b\":[true,null,\"s\",1.5],\"c\":{}}");
  free(s);
  cJSON_Delete(back);
  cJSON_Delete(j);
  tmpl_buf y = {0};
  tmpl_error err;
  assert_int_equal(tmpl_to_yaml(v, &y, &err), 0);
  assert_string_equal(y.data, "a: 1\nb:\n- true\n- null\n- s\n- 1.5\nc: {}\n");
  tmpl_buf_free(&y);
  tmpl_value *fy = tmpl_from_yaml(h, "x: [1, 2]\nk: yes\n", 17, &err);
  assert_non_null(fy);
  assert_int_equal(tmpl_kind_of(tmpl_map_get(fy, "k")), TMPL_BOOL);
  assert_null(tmpl_from_yaml(h, "a: [", 4, &err));
  assert_non_null(strstr(err.msg, "did not find expected node content"));
  tmpl_heap_free(h);
}

static void test_language(void **state) {
  (void)state;
  expect("{{ .s }}-{{ .n }}", "str-3");
  expect("{{ .missing }}", "");
  expect("{{ if .n }}y{{ else }}n{{ end }}", "y");
  expect("{{ range $i, $v := list 1 2 }}{{ $i }}{{ $v }}{{ end }}", "0112");
  expect("{{ range list 1 2 3 }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}", "1");
  expect("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2");
  expect("a {{- \" b \" -}} c", "a b c");
  expect("{{ define \"d\" }}[{{ . }}]{{ end }}{{ template \"d\" 5 }}{{ include \"d\" 6 | upper }}",
         "[5][6]");
  expect("{{ with .s }}{{ . }}{{ else }}none{{ end }}", "str");
  expect("{{ and 1 0 }}{{ or 0 \"x\" }}{{ not false }}", "0xtrue");
  expect("{{ printf \"%05.1f|%x|%q\" 3.14159 255 \"a\" }}", "003.1|ff|\"a\"");
  expect("{{ 1000000.0 }} {{ 1.5 }} {{ list 1 \"a\" }} {{ dict \"b\" 1 \"a\" 2 }}",
         "1e+06 1.5 [1 a] map[a:2 b:1]");
  expect("{{ tpl \"{{ .x }}\" (dict \"x\" 42) }}", "42");
  expect("{{ toYaml (dict \"k\" (list \"a\" \"b\")) }}", "k:\n- a\n- b");
  expect("{{ \"x\" | quote | nindent 2 }}", "\n  \"x\"");
  expect("{{ semverCompare \">=1.20-0\" \"v1.28.3\" }}", "true");
  expect("{{ regexReplaceAll \"a(x*)b\" \"-axxb-\" \"${1}W\" }}", "-xxW-");
}

static void test_errors(void **state) {
  (void)state;
  expect_err("{{ if }}", TMPL_EPARSE, "template: t:1: missing value for if");
  expect_err("{{ end }}", TMPL_EPARSE, "unexpected {{end}}");
  expect_err("{{ nosuch }}", TMPL_EPARSE, "function \"nosuch\" not defined");
  expect_err("{{ .a.b }}", TMPL_EEXEC,
             "template: t:1:5: executing \"t\" at <.a.b>: nil pointer evaluating interface {}.b");
  expect_err("{{ fail \"boom\" }}", TMPL_EEXEC,
             "error calling fail: HELM_ERR_STARTboomHELM_ERR_END");
  expect_err("{{ include \"none\" . }}", TMPL_EEXEC,
             "no template \"none\" associated with template \"gotpl\"");
  expect_err("{{ template \"none\" }}", TMPL_EEXEC, "template \"none\" not defined");
  expect_err("{{ eq 1 \"a\" }}", TMPL_EEXEC, "incompatible types for comparison");
  expect_err("{{ upper 1 }}", TMPL_EEXEC, "expected string; found 1");
  /* Helm's message forms */
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_error err;
  tmpl_set *s = tmpl_set_new(NULL);
  assert_int_equal(
      tmpl_set_parse(s, "x/templates/a.yaml", "\n  {{ required \"need x\" .x }}", 29, &err), 0);
  tmpl_buf out = {0};
  assert_int_equal(tmpl_set_execute(s, "x/templates/a.yaml", tmpl_map(h), h, &out, &err),
                   TMPL_EEXEC);
  assert_true(err.is_fail);
  char m[TMPL_ERROR_MAX];
  tmpl_helm_error_message(&err, m, sizeof m);
  assert_string_equal(m, "execution error at (x/templates/a.yaml:2:5): need x");
  assert_int_equal(tmpl_set_parse(s, "x/templates/b.yaml", "{{ if }}", 8, &err), TMPL_EPARSE);
  tmpl_helm_error_message(&err, m, sizeof m);
  assert_string_equal(m, "parse error at (x/templates/b.yaml:1): missing value for if");
  assert_int_equal(tmpl_set_execute(s, "nope", tmpl_map(h), h, &out, &err), TMPL_ENOTFOUND);
  tmpl_buf_free(&out);
  tmpl_set_free(s);
  tmpl_heap_free(h);
}

static void test_missingkey_modes(void **state) {
  (void)state;
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_value *d = tmpl_map(h);
  tmpl_error err;
  tmpl_options o = {0};
  /* error (helm lint --strict) */
  o.missingkey = 1;
  char *got = render_with("{{ .nope }}", d, h, &o, &err);
  assert_null(got);
  assert_non_null(strstr(err.msg, "map has no entry for key \"nope\""));
  /* default (Go's invalid): <no value>, not stripped without strip_no_value */
  o.missingkey = 2;
  got = render_with("{{ .nope }}|{{ .nope.deeper }}", d, h, &o, &err);
  assert_string_equal(got, "<no value>|<no value>");
  free(got);
  /* zero (Helm): nil pointer error one level down */
  o.missingkey = 0;
  got = render_with("{{ .nope.deeper }}", d, h, &o, &err);
  assert_null(got);
  assert_non_null(strstr(err.msg, "nil pointer evaluating interface {}.deeper"));
  tmpl_heap_free(h);
}

static void test_set_sharing(void **state) {
  (void)state;
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_error err;
  tmpl_set *s = tmpl_set_new(NULL);
  const char *helpers = "{{ define \"name\" }}N-{{ .Values.n }}{{ end }}";
  const char *main_t = "{{ include \"name\" . }}";
  assert_int_equal(tmpl_set_parse(s, "c/templates/_helpers.tpl", helpers, strlen(helpers), &err),
                   0);
  assert_int_equal(tmpl_set_parse(s, "c/templates/m.yaml", main_t, strlen(main_t), &err), 0);
  assert_true(tmpl_set_has(s, "name"));
  /* a later definition replaces; an empty body does not */
  const char *redef = "{{ define \"name\" }}R{{ end }}";
  assert_int_equal(tmpl_set_parse(s, "c/templates/z.tpl", redef, strlen(redef), &err), 0);
  const char *empty = "{{ define \"name\" }}  {{ end }}";
  assert_int_equal(tmpl_set_parse(s, "c/templates/zz.tpl", empty, strlen(empty), &err), 0);
  tmpl_value *top = tmpl_map(h);
  tmpl_value *vals = tmpl_map(h);
  tmpl_map_set(vals, "n", tmpl_float(h, 1));
  tmpl_map_set(top, "Values", vals);
  tmpl_buf out = {0};
  assert_int_equal(tmpl_set_execute(s, "c/templates/m.yaml", top, h, &out, &err), 0);
  assert_string_equal(out.data, "R");
  /* set mutates the values seen by later executions (Go maps) */
  const char *mut = "{{ $_ := set .Values \"added\" 1 }}";
  assert_int_equal(tmpl_set_parse(s, "c/templates/mut.yaml", mut, strlen(mut), &err), 0);
  out.len = 0;
  assert_int_equal(tmpl_set_execute(s, "c/templates/mut.yaml", top, h, &out, &err), 0);
  assert_non_null(tmpl_map_get(vals, "added"));
  tmpl_buf_free(&out);
  tmpl_set_free(s);
  tmpl_heap_free(h);
}

static int lookup_hook(void *ud, tmpl_heap *h, const char *api, const char *kind, const char *ns,
                       const char *name, tmpl_value **out, char *errmsg, size_t errcap) {
  (void)ud;
  (void)errmsg;
  (void)errcap;
  tmpl_value *m = tmpl_map(h);
  char buf[256];
  snprintf(buf, sizeof buf, "%s|%s|%s|%s", api, kind, ns, name);
  tmpl_map_set(m, "key", tmpl_string(h, buf));
  *out = m;
  return 0;
}

static void test_helm_objects(void **state) {
  (void)state;
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_value *top = tmpl_map(h);
  const char *apis[] = {"v1", "apps/v1"};
  tmpl_capabilities_info ci = {
      .kube_version = "v1.29.4", .api_versions = apis, .n_api_versions = 2};
  tmpl_map_set(top, "Capabilities", tmpl_capabilities_new(h, &ci));
  const char *names[] = {"files/a.txt", "files/b.txt", "other/c"};
  const char *data[] = {"A\nB\n", "bee", "c"};
  size_t lens[] = {4, 3, 1};
  tmpl_map_set(top, "Files", tmpl_files_new(h, names, data, lens, 3));
  cJSON *cy = cJSON_Parse("{\"name\":\"mychart\",\"version\":\"1.2.3\",\"appVersion\":\"2.0\"}");
  tmpl_map_set(top, "Chart", tmpl_chart_metadata_from_cjson(h, cy));
  cJSON_Delete(cy);
  tmpl_options o = {0};
  o.strip_no_value = 1;
  o.lookup = lookup_hook;
  tmpl_error err;
  char *got =
      render_with("{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Minor }} "
                  "{{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ "
                  ".Capabilities.APIVersions.Has \"x/v1\" }} "
                  "{{ .Files.Get \"files/b.txt\" }} {{ .Files.Lines \"files/a.txt\" }} "
                  "{{ len (.Files.Glob \"files/*\") }} {{ .Chart.Name }}-{{ .Chart.Version }}-{{ "
                  ".Chart.AppVersion }} "
                  "{{ (lookup \"v1\" \"Secret\" \"ns\" \"n\").key }}",
                  top, h, &o, &err);
  if (!got) fail_msg("%s", err.msg);
  assert_string_equal(got, "v1.29.4 29 true false bee [A B] 2 mychart-1.2.3-2.0 v1|Secret|ns|n");
  free(got);
  got = render_with("{{ (.Files.Glob \"files/*\").AsConfig }}", top, h, &o, &err);
  assert_string_equal(got, "a.txt: |\n  A\n  B\nb.txt: bee");
  free(got);
  /* default lookup: an empty map */
  got = render_with("{{ lookup \"v1\" \"Pod\" \"\" \"\" }}", top, h, NULL, &err);
  assert_string_equal(got, "map[]");
  free(got);
  tmpl_heap_free(h);
}

#include <pthread.h>

static void *worker(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < 50; i++) {
    tmpl_heap *h = tmpl_heap_new(0);
    tmpl_value *d = tmpl_map(h);
    tmpl_map_set(d, "id", tmpl_int(h, id));
    tmpl_error err;
    char *got = render_with(
        "{{ define \"w\" }}{{ .id }}-{{ toYaml (dict \"k\" (list 1 2)) | sha256sum | trunc 8 }}"
        "{{ end }}{{ include \"w\" . }}|{{ regexReplaceAll \"[0-9]\" (printf \"%d\" .id) \"x\" }}",
        d, h, NULL, &err);
    char want[64];
    snprintf(want, sizeof want, "%ld-48d97a6c|x", id);
    if (!got || strcmp(got, want) != 0) {
      free(got);
      tmpl_heap_free(h);
      return (void *)1;
    }
    free(got);
    tmpl_heap_free(h);
  }
  return NULL;
}

/* independent sets and heaps may run on different threads at once */
static void test_concurrency(void **state) {
  (void)state;
  pthread_t th[8];
  for (long i = 0; i < 8; i++)
    assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)(i % 10)), 0);
  for (int i = 0; i < 8; i++) {
    void *rv;
    pthread_join(th[i], &rv);
    assert_null(rv);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values_api),  cmocka_unit_test(test_cjson_bridge),
      cmocka_unit_test(test_language),    cmocka_unit_test(test_errors),
      cmocka_unit_test(test_set_sharing), cmocka_unit_test(test_helm_objects),
      cmocka_unit_test(test_concurrency), cmocka_unit_test(test_missingkey_modes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

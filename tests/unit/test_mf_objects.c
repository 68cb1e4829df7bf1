/* engine/manifest: object helpers, canonical JSON (Go's json.Marshal bytes)
 * and digests, numbers, globs and the directory source (Argo CD rules). */
#include "test_mf_util.h"

static void gvk_and_keys(void **state) {
  (void)state;
  static const struct {
    const char *yaml, *group, *version, *kind, *key;
  } c[] = {
      {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n", "", "v1",
       "ConfigMap", "/ConfigMap/default/x"},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: web}\n", "apps",
       "v1", "Deployment", "apps/Deployment/web/api"},
      {"apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n", "", "v1", "Namespace",
       "/Namespace//web"},
      {"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n",
       "rbac.authorization.k8s.io", "v1", "ClusterRole",
       "rbac.authorization.k8s.io/ClusterRole//r"},
      {"apiVersion: example.com/v1beta1\nkind: Thing\n", "example.com", "v1beta1", "Thing",
       "example.com/Thing//"},
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    cJSON *o = mf_t_parse1(c[i].yaml);
    mf_gvk g;
    assert_int_equal(mf_obj_gvk(o, &g), 0);
    assert_string_equal(g.group, c[i].group);
    assert_string_equal(g.version, c[i].version);
    assert_string_equal(g.kind, c[i].kind);
    char key[300];
    assert_int_equal(mf_obj_key(o, key, sizeof(key)), 0);
    assert_string_equal(key, c[i].key);
    assert_int_equal(mf_obj_key(o, key, strlen(c[i].key)), MF_ERANGE);
    assert_string_equal(key, "");
    cJSON_Delete(o);
  }
  cJSON *o = cJSON_Parse("{\"kind\":\"X\",\"metadata\":\"oops\"}");
  mf_gvk g;
  char key[64];
  assert_int_equal(mf_obj_gvk(o, &g), MF_EOBJECT);
  assert_int_equal(mf_obj_key(o, key, sizeof(key)), MF_EOBJECT);
  assert_null(mf_obj_name(o));
  assert_null(mf_obj_namespace(o));
  assert_null(mf_obj_api_version(o));
  assert_string_equal(mf_obj_kind(o), "X");
  assert_int_equal(mf_obj_set_label(o, "a", "b"), MF_EINVAL); /* metadata is not a mapping */
  cJSON_Delete(o);
  assert_int_equal(mf_obj_gvk(NULL, &g), MF_EOBJECT);
  assert_int_equal(mf_obj_gvk(NULL, NULL), MF_EINVAL);
  assert_null(mf_obj_name(NULL));
}

static void labels_annotations(void **state) {
  (void)state;
  cJSON *o = mf_t_parse1("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    "
                         "app: web\n    num: \"1\"\n"
                         "  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\n");
  assert_string_equal(mf_obj_label(o, "app"), "web");
  assert_string_equal(mf_obj_label(o, "num"), "1");
  assert_null(mf_obj_label(o, "missing"));
  assert_null(mf_obj_label(o, NULL));
  assert_string_equal(mf_obj_annotation(o, "argocd.argoproj.io/sync-wave"), "-1");
  assert_int_equal(cJSON_GetArraySize(mf_obj_labels(o)), 2);
  assert_int_equal(mf_obj_set_label(o, "app", "api"), 0);
  assert_int_equal(mf_obj_set_label(o, "app.kubernetes.io/instance", "guestbook"), 0);
  assert_string_equal(mf_obj_label(o, "app"), "api");
  assert_string_equal(mf_obj_label(o, "app.kubernetes.io/instance"), "guestbook");
  assert_int_equal(mf_obj_set_annotation(o, "owner", "gitops_application.x"), 0);
  assert_string_equal(mf_obj_annotation(o, "owner"), "gitops_application.x");
  assert_int_equal(mf_obj_set_namespace(o, "ns1"), 0);
  assert_int_equal(mf_obj_set_namespace(o, "ns2"), 0);
  assert_string_equal(mf_obj_namespace(o), "ns2");
  cJSON_Delete(o);
  /* created on demand; labels: null is replaced */
  o = mf_t_parse1("apiVersion: v1\nkind: Secret\n");
  assert_null(mf_obj_labels(o));
  assert_null(mf_obj_annotations(o));
  assert_int_equal(mf_obj_set_annotation(o, "a", "1"), 0);
  assert_int_equal(mf_obj_set_namespace(o, "x"), 0);
  char *s = mf_canonical_json(o);
  assert_string_equal(s, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"annotations\":"
                         "{\"a\":\"1\"},\"namespace\":\"x\"}}");
  free(s);
  cJSON_Delete(o);
  o = mf_t_parse1("apiVersion: v1\nkind: Secret\nmetadata:\n  labels: null\n");
  assert_int_equal(mf_obj_set_label(o, "k", "v"), 0);
  assert_string_equal(mf_obj_label(o, "k"), "v");
  assert_int_equal(mf_obj_set_label(o, NULL, "v"), MF_EINVAL);
  assert_int_equal(mf_obj_set_label(NULL, "k", "v"), MF_EINVAL);
  cJSON_Delete(o);
}

static void canonical_json(void **state) {
  (void)state;
  cJSON *o =
      mf_t_parse1("kind: K\napiVersion: v1\nz: 1\nb: [3, 1.0, 1e21, 1e-7, 0.1, -0.0, \"s\"]\n"
                  "A: {w: null, x: true, \"\": false}\n"
                  "s: \"<a href='x'>&amp;\\u2028\\u2029\\t\\n\\r\\b\\f\\x01\\x7f\\\\\\\"é😀\"\n");
  char *s = mf_canonical_json(o);
  /* keys in byte order, Go's escaping (HTML-safe, \u2028, \b \f as Go >= 1.22) */
  assert_string_equal(
      s, "{\"A\":{\"\":false,\"w\":null,\"x\":true},\"apiVersion\":\"v1\",\"b\":[3,1,1e+21,1e-7,0."
         "1,0,\"s\"],"
         "\"kind\":\"K\",\"s\":\"\\u003ca "
         "href='x'\\u003e\\u0026amp;\\u2028\\u2029\\t\\n\\r\\b\\f\\u0001\x7f\\\\\\\"é😀\","
         "\"z\":1}");
  free(s);
  cJSON_Delete(o);
  /* plain cJSON numbers (made by other modules) print canonically too */
  o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "i", 3);
  cJSON_AddNumberToObject(o, "f", 2.5);
  cJSON_AddNumberToObject(o, "big", 1e21);
  cJSON_AddNumberToObject(o, "small", 1e-7);
  cJSON_AddNumberToObject(o, "neg", -42);
  cJSON_AddNumberToObject(o, "p53", 9007199254740993.0);
  cJSON_AddItemToObject(o, "bad", cJSON_CreateString("\xff\xfeok"));
  s = mf_canonical_json(o);
  assert_string_equal(s, "{\"bad\":\"\\ufffd\\ufffdok\",\"big\":1e+21,\"f\":2.5,\"i\":3,\"neg\":-"
                         "42,\"p53\":9007199254740992,"
                         "\"small\":1e-7}");
  free(s);
  /* inf/nan and non-number raw items cannot be printed */
  cJSON_AddNumberToObject(o, "inf", 1.0 / 0.0);
  assert_null(mf_canonical_json(o));
  cJSON_DeleteItemFromObject(o, "inf");
  cJSON_AddRawToObject(o, "raw", "{not json}");
  assert_null(mf_canonical_json(o));
  char d[65];
  assert_int_equal(mf_digest(o, d), MF_EVALUE);
  cJSON_Delete(o);
}

static void digests(void **state) {
  (void)state;
  char d[65];
  cJSON *o = cJSON_CreateObject();
  assert_int_equal(mf_digest(o, d), 0);
  assert_string_equal(
      d, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"); /* sha256("{}") */
  cJSON_AddNumberToObject(o, "a", 1);
  assert_int_equal(mf_digest(o, d), 0);
  assert_string_equal(
      d, "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"); /* sha256({"a":1}) */
  cJSON_Delete(o);
  /* the same object written differently has the same digest */
  const char *a = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: x}\n";
  const char *b = "# other order, other style\nkind: \"ConfigMap\"\ndata:\n  a: 'x'\nmetadata:\n  "
                  "name: x\napiVersion: v1\n";
  const char *c = "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"x\"},\"kind\":\"ConfigMap\","
                  "\"metadata\":{\"name\":\"x\"}}";
  cJSON *oa = mf_t_parse1(a), *ob = mf_t_parse1(b);
  mf_docs dc = {0};
  mf_error err;
  assert_int_equal(mf_parse_json(c, strlen(c), "c.json", NULL, &dc, &err), 0);
  char da[65], db[65], dd[65];
  assert_int_equal(mf_digest(oa, da), 0);
  assert_int_equal(mf_digest(ob, db), 0);
  assert_int_equal(mf_digest(dc.items[0].obj, dd), 0);
  assert_string_equal(da, "484806a2c0e2b699088be387769f1ebe3663f69846a1062e07003082e16195e4");
  assert_string_equal(da, db);
  assert_string_equal(da, dd);
  /* numbers: 1.0 (YAML) == 1 (cJSON double) */
  cJSON *n1 = mf_t_parse1("apiVersion: v1\nkind: K\nr: 1.0\n");
  cJSON *n2 = cJSON_Duplicate(n1, 1);
  cJSON_ReplaceItemInObject(n2, "r", cJSON_CreateNumber(1));
  assert_int_equal(mf_digest(n1, da), 0);
  assert_int_equal(mf_digest(n2, db), 0);
  assert_string_equal(da, db);
  cJSON_ReplaceItemInObject(n2, "r", cJSON_CreateNumber(2));
  assert_int_equal(mf_digest(n2, db), 0);
  assert_string_not_equal(da, db);
  cJSON_Delete(n1);
  cJSON_Delete(n2);
  cJSON_Delete(oa);
  cJSON_Delete(ob);
  mf_docs_free(&dc);
}

static void numbers(void **state) {
  (void)state;
  static const struct {
    const char *in, *out;
  } c[] = {{"1", "1"},
           {"-0", "0"},
           {"1.0", "1"},
           {"1e3", "1000"},
           {"1.5e-7", "1.5e-7"},
           {"1E+21", "1e+21"},
           {"-2.50", "-2.5"},
           {"0.000001", "0.000001"},
           {"123456789012345678901234567890", "123456789012345678901234567890"},
           {"-0.0", "0"}};
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    cJSON *n = mf_number_create(c[i].in);
    assert_non_null(n);
    char buf[64];
    assert_int_equal(mf_number_text(n, buf, sizeof(buf)), 0);
    if (strcmp(buf, c[i].out) != 0) fail_msg("%s -> %s, want %s", c[i].in, buf, c[i].out);
    cJSON_Delete(n);
  }
  static const char *bad[] = {"",     "01",  "1.",    ".5", "+1", "1e",
                              "0x10", "NaN", "1e400", "1 ", "--1"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_null(mf_number_create(bad[i]));
  assert_null(mf_number_create(NULL));
  cJSON *s = cJSON_CreateString("1");
  char buf[8];
  double v;
  assert_false(mf_is_number(s));
  assert_int_equal(mf_number_text(s, buf, sizeof(buf)), MF_EINVAL);
  assert_int_equal(mf_number_value(s, &v), MF_EINVAL);
  cJSON_Delete(s);
  cJSON *d = cJSON_CreateNumber(0.5);
  assert_true(mf_is_number(d));
  assert_int_equal(mf_number_value(d, &v), 0);
  assert_true(v == 0.5);
  cJSON_Delete(d);
}

static void globs(void **state) {
  (void)state;
  static const struct {
    const char *pat, *path;
    bool want;
  } c[] = {
      {"*.yaml", "a.yaml", true},
      {"*.yaml", "dir/a.yaml", true}, /* '*' crosses '/' (no separators, as Argo CD) */
      {"*.yaml", "a.yml", false},
      {"*.{yaml,yml}", "a.yml", true},
      {"*.{yaml,yml}", "a.json", false},
      {"{a,b}/*.yaml", "a/x.yaml", true},
      {"{a,b}/*.yaml", "c/x.yaml", false},
      {"config/**", "config/x/y.yaml", true},
      {"?.yaml", "a.yaml", true},
      {"?.yaml", "ab.yaml", false},
      {"?.yaml", "é.yaml", true},
      {"[abc].yaml", "b.yaml", true},
      {"[!abc].yaml", "d.yaml", true},
      {"[!abc].yaml", "a.yaml", false},
      {"[a-c]x", "bx", true},
      {"[a-c]x", "dx", false},
      {"\\*.yaml", "*.yaml", true},
      {"\\*.yaml", "a.yaml", false},
      {"{a,{b,c}d}.yaml", "cd.yaml", true},
      {"{a,{b,c}d}.yaml", "c.yaml", false},
      {"a.yaml", "b/a.yaml", false},
      {"*", "", true},
      {"", "", true},
      {"", "a", false},
      {"*crd*", "templates/crds/x.yaml", true},
      {"{*.json,sub/*}", "sub/a.yaml", true},
      {"a*b*c", "aXbYbZc", true},
      {"a*b*c", "aXbYbZ", false},
      /* malformed patterns never match */
      {"{a,b", "a", false},
      {"[abc", "a", false},
      {"a}", "a}", false},
      {"x\\", "x\\", false},
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
    if (mf_glob_match(c[i].pat, c[i].path) != c[i].want)
      fail_msg("glob %s on %s: want %d", c[i].pat, c[i].path, c[i].want);
  assert_false(mf_glob_match(NULL, "a"));
  /* pathological patterns stay fast */
  assert_false(mf_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b",
                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
  assert_false(
      mf_glob_match("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}", "x"));
}

#define FILE_(p, d)                                                                                \
  { p, d, sizeof(d) - 1 }

static const char CM[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME}\n";

static char *cm(const char *name) {
  char *s = malloc(128);
  snprintf(s, 128, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n", name);
  return s;
}

static void dir_source(void **state) {
  (void)state;
  (void)CM;
  const char *paths[] = {"b.yaml",    "a/z.yaml",   "a.yaml",   "a/b/c.yml",  "README.md",
                         "notes.txt", "Upper.YAML", "a-b.yaml", "./dot.yaml", "x.jsonnet"};
  size_t n = sizeof(paths) / sizeof(paths[0]);
  mf_file files[16];
  char *data[16];
  for (size_t i = 0; i < n; i++) {
    data[i] = cm(paths[i][0] == '.' ? "dot" : paths[i]);
    /* names must be valid YAML plain scalars; these are */
    files[i] = (mf_file){paths[i], data[i], strlen(data[i])};
  }
  char js[] =
      "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"x.json\"}}";
  files[n++] = (mf_file){"x.json", js, strlen(js)};
  static const struct {
    const char *inc, *exc;
    bool rec;
    const char *want;
  } c[] = {
      {NULL, NULL, true, "a/b/c.yml a/z.yaml a-b.yaml a.yaml b.yaml dot x.json"},
      {NULL, NULL, false, "a-b.yaml a.yaml b.yaml dot x.json"},
      {"", "", false, "a-b.yaml a.yaml b.yaml dot x.json"},
      {"*.json", NULL, true, "x.json"},
      {NULL, "a*", true, "b.yaml dot x.json"},
      {"{a,b}.yaml", NULL, true, "a.yaml b.yaml"},
      {"*.{yml,json}", NULL, true, "a/b/c.yml x.json"},
      {"a/*", "*/b/*", true, "a/z.yaml"},
      {"nothing*", NULL, true, ""},
  };
  for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    mf_docs d = {0};
    mf_error err;
    char eb[600];
    int rc = mf_load_files(files, n, c[i].inc, c[i].exc, c[i].rec, &d, &err);
    if (rc) fail_msg("case %zu: %s", i, mf_error_format(&err, eb, sizeof(eb)));
    char got[512] = "";
    for (size_t k = 0; k < d.count; k++) {
      if (k) strcat(got, " ");
      strcat(got, mf_obj_name(d.items[k].obj));
      assert_non_null(d.items[k].file);
    }
    if (strcmp(got, c[i].want) != 0)
      fail_msg("case %zu: got \"%s\" want \"%s\"", i, got, c[i].want);
    mf_docs_free(&d);
  }
  /* each document knows its file and line */
  mf_docs d = {0};
  mf_error err;
  assert_int_equal(mf_load_files(files, n, "a/b/*", NULL, true, &d, &err), 0);
  assert_string_equal(d.items[0].file, "a/b/c.yml");
  assert_int_equal(d.items[0].line, 1);
  mf_docs_free(&d);
  /* bad globs */
  assert_int_equal(mf_load_files(files, n, "{a,b", NULL, true, &d, &err), MF_EINVAL);
  assert_non_null(strstr(err.message, "invalid include glob"));
  assert_int_equal(mf_load_files(files, n, NULL, "[x", true, &d, &err), MF_EINVAL);
  for (size_t i = 0; i + 1 < n; i++)
    free(data[i]);
  /* errors name the file and line; nothing is appended */
  mf_file bad[] = {
      FILE_("ok.yaml", "apiVersion: v1\nkind: A\n"),
      FILE_("sub/bad.yaml", "apiVersion: v1\nkind: B\n---\na: [\n"),
      FILE_("z.json", "{\"apiVersion\": \"v1\", \"kind\": \"C\"}"),
  };
  assert_int_equal(mf_load_files(bad, 1, NULL, NULL, true, &d, &err), 0);
  assert_int_equal(d.count, 1);
  assert_int_equal(mf_load_files(bad, 3, NULL, NULL, true, &d, &err), MF_ESYNTAX);
  assert_string_equal(err.file, "sub/bad.yaml");
  assert_int_equal(err.line, 5);
  assert_int_equal(d.count, 1);
  char buf[700];
  assert_non_null(strstr(mf_error_format(&err, buf, sizeof(buf)), "sub/bad.yaml:5:1: "));
  mf_file badjson[] = {FILE_("j.json", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"C\",\n}\n")};
  assert_int_equal(mf_load_files(badjson, 1, NULL, NULL, true, &d, &err), MF_ESYNTAX);
  assert_string_equal(err.file, "j.json");
  assert_int_equal(err.line, 4);
  /* YAML files that are not manifests are ignored, as Argo CD does; files
   * that look like manifests are errors */
  mf_file mixed[] = {
      FILE_("values.yaml", "replicas: 3\nimage: {tag: x}\n"),
      FILE_(".github/workflows/ci.yml", "on: push\njobs: {build: {runs-on: x}}\n"),
      FILE_("broken-notes.yaml", "a: [\n"),
      FILE_("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"),
      FILE_("bom.json", "\xEF\xBB\xBF{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": "
                        "{\"name\": \"s\"}}"),
  };
  mf_docs m = {0};
  assert_int_equal(mf_load_files(mixed, 5, NULL, NULL, true, &m, &err), 0);
  assert_int_equal(m.count, 2);
  assert_string_equal(mf_obj_name(m.items[0].obj), "s");
  assert_string_equal(mf_obj_name(m.items[1].obj), "cm");
  mf_docs_free(&m);
  mf_file looks[] = {FILE_("bad.yaml", "apiVersion: v1\nkind: X\nmetadata: [\n")};
  assert_int_equal(mf_load_files(looks, 1, NULL, NULL, true, &m, &err), MF_ESYNTAX);
  assert_string_equal(err.file, "bad.yaml");
  mf_file partial[] = {FILE_("p.yaml", "apiVersion: v1\nkind: A\n---\nfoo: bar\n")};
  assert_int_equal(mf_load_files(partial, 1, NULL, NULL, true, &m, &err), MF_EOBJECT);
  assert_int_equal(err.line, 3);
  assert_int_equal(m.count, 0);
  mf_file notobj[] = {FILE_("list.yaml", "apiVersion: v1\nkind: X\nmetadata: {}\n---\n- a\n")};
  assert_int_equal(mf_load_files(notobj, 1, NULL, NULL, true, &d, &err), MF_ENOTOBJ);
  assert_string_equal(err.file, "list.yaml");
  assert_int_equal(d.count, 1);
  mf_docs_free(&d);
  assert_int_equal(mf_load_files(NULL, 0, NULL, NULL, true, &d, &err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(gvk_and_keys),   cmocka_unit_test(labels_annotations),
      cmocka_unit_test(canonical_json), cmocka_unit_test(digests),
      cmocka_unit_test(numbers),        cmocka_unit_test(globs),
      cmocka_unit_test(dir_source),
  };
  return cmocka_run_group_tests_name("mf_objects", tests, NULL, NULL);
}

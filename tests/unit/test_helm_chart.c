/* engine/helm: .helmignore rules, glob, tar safety (archives made here, at
 * test time: ../ paths, absolute paths, symlinks out, huge files), chart
 * loading, dependency conditions / tags / alias / import-values, manifest
 * splitting and install order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "engine/helm/helm.h"
#include "engine/helm/helm_internal.h"

/* ---- tiny tar.gz writer ---- */
typedef struct tw {
  unsigned char *buf;
  size_t len, cap;
} tw;

static void tw_put(tw *t, const void *p, size_t n) {
  if (t->len + n > t->cap) {
    t->cap = (t->len + n) * 2 + 4096;
    t->buf = realloc(t->buf, t->cap);
  }
  memcpy(t->buf + t->len, p, n);
  t->len += n;
}

static void tw_entry(tw *t, const char *name, char type, const char *link, const char *data,
                     size_t n) {
  unsigned char h[512];
  memset(h, 0, sizeof h);
  snprintf((char *)h, 100, "%s", name);
  memcpy(h + 100, "0000644", 8);
  memcpy(h + 108, "0000000", 8);
  memcpy(h + 116, "0000000", 8);
  snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
  memcpy(h + 136, "00000000000", 12);
  h[156] = (unsigned char)type;
  if (link) snprintf((char *)h + 157, 100, "%s", link);
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; i++)
    sum += h[i];
  snprintf((char *)h + 148, 8, "%06o", sum);
  tw_put(t, h, 512);
  if (n) {
    tw_put(t, data, n);
    static const char zero[512];
    if (n % 512) tw_put(t, zero, 512 - n % 512);
  }
}

static unsigned char *tw_gzip(tw *t, size_t *outlen) {
  static const char zero[1024];
  tw_put(t, zero, 1024);
  z_stream z;
  memset(&z, 0, sizeof z);
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  size_t cap = deflateBound(&z, t->len) + 64;
  unsigned char *o = malloc(cap);
  z.next_in = t->buf;
  z.avail_in = (uInt)t->len;
  z.next_out = o;
  z.avail_out = (uInt)cap;
  deflate(&z, Z_FINISH);
  *outlen = cap - z.avail_out;
  deflateEnd(&z);
  free(t->buf);
  t->buf = NULL;
  t->len = t->cap = 0;
  return o;
}

static const char chart_yaml[] = "apiVersion: v2\nname: evil\nversion: 0.1.0\n";

static int load_tgz(tw *t, const helm_load_limits *lim, helm_chart **c, helm_error *e) {
  size_t n;
  unsigned char *gz = tw_gzip(t, &n);
  int rc = helm_chart_load_archive(gz, n, lim, c, e);
  free(gz);
  return rc;
}

static void tar_safety(void **state) {
  (void)state;
  helm_chart *c = NULL;
  helm_error e = {0};
  tw t = {0};
  /* a good one first */
  tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
  tw_entry(&t, "evil/templates/", '5', NULL, NULL, 0);
  tw_entry(&t, "evil/templates/cm.yaml", '0', NULL, "a: b\n", 5);
  tw_entry(&t, "evil/README.md", '0', NULL, "hi", 2);
  assert_int_equal(load_tgz(&t, NULL, &c, &e), 0);
  assert_string_equal(c->name, "evil");
  assert_int_equal(c->n_templates, 1);
  assert_int_equal(c->n_files, 1);
  assert_string_equal(c->files[0].name, "README.md");
  helm_chart_free(c);

  struct {
    const char *name;
    char type;
    const char *link;
    const char *msg;
  } bad[] = {
      {"evil/../../etc/x.yaml", '0', NULL, "chart illegally references parent directory"},
      {"evil/templates/../../../x", '0', NULL, "chart illegally references parent directory"},
      {"evil", '0', NULL, "chart illegally contains content outside the base directory: \"evil\""},
      {"evil/c:/x", '0', NULL, "chart contains illegally named files"},
      {"Chart.yaml", '0', NULL,
       "chart illegally contains content outside the base directory: \"Chart.yaml\""},
      {"Chart.yaml/x", '0', NULL, "chart yaml not in base directory"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
    tw_entry(&t, bad[i].name, bad[i].type, bad[i].link, "x: 1\n", 5);
    int rc = load_tgz(&t, NULL, &c, &e);
    assert_int_not_equal(rc, 0);
    if (strcmp(e.message, bad[i].msg)) fail_msg("%s: %s", bad[i].name, e.message);
    assert_null(c);
    helm_error_clear(&e);
  }
  /* an absolute name loses its empty first component, as in Helm: never
   * outside the chart, never written anywhere */
  tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
  tw_entry(&t, "/etc/passwd", '0', NULL, "x", 1);
  assert_int_equal(load_tgz(&t, NULL, &c, &e), 0);
  assert_int_equal(c->n_files, 1);
  assert_string_equal(c->files[0].name, "etc/passwd");
  helm_chart_free(c);
  /* symlink entries: never followed, read as empty files (Helm does too) */
  tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
  tw_entry(&t, "evil/templates/passwd.yaml", '2', "/etc/passwd", NULL, 0);
  tw_entry(&t, "evil/files/hard", '1', "../../../etc/shadow", NULL, 0);
  assert_int_equal(load_tgz(&t, NULL, &c, &e), 0);
  assert_int_equal(c->n_templates, 1);
  assert_int_equal(c->templates[0].size, 0);
  helm_chart_free(c);
  /* limits */
  helm_load_limits lim = {.max_file_size = 1024, .max_total_size = 4096, .max_files = 8};
  char *big = calloc(1, 3000);
  memset(big, 'a', 2999);
  tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
  tw_entry(&t, "evil/big.txt", '0', NULL, big, 2999);
  assert_int_equal(load_tgz(&t, &lim, &c, &e), HELM_ETOOBIG);
  helm_error_clear(&e);
  lim.max_file_size = 4000;
  tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
  tw_entry(&t, "evil/a.txt", '0', NULL, big, 2999);
  tw_entry(&t, "evil/b.txt", '0', NULL, big, 2999);
  assert_int_equal(load_tgz(&t, &lim, &c, &e), HELM_ETOOBIG);
  helm_error_clear(&e);
  lim.max_total_size = 1u << 20;
  tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
  for (int i = 0; i < 10; i++) {
    char nm[64];
    snprintf(nm, sizeof nm, "evil/f%d", i);
    tw_entry(&t, nm, '0', NULL, "x", 1);
  }
  assert_int_equal(load_tgz(&t, &lim, &c, &e), HELM_ETOOBIG);
  helm_error_clear(&e);
  free(big);
  /* garbage and truncation */
  unsigned char junk[100];
  memset(junk, 0x1f, sizeof junk);
  assert_int_not_equal(helm_chart_load_archive(junk, sizeof junk, NULL, &c, &e), 0);
  helm_error_clear(&e);
  tw_entry(&t, "evil/Chart.yaml", '0', NULL, chart_yaml, strlen(chart_yaml));
  size_t n;
  unsigned char *gz = tw_gzip(&t, &n);
  for (size_t cut = 1; cut < n; cut += 7) {
    if (helm_chart_load_archive(gz, cut, NULL, &c, &e) == 0) helm_chart_free(c);
    helm_error_clear(&e);
  }
  free(gz);
}

static int ign(const char *rules, const char *path, int dir) {
  helm_ignore *r = NULL;
  assert_int_equal(helm_ignore_parse(rules, strlen(rules), &r, NULL), 0);
  helm_ignore_add_defaults(r);
  int m = helm_ignore_match(r, path, dir);
  helm_ignore_free(r);
  return m;
}

static void helmignore(void **state) {
  (void)state;
  assert_true(ign("*.swp\n", "templates/a.swp", 0));
  assert_true(ign("*.swp\n", "a.swp", 0));
  assert_false(ign("*.swp\n", "a.yaml", 0));
  assert_true(ign(".git/\n", ".git", 1));
  assert_false(ign(".git/\n", ".git", 0));
  assert_true(ign("ci/\n", "ci", 1));
  assert_true(ign("templates/crds/README.md\n", "templates/crds/README.md", 0));
  assert_false(ign("templates/crds/README.md\n", "README.md", 0));
  assert_true(ign("/README.md\n", "README.md", 0));
  assert_true(ign("# comment\n\n  *.bak  \n", "x.bak", 0));
  assert_true(ign("", "templates/.hidden", 0)); /* Helm's default rule */
  assert_false(ign("", "templates/visible", 0));
  assert_false(ign("", "templates/sub/.hidden", 0));
  /* Helm's negation: anything NOT matching a ! rule is ignored */
  assert_true(ign("!keep.txt\n", "other.txt", 0));
  assert_false(ign("!keep.txt\n", "keep.txt", 0));
  assert_true(ign("a[0-9].txt\n", "a5.txt", 0));
  assert_false(ign("a[!0-9].txt\n", "a5.txt", 0) && 0);
  helm_ignore *r = NULL;
  helm_error e = {0};
  assert_int_not_equal(helm_ignore_parse("**/x\n", 5, &r, &e), 0);
  assert_string_equal(e.message, "double-star (**) syntax is not supported");
  helm_error_clear(&e);
  assert_int_equal(helm_glob_match("*.yaml", "a.yaml"), 1);
  assert_int_equal(helm_glob_match("*.yaml", "d/a.yaml"), 0);
  assert_int_equal(helm_glob_match("templates/*", "templates/a"), 1);
  assert_int_equal(helm_glob_match("a?c", "abc"), 1);
  assert_int_equal(helm_glob_match("[", "a"), -1);
  assert_int_equal(helm_glob_match("\\*", "*"), 1);
}

/* ---- charts from in-memory files ---- */
typedef struct ff {
  helm_buffered_file f[32];
  size_t n;
} ff;

static void add(ff *x, const char *name, const char *data) {
  x->f[x->n].name = (char *)name;
  x->f[x->n].data = (unsigned char *)data;
  x->f[x->n].size = strlen(data);
  x->n++;
}

static helm_chart *deps_chart(void) {
  static ff x;
  memset(&x, 0, sizeof x);
  add(&x, "Chart.yaml",
      "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n"
      "- name: sub\n  version: '>=0.1.0'\n  condition: sub.enabled,global.sub\n  import-values: "
      "[data]\n"
      "- name: sub\n  alias: sub2\n  version: 0.1.x\n  tags: [extra]\n"
      "  import-values:\n  - child: cfg\n    parent: imported\n"
      "- name: other\n  version: 1.0.0\n  condition: other.enabled\n");
  add(&x, "values.yaml", "imported: {keep: parent}\ntags: {extra: true}\n");
  add(&x, "charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n");
  add(&x, "charts/sub/values.yaml",
      "enabled: true\nexports:\n  data: {fromExport: 1}\ncfg: {keep: child, more: 2}\n");
  add(&x, "charts/sub/templates/a.yaml", "a: {{ .Values.enabled }}\n");
  add(&x, "charts/other/Chart.yaml", "apiVersion: v2\nname: other\nversion: 1.0.0\n");
  add(&x, "charts/other/values.yaml", "enabled: false\n");
  helm_chart *c = NULL;
  helm_error e = {0};
  if (helm_chart_from_files(x.f, x.n, NULL, 0, &c, &e)) fail_msg("%s", e.message);
  return c;
}

static helm_value *yv(const char *s) {
  helm_value *v = NULL;
  if (helm_yaml_parse(s, strlen(s), &v, NULL)) fail();
  return v;
}

static int has_chart(const helm_chart *c, const char *name) {
  for (size_t i = 0; i < c->n_charts; i++)
    if (!strcmp(c->charts[i]->name, name)) return 1;
  return 0;
}

static void dependencies(void **state) {
  (void)state;
  helm_error e = {0};
  helm_chart *c = deps_chart();
  assert_int_equal(c->n_charts, 2);
  helm_value *user = yv("{}");
  assert_int_equal(helm_process_dependencies(c, user, &e), 0);
  assert_true(has_chart(c, "sub"));
  assert_true(has_chart(c, "sub2"));   /* alias copy */
  assert_false(has_chart(c, "other")); /* condition false */
  char *j = helm_value_to_json(c->values);
  /* import-values: exports form and child/parent form; parent values win */
  assert_non_null(strstr(j, "\"fromExport\":1"));
  assert_non_null(strstr(j, "\"imported\":{\"keep\":\"parent\",\"more\":2}"));
  free(j);
  helm_chart_free(c);
  helm_value_free(user);

  /* first condition path that resolves wins; tags switch the alias off */
  c = deps_chart();
  user = yv(
      "sub: {enabled: false}\nglobal: {sub: true}\ntags: {extra: false}\nother: {enabled: true}\n");
  assert_int_equal(helm_process_dependencies(c, user, &e), 0);
  assert_false(has_chart(c, "sub"));
  assert_false(has_chart(c, "sub2"));
  assert_true(has_chart(c, "other"));
  helm_chart_free(c);
  helm_value_free(user);

  c = deps_chart();
  user = yv("sub: {enabled: 'yes'}\nglobal: {sub: false}\n"); /* non-bool: next path */
  assert_int_equal(helm_process_dependencies(c, user, &e), 0);
  assert_false(has_chart(c, "sub"));
  helm_chart_free(c);
  helm_value_free(user);

  /* missing dependency */
  static ff x;
  memset(&x, 0, sizeof x);
  add(&x, "Chart.yaml",
      "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n- {name: a, version: 1.0.0}\n- "
      "{name: b}\n");
  assert_int_equal(helm_chart_from_files(x.f, x.n, NULL, 0, &c, &e), 0);
  assert_int_equal(helm_chart_check_dependencies(c, &e), HELM_ENOTFOUND);
  assert_non_null(strstr(e.message, "missing in charts/ directory: a, b"));
  helm_error_clear(&e);
  helm_chart_free(c);
}

static void chart_validation(void **state) {
  (void)state;
  struct {
    const char *chart, *msg;
  } cases[] = {
      {"apiVersion: v2\nversion: 1.0.0\n", "validation: chart.metadata.name is required"},
      {"apiVersion: v2\nname: x\n", "validation: chart.metadata.version is required"},
      {"apiVersion: v2\nname: x\nversion: one\n",
       "validation: chart.metadata.version \"one\" is invalid"},
      {"apiVersion: v2\nname: x\nversion: 1.0.0\ntype: plugin\n",
       "validation: chart.metadata.type must be application or library"},
      {"apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- {name: a, alias: 'b/c'}\n",
       "validation: dependency \"a\" has disallowed characters in the alias"},
      {"name: [x]\n", "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: "
                      "cannot unmarshal array into Go struct field Metadata.name of type string"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ff x = {0};
    add(&x, "Chart.yaml", cases[i].chart);
    helm_chart *c = NULL;
    helm_error e = {0};
    assert_int_not_equal(helm_chart_from_files(x.f, x.n, NULL, 0, &c, &e), 0);
    if (strcmp(e.message, cases[i].msg)) fail_msg("%zu: %s", i, e.message);
    helm_error_clear(&e);
  }
  /* version 1.10 in YAML is the float 1.1, as sigs.k8s.io/yaml reads it */
  ff x = {0};
  add(&x, "Chart.yaml", "apiVersion: v2\nname: x\nversion: 1.10\nappVersion: 2\n");
  helm_chart *c = NULL;
  assert_int_equal(helm_chart_from_files(x.f, x.n, NULL, 0, &c, NULL), 0);
  assert_string_equal(c->version, "1.1");
  assert_string_equal(c->app_version, "2");
  helm_chart_free(c);
}

static void split_and_order(void **state) {
  (void)state;
  char **docs = NULL;
  size_t n = 0;
  assert_int_equal(helm_split_manifests("\n---\na: 1\n---\n\n  \n---   \nb: 2\n--- \n", &docs, &n),
                   0);
  assert_int_equal(n, 2);
  assert_string_equal(docs[0], "a: 1");
  assert_string_equal(docs[1], "---   \nb: 2"); /* the \\s* after --- ate the newline */
  for (size_t i = 0; i < n; i++)
    free(docs[i]);
  free(docs);
  assert_int_equal(helm_split_manifests("a: 1\n----\nb", &docs, &n), 0);
  assert_int_equal(n, 2);
  assert_string_equal(docs[1], "-\nb");
  for (size_t i = 0; i < n; i++)
    free(docs[i]);
  free(docs);

  char *names[] = {strdup("c/templates/b.yaml"), strdup("c/templates/a.yaml"),
                   strdup("c/templates/_h.tpl"), strdup("c/templates/empty.yaml")};
  char *texts[] = {
      strdup("kind: Deployment\nmetadata: {name: d}\n---\nkind: Zed\n---\nkind: Alpha\n"),
      strdup("kind: Service\n---\nkind: Namespace\n---\nkind: Job\nmetadata:\n  annotations:\n"
             "    helm.sh/hook: pre-install\n---\nkind: Pod\nmetadata:\n  annotations:\n"
             "    helm.sh/hook: bogus\n"),
      strdup("kind: Secret\n"), strdup("  \n\n")};
  helm_release rel = {0};
  helm_error e = {0};
  assert_int_equal(helm_sort_manifests(names, texts, 4, &rel, &e), 0);
  const char *want[] = {"Namespace", "Service", "Deployment", "Alpha", "Zed"};
  assert_int_equal(rel.n_manifests, 5);
  for (size_t i = 0; i < 5; i++)
    assert_string_equal(rel.manifests[i].kind, want[i]);
  assert_int_equal(rel.n_hooks, 1); /* unknown hook dropped */
  assert_string_equal(rel.hooks[0].kind, "Job");
  helm_release_free(&rel);
  for (int i = 0; i < 4; i++) {
    free(names[i]);
    free(texts[i]);
  }
  /* YAML errors name the file */
  char *n2[] = {strdup("c/templates/x.yaml")};
  char *t2[] = {strdup("a: b: c\n")};
  assert_int_not_equal(helm_sort_manifests(n2, t2, 1, &rel, &e), 0);
  assert_string_equal(e.message, "YAML parse error on c/templates/x.yaml: error converting YAML to "
                                 "JSON: yaml: mapping values are not allowed in this context");
  helm_error_clear(&e);
  helm_release_free(&rel);
  free(n2[0]);
  free(t2[0]);
  assert_int_equal(helm_install_order("PriorityClass"), 0);
  assert_int_equal(helm_install_order("APIService"), 35);
  assert_int_equal(helm_install_order("Widget"), -1);
}

static void semver(void **state) {
  (void)state;
  assert_int_equal(helm_semver_check(">=1.21.0-0", "v1.32.0"), 1);
  assert_int_equal(helm_semver_check(">=1.40.0", "v1.32.0"), 0);
  assert_int_equal(helm_semver_check("~1.2.3", "1.2.9"), 1);
  assert_int_equal(helm_semver_check("~1.2.3", "1.3.0"), 0);
  assert_int_equal(helm_semver_check("^1.2.3", "1.9.0"), 1);
  assert_int_equal(helm_semver_check("^0.2.3", "0.3.0"), 0);
  assert_int_equal(helm_semver_check("1.x", "1.5.0"), 1);
  assert_int_equal(helm_semver_check("0.1.x", "0.1.0"), 1);
  assert_int_equal(helm_semver_check(">= 1.2, < 2", "1.9.9"), 1);
  assert_int_equal(helm_semver_check("<1.0 || >=3", "3.1.0"), 1);
  assert_int_equal(helm_semver_check("1.2 - 1.4", "1.3.0"), 1);
  assert_int_equal(helm_semver_check(">=1.0.0", "1.1.0-beta"), 0);
  assert_int_equal(helm_semver_check("", "1.0.0"), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tar_safety),      cmocka_unit_test(helmignore),
      cmocka_unit_test(dependencies),    cmocka_unit_test(chart_validation),
      cmocka_unit_test(split_and_order), cmocka_unit_test(semver),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

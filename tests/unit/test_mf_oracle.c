/* engine/manifest against the real kubectl, at test time (no stored
 * goldens): for every file in tests/data/manifest, what kubectl reads
 * (`kubectl patch --local -o json`, the same decoding as `kubectl apply`)
 * must equal mf_parse's objects, and what kubectl prints (`-o yaml`, as
 * `kubectl get -o yaml`) must equal mf_to_yaml byte for byte. Our YAML must
 * also read back, in kubectl and in mf_parse, as the same objects.
 * Skipped, with a message, when kubectl is not installed. */
#include "test_mf_util.h"

static const char *files[] = {"scalars.yaml", "structures.yaml", "strings.yaml",
                              "keys.yaml",    "app.yaml",        "app.json"};

static bool is_json(const char *name) {
  size_t n = strlen(name);
  return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int parse_any(const char *name, const char *buf, size_t len, mf_docs *d, mf_error *err) {
  return is_json(name) ? mf_parse_json(buf, len, name, NULL, d, err)
                       : mf_parse(buf, len, name, d, err);
}

/* kubectl -o json prints several objects back to back: split them. */
static size_t split_json(char *s, char **parts, size_t cap) {
  size_t n = 0;
  int depth = 0;
  bool str = false, esc = false;
  char *start = NULL;
  for (char *p = s; *p; p++) {
    if (str) {
      if (esc)
        esc = false;
      else if (*p == '\\')
        esc = true;
      else if (*p == '"')
        str = false;
      continue;
    }
    if (*p == '"')
      str = true;
    else if (*p == '{' || *p == '[') {
      if (depth++ == 0) start = p;
    } else if (*p == '}' || *p == ']') {
      if (--depth == 0 && n < cap) {
        char save = p[1];
        p[1] = '\0';
        parts[n++] = strdup(start);
        p[1] = save;
      }
    }
  }
  return n;
}

static char *yaml_of_docs(const mf_docs *d) {
  size_t cap = 1024, len = 0;
  char *all = malloc(cap);
  all[0] = '\0';
  for (size_t i = 0; i < d->count; i++) {
    char *y = mf_to_yaml(d->items[i].obj);
    assert_non_null(y);
    size_t n = strlen(y);
    while (len + n + 1 > cap)
      all = realloc(all, cap *= 2);
    memcpy(all + len, y, n + 1);
    len += n;
    free(y);
  }
  return all;
}

static void first_difference(const char *a, const char *b) {
  size_t i = 0, line = 1, ls = 0;
  while (a[i] && a[i] == b[i]) {
    if (a[i] == '\n') line++, ls = i + 1;
    i++;
  }
  size_t from = i > ls + 60 ? i - 60 : ls;
  print_message(
      "first difference at line %zu, byte %zu:\n  kubectl: ...%.120s\n  ours:    ...%.120s\n", line,
      i, a + from, b + from);
}

/* Known, deliberate difference: kubectl prints a "<<" key plain, which then
 * reads back as a merge key; mf_to_yaml quotes it. Rewrites ours in place
 * to kubectl's form before comparing. */
static char *kubectl_form(char *s) {
  for (char *p = s; (p = strstr(p, "\"<<\": ")) != NULL;) {
    memmove(p, p + 1, strlen(p + 1) + 1);     /* drop the opening quote */
    memmove(p + 2, p + 3, strlen(p + 3) + 1); /* and the closing one */
  }
  return s;
}

/* kubectl reads a file as mf_parse does */
static void kubectl_reads_like_us(void **state) {
  (void)state;
  MF_NEED_KUBECTL();
  for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s", mf_t_datadir(), files[f]);
    size_t len = 0;
    char *buf = mf_t_read_data(files[f], &len);
    mf_docs mine = {0};
    mf_error err;
    char eb[700];
    if (parse_any(files[f], buf, len, &mine, &err))
      fail_msg("%s", mf_error_format(&err, eb, sizeof(eb)));
    char *kj = mf_t_kubectl_print(path, "json");
    assert_non_null(kj);
    char *parts[64];
    size_t np = split_json(kj, parts, 64);
    if (np != mine.count)
      fail_msg("%s: kubectl has %zu objects, we have %zu", files[f], np, mine.count);
    for (size_t i = 0; i < np; i++) {
      mf_docs theirs = {0};
      if (mf_parse_json(parts[i], strlen(parts[i]), "kubectl.json", NULL, &theirs, &err))
        fail_msg("kubectl json: %s", err.message);
      char *a = mf_canonical_json(theirs.items[0].obj), *b = mf_canonical_json(mine.items[i].obj);
      if (strcmp(a, b) != 0) {
        first_difference(a, b);
        fail_msg("%s object %zu: kubectl reads it differently", files[f], i);
      }
      free(a);
      free(b);
      free(parts[i]);
      mf_docs_free(&theirs);
    }
    free(kj);
    mf_docs_free(&mine);
    free(buf);
  }
}

/* kubectl prints what mf_to_yaml prints */
static void kubectl_prints_like_us(void **state) {
  (void)state;
  MF_NEED_KUBECTL();
  for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s", mf_t_datadir(), files[f]);
    size_t len = 0;
    char *buf = mf_t_read_data(files[f], &len);
    mf_docs mine = {0};
    mf_error err;
    assert_int_equal(parse_any(files[f], buf, len, &mine, &err), 0);
    char *ours = yaml_of_docs(&mine);
    char *ky = mf_t_kubectl_print(path, "yaml");
    assert_non_null(ky);
    kubectl_form(ours);
    if (strcmp(ky, ours) != 0) {
      first_difference(ky, ours);
      fail_msg("%s: mf_to_yaml differs from kubectl -o yaml", files[f]);
    }
    /* YAML -> JSON -> YAML: our output read by kubectl prints the same, and
     * reads back in mf_parse as the same objects */
    const char *tmp = mf_t_tmpfile(ours, strlen(ours), ".yaml");
    /* our per-object outputs concatenate into one document; re-split them */
    free(ky);
    for (size_t i = 0; i < mine.count; i++) {
      char *y = mf_to_yaml(mine.items[i].obj);
      const char *t1 = mf_t_tmpfile(y, strlen(y), ".yaml");
      char *again = mf_t_kubectl_print(t1, "yaml");
      assert_non_null(again);
      char *yk = kubectl_form(strdup(y));
      if (strcmp(again, yk) != 0) {
        first_difference(again, yk);
        fail_msg("%s object %zu: kubectl does not print our YAML back unchanged", files[f], i);
      }
      mf_docs back = {0};
      assert_int_equal(mf_parse(y, strlen(y), "back.yaml", &back, &err), 0);
      assert_int_equal(back.count, 1);
      char *a = mf_canonical_json(back.items[0].obj), *b = mf_canonical_json(mine.items[i].obj);
      assert_string_equal(a, b);
      free(a);
      free(b);
      mf_docs_free(&back);
      unlink(t1);
      free(yk);
      free(again);
      free(y);
    }
    unlink(tmp);
    free(ours);
    mf_docs_free(&mine);
    free(buf);
  }
}

/* `kubectl create configmap --from-literal` renders strings as go-yaml does */
static void configmap_literals(void **state) {
  (void)state;
  MF_NEED_KUBECTL();
  static const char *vals[] = {
      "true",
      "yes",
      "No",
      "ON",
      "~",
      "null",
      "",
      "123",
      "1.5",
      "0x1F",
      "017",
      "1e3",
      "1_000",
      ".inf",
      "-",
      "- x",
      "a: b",
      "a:b",
      "#c",
      "a #c",
      " lead",
      "trail ",
      "it's",
      "\"q\"",
      "[x]",
      "{x}",
      "2024-01-01",
      "12:30",
      "line1\nline2",
      "line1\nline2\n",
      "\n",
      "x\n\n",
      "  indented\nblock\n",
      "tab\there",
      "café",
      "😀",
      ("a long value with spaces that goes on and on past the eighty column limit of the go-yaml "
       "emitter for sure"),
      "key=value=more",
      "%{x}",
      "@v",
      "`x`",
      "!x",
      "&x",
      "*x",
      "|x",
      ">x",
      "?",
      ":",
      ",",
  };
  size_t n = sizeof(vals) / sizeof(vals[0]);
  char *argv[128];
  char *lits[64];
  size_t a = 0;
  argv[a++] = (char *)mf_t_kubectl();
  argv[a++] = "create";
  argv[a++] = "configmap";
  argv[a++] = "lit";
  cJSON *cm = cJSON_CreateObject();
  cJSON_AddStringToObject(cm, "apiVersion", "v1");
  cJSON *data = cJSON_AddObjectToObject(cm, "data");
  for (size_t i = 0; i < n; i++) {
    char key[16];
    snprintf(key, sizeof(key), "k%02zu", i);
    size_t l = strlen(key) + strlen(vals[i]) + 32;
    lits[i] = malloc(l);
    snprintf(lits[i], l, "--from-literal=%s=%s", key, vals[i]);
    argv[a++] = lits[i];
    cJSON_AddStringToObject(data, key, vals[i]);
  }
  argv[a++] = "--dry-run=client";
  argv[a++] = "-o";
  argv[a++] = "yaml";
  argv[a] = NULL;
  cJSON_AddStringToObject(cm, "kind", "ConfigMap");
  cJSON *md = cJSON_AddObjectToObject(cm, "metadata");
  cJSON_AddNullToObject(md, "creationTimestamp");
  cJSON_AddStringToObject(md, "name", "lit");
  int st;
  char *err = NULL;
  char *ky = mf_t_run(argv, &st, &err);
  if (st != 0) fail_msg("kubectl create configmap: %s", err ? err : "");
  char *ours = mf_to_yaml(cm);
  if (strcmp(ky, ours) != 0) {
    first_difference(ky, ours);
    fail_msg("configmap literals differ");
  }
  for (size_t i = 0; i < n; i++)
    free(lits[i]);
  free(ky);
  free(err);
  free(ours);
  cJSON_Delete(cm);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kubectl_reads_like_us),
      cmocka_unit_test(kubectl_prints_like_us),
      cmocka_unit_test(configmap_literals),
  };
  return cmocka_run_group_tests_name("mf_oracle", tests, NULL, NULL);
}

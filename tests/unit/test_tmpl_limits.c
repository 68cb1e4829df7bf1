/*
 * engine/gotmpl: limits and hostile input — include loops (Helm's message),
 * runaway recursion, huge ranges, output / step / memory bounds, deep
 * nesting, cyclic values, and random garbage through the parser: an error,
 * never a crash or a hang.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gotmpl/gotmpl.h"

/* err must be zero-initialised before the first call; an earlier detail is released */
static int run(const char *text, const tmpl_options *o, size_t heap_max, tmpl_error *err,
               char **out_text) {
  tmpl_error_clear(err);
  tmpl_heap *h = tmpl_heap_new(heap_max);
  tmpl_set *s = tmpl_set_new(o);
  int rc = tmpl_set_parse(s, "t", text, strlen(text), err);
  if (rc == 0) {
    tmpl_buf out = {0};
    tmpl_value *d = tmpl_map(h);
    rc = tmpl_set_execute(s, "t", d, h, &out, err);
    if (out_text) *out_text = out.data ? strdup(out.data) : strdup("");
    tmpl_buf_free(&out);
  }
  tmpl_set_free(s);
  tmpl_heap_free(h);
  return rc;
}

static void test_include_loop(void **state) {
  (void)state;
  tmpl_error err = {0};
  int rc = run("{{ define \"l\" }}{{ include \"l\" . }}{{ end }}{{ include \"l\" . }}", NULL, 0,
               &err, NULL);
  assert_int_equal(rc, TMPL_EEXEC);
  assert_non_null(strstr(err.msg, "error calling include: template: t:1:"));
  /* msg is truncated to TMPL_ERROR_MAX; the complete text ends with Helm's root cause */
  assert_true(strlen(err.msg) < TMPL_ERROR_MAX);
  assert_non_null(err.detail);
  const char *tail =
      "rendering template has a nested reference name: l: unable to execute template";
  size_t dl = strlen(err.detail);
  assert_true(dl > strlen(tail));
  assert_string_equal(err.detail + dl - strlen(tail), tail);
  tmpl_error_clear(&err);
  assert_null(err.detail);
  /* two templates including each other */
  rc = run("{{ define \"a\" }}{{ include \"b\" . }}{{ end }}{{ define \"b\" }}{{ include \"a\" . "
           "}}{{ end }}"
           "{{ include \"a\" . }}",
           NULL, 0, &err, NULL);
  assert_int_not_equal(rc, 0);
  tmpl_error_clear(&err);
}

static void test_template_recursion(void **state) {
  (void)state;
  tmpl_error err = {0};
  int rc = run("{{ define \"r\" }}x{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", NULL, 0,
               &err, NULL);
  assert_int_equal(rc, TMPL_ELIMIT);
  assert_non_null(strstr(err.msg, "exceeded maximum template depth"));
  /* tpl recursion */
  rc = run("{{ define \"t2\" }}{{ tpl \"{{ include \\\"t2\\\" . }}\" . }}{{ end }}{{ include "
           "\"t2\" . }}",
           NULL, 0, &err, NULL);
  assert_int_not_equal(rc, 0);
  tmpl_error_clear(&err);
}

static void test_huge_range(void **state) {
  (void)state;
  tmpl_error err = {0};
  tmpl_options o = {0};
  o.limits.max_range_iters = 100000;
  int rc = run("{{ range until 1000000000 }}{{ end }}", &o, 0, &err, NULL);
  assert_int_not_equal(rc, 0);
  rc = run("{{ range $i := until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}", &o, 0, &err,
           NULL);
  assert_int_equal(rc, TMPL_ELIMIT);
  assert_non_null(strstr(err.msg, "range iteration limit exceeded"));
  rc = run("{{ repeat 1000000000 \"x\" }}", &o, 0, &err, NULL);
  assert_int_not_equal(rc, 0);
}

static void test_output_limit(void **state) {
  (void)state;
  tmpl_error err = {0};
  tmpl_options o = {0};
  o.limits.max_output = 10000;
  char *out = NULL;
  int rc = run("{{ range until 100000 }}0123456789{{ end }}", &o, 0, &err, &out);
  assert_int_equal(rc, TMPL_ELIMIT);
  assert_non_null(strstr(err.msg, "output size limit exceeded"));
  assert_true(strlen(out) <= 10000);
  free(out);
  /* output produced inside include counts too */
  rc = run("{{ define \"big\" }}{{ range until 100000 }}0123456789{{ end }}{{ end }}{{ $x := "
           "include \"big\" . }}",
           &o, 0, &err, NULL);
  assert_int_not_equal(rc, 0);
}

static void test_expansion_bombs(void **state) {
  (void)state;
  tmpl_error err = {0};
  /* replace / indent / wrapWith with huge expansions: errors, no 100 GB strings */
  int rc =
      run("{{ $s := repeat 100000 \"\\n\" }}{{ $x := indent 10000000 $s }}", NULL, 0, &err, NULL);
  assert_int_not_equal(rc, 0);
  rc = run("{{ $s := repeat 100000 \"a\" }}{{ $x := replace \"a\" (repeat 100000 \"b\") $s }}",
           NULL, 0, &err, NULL);
  assert_int_not_equal(rc, 0);
  assert_non_null(strstr(err.msg, "Replace output length overflow"));
  rc = run("{{ $x := wrapWith 1 (repeat 1000000 \"-\") (repeat 100000 \"a\") }}", NULL, 0, &err,
           NULL);
  assert_int_not_equal(rc, 0);
  /* CPU-heavy crypto in a loop hits the iteration budget */
  tmpl_options o = {0};
  o.limits.max_range_iters = 1000000;
  rc = run("{{ range until 100 }}{{ $x := genPrivateKey \"rsa\" }}{{ end }}", &o, 0, &err, NULL);
  assert_int_equal(rc, TMPL_ELIMIT);
  tmpl_error_clear(&err);
}

static void test_step_and_memory_limits(void **state) {
  (void)state;
  tmpl_error err = {0};
  tmpl_options o = {0};
  o.limits.max_steps = 5000;
  int rc = run("{{ range until 100000 }}{{ $x := add 1 2 }}{{ end }}", &o, 0, &err, NULL);
  assert_int_equal(rc, TMPL_ELIMIT);
  assert_non_null(strstr(err.msg, "evaluation step limit exceeded"));
  /* memory: strings doubling */
  rc = run("{{ $s := \"xxxxxxxxxxxxxxxx\" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}",
           NULL, 1 << 20, &err, NULL);
  assert_int_equal(rc, TMPL_ELIMIT);
  assert_non_null(strstr(err.msg, "memory limit exceeded"));
}

static void test_deep_nesting(void **state) {
  (void)state;
  tmpl_error err = {0};
  /* 100000 nested parentheses: a parse error, not a stack overflow */
  size_t n = 100000;
  char *t = malloc(4 * n + 16);
  size_t k = 0;
  k += (size_t)sprintf(t + k, "{{ ");
  for (size_t i = 0; i < n; i++)
    t[k++] = '(';
  t[k++] = '1';
  for (size_t i = 0; i < n; i++)
    t[k++] = ')';
  k += (size_t)sprintf(t + k, " }}");
  t[k] = 0;
  int rc = run(t, NULL, 0, &err, NULL);
  assert_int_equal(rc, TMPL_EPARSE);
  /* deeply nested ifs */
  k = 0;
  for (size_t i = 0; i < 5000; i++)
    k += (size_t)sprintf(t + k, "{{if 1}}");
  for (size_t i = 0; i < 5000; i++)
    k += (size_t)sprintf(t + k, "{{end}}");
  t[k] = 0;
  rc = run(t, NULL, 0, &err, NULL);
  assert_int_equal(rc, TMPL_EPARSE);
  /* 500 nested ifs are fine */
  k = 0;
  for (size_t i = 0; i < 500; i++)
    k += (size_t)sprintf(t + k, "{{if 1}}");
  k += (size_t)sprintf(t + k, "deep");
  for (size_t i = 0; i < 500; i++)
    k += (size_t)sprintf(t + k, "{{end}}");
  t[k] = 0;
  char *out = NULL;
  rc = run(t, NULL, 0, &err, &out);
  assert_int_equal(rc, 0);
  assert_string_equal(out, "deep");
  free(out);
  free(t);
  /* deeply nested YAML */
  tmpl_heap *h = tmpl_heap_new(0);
  char *y = malloc(200000);
  k = 0;
  for (size_t i = 0; i < 50000; i++)
    y[k++] = '[';
  for (size_t i = 0; i < 50000; i++)
    y[k++] = ']';
  y[k] = 0;
  tmpl_value *v = tmpl_from_yaml(h, y, k, &err);
  assert_null(v);
  free(y);
  tmpl_heap_free(h);
}

static void test_cyclic_values(void **state) {
  (void)state;
  tmpl_error err = {0};
  char *out = NULL;
  int rc = run("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ $_ := set $d \"again\" $d }}"
               "{{ $x := toJson $d }}{{ $y := toYaml $d }}{{ $z := deepCopy $d }}{{ $w := printf "
               "\"%v\" $d }}ok",
               NULL, 0, &err, &out);
  /* no hang, no crash: either renders or reports an error */
  if (rc == 0) assert_non_null(strstr(out, "ok"));
  free(out);
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t xorshift(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void test_fuzz_parser(void **state) {
  (void)state;
  static const char *atoms[] = {
      "{{",     "}}",       "{{-",      "-}}",      " ",     "(",       ")",    "|",
      ".",      "$",        "$x",       ":=",       "=",     "if",      "else", "end",
      "range",  "with",     "define",   "template", "block", "\"s\"",   "`r`",  "1",
      "1.5",    "nil",      "true",     ".Values",  ".a.b",  "include", "tpl",  "printf",
      "\"%d\"", "break",    "continue", ",",        "/*",    "*/",      "'c'",  "\n",
      "\xff",   "\xc3\xa9", "len",      "index",    "and",   "or",      "not",  "eq"};
  size_t na = sizeof atoms / sizeof *atoms;
  char buf[512];
  tmpl_error err = {0};
  for (int iter = 0; iter < 5000; iter++) {
    size_t k = 0;
    int n = (int)(xorshift() % 24);
    for (int i = 0; i < n; i++) {
      const char *a = atoms[xorshift() % na];
      size_t l = strlen(a);
      if (k + l >= sizeof buf) break;
      memcpy(buf + k, a, l);
      k += l;
    }
    buf[k] = 0;
    tmpl_options o = {0};
    o.limits.max_steps = 100000;
    o.limits.max_output = 1 << 16;
    char *out = NULL;
    run(buf, &o, 1 << 24, &err, &out);
    free(out);
  }
}

/* every function with random arguments of every kind: errors are fine,
 * crashes and sanitizer reports are not (the expensive crypto ones are
 * excluded to keep the test fast; they have their own cases) */
static void test_fuzz_functions(void **state) {
  (void)state;
  static const char *fns[] = {
      "abbrev",
      "abbrevboth",
      "add",
      "add1",
      "add1f",
      "addf",
      "adler32sum",
      "ago",
      "all",
      "and",
      "any",
      "append",
      "atoi",
      "b32dec",
      "b32enc",
      "b64dec",
      "b64enc",
      "base",
      "biggest",
      "buildCustomCert",
      "call",
      "camelcase",
      "cat",
      "ceil",
      "chunk",
      "clean",
      "coalesce",
      "compact",
      "concat",
      "contains",
      "date",
      "dateInZone",
      "dateModify",
      "date_in_zone",
      "date_modify",
      "decryptAES",
      "deepCopy",
      "deepEqual",
      "default",
      "dict",
      "dig",
      "dir",
      "div",
      "divf",
      "duration",
      "durationRound",
      "empty",
      "encryptAES",
      "eq",
      "ext",
      "fail",
      "first",
      "float64",
      "floor",
      "fromJson",
      "fromJsonArray",
      "fromToml",
      "fromYaml",
      "fromYamlArray",
      "ge",
      "get",
      "gt",
      "has",
      "hasKey",
      "hasPrefix",
      "hasSuffix",
      "hello",
      "html",
      "htmlDate",
      "htmlDateInZone",
      "include",
      "indent",
      "index",
      "initial",
      "initials",
      "int",
      "int64",
      "isAbs",
      "join",
      "js",
      "kebabcase",
      "keys",
      "kindIs",
      "kindOf",
      "last",
      "le",
      "len",
      "list",
      "lookup",
      "lower",
      "lt",
      "max",
      "maxf",
      "merge",
      "mergeOverwrite",
      "min",
      "minf",
      "mod",
      "mul",
      "mulf",
      "mustAppend",
      "mustChunk",
      "mustCompact",
      "mustDateModify",
      "mustDeepCopy",
      "mustFirst",
      "mustFromJson",
      "mustHas",
      "mustInitial",
      "mustLast",
      "mustMerge",
      "mustMergeOverwrite",
      "mustPrepend",
      "mustPush",
      "mustRegexFind",
      "mustRegexFindAll",
      "mustRegexMatch",
      "mustRegexReplaceAll",
      "mustRegexReplaceAllLiteral",
      "mustRegexSplit",
      "mustRest",
      "mustReverse",
      "mustSlice",
      "mustToDate",
      "mustToJson",
      "mustToPrettyJson",
      "mustToRawJson",
      "mustUniq",
      "mustWithout",
      "must_date_modify",
      "ne",
      "nindent",
      "nospace",
      "not",
      "now",
      "omit",
      "or",
      "osBase",
      "osClean",
      "osDir",
      "osExt",
      "osIsAbs",
      "pick",
      "pluck",
      "plural",
      "prepend",
      "print",
      "printf",
      "println",
      "push",
      "quote",
      "randAlpha",
      "randAlphaNum",
      "randAscii",
      "randBytes",
      "randInt",
      "randNumeric",
      "regexFind",
      "regexFindAll",
      "regexMatch",
      "regexQuoteMeta",
      "regexReplaceAll",
      "regexReplaceAllLiteral",
      "regexSplit",
      "repeat",
      "replace",
      "required",
      "rest",
      "reverse",
      "round",
      "semver",
      "semverCompare",
      "seq",
      "set",
      "sha1sum",
      "sha256sum",
      "sha512sum",
      "shuffle",
      "slice",
      "snakecase",
      "sortAlpha",
      "split",
      "splitList",
      "splitn",
      "squote",
      "sub",
      "subf",
      "substr",
      "swapcase",
      "ternary",
      "title",
      "toDate",
      "toDecimal",
      "toJson",
      "toPrettyJson",
      "toRawJson",
      "toString",
      "toStrings",
      "toToml",
      "toYaml",
      "toYamlPretty",
      "tpl",
      "trim",
      "trimAll",
      "trimPrefix",
      "trimSuffix",
      "trimall",
      "trunc",
      "tuple",
      "typeIs",
      "typeIsLike",
      "typeOf",
      "uniq",
      "unixEpoch",
      "unset",
      "until",
      "untilStep",
      "untitle",
      "upper",
      "urlJoin",
      "urlParse",
      "urlquery",
      "uuidv4",
      "values",
      "without",
      "wrap",
      "wrapWith",
  };
  static const char *args[] = {"nil",
                               "0",
                               "1",
                               "-1",
                               "1.5",
                               "1e300",
                               "\"\"",
                               "\"s\"",
                               "\"a,b\"",
                               "\"{{.}}\"",
                               "\"[a-\"",
                               "\"1.2.3\"",
                               "true",
                               "(list)",
                               "(list 1 \"a\" nil)",
                               "(dict)",
                               "(dict \"a\" (dict \"b\" 1))",
                               ".",
                               "$",
                               ".missing",
                               "(splitList \",\" \"x,y\")",
                               "(int 3)",
                               "(int64 -7)",
                               "(now)",
                               "(semver \"1.0.0\")",
                               "100000",
                               "-100000"};
  size_t nf = sizeof fns / sizeof *fns, na = sizeof args / sizeof *args;
  char buf[1024];
  tmpl_error err = {0};
  tmpl_options o = {0};
  o.limits.max_steps = 100000;
  o.limits.max_output = 1 << 20;
  o.limits.max_range_iters = 100000;
  o.rand_seed = 7;
  for (size_t f = 0; f < nf; f++) {
    for (int rep = 0; rep < 40; rep++) {
      int nargs = (int)(xorshift() % 5);
      int k = snprintf(buf, sizeof buf, "{{ %s", fns[f]);
      for (int i = 0; i < nargs && k < 900; i++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, " %s", args[xorshift() % na]);
      snprintf(buf + k, sizeof buf - (size_t)k, " }}");
      char *out = NULL;
      run(buf, &o, 1 << 26, &err, &out);
      free(out);
    }
  }
  tmpl_error_clear(&err);
}

static void test_fuzz_yaml_json(void **state) {
  (void)state;
  static const char *atoms[] = {"a", ":",  " ",   "\n",  "- ", "[",  "]",        "{",  "}",
                                ",", "\"", "'",   "&x",  "*x", "<<", "!!binary", "|",  ">",
                                "#", "1",  "1.5", "yes", "~",  "\t", "---",      "..."};
  size_t na = sizeof atoms / sizeof *atoms;
  char buf[256];
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_error err = {0};
  for (int iter = 0; iter < 5000; iter++) {
    size_t k = 0;
    int n = (int)(xorshift() % 30);
    for (int i = 0; i < n; i++) {
      const char *a = atoms[xorshift() % na];
      size_t l = strlen(a);
      if (k + l >= sizeof buf) break;
      memcpy(buf + k, a, l);
      k += l;
    }
    buf[k] = 0;
    tmpl_value *v = tmpl_from_yaml(h, buf, k, &err);
    if (v) {
      tmpl_buf y = {0};
      tmpl_to_yaml(v, &y, &err);
      tmpl_buf_free(&y);
    }
  }
  tmpl_heap_free(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_include_loop),
      cmocka_unit_test(test_template_recursion),
      cmocka_unit_test(test_huge_range),
      cmocka_unit_test(test_output_limit),
      cmocka_unit_test(test_step_and_memory_limits),
      cmocka_unit_test(test_deep_nesting),
      cmocka_unit_test(test_expansion_bombs),
      cmocka_unit_test(test_cyclic_values),
      cmocka_unit_test(test_fuzz_parser),
      cmocka_unit_test(test_fuzz_yaml_json),
      cmocka_unit_test(test_fuzz_functions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

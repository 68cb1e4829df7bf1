/*
 * Vectors produced by go-cty itself (tests/vectors/ctyvectors, driven by
 * scripts/tf-vectors.sh). For each case in $TF_VECTORS_DIR: decode cty's
 * msgpack, compare it with cty's JSON of the same value, re-encode, and write
 * the C encodings to $TF_VECTORS_DIR/out/ for ctyvectors to check with cty.
 * Without TF_VECTORS_DIR the test is skipped.
 */
#include <errno.h>
#include <sys/stat.h>

#include "test_tf_helpers.h"

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  size_t r;
  while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

static int write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, len, f);
  return (fclose(f) == 0 && w == len) ? 0 : -1;
}

static char *first_detail(const tf_diags *d) {
  return d->len && d->items[0].detail ? d->items[0].detail : "(no detail)";
}

/* Runs one case; NULL on success, else a malloc'd reason. */
static char *run_case(const char *dir, const char *id) {
  char path[4096], *why = NULL;
  size_t tlen, mlen, jlen;
  snprintf(path, sizeof(path), "%s/%s.type", dir, id);
  char *tj = read_file(path, &tlen);
  snprintf(path, sizeof(path), "%s/%s.mp", dir, id);
  char *mp = read_file(path, &mlen);
  snprintf(path, sizeof(path), "%s/%s.json", dir, id);
  char *js = read_file(path, &jlen);
  tf_diags d;
  tf_diags_init(&d);
  tf_type *t = NULL;
  tf_value *v = NULL, *jv = NULL, *v2 = NULL;
  uint8_t *out = NULL;
  size_t olen = 0;
  char *jout = NULL;

  if (!tj || !mp) {
    why = strdup("missing input files");
    goto done;
  }
  if (!(t = tf_type_from_json(tj, tlen, &d))) {
    asprintf(&why, "type JSON: %s", first_detail(&d));
    goto done;
  }
  if (tf_msgpack_decode((const uint8_t *)mp, mlen, t, &v, &d) != 0) {
    asprintf(&why, "msgpack decode: %s", first_detail(&d));
    goto done;
  }
  if (js) {
    if (tf_json_decode(js, jlen, t, &jv, &d) != 0) {
      asprintf(&why, "JSON decode: %s", first_detail(&d));
      goto done;
    }
    if (!tf_value_equal(v, jv)) {
      char *a = tf_value_to_display(v), *b = tf_value_to_display(jv);
      asprintf(&why, "msgpack and JSON values differ: %.200s vs %.200s", a, b);
      free(a);
      free(b);
      goto done;
    }
  }
  if (tf_msgpack_encode(v, t, &out, &olen, &d) != 0) {
    asprintf(&why, "msgpack encode: %s", first_detail(&d));
    goto done;
  }
  /* our own encoding must decode back to an equal value */
  if (tf_msgpack_decode(out, olen, t, &v2, &d) != 0 || !tf_value_equal(v, v2)) {
    asprintf(&why, "re-decoding our encoding failed or differs");
    goto done;
  }
  snprintf(path, sizeof(path), "%s/out/%s.mp", dir, id);
  if (write_file(path, out, olen) != 0) {
    asprintf(&why, "cannot write %s", path);
    goto done;
  }
  /* JSON where it is representable (no unknowns, no infinities) */
  tf_diags jd;
  tf_diags_init(&jd);
  if (tf_value_is_wholly_known(v) && tf_json_encode(v, t, &jout, &jd) == 0) {
    snprintf(path, sizeof(path), "%s/out/%s.json", dir, id);
    if (write_file(path, jout, strlen(jout)) != 0) asprintf(&why, "cannot write %s", path);
  }
  tf_diags_free(&jd);

done:
  free(jout);
  free(out);
  tf_value_free(v);
  tf_value_free(v2);
  tf_value_free(jv);
  tf_type_unref(t);
  tf_diags_free(&d);
  free(tj);
  free(mp);
  free(js);
  return why;
}

static void test_cty_vectors(void **state) {
  (void)state;
  const char *dir = getenv("TF_VECTORS_DIR");
  if (!dir || !*dir) {
    print_message("TF_VECTORS_DIR is not set: skipping the go-cty vectors "
                  "(run scripts/tf-vectors.sh)\n");
    skip();
  }
  char path[4096];
  snprintf(path, sizeof(path), "%s/out", dir);
  if (mkdir(path, 0755) != 0 && errno != EEXIST) fail_msg("cannot create %s", path);
  snprintf(path, sizeof(path), "%s/manifest.txt", dir);
  size_t mlen;
  char *manifest = read_file(path, &mlen);
  if (!manifest) fail_msg("cannot read %s", path);
  snprintf(path, sizeof(path), "%s/out/c_results.txt", dir);
  FILE *res = fopen(path, "w");
  if (!res) fail_msg("cannot write %s", path);

  int passed = 0, failed = 0;
  char *save = NULL;
  for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = '\0';
    char *why = run_case(dir, line);
    if (why) {
      print_message("FAIL %s %s: %s\n", line, tab + 1, why);
      fprintf(res, "%s\t%s\n", line, why);
      failed++;
    } else {
      fprintf(res, "%s\tok\n", line);
      passed++;
    }
    free(why);
  }
  fclose(res);
  free(manifest);
  print_message("C side: %d vectors passed, %d failed\n", passed, failed);
  assert_int_equal(failed, 0);
  assert_true(passed > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_cty_vectors)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}

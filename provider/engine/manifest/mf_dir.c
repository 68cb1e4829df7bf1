/* engine/manifest — Argo CD's directory source over an in-memory file list. */
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

static bool has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n > m && strcmp(s + n - m, suf) == 0;
}

static bool contains(const char *s, size_t n, const char *what) {
  size_t m = strlen(what);
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(s + i, what, m) == 0) return true;
  return false;
}

/* Argo CD: a file that fails to parse is an error only if it contains
 * "apiVersion:", "kind:" and "metadata:". */
static bool looks_like_manifest(const char *s, size_t n) {
  return s && contains(s, n, "apiVersion:") && contains(s, n, "kind:") &&
         contains(s, n, "metadata:");
}

typedef struct sel_file {
  const char *path; /* without a leading "./" */
  const mf_file *f;
} sel_file;

/* filepath.Walk order: directory entries sorted by name at each level. */
static int walk_cmp(const void *a, const void *b) {
  const char *x = ((const sel_file *)a)->path, *y = ((const sel_file *)b)->path;
  for (;;) {
    size_t lx = strcspn(x, "/"), ly = strcspn(y, "/");
    size_t l = lx < ly ? lx : ly;
    int c = memcmp(x, y, l);
    if (c) return c;
    if (lx != ly) return lx < ly ? -1 : 1;
    if (!x[lx] || !y[ly]) return (x[lx] ? 1 : 0) - (y[ly] ? 1 : 0);
    x += lx + 1;
    y += ly + 1;
  }
}

int mf_load_files(const mf_file *files, size_t n, const char *include_glob,
                  const char *exclude_glob, bool recurse, mf_docs *out, mf_error *err) {
  if (err) memset(err, 0, sizeof(*err));
  if (!out || (!files && n)) return mf_err_set(err, MF_EINVAL, NULL, 0, 0, "invalid argument");
  if (include_glob && !*include_glob) include_glob = NULL;
  if (exclude_glob && !*exclude_glob) exclude_glob = NULL;
  if (include_glob && mf_glob_match_ex(include_glob, "") < 0)
    return mf_err_set(err, MF_EINVAL, NULL, 0, 0, "invalid include glob \"%s\"", include_glob);
  if (exclude_glob && mf_glob_match_ex(exclude_glob, "") < 0)
    return mf_err_set(err, MF_EINVAL, NULL, 0, 0, "invalid exclude glob \"%s\"", exclude_glob);
  sel_file *sel = n ? malloc(n * sizeof(*sel)) : NULL;
  if (n && !sel) return mf_err_oom(err, NULL);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    const char *p = files[i].path;
    if (!p) continue;
    while (p[0] == '.' && p[1] == '/')
      p += 2;
    if (!recurse && strchr(p, '/')) continue;
    if (!has_suffix(p, ".yaml") && !has_suffix(p, ".yml") && !has_suffix(p, ".json")) continue;
    if (exclude_glob && mf_glob_match(exclude_glob, p)) continue;
    if (include_glob && !mf_glob_match(include_glob, p)) continue;
    sel[m++] = (sel_file){p, &files[i]};
  }
  if (m > 1) qsort(sel, m, sizeof(*sel), walk_cmp);
  size_t before = out->count;
  bool had = out->items != NULL;
  mf_parse_opts o;
  mf_parse_opts_default(&o);
  int rc = 0;
  for (size_t i = 0; i < m && !rc; i++) {
    const mf_file *f = sel[i].f;
    const char *path = sel[i].path;
    if (!f->data && f->size) {
      rc = mf_err_set(err, MF_EINVAL, path, 0, 0, "file has no data");
      break;
    }
    if (has_suffix(path, ".json")) {
      const char *data = f->data;
      size_t size = f->size;
      if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, size -= 3; /* utfutil drops a BOM */
      rc = mf_parse_json(data, size, path, &o, out, err);
    } else {
      size_t parsed = 0;
      rc = mf_parse_counted(f->data, f->size, path, &o, out, err, &parsed);
      if (rc < 0 && rc != MF_ENOMEM && parsed == 0 && !looks_like_manifest(f->data, f->size)) {
        /* Argo CD ignores YAML files that do not parse into
         * objects and do not look like manifests (values
         * files, CI configs, ...). */
        rc = 0;
        if (err) memset(err, 0, sizeof(*err));
      }
    }
  }
  free(sel);
  if (rc) mf_docs_restore(out, before, had);
  return rc;
}

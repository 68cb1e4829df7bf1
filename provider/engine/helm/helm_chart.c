/* Chart loading: directory (with .helmignore) or .tgz, then Helm's
 * loader.LoadFiles: Chart.yaml, values.yaml, templates/, charts/, .Files. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/helm/helm_internal.h"

static size_t lim_files(const helm_load_limits *l) {
  return l && l->max_files ? l->max_files : 20000;
}
static size_t lim_file(const helm_load_limits *l) {
  return l && l->max_file_size ? l->max_file_size : 5u << 20;
}
static size_t lim_total(const helm_load_limits *l) {
  return l && l->max_total_size ? l->max_total_size : 100u << 20;
}
static int lim_depth(const helm_load_limits *l) {
  return l && l->max_depth ? l->max_depth : 32;
}

static void files_free(helm_file *f, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(f[i].name);
    free(f[i].data);
  }
  free(f);
}

void helm_chart_free(helm_chart *c) {
  if (!c) return;
  free(c->api_version);
  free(c->name);
  free(c->version);
  free(c->app_version);
  free(c->type);
  free(c->kube_version);
  free(c->description);
  free(c->condition);
  free(c->tags);
  for (size_t i = 0; i < c->n_deps; i++)
    helm_dependency_clear(&c->deps[i]);
  free(c->deps);
  helm_value_free(c->metadata);
  files_free(c->templates, c->n_templates);
  files_free(c->files, c->n_files);
  helm_value_free(c->values);
  free(c->schema);
  for (size_t i = 0; i < c->n_charts; i++)
    helm_chart_free(c->charts[i]);
  free(c->charts);
  free(c);
}

char *helm_chart_full_path(const helm_chart *c) {
  if (!c->parent) return helm_strdup(c->name);
  char *p = helm_chart_full_path(c->parent);
  if (!p) return NULL;
  helm_sb b = {0};
  helm_sb_printf(&b, "%s/charts/%s", p, c->name);
  free(p);
  return helm_sb_take(&b);
}

static int add_file(helm_file **arr, size_t *n, const helm_buffered_file *f) {
  helm_file *p = realloc(*arr, (*n + 1) * sizeof *p);
  if (!p) return HELM_ENOMEM;
  *arr = p;
  helm_file *d = &p[*n];
  d->name = helm_strdup(f->name);
  d->data = malloc(f->size + 1);
  if (!d->name || !d->data) {
    free(d->name);
    free(d->data);
    return HELM_ENOMEM;
  }
  memcpy(d->data, f->data, f->size);
  d->data[f->size] = 0;
  d->size = f->size;
  (*n)++;
  return 0;
}

static int add_chart(helm_chart *c, helm_chart *sc) {
  helm_chart **p = realloc(c->charts, (c->n_charts + 1) * sizeof *p);
  if (!p) return HELM_ENOMEM;
  c->charts = p;
  c->charts[c->n_charts++] = sc;
  sc->parent = c;
  return 0;
}

typedef struct subgroup {
  char *name;
  helm_buffered_file *files;
  size_t n;
} subgroup;

static int cmp_group(const void *a, const void *b) {
  return strcmp(((const subgroup *)a)->name, ((const subgroup *)b)->name);
}

static int load_archive_depth(const unsigned char *data, size_t len, const helm_load_limits *lim,
                              int depth, helm_chart **out, helm_error *err);

int helm_chart_from_files(helm_buffered_file *files, size_t n, const helm_load_limits *lim,
                          int depth, helm_chart **out, helm_error *err) {
  *out = NULL;
  if (depth > lim_depth(lim))
    return HELM_ERR(err, HELM_ETOOBIG, "chart nesting deeper than %d levels", lim_depth(lim));
  helm_chart *c = calloc(1, sizeof *c);
  if (!c) return HELM_ENOMEM_ERR(err);
  int rc = 0, have_meta = 0;
  subgroup *groups = NULL;
  size_t ng = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(files[i].name, "Chart.yaml") == 0) {
      rc = helm_chartfile_parse(c, (const char *)files[i].data, files[i].size, err);
      if (rc) goto fail;
      have_meta = 1;
    }
  }
  for (size_t i = 0; i < n; i++) {
    helm_buffered_file *f = &files[i];
    const char *nm = f->name;
    if (!strcmp(nm, "Chart.yaml")) continue;
    if (!strcmp(nm, "Chart.lock") || !strcmp(nm, "requirements.lock")) {
      helm_value *tmp = NULL;
      rc = helm_yaml_parse((const char *)f->data, f->size, &tmp, err);
      helm_value_free(tmp);
      if (rc) {
        helm_error_wrap(err, "cannot load %s", nm);
        goto fail;
      }
      if (!strcmp(nm, "requirements.lock") && have_meta && !strcmp(c->api_version, "v1"))
        if (add_file(&c->files, &c->n_files, f)) goto oom;
      continue;
    }
    if (!strcmp(nm, "values.yaml")) {
      helm_value_free(c->values);
      c->values = NULL;
      rc = helm_yaml_parse_values((const char *)f->data, f->size, &c->values, err);
      if (rc) {
        helm_error_wrap(err, "cannot load values.yaml");
        goto fail;
      }
      continue;
    }
    if (!strcmp(nm, "values.schema.json")) {
      free(c->schema);
      c->schema = helm_strndup((const char *)f->data, f->size);
      if (!c->schema) goto oom;
      c->schema_len = f->size;
      continue;
    }
    if (!strcmp(nm, "requirements.yaml")) {
      if (!c->api_version) c->api_version = helm_strdup("");
      rc = helm_chartfile_parse_requirements(c, (const char *)f->data, f->size, err);
      if (rc) goto fail;
      if (c->api_version && !strcmp(c->api_version, "v1"))
        if (add_file(&c->files, &c->n_files, f)) goto oom;
      continue;
    }
    if (helm_has_prefix(nm, "templates/")) {
      if (add_file(&c->templates, &c->n_templates, f)) goto oom;
      continue;
    }
    if (helm_has_prefix(nm, "charts/")) {
      if (helm_has_suffix(nm, ".prov")) {
        if (add_file(&c->files, &c->n_files, f)) goto oom;
        continue;
      }
      const char *fname = nm + 7;
      const char *slash = strchr(fname, '/');
      size_t cl = slash ? (size_t)(slash - fname) : strlen(fname);
      size_t g;
      for (g = 0; g < ng; g++)
        if (strlen(groups[g].name) == cl && !strncmp(groups[g].name, fname, cl)) break;
      if (g == ng) {
        subgroup *p = realloc(groups, (ng + 1) * sizeof *p);
        if (!p) goto oom;
        groups = p;
        memset(&groups[ng], 0, sizeof groups[ng]);
        groups[ng].name = helm_strndup(fname, cl);
        if (!groups[ng].name) goto oom;
        ng++;
      }
      helm_buffered_file *q = realloc(groups[g].files, (groups[g].n + 1) * sizeof *q);
      if (!q) goto oom;
      groups[g].files = q;
      q[groups[g].n].name = (char *)fname; /* borrowed */
      q[groups[g].n].data = f->data;
      q[groups[g].n].size = f->size;
      groups[g].n++;
      continue;
    }
    if (add_file(&c->files, &c->n_files, f)) goto oom;
  }
  if (!have_meta && !c->name) {
    rc = HELM_ERR(err, HELM_EINVALID, "Chart.yaml file is missing");
    goto fail;
  }
  if (!c->values) {
    c->values = helm_value_map();
    if (!c->values) goto oom;
  }
  rc = helm_chart_validate(c, err);
  if (rc) goto fail;
  if (ng) qsort(groups, ng, sizeof *groups, cmp_group);
  for (size_t g = 0; g < ng; g++) {
    const char *gn = groups[g].name;
    if (gn[0] == '_' || gn[0] == '.') continue;
    helm_chart *sc = NULL;
    if (helm_has_suffix(gn, ".tgz")) {
      helm_buffered_file *f0 = &groups[g].files[0];
      if (strcmp(f0->name, gn) != 0) {
        rc = HELM_ERR(err, HELM_EINVALID, "error unpacking subchart tar in %s: expected %s, got %s",
                      c->name, gn, f0->name);
        goto fail;
      }
      rc = load_archive_depth(f0->data, f0->size, lim, depth + 1, &sc, err);
    } else {
      helm_buffered_file *buf = calloc(groups[g].n + 1, sizeof *buf);
      if (!buf) goto oom;
      size_t k = 0;
      for (size_t i = 0; i < groups[g].n; i++) {
        const char *s = strchr(groups[g].files[i].name, '/');
        if (!s) continue;
        buf[k] = groups[g].files[i];
        buf[k].name = (char *)s + 1;
        k++;
      }
      rc = helm_chart_from_files(buf, k, lim, depth + 1, &sc, err);
      free(buf);
    }
    if (rc) {
      helm_error_wrap(err, "error unpacking subchart %s in %s", gn, c->name);
      goto fail;
    }
    if (add_chart(c, sc)) {
      helm_chart_free(sc);
      goto oom;
    }
  }
  for (size_t g = 0; g < ng; g++) {
    free(groups[g].name);
    free(groups[g].files);
  }
  free(groups);
  *out = c;
  return 0;
oom:
  rc = HELM_ENOMEM_ERR(err);
fail:
  for (size_t g = 0; g < ng; g++) {
    free(groups[g].name);
    free(groups[g].files);
  }
  free(groups);
  helm_chart_free(c);
  return rc;
}

/* ---------------- archives ---------------- */

static int load_archive_depth(const unsigned char *data, size_t len, const helm_load_limits *lim,
                              int depth, helm_chart **out, helm_error *err) {
  *out = NULL;
  if (len < 2 || data[0] != 0x1f || data[1] != 0x8b)
    return HELM_ERR(err, HELM_EINVALID, "gzip: invalid header");
  helm_tar_entry *ents = NULL;
  size_t ne = 0;
  int rc = helm_tar_read_gz(data, len, lim, &ents, &ne, err);
  if (rc) return rc;
  helm_buffered_file *files = calloc(ne + 1, sizeof *files);
  size_t nf = 0;
  if (!files) {
    helm_tar_entries_free(ents, ne);
    return HELM_ENOMEM_ERR(err);
  }
  for (size_t i = 0; i < ne; i++) {
    helm_tar_entry *e = &ents[i];
    if (e->type == '5') continue;
    char delim = strchr(e->name, '\\') ? '\\' : '/';
    char *first = strchr(e->name, delim);
    const char *rest = first ? first + 1 : "";
    char *n = helm_strdup(rest);
    if (!n) {
      rc = HELM_ENOMEM_ERR(err);
      goto done;
    }
    for (char *p = n; *p; p++)
      if (*p == delim) *p = '/';
    if (n[0] == '/') {
      free(n);
      rc = HELM_ERR(err, HELM_EUNSAFE, "chart illegally contains absolute paths");
      goto done;
    }
    /* path.Clean */
    char **segs = calloc(strlen(n) + 2, sizeof(char *));
    size_t ns = 0;
    int up = 0;
    if (!segs) {
      free(n);
      rc = HELM_ENOMEM_ERR(err);
      goto done;
    }
    for (char *tok = strtok(n, "/"); tok; tok = strtok(NULL, "/")) {
      if (!strcmp(tok, ".")) continue;
      if (!strcmp(tok, "..")) {
        if (ns > 0 && strcmp(segs[ns - 1], ".."))
          ns--;
        else {
          segs[ns++] = tok;
          up = 1;
        }
        continue;
      }
      segs[ns++] = tok;
    }
    helm_sb b = {0};
    for (size_t k = 0; k < ns; k++) {
      if (k) helm_sb_putc(&b, '/');
      helm_sb_puts(&b, segs[k]);
    }
    free(segs);
    char *clean = helm_sb_take(&b);
    free(n);
    if (!clean) {
      rc = HELM_ENOMEM_ERR(err);
      goto done;
    }
    if (!*clean) {
      free(clean);
      rc = HELM_ERR(err, HELM_EUNSAFE,
                    "chart illegally contains content outside the base directory: \"%s\"", e->name);
      goto done;
    }
    if (up || helm_has_prefix(clean, "..")) {
      free(clean);
      rc = HELM_ERR(err, HELM_EUNSAFE, "chart illegally references parent directory");
      goto done;
    }
    if (((clean[0] >= 'a' && clean[0] <= 'z') || (clean[0] >= 'A' && clean[0] <= 'Z')) &&
        clean[1] == ':' && clean[2] == '/') {
      free(clean);
      rc = HELM_ERR(err, HELM_EUNSAFE, "chart contains illegally named files");
      goto done;
    }
    /* parts[0] == "Chart.yaml" (after Helm's other checks) */
    if ((first && (size_t)(first - e->name) == 10 && !strncmp(e->name, "Chart.yaml", 10)) ||
        (!first && !strcmp(e->name, "Chart.yaml"))) {
      free(clean);
      rc = HELM_ERR(err, HELM_EINVALID, "chart yaml not in base directory");
      goto done;
    }
    files[nf].name = clean;
    files[nf].data = e->data;
    files[nf].size = e->size;
    if (e->size >= 3 && !memcmp(e->data, "\xEF\xBB\xBF", 3)) {
      files[nf].data = e->data + 3;
      files[nf].size = e->size - 3;
    }
    nf++;
  }
  if (nf == 0) {
    rc = HELM_ERR(err, HELM_EINVALID, "no files in chart archive");
    goto done;
  }
  rc = helm_chart_from_files(files, nf, lim, depth, out, err);
done:
  for (size_t i = 0; i < nf; i++)
    free(files[i].name);
  free(files);
  helm_tar_entries_free(ents, ne);
  return rc;
}

int helm_chart_load_archive(const unsigned char *data, size_t len, const helm_load_limits *limits,
                            helm_chart **out, helm_error *err) {
  return load_archive_depth(data, len, limits, 0, out, err);
}

/* ---------------- directories ---------------- */

typedef struct walker {
  const char *root_real;
  const helm_ignore *rules;
  const helm_load_limits *lim;
  helm_buffered_file *files;
  size_t n, cap, total;
  helm_error *err;
  int depth;
} walker;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(walker *w, const char *abs, const char *rel) {
  if (++w->depth > 64)
    return HELM_ERR(w->err, HELM_ETOOBIG, "directory nesting too deep at %s", abs);
  DIR *d = opendir(abs);
  if (!d) {
    w->depth--;
    return HELM_ERR(w->err, HELM_EIO, "open %s: %s", abs, strerror(errno));
  }
  char **names = NULL;
  size_t nn = 0, nc = 0;
  struct dirent *de;
  int rc = 0;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    if (nn == nc) {
      nc = nc ? nc * 2 : 32;
      char **p = realloc(names, nc * sizeof *p);
      if (!p) {
        rc = HELM_ENOMEM_ERR(w->err);
        break;
      }
      names = p;
    }
    names[nn] = helm_strdup(de->d_name);
    if (!names[nn]) {
      rc = HELM_ENOMEM_ERR(w->err);
      break;
    }
    nn++;
  }
  closedir(d);
  if (!rc && nn) qsort(names, nn, sizeof *names, cmp_str);
  for (size_t i = 0; !rc && i < nn; i++) {
    helm_sb pa = {0}, pr = {0};
    helm_sb_printf(&pa, "%s/%s", abs, names[i]);
    if (*rel)
      helm_sb_printf(&pr, "%s/%s", rel, names[i]);
    else
      helm_sb_puts(&pr, names[i]);
    char *fa = helm_sb_take(&pa), *fr = helm_sb_take(&pr);
    if (!fa || !fr) {
      free(fa);
      free(fr);
      rc = HELM_ENOMEM_ERR(w->err);
      break;
    }
    struct stat st, lst;
    if (lstat(fa, &lst) != 0 || stat(fa, &st) != 0) {
      rc = HELM_ERR(w->err, HELM_EIO, "stat %s: %s", fa, strerror(errno));
    } else {
      if (S_ISLNK(lst.st_mode)) {
        /* followed like Helm's sympath.Walk, but only inside the chart */
        char real[PATH_MAX];
        if (!realpath(fa, real) ||
            (strncmp(real, w->root_real, strlen(w->root_real)) != 0 ||
             (real[strlen(w->root_real)] != '/' && real[strlen(w->root_real)] != 0)))
          rc = HELM_ERR(w->err, HELM_EUNSAFE, "symbolic link %s points outside the chart", fr);
      }
      if (!rc && S_ISDIR(st.st_mode)) {
        if (!helm_ignore_match(w->rules, fr, 1)) rc = walk(w, fa, fr);
      } else if (!rc && !helm_ignore_match(w->rules, fr, 0)) {
        if (!S_ISREG(st.st_mode)) {
          rc = HELM_ERR(w->err, HELM_EINVALID,
                        "cannot load irregular file %s as it has file mode type bits set", fa);
        } else if (w->n >= lim_files(w->lim)) {
          rc = HELM_ERR(w->err, HELM_ETOOBIG, "chart has more than %zu files", lim_files(w->lim));
        } else if ((size_t)st.st_size > lim_file(w->lim)) {
          rc = HELM_ERR(w->err, HELM_ETOOBIG,
                        "chart file %s is larger than the maximum file size %zu", fr,
                        lim_file(w->lim));
        } else {
          char *data = NULL;
          size_t len = 0;
          rc = helm_read_file(fa, lim_file(w->lim), &data, &len, w->err);
          if (rc) {
            helm_error_wrap(w->err, "error reading %s", fr);
          } else if ((w->total += len) > lim_total(w->lim)) {
            free(data);
            rc = HELM_ERR(w->err, HELM_ETOOBIG, "chart is larger than the maximum size %zu",
                          lim_total(w->lim));
          } else {
            if (w->n == w->cap) {
              size_t c2 = w->cap ? w->cap * 2 : 64;
              helm_buffered_file *p = realloc(w->files, c2 * sizeof *p);
              if (!p) {
                free(data);
                rc = HELM_ENOMEM_ERR(w->err);
                goto next;
              }
              w->files = p;
              w->cap = c2;
            }
            size_t off = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
            if (off) {
              memmove(data, data + 3, len - 3 + 1);
              len -= 3;
            }
            w->files[w->n].name = fr;
            fr = NULL;
            w->files[w->n].data = (unsigned char *)data;
            w->files[w->n].size = len;
            w->n++;
          }
        }
      }
    }
  next:
    free(fa);
    free(fr);
  }
  for (size_t i = 0; i < nn; i++)
    free(names[i]);
  free(names);
  w->depth--;
  return rc;
}

static int load_dir(const char *dir, const helm_load_limits *lim, helm_chart **out,
                    helm_error *err) {
  char real[PATH_MAX];
  if (!realpath(dir, real))
    return HELM_ERR(err, HELM_ENOTFOUND, "stat %s: %s", dir, strerror(errno));
  helm_ignore *rules = NULL;
  helm_sb p = {0};
  helm_sb_printf(&p, "%s/.helmignore", real);
  char *ipath = helm_sb_take(&p);
  if (!ipath) return HELM_ENOMEM_ERR(err);
  struct stat st;
  int rc = 0;
  if (stat(ipath, &st) == 0) {
    char *data = NULL;
    size_t len = 0;
    rc = helm_read_file(ipath, 1u << 20, &data, &len, err);
    if (!rc) rc = helm_ignore_parse(data, len, &rules, err);
    free(data);
  } else {
    rules = helm_ignore_empty();
    if (!rules) rc = HELM_ENOMEM_ERR(err);
  }
  free(ipath);
  if (rc) return rc;
  helm_ignore_add_defaults(rules);
  walker w = {.root_real = real, .rules = rules, .lim = lim, .err = err};
  rc = walk(&w, real, "");
  helm_ignore_free(rules);
  if (!rc) rc = helm_chart_from_files(w.files, w.n, lim, 0, out, err);
  for (size_t i = 0; i < w.n; i++) {
    free(w.files[i].name);
    free(w.files[i].data);
  }
  free(w.files);
  return rc;
}

int helm_chart_load(const char *path, const helm_load_limits *limits, helm_chart **out,
                    helm_error *err) {
  *out = NULL;
  struct stat st;
  if (stat(path, &st) != 0)
    return HELM_ERR(err, HELM_ENOTFOUND, "stat %s: no such file or directory", path);
  if (S_ISDIR(st.st_mode)) return load_dir(path, limits, out, err);
  char *data = NULL;
  size_t len = 0;
  int rc = helm_read_file(path, lim_total(limits), &data, &len, err);
  if (rc) return rc;
  if (len < 3 || (unsigned char)data[0] != 0x1f || (unsigned char)data[1] != 0x8b ||
      (unsigned char)data[2] != 8) {
    unsigned char sniff[512];
    memset(sniff, 0, sizeof sniff);
    memcpy(sniff, data, len < sizeof sniff ? len : sizeof sniff);
    const char *ctype = "text/plain; charset=utf-8";
    if (!memcmp(sniff, "PK\x03\x04", 4))
      ctype = "application/zip";
    else if (!memcmp(sniff, "%PDF-", 5))
      ctype = "application/pdf";
    else if (!memcmp(sniff, "\x89PNG\r\n\x1a\n", 8))
      ctype = "image/png";
    else if (!memcmp(sniff, "GIF87a", 6) || !memcmp(sniff, "GIF89a", 6))
      ctype = "image/gif";
    else if (!memcmp(sniff, "\xff\xd8\xff", 3))
      ctype = "image/jpeg";
    else if (!memcmp(sniff, "BZh", 3))
      ctype = "application/x-bzip2";
    else
      for (size_t i = 0; i < sizeof sniff; i++) {
        unsigned char ch = sniff[i];
        if (ch <= 0x08 || ch == 0x0b || (ch >= 0x0e && ch <= 0x1a) || (ch >= 0x1c && ch <= 0x1f)) {
          ctype = "application/octet-stream";
          break;
        }
      }
    free(data);
    if (helm_has_suffix(path, ".yml") || helm_has_suffix(path, ".yaml"))
      return HELM_ERR(err, HELM_EINVALID,
                      "file '%s' seems to be a YAML file, but expected a gzipped archive", path);
    return HELM_ERR(err, HELM_EINVALID,
                    "file '%s' does not appear to be a gzipped archive; got '%s'", path, ctype);
  }
  rc = load_archive_depth((unsigned char *)data, len, limits, 0, out, err);
  free(data);
  return rc;
}

int helm_chart_check_dependencies(const helm_chart *c, helm_error *err) {
  helm_sb missing = {0};
  int nmiss = 0;
  for (size_t i = 0; i < c->n_deps; i++) {
    const helm_dependency *d = &c->deps[i];
    int found = 0;
    for (size_t j = 0; j < c->n_charts; j++)
      if (!strcmp(c->charts[j]->name, d->name)) found = 1;
    if (!found) {
      if (nmiss++) helm_sb_puts(&missing, ", ");
      helm_sb_puts(&missing, d->name);
    }
  }
  if (!nmiss) return 0;
  char *m = helm_sb_take(&missing);
  int rc =
      HELM_ERR(err, HELM_ENOTFOUND,
               "An error occurred while checking for chart dependencies. You may need to run "
               "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
               "missing in charts/ directory: %s",
               m ? m : "");
  free(m);
  return rc;
}

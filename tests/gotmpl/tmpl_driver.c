/* tmpl_driver CHARTDIR [-r RELEASE] [-n NAMESPACE] [-f VALUES]... [--kube-version V]
 *                     [--api-versions GV]...
 *
 * A small stand-in for `helm template` over the gotmpl engine, for the tests
 * in tests/gotmpl (run.sh: generated cases; corpus.py: the chart corpus).
 * It loads Chart.yaml, values.yaml (coalesced with -f files), templates/ (recursively)
 * of the chart and of the unpacked sub-charts in charts/ (values scoped by
 * chart name, globals copied), parses every template into one set in Helm's
 * order, renders the non-partial ones and prints, for each non-empty output
 * (sorted by name), "---\n# Source: NAME\n" + the raw output.  It does not
 * split, sort by kind or validate manifests (that is engine/helm's job).
 * Errors print like Helm: "Error: MSG" on stderr, exit 1.
 * Env: TMPL_SEED=N fixes the randomness. */
#include "engine/gotmpl/gotmpl.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fnmatch.h>
#include <sys/stat.h>

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 8192, n = 0;
  char *b = malloc(cap);
  for (;;) {
    if (n + 4096 + 1 > cap) {
      cap *= 2;
      b = realloc(b, cap);
    }
    size_t r = fread(b + n, 1, 4096, f);
    n += r;
    if (r == 0) break;
  }
  fclose(f);
  b[n] = 0;
  *len = n;
  return b;
}

/* Helm's built-in API versions: one list, in engine/helm (helm_caps.c, linked in). */
extern const char *const helm_default_api_versions[];

static void die(const char *msg) {
  fprintf(stderr, "Error: %s\n", msg);
  exit(1);
}

/* ---------------- chart loading ---------------- */
typedef struct tfile {
  char *name; /* template name, e.g. "x/templates/a.yaml" */
  char *text;
  size_t len;
  struct chart *owner;
} tfile;

typedef struct chart {
  char *name;
  char *dir;
  char *path_prefix; /* "x" or "x/charts/sub" */
  cJSON *meta;
  tmpl_value *values; /* effective values for this chart */
  tmpl_value *files;
  tmpl_value *chartv;
  bool library;
  struct chart *subs[32];
  int nsubs;
} chart;

/* .helmignore (simplified): glob patterns on the relative path or base name */
static char *g_ignore[256];
static int g_nignore;

static void load_ignore(const char *dir) {
  char path[8192];
  snprintf(path, sizeof path, "%s/.helmignore", dir);
  size_t n;
  char *t = slurp(path, &n);
  g_nignore = 0;
  if (!t) return;
  for (char *line = strtok(t, "\n"); line && g_nignore < 256; line = strtok(NULL, "\n")) {
    while (*line == ' ')
      line++;
    if (!*line || *line == '#' || *line == '!') continue;
    size_t l = strlen(line);
    while (l && (line[l - 1] == ' ' || line[l - 1] == '/' || line[l - 1] == '\r'))
      line[--l] = 0;
    g_ignore[g_nignore++] = strdup(line);
  }
  free(t);
}

static bool ignored(const char *rel) {
  const char *base = strrchr(rel, '/');
  base = base ? base + 1 : rel;
  for (int i = 0; i < g_nignore; i++)
    if (!fnmatch(g_ignore[i], rel, 0) || !fnmatch(g_ignore[i], base, 0)) return true;
  return false;
}

static tfile g_files[4096];
static int g_nfiles;

static void load_templates(chart *c, const char *dir, const char *rel) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char full[8192], nrel[8192];
    snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
    snprintf(nrel, sizeof nrel, "%s/%s", rel, de->d_name);
    if (ignored(nrel)) continue;
    struct stat st;
    if (stat(full, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      load_templates(c, full, nrel);
      continue;
    }
    if (g_nfiles >= 4096) die("too many templates");
    size_t n;
    char *t = slurp(full, &n);
    if (!t) continue;
    char nm[8192];
    snprintf(nm, sizeof nm, "%s/%s", c->path_prefix, nrel);
    g_files[g_nfiles++] = (tfile){strdup(nm), t, n, c};
  }
  closedir(d);
}

static void load_files(tmpl_heap *h, chart *c) {
  /* every file except templates/, charts/, Chart.yaml, values.yaml,
   * values.schema.json, Chart.lock, .helmignore'd dot files */
  const char *names[2048];
  const char *data[2048];
  size_t lens[2048];
  size_t nf = 0;
  char *stack[256];
  int sp = 0;
  stack[sp++] = strdup("");
  while (sp > 0 && nf < 2048) {
    char *rel = stack[--sp];
    char dir[8192];
    snprintf(dir, sizeof dir, "%s%s%s", c->dir, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (d) {
      struct dirent *de;
      while ((de = readdir(d)) && nf < 2048) {
        if (de->d_name[0] == '.') continue;
        char r2[8192], full[16384];
        snprintf(r2, sizeof r2, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
        snprintf(full, sizeof full, "%s/%s", c->dir, r2);
        if (!rel[0] &&
            (!strcmp(de->d_name, "templates") || !strcmp(de->d_name, "charts") ||
             !strcmp(de->d_name, "Chart.yaml") || !strcmp(de->d_name, "values.yaml") ||
             !strcmp(de->d_name, "values.schema.json") || !strcmp(de->d_name, "Chart.lock")))
          continue;
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
          if (sp < 256) stack[sp++] = strdup(r2);
          continue;
        }
        size_t n;
        char *t = slurp(full, &n);
        if (!t) continue;
        names[nf] = strdup(r2);
        data[nf] = t;
        lens[nf] = n;
        nf++;
      }
      closedir(d);
    }
    free(rel);
  }
  c->files = tmpl_files_new(h, names, data, lens, nf);
}

static tmpl_value *yaml_file(tmpl_heap *h, const char *path, bool must) {
  size_t n;
  char *s = slurp(path, &n);
  if (!s) {
    if (must) {
      char m[8192];
      snprintf(m, sizeof m, "open %s: no such file or directory", path);
      die(m);
    }
    return NULL;
  }
  tmpl_error e;
  tmpl_value *v = tmpl_from_yaml(h, s, n, &e);
  free(s);
  if (!v) {
    char m[TMPL_ERROR_MAX + 64];
    snprintf(m, sizeof m, "failed to parse %s: %s", path, e.msg);
    die(m);
  }
  return v;
}

/* chartutil.CoalesceValues-like: dst (user) wins; maps merge deeply; a null
 * in dst deletes the key */
static tmpl_value *coalesce(tmpl_heap *h, tmpl_value *dst, tmpl_value *src) {
  if (!dst || tmpl_kind_of(dst) != TMPL_MAP) return dst ? dst : src;
  if (!src || tmpl_kind_of(src) != TMPL_MAP) return dst;
  for (size_t i = 0; i < tmpl_map_len(src); i++) {
    const char *k = tmpl_map_key_sorted(src, i);
    tmpl_value *sv = tmpl_map_get(src, k);
    tmpl_value *dv = tmpl_map_get(dst, k);
    if (!dv) {
      tmpl_map_set(dst, k, sv);
    } else if (tmpl_kind_of(dv) == TMPL_NIL) {
      tmpl_map_delete(dst, k);
    } else if (tmpl_kind_of(dv) == TMPL_MAP && tmpl_kind_of(sv) == TMPL_MAP) {
      coalesce(h, dv, sv);
    }
  }
  return dst;
}

static chart *load_chart(tmpl_heap *h, const char *dir, const char *prefix, tmpl_value *values_in) {
  chart *c = calloc(1, sizeof *c);
  c->dir = strdup(dir);
  char path[8192];
  snprintf(path, sizeof path, "%s/Chart.yaml", dir);
  tmpl_value *mv = yaml_file(h, path, true);
  c->meta = tmpl_to_cjson(mv);
  const cJSON *cn = cJSON_GetObjectItemCaseSensitive(c->meta, "name");
  c->name = strdup(cJSON_IsString(cn) ? cn->valuestring : "x");
  const cJSON *ty = cJSON_GetObjectItemCaseSensitive(c->meta, "type");
  c->library = cJSON_IsString(ty) && !strcmp(ty->valuestring, "library");
  char pp[8192];
  if (prefix)
    snprintf(pp, sizeof pp, "%s/charts/%s", prefix, c->name);
  else
    snprintf(pp, sizeof pp, "%s", c->name);
  c->path_prefix = strdup(pp);
  snprintf(path, sizeof path, "%s/values.yaml", dir);
  tmpl_value *defaults = yaml_file(h, path, false);
  if (!defaults || tmpl_kind_of(defaults) != TMPL_MAP) defaults = tmpl_map(h);
  tmpl_value *vals = values_in ? values_in : tmpl_map(h);
  c->values = coalesce(h, vals, defaults);
  tmpl_helm_values(c->values);
  c->chartv = tmpl_chart_metadata_from_cjson(h, c->meta);
  if (prefix) tmpl_map_set(c->chartv, "IsRoot", tmpl_bool(h, 0));
  load_files(h, c);
  snprintf(path, sizeof path, "%s/templates", dir);
  load_ignore(dir);
  load_templates(c, path, "templates");
  /* sub-charts */
  snprintf(path, sizeof path, "%s/charts", dir);
  DIR *d = opendir(path);
  if (d) {
    struct dirent *de;
    while ((de = readdir(d)) && c->nsubs < 32) {
      if (de->d_name[0] == '.') continue;
      char sdir[16384];
      snprintf(sdir, sizeof sdir, "%s/%s", path, de->d_name);
      struct stat st;
      if (stat(sdir, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      char cy[16400];
      snprintf(cy, sizeof cy, "%s/Chart.yaml", sdir);
      tmpl_value *sm = yaml_file(h, cy, true);
      tmpl_value *snm = tmpl_map_get(sm, "name");
      const char *sname = snm ? tmpl_get_string(snm, NULL) : de->d_name;
      /* dependency condition ("a.b.enabled"): false → not rendered */
      const cJSON *deps = cJSON_GetObjectItemCaseSensitive(c->meta, "dependencies");
      bool disabled = false;
      for (const cJSON *dj = deps ? deps->child : NULL; dj; dj = dj->next) {
        const cJSON *dn = cJSON_GetObjectItemCaseSensitive(dj, "name");
        const cJSON *dc = cJSON_GetObjectItemCaseSensitive(dj, "condition");
        if (!cJSON_IsString(dn) || strcmp(dn->valuestring, sname) || !cJSON_IsString(dc)) continue;
        tmpl_value *cur = c->values;
        char path2[1024];
        snprintf(path2, sizeof path2, "%s", dc->valuestring);
        for (char *tok = strtok(path2, "."); tok && cur; tok = strtok(NULL, "."))
          cur = tmpl_kind_of(cur) == TMPL_MAP ? tmpl_map_get(cur, tok) : NULL;
        if (cur && tmpl_kind_of(cur) == TMPL_BOOL && !tmpl_get_bool(cur)) disabled = true;
      }
      if (disabled) continue;
      tmpl_value *sv = tmpl_map_get(c->values, sname);
      if (!sv || tmpl_kind_of(sv) != TMPL_MAP) {
        sv = tmpl_map(h);
        tmpl_map_set(c->values, sname, sv);
      }
      tmpl_value *glob = tmpl_map_get(c->values, "global");
      if (glob && tmpl_kind_of(glob) == TMPL_MAP) {
        tmpl_value *sg = tmpl_map_get(sv, "global");
        if (!sg || tmpl_kind_of(sg) != TMPL_MAP) {
          sg = tmpl_map(h);
          tmpl_map_set(sv, "global", sg);
        }
        coalesce(h, sg, glob);
      }
      c->subs[c->nsubs++] = load_chart(h, sdir, c->path_prefix, sv);
    }
    closedir(d);
  }
  return c;
}

static int count_slash(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '/';
  return n;
}

/* Helm's sortTemplates: deeper paths first, then reverse lexical */
static int parse_order(const void *a, const void *b) {
  const tfile *x = a, *y = b;
  int cx = count_slash(x->name), cy = count_slash(y->name);
  if (cx != cy) return cy - cx;
  return -strcmp(x->name, y->name);
}

static int by_name(const void *a, const void *b) {
  return strcmp((*(tfile *const *)a)->name, (*(tfile *const *)b)->name);
}

static tmpl_value *g_caps;

static tmpl_value *top_for(tmpl_heap *h, chart *c, const char *rel, const char *ns) {
  tmpl_value *top = tmpl_map(h);
  tmpl_helm_values(top);
  tmpl_map_set(top, "Values", c->values);
  tmpl_value *release = tmpl_map(h);
  tmpl_map_set(release, "Name", tmpl_string(h, rel));
  tmpl_map_set(release, "Namespace", tmpl_string(h, ns));
  tmpl_map_set(release, "IsUpgrade", tmpl_bool(h, 0));
  tmpl_map_set(release, "IsInstall", tmpl_bool(h, 1));
  tmpl_map_set(release, "Revision", tmpl_int(h, 1));
  tmpl_map_set(release, "Service", tmpl_string(h, "Helm"));
  tmpl_map_set(top, "Release", release);
  tmpl_map_set(top, "Chart", c->chartv);
  tmpl_map_set(top, "Capabilities", g_caps);
  tmpl_map_set(top, "Files", c->files);
  tmpl_value *subs = tmpl_map(h);
  for (int i = 0; i < c->nsubs; i++)
    tmpl_map_set(subs, c->subs[i]->name, top_for(h, c->subs[i], rel, ns));
  tmpl_map_set(top, "Subcharts", subs);
  return top;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: tmpl_driver CHARTDIR [-r RELEASE] [-n NS] [-f VALUES]... "
                    "[--kube-version V] [--api-versions GV]...\n");
    return 2;
  }
  const char *dir = argv[1];
  const char *rel = "x", *ns = "default", *kube = "v1.32.0";
  const char *vfiles[64];
  int nv = 0;
  const char *apis[512];
  size_t napis = 0;
  for (size_t i = 0; helm_default_api_versions[i]; i++)
    apis[napis++] = helm_default_api_versions[i];
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "-r") && i + 1 < argc)
      rel = argv[++i];
    else if (!strcmp(argv[i], "-n") && i + 1 < argc)
      ns = argv[++i];
    else if (!strcmp(argv[i], "-f") && i + 1 < argc && nv < 64)
      vfiles[nv++] = argv[++i];
    else if (!strcmp(argv[i], "--kube-version") && i + 1 < argc)
      kube = argv[++i];
    else if (!strcmp(argv[i], "--api-versions") && i + 1 < argc && napis < 512)
      apis[napis++] = argv[++i];
    else if (i == 2 && argv[i][0] != '-')
      rel = argv[i];
  }
  tmpl_heap *h = tmpl_heap_new(0);
  tmpl_value *user = tmpl_map(h);
  for (int i = 0; i < nv; i++) {
    tmpl_value *v = yaml_file(h, vfiles[i], true);
    if (v && tmpl_kind_of(v) == TMPL_MAP) user = coalesce(h, v, user);
  }
  tmpl_capabilities_info ci = {0};
  ci.kube_version = kube;
  ci.api_versions = apis;
  ci.n_api_versions = napis;
  g_caps = tmpl_capabilities_new(h, &ci);
  chart *root = load_chart(h, dir, NULL, user);
  (void)root;

  qsort(g_files, (size_t)g_nfiles, sizeof *g_files, parse_order);
  tmpl_options o;
  memset(&o, 0, sizeof o);
  o.strip_no_value = 1;
  const char *seed = getenv("TMPL_SEED");
  if (seed) o.rand_seed = strtoull(seed, NULL, 10);
  tmpl_set *set = tmpl_set_new(&o);
  tmpl_error err;
  for (int i = 0; i < g_nfiles; i++) {
    if (tmpl_set_parse(set, g_files[i].name, g_files[i].text, g_files[i].len, &err) != 0) {
      char m[TMPL_ERROR_MAX + 64];
      tmpl_helm_error_message(&err, m, sizeof m);
      die(m);
    }
  }
  char **outs = calloc((size_t)g_nfiles + 1, sizeof *outs);
  for (int i = 0; i < g_nfiles; i++) {
    tfile *f = &g_files[i];
    const char *base = strrchr(f->name, '/') + 1;
    if (base[0] == '_' || f->owner->library) continue;
    tmpl_value *top = top_for(h, f->owner, rel, ns);
    tmpl_value *tv = tmpl_map(h);
    tmpl_helm_values(tv);
    tmpl_map_set(tv, "Name", tmpl_string(h, f->name));
    char bp[8192];
    snprintf(bp, sizeof bp, "%s/templates", f->owner->path_prefix);
    tmpl_map_set(tv, "BasePath", tmpl_string(h, bp));
    tmpl_map_set(top, "Template", tv);
    tmpl_buf out = {0};
    if (tmpl_set_execute(set, f->name, top, h, &out, &err) != 0) {
      char *m = tmpl_helm_error_string(&err);
      die(m);
    }
    outs[i] = out.data ? out.data : strdup("");
  }
  tfile **sorted = calloc((size_t)g_nfiles + 1, sizeof *sorted);
  int ns2 = 0;
  for (int i = 0; i < g_nfiles; i++)
    if (outs[i]) {
      g_files[i].text = outs[i]; /* reuse: rendered output */
      sorted[ns2++] = &g_files[i];
    }
  qsort(sorted, (size_t)ns2, sizeof *sorted, by_name);
  for (int k = 0; k < ns2; k++) {
    tfile *f = sorted[k];
    const char *base = strrchr(f->name, '/') + 1;
    if (!strcmp(base, "NOTES.txt")) continue;
    const char *p = f->text;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
      p++;
    if (!*p) continue;
    printf("---\n# Source: %s\n%s\n", f->name, f->text);
  }
  tmpl_set_free(set);
  tmpl_heap_free(h);
  return 0;
}

/* `terraform-provider-gitops template …`: Helm 3.17's `helm template`
 * (cmd/helm/template.go + install.go in client-only mode). The only file of
 * engine/helm that prints. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "engine/helm/helm_internal.h"

typedef struct strv {
  char **v;
  size_t n;
} strv;

static int strv_add(strv *s, const char *x) {
  char **p = realloc(s->v, (s->n + 2) * sizeof *p);
  if (!p) return -1;
  s->v = p;
  s->v[s->n] = helm_strdup(x);
  if (!s->v[s->n]) return -1;
  s->n++;
  s->v[s->n] = NULL;
  return 0;
}

/* pflag StringSlice: comma separated (CSV without quotes handling). */
static int strv_add_csv(strv *s, const char *x) {
  const char *p = x;
  for (;;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    char *one = helm_strndup(p, n);
    if (!one || strv_add(s, one)) {
      free(one);
      return -1;
    }
    free(one);
    if (!c) break;
    p = c + 1;
  }
  return 0;
}

static void strv_free(strv *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

typedef struct opts {
  strv args, files, sets, set_strings, set_jsons, set_files, set_literals, apis, show_only;
  char *ns, *kube_version;
  int include_crds, skip_tests, no_hooks, is_upgrade, generate_name;
} opts;

static int fail(const char *fmt, const char *a, const char *b) {
  fputs("Error: ", stderr);
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  return 1;
}

static int parse_bool(const char *v, int *out) {
  if (!v || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "t") || !strcmp(v, "T") ||
      !strcmp(v, "TRUE") || !strcmp(v, "True")) {
    *out = 1;
    return 0;
  }
  if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "f") || !strcmp(v, "F") ||
      !strcmp(v, "FALSE") || !strcmp(v, "False")) {
    *out = 0;
    return 0;
  }
  return -1;
}

/* Flag table: name, short, kind (0 bool, 1 string, 2 array, 3 csv slice), target */
typedef struct flag {
  const char *name;
  char shorthand;
  int kind;
  void *target;
} flag;

static int parse_args(int argc, char **argv, opts *o) {
  static int ignored_bool;
  static char *ignored_str;
  flag flags[] = {
      {"namespace", 'n', 1, &o->ns},
      {"values", 'f', 3, &o->files},
      {"set", 0, 2, &o->sets},
      {"set-string", 0, 2, &o->set_strings},
      {"set-json", 0, 2, &o->set_jsons},
      {"set-file", 0, 2, &o->set_files},
      {"set-literal", 0, 2, &o->set_literals},
      {"kube-version", 0, 1, &o->kube_version},
      {"api-versions", 'a', 3, &o->apis},
      {"include-crds", 0, 0, &o->include_crds},
      {"show-only", 's', 2, &o->show_only},
      {"skip-tests", 0, 0, &o->skip_tests},
      {"no-hooks", 0, 0, &o->no_hooks},
      {"is-upgrade", 0, 0, &o->is_upgrade},
      {"generate-name", 'g', 0, &o->generate_name},
      {"skip-crds", 0, 0, &ignored_bool},
      {"create-namespace", 0, 0, &ignored_bool},
      {"dependency-update", 0, 0, &ignored_bool},
      {"disable-openapi-validation", 0, 0, &ignored_bool},
      {"skip-schema-validation", 0, 0, &ignored_bool},
      {"release-name", 0, 0, &ignored_bool},
      {"enable-dns", 0, 0, &ignored_bool},
      {"atomic", 0, 0, &ignored_bool},
      {"wait", 0, 0, &ignored_bool},
      {"debug", 0, 0, &ignored_bool},
      {"version", 0, 1, &ignored_str},
      {"description", 0, 1, &ignored_str},
      {"timeout", 0, 1, &ignored_str},
      {NULL, 0, 0, NULL},
  };
  int dashdash = 0;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (dashdash || a[0] != '-' || !a[1]) {
      if (strv_add(&o->args, a)) return fail("out of memory", "", "");
      continue;
    }
    if (!strcmp(a, "--")) {
      dashdash = 1;
      continue;
    }
    const flag *f = NULL;
    const char *val = NULL;
    if (a[1] == '-') {
      const char *nm = a + 2;
      const char *eq = strchr(nm, '=');
      size_t nl = eq ? (size_t)(eq - nm) : strlen(nm);
      for (int k = 0; flags[k].name; k++)
        if (strlen(flags[k].name) == nl && !strncmp(flags[k].name, nm, nl)) f = &flags[k];
      if (!f) {
        fprintf(stderr, "Error: unknown flag: --%.*s\n", (int)nl, nm);
        return 1;
      }
      if (eq) val = eq + 1;
    } else {
      for (int k = 0; flags[k].name; k++)
        if (flags[k].shorthand && flags[k].shorthand == a[1]) f = &flags[k];
      if (!f) {
        fprintf(stderr, "Error: unknown shorthand flag: '%c' in %s\n", a[1], a);
        return 1;
      }
      if (a[2]) val = a[2] == '=' ? a + 3 : a + 2;
    }
    if (f->kind == 0) {
      if (parse_bool(val, (int *)f->target)) {
        fprintf(stderr,
                "Error: invalid argument \"%s\" for \"--%s\" flag: strconv.ParseBool: parsing "
                "\"%s\": invalid syntax\n",
                val, f->name, val);
        return 1;
      }
      continue;
    }
    if (!val) {
      if (i + 1 >= argc) {
        if (a[1] == '-')
          fprintf(stderr, "Error: flag needs an argument: --%s\n", f->name);
        else
          fprintf(stderr, "Error: flag needs an argument: '%c' in -%c\n", a[1], a[1]);
        return 1;
      }
      val = argv[++i];
    }
    int rc = 0;
    if (f->kind == 1) {
      char **t = (char **)f->target;
      free(*t);
      *t = helm_strdup(val);
    } else if (f->kind == 2) {
      rc = strv_add((strv *)f->target, val);
    } else {
      rc = strv_add_csv((strv *)f->target, val);
    }
    if (rc) return fail("out of memory", "", "");
  }
  return 0;
}

static int valid_release_name(const char *s) {
  size_t n = strlen(s);
  if (!n || n > 53) return 0;
  /* ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ */
  const char *p = s;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t l = dot ? (size_t)(dot - p) : strlen(p);
    if (!l) return 0;
    for (size_t i = 0; i < l; i++) {
      char c = p[i];
      int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!alnum && !(c == '-' && i > 0 && i + 1 < l)) return 0;
    }
    if (!dot) break;
    p = dot + 1;
  }
  return 1;
}

static int print_error(const helm_error *e) {
  fprintf(stderr, "Error: %s%s\n", e->message ? e->message : helm_strerror(e->code),
          e->code == HELM_ERENDER ? "\n\nUse --debug flag to render out invalid YAML" : "");
  return 1;
}

static int is_test_hook(const helm_manifest *m) {
  /* hooks whose helm.sh/hook lists "test" (or test-success) */
  helm_head h;
  helm_error e = {0};
  int test = 0;
  if (helm_head_parse(m->content, &h, &e) == 0) {
    const helm_value *hk = h.annotations ? helm_map_get(h.annotations, "helm.sh/hook") : NULL;
    if (hk && hk->type == HELM_STRING) {
      char *s = helm_strdup(hk->u.str.s);
      for (char *t = s ? strtok(s, ",") : NULL; t; t = strtok(NULL, ",")) {
        while (*t == ' ')
          t++;
        size_t l = strlen(t);
        while (l && t[l - 1] == ' ')
          t[--l] = 0;
        if (!strcasecmp(t, "test") || !strcasecmp(t, "test-success")) test = 1;
      }
      free(s);
    }
    helm_head_clear(&h);
  }
  helm_error_clear(&e);
  return test;
}

/* --show-only: pick the documents whose "# Source: CHART/PATH" matches. */
static int show_only(const char *all, const strv *show, helm_sb *out) {
  char **docs = NULL;
  size_t nd = 0;
  if (helm_split_manifests(all, &docs, &nd)) return fail("out of memory", "", "");
  int rc = 0;
  helm_sb sel = {0};
  for (size_t s = 0; s < show->n && !rc; s++) {
    int missing = 1;
    for (size_t d = 0; d < nd; d++) {
      const char *src = strstr(docs[d], "# Source: ");
      if (!src) continue;
      const char *p = src + 10;
      const char *slash = p;
      while (*slash && *slash != '/' && *slash != '\n')
        slash++;
      if (*slash != '/' || slash == p) continue;
      const char *pathb = slash + 1;
      const char *eol = strchr(pathb, '\n');
      size_t pl = eol ? (size_t)(eol - pathb) : strlen(pathb);
      if (!pl) continue;
      char *mp = helm_strndup(pathb, pl);
      int m = mp ? helm_glob_match(show->v[s], mp) : 0;
      free(mp);
      if (m != 1) continue;
      helm_sb_printf(&sel, "---\n%s\n", docs[d]);
      missing = 0;
    }
    if (missing) rc = fail("could not find template %s in chart", show->v[s], "");
  }
  for (size_t d = 0; d < nd; d++)
    free(docs[d]);
  free(docs);
  if (!rc) helm_sb_add(out, sel.s ? sel.s : "", sel.len);
  helm_sb_free(&sel);
  return rc;
}

static int run(opts *o) {
  helm_error err = {0};
  helm_chart *chart = NULL;
  helm_value *vals = NULL;
  helm_release rel = {0};
  int rc = 1;
  char kv[128];
  if (o->kube_version && *o->kube_version &&
      helm_parse_kube_version(o->kube_version, kv, sizeof kv) != 0) {
    fprintf(stderr, "Error: invalid kube version '%s': Invalid Semantic Version\n",
            o->kube_version);
    return 1;
  }
  if (o->args.n == 0) {
    fputs("Error: \"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] "
          "[CHART] [flags]\n",
          stderr);
    return 1;
  }
  const char *name = "release-name", *chart_arg;
  if (o->args.n > 2) {
    helm_sb b = {0};
    for (size_t i = 2; i < o->args.n; i++) {
      if (i > 2) helm_sb_puts(&b, ", ");
      helm_sb_puts(&b, o->args.v[i]);
    }
    char *s = helm_sb_take(&b);
    fprintf(stderr, "Error: expected at most two arguments, unexpected arguments: %s\n",
            s ? s : "");
    free(s);
    return 1;
  }
  if (o->args.n == 2) {
    if (o->generate_name) return fail("cannot set --generate-name and also specify a name", "", "");
    name = o->args.v[0];
    chart_arg = o->args.v[1];
  } else {
    chart_arg = o->args.v[0];
  }
  /* LocateChart */
  char abs[PATH_MAX];
  struct stat st;
  const char *cpath = chart_arg;
  while (*cpath == ' ' || *cpath == '\t' || *cpath == '\n')
    cpath++;
  if (stat(cpath, &st) != 0) {
    if (cpath[0] == '/' || cpath[0] == '.') return fail("path \"%s\" not found", cpath, "");
    const char *slash = strchr(cpath, '/');
    if (slash && !strstr(cpath, "://")) {
      char *repo = helm_strndup(cpath, (size_t)(slash - cpath));
      int r = fail("repo %s not found", repo ? repo : "", "");
      free(repo);
      return r;
    }
    return fail("non-absolute URLs should be in form of repo_name/path_to_chart, got: %s", cpath,
                "");
  }
  if (!realpath(cpath, abs)) return fail("path \"%s\" not found", cpath, "");
  /* MergeValues */
  helm_values_options vo = {
      .value_files = (const char *const *)o->files.v,
      .n_value_files = o->files.n,
      .json_values = (const char *const *)o->set_jsons.v,
      .n_json_values = o->set_jsons.n,
      .values = (const char *const *)o->sets.v,
      .n_values = o->sets.n,
      .string_values = (const char *const *)o->set_strings.v,
      .n_string_values = o->set_strings.n,
      .file_values = (const char *const *)o->set_files.v,
      .n_file_values = o->set_files.n,
      .literal_values = (const char *const *)o->set_literals.v,
      .n_literal_values = o->set_literals.n,
  };
  if (helm_values_merge(&vo, &vals, &err)) goto error;
  if (helm_chart_load(abs, NULL, &chart, &err)) goto error;
  if (chart->type && *chart->type && strcmp(chart->type, "application")) {
    fprintf(stderr, "Error: %s charts are not installable\n", chart->type);
    goto out;
  }
  if (chart->deprecated) fputs("WARNING: This chart is deprecated\n", stderr);
  if (helm_chart_check_dependencies(chart, &err)) goto error;
  if (!valid_release_name(name)) {
    fprintf(
        stderr,
        "Error: release name \"%s\": invalid release name, must match regex "
        "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must "
        "not be longer than 53\n",
        name);
    goto out;
  }
  helm_render_options ro = {
      .release_name = name,
      .namespace_ = o->ns && *o->ns ? o->ns : "default",
      .kube_version = o->kube_version && *o->kube_version ? o->kube_version : NULL,
      .api_versions = (const char *const *)o->apis.v,
      .n_api_versions = o->apis.n,
      .include_crds = o->include_crds,
      .is_upgrade = o->is_upgrade,
  };
  int render_rc = helm_render(chart, vals, &ro, &rel, &err);
  if (rel.warnings && *rel.warnings) fputs(rel.warnings, stderr);
  if (render_rc) goto error;
  /* template.go: manifest, then hooks */
  helm_sb all = {0};
  const char *m = rel.manifest ? rel.manifest : "";
  size_t ml = strlen(m);
  while (ml && (m[ml - 1] == '\n' || m[ml - 1] == ' ' || m[ml - 1] == '\t' || m[ml - 1] == '\r'))
    ml--;
  while (ml && (*m == '\n' || *m == ' ' || *m == '\t' || *m == '\r')) {
    m++;
    ml--;
  }
  helm_sb_add(&all, m, ml);
  helm_sb_putc(&all, '\n');
  if (!o->no_hooks) {
    for (size_t i = 0; i < rel.n_hooks; i++) {
      if (o->skip_tests && is_test_hook(&rel.hooks[i])) continue;
      helm_sb_printf(&all, "---\n# Source: %s\n%s\n", rel.hooks[i].name, rel.hooks[i].content);
    }
  }
  if (all.oom) {
    helm_sb_free(&all);
    fputs("Error: out of memory\n", stderr);
    goto out;
  }
  if (o->show_only.n) {
    helm_sb sel = {0};
    if (show_only(all.s, &o->show_only, &sel)) {
      helm_sb_free(&all);
      helm_sb_free(&sel);
      goto out;
    }
    fwrite(sel.s ? sel.s : "", 1, sel.len, stdout);
    helm_sb_free(&sel);
  } else {
    fwrite(all.s, 1, all.len, stdout);
  }
  helm_sb_free(&all);
  rc = 0;
  goto out;
error:
  rc = print_error(&err);
out:
  fflush(stdout);
  helm_release_free(&rel);
  helm_chart_free(chart);
  helm_value_free(vals);
  helm_error_clear(&err);
  return rc;
}

int helm_cli_template(int argc, char **argv) {
  opts o;
  memset(&o, 0, sizeof o);
  int rc = parse_args(argc, argv, &o);
  if (!rc) rc = run(&o);
  strv_free(&o.args);
  strv_free(&o.files);
  strv_free(&o.sets);
  strv_free(&o.set_strings);
  strv_free(&o.set_jsons);
  strv_free(&o.set_files);
  strv_free(&o.set_literals);
  strv_free(&o.apis);
  strv_free(&o.show_only);
  free(o.ns);
  free(o.kube_version);
  return rc;
}

/* Rendering: Helm's engine.Render over engine/gotmpl, then
 * action.renderResources (NOTES, SortManifests, CRDs) — `helm template`
 * in client-only mode. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "engine/gotmpl/gotmpl.h"
#include "engine/helm/helm_internal.h"

typedef struct tpl {
  char *name;       /* full template name */
  const char *text; /* borrowed from the chart */
  size_t len;
  tmpl_value *vals; /* the chart's top-level object */
  char *base_path;
  int partial;
} tpl;

typedef struct rctx {
  tmpl_heap *h;
  tpl *t;
  size_t n, cap;
  tmpl_value *release, *caps;
  helm_error *err;
} rctx;

static tmpl_value *to_tmpl(tmpl_heap *h, const helm_value *v) {
  if (!v) return tmpl_nil(h);
  switch (v->type) {
  case HELM_NULL:
    return tmpl_nil(h);
  case HELM_BOOL:
    return tmpl_bool(h, v->u.b);
  case HELM_INT:
    return tmpl_int64(h, v->u.i);
  case HELM_FLOAT:
    return tmpl_float(h, v->u.f);
  case HELM_STRING:
    return tmpl_stringn(h, v->u.str.s, v->u.str.len);
  case HELM_LIST: {
    tmpl_value *l = tmpl_list(h);
    for (size_t i = 0; l && i < v->u.list.n; i++) {
      tmpl_value *e = to_tmpl(h, v->u.list.items[i]);
      if (!e || tmpl_list_append(l, e)) return NULL;
    }
    return l;
  }
  case HELM_MAP: {
    tmpl_value *m = tmpl_map(h);
    for (size_t i = 0; m && i < v->u.map.n; i++) {
      tmpl_value *e = to_tmpl(h, v->u.map.vals[i]);
      if (!e || tmpl_map_set(m, v->u.map.keys[i], e)) return NULL;
    }
    return m;
  }
  }
  return NULL;
}

static cJSON *to_cjson(const helm_value *v) {
  if (!v) return cJSON_CreateNull();
  switch (v->type) {
  case HELM_NULL:
    return cJSON_CreateNull();
  case HELM_BOOL:
    return cJSON_CreateBool(v->u.b);
  case HELM_INT:
    return cJSON_CreateNumber((double)v->u.i);
  case HELM_FLOAT:
    return cJSON_CreateNumber(v->u.f);
  case HELM_STRING:
    return cJSON_CreateString(v->u.str.s);
  case HELM_LIST: {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < v->u.list.n; i++)
      cJSON_AddItemToArray(a, to_cjson(v->u.list.items[i]));
    return a;
  }
  case HELM_MAP: {
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < v->u.map.n; i++)
      cJSON_AddItemToObject(o, v->u.map.keys[i], to_cjson(v->u.map.vals[i]));
    return o;
  }
  }
  return cJSON_CreateNull();
}

static int is_library(const helm_chart *c) {
  return c->type && !strcmp(c->type, "library");
}

static int add_tpl(rctx *r, char *name, const helm_file *f, tmpl_value *vals, char *base) {
  if (r->n == r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 64;
    tpl *p = realloc(r->t, nc * sizeof *p);
    if (!p) return HELM_ENOMEM;
    r->t = p;
    r->cap = nc;
  }
  const char *b = strrchr(name, '/');
  r->t[r->n++] = (tpl){.name = name,
                       .text = (const char *)f->data,
                       .len = f->size,
                       .vals = vals,
                       .base_path = base,
                       .partial = (b ? b[1] : name[0]) == '_'};
  return 0;
}

/* recAllTpls: builds the object every template of chart c sees. */
static tmpl_value *rec_all(rctx *r, const helm_chart *c, tmpl_value *parent_vals, int root) {
  tmpl_heap *h = r->h;
  tmpl_value *next = tmpl_map(h);
  tmpl_value *subs = tmpl_map(h);
  if (!next || !subs) return NULL;
  cJSON *md = to_cjson(c->metadata);
  tmpl_value *chart = md ? tmpl_chart_metadata_from_cjson(h, md) : NULL;
  cJSON_Delete(md);
  if (!chart) return NULL;
  if (tmpl_kind_of(chart) == TMPL_STRUCT || tmpl_kind_of(chart) == TMPL_MAP)
    tmpl_map_set(chart, "IsRoot", tmpl_bool(h, root));
  /* .Files */
  const char **names = calloc(c->n_files + 1, sizeof *names);
  const char **data = calloc(c->n_files + 1, sizeof *data);
  size_t *lens = calloc(c->n_files + 1, sizeof *lens);
  tmpl_value *files = NULL;
  if (names && data && lens) {
    for (size_t i = 0; i < c->n_files; i++) {
      names[i] = c->files[i].name;
      data[i] = (const char *)c->files[i].data;
      lens[i] = c->files[i].size;
    }
    files = tmpl_files_new(h, names, data, lens, c->n_files);
  }
  free(names);
  free(data);
  free(lens);
  if (!files) return NULL;
  tmpl_value *values = NULL;
  if (root) {
    values = tmpl_map_get(parent_vals, "Values");
  } else {
    tmpl_value *pv = tmpl_map_get(parent_vals, "Values");
    tmpl_value *sv = pv ? tmpl_map_get(pv, c->name) : NULL;
    if (sv && tmpl_kind_of(sv) == TMPL_MAP) values = sv;
  }
  if (!values) {
    values = tmpl_map(h);
    if (values) tmpl_helm_values(values);
  }
  if (!values) return NULL;
  tmpl_map_set(next, "Chart", chart);
  tmpl_map_set(next, "Files", files);
  tmpl_map_set(next, "Release", r->release);
  tmpl_map_set(next, "Capabilities", r->caps);
  tmpl_map_set(next, "Values", values);
  tmpl_map_set(next, "Subcharts", subs);
  for (size_t i = 0; i < c->n_charts; i++) {
    tmpl_value *sub = rec_all(r, c->charts[i], next, 0);
    if (!sub) return NULL;
    tmpl_map_set(subs, c->charts[i]->name, sub);
  }
  char *full = helm_chart_full_path(c);
  if (!full) return NULL;
  for (size_t i = 0; i < c->n_templates; i++) {
    const helm_file *t = &c->templates[i];
    if (is_library(c)) {
      const char *b = strrchr(t->name, '/');
      if ((b ? b[1] : t->name[0]) != '_') continue;
    }
    helm_sb nb = {0}, bb = {0};
    helm_sb_printf(&nb, "%s/%s", full, t->name);
    helm_sb_printf(&bb, "%s/templates", full);
    char *nm = helm_sb_take(&nb), *bp = helm_sb_take(&bb);
    if (!nm || !bp || add_tpl(r, nm, t, next, bp)) {
      free(nm);
      free(bp);
      free(full);
      return NULL;
    }
  }
  free(full);
  return next;
}

static int count_slash(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '/';
  return n;
}

/* sortTemplates: deepest paths first, then reverse lexical order. */
static int cmp_tpl(const void *pa, const void *pb) {
  const tpl *a = pa, *b = pb;
  int ca = count_slash(a->name), cb = count_slash(b->name);
  if (ca != cb) return ca > cb ? -1 : 1;
  return -strcmp(a->name, b->name);
}

/* engine.cleanupParseError */
static int parse_error(const char *filename, const tmpl_error *te, helm_error *err) {
  const char *m = tmpl_error_text(te);
  const char *first = strstr(m, ": ");
  if (!first) return HELM_ERR(err, HELM_ERENDER, "parse error in (%s): %s", filename, m);
  const char *loc = first + 2;
  const char *second = strstr(loc, ": ");
  size_t loclen = second ? (size_t)(second - loc) : strlen(loc);
  const char *last = m;
  for (const char *p = strstr(m, ": "); p; p = strstr(p + 2, ": "))
    last = p + 2;
  return HELM_ERR(err, HELM_ERENDER, "parse error at (%.*s): %s", (int)loclen, loc, last);
}

typedef struct rendered {
  char **names, **texts;
  size_t n;
} rendered;

static void rendered_free(rendered *o) {
  for (size_t i = 0; i < o->n; i++) {
    free(o->names[i]);
    free(o->texts[i]);
  }
  free(o->names);
  free(o->texts);
  memset(o, 0, sizeof *o);
}

static int engine_render(const helm_chart *c, const helm_value *vals, tmpl_value *release,
                         tmpl_value *caps, tmpl_heap *h, rendered *out, helm_error *err) {
  rctx r = {.h = h, .release = release, .caps = caps, .err = err};
  int rc = 0;
  tmpl_value *top = tmpl_map(h);
  tmpl_value *tv = top ? to_tmpl(h, vals) : NULL;
  if (!tv) return HELM_ENOMEM_ERR(err);
  tmpl_helm_values(tv);
  tmpl_map_set(top, "Values", tv);
  if (!rec_all(&r, c, top, 1)) {
    rc = HELM_ENOMEM_ERR(err);
    goto done;
  }
  if (r.n) qsort(r.t, r.n, sizeof *r.t, cmp_tpl);
  tmpl_options o = {0};
  o.missingkey = 0;
  o.strip_no_value = 1;
  o.root_name = "gotpl";
  tmpl_set *set = tmpl_set_new(&o);
  if (!set) {
    rc = HELM_ENOMEM_ERR(err);
    goto done;
  }
  tmpl_error te;
  for (size_t i = 0; i < r.n; i++) {
    memset(&te, 0, sizeof te);
    if (tmpl_set_parse(set, r.t[i].name, r.t[i].text, r.t[i].len, &te) != 0) {
      rc = parse_error(r.t[i].name, &te, err);
      tmpl_error_clear(&te);
      break;
    }
  }
  out->names = calloc(r.n + 1, sizeof(char *));
  out->texts = calloc(r.n + 1, sizeof(char *));
  if (!rc && (!out->names || !out->texts)) rc = HELM_ENOMEM_ERR(err);
  for (size_t i = 0; !rc && i < r.n; i++) {
    if (r.t[i].partial) continue;
    tmpl_value *tm = tmpl_map(h);
    if (!tm) {
      rc = HELM_ENOMEM_ERR(err);
      break;
    }
    tmpl_map_set(tm, "Name", tmpl_string(h, r.t[i].name));
    tmpl_map_set(tm, "BasePath", tmpl_string(h, r.t[i].base_path));
    tmpl_helm_values(tm);
    tmpl_map_set(r.t[i].vals, "Template", tm);
    tmpl_buf buf = {0};
    memset(&te, 0, sizeof te);
    if (tmpl_set_execute(set, r.t[i].name, r.t[i].vals, h, &buf, &te) != 0) {
      char *msg = tmpl_helm_error_string(&te); /* complete: include loops run to ~100 KB */
      rc = HELM_ERR(err, te.code == TMPL_ENOMEM ? HELM_ENOMEM : HELM_ERENDER, "%s",
                    msg ? msg : tmpl_error_text(&te));
      free(msg);
      tmpl_error_clear(&te);
      tmpl_buf_free(&buf);
      break;
    }
    out->names[out->n] = helm_strdup(r.t[i].name);
    out->texts[out->n] = buf.data ? buf.data : helm_strdup("");
    buf.data = NULL;
    tmpl_buf_free(&buf);
    if (!out->names[out->n] || !out->texts[out->n]) {
      free(out->names[out->n]);
      free(out->texts[out->n]);
      rc = HELM_ENOMEM_ERR(err);
      break;
    }
    out->n++;
  }
  tmpl_set_free(set);
done:
  for (size_t i = 0; i < r.n; i++) {
    free(r.t[i].name);
    free(r.t[i].base_path);
  }
  free(r.t);
  if (rc) rendered_free(out);
  return rc;
}

/* chartutil.ParseKubeVersion: Masterminds semver.NewVersion, printed as
 * "v" + Version.String() (always major.minor.patch). */
int helm_parse_kube_version(const char *in, char *out, size_t cap) {
  const char *p = in;
  if (*p == 'v') p++;
  unsigned long long part[3] = {0, 0, 0};
  for (int i = 0; i < 3; i++) {
    if (!isdigit((unsigned char)*p)) return -1;
    char *end;
    part[i] = strtoull(p, &end, 10);
    p = end;
    if (*p != '.' || i == 2) break;
    p++;
  }
  const char *rest = p;
  if (*p == '-' || *p == '+') {
    int plus = *p == '+';
    p++;
    for (;;) {
      if (!isalnum((unsigned char)*p) && *p != '-') return -1;
      while (isalnum((unsigned char)*p) || *p == '-')
        p++;
      if (*p == '.') {
        p++;
        continue;
      }
      if (*p == '+' && !plus) {
        plus = 1;
        p++;
        continue;
      }
      break;
    }
  }
  if (*p) return -1;
  snprintf(out, cap, "v%llu.%llu.%llu%s", part[0], part[1], part[2], rest);
  return 0;
}

/* CRDObjects: the chart's crds/ manifests (.yaml, .yml, .json), then each dependency's. */
static void crd_objects(const helm_chart *c, helm_sb *b) {
  char *full = helm_chart_full_path(c);
  for (size_t i = 0; full && i < c->n_files; i++) {
    const helm_file *f = &c->files[i];
    if (!helm_has_prefix(f->name, "crds/")) continue;
    const char *dot = strrchr(f->name, '.');
    const char *slash = strrchr(f->name, '/');
    if (!dot || dot < slash) continue;
    if (strcasecmp(dot, ".yaml") && strcasecmp(dot, ".yml") && strcasecmp(dot, ".json")) continue;
    helm_sb_printf(b, "---\n# Source: %s/%s\n", full, f->name);
    helm_sb_add(b, (const char *)f->data, f->size);
    helm_sb_putc(b, '\n');
  }
  free(full);
  for (size_t i = 0; i < c->n_charts; i++)
    crd_objects(c->charts[i], b);
}

static int render(helm_chart *c, const helm_value *user, const helm_render_options *opts,
                  helm_release *out, helm_error *err) {
  const char *rname = opts && opts->release_name ? opts->release_name : "release-name";
  const char *ns = opts && opts->namespace_ ? opts->namespace_ : "default";
  int rc = helm_process_dependencies(c, user, err);
  if (rc) return rc;
  char kv[128];
  snprintf(kv, sizeof kv, "%s", helm_default_kube_version);
  if (opts && opts->kube_version && helm_parse_kube_version(opts->kube_version, kv, sizeof kv) != 0)
    return HELM_ERR(err, HELM_EINVALID, "invalid kube version '%s': Invalid Semantic Version",
                    opts->kube_version);
  /* ToRenderValues: coalesce + schema */
  helm_value *vals = NULL;
  rc = helm_coalesce_values(c, user, &vals, err);
  if (rc) return rc;
  rc = helm_validate_schema(c, vals, err);
  if (rc) {
    helm_value_free(vals);
    return rc;
  }
  if (c->kube_version && *c->kube_version) {
    int ok = helm_semver_check(c->kube_version, kv);
    if (ok != 1) {
      helm_value_free(vals);
      return HELM_ERR(err, HELM_ERENDER,
                      "chart requires kubeVersion: %s which is incompatible with Kubernetes %s",
                      c->kube_version, kv);
    }
  }
  tmpl_heap *h = tmpl_heap_new(0);
  if (!h) {
    helm_value_free(vals);
    return HELM_ENOMEM_ERR(err);
  }
  size_t nd = 0;
  while (helm_default_api_versions[nd])
    nd++;
  size_t na = nd + (opts ? opts->n_api_versions : 0);
  const char **apis = calloc(na + 1, sizeof *apis);
  if (!apis) {
    tmpl_heap_free(h);
    helm_value_free(vals);
    return HELM_ENOMEM_ERR(err);
  }
  for (size_t i = 0; i < nd; i++)
    apis[i] = helm_default_api_versions[i];
  for (size_t i = nd; i < na; i++)
    apis[i] = opts->api_versions[i - nd];
  tmpl_capabilities_info ci = {.kube_version = kv,
                               .api_versions = apis,
                               .n_api_versions = na,
                               .helm_version = helm_version,
                               .helm_git_commit = helm_git_commit,
                               .helm_git_tree_state = helm_git_tree_state,
                               .go_version = helm_go_version};
  tmpl_value *caps = tmpl_capabilities_new(h, &ci);
  tmpl_value *rel = tmpl_map(h);
  if (!caps || !rel) {
    free(apis);
    tmpl_heap_free(h);
    helm_value_free(vals);
    return HELM_ENOMEM_ERR(err);
  }
  int upgrade = opts && opts->is_upgrade;
  tmpl_map_set(rel, "Name", tmpl_string(h, rname));
  tmpl_map_set(rel, "Namespace", tmpl_string(h, ns));
  tmpl_map_set(rel, "IsUpgrade", tmpl_bool(h, upgrade));
  tmpl_map_set(rel, "IsInstall", tmpl_bool(h, !upgrade));
  tmpl_map_set(rel, "Revision", tmpl_int(h, 1));
  tmpl_map_set(rel, "Service", tmpl_string(h, "Helm"));
  rendered files = {0};
  rc = engine_render(c, vals, rel, caps, h, &files, err);
  free(apis);
  helm_value_free(vals);
  tmpl_heap_free(h);
  if (rc) return rc;
  /* NOTES.txt: only the top chart's is kept; all are removed */
  helm_sb notes = {0};
  char *top_notes = NULL;
  {
    helm_sb tn = {0};
    helm_sb_printf(&tn, "%s/templates/NOTES.txt", c->name);
    top_notes = helm_sb_take(&tn);
  }
  size_t k = 0;
  for (size_t i = 0; i < files.n; i++) {
    if (helm_has_suffix(files.names[i], "NOTES.txt")) {
      if (top_notes && !strcmp(files.names[i], top_notes)) {
        if (notes.len) helm_sb_putc(&notes, '\n');
        helm_sb_puts(&notes, files.texts[i]);
      }
      free(files.names[i]);
      free(files.texts[i]);
      continue;
    }
    files.names[k] = files.names[i];
    files.texts[k] = files.texts[i];
    k++;
  }
  files.n = k;
  free(top_notes);
  out->notes = helm_sb_take(&notes);
  rc = helm_sort_manifests(files.names, files.texts, files.n, out, err);
  rendered_free(&files);
  if (rc) {
    if (err && rc == HELM_EYAML) err->code = rc = HELM_ERENDER;
    return rc;
  }
  helm_sb b = {0};
  if (opts && opts->include_crds) crd_objects(c, &b);
  for (size_t i = 0; i < out->n_manifests; i++)
    helm_sb_printf(&b, "---\n# Source: %s\n%s\n", out->manifests[i].name,
                   out->manifests[i].content);
  out->manifest = helm_sb_take(&b);
  if (!out->manifest) return HELM_ENOMEM_ERR(err);
  return 0;
}

int helm_render(helm_chart *c, const helm_value *user, const helm_render_options *opts,
                helm_release *out, helm_error *err) {
  memset(out, 0, sizeof *out);
  helm_sb warnings = {0};
  helm_warn_begin(&warnings);
  int rc = render(c, user, opts, out, err);
  helm_warn_begin(NULL);
  out->warnings = helm_sb_take(&warnings);
  return rc;
}

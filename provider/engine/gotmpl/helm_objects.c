/* Helm's built-in template objects: .Capabilities, .Files, .Chart. */
#include "engine/gotmpl/tmpl_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int b64_encode(const unsigned char *in, size_t n, sb *out);

static tval *sfield(tmpl_heap *h, tval *s, const char *k, const char *v) {
  tval *x = tv_cstr(h, v ? v : "");
  tm_set(h, s, k, strlen(k), x);
  return x;
}

/* ---------------- .Capabilities ---------------- */
static int m_versionset_has(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **args, size_t n,
                            tmpl_value **out) {
  (void)ud;
  (void)n;
  int has = 0;
  for (size_t i = 0; i < self->u.l->n; i++) {
    tval *e = self->u.l->v[i];
    if (e->kind == TMPL_STRING && e->u.s.n == args[0]->u.s.n &&
        !memcmp(e->u.s.p, args[0]->u.s.p, e->u.s.n))
      has = 1;
  }
  *out = tv_bool(tmpl_call_heap(c), has);
  return 0;
}

static int m_kube_gitversion(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **args, size_t n,
                             tmpl_value **out) {
  (void)ud;
  (void)args;
  (void)n;
  tval *v = tm_get(self, "Version", 7);
  *out = v ? v : tv_str(tmpl_call_heap(c), "", 0);
  return 0;
}

tmpl_value *tmpl_capabilities_new(tmpl_heap *h, const tmpl_capabilities_info *ci) {
  const char *kv = ci && ci->kube_version ? ci->kube_version : "v1.32.0";
  tval *caps = tmpl_struct(h, "*chartutil.Capabilities");
  tval *kube = tmpl_struct(h, "chartutil.KubeVersion");
  sfield(h, kube, "Version", kv);
  /* Major / Minor as semver parses them: "v1.32.0" → "1", "32" */
  const char *p = kv;
  if (*p == 'v' || *p == 'V') p++;
  const char *dot = strchr(p, '.');
  char major[32] = "", minor[32] = "";
  if (dot) {
    snprintf(major, sizeof major, "%.*s", (int)(dot - p), p);
    const char *q = dot + 1;
    size_t ml = strspn(q, "0123456789");
    snprintf(minor, sizeof minor, "%.*s", (int)ml, q);
  } else
    snprintf(major, sizeof major, "%s", p);
  sfield(h, kube, "Major", major);
  sfield(h, kube, "Minor", minor);
  tmpl_add_method(kube, "GitVersion", 0, m_kube_gitversion, NULL);
  tmpl_add_method(kube, "String", 0, m_kube_gitversion, NULL);
  tm_set(h, caps, "KubeVersion", 11, kube);
  tval *vs = tv_list(h, ci ? ci->n_api_versions : 0);
  vs->tname = "chartutil.VersionSet";
  for (size_t i = 0; ci && i < ci->n_api_versions; i++)
    tl_push(h, vs, tv_cstr(h, ci->api_versions[i]));
  tmpl_add_method(vs, "Has", 1, m_versionset_has, NULL);
  tm_set(h, caps, "APIVersions", 11, vs);
  tval *hv = tmpl_struct(h, "version.BuildInfo");
  sfield(h, hv, "Version", ci && ci->helm_version ? ci->helm_version : "v3.17.2");
  sfield(h, hv, "GitCommit",
         ci && ci->helm_git_commit ? ci->helm_git_commit
                                   : "cc0bbbd6d6276b83880042c1ecb34087e84d41eb");
  sfield(h, hv, "GitTreeState", ci && ci->helm_git_tree_state ? ci->helm_git_tree_state : "clean");
  sfield(h, hv, "GoVersion", ci && ci->go_version ? ci->go_version : "go1.23.7");
  /* JSON view: {"version":…,"git_commit":…,"git_tree_state":…,"go_version":…} */
  tval *hj = tmpl_struct(h, "json");
  tm_set(h, hj, "version", 7, tm_get(hv, "Version", 7));
  tm_set(h, hj, "git_commit", 10, tm_get(hv, "GitCommit", 9));
  tm_set(h, hj, "git_tree_state", 14, tm_get(hv, "GitTreeState", 12));
  tm_set(h, hj, "go_version", 10, tm_get(hv, "GoVersion", 9));
  hv->u.m->ext = hj;
  hv->u.m->ext_type = 1;
  tm_set(h, caps, "HelmVersion", 11, hv);
  return caps;
}

/* ---------------- .Files ---------------- */
static tval *file_bytes(tval *files, tval *name) {
  return tm_get(files, name->u.s.p, name->u.s.n);
}

static int m_files_get(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                       tmpl_value **out) {
  (void)ud;
  (void)n;
  tval *f = file_bytes(self, a[0]);
  *out = tv_str(tmpl_call_heap(c), f ? f->u.s.p : "", f ? f->u.s.n : 0);
  return 0;
}

static int m_files_getbytes(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                            tmpl_value **out) {
  (void)ud;
  (void)n;
  tval *f = file_bytes(self, a[0]);
  *out = tmpl_bytes(tmpl_call_heap(c), f ? f->u.s.p : "", f ? f->u.s.n : 0);
  return 0;
}

static int m_files_lines(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                         tmpl_value **out) {
  (void)ud;
  (void)n;
  tmpl_heap *h = tmpl_call_heap(c);
  tval *f = file_bytes(self, a[0]);
  if (!f) {
    *out = tv_strlist(h, 0);
    return 0;
  }
  size_t len = f->u.s.n;
  if (len && f->u.s.p[len - 1] == '\n') len--;
  extern tval *str_split_list(tmpl_heap * h, const char *sep, size_t sepn, const char *s,
                              size_t sn);
  *out = str_split_list(h, "\n", 1, f->u.s.p, len);
  return 0;
}

/* gobwas/glob with '/' as separator: * ? [..] {a,b} ** */
static bool glob_match(const char *p, const char *s, int depth) {
  if (depth > 64) return false;
  while (*p) {
    if (*p == '*') {
      bool dbl = p[1] == '*';
      const char *rest = p + (dbl ? 2 : 1);
      for (const char *t = s;; t++) {
        if (glob_match(rest, t, depth + 1)) return true;
        if (!*t || (!dbl && *t == '/')) return false;
      }
    }
    if (*p == '?') {
      if (!*s || *s == '/') return false;
      p++;
      s++;
      continue;
    }
    if (*p == '[') {
      const char *q = p + 1;
      bool neg = *q == '!' || *q == '^';
      if (neg) q++;
      bool ok = false;
      while (*q && *q != ']') {
        if (q[1] == '-' && q[2] && q[2] != ']') {
          if (*s >= q[0] && *s <= q[2]) ok = true;
          q += 3;
        } else {
          if (*s == *q) ok = true;
          q++;
        }
      }
      if (!*q || !*s || ok == neg) return false;
      p = q + 1;
      s++;
      continue;
    }
    if (*p == '{') {
      const char *end = strchr(p, '}');
      if (!end) return false;
      const char *alt = p + 1;
      for (;;) {
        const char *comma = alt;
        while (comma < end && *comma != ',')
          comma++;
        char buf[1024];
        int bl = snprintf(buf, sizeof buf, "%.*s%s", (int)(comma - alt), alt, end + 1);
        if (bl > 0 && (size_t)bl < sizeof buf && glob_match(buf, s, depth + 1)) return true;
        if (comma >= end) return false;
        alt = comma + 1;
      }
    }
    if (*p == '\\' && p[1]) p++;
    if (*p != *s) return false;
    p++;
    s++;
  }
  return *s == 0;
}

static void add_files_methods(tval *f);

static int m_files_glob(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                        tmpl_value **out) {
  (void)ud;
  (void)n;
  tmpl_heap *h = tmpl_call_heap(c);
  tval *r = tv_map(h);
  r->tname = "engine.files";
  add_files_methods(r);
  for (size_t i = 0; i < self->u.m->n; i++)
    if (glob_match(a[0]->u.s.p, self->u.m->k[i], 0))
      tm_set(h, r, self->u.m->k[i], self->u.m->kl[i], self->u.m->v[i]);
  *out = r;
  return 0;
}

static int as_config(tmpl_call *c, tmpl_value *self, tmpl_value **out, bool b64) {
  tmpl_heap *h = tmpl_call_heap(c);
  tval *m = tv_map(h);
  for (size_t i = 0; i < self->u.m->n; i++) {
    const char *k = self->u.m->k[i];
    const char *slash = strrchr(k, '/');
    const char *base = slash ? slash + 1 : k;
    tval *v = self->u.m->v[i];
    tval *sv;
    if (b64) {
      sb e = {0};
      b64_encode((const unsigned char *)v->u.s.p, v->u.s.n, &e);
      sv = sb_to_val(h, &e);
    } else
      sv = tv_str(h, v->u.s.p, v->u.s.n);
    tm_set(h, m, base, strlen(base), sv);
  }
  sb y = {0};
  char eb[128];
  if (yaml_emit(&y, m, eb, sizeof eb) != 0) {
    sb_free(&y);
    *out = tv_str(h, "", 0);
    return 0;
  }
  if (y.n && y.p[y.n - 1] == '\n') y.n--;
  *out = sb_to_val(h, &y);
  return 0;
}

static int m_files_asconfig(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                            tmpl_value **out) {
  (void)ud;
  (void)a;
  (void)n;
  return as_config(c, self, out, false);
}
static int m_files_assecrets(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                             tmpl_value **out) {
  (void)ud;
  (void)a;
  (void)n;
  return as_config(c, self, out, true);
}

static void add_files_methods(tval *f) {
  tmpl_add_method(f, "Get", 1, m_files_get, NULL);
  tmpl_add_method(f, "GetBytes", 1, m_files_getbytes, NULL);
  tmpl_add_method(f, "Glob", 1, m_files_glob, NULL);
  tmpl_add_method(f, "Lines", 1, m_files_lines, NULL);
  tmpl_add_method(f, "AsConfig", 0, m_files_asconfig, NULL);
  tmpl_add_method(f, "AsSecrets", 0, m_files_assecrets, NULL);
}

tmpl_value *tmpl_files_new(tmpl_heap *h, const char *const *names, const char *const *data,
                           const size_t *lens, size_t n) {
  tval *f = tv_map(h);
  f->tname = "engine.files";
  for (size_t i = 0; i < n; i++) {
    tval *b = tmpl_bytes(h, data[i] ? data[i] : "", data[i] ? lens[i] : 0);
    tm_set(h, f, names[i], strlen(names[i]), b);
  }
  add_files_methods(f);
  return f;
}

/* ---------------- .Chart ---------------- */
static tval *jstr(tmpl_heap *h, const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return tv_cstr(h, cJSON_IsString(v) ? v->valuestring : "");
}

static tval *jstrlist(tmpl_heap *h, const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  tval *l = tv_strlist(h, 0);
  if (cJSON_IsArray(v))
    for (const cJSON *c = v->child; c; c = c->next)
      if (cJSON_IsString(c)) tl_push(h, l, tv_cstr(h, c->valuestring));
  return l;
}

tmpl_value *tmpl_chart_metadata_from_cjson(tmpl_heap *h, const struct cJSON *j) {
  tval *s = tmpl_struct(h, "struct { chart.Metadata; IsRoot bool }");
  tval *jv = tmpl_struct(h, "json"); /* JSON view, declaration order */
  /* fields in chart.Metadata's declaration order (for %v printing) */
  static const char *order[][2] = {{"Name", "name"},
                                   {"Home", "home"},
                                   {"Sources", "sources"},
                                   {"Version", "version"},
                                   {"Description", "description"},
                                   {"Keywords", "keywords"},
                                   {"Maintainers", "maintainers"},
                                   {"Icon", "icon"},
                                   {"APIVersion", "apiVersion"},
                                   {"Condition", "condition"},
                                   {"Tags", "tags"},
                                   {"AppVersion", "appVersion"},
                                   {"Deprecated", "deprecated"},
                                   {"Annotations", "annotations"},
                                   {"KubeVersion", "kubeVersion"},
                                   {"Dependencies", "dependencies"},
                                   {"Type", "type"}};
  for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
    const char *gk = order[i][0], *jk = order[i][1];
    tval *v = NULL;
    bool present = false;
    if (!strcmp(gk, "Sources") || !strcmp(gk, "Keywords")) {
      v = jstrlist(h, j, jk);
      present = v->u.l->n > 0;
    } else if (!strcmp(gk, "Deprecated")) {
      const cJSON *dep = cJSON_GetObjectItemCaseSensitive(j, "deprecated");
      v = tv_bool(h, cJSON_IsTrue(dep));
      present = v->u.b;
    } else if (!strcmp(gk, "Annotations")) {
      v = tv_map(h);
      v->tname = "map[string]string";
      const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "annotations");
      if (cJSON_IsObject(a))
        for (const cJSON *c = a->child; c; c = c->next)
          if (cJSON_IsString(c))
            tm_set(h, v, c->string, strlen(c->string), tv_cstr(h, c->valuestring));
      present = v->u.m->n > 0;
    } else if (!strcmp(gk, "Maintainers")) {
      v = tv_list(h, 0);
      v->tname = "[]*chart.Maintainer";
      const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "maintainers");
      if (cJSON_IsArray(ms))
        for (const cJSON *c = ms->child; c; c = c->next) {
          tval *m = tmpl_struct(h, "*chart.Maintainer");
          tm_set(h, m, "Name", 4, jstr(h, c, "name"));
          tm_set(h, m, "Email", 5, jstr(h, c, "email"));
          tm_set(h, m, "URL", 3, jstr(h, c, "url"));
          tval *mj = tmpl_struct(h, "json");
          static const char *mk[] = {"name", "email", "url"};
          for (int k = 0; k < 3; k++) {
            tval *x = jstr(h, c, mk[k]);
            if (x->u.s.n) tm_set(h, mj, mk[k], strlen(mk[k]), x);
          }
          m->u.m->ext = mj;
          m->u.m->ext_type = 1;
          tl_push(h, v, m);
        }
      present = v->u.l->n > 0;
    } else if (!strcmp(gk, "Dependencies")) {
      v = tv_list(h, 0);
      v->tname = "[]*chart.Dependency";
      const cJSON *ds = cJSON_GetObjectItemCaseSensitive(j, "dependencies");
      if (cJSON_IsArray(ds))
        for (const cJSON *c = ds->child; c; c = c->next)
          tl_push(h, v, tmpl_from_cjson(h, c, 0));
      present = v->u.l->n > 0;
    } else {
      v = jstr(h, j, jk);
      present = v->u.s.n > 0;
    }
    tm_set(h, s, gk, strlen(gk), v);
    if (present) tm_set(h, jv, jk, strlen(jk), v);
  }
  tval *root = tv_bool(h, 1);
  tm_set(h, s, "IsRoot", 6, root);
  tm_set(h, jv, "IsRoot", 6, root);
  s->u.m->ext = jv;
  s->u.m->ext_type = 1;
  return s;
}

/* ---------------- chartutil.Values ---------------- */
static int m_values_yaml(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                         tmpl_value **out) {
  (void)ud;
  (void)a;
  (void)n;
  sb y = {0};
  char eb[256];
  if (yaml_emit(&y, self, eb, sizeof eb) != 0) {
    sb_free(&y);
    return tmpl_call_error(c, "%s", eb);
  }
  *out = sb_to_val(tmpl_call_heap(c), &y);
  return 0;
}

static int m_values_asmap(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                          tmpl_value **out) {
  (void)ud;
  (void)a;
  (void)n;
  /* the same Go map, seen as map[string]interface{} */
  tval *v = tv_new(tmpl_call_heap(c), TMPL_MAP);
  v->u.m = self->u.m;
  *out = v;
  return 0;
}

static int m_values_table(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                          tmpl_value **out) {
  (void)ud;
  (void)n;
  tmpl_heap *h = tmpl_call_heap(c);
  tval *table = self;
  const char *p = a[0]->u.s.p;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t l = dot ? (size_t)(dot - p) : strlen(p);
    tval *v2 = tm_get(table, p, l);
    if (!v2 || v2->kind != TMPL_MAP) {
      char key[512];
      snprintf(key, sizeof key, "%.*s", (int)l, p);
      sb q = {0};
      gofmt_quote(&q, key, strlen(key));
      int rc = tmpl_call_error(c, "%s is not a table", q.p);
      sb_free(&q);
      return rc;
    }
    table = v2;
    if (!dot) break;
    p = dot + 1;
  }
  tval *r = tv_new(h, TMPL_MAP);
  r->u.m = table->u.m;
  r->tname = "chartutil.Values";
  r->methods = self->methods;
  *out = r;
  return 0;
}

int tmpl_helm_values(tmpl_value *map) {
  if (!map || map->kind != TMPL_MAP) return TMPL_EINVALID;
  map->tname = "chartutil.Values";
  if (!tv_find_method(map, "YAML")) {
    tmpl_add_method(map, "YAML", 0, m_values_yaml, NULL);
    tmpl_add_method(map, "AsMap", 0, m_values_asmap, NULL);
    tmpl_add_method(map, "Table", 1, m_values_table, NULL);
  }
  return 0;
}

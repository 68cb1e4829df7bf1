/* Dependency processing: a port of Helm 3.17's chartutil/dependencies.go
 * (conditions, tags, aliases, import-values) and chart deep copies. */
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

static helm_file *files_clone(const helm_file *f, size_t n) {
  helm_file *o = calloc(n + 1, sizeof *o);
  if (!o) return NULL;
  for (size_t i = 0; i < n; i++) {
    o[i].name = helm_strdup(f[i].name);
    o[i].data = malloc(f[i].size + 1);
    if (!o[i].name || !o[i].data) {
      for (size_t j = 0; j <= i; j++) {
        free(o[j].name);
        free(o[j].data);
      }
      free(o);
      return NULL;
    }
    memcpy(o[i].data, f[i].data, f[i].size + 1);
    o[i].size = f[i].size;
  }
  return o;
}

static int dep_clone(helm_dependency *d, const helm_dependency *s) {
  memset(d, 0, sizeof *d);
  d->name = helm_strdup(s->name);
  d->version = helm_strdup(s->version);
  d->repository = helm_strdup(s->repository);
  d->condition = helm_strdup(s->condition);
  d->alias = helm_strdup(s->alias);
  d->tags = calloc(s->n_tags + 1, sizeof(char *));
  for (size_t i = 0; d->tags && i < s->n_tags; i++)
    d->tags[d->n_tags++] = helm_strdup(s->tags[i]);
  d->import_values = s->import_values ? helm_value_copy(s->import_values) : NULL;
  d->enabled = s->enabled;
  return d->name && d->version && d->repository && d->condition && d->alias && d->tags ? 0 : -1;
}

helm_chart *helm_chart_clone(const helm_chart *c) {
  helm_chart *o = calloc(1, sizeof *o);
  if (!o) return NULL;
#define DUP(f) o->f = helm_strdup(c->f)
  DUP(api_version);
  DUP(name);
  DUP(version);
  DUP(app_version);
  DUP(type);
  DUP(kube_version);
  DUP(description);
  DUP(condition);
  DUP(tags);
#undef DUP
  o->deprecated = c->deprecated;
  o->deps = calloc(c->n_deps + 1, sizeof *o->deps);
  if (!o->deps) goto fail;
  for (size_t i = 0; i < c->n_deps; i++) {
    o->n_deps++;
    if (dep_clone(&o->deps[i], &c->deps[i])) goto fail;
  }
  o->metadata = c->metadata ? helm_value_copy(c->metadata) : NULL;
  o->templates = files_clone(c->templates, c->n_templates);
  o->n_templates = o->templates ? c->n_templates : 0;
  o->files = files_clone(c->files, c->n_files);
  o->n_files = o->files ? c->n_files : 0;
  o->values = c->values ? helm_value_copy(c->values) : NULL;
  if (c->schema) {
    o->schema = helm_strndup(c->schema, c->schema_len);
    o->schema_len = c->schema_len;
  }
  if (!o->templates || !o->files) goto fail;
  o->charts = calloc(c->n_charts + 1, sizeof *o->charts);
  if (!o->charts) goto fail;
  for (size_t i = 0; i < c->n_charts; i++) {
    helm_chart *sc = helm_chart_clone(c->charts[i]);
    if (!sc) goto fail;
    sc->parent = o;
    o->charts[o->n_charts++] = sc;
  }
  return o;
fail:
  helm_chart_free(o);
  return NULL;
}

/* Values.Table(path): nested maps only; *missing (heap) names the first key
 * that is not a table, like ErrNoTable. */
static const helm_value *table_err(const helm_value *v, const char *path, char **missing) {
  const helm_value *cur = v;
  char *p = helm_strdup(path);
  if (!p) return NULL;
  size_t start = 0, n = strlen(p);
  for (size_t i = 0; i <= n; i++) {
    if (i < n && p[i] != '.') continue;
    p[i] = 0;
    const helm_value *next = helm_map_get(cur, p + start);
    if (!next || next->type != HELM_MAP) {
      if (missing) *missing = helm_strdup(p + start);
      free(p);
      return NULL;
    }
    cur = next;
    start = i + 1;
  }
  free(p);
  return cur;
}

static const helm_value *table(const helm_value *v, const char *path) {
  return table_err(v, path, NULL);
}

/* Values.PathValue: the last key must exist and not be a table. */
static const helm_value *path_value(const helm_value *v, const char *path) {
  if (!*path) return NULL;
  const char *dot = strrchr(path, '.');
  if (!dot) {
    const helm_value *x = helm_map_get(v, path);
    return x && x->type != HELM_MAP ? x : NULL;
  }
  char *tp = helm_strndup(path, (size_t)(dot - path));
  if (!tp) return NULL;
  const helm_value *t = table(v, tp);
  free(tp);
  if (!t) return NULL;
  const helm_value *x = helm_map_get(t, dot + 1);
  return x && x->type != HELM_MAP ? x : NULL;
}

static void set_metadata_deps(helm_chart *c) {
  if (!c->metadata) return;
  helm_map_delete(c->metadata, "dependencies");
  if (!c->n_deps) return;
  helm_value *dl = helm_value_list();
  for (size_t i = 0; dl && i < c->n_deps; i++) {
    const helm_dependency *d = &c->deps[i];
    helm_value *m = helm_value_map();
    if (!m) break;
    helm_map_set(m, "name", helm_value_string(d->name));
    if (*d->version) helm_map_set(m, "version", helm_value_string(d->version));
    helm_map_set(m, "repository", helm_value_string(d->repository));
    if (*d->condition) helm_map_set(m, "condition", helm_value_string(d->condition));
    if (d->n_tags) {
      helm_value *t = helm_value_list();
      for (size_t j = 0; t && j < d->n_tags; j++)
        helm_list_append(t, helm_value_string(d->tags[j]));
      helm_map_set(m, "tags", t);
    }
    if (d->enabled) helm_map_set(m, "enabled", helm_value_bool(1));
    if (d->import_values) helm_map_set(m, "import-values", helm_value_copy(d->import_values));
    if (*d->alias) helm_map_set(m, "alias", helm_value_string(d->alias));
    helm_list_append(dl, m);
  }
  helm_map_set(c->metadata, "dependencies", dl);
}

static int version_ok(const char *constraint, const char *version) {
  return helm_semver_check(constraint, version) == 1;
}

static int process_enabled(helm_chart *c, const helm_value *v, const char *path, helm_error *err) {
  if (c->n_deps == 0) return 0;
  helm_chart **nd = calloc(c->n_charts + c->n_deps + 1, sizeof *nd);
  size_t nn = 0;
  if (!nd) return HELM_ENOMEM_ERR(err);
  int *used = calloc(c->n_charts + 1, sizeof *used);
  if (!used) {
    free(nd);
    return HELM_ENOMEM_ERR(err);
  }
  /* charts/ entries not named by any dependency stay as they are */
  for (size_t i = 0; i < c->n_charts; i++) {
    int matched = 0;
    for (size_t j = 0; j < c->n_deps; j++)
      if (!strcmp(c->charts[i]->name, c->deps[j].name) &&
          version_ok(c->deps[j].version, c->charts[i]->version))
        matched = 1;
    if (!matched) {
      nd[nn++] = c->charts[i];
      used[i] = 1;
    }
  }
  for (size_t j = 0; j < c->n_deps; j++) {
    helm_dependency *req = &c->deps[j];
    for (size_t i = 0; i < c->n_charts; i++) {
      helm_chart *ch = c->charts[i];
      if (strcmp(ch->name, req->name) || !version_ok(req->version, ch->version)) continue;
      helm_chart *cp = helm_chart_clone(ch);
      if (!cp) {
        for (size_t k = 0; k < nn; k++)
          if (nd[k]->parent != c) helm_chart_free(nd[k]);
        free(nd);
        free(used);
        return HELM_ENOMEM_ERR(err);
      }
      cp->parent = NULL; /* marks a fresh copy until installed */
      if (*req->alias) {
        free(cp->name);
        cp->name = helm_strdup(req->alias);
        if (cp->metadata) helm_map_set(cp->metadata, "name", helm_value_string(req->alias));
      }
      nd[nn++] = cp;
      break;
    }
    if (*req->alias) {
      free(req->name);
      req->name = helm_strdup(req->alias);
    }
  }
  /* install the new list: free replaced originals */
  for (size_t i = 0; i < c->n_charts; i++)
    if (!used[i]) helm_chart_free(c->charts[i]);
  free(used);
  free(c->charts);
  c->charts = nd;
  c->n_charts = nn;
  for (size_t i = 0; i < nn; i++)
    nd[i]->parent = c;
  for (size_t j = 0; j < c->n_deps; j++)
    c->deps[j].enabled = 1;

  helm_value *cvals = NULL;
  int rc = helm_coalesce_values(c, v, &cvals, err);
  if (rc) return rc;
  /* tags */
  const helm_value *vt = table(cvals, "tags");
  for (size_t j = 0; vt && j < c->n_deps; j++) {
    helm_dependency *r = &c->deps[j];
    int has_true = 0, has_false = 0;
    for (size_t k = 0; k < r->n_tags; k++) {
      const helm_value *b = helm_map_get(vt, r->tags[k]);
      if (b && b->type == HELM_BOOL) {
        if (b->u.b)
          has_true = 1;
        else
          has_false = 1;
      } else if (b) {
        helm_warnf("dependencies.go:94: Warning: Tag '%s' for chart %s returned non-bool value",
                   r->tags[k], r->name);
      }
    }
    if (!has_true && has_false)
      r->enabled = 0;
    else
      r->enabled = 1;
  }
  /* conditions: the first path that resolves to a bool wins */
  for (size_t j = 0; j < c->n_deps; j++) {
    helm_dependency *r = &c->deps[j];
    char *cond = helm_strdup(r->condition);
    if (!cond) break;
    char *s = cond;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
      s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\n' || s[l - 1] == '\r'))
      s[--l] = 0;
    char *save = s;
    for (;;) {
      char *comma = strchr(save, ',');
      if (comma) *comma = 0;
      if (*save) {
        helm_sb full = {0};
        helm_sb_printf(&full, "%s%s", path, save);
        char *fp = helm_sb_take(&full);
        const helm_value *vv = fp ? path_value(cvals, fp) : NULL;
        free(fp);
        if (vv && vv->type == HELM_BOOL) {
          r->enabled = vv->u.b;
          break;
        }
        if (vv)
          helm_warnf("dependencies.go:63: Warning: Condition path '%s' for chart %s returned "
                     "non-bool value",
                     save, r->name);
      }
      if (!comma) break;
      save = comma + 1;
    }
    free(cond);
  }
  /* drop disabled charts and dependencies */
  size_t k = 0;
  for (size_t i = 0; i < c->n_charts; i++) {
    int disabled = 0;
    for (size_t j = 0; j < c->n_deps; j++)
      if (!c->deps[j].enabled && !strcmp(c->deps[j].name, c->charts[i]->name)) disabled = 1;
    if (disabled)
      helm_chart_free(c->charts[i]);
    else
      c->charts[k++] = c->charts[i];
  }
  c->n_charts = k;
  /* names of disabled deps, then remove every dep with such a name */
  char **rm = calloc(c->n_deps + 1, sizeof *rm);
  size_t nrm = 0;
  for (size_t j = 0; rm && j < c->n_deps; j++)
    if (!c->deps[j].enabled) rm[nrm++] = helm_strdup(c->deps[j].name);
  k = 0;
  for (size_t j = 0; j < c->n_deps; j++) {
    int drop = 0;
    for (size_t q = 0; q < nrm; q++)
      if (rm[q] && !strcmp(rm[q], c->deps[j].name)) drop = 1;
    if (drop)
      helm_dependency_clear(&c->deps[j]);
    else
      c->deps[k++] = c->deps[j];
  }
  c->n_deps = k;
  for (size_t q = 0; q < nrm; q++)
    free(rm[q]);
  free(rm);
  for (size_t i = 0; !rc && i < c->n_charts; i++) {
    helm_sb sp = {0};
    helm_sb_printf(&sp, "%s%s.", path, c->charts[i]->name);
    char *subpath = helm_sb_take(&sp);
    if (!subpath) {
      rc = HELM_ENOMEM_ERR(err);
      break;
    }
    rc = process_enabled(c->charts[i], cvals, subpath, err);
    free(subpath);
  }
  set_metadata_deps(c);
  helm_value_free(cvals);
  return rc;
}

/* pathToMap(parent, data) */
static helm_value *path_to_map(const char *path, const helm_value *data) {
  helm_value *cur = helm_value_copy(data);
  if (!cur || !strcmp(path, ".")) return cur;
  char *p = helm_strdup(path);
  if (!p) {
    helm_value_free(cur);
    return NULL;
  }
  /* split on '.', wrap from the innermost key outwards */
  size_t n = 1;
  for (char *q = p; *q; q++)
    if (*q == '.') n++;
  char **keys = calloc(n, sizeof *keys);
  if (!keys) {
    free(p);
    helm_value_free(cur);
    return NULL;
  }
  size_t i = 0;
  keys[i++] = p;
  for (char *q = p; *q; q++)
    if (*q == '.') {
      *q = 0;
      keys[i++] = q + 1;
    }
  for (size_t j = n; j-- > 0;) {
    helm_value *m = helm_value_map();
    if (!m || helm_map_set(m, keys[j], cur)) {
      helm_value_free(m);
      helm_value_free(cur);
      cur = NULL;
      break;
    }
    cur = m;
  }
  free(keys);
  free(p);
  return cur;
}

static int process_import_values(helm_chart *c, helm_error *err) {
  if (c->n_deps == 0) return 0;
  helm_value *cvals = NULL;
  int rc = helm_merge_values_chart(c, NULL, &cvals, err);
  if (rc) return rc;
  helm_value *b = helm_value_map();
  if (!b) {
    helm_value_free(cvals);
    return HELM_ENOMEM_ERR(err);
  }
  for (size_t j = 0; !rc && j < c->n_deps; j++) {
    helm_dependency *r = &c->deps[j];
    if (!r->import_values) continue;
    helm_value *outiv = helm_value_list();
    for (size_t i = 0; outiv && i < r->import_values->u.list.n; i++) {
      const helm_value *iv = r->import_values->u.list.items[i];
      if (iv->type == HELM_MAP) {
        const helm_value *ch = helm_map_get(iv, "child"), *pa = helm_map_get(iv, "parent");
        const char *child = ch && ch->type == HELM_STRING ? ch->u.str.s : "";
        const char *parent = pa && pa->type == HELM_STRING ? pa->u.str.s : "";
        helm_value *o = helm_value_map();
        helm_map_set(o, "child", helm_value_string(child));
        helm_map_set(o, "parent", helm_value_string(parent));
        helm_list_append(outiv, o);
        helm_sb tp = {0};
        helm_sb_printf(&tp, "%s.%s", r->name, child);
        char *tps = helm_sb_take(&tp);
        char *miss = NULL;
        const helm_value *vv = tps ? table_err(cvals, tps, &miss) : NULL;
        free(tps);
        if (!vv) {
          helm_warnf("dependencies.go:269: Warning: ImportValues missing table from chart %s: "
                     "\"%s\" is not a table",
                     r->name, miss ? miss : "");
          free(miss);
          continue;
        }
        helm_value *pm = path_to_map(parent, vv);
        if (pm && pm->type == HELM_MAP) rc = helm_coalesce_tables(b, pm, "", 1);
        helm_value_free(pm);
      } else if (iv->type == HELM_STRING) {
        helm_sb cp = {0};
        helm_sb_printf(&cp, "exports.%s", iv->u.str.s);
        char *child = helm_sb_take(&cp);
        if (!child) continue;
        helm_value *o = helm_value_map();
        helm_map_set(o, "child", helm_value_string(child));
        helm_map_set(o, "parent", helm_value_string("."));
        helm_list_append(outiv, o);
        helm_sb tp = {0};
        helm_sb_printf(&tp, "%s.%s", r->name, child);
        free(child);
        char *tps = helm_sb_take(&tp);
        char *miss = NULL;
        const helm_value *vm = tps ? table_err(cvals, tps, &miss) : NULL;
        free(tps);
        if (vm)
          rc = helm_coalesce_tables(b, vm, "", 1);
        else
          helm_warnf("dependencies.go:286: Warning: ImportValues missing table: \"%s\" is not a "
                     "table",
                     miss ? miss : "");
        free(miss);
      }
    }
    helm_value_free(r->import_values);
    r->import_values = outiv;
  }
  if (!rc) rc = helm_coalesce_tables(cvals, b, "", 1);
  helm_value_free(b);
  if (rc) {
    helm_value_free(cvals);
    return HELM_ENOMEM_ERR(err);
  }
  helm_value_free(c->values);
  c->values = cvals;
  set_metadata_deps(c);
  return 0;
}

static int process_import_rec(helm_chart *c, helm_error *err) {
  for (size_t i = 0; i < c->n_charts; i++) {
    int rc = process_import_rec(c->charts[i], err);
    if (rc) return rc;
  }
  return process_import_values(c, err);
}

int helm_process_dependencies(helm_chart *c, const helm_value *user, helm_error *err) {
  int rc = process_enabled(c, user, "", err);
  if (rc) return rc;
  return process_import_rec(c, err);
}

/* Values coalescing: a port of Helm 3.17's chartutil/coalesce.go
 * (CoalesceValues / MergeValues, globals, null deletion). */
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

static int istable(const helm_value *v) {
  return v && v->type == HELM_MAP;
}

/* coalesceTablesFullKey(dst, src, merge): dst authoritative. src is
 * modified (nil markers), like Helm's. */
static char *concat_prefix(const char *a, const char *b) {
  helm_sb s = {0};
  if (a && *a)
    helm_sb_printf(&s, "%s.%s", a, b);
  else
    helm_sb_puts(&s, b);
  return helm_sb_take(&s);
}

static void warn_val(const char *fmt, const char *key, const helm_value *v) {
  char *f = helm_value_go_fmt(v);
  helm_warnf(fmt, key, f ? f : "");
  free(f);
}

static int tables(helm_value *dst, helm_value *src, const char *prefix, int merge) {
  if (!src || !dst) return 0;
  for (size_t i = 0; i < dst->u.map.n; i++) {
    if (dst->u.map.vals[i]->type == HELM_NULL) {
      helm_value *nv = helm_value_null();
      if (!nv || helm_map_set(src, dst->u.map.keys[i], nv)) return HELM_ENOMEM;
    }
  }
  for (size_t i = 0; i < src->u.map.n; i++) {
    const char *key = src->u.map.keys[i];
    helm_value *val = src->u.map.vals[i];
    helm_value *dv = helm_map_get(dst, key);
    char *fullkey = concat_prefix(prefix, key);
    if (!fullkey) return HELM_ENOMEM;
    int rc = 0;
    if (dv && !merge && dv->type == HELM_NULL) {
      helm_map_delete(dst, key);
    } else if (!dv) {
      helm_value *c = helm_value_copy(val);
      if (!c || helm_map_set(dst, key, c)) {
        helm_value_free(c);
        rc = HELM_ENOMEM;
      }
    } else if (istable(val)) {
      if (istable(dv))
        rc = tables(dv, val, fullkey, merge);
      else
        warn_val("coalesce.go:298: warning: cannot overwrite table with non table for %s (%s)",
                 fullkey, val);
    } else if (istable(dv) && val->type != HELM_NULL) {
      warn_val(
          "coalesce.go:301: warning: destination for %s is a table. Ignoring non-table value (%s)",
          fullkey, val);
    }
    free(fullkey);
    if (rc) return rc;
  }
  return 0;
}

int helm_coalesce_tables(helm_value *dst, const helm_value *src, const char *prefix, int merge) {
  if (!src) return 0;
  helm_value *s = helm_value_copy(src);
  if (!s) return HELM_ENOMEM;
  int rc = tables(dst, s, prefix, merge);
  helm_value_free(s);
  return rc;
}

static int is_dep_name(const helm_chart *c, const char *key) {
  for (size_t i = 0; i < c->n_charts; i++)
    if (!strcmp(c->charts[i]->name, key)) return 1;
  return 0;
}

/* coalesceValues: chart defaults under v. */
static int coalesce_values(const helm_chart *c, helm_value *v, const char *prefix, int merge) {
  const helm_value *vals = c->values;
  if (!vals || vals->type != HELM_MAP) return 0;
  char *sub_prefix = concat_prefix(prefix, c->name);
  if (!sub_prefix) return HELM_ENOMEM;
  int rc = 0;
  for (size_t i = 0; i < vals->u.map.n; i++) {
    const char *key = vals->u.map.keys[i];
    const helm_value *val = vals->u.map.vals[i];
    helm_value *value = helm_map_get(v, key);
    if (value) {
      if (value->type == HELM_NULL && !merge) {
        helm_map_delete(v, key);
      } else if (value->type == HELM_MAP) {
        if (val->type != HELM_MAP) {
          if (val->type != HELM_NULL)
            helm_warnf("coalesce.go:237: warning: skipped value for %s.%s: Not a table.",
                       sub_prefix, key);
          continue;
        }
        int m = merge || is_dep_name(c, key);
        helm_value *src = helm_value_copy(val);
        char *kp = concat_prefix(sub_prefix, key);
        rc = src && kp ? tables(value, src, kp, m) : HELM_ENOMEM;
        free(kp);
        helm_value_free(src);
        if (rc) break;
      }
    } else {
      helm_value *cp = helm_value_copy(val);
      if (!cp || helm_map_set(v, key, cp)) {
        helm_value_free(cp);
        rc = HELM_ENOMEM;
        break;
      }
    }
  }
  free(sub_prefix);
  return rc;
}

/* coalesceGlobals: parent's globals (src) into the sub-chart's (dest). */
static int coalesce_globals(helm_value *dest, const helm_value *src, const char *prefix) {
  helm_value *dg = helm_map_get(dest, "global");
  int fresh = 0;
  if (!dg) {
    dg = helm_value_map();
    if (!dg) return HELM_ENOMEM;
    fresh = 1;
  } else if (dg->type != HELM_MAP) {
    return 0; /* warning: skipping globals */
  }
  const helm_value *sg = helm_map_get(src, "global");
  if (sg && sg->type != HELM_MAP) {
    if (fresh) helm_value_free(dg);
    return 0;
  }
  int rc = 0;
  for (size_t i = 0; sg && !rc && i < sg->u.map.n; i++) {
    const char *key = sg->u.map.keys[i];
    const helm_value *val = sg->u.map.vals[i];
    helm_value *destv = helm_map_get(dg, key);
    if (istable(val)) {
      helm_value *vv = helm_value_copy(val);
      if (!vv) {
        rc = HELM_ENOMEM;
        break;
      }
      if (!destv) {
        rc = helm_map_set(dg, key, vv);
      } else if (destv->type != HELM_MAP) {
        helm_value_free(vv); /* conflict: skipped */
      } else {
        helm_value *dcopy = helm_value_copy(destv);
        char *kp = concat_prefix(prefix, key);
        rc = dcopy && kp ? tables(vv, dcopy, kp, 1) : HELM_ENOMEM;
        free(kp);
        helm_value_free(dcopy);
        if (!rc)
          rc = helm_map_set(dg, key, vv);
        else
          helm_value_free(vv);
      }
    } else if (istable(destv)) {
      /* key is table: skipping */
    } else {
      helm_value *cp = helm_value_copy(val);
      rc = cp ? helm_map_set(dg, key, cp) : HELM_ENOMEM;
    }
  }
  if (fresh) {
    if (rc || helm_map_set(dest, "global", dg)) {
      helm_value_free(dg);
      return rc ? rc : HELM_ENOMEM;
    }
  }
  return rc;
}

static int coalesce(const helm_chart *c, helm_value *dest, const char *prefix, int merge,
                    helm_error *err);

static int coalesce_deps(const helm_chart *c, helm_value *dest, const char *prefix, int merge,
                         helm_error *err) {
  for (size_t i = 0; i < c->n_charts; i++) {
    const helm_chart *sub = c->charts[i];
    helm_value *dv = helm_map_get(dest, sub->name);
    if (!dv) {
      dv = helm_value_map();
      if (!dv || helm_map_set(dest, sub->name, dv)) {
        helm_value_free(dv);
        return HELM_ENOMEM_ERR(err);
      }
    } else if (dv->type != HELM_MAP) {
      char *f = helm_value_go_fmt(dv);
      int rc = dv->type == HELM_BOOL
                   ? HELM_ERR(err, HELM_EINVALID, "type mismatch on %s: %s", sub->name, f ? f : "")
                   : HELM_ERR(err, HELM_EINVALID, "type mismatch on %s: %%!t(%s=%s)", sub->name,
                              helm_value_go_type(dv), f ? f : "");
      free(f);
      return rc;
    }
    char *sp = concat_prefix(prefix, c->name);
    if (!sp) return HELM_ENOMEM_ERR(err);
    int rc =
        coalesce_globals(dv, dest, sp) ? HELM_ENOMEM_ERR(err) : coalesce(sub, dv, sp, merge, err);
    free(sp);
    if (rc) return rc;
  }
  return 0;
}

static int coalesce(const helm_chart *c, helm_value *dest, const char *prefix, int merge,
                    helm_error *err) {
  if (coalesce_values(c, dest, prefix, merge)) return HELM_ENOMEM_ERR(err);
  return coalesce_deps(c, dest, prefix, merge, err);
}

static int coalesce_top(const helm_chart *c, const helm_value *user, int merge, helm_value **out,
                        helm_error *err) {
  *out = NULL;
  helm_value *v = user && user->type == HELM_MAP ? helm_value_copy(user) : helm_value_map();
  if (!v) return HELM_ENOMEM_ERR(err);
  int rc = coalesce(c, v, "", merge, err);
  if (rc) {
    helm_value_free(v);
    return rc;
  }
  *out = v;
  return 0;
}

int helm_coalesce_values(const helm_chart *c, const helm_value *user, helm_value **out,
                         helm_error *err) {
  return coalesce_top(c, user, 0, out, err);
}

int helm_merge_values_chart(const helm_chart *c, const helm_value *user, helm_value **out,
                            helm_error *err) {
  return coalesce_top(c, user, 1, out, err);
}

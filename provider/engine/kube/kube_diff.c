/* Drift: compare what a field manager applies with the live object, on the
 * fields that manager sets (desired values and its managedFields), minus
 * ignoreDifferences rules. */
#include "engine/kube/kube_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATHS 100

typedef struct dctx {
  char *const **ign; /* json_pointers lists of the matching rules */
  size_t nign;
  kube_buf path;
  kube_diff_result *out;
} dctx;

/* ---- paths ---- */

static int ignored(const dctx *d) {
  const char *p = d->path.p ? d->path.p : "";
  for (size_t r = 0; r < d->nign; r++) {
    for (char *const *ptr = d->ign[r]; ptr && *ptr; ptr++) {
      size_t n = strlen(*ptr);
      while (n && (*ptr)[n - 1] == '/')
        n--;
      if (n == 0 || (!strncmp(p, *ptr, n) && (p[n] == 0 || p[n] == '/'))) return 1;
    }
  }
  return 0;
}

static void record(dctx *d) {
  kube_diff_result *o = d->out;
  o->drift = 1;
  if (o->n_paths >= MAX_PATHS) return;
  const char *p = d->path.p ? d->path.p : "";
  for (size_t i = 0; i < o->n_paths; i++)
    if (!strcmp(o->paths[i], p)) return;
  char **np = realloc(o->paths, (o->n_paths + 1) * sizeof(char *));
  if (!np) return;
  o->paths = np;
  if ((np[o->n_paths] = strdup(p))) o->n_paths++;
}

static size_t push_key(dctx *d, const char *key) {
  size_t l = d->path.len;
  kube__ptr_add(&d->path, key);
  return l;
}

static size_t push_index(dctx *d, int i) {
  size_t l = d->path.len;
  kube__buf_printf(&d->path, "/%d", i);
  return l;
}

static void pop(dctx *d, size_t l) {
  d->path.len = l;
  if (d->path.p) d->path.p[l] = 0;
}

/* ---- quantities ("500m" == "0.5", "1Gi" == "1073741824") ---- */

static int parse_quantity(const char *s, long double *out) {
  char *end;
  if (!s || !*s || strchr(s, ' ')) return -1;
  long double v = strtold(s, &end);
  if (end == s) return -1;
  static const struct {
    const char *suf;
    long double mult;
  } sufs[] = {{"Ki", 1024.0L},
              {"Mi", 1048576.0L},
              {"Gi", 1073741824.0L},
              {"Ti", 1099511627776.0L},
              {"Pi", 1125899906842624.0L},
              {"Ei", 1152921504606846976.0L},
              {"n", 1e-9L},
              {"u", 1e-6L},
              {"m", 1e-3L},
              {"", 1.0L},
              {"k", 1e3L},
              {"M", 1e6L},
              {"G", 1e9L},
              {"T", 1e12L},
              {"P", 1e15L},
              {"E", 1e18L}};
  for (size_t i = 0; i < sizeof(sufs) / sizeof(sufs[0]); i++) {
    if (!strcmp(end, sufs[i].suf)) {
      *out = v * sufs[i].mult;
      return 0;
    }
  }
  return -1;
}

static int quantity_context(const char *key, const char *parent) {
  static const char *const parents[] = {"limits",      "requests", "hard",    "capacity",
                                        "allocatable", "used",     "overhead"};
  if (key && !strcmp(key, "sizeLimit")) return 1;
  for (size_t i = 0; parent && i < sizeof(parents) / sizeof(parents[0]); i++)
    if (!strcmp(parent, parents[i])) return 1;
  return 0;
}

/* Absent, null, [], or a map holding nothing but such values. */
static int empty_value(const cJSON *v) {
  if (!v || cJSON_IsNull(v) || (cJSON_IsArray(v) && !v->child)) return 1;
  if (!cJSON_IsObject(v)) return 0;
  for (const cJSON *c = v->child; c; c = c->next)
    if (!empty_value(c)) return 0;
  return 1;
}

/* Identity and server-owned fields never compared or owned. */
static int skip_key(int depth, const char *parent, const char *key) {
  if (depth == 0)
    return !strcmp(key, "apiVersion") || !strcmp(key, "kind") || !strcmp(key, "status");
  if (depth == 1 && parent && !strcmp(parent, "metadata"))
    return !strcmp(key, "name") || !strcmp(key, "namespace") || !strcmp(key, "resourceVersion") ||
           !strcmp(key, "uid") || !strcmp(key, "generation") || !strcmp(key, "creationTimestamp") ||
           !strcmp(key, "managedFields") || !strcmp(key, "selfLink") ||
           !strcmp(key, "deletionTimestamp") || !strcmp(key, "deletionGracePeriodSeconds");
  return 0;
}

/* ---- desired ⊆ live ---- */

static int scalar_eq(const cJSON *a, const cJSON *b, int quantity) {
  if (kube__is_num(a) && kube__is_num(b)) return kube__num(a) == kube__num(b);
  if (cJSON_IsString(a) && cJSON_IsString(b)) {
    if (!strcmp(a->valuestring, b->valuestring)) return 1;
    long double x, y;
    if (quantity && !parse_quantity(a->valuestring, &x) && !parse_quantity(b->valuestring, &y))
      return fabsl(x - y) <= 1e-12L * fmaxl(fabsl(x), fabsl(y));
    return 0;
  }
  if (cJSON_IsBool(a) && cJSON_IsBool(b)) return cJSON_IsTrue(a) == cJSON_IsTrue(b);
  return 0;
}

/* Number of differences; records paths when rec. */
static int cmp(dctx *d, const cJSON *des, const cJSON *live, int depth, const char *key,
               const char *parent, int rec) {
  if (ignored(d)) return 0;
  if (!des || cJSON_IsNull(des)) return 0;
  if (cJSON_IsObject(des)) {
    if (!cJSON_IsObject(live)) {
      if (empty_value(des) && empty_value(live)) return 0;
      if (rec) record(d);
      return 1;
    }
    int diffs = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, des) {
      if (skip_key(depth, key, c->string)) continue;
      size_t l = push_key(d, c->string);
      diffs += cmp(d, c, cJSON_GetObjectItemCaseSensitive(live, c->string), depth + 1, c->string,
                   key, rec);
      pop(d, l);
      if (diffs && !rec) return diffs;
    }
    return diffs;
  }
  if (cJSON_IsArray(des)) {
    int nd = cJSON_GetArraySize(des), nl = cJSON_GetArraySize(live);
    if (!cJSON_IsArray(live) || (nd == 0 && nl != 0)) {
      if (nd == 0 && empty_value(live)) return 0;
      if (rec) record(d);
      return 1;
    }
    if (nd == nl) { /* element by element, with precise paths */
      int diffs = 0, i = 0;
      const cJSON *a = des->child, *b = live->child;
      for (; a && b; a = a->next, b = b->next, i++) {
        size_t l = push_index(d, i);
        diffs += cmp(d, a, b, depth + 1, key, parent, rec);
        pop(d, l);
        if (diffs && !rec) return diffs;
      }
      return diffs;
    }
    /* other managers' elements may be interleaved: desired must be an
     * ordered subsequence of live */
    const cJSON *b = live->child;
    int i = 0;
    for (const cJSON *a = des->child; a; a = a->next, i++) {
      size_t l = push_index(d, i);
      while (b && cmp(d, a, b, depth + 1, key, parent, 0))
        b = b->next;
      if (!b) {
        if (rec) {
          if (!ignored(d))
            record(d);
          else
            i = -1; /* ignored element: no difference */
        }
        pop(d, l);
        return i < 0 ? 0 : 1;
      }
      b = b->next;
      pop(d, l);
    }
    return 0;
  }
  if (!live || cJSON_IsNull(live) || !scalar_eq(des, live, quantity_context(key, parent))) {
    if (rec) record(d);
    return 1;
  }
  return 0;
}

/* ---- managedFields ---- */

const cJSON *kube__managed_fields(const cJSON *live, const char *manager) {
  const cJSON *e;
  cJSON_ArrayForEach(e, kube__jpath(live, "metadata.managedFields")) {
    const char *m = kube__jstr(e, "manager"), *op = kube__jstr(e, "operation");
    const char *sub = kube__jstr(e, "subresource");
    if (m && op && !strcmp(m, manager) && !strcmp(op, "Apply") && (!sub || !*sub)) {
      const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
      return cJSON_IsObject(f) ? f : NULL;
    }
  }
  return NULL;
}

static int has_children(const cJSON *set) {
  for (const cJSON *c = set ? set->child : NULL; c; c = c->next)
    if (strcmp(c->string, ".")) return 1;
  return 0;
}

/* "k:{...}" matches an element whose fields equal the key's fields. */
static int key_matches(const char *member, const cJSON *elem) {
  cJSON *k = cJSON_Parse(member + 2);
  int ok = cJSON_IsObject(k) && cJSON_IsObject(elem);
  const cJSON *f;
  cJSON_ArrayForEach(f, (ok ? k : NULL)) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(elem, f->string);
    if (!v) /* a key field the server defaulted (ports' protocol) */
      continue;
    if (!(kube__is_num(f) && kube__is_num(v) ? kube__num(f) == kube__num(v)
                                             : cJSON_Compare(f, v, 1))) {
      ok = 0;
      break;
    }
  }
  cJSON_Delete(k);
  return ok;
}

static int value_matches(const char *member, const cJSON *elem) {
  cJSON *v = cJSON_Parse(member + 2);
  int ok = v && (kube__is_num(v) && kube__is_num(elem) ? kube__num(v) == kube__num(elem)
                                                       : cJSON_Compare(v, elem, 1));
  cJSON_Delete(v);
  return ok;
}

/* The list element of des addressed by a "k:", "v:" or "i:" member. */
static const cJSON *list_elem(const cJSON *des, const char *member, int *idx) {
  int i = 0;
  if (!strncmp(member, "i:", 2)) {
    *idx = atoi(member + 2);
    return cJSON_GetArrayItem(des, *idx);
  }
  for (const cJSON *e = cJSON_IsArray(des) ? des->child : NULL; e; e = e->next, i++) {
    if ((!strncmp(member, "k:", 2) && key_matches(member, e)) ||
        (!strncmp(member, "v:", 2) && value_matches(member, e))) {
      *idx = i;
      return e;
    }
  }
  return NULL;
}

/* Every field the manager owns must still be in desired. */
static void owned_in_desired(dctx *d, const cJSON *set, const cJSON *des, int depth,
                             const char *key) {
  for (const cJSON *m = set ? set->child : NULL; m; m = m->next) {
    const char *name = m->string;
    if (!strcmp(name, ".")) continue;
    if (!strncmp(name, "f:", 2)) {
      const char *k = name + 2;
      if (skip_key(depth, key, k)) continue;
      size_t l = push_key(d, k);
      const cJSON *child = cJSON_IsObject(des) ? cJSON_GetObjectItemCaseSensitive(des, k) : NULL;
      if (!child || cJSON_IsNull(child)) {
        if (!ignored(d)) record(d);
      } else if (has_children(m) && !ignored(d)) {
        owned_in_desired(d, m, child, depth + 1, k);
      }
      pop(d, l);
    } else {
      int idx = -1;
      const cJSON *e = list_elem(des, name, &idx);
      if (!e) {
        if (!ignored(d)) record(d); /* the list, whose owned element is gone */
        continue;
      }
      size_t l = push_index(d, idx);
      if (has_children(m) && !ignored(d)) owned_in_desired(d, m, e, depth + 1, key);
      pop(d, l);
    }
  }
}

/* 1 when v holds something a field manager can own: a value, an empty map or
 * list (a leaf), or a map with such a child (identity fields do not count). */
static int ownable(const cJSON *v, int depth, const char *key) {
  if (!v || cJSON_IsNull(v)) return 0;
  if (!cJSON_IsObject(v) || !v->child) return 1;
  for (const cJSON *c = v->child; c; c = c->next)
    if (!skip_key(depth, key, c->string) && ownable(c, depth + 1, c->string)) return 1;
  return 0;
}

/* 1 when some field of des is not in the manager's set. */
static int desired_not_owned(const cJSON *des, const cJSON *set, int depth, const char *key) {
  if (cJSON_IsObject(des)) {
    const cJSON *c;
    cJSON_ArrayForEach(c, des) {
      if (skip_key(depth, key, c->string) || !ownable(c, depth + 1, c->string)) continue;
      char *fk = kube__asprintf("f:%s", c->string);
      const cJSON *entry = fk ? cJSON_GetObjectItemCaseSensitive(set, fk) : NULL;
      free(fk);
      if (!entry) return 1;
      if (has_children(entry) && !empty_value(c) &&
          desired_not_owned(c, entry, depth + 1, c->string))
        return 1;
    }
    return 0;
  }
  if (cJSON_IsArray(des)) {
    int i = 0;
    for (const cJSON *e = des->child; e; e = e->next, i++) {
      const cJSON *entry = NULL;
      for (const cJSON *m = set ? set->child : NULL; m && !entry; m = m->next) {
        const char *n = m->string;
        if ((!strncmp(n, "k:", 2) && key_matches(n, e)) ||
            (!strncmp(n, "v:", 2) && value_matches(n, e)) ||
            (!strncmp(n, "i:", 2) && atoi(n + 2) == i))
          entry = m;
      }
      if (!entry) return 1;
      if (has_children(entry) && !empty_value(e) && desired_not_owned(e, entry, depth + 1, key))
        return 1;
    }
  }
  return 0;
}

/* ---- Secret stringData → data ---- */

static cJSON *normalize_secret(const cJSON *des) {
  char group[256];
  kube__group_of(kube__obj_api_version(des), group, sizeof(group));
  const char *kind = kube__obj_kind(des);
  const cJSON *sd = cJSON_GetObjectItemCaseSensitive(des, "stringData");
  if (group[0] || !kind || strcmp(kind, "Secret") || !cJSON_IsObject(sd)) return NULL;
  cJSON *copy = cJSON_Duplicate(des, 1);
  if (!copy) return NULL;
  cJSON *data = cJSON_GetObjectItemCaseSensitive(copy, "data");
  if (!cJSON_IsObject(data)) {
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "data");
    data = cJSON_AddObjectToObject(copy, "data");
  }
  const cJSON *it;
  cJSON_ArrayForEach(it, sd) {
    if (!cJSON_IsString(it)) continue;
    char *b = kube__b64_encode(it->valuestring, strlen(it->valuestring));
    if (!b) continue;
    cJSON_DeleteItemFromObjectCaseSensitive(data, it->string);
    cJSON_AddStringToObject(data, it->string, b);
    free(b);
  }
  cJSON_DeleteItemFromObjectCaseSensitive(copy, "stringData");
  return copy;
}

static int rule_field(const char *rule, const char *value) {
  return !rule || !*rule || !strcmp(rule, "*") || !strcmp(rule, value ? value : "");
}

int kube_diff(const cJSON *desired, const cJSON *live, const char *manager,
              const kube_ignore_rule *rules, size_t n_rules, kube_diff_result *out,
              kube_error *err) {
  memset(out, 0, sizeof(*out));
  if (!cJSON_IsObject(desired))
    return kube__set(err, KUBE_EINVALID, "kube_diff: desired is not an object");
  if (!manager) manager = "gitops";
  dctx d = {.out = out};
  char group[256];
  kube__group_of(kube__obj_api_version(desired), group, sizeof(group));
  if (n_rules && !(d.ign = calloc(n_rules, sizeof(*d.ign))))
    return kube__set(err, KUBE_ENOMEM, "out of memory");
  for (size_t i = 0; i < n_rules; i++) {
    const kube_ignore_rule *r = &rules[i];
    if (!r->group || !r->kind) /* group "" (core) must be given explicitly */
      continue;
    if ((strcmp(r->group, "*") && strcmp(r->group, group)) ||
        !rule_field(r->kind, kube__obj_kind(desired)) ||
        (r->name && *r->name && !rule_field(r->name, kube__obj_name(desired))) ||
        (r->namespace_ && *r->namespace_ &&
         !rule_field(r->namespace_, kube__obj_namespace(desired))))
      continue;
    d.ign[d.nign++] = r->json_pointers;
  }
  if (!live) {
    out->missing = 1;
    out->not_owned = 1;
    record(&d);
    kube__buf_free(&d.path);
    free(d.ign);
    return 0;
  }
  cJSON *norm = normalize_secret(desired);
  cmp(&d, norm ? norm : desired, live, 0, NULL, NULL, 1);
  cJSON_Delete(norm);
  const cJSON *set = kube__managed_fields(live, manager);
  out->has_manager = set != NULL;
  if (set) {
    owned_in_desired(&d, set, desired, 0, NULL);
    out->not_owned = desired_not_owned(desired, set, 0, NULL);
  } else {
    out->not_owned = ownable(desired, 0, NULL);
  }
  kube__buf_free(&d.path);
  free(d.ign);
  return 0;
}

void kube_diff_result_clear(kube_diff_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n_paths; i++)
    free(r->paths[i]);
  free(r->paths);
  memset(r, 0, sizeof(*r));
}

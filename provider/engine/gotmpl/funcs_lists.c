/* Sprig list and dict functions. */
#include "engine/gotmpl/tmpl_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define H exec_heap(x)

static bool is_nil(const tval *v) {
  return !v || v->kind == TMPL_NIL || v->kind == TMPL_INVALID;
}
static bool is_slice(const tval *v) {
  return v && (v->kind == TMPL_LIST || v->kind == TMPL_BYTES);
}

/* Go's reflect.TypeOf(v).Kind() name for errors; nil → runtime error */
static tval *kind_err(texec *x, const tval *v, const char *fmt) {
  if (is_nil(v))
    return fn_error(x, "runtime error: invalid memory address or nil pointer dereference");
  return fn_error(x, fmt, tv_kindname(v));
}

/* element i of a slice value as interface{} */
static tval *elem(texec *x, const tval *l, size_t i) {
  if (l->kind == TMPL_BYTES) {
    tval *b = tv_i64(H, (unsigned char)l->u.s.p[i]);
    b->tname = "uint8";
    return b;
  }
  return l->u.l->v[i];
}
static size_t slen(const tval *l) {
  return l->kind == TMPL_BYTES ? l->u.s.n : l->u.l->n;
}

static tval *f_list(texec *x, tval **a, int n) {
  tval *l = tv_list(H, (size_t)n);
  for (int i = 0; i < n; i++)
    tl_push(H, l, a[i]);
  return l;
}

static tval *push_impl(texec *x, tval **a, bool front, bool must) {
  if (!is_slice(a[0]))
    return kind_err(x, a[0], front ? "Cannot prepend on type %s" : "Cannot push on type %s");
  (void)must;
  size_t n = slen(a[0]);
  tval *l = tv_list(H, n + 1);
  if (front) tl_push(H, l, a[1]);
  for (size_t i = 0; i < n; i++)
    tl_push(H, l, elem(x, a[0], i));
  if (!front) tl_push(H, l, a[1]);
  return l;
}
static tval *f_push(texec *x, tval **a, int n) {
  (void)n;
  return push_impl(x, a, false, false);
}
static tval *f_prepend(texec *x, tval **a, int n) {
  (void)n;
  return push_impl(x, a, true, false);
}

static tval *f_first(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot find first on type %s");
  if (slen(a[0]) == 0) return tv_nil(H);
  return elem(x, a[0], 0);
}
static tval *f_last(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot find last on type %s");
  if (slen(a[0]) == 0) return tv_nil(H);
  return elem(x, a[0], slen(a[0]) - 1);
}
static tval *f_rest(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot find rest on type %s");
  size_t l = slen(a[0]);
  if (l == 0) return tv_nil(H);
  tval *r = tv_list(H, l);
  for (size_t i = 1; i < l; i++)
    tl_push(H, r, elem(x, a[0], i));
  return r;
}
static tval *f_initial(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot find initial on type %s");
  size_t l = slen(a[0]);
  if (l == 0) return tv_nil(H);
  tval *r = tv_list(H, l);
  for (size_t i = 0; i + 1 < l; i++)
    tl_push(H, r, elem(x, a[0], i));
  return r;
}
static tval *f_reverse(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot find reverse on type %s");
  size_t l = slen(a[0]);
  tval *r = tv_list(H, l);
  for (size_t i = l; i > 0; i--)
    tl_push(H, r, elem(x, a[0], i - 1));
  return r;
}
static tval *f_compact(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot compact on type %s");
  size_t l = slen(a[0]);
  tval *r = tv_list(H, l);
  for (size_t i = 0; i < l; i++) {
    tval *e = elem(x, a[0], i);
    if (!sprig_empty(e)) tl_push(H, r, e);
  }
  return r;
}

static bool in_list(tval **hay, size_t n, const tval *needle) {
  for (size_t i = 0; i < n; i++)
    if (tv_deep_equal(needle, hay[i])) return true;
  return false;
}

static tval *f_uniq(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot find uniq on type %s");
  size_t l = slen(a[0]);
  tval *r = tv_list(H, l);
  for (size_t i = 0; i < l; i++) {
    tval *e = elem(x, a[0], i);
    if (!in_list(r->u.l->v, r->u.l->n, e)) tl_push(H, r, e);
  }
  return r;
}
static tval *f_without(texec *x, tval **a, int n) {
  if (!is_slice(a[0])) return kind_err(x, a[0], "Cannot find without on type %s");
  size_t l = slen(a[0]);
  tval *r = tv_list(H, l);
  for (size_t i = 0; i < l; i++) {
    tval *e = elem(x, a[0], i);
    if (!in_list(a + 1, (size_t)(n - 1), e)) tl_push(H, r, e);
  }
  return r;
}
static tval *f_has(texec *x, tval **a, int n) {
  (void)n;
  if (is_nil(a[1])) return tv_bool(H, 0);
  if (!is_slice(a[1])) return fn_error(x, "Cannot find has on type %s", tv_kindname(a[1]));
  size_t l = slen(a[1]);
  for (size_t i = 0; i < l; i++)
    if (tv_deep_equal(a[0], elem(x, a[1], i))) return tv_bool(H, 1);
  return tv_bool(H, 0);
}

static tval *f_slice(texec *x, tval **a, int n) {
  if (!is_slice(a[0])) return kind_err(x, a[0], "list should be type of slice or array but %s");
  size_t l = slen(a[0]);
  if (l == 0) return tv_nil(H);
  int64_t st = 0, en = (int64_t)l;
  if (n > 1) st = sprig_toint64(a[1]);
  if (n > 2) en = sprig_toint64(a[2]);
  if (st < 0 || en < st || (uint64_t)en > l)
    return fn_error(x, "reflect: slice index out of range");
  tval *r = tv_list(H, (size_t)(en - st));
  r->tname = a[0]->tname;
  if (a[0]->kind == TMPL_BYTES) return tmpl_bytes(H, a[0]->u.s.p + st, (size_t)(en - st));
  for (int64_t i = st; i < en; i++)
    tl_push(H, r, a[0]->u.l->v[i]);
  return r;
}

static tval *f_concat(texec *x, tval **a, int n) {
  tval *r = tv_list(H, 4);
  bool any = false;
  for (int k = 0; k < n; k++) {
    if (!is_slice(a[k])) {
      if (is_nil(a[k]))
        return fn_error(x, "runtime error: invalid memory address or nil pointer dereference");
      return fn_error(x, "Cannot concat type %s as list", tv_kindname(a[k]));
    }
    for (size_t i = 0; i < slen(a[k]); i++) {
      tl_push(H, r, elem(x, a[k], i));
      any = true;
    }
  }
  (void)any; /* a nil []interface{} in Go: prints as [] */
  return r;
}

static tval *f_chunk(texec *x, tval **a, int n) {
  (void)n;
  if (!is_slice(a[1])) return kind_err(x, a[1], "Cannot chunk type %s");
  int64_t size = a[0]->u.i;
  size_t l = slen(a[1]);
  if (size <= 0) return fn_error(x, "runtime error: integer divide by zero");
  int64_t cs = (int64_t)floor((double)((int64_t)l - 1) / (double)size) + 1;
  tval *r = tv_list(H, (size_t)(cs > 0 ? cs : 0));
  r->tname = "[][]interface {}";
  for (int64_t i = 0; i < cs; i++) {
    int64_t clen = size;
    if (i == cs - 1) {
      clen = (int64_t)l % size;
      if (clen == 0) clen = size;
    }
    tval *c = tv_list(H, (size_t)clen);
    for (int64_t j = 0; j < clen; j++)
      tl_push(H, c, elem(x, a[1], (size_t)(i * size + j)));
    tl_push(H, r, c);
  }
  return r;
}

static tval *f_until(texec *x, tval **a, int n);
static tval *until_step(texec *x, int64_t start, int64_t stop, int64_t step) {
  tval *r = tv_list(H, 0);
  r->tname = "[]int";
  if (step == 0) return r;
  if (start < stop) {
    if (step < 0) return r;
    uint64_t cnt = (uint64_t)(stop - start) / (uint64_t)step;
    if (exec_count_iters(x, cnt)) return fn_error(x, "range iteration limit exceeded");
    for (int64_t i = start; i < stop; i += step)
      tl_push(H, r, tv_int(H, i));
    return r;
  }
  if (step > 0) return r;
  uint64_t cnt = (uint64_t)(start - stop) / (uint64_t)(-step);
  if (exec_count_iters(x, cnt)) return fn_error(x, "range iteration limit exceeded");
  for (int64_t i = start; i > stop; i += step)
    tl_push(H, r, tv_int(H, i));
  return r;
}
static tval *f_until(texec *x, tval **a, int n) {
  (void)n;
  int64_t c = a[0]->u.i;
  return until_step(x, 0, c, c < 0 ? -1 : 1);
}
static tval *f_untilstep(texec *x, tval **a, int n) {
  (void)n;
  return until_step(x, a[0]->u.i, a[1]->u.i, a[2]->u.i);
}

static tval *f_seq(texec *x, tval **a, int n) {
  int64_t start = 1, end = 0, step = 1;
  switch (n) {
  case 0:
    return tv_str(H, "", 0);
  case 1:
    end = a[0]->u.i;
    if (end < 1) step = -1;
    break;
  case 2:
    start = a[0]->u.i;
    end = a[1]->u.i;
    if (end < start) step = -1;
    break;
  case 3:
    start = a[0]->u.i;
    step = a[1]->u.i;
    end = a[2]->u.i;
    if (end < start && step > 0) return tv_str(H, "", 0);
    if (end > start && step < 0) return tv_str(H, "", 0);
    break;
  default:
    return tv_str(H, "", 0);
  }
  /* sprig: intArrayToString(untilStep(start, end+step, step), " ") */
  tval *l = until_step(x, start, end + step, step);
  if (!l) return NULL;
  sb o = {0};
  sb_putn(&o, "", 0);
  for (size_t i = 0; i < l->u.l->n; i++)
    sb_printf(&o, i ? " %lld" : "%lld", (long long)l->u.l->v[i]->u.i);
  return sb_to_val(H, &o);
}

/* ---------------- dict ---------------- */
static tval *f_dict(texec *x, tval **a, int n) {
  tval *d = tv_map(H);
  for (int i = 0; i < n; i += 2) {
    sb k = {0};
    sprig_strval(&k, a[i]);
    tm_set(H, d, k.p ? k.p : "", k.n, i + 1 < n ? a[i + 1] : tv_str(H, "", 0));
    sb_free(&k);
  }
  return d;
}

static bool nil_map(const tval *m) {
  return m->kind != TMPL_MAP;
}

static tval *f_get(texec *x, tval **a, int n) {
  (void)n;
  tval *v = nil_map(a[0]) ? NULL : tm_get(a[0], a[1]->u.s.p, a[1]->u.s.n);
  return v ? v : tv_str(H, "", 0);
}
static tval *f_set(texec *x, tval **a, int n) {
  (void)n;
  if (nil_map(a[0])) return fn_error(x, "assignment to entry in nil map");
  tm_set(H, a[0], a[1]->u.s.p, a[1]->u.s.n, a[2]);
  return a[0];
}
static tval *f_unset(texec *x, tval **a, int n) {
  (void)n;
  (void)x;
  if (!nil_map(a[0])) tm_del(a[0], a[1]->u.s.p, a[1]->u.s.n);
  return a[0];
}
static tval *f_haskey(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, !nil_map(a[0]) && tm_get(a[0], a[1]->u.s.p, a[1]->u.s.n) != NULL);
}
static tval *f_pluck(texec *x, tval **a, int n) {
  tval *r = tv_list(H, 4);
  for (int i = 1; i < n; i++) {
    tval *v = nil_map(a[i]) ? NULL : tm_get(a[i], a[0]->u.s.p, a[0]->u.s.n);
    if (v) tl_push(H, r, v);
  }
  return r;
}
static tval *f_keys(texec *x, tval **a, int n) {
  tval *r = tv_strlist(H, 4);
  for (int i = 0; i < n; i++) {
    if (nil_map(a[i])) continue;
    for (size_t k = 0; k < a[i]->u.m->n; k++)
      tl_push(H, r, tv_str(H, a[i]->u.m->k[k], a[i]->u.m->kl[k]));
  }
  return r;
}
static tval *f_values(texec *x, tval **a, int n) {
  (void)n;
  tval *r = tv_list(H, 4);
  if (!nil_map(a[0]))
    for (size_t k = 0; k < a[0]->u.m->n; k++)
      tl_push(H, r, a[0]->u.m->v[k]);
  return r;
}
static tval *f_pick(texec *x, tval **a, int n) {
  tval *r = tv_map(H);
  for (int i = 1; i < n; i++) {
    tval *v = nil_map(a[0]) ? NULL : tm_get(a[0], a[i]->u.s.p, a[i]->u.s.n);
    if (v) tm_set(H, r, a[i]->u.s.p, a[i]->u.s.n, v);
  }
  return r;
}
static tval *f_omit(texec *x, tval **a, int n) {
  tval *r = tv_map(H);
  if (nil_map(a[0])) return r;
  for (size_t k = 0; k < a[0]->u.m->n; k++) {
    bool skip = false;
    for (int i = 1; i < n; i++)
      if (a[i]->u.s.n == a[0]->u.m->kl[k] && !memcmp(a[i]->u.s.p, a[0]->u.m->k[k], a[i]->u.s.n))
        skip = true;
    if (!skip) tm_set(H, r, a[0]->u.m->k[k], a[0]->u.m->kl[k], a[0]->u.m->v[k]);
  }
  return r;
}

/* mergo (v1) deepMerge of map[string]interface{} */
static void merge_into(texec *x, tval *dst, tval *src, bool overwrite, int depth) {
  if (depth > 10000) return;
  for (size_t i = 0; i < src->u.m->n; i++) {
    const char *k = src->u.m->k[i];
    size_t kl = src->u.m->kl[i];
    tval *sv = src->u.m->v[i];
    tval *dv = tm_get(dst, k, kl);
    if (is_nil(sv)) {
      if (overwrite) tm_set(H, dst, k, kl, sv);
      continue;
    }
    bool dempty = !dv || sprig_empty(dv);
    if (sv->kind == TMPL_MAP) {
      if (dv && dv->kind == TMPL_MAP) merge_into(x, dv, sv, overwrite, depth + 1);
      if (dv && !dempty && dv->kind == TMPL_MAP) continue;
      if (overwrite || dempty) tm_set(H, dst, k, kl, sv);
      continue;
    }
    if (sv->kind == TMPL_LIST) {
      if (!dempty) {
        if (overwrite) tm_set(H, dst, k, kl, sv);
        continue;
      }
      tm_set(H, dst, k, kl, sv);
      continue;
    }
    if (overwrite || dempty) tm_set(H, dst, k, kl, sv);
  }
}

static tval *merge_impl(texec *x, tval **a, int n, bool overwrite) {
  tval *dst = a[0];
  if (nil_map(dst)) dst = tv_map(H);
  for (int i = 1; i < n; i++)
    if (!nil_map(a[i])) merge_into(x, dst, a[i], overwrite, 0);
  return dst;
}
static tval *f_merge(texec *x, tval **a, int n) {
  return merge_impl(x, a, n, false);
}
static tval *f_mergeoverwrite(texec *x, tval **a, int n) {
  return merge_impl(x, a, n, true);
}

static tval *f_deepcopy(texec *x, tval **a, int n) {
  (void)n;
  if (is_nil(a[0])) return fn_error(x, "reflect: call of reflect.Value.Type on zero Value");
  return tv_deep_copy(H, a[0]);
}
static tval *f_mustdeepcopy(texec *x, tval **a, int n) {
  (void)n;
  if (is_nil(a[0])) return tv_nil(H);
  return tv_deep_copy(H, a[0]);
}

static tval *f_dig(texec *x, tval **a, int n) {
  if (n < 3) return fn_error(x, "dig needs at least three arguments");
  tval *d = a[n - 1];
  if (d->kind != TMPL_MAP || (d->tname && strcmp(d->tname, "map[string]interface {}")))
    return fn_error(x, "interface conversion: interface {} is %s, not map[string]interface {}",
                    is_nil(d) ? "nil" : tv_type(d));
  tval *def = a[n - 2];
  for (int i = 0; i < n - 2; i++) {
    if (a[i]->kind != TMPL_STRING)
      return fn_error(x, "interface conversion: interface {} is %s, not string",
                      is_nil(a[i]) ? "nil" : tv_type(a[i]));
  }
  for (int i = 0; i < n - 2; i++) {
    tval *step = tm_get(d, a[i]->u.s.p, a[i]->u.s.n);
    if (!step) return def;
    if (i == n - 3) return step;
    if (step->kind != TMPL_MAP || (step->tname && strcmp(step->tname, "map[string]interface {}")))
      return fn_error(x, "interface conversion: interface {} is %s, not map[string]interface {}",
                      is_nil(step) ? "nil" : tv_type(step));
    d = step;
  }
  return def;
}

const tfunc tmpl_funcs_lists[] = {
    {"list", f_list, 0, {0}, true, P_ANY, "[]interface {}"},
    {"tuple", f_list, 0, {0}, true, P_ANY, "[]interface {}"},
    {"append", f_push, 2, {P_ANY, P_ANY}, false, 0, "[]interface {}"},
    {"push", f_push, 2, {P_ANY, P_ANY}, false, 0, "[]interface {}"},
    {"mustAppend", f_push, 2, {P_ANY, P_ANY}, false, 0, "[]interface {}"},
    {"mustPush", f_push, 2, {P_ANY, P_ANY}, false, 0, "[]interface {}"},
    {"prepend", f_prepend, 2, {P_ANY, P_ANY}, false, 0, "[]interface {}"},
    {"mustPrepend", f_prepend, 2, {P_ANY, P_ANY}, false, 0, "[]interface {}"},
    {"first", f_first, 1, {P_ANY}, false, 0, "interface {}"},
    {"mustFirst", f_first, 1, {P_ANY}, false, 0, "interface {}"},
    {"last", f_last, 1, {P_ANY}, false, 0, "interface {}"},
    {"mustLast", f_last, 1, {P_ANY}, false, 0, "interface {}"},
    {"rest", f_rest, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"mustRest", f_rest, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"initial", f_initial, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"mustInitial", f_initial, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"reverse", f_reverse, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"mustReverse", f_reverse, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"compact", f_compact, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"mustCompact", f_compact, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"uniq", f_uniq, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"mustUniq", f_uniq, 1, {P_ANY}, false, 0, "[]interface {}"},
    {"without", f_without, 1, {P_ANY}, true, P_ANY, "[]interface {}"},
    {"mustWithout", f_without, 1, {P_ANY}, true, P_ANY, "[]interface {}"},
    {"has", f_has, 2, {P_ANY, P_ANY}, false, 0, "bool"},
    {"mustHas", f_has, 2, {P_ANY, P_ANY}, false, 0, "bool"},
    {"slice", f_slice, 1, {P_ANY}, true, P_ANY, "interface {}"},
    {"mustSlice", f_slice, 1, {P_ANY}, true, P_ANY, "interface {}"},
    {"concat", f_concat, 0, {0}, true, P_ANY, "interface {}"},
    {"chunk", f_chunk, 2, {P_INT, P_ANY}, false, 0, "[][]interface {}"},
    {"mustChunk", f_chunk, 2, {P_INT, P_ANY}, false, 0, "[][]interface {}"},
    {"until", f_until, 1, {P_INT}, false, 0, "[]int"},
    {"untilStep", f_untilstep, 3, {P_INT, P_INT, P_INT}, false, 0, "[]int"},
    {"seq", f_seq, 0, {0}, true, P_INT, "string"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

const tfunc tmpl_funcs_dict[] = {
    {"dict", f_dict, 0, {0}, true, P_ANY, "map[string]interface {}"},
    {"get", f_get, 2, {P_MAP, P_STR}, false, 0, "interface {}"},
    {"set", f_set, 3, {P_MAP, P_STR, P_ANY}, false, 0, "map[string]interface {}"},
    {"unset", f_unset, 2, {P_MAP, P_STR}, false, 0, "map[string]interface {}"},
    {"hasKey", f_haskey, 2, {P_MAP, P_STR}, false, 0, "bool"},
    {"pluck", f_pluck, 1, {P_STR}, true, P_MAP, "[]interface {}"},
    {"keys", f_keys, 0, {0}, true, P_MAP, "[]string"},
    {"values", f_values, 1, {P_MAP}, false, 0, "[]interface {}"},
    {"pick", f_pick, 1, {P_MAP}, true, P_STR, "map[string]interface {}"},
    {"omit", f_omit, 1, {P_MAP}, true, P_STR, "map[string]interface {}"},
    {"merge", f_merge, 1, {P_MAP}, true, P_MAP, "interface {}"},
    {"mustMerge", f_merge, 1, {P_MAP}, true, P_MAP, "interface {}"},
    {"mergeOverwrite", f_mergeoverwrite, 1, {P_MAP}, true, P_MAP, "interface {}"},
    {"mustMergeOverwrite", f_mergeoverwrite, 1, {P_MAP}, true, P_MAP, "interface {}"},
    {"deepCopy", f_deepcopy, 1, {P_ANY}, false, 0, "interface {}"},
    {"mustDeepCopy", f_mustdeepcopy, 1, {P_ANY}, false, 0, "interface {}"},
    {"dig", f_dig, 0, {0}, true, P_ANY, "interface {}"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

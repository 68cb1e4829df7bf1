/* Heap (arena) and the dynamic value model. */
#include "engine/gotmpl/tmpl_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define CHUNK (64 * 1024)
#define BIG (CHUNK / 4)

typedef struct hchunk {
  struct hchunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} hchunk;

struct tmpl_heap {
  hchunk *cur;
  hchunk *big; /* large allocations, each its own chunk */
  size_t used, max;
};

tval tv_invalid_v = {.kind = TMPL_INVALID};

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "gotmpl: out of memory (%zu bytes)\n", n);
    abort();
  }
  return p;
}

tmpl_heap *tmpl_heap_new(size_t max_bytes) {
  tmpl_heap *h = calloc(1, sizeof *h);
  if (h) h->max = max_bytes;
  return h;
}

void tmpl_heap_free(tmpl_heap *h) {
  if (!h) return;
  for (hchunk *c = h->cur, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  for (hchunk *c = h->big, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  free(h);
}

size_t tmpl_heap_used(const tmpl_heap *h) {
  return h ? h->used : 0;
}
int th_over_limit(const tmpl_heap *h) {
  return h->max && h->used > h->max;
}

void *th_alloc(tmpl_heap *h, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (n == 0) n = 16;
  h->used += n;
  if (n >= BIG) {
    hchunk *c = xmalloc(sizeof *c + n);
    c->used = c->cap = n;
    c->next = h->big;
    h->big = c;
    memset(c->data, 0, n);
    return c->data;
  }
  if (!h->cur || h->cur->cap - h->cur->used < n) {
    hchunk *c = xmalloc(sizeof *c + CHUNK);
    c->used = 0;
    c->cap = CHUNK;
    c->next = h->cur;
    h->cur = c;
  }
  void *p = h->cur->data + h->cur->used;
  h->cur->used += n;
  memset(p, 0, n);
  return p;
}

char *th_strndup(tmpl_heap *h, const char *s, size_t n) {
  char *p = th_alloc(h, n + 1);
  if (n) memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *th_strdup(tmpl_heap *h, const char *s) {
  return th_strndup(h, s, strlen(s));
}

/* ---------------- string builder ---------------- */
void sb_grow(sb *b, size_t need) {
  if (b->n + need + 1 <= b->cap) return;
  size_t nc = b->cap ? b->cap * 2 : 64;
  while (nc < b->n + need + 1)
    nc *= 2;
  char *p = realloc(b->p, nc);
  if (!p) {
    fprintf(stderr, "gotmpl: out of memory\n");
    abort();
  }
  b->p = p;
  b->cap = nc;
}
void sb_putn(sb *b, const char *s, size_t n) {
  sb_grow(b, n);
  if (n) memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
void sb_puts(sb *b, const char *s) {
  sb_putn(b, s, strlen(s));
}
void sb_putc(sb *b, char c) {
  sb_putn(b, &c, 1);
}
void sb_printf(sb *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) {
    sb_putn(b, tmp, (size_t)n);
    return;
  }
  sb_grow(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}
void sb_vprintf(sb *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  sb_grow(b, (size_t)n);
  vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
  b->n += (size_t)n;
}

void sb_free(sb *b) {
  free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}
tval *sb_to_val(tmpl_heap *h, sb *b) {
  tval *v = tv_str(h, b->p ? b->p : "", b->n);
  sb_free(b);
  return v;
}

void tmpl_buf_free(tmpl_buf *b) {
  if (!b) return;
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* ---------------- constructors ---------------- */
tval *tv_new(tmpl_heap *h, int kind) {
  tval *v = th_alloc(h, sizeof *v);
  v->kind = (uint8_t)kind;
  return v;
}
tval *tv_str(tmpl_heap *h, const char *s, size_t n) {
  tval *v = tv_new(h, TMPL_STRING);
  v->u.s.p = th_strndup(h, s ? s : "", s ? n : 0);
  v->u.s.n = s ? n : 0;
  return v;
}
tval *tv_cstr(tmpl_heap *h, const char *s) {
  return tv_str(h, s, s ? strlen(s) : 0);
}
tval *tv_int(tmpl_heap *h, int64_t i) {
  tval *v = tv_new(h, TMPL_INT);
  v->u.i = i;
  v->tname = "int";
  return v;
}
tval *tv_i64(tmpl_heap *h, int64_t i) {
  tval *v = tv_new(h, TMPL_INT);
  v->u.i = i;
  return v;
}
tval *tv_float(tmpl_heap *h, double f) {
  tval *v = tv_new(h, TMPL_FLOAT);
  v->u.f = f;
  return v;
}
tval *tv_bool(tmpl_heap *h, int b) {
  tval *v = tv_new(h, TMPL_BOOL);
  v->u.b = b != 0;
  return v;
}
tval *tv_nil(tmpl_heap *h) {
  return tv_new(h, TMPL_NIL);
}
tval *tv_list(tmpl_heap *h, size_t cap) {
  tval *v = tv_new(h, TMPL_LIST);
  v->u.l = th_alloc(h, sizeof(tlist));
  v->u.l->h = h;
  if (cap) {
    v->u.l->v = th_alloc(h, cap * sizeof(tval *));
    v->u.l->cap = cap;
  }
  return v;
}
tval *tv_strlist(tmpl_heap *h, size_t cap) {
  tval *v = tv_list(h, cap);
  v->tname = "[]string";
  return v;
}
tval *tv_map(tmpl_heap *h) {
  tval *v = tv_new(h, TMPL_MAP);
  v->u.m = th_alloc(h, sizeof(tmap));
  v->u.m->h = h;
  return v;
}

void tl_push(tmpl_heap *h, tval *list, tval *item) {
  tlist *l = list->u.l;
  if (l->n == l->cap) {
    size_t nc = l->cap ? l->cap * 2 : 4;
    tval **nv = th_alloc(h, nc * sizeof *nv);
    if (l->n) memcpy(nv, l->v, l->n * sizeof *nv);
    l->v = nv;
    l->cap = nc;
  }
  l->v[l->n++] = item;
}

static int keycmp(const char *a, size_t al, const char *b, size_t bl) {
  size_t m = al < bl ? al : bl;
  int c = memcmp(a, b, m);
  if (c) return c;
  return al < bl ? -1 : al > bl;
}

long tm_find(const tmap *m, const char *k, size_t kl, int *found) {
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = keycmp(m->k[mid], m->kl[mid], k, kl);
    if (c == 0) {
      *found = 1;
      return (long)mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = 0;
  return (long)lo;
}

__thread uint64_t tmpl_map_work;

static int entry_cmp(const void *a, const void *b) {
  const tm_entry *x = a, *y = b;
  int c = keycmp(x->k, x->kl, y->k, y->kl);
  if (c) return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void tm_bulk(tmpl_heap *h, tval *map, tm_entry *e, size_t n) {
  if (map->u.m->n || map->kind == TMPL_STRUCT) {
    for (size_t i = 0; i < n; i++)
      tm_set(h, map, e[i].k, e[i].kl, e[i].v);
    return;
  }
  if (n == 0) return;
  for (size_t i = 0; i < n; i++)
    e[i].seq = i;
  qsort(e, n, sizeof *e, entry_cmp);
  tmap *m = map->u.m;
  size_t cap = n ? n : 1;
  m->k = th_alloc(h, cap * sizeof *m->k);
  m->kl = th_alloc(h, cap * sizeof *m->kl);
  m->v = th_alloc(h, cap * sizeof *m->v);
  m->cap = cap;
  m->n = 0;
  for (size_t i = 0; i < n; i++) {
    if (i + 1 < n && keycmp(e[i].k, e[i].kl, e[i + 1].k, e[i + 1].kl) == 0)
      continue; /* a later duplicate wins */
    m->k[m->n] = th_strndup(h, e[i].k, e[i].kl);
    m->kl[m->n] = e[i].kl;
    m->v[m->n] = e[i].v;
    m->n++;
  }
}

void tm_set(tmpl_heap *h, tval *map, const char *k, size_t kl, tval *v) {
  tmap *m = map->u.m;
  int found;
  long i = tm_find(m, k, kl, &found);
  if (found) {
    m->v[i] = v;
    return;
  }
  if (m->n == m->cap) {
    size_t nc = m->cap ? m->cap * 2 : 8;
    char **nk = th_alloc(h, nc * sizeof *nk);
    size_t *nkl = th_alloc(h, nc * sizeof *nkl);
    tval **nv = th_alloc(h, nc * sizeof *nv);
    if (m->n) {
      memcpy(nk, m->k, m->n * sizeof *nk);
      memcpy(nkl, m->kl, m->n * sizeof *nkl);
      memcpy(nv, m->v, m->n * sizeof *nv);
    }
    m->k = nk;
    m->kl = nkl;
    m->v = nv;
    m->cap = nc;
  }
  size_t at = (size_t)i;
  tmpl_map_work += m->n - at;
  memmove(m->k + at + 1, m->k + at, (m->n - at) * sizeof *m->k);
  memmove(m->kl + at + 1, m->kl + at, (m->n - at) * sizeof *m->kl);
  memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof *m->v);
  m->k[at] = th_strndup(h, k, kl);
  m->kl[at] = kl;
  m->v[at] = v;
  m->n++;
  if (map->kind == TMPL_STRUCT) {
    if (m->nord == m->capord) {
      size_t nc = m->capord ? m->capord * 2 : 8;
      char **no = th_alloc(h, nc * sizeof *no);
      if (m->nord) memcpy(no, m->ord, m->nord * sizeof *no);
      m->ord = no;
      m->capord = nc;
    }
    m->ord[m->nord++] = m->k[at];
  }
}

tval *tm_get(const tval *map, const char *k, size_t kl) {
  if (!map || (map->kind != TMPL_MAP && map->kind != TMPL_STRUCT)) return NULL;
  int found;
  long i = tm_find(map->u.m, k, kl, &found);
  return found ? map->u.m->v[i] : NULL;
}

int tm_del(tval *map, const char *k, size_t kl) {
  tmap *m = map->u.m;
  int found;
  long i = tm_find(m, k, kl, &found);
  if (!found) return 0;
  size_t at = (size_t)i;
  tmpl_map_work += m->n - at;
  memmove(m->k + at, m->k + at + 1, (m->n - at - 1) * sizeof *m->k);
  memmove(m->kl + at, m->kl + at + 1, (m->n - at - 1) * sizeof *m->kl);
  memmove(m->v + at, m->v + at + 1, (m->n - at - 1) * sizeof *m->v);
  m->n--;
  return 1;
}

tmethod *tv_find_method(const tval *v, const char *name) {
  for (tmethod *m = v ? v->methods : NULL; m; m = m->next)
    if (!strcmp(m->name, name)) return m;
  return NULL;
}

/* ---------------- type names ---------------- */
const char *tv_type(const tval *v) {
  if (!v) return "<nil>";
  if (v->tname) return v->tname;
  switch (v->kind) {
  case TMPL_INVALID:
  case TMPL_NIL:
    return "<nil>";
  case TMPL_BOOL:
    return "bool";
  case TMPL_INT:
    return "int64";
  case TMPL_FLOAT:
    return "float64";
  case TMPL_STRING:
    return "string";
  case TMPL_BYTES:
    return "[]uint8";
  case TMPL_LIST:
    return "[]interface {}";
  case TMPL_MAP:
    return "map[string]interface {}";
  default:
    return "struct {}";
  }
}

const char *tv_kindname(const tval *v) {
  if (!v) return "invalid";
  switch (v->kind) {
  case TMPL_INVALID:
  case TMPL_NIL:
    return "invalid";
  case TMPL_BOOL:
    return "bool";
  case TMPL_INT: {
    const char *t = tv_type(v);
    static const char *ks[] = {"int",   "int8",   "int16",  "int32",  "int64",  "uint",
                               "uint8", "uint16", "uint32", "uint64", "uintptr"};
    for (size_t i = 0; i < sizeof ks / sizeof *ks; i++)
      if (!strcmp(t, ks[i])) return ks[i];
    return "int64";
  }
  case TMPL_FLOAT:
    return "float64";
  case TMPL_STRING:
    return "string";
  case TMPL_BYTES:
  case TMPL_LIST:
    return "slice";
  case TMPL_MAP:
    return "map";
  case TMPL_STRUCT:
    return v->tname && v->tname[0] == '*' ? "ptr" : "struct";
  default:
    return "struct";
  }
}

bool tv_is_intkind(const tval *v) {
  return v && v->kind == TMPL_INT;
}
bool tv_is_strlist(const tval *v) {
  return v && v->kind == TMPL_LIST && v->tname && !strcmp(v->tname, "[]string");
}

bool tv_truth(const tval *v) {
  if (!v) return false;
  switch (v->kind) {
  case TMPL_INVALID:
  case TMPL_NIL:
    return false;
  case TMPL_BOOL:
    return v->u.b;
  case TMPL_INT:
    return v->u.i != 0;
  case TMPL_FLOAT:
    return v->u.f != 0;
  case TMPL_STRING:
  case TMPL_BYTES:
    return v->u.s.n > 0;
  case TMPL_LIST:
    return v->u.l->n > 0;
  case TMPL_MAP:
    return v->u.m->n > 0;
  default:
    return true;
  }
}

tval *tv_shallow_copy_map(tmpl_heap *h, const tval *m) {
  tval *r = tv_map(h);
  r->tname = m->tname;
  for (size_t i = 0; i < m->u.m->n; i++)
    tm_set(h, r, m->u.m->k[i], m->u.m->kl[i], m->u.m->v[i]);
  return r;
}

/* budgets bound the work on cyclic or heavily shared structures */
static tval *deep_copy_d(tmpl_heap *h, const tval *v, int depth, long *budget);
tval *tv_deep_copy(tmpl_heap *h, const tval *v) {
  long budget = 10000000;
  return deep_copy_d(h, v, 0, &budget);
}

static tval *deep_copy_d(tmpl_heap *h, const tval *v, int depth, long *budget) {
  if (!v) return NULL;
  if (depth > 1000 || --*budget < 0 || th_over_limit(h)) return (tval *)v;
  switch (v->kind) {
  case TMPL_LIST: {
    tval *r = tv_list(h, v->u.l->n);
    r->tname = v->tname;
    for (size_t i = 0; i < v->u.l->n; i++)
      tl_push(h, r, deep_copy_d(h, v->u.l->v[i], depth + 1, budget));
    return r;
  }
  case TMPL_MAP: {
    tval *r = tv_map(h);
    r->tname = v->tname;
    r->methods = v->methods;
    for (size_t i = 0; i < v->u.m->n; i++)
      tm_set(h, r, v->u.m->k[i], v->u.m->kl[i], deep_copy_d(h, v->u.m->v[i], depth + 1, budget));
    return r;
  }
  default:
    return (tval *)v;
  }
}

static bool deep_equal_d(const tval *a, const tval *b, int depth, long *budget);
bool tv_deep_equal(const tval *a, const tval *b) {
  long budget = 10000000;
  return deep_equal_d(a, b, 0, &budget);
}

static bool deep_equal_d(const tval *a, const tval *b, int depth, long *budget) {
  if (a == b) return true;
  if (depth > 1000 || --*budget < 0) return false;
  int ak = a ? a->kind : TMPL_INVALID, bk = b ? b->kind : TMPL_INVALID;
  if (ak == TMPL_INVALID || ak == TMPL_NIL) return bk == TMPL_INVALID || bk == TMPL_NIL;
  if (ak != bk || strcmp(tv_type(a), tv_type(b))) return false;
  switch (ak) {
  case TMPL_BOOL:
    return a->u.b == b->u.b;
  case TMPL_INT:
    return a->u.i == b->u.i;
  case TMPL_FLOAT:
    return a->u.f == b->u.f;
  case TMPL_STRING:
  case TMPL_BYTES:
    return a->u.s.n == b->u.s.n && !memcmp(a->u.s.p, b->u.s.p, a->u.s.n);
  case TMPL_LIST:
    if (a->u.l->n != b->u.l->n) return false;
    for (size_t i = 0; i < a->u.l->n; i++)
      if (!deep_equal_d(a->u.l->v[i], b->u.l->v[i], depth + 1, budget)) return false;
    return true;
  case TMPL_MAP:
  case TMPL_STRUCT:
    if (a->u.m->n != b->u.m->n) return false;
    for (size_t i = 0; i < a->u.m->n; i++)
      if (a->u.m->kl[i] != b->u.m->kl[i] || memcmp(a->u.m->k[i], b->u.m->k[i], a->u.m->kl[i]) ||
          !deep_equal_d(a->u.m->v[i], b->u.m->v[i], depth + 1, budget))
        return false;
    return true;
  }
  return a == b;
}

bool tv_as_list(const tval *v, tval ***items, size_t *n) {
  if (!v || v->kind != TMPL_LIST) return false;
  *items = v->u.l->v;
  *n = v->u.l->n;
  return true;
}

/* ---------------- public API ---------------- */
tmpl_value *tmpl_nil(tmpl_heap *h) {
  return tv_nil(h);
}
tmpl_value *tmpl_bool(tmpl_heap *h, int b) {
  return tv_bool(h, b);
}
tmpl_value *tmpl_int64(tmpl_heap *h, int64_t i) {
  return tv_i64(h, i);
}
tmpl_value *tmpl_int(tmpl_heap *h, int64_t i) {
  return tv_int(h, i);
}
tmpl_value *tmpl_float(tmpl_heap *h, double f) {
  return tv_float(h, f);
}
tmpl_value *tmpl_string(tmpl_heap *h, const char *s) {
  return tv_cstr(h, s);
}
tmpl_value *tmpl_stringn(tmpl_heap *h, const char *s, size_t n) {
  return tv_str(h, s, n);
}
tmpl_value *tmpl_bytes(tmpl_heap *h, const void *p, size_t n) {
  tval *v = tv_str(h, p, n);
  v->kind = TMPL_BYTES;
  return v;
}
tmpl_value *tmpl_list(tmpl_heap *h) {
  return tv_list(h, 0);
}
tmpl_value *tmpl_map(tmpl_heap *h) {
  return tv_map(h);
}
tmpl_value *tmpl_struct(tmpl_heap *h, const char *type_name) {
  tval *v = tv_map(h);
  v->kind = TMPL_STRUCT;
  v->tname = th_strdup(h, type_name ? type_name : "struct {}");
  return v;
}

/* Type names are stored in the value; callers' strings are copied into a
 * small static intern table (few distinct names exist). */
static const char *intern_type(const char *s) {
  static const char *known[] = {"int",
                                "int64",
                                "int32",
                                "int16",
                                "int8",
                                "uint",
                                "uint8",
                                "uint16",
                                "uint32",
                                "uint64",
                                "float64",
                                "string",
                                "bool",
                                "[]string",
                                "[]interface {}",
                                "map[string]interface {}",
                                "map[string]string",
                                "chartutil.Values",
                                "chartutil.VersionSet",
                                "engine.files",
                                "[]uint8"};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++)
    if (!strcmp(known[i], s)) return known[i];
  return NULL;
}

void tmpl_set_type_name(tmpl_value *v, const char *type_name) {
  if (!v || v == TV_INVALID) return;
  const char *t = type_name ? intern_type(type_name) : NULL;
  static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mu);
  if (!t && type_name) {
    t = strdup(type_name); /* rare; intentionally process-lifetime */
    static char *keep[64];
    static int nkeep;
    for (int i = 0; i < nkeep; i++)
      if (!strcmp(keep[i], type_name)) {
        free((void *)t);
        t = keep[i];
        goto done;
      }
    if (nkeep < 64) keep[nkeep++] = (char *)t;
  }
done:
  pthread_mutex_unlock(&mu);
  v->tname = t;
}
const char *tmpl_type_name(const tmpl_value *v) {
  return tv_type(v);
}
tmpl_kind tmpl_kind_of(const tmpl_value *v) {
  return v ? (tmpl_kind)v->kind : TMPL_INVALID;
}
int tmpl_get_bool(const tmpl_value *v) {
  return v && v->kind == TMPL_BOOL ? v->u.b : 0;
}
int64_t tmpl_get_int(const tmpl_value *v) {
  if (!v) return 0;
  if (v->kind == TMPL_INT) return v->u.i;
  if (v->kind == TMPL_FLOAT) return (int64_t)v->u.f;
  return 0;
}
double tmpl_get_float(const tmpl_value *v) {
  if (!v) return 0;
  if (v->kind == TMPL_FLOAT) return v->u.f;
  if (v->kind == TMPL_INT) return (double)v->u.i;
  return 0;
}
const char *tmpl_get_string(const tmpl_value *v, size_t *len) {
  if (!v || (v->kind != TMPL_STRING && v->kind != TMPL_BYTES)) {
    if (len) *len = 0;
    return NULL;
  }
  if (len) *len = v->u.s.n;
  return v->u.s.p;
}

int tmpl_list_append(tmpl_value *list, tmpl_value *item) {
  if (!list || list->kind != TMPL_LIST || !item) return TMPL_EINVALID;
  tl_push(list->u.l->h, list, item);
  return 0;
}
int tmpl_map_set(tmpl_value *map, const char *key, tmpl_value *val) {
  if (!map || (map->kind != TMPL_MAP && map->kind != TMPL_STRUCT) || !key || !val)
    return TMPL_EINVALID;
  tm_set(map->u.m->h, map, key, strlen(key), val);
  return 0;
}
size_t tmpl_list_len(const tmpl_value *list) {
  return list && list->kind == TMPL_LIST ? list->u.l->n : 0;
}
tmpl_value *tmpl_list_get(const tmpl_value *list, size_t i) {
  return list && list->kind == TMPL_LIST && i < list->u.l->n ? list->u.l->v[i] : NULL;
}
size_t tmpl_map_len(const tmpl_value *map) {
  return map && (map->kind == TMPL_MAP || map->kind == TMPL_STRUCT) ? map->u.m->n : 0;
}
const char *tmpl_map_key_sorted(const tmpl_value *map, size_t i) {
  return i < tmpl_map_len(map) ? map->u.m->k[i] : NULL;
}
tmpl_value *tmpl_map_get(const tmpl_value *map, const char *key) {
  return key ? tm_get(map, key, strlen(key)) : NULL;
}
int tmpl_map_delete(tmpl_value *map, const char *key) {
  if (!map || (map->kind != TMPL_MAP && map->kind != TMPL_STRUCT) || !key) return TMPL_EINVALID;
  tm_del(map, key, strlen(key));
  return 0;
}

/* snprintf into a fixed buffer without -Wformat-truncation noise */
void tmpl_msgf(char *dst, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst, cap, fmt, ap);
  va_end(ap);
}

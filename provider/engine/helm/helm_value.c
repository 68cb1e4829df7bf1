/* helm_value: Helm's values as a tree (maps sorted by key). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

static helm_value *vnew(helm_vtype t) {
  helm_value *v = calloc(1, sizeof *v);
  if (v) v->type = t;
  return v;
}

helm_value *helm_value_null(void) {
  return vnew(HELM_NULL);
}

helm_value *helm_value_bool(int b) {
  helm_value *v = vnew(HELM_BOOL);
  if (v) v->u.b = b ? 1 : 0;
  return v;
}

helm_value *helm_value_int(int64_t i) {
  helm_value *v = vnew(HELM_INT);
  if (v) v->u.i = i;
  return v;
}

helm_value *helm_value_float(double f) {
  helm_value *v = vnew(HELM_FLOAT);
  if (v) v->u.f = f;
  return v;
}

helm_value *helm_value_stringn(const char *s, size_t n) {
  helm_value *v = vnew(HELM_STRING);
  if (!v) return NULL;
  v->u.str.s = helm_strndup(s ? s : "", s ? n : 0);
  if (!v->u.str.s) {
    free(v);
    return NULL;
  }
  v->u.str.len = s ? n : 0;
  return v;
}

helm_value *helm_value_string(const char *s) {
  return helm_value_stringn(s, s ? strlen(s) : 0);
}
helm_value *helm_value_list(void) {
  return vnew(HELM_LIST);
}
helm_value *helm_value_map(void) {
  return vnew(HELM_MAP);
}

void helm_value_free(helm_value *v) {
  if (!v) return;
  switch (v->type) {
  case HELM_STRING:
    free(v->u.str.s);
    break;
  case HELM_LIST:
    for (size_t i = 0; i < v->u.list.n; i++)
      helm_value_free(v->u.list.items[i]);
    free(v->u.list.items);
    break;
  case HELM_MAP:
    for (size_t i = 0; i < v->u.map.n; i++) {
      free(v->u.map.keys[i]);
      helm_value_free(v->u.map.vals[i]);
    }
    free(v->u.map.keys);
    free(v->u.map.vals);
    break;
  default:
    break;
  }
  free(v);
}

helm_value *helm_value_copy(const helm_value *v) {
  if (!v) return NULL;
  switch (v->type) {
  case HELM_NULL:
    return helm_value_null();
  case HELM_BOOL:
    return helm_value_bool(v->u.b);
  case HELM_INT:
    return helm_value_int(v->u.i);
  case HELM_FLOAT:
    return helm_value_float(v->u.f);
  case HELM_STRING:
    return helm_value_stringn(v->u.str.s, v->u.str.len);
  case HELM_LIST: {
    helm_value *l = helm_value_list();
    if (!l) return NULL;
    for (size_t i = 0; i < v->u.list.n; i++) {
      helm_value *c = helm_value_copy(v->u.list.items[i]);
      if (!c || helm_list_append(l, c) != 0) {
        helm_value_free(c);
        helm_value_free(l);
        return NULL;
      }
    }
    return l;
  }
  case HELM_MAP: {
    helm_value *m = helm_value_map();
    if (!m) return NULL;
    m->u.map.keys = malloc(sizeof(char *) * (v->u.map.n + 1));
    m->u.map.vals = malloc(sizeof(helm_value *) * (v->u.map.n + 1));
    if (!m->u.map.keys || !m->u.map.vals) {
      helm_value_free(m);
      return NULL;
    }
    m->u.map.cap = v->u.map.n + 1;
    for (size_t i = 0; i < v->u.map.n; i++) {
      char *k = helm_strdup(v->u.map.keys[i]);
      helm_value *c = helm_value_copy(v->u.map.vals[i]);
      if (!k || !c) {
        free(k);
        helm_value_free(c);
        helm_value_free(m);
        return NULL;
      }
      m->u.map.keys[i] = k;
      m->u.map.vals[i] = c;
      m->u.map.n = i + 1;
    }
    return m;
  }
  }
  return NULL;
}

int helm_value_equal(const helm_value *a, const helm_value *b) {
  if (!a || !b) return a == b;
  if (a->type != b->type) {
    /* numbers compare by value across int/float (JSON view) */
    if ((a->type == HELM_INT || a->type == HELM_FLOAT) &&
        (b->type == HELM_INT || b->type == HELM_FLOAT)) {
      double x = a->type == HELM_INT ? (double)a->u.i : a->u.f;
      double y = b->type == HELM_INT ? (double)b->u.i : b->u.f;
      return x == y;
    }
    return 0;
  }
  switch (a->type) {
  case HELM_NULL:
    return 1;
  case HELM_BOOL:
    return a->u.b == b->u.b;
  case HELM_INT:
    return a->u.i == b->u.i;
  case HELM_FLOAT:
    return a->u.f == b->u.f;
  case HELM_STRING:
    return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
  case HELM_LIST:
    if (a->u.list.n != b->u.list.n) return 0;
    for (size_t i = 0; i < a->u.list.n; i++)
      if (!helm_value_equal(a->u.list.items[i], b->u.list.items[i])) return 0;
    return 1;
  case HELM_MAP:
    if (a->u.map.n != b->u.map.n) return 0;
    for (size_t i = 0; i < a->u.map.n; i++)
      if (strcmp(a->u.map.keys[i], b->u.map.keys[i]) != 0 ||
          !helm_value_equal(a->u.map.vals[i], b->u.map.vals[i]))
        return 0;
    return 1;
  }
  return 0;
}

/* Binary search: index of key, or -(insertion point)-1. */
static long map_find(const helm_value *m, const char *key) {
  size_t lo = 0, hi = m->u.map.n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(m->u.map.keys[mid], key);
    if (c == 0) return (long)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -(long)lo - 1;
}

helm_value *helm_map_get(const helm_value *map, const char *key) {
  if (!map || map->type != HELM_MAP) return NULL;
  long i = map_find(map, key);
  return i >= 0 ? map->u.map.vals[i] : NULL;
}

int helm_map_set(helm_value *map, const char *key, helm_value *val) {
  if (!map || map->type != HELM_MAP || !val) return HELM_EINVALID;
  long i = map_find(map, key);
  if (i >= 0) {
    if (map->u.map.vals[i] != val) helm_value_free(map->u.map.vals[i]);
    map->u.map.vals[i] = val;
    return 0;
  }
  size_t at = (size_t)(-i - 1);
  if (map->u.map.n == map->u.map.cap) {
    size_t nc = map->u.map.cap ? map->u.map.cap * 2 : 4;
    char **k = realloc(map->u.map.keys, nc * sizeof *k);
    if (!k) return HELM_ENOMEM;
    map->u.map.keys = k;
    helm_value **v = realloc(map->u.map.vals, nc * sizeof *v);
    if (!v) return HELM_ENOMEM;
    map->u.map.vals = v;
    map->u.map.cap = nc;
  }
  char *kc = helm_strdup(key);
  if (!kc) return HELM_ENOMEM;
  memmove(map->u.map.keys + at + 1, map->u.map.keys + at, (map->u.map.n - at) * sizeof(char *));
  memmove(map->u.map.vals + at + 1, map->u.map.vals + at,
          (map->u.map.n - at) * sizeof(helm_value *));
  map->u.map.keys[at] = kc;
  map->u.map.vals[at] = val;
  map->u.map.n++;
  return 0;
}

helm_value *helm_map_take(helm_value *map, const char *key) {
  if (!map || map->type != HELM_MAP) return NULL;
  long i = map_find(map, key);
  if (i < 0) return NULL;
  helm_value *v = map->u.map.vals[i];
  free(map->u.map.keys[i]);
  size_t at = (size_t)i;
  memmove(map->u.map.keys + at, map->u.map.keys + at + 1, (map->u.map.n - at - 1) * sizeof(char *));
  memmove(map->u.map.vals + at, map->u.map.vals + at + 1,
          (map->u.map.n - at - 1) * sizeof(helm_value *));
  map->u.map.n--;
  return v;
}

int helm_map_delete(helm_value *map, const char *key) {
  helm_value *v = helm_map_take(map, key);
  if (!v) return HELM_ENOTFOUND;
  helm_value_free(v);
  return 0;
}

helm_value *helm_map_path(const helm_value *map, const char *dotted) {
  const helm_value *cur = map;
  const char *p = dotted;
  while (cur && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    char key[512];
    if (n >= sizeof key) return NULL;
    memcpy(key, p, n);
    key[n] = 0;
    cur = helm_map_get(cur, key);
    p += n;
    if (*p == '.') p++;
  }
  return (helm_value *)cur;
}

int helm_list_append(helm_value *list, helm_value *item) {
  if (!list || list->type != HELM_LIST || !item) return HELM_EINVALID;
  if (list->u.list.n == list->u.list.cap) {
    size_t nc = list->u.list.cap ? list->u.list.cap * 2 : 4;
    helm_value **p = realloc(list->u.list.items, nc * sizeof *p);
    if (!p) return HELM_ENOMEM;
    list->u.list.items = p;
    list->u.list.cap = nc;
  }
  list->u.list.items[list->u.list.n++] = item;
  return 0;
}

const char *helm_value_go_type(const helm_value *v) {
  if (!v) return "<nil>";
  switch (v->type) {
  case HELM_NULL:
    return "<nil>";
  case HELM_BOOL:
    return "bool";
  case HELM_INT:
    return "int64";
  case HELM_FLOAT:
    return "float64";
  case HELM_STRING:
    return "string";
  case HELM_LIST:
    return "[]interface {}";
  case HELM_MAP:
    return "map[string]interface {}";
  }
  return "<nil>";
}

/* ---- JSON output (encoding/json: keys sorted, HTML-safe escaping) ---- */

static void json_str(helm_sb *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  helm_sb_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"':
      helm_sb_puts(b, "\\\"");
      break;
    case '\\':
      helm_sb_puts(b, "\\\\");
      break;
    case '\n':
      helm_sb_puts(b, "\\n");
      break;
    case '\r':
      helm_sb_puts(b, "\\r");
      break;
    case '\t':
      helm_sb_puts(b, "\\t");
      break;
    case '<':
    case '>':
    case '&':
      helm_sb_puts(b, "\\u00");
      helm_sb_putc(b, hex[c >> 4]);
      helm_sb_putc(b, hex[c & 15]);
      break;
    default:
      if (c < 0x20) {
        helm_sb_puts(b, "\\u00");
        helm_sb_putc(b, hex[c >> 4]);
        helm_sb_putc(b, hex[c & 15]);
      } else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
        helm_sb_puts(b, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
        i += 2;
      } else {
        helm_sb_putc(b, (char)c);
      }
    }
  }
  helm_sb_putc(b, '"');
}

static void json_val(helm_sb *b, const helm_value *v) {
  char num[64];
  if (!v) {
    helm_sb_puts(b, "null");
    return;
  }
  switch (v->type) {
  case HELM_NULL:
    helm_sb_puts(b, "null");
    break;
  case HELM_BOOL:
    helm_sb_puts(b, v->u.b ? "true" : "false");
    break;
  case HELM_INT:
    helm_sb_printf(b, "%lld", (long long)v->u.i);
    break;
  case HELM_FLOAT:
    helm_format_float_mode(v->u.f, 1, num, sizeof num);
    helm_sb_puts(b, num);
    break;
  case HELM_STRING:
    json_str(b, v->u.str.s, v->u.str.len);
    break;
  case HELM_LIST:
    helm_sb_putc(b, '[');
    for (size_t i = 0; i < v->u.list.n; i++) {
      if (i) helm_sb_putc(b, ',');
      json_val(b, v->u.list.items[i]);
    }
    helm_sb_putc(b, ']');
    break;
  case HELM_MAP:
    helm_sb_putc(b, '{');
    for (size_t i = 0; i < v->u.map.n; i++) {
      if (i) helm_sb_putc(b, ',');
      json_str(b, v->u.map.keys[i], strlen(v->u.map.keys[i]));
      helm_sb_putc(b, ':');
      json_val(b, v->u.map.vals[i]);
    }
    helm_sb_putc(b, '}');
    break;
  }
}

char *helm_value_to_json(const helm_value *v) {
  helm_sb b = {0};
  json_val(&b, v);
  return helm_sb_take(&b);
}

static void go_fmt(helm_sb *b, const helm_value *v) {
  char num[64];
  if (!v) {
    helm_sb_puts(b, "<nil>");
    return;
  }
  switch (v->type) {
  case HELM_NULL:
    helm_sb_puts(b, "<nil>");
    break;
  case HELM_BOOL:
    helm_sb_puts(b, v->u.b ? "true" : "false");
    break;
  case HELM_INT:
    helm_sb_printf(b, "%lld", (long long)v->u.i);
    break;
  case HELM_FLOAT:
    helm_format_float(v->u.f, num, sizeof num);
    helm_sb_puts(b, num);
    break;
  case HELM_STRING:
    helm_sb_add(b, v->u.str.s, v->u.str.len);
    break;
  case HELM_LIST:
    helm_sb_putc(b, '[');
    for (size_t i = 0; i < v->u.list.n; i++) {
      if (i) helm_sb_putc(b, ' ');
      go_fmt(b, v->u.list.items[i]);
    }
    helm_sb_putc(b, ']');
    break;
  case HELM_MAP:
    helm_sb_puts(b, "map[");
    for (size_t i = 0; i < v->u.map.n; i++) {
      if (i) helm_sb_putc(b, ' ');
      helm_sb_puts(b, v->u.map.keys[i]);
      helm_sb_putc(b, ':');
      go_fmt(b, v->u.map.vals[i]);
    }
    helm_sb_putc(b, ']');
    break;
  }
}

char *helm_value_go_fmt(const helm_value *v) {
  helm_sb b = {0};
  go_fmt(&b, v);
  return helm_sb_take(&b);
}

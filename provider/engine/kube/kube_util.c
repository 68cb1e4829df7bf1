/* Small helpers: strings, time, files, base64, JSON access, a string map. */
#include "engine/kube/kube_internal.h"
#include "engine/manifest/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- kube_buf ---- */

void kube__buf_add(kube_buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

void kube__buf_puts(kube_buf *b, const char *s) {
  if (s) kube__buf_add(b, s, strlen(s));
}

void kube__buf_printf(kube_buf *b, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof(small)) {
    kube__buf_add(b, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) {
    b->oom = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  kube__buf_add(b, big, (size_t)n);
  free(big);
}

char *kube__buf_take(kube_buf *b) {
  char *p = b->p;
  if (b->oom) {
    free(p);
    p = NULL;
  } else if (!p) {
    p = strdup("");
  }
  b->p = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
  return p;
}

void kube__buf_free(kube_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
}

/* ---- strings ---- */

char *kube__strdup(const char *s) {
  return s ? strdup(s) : NULL;
}

char *kube__asprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *out = NULL;
  if (vasprintf(&out, fmt, ap) < 0) out = NULL;
  va_end(ap);
  return out;
}

size_t kube__strv_len(char *const *v) {
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

char **kube__strv_dup(char *const *v) {
  if (!v) return NULL;
  size_t n = kube__strv_len(v);
  char **out = calloc(n + 1, sizeof(char *));
  if (!out) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (!(out[i] = strdup(v[i]))) {
      kube__strv_free(out);
      return NULL;
    }
  }
  return out;
}

void kube__strv_free(char **v) {
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

/* ---- time ---- */

int64_t kube__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kube__wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kube__cancelled(const atomic_int *cancel) {
  return cancel && atomic_load(cancel) != 0;
}

int kube__sleep(int ms, const atomic_int *cancel) {
  int64_t end = kube__now_ms() + ms;
  for (;;) {
    if (kube__cancelled(cancel)) return 1;
    int64_t left = end - kube__now_ms();
    if (left <= 0) return 0;
    if (left > 20) left = 20;
    struct timespec ts = {0, (long)left * 1000000L};
    nanosleep(&ts, NULL);
  }
}

/* RFC 3339: 2006-01-02T15:04:05[.frac](Z|±hh:mm) */
int64_t kube__parse_time(const char *s) {
  if (!s) return -1;
  int Y, M, D, h, m, sec, n = 0;
  if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 || !n)
    return -1;
  const char *p = s + n;
  int64_t frac_ms = 0;
  if (*p == '.') {
    p++;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
      if (digits < 3) frac_ms = frac_ms * 10 + (*p - '0');
      digits++;
      p++;
    }
    for (; digits < 3; digits++)
      frac_ms *= 10;
  }
  int64_t off = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om;
    if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2) return -1;
    off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    p += 6;
  } else {
    return -1;
  }
  if (*p) return -1;
  struct tm tm = {0};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  return ((int64_t)t - off) * 1000 + frac_ms;
}

/* ---- files ---- */

char *kube__expand_home(const char *path) {
  if (!path) return NULL;
  if (path[0] == '~' && (path[1] == '/' || path[1] == 0)) {
    const char *home = getenv("HOME");
    if (home && *home) return kube__asprintf("%s%s", home, path + 1);
  }
  return strdup(path);
}

int kube__read_file(const char *path, char **out, size_t *len, kube_error *err) {
  *out = NULL;
  if (len) *len = 0;
  char *p = kube__expand_home(path);
  if (!p) return kube__set(err, KUBE_ENOMEM, "out of memory");
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    kube__set(err, KUBE_EIO, "cannot read %s: %s", p, strerror(e));
    free(p);
    return KUBE_EIO;
  }
  kube_buf b = {0};
  char chunk[16384];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof(chunk));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      close(fd);
      kube__buf_free(&b);
      kube__set(err, KUBE_EIO, "cannot read %s: %s", p, strerror(e));
      free(p);
      return KUBE_EIO;
    }
    if (r == 0) break;
    kube__buf_add(&b, chunk, (size_t)r);
    if (b.len > 64u << 20) {
      close(fd);
      kube__buf_free(&b);
      kube__set(err, KUBE_ETOOBIG, "%s is larger than 64 MiB", p);
      free(p);
      return KUBE_ETOOBIG;
    }
  }
  close(fd);
  free(p);
  size_t n = b.len;
  *out = kube__buf_take(&b);
  if (!*out) return kube__set(err, KUBE_ENOMEM, "out of memory");
  if (len) *len = n;
  return 0;
}

/* ---- base64 ---- */

static int b64val(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

int kube__b64_decode(const char *in, char **out, size_t *len) {
  size_t n = strlen(in);
  char *o = malloc(n / 4 * 3 + 4);
  if (!o) return -1;
  unsigned acc = 0;
  int bits = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int c = (unsigned char)in[i];
    if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = b64val(c);
    if (v < 0) {
      free(o);
      return -1;
    }
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[k++] = (char)((acc >> bits) & 0xff);
    }
  }
  o[k] = 0;
  *out = o;
  if (len) *len = k;
  return 0;
}

char *kube__b64_encode(const void *in, size_t len) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *s = in;
  char *o = malloc((len + 2) / 3 * 4 + 1);
  if (!o) return NULL;
  size_t k = 0, i = 0;
  for (; i + 2 < len; i += 3) {
    unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
    o[k++] = tab[v >> 18];
    o[k++] = tab[(v >> 12) & 63];
    o[k++] = tab[(v >> 6) & 63];
    o[k++] = tab[v & 63];
  }
  if (i < len) {
    unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0);
    o[k++] = tab[v >> 18];
    o[k++] = tab[(v >> 12) & 63];
    o[k++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
    o[k++] = '=';
  }
  o[k] = 0;
  return o;
}

char *kube__url_escape(const char *s) {
  kube_buf b = {0};
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '.' || *p == '_' || *p == '~')
      kube__buf_add(&b, (const char *)p, 1);
    else
      kube__buf_printf(&b, "%%%02X", *p);
  }
  return kube__buf_take(&b);
}

void kube__ptr_add(kube_buf *b, const char *token) {
  kube__buf_add(b, "/", 1);
  for (const char *p = token; *p; p++) {
    if (*p == '~')
      kube__buf_add(b, "~0", 2);
    else if (*p == '/')
      kube__buf_add(b, "~1", 2);
    else
      kube__buf_add(b, p, 1);
  }
}

/* ---- JSON ---- */

const char *kube__jstr(const cJSON *obj, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *kube__jpath(const cJSON *obj, const char *dotted) {
  const cJSON *cur = obj;
  const char *p = dotted;
  char seg[256];
  while (cur && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof(seg)) return NULL;
    memcpy(seg, p, n);
    seg[n] = 0;
    cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, seg) : NULL;
    p += n + (dot ? 1 : 0);
  }
  return cur;
}

const char *kube__jpath_str(const cJSON *obj, const char *dotted) {
  const cJSON *v = kube__jpath(obj, dotted);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

int kube__is_num(const cJSON *v) {
  return v && mf_is_number(v);
}

double kube__num(const cJSON *v) {
  double d = 0;
  if (mf_number_value(v, &d)) return 0;
  return d;
}

int kube__jpath_int(const cJSON *obj, const char *dotted, long long *out) {
  const cJSON *v = kube__jpath(obj, dotted);
  if (!kube__is_num(v)) return -1;
  *out = (long long)kube__num(v);
  return 0;
}

int kube__jbool(const cJSON *v) {
  if (cJSON_IsTrue(v)) return 1;
  if (cJSON_IsString(v))
    return strcmp(v->valuestring, "true") == 0 || strcmp(v->valuestring, "True") == 0;
  return 0;
}

const char *kube__obj_api_version(const cJSON *o) {
  return kube__jstr(o, "apiVersion");
}

const char *kube__obj_kind(const cJSON *o) {
  return kube__jstr(o, "kind");
}

const char *kube__obj_name(const cJSON *o) {
  return kube__jpath_str(o, "metadata.name");
}

const char *kube__obj_namespace(const cJSON *o) {
  const char *ns = kube__jpath_str(o, "metadata.namespace");
  return ns ? ns : "";
}

void kube__group_of(const char *api_version, char *buf, size_t cap) {
  const char *slash = api_version ? strrchr(api_version, '/') : NULL;
  if (!slash) {
    snprintf(buf, cap, "%s", "");
    return;
  }
  snprintf(buf, cap, "%.*s", (int)(slash - api_version), api_version);
}

const char *kube__version_of(const char *api_version) {
  const char *slash = api_version ? strrchr(api_version, '/') : NULL;
  return slash ? slash + 1 : (api_version ? api_version : "");
}

char *kube__make_key(const char *group, const char *kind, const char *ns, const char *name) {
  return kube__asprintf("%s/%s/%s/%s", group ? group : "", kind ? kind : "", ns ? ns : "",
                        name ? name : "");
}

char *kube_object_key(const cJSON *obj) {
  char buf[1024];
  if (!kube__obj_name(obj) || mf_obj_key(obj, buf, sizeof(buf)) != 0) return NULL;
  return strdup(buf);
}

int kube_key_parse(const char *key, char **group, char **kind, char **ns, char **name,
                   kube_error *err) {
  *group = *kind = *ns = *name = NULL;
  const char *p[4];
  size_t l[4];
  const char *s = key ? key : "";
  for (int i = 0; i < 4; i++) {
    const char *slash = i < 3 ? strchr(s, '/') : NULL;
    if (i < 3 && !slash)
      return kube__set(err, KUBE_EINVALID,
                       "invalid resource key \"%s\": want group/Kind/namespace/name",
                       key ? key : "");
    p[i] = s;
    l[i] = slash ? (size_t)(slash - s) : strlen(s);
    s = slash ? slash + 1 : s + l[i];
  }
  if (!l[1] || !l[3] || memchr(p[3], '/', l[3]))
    return kube__set(err, KUBE_EINVALID,
                     "invalid resource key \"%s\": want group/Kind/namespace/name", key);
  *group = strndup(p[0], l[0]);
  *kind = strndup(p[1], l[1]);
  *ns = strndup(p[2], l[2]);
  *name = strndup(p[3], l[3]);
  if (!*group || !*kind || !*ns || !*name) {
    free(*group), free(*kind), free(*ns), free(*name);
    *group = *kind = *ns = *name = NULL;
    return kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  return 0;
}

/* ---- string map (open addressing, FNV-1a) ---- */

static size_t hash_str(const char *s) {
  size_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static int map_grow(kube_map *m) {
  size_t cap = m->cap ? m->cap * 2 : 64;
  struct kube_map_slot *slots = calloc(cap, sizeof(*slots));
  if (!slots) return -1;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->slots[i].key) continue;
    size_t j = hash_str(m->slots[i].key) & (cap - 1);
    while (slots[j].key)
      j = (j + 1) & (cap - 1);
    slots[j] = m->slots[i];
  }
  free(m->slots);
  m->slots = slots;
  m->cap = cap;
  return 0;
}

int kube__map_put(kube_map *m, const char *key, void *val) {
  if ((m->n + 1) * 2 > m->cap && map_grow(m)) return -1;
  size_t j = hash_str(key) & (m->cap - 1);
  while (m->slots[j].key) {
    if (strcmp(m->slots[j].key, key) == 0) {
      m->slots[j].val = val;
      return 0;
    }
    j = (j + 1) & (m->cap - 1);
  }
  if (!(m->slots[j].key = strdup(key))) return -1;
  m->slots[j].val = val;
  m->n++;
  return 0;
}

void *kube__map_get(const kube_map *m, const char *key) {
  if (!m->cap) return NULL;
  size_t j = hash_str(key) & (m->cap - 1);
  while (m->slots[j].key) {
    if (strcmp(m->slots[j].key, key) == 0) return m->slots[j].val;
    j = (j + 1) & (m->cap - 1);
  }
  return NULL;
}

void kube__map_free(kube_map *m, void (*free_val)(void *)) {
  for (size_t i = 0; i < m->cap; i++) {
    if (m->slots[i].key) {
      free(m->slots[i].key);
      if (free_val) free_val(m->slots[i].val);
    }
  }
  free(m->slots);
  memset(m, 0, sizeof(*m));
}

/* engine/manifest — a small string-keyed hash table (anchors, map keys). */
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_yaml.h"

static size_t hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return (size_t)h;
}

mf_strmap_ent *mf_strmap_get(mf_strmap *m, const char *key, size_t klen) {
  if (!m->nb) return NULL;
  for (mf_strmap_ent *e = m->b[hash(key, klen) % m->nb]; e; e = e->next)
    if (e->klen == klen && memcmp(e->key, key, klen) == 0) return e;
  return NULL;
}

static bool rehash(mf_strmap *m) {
  size_t nb = m->nb ? m->nb * 4 : 16;
  mf_strmap_ent **b = calloc(nb, sizeof(*b));
  if (!b) return false;
  for (size_t i = 0; i < m->nb; i++) {
    mf_strmap_ent *e = m->b[i], *next;
    for (; e; e = next) {
      next = e->next;
      size_t h = hash(e->key, e->klen) % nb;
      e->next = b[h];
      b[h] = e;
    }
  }
  free(m->b);
  m->b = b;
  m->nb = nb;
  return true;
}

mf_strmap_ent *mf_strmap_put(mf_strmap *m, const char *key, size_t klen, bool *created) {
  mf_strmap_ent *e = mf_strmap_get(m, key, klen);
  if (created) *created = e == NULL;
  if (e) return e;
  if (m->count >= m->nb && !rehash(m)) return NULL;
  e = calloc(1, sizeof(*e));
  if (!e) return NULL;
  e->key = malloc(klen + 1);
  if (!e->key) {
    free(e);
    return NULL;
  }
  memcpy(e->key, key, klen);
  e->key[klen] = '\0';
  e->klen = klen;
  size_t h = hash(key, klen) % m->nb;
  e->next = m->b[h];
  m->b[h] = e;
  m->count++;
  return e;
}

void mf_strmap_free(mf_strmap *m) {
  for (size_t i = 0; i < m->nb; i++) {
    mf_strmap_ent *e = m->b[i], *next;
    for (; e; e = next) {
      next = e->next;
      free(e->key);
      free(e);
    }
  }
  free(m->b);
  memset(m, 0, sizeof(*m));
}

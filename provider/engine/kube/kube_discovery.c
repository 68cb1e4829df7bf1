/* Discovery and REST mapping, cached per API server for the whole process.
 * Aggregated discovery (2 requests: /api and /apis as APIGroupDiscoveryList)
 * where the server offers it; else the legacy documents, fetching each
 * group-version's APIResourceList only when a kind of it is looked up. */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCEPT_AGGREGATED                                                                          \
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"                          \
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

/* A lookup miss refreshes discovery unless it was loaded this recently. */
#define MISS_REFRESH_MIN_AGE_MS 1000

typedef struct dres {
  char *kind, *resource;
  int namespaced;
} dres;

typedef struct dgv {
  char *group, *version;
  int fetched; /* resources known (aggregated, or fetched in legacy mode) */
  dres *res;
  size_t n;
} dgv;

struct kube_disco {
  char *key;
  int legacy;
  int ttl_ms;
  pthread_mutex_t mu;
  int loaded;
  int aggregated;
  int64_t loaded_ms;
  dgv *gvs; /* per group, in preference order (first = preferred version) */
  size_t ngvs;
  struct kube_disco *next;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct kube_disco *g_head;

static void tables_clear(struct kube_disco *d) {
  for (size_t i = 0; i < d->ngvs; i++) {
    for (size_t j = 0; j < d->gvs[i].n; j++) {
      free(d->gvs[i].res[j].kind);
      free(d->gvs[i].res[j].resource);
    }
    free(d->gvs[i].res);
    free(d->gvs[i].group);
    free(d->gvs[i].version);
  }
  free(d->gvs);
  d->gvs = NULL;
  d->ngvs = 0;
  d->loaded = 0;
  d->aggregated = 0;
}

struct kube_disco *kube__disco_get(const char *server, int legacy, int ttl_ms) {
  pthread_mutex_lock(&g_mu);
  struct kube_disco *d = g_head;
  for (; d; d = d->next)
    if (d->legacy == !!legacy && strcmp(d->key, server) == 0) break;
  if (!d && (d = calloc(1, sizeof(*d)))) {
    d->key = strdup(server);
    if (!d->key) {
      free(d);
      d = NULL;
    } else {
      d->legacy = !!legacy;
      pthread_mutex_init(&d->mu, NULL);
      d->next = g_head;
      g_head = d;
    }
  }
  if (d) d->ttl_ms = ttl_ms;
  pthread_mutex_unlock(&g_mu);
  return d;
}

void kube__disco_reset_all(void) {
  pthread_mutex_lock(&g_mu);
  while (g_head) {
    struct kube_disco *d = g_head;
    g_head = d->next;
    tables_clear(d);
    pthread_mutex_destroy(&d->mu);
    free(d->key);
    free(d);
  }
  pthread_mutex_unlock(&g_mu);
}

static dgv *add_gv(struct kube_disco *d, const char *group, const char *version) {
  for (size_t i = 0; i < d->ngvs; i++)
    if (!strcmp(d->gvs[i].group, group) && !strcmp(d->gvs[i].version, version)) return &d->gvs[i];
  dgv *n = realloc(d->gvs, (d->ngvs + 1) * sizeof(*n));
  if (!n) return NULL;
  d->gvs = n;
  dgv *g = &d->gvs[d->ngvs];
  memset(g, 0, sizeof(*g));
  g->group = strdup(group);
  g->version = strdup(version);
  if (!g->group || !g->version) {
    free(g->group);
    free(g->version);
    return NULL;
  }
  d->ngvs++;
  return g;
}

static int add_res(dgv *g, const char *kind, const char *resource, int namespaced) {
  dres *n = realloc(g->res, (g->n + 1) * sizeof(*n));
  if (!n) return -1;
  g->res = n;
  n[g->n].kind = strdup(kind);
  n[g->n].resource = strdup(resource);
  n[g->n].namespaced = namespaced;
  if (!n[g->n].kind || !n[g->n].resource) {
    free(n[g->n].kind);
    free(n[g->n].resource);
    return -1;
  }
  g->n++;
  return 0;
}

/* APIGroupDiscoveryList (apidiscovery.k8s.io v2 / v2beta1). */
static int parse_aggregated(struct kube_disco *d, const cJSON *doc) {
  const cJSON *item;
  cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "items")) {
    const char *group = kube__jpath_str(item, "metadata.name");
    if (!group) group = "";
    const cJSON *ver;
    cJSON_ArrayForEach(ver, cJSON_GetObjectItemCaseSensitive(item, "versions")) {
      const char *v = kube__jstr(ver, "version");
      if (!v) continue;
      dgv *g = add_gv(d, group, v);
      if (!g) return -1;
      g->fetched = 1;
      const cJSON *r;
      cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(ver, "resources")) {
        const char *res = kube__jstr(r, "resource");
        const char *kind = kube__jpath_str(r, "responseKind.kind");
        const char *scope = kube__jstr(r, "scope");
        if (res && kind && *kind && add_res(g, kind, res, scope && !strcmp(scope, "Namespaced")))
          return -1;
      }
    }
  }
  return 0;
}

/* /api → APIVersions; /apis → APIGroupList (preferred version first). */
static int parse_legacy(struct kube_disco *d, const cJSON *doc, int core) {
  const cJSON *it;
  if (core) {
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "versions")) {
      if (cJSON_IsString(it) && !add_gv(d, "", it->valuestring)) return -1;
    }
    return 0;
  }
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "groups")) {
    const char *name = kube__jstr(it, "name");
    const char *pref = kube__jpath_str(it, "preferredVersion.version");
    if (!name) continue;
    if (pref && !add_gv(d, name, pref)) return -1;
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(it, "versions")) {
      const char *ver = kube__jstr(v, "version");
      if (ver && !add_gv(d, name, ver)) return -1;
    }
  }
  return 0;
}

static int load(kube_client *c, struct kube_disco *d, const atomic_int *cancel, kube_error *err) {
  tables_clear(d);
  int aggregated = 1;
  for (int core = 1; core >= 0; core--) {
    const char *path = core ? "/api" : "/apis";
    cJSON *doc = NULL;
    char *ct = NULL;
    int rc = kube__get_json(c, path, d->legacy ? "application/json" : ACCEPT_AGGREGATED,
                            KUBE_REQ_DISCOVERY, cancel, &doc, &ct, err);
    if (rc) {
      free(ct);
      tables_clear(d);
      kube__prefix(err, "discovery");
      return rc;
    }
    int agg = ct && strstr(ct, "apidiscovery.k8s.io") && strstr(ct, "APIGroupDiscoveryList");
    const char *kind = kube__jstr(doc, "kind");
    if (!agg && kind && !strcmp(kind, "APIGroupDiscoveryList")) agg = 1;
    aggregated &= agg;
    rc = agg ? parse_aggregated(d, doc) : parse_legacy(d, doc, core);
    free(ct);
    cJSON_Delete(doc);
    if (rc) {
      tables_clear(d);
      return kube__set(err, KUBE_ENOMEM, "out of memory");
    }
  }
  d->loaded = 1;
  d->aggregated = aggregated;
  d->loaded_ms = kube__now_ms();
  return 0;
}

/* Legacy mode: the APIResourceList of one group-version. */
static int fetch_gv(kube_client *c, dgv *g, const atomic_int *cancel, kube_error *err) {
  char *path = g->group[0] ? kube__asprintf("/apis/%s/%s", g->group, g->version)
                           : kube__asprintf("/api/%s", g->version);
  if (!path) return kube__set(err, KUBE_ENOMEM, "out of memory");
  cJSON *doc = NULL;
  int rc = kube__get_json(c, path, "application/json", KUBE_REQ_DISCOVERY, cancel, &doc, NULL, err);
  free(path);
  if (rc == KUBE_ENOTFOUND) { /* group-version went away: nothing served */
    g->fetched = 1;
    return 0;
  }
  if (rc) {
    kube__prefix(err, "discovery");
    return rc;
  }
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "resources")) {
    const char *name = kube__jstr(r, "name"), *kind = kube__jstr(r, "kind");
    if (!name || !kind || strchr(name, '/')) /* subresources */
      continue;
    if (add_res(g, kind, name, kube__jbool(cJSON_GetObjectItemCaseSensitive(r, "namespaced")))) {
      cJSON_Delete(doc);
      return kube__set(err, KUBE_ENOMEM, "out of memory");
    }
  }
  cJSON_Delete(doc);
  g->fetched = 1;
  return 0;
}

static int ensure_loaded(kube_client *c, struct kube_disco *d, const atomic_int *cancel,
                         kube_error *err) {
  if (d->loaded && kube__now_ms() - d->loaded_ms <= d->ttl_ms) return 0;
  return load(c, d, cancel, err);
}

static const dres *find_in(kube_client *c, dgv *g, const char *kind, const atomic_int *cancel,
                           int *rc, kube_error *err) {
  if (!g->fetched && (*rc = fetch_gv(c, g, cancel, err))) return NULL;
  for (size_t i = 0; i < g->n; i++)
    if (!strcmp(g->res[i].kind, kind)) return &g->res[i];
  return NULL;
}

static void fill(kube_mapping *m, const dgv *g, const dres *r) {
  memset(m, 0, sizeof(*m));
  snprintf(m->group, sizeof(m->group), "%s", g->group);
  snprintf(m->version, sizeof(m->version), "%s", g->version);
  snprintf(m->kind, sizeof(m->kind), "%s", r->kind);
  snprintf(m->resource, sizeof(m->resource), "%s", r->resource);
  m->namespaced = r->namespaced;
}

/* version NULL: the group's versions in preference order. */
static int lookup(kube_client *c, const char *group, const char *version, const char *kind,
                  const atomic_int *cancel, kube_mapping *out, kube_error *err) {
  struct kube_disco *d = c->disco;
  pthread_mutex_lock(&d->mu);
  int rc = 0, refreshed = 0, found = 0;
  for (;;) {
    if ((rc = ensure_loaded(c, d, cancel, err))) break;
    for (size_t i = 0; i < d->ngvs && !found && !rc; i++) {
      dgv *g = &d->gvs[i];
      if (strcmp(g->group, group) || (version && strcmp(g->version, version))) continue;
      const dres *r = find_in(c, g, kind, cancel, &rc, err);
      if (r) {
        fill(out, g, r);
        found = 1;
      }
    }
    if (rc || found || refreshed || kube__now_ms() - d->loaded_ms < MISS_REFRESH_MIN_AGE_MS) break;
    d->loaded = 0; /* a CRD may have been created since: look again */
    refreshed = 1;
  }
  pthread_mutex_unlock(&d->mu);
  if (rc) return rc;
  if (!found) {
    if (version)
      return kube__set(err, KUBE_ENOKIND, "no matches for kind \"%s\" in version \"%s%s%s\"", kind,
                       group, *group ? "/" : "", version);
    return kube__set(err, KUBE_ENOKIND, "no matches for kind \"%s\" in group \"%s\"", kind, group);
  }
  return 0;
}

int kube_map_kind(kube_client *c, const char *api_version, const char *kind,
                  const atomic_int *cancel, kube_mapping *out, kube_error *err) {
  if (!api_version || !*api_version || !kind || !*kind)
    return kube__set(err, KUBE_EINVALID, "apiVersion and kind are required");
  char group[256];
  kube__group_of(api_version, group, sizeof(group));
  return lookup(c, group, kube__version_of(api_version), kind, cancel, out, err);
}

int kube_map_group_kind(kube_client *c, const char *group, const char *kind,
                        const atomic_int *cancel, kube_mapping *out, kube_error *err) {
  if (!kind || !*kind) return kube__set(err, KUBE_EINVALID, "kind is required");
  return lookup(c, group ? group : "", NULL, kind, cancel, out, err);
}

void kube_discovery_invalidate(kube_client *c) {
  pthread_mutex_lock(&c->disco->mu);
  c->disco->loaded = 0;
  pthread_mutex_unlock(&c->disco->mu);
}

int kube_discovery_all(kube_client *c, const atomic_int *cancel, kube_mapping **out, size_t *n,
                       kube_error *err) {
  *out = NULL;
  *n = 0;
  struct kube_disco *d = c->disco;
  pthread_mutex_lock(&d->mu);
  int rc = ensure_loaded(c, d, cancel, err);
  size_t total = 0;
  for (size_t i = 0; i < d->ngvs && !rc; i++) {
    if (!d->gvs[i].fetched) rc = fetch_gv(c, &d->gvs[i], cancel, err);
    total += d->gvs[i].n;
  }
  if (!rc && total) {
    *out = calloc(total, sizeof(kube_mapping));
    if (!*out) rc = kube__set(err, KUBE_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->ngvs && !rc; i++)
      for (size_t j = 0; j < d->gvs[i].n; j++)
        fill(&(*out)[(*n)++], &d->gvs[i], &d->gvs[i].res[j]);
  }
  pthread_mutex_unlock(&d->mu);
  return rc;
}

char *kube__mapping_api_version(const kube_mapping *m) {
  return m->group[0] ? kube__asprintf("%s/%s", m->group, m->version) : strdup(m->version);
}

char *kube__resource_path(const kube_mapping *m, const char *ns, const char *name) {
  kube_buf b = {0};
  if (m->group[0])
    kube__buf_printf(&b, "/apis/%s/%s", m->group, m->version);
  else
    kube__buf_printf(&b, "/api/%s", m->version);
  if (m->namespaced && ns && *ns) kube__buf_printf(&b, "/namespaces/%s", ns);
  kube__buf_printf(&b, "/%s", m->resource);
  if (name) kube__buf_printf(&b, "/%s", name);
  return kube__buf_take(&b);
}

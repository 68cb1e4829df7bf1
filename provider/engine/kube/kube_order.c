/* Apply order: Namespaces, CRDs, then sync wave, Helm's InstallOrder of
 * kinds, name.  Deletion is exactly the reverse. */
#include "engine/helm/helm.h"
#include "engine/kube/kube_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* helm.sh/helm/v3/pkg/releaseutil/kind_sorter.go InstallOrder */
/* Kinds rank in Helm's install order (one list, owned by engine/helm); unknown
 * kinds come after every known one. */
int kube_kind_rank(const char *kind) {
  if (!kind) return HELM_N_INSTALL_ORDER;
  int rank = helm_install_order(kind);
  return rank < 0 ? HELM_N_INSTALL_ORDER : rank;
}

int kube_sync_wave(const cJSON *obj) {
  const cJSON *ann = kube__jpath(obj, "metadata.annotations");
  const char *w = kube__jstr(ann, "argocd.argoproj.io/sync-wave");
  if (!w) return 0;
  char *end;
  long v = strtol(w, &end, 10);
  while (*end == ' ')
    end++;
  if (end == w || *end || v > INT_MAX || v < INT_MIN) return 0;
  return (int)v;
}

typedef struct {
  size_t idx;
  int klass; /* 0 Namespace, 1 CRD, 2 the rest */
  int wave;
  int rank;
  const char *kind, *name, *ns;
} okey;

int kube__phase_class(const cJSON *o) {
  char group[256];
  kube__group_of(kube__obj_api_version(o), group, sizeof(group));
  const char *kind = kube__obj_kind(o);
  if (kind && !strcmp(kind, "Namespace") && !group[0]) return KUBE_PHASE_NAMESPACE;
  if (kind && !strcmp(kind, "CustomResourceDefinition") && !strcmp(group, "apiextensions.k8s.io"))
    return KUBE_PHASE_CRD;
  return KUBE_PHASE_OTHER;
}

static int scmp(const char *a, const char *b) {
  return strcmp(a ? a : "", b ? b : "");
}

static int okey_cmp(const void *pa, const void *pb) {
  const okey *a = pa, *b = pb;
  if (a->klass != b->klass) return a->klass < b->klass ? -1 : 1;
  if (a->wave != b->wave) return a->wave < b->wave ? -1 : 1;
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  int c;
  if (a->rank == HELM_N_INSTALL_ORDER && (c = scmp(a->kind, b->kind))) /* unknown kinds: by kind */
    return c;
  if ((c = scmp(a->name, b->name))) return c;
  if ((c = scmp(a->ns, b->ns))) return c;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void kube_order(const cJSON *const *objects, size_t n, size_t *order) {
  okey *k = n ? malloc(n * sizeof(*k)) : NULL;
  if (!k) { /* out of memory: input order is still a complete order */
    for (size_t i = 0; i < n; i++)
      order[i] = i;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const cJSON *o = objects[i];
    k[i].idx = i;
    k[i].kind = kube__obj_kind(o);
    k[i].klass = kube__phase_class(o);
    k[i].wave = kube_sync_wave(o);
    k[i].rank = kube_kind_rank(k[i].kind);
    k[i].name = kube__obj_name(o);
    k[i].ns = kube__obj_namespace(o);
  }
  qsort(k, n, sizeof(*k), okey_cmp);
  for (size_t i = 0; i < n; i++)
    order[i] = k[i].idx;
  free(k);
}

void kube_order_delete(const cJSON *const *objects, size_t n, size_t *order) {
  kube_order(objects, n, order);
  for (size_t i = 0; i < n / 2; i++) {
    size_t t = order[i];
    order[i] = order[n - 1 - i];
    order[n - 1 - i] = t;
  }
}

/* Manifest splitting and ordering: Helm 3.17's releaseutil.SplitManifests,
 * SortManifests (hooks vs. generic) and InstallOrder. */
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

static const char *const install_order[] = {"PriorityClass",
                                            "Namespace",
                                            "NetworkPolicy",
                                            "ResourceQuota",
                                            "LimitRange",
                                            "PodSecurityPolicy",
                                            "PodDisruptionBudget",
                                            "ServiceAccount",
                                            "Secret",
                                            "SecretList",
                                            "ConfigMap",
                                            "StorageClass",
                                            "PersistentVolume",
                                            "PersistentVolumeClaim",
                                            "CustomResourceDefinition",
                                            "ClusterRole",
                                            "ClusterRoleList",
                                            "ClusterRoleBinding",
                                            "ClusterRoleBindingList",
                                            "Role",
                                            "RoleList",
                                            "RoleBinding",
                                            "RoleBindingList",
                                            "Service",
                                            "DaemonSet",
                                            "Pod",
                                            "ReplicationController",
                                            "ReplicaSet",
                                            "Deployment",
                                            "HorizontalPodAutoscaler",
                                            "StatefulSet",
                                            "Job",
                                            "CronJob",
                                            "IngressClass",
                                            "Ingress",
                                            "APIService",
                                            NULL};

_Static_assert(sizeof install_order / sizeof install_order[0] == HELM_N_INSTALL_ORDER + 1,
               "HELM_N_INSTALL_ORDER must count the kinds of install_order");

int helm_install_order(const char *kind) {
  for (int i = 0; install_order[i]; i++)
    if (!strcmp(install_order[i], kind)) return i;
  return -1;
}

static int go_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
static int re_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void trim(const char **s, size_t *n) {
  while (*n && go_space(**s)) {
    (*s)++;
    (*n)--;
  }
  while (*n && go_space((*s)[*n - 1]))
    (*n)--;
}

/* Next match of (?:^|\s*\n)---\s* at or after pos: [*ms, *me). */
static int next_sep(const char *s, size_t n, size_t pos, size_t *ms, size_t *me) {
  for (size_t i = pos; i < n; i++) {
    size_t e = 0;
    if (i == 0 && n >= 3 && !strncmp(s, "---", 3)) {
      e = 3;
    } else if (re_space(s[i])) {
      size_t j = i;
      while (j < n && re_space(s[j]))
        j++;
      if (s[j - 1] == '\n' && j + 3 <= n && !strncmp(s + j, "---", 3))
        e = j + 3;
      else {
        i = j - 1; /* no match starts inside this run */
        continue;
      }
    } else {
      continue;
    }
    while (e < n && re_space(s[e]))
      e++;
    *ms = i;
    *me = e;
    return 1;
  }
  return 0;
}

int helm_split_manifests(const char *text, char ***docs, size_t *n) {
  *docs = NULL;
  *n = 0;
  const char *s = text;
  size_t len = strlen(text);
  trim(&s, &len);
  size_t cap = 8, cnt = 0;
  char **out = calloc(cap, sizeof *out);
  if (!out) return HELM_ENOMEM;
  size_t beg = 0, end = 0, pos = 0, ms, me;
  int have_piece_end = 0;
  const char *pieces_s[1];
  (void)pieces_s;
#define PUSH(a, b)                                                                                 \
  do {                                                                                             \
    size_t pa = (a), pb = (b);                                                                     \
    if (pb > pa) {                                                                                 \
      const char *ds = s + pa;                                                                     \
      size_t dn = pb - pa;                                                                         \
      trim(&ds, &dn);                                                                              \
      if (cnt + 1 >= cap) {                                                                        \
        cap *= 2;                                                                                  \
        char **q = realloc(out, cap * sizeof *q);                                                  \
        if (!q) goto oom;                                                                          \
        out = q;                                                                                   \
      }                                                                                            \
      out[cnt] = helm_strndup(ds, dn);                                                             \
      if (!out[cnt]) goto oom;                                                                     \
      cnt++;                                                                                       \
    }                                                                                              \
  } while (0)
  if (len == 0) {
    *docs = out;
    return 0;
  }
  while (pos < len && next_sep(s, len, pos, &ms, &me)) {
    end = ms;
    if (me != 0) PUSH(beg, end);
    beg = me;
    pos = me > ms ? me : ms + 1;
    have_piece_end = 1;
  }
  (void)have_piece_end;
  if (end != len || cnt == 0) PUSH(beg, len);
#undef PUSH
  *docs = out;
  *n = cnt;
  return 0;
oom:
  for (size_t i = 0; i < cnt; i++)
    free(out[i]);
  free(out);
  return HELM_ENOMEM;
}

void helm_head_clear(helm_head *h) {
  free(h->kind);
  free(h->name);
  helm_value_free(h->annotations);
  memset(h, 0, sizeof *h);
}

static char *scalar_str(const helm_value *v) {
  if (!v || v->type == HELM_NULL) return helm_strdup("");
  if (v->type == HELM_STRING) return helm_strdup(v->u.str.s);
  if (v->type == HELM_MAP || v->type == HELM_LIST) return NULL;
  return helm_value_go_fmt(v);
}

int helm_head_parse(const char *doc, helm_head *h, helm_error *err) {
  memset(h, 0, sizeof *h);
  helm_value *v = NULL;
  int rc = helm_yaml_parse(doc, strlen(doc), &v, err);
  if (rc) return rc;
  if (v->type != HELM_MAP && v->type != HELM_NULL) {
    const char *k = v->type == HELM_LIST     ? "array"
                    : v->type == HELM_STRING ? "string"
                    : v->type == HELM_BOOL   ? "bool"
                                             : "number";
    helm_value_free(v);
    return HELM_ERR(
        err, HELM_EYAML,
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go "
        "value of type releaseutil.SimpleHead",
        k);
  }
  h->kind = scalar_str(helm_map_get(v, "kind"));
  const helm_value *md = helm_map_get(v, "metadata");
  h->name = scalar_str(md ? helm_map_get(md, "name") : NULL);
  if (!h->kind || !h->name) {
    helm_value_free(v);
    helm_head_clear(h);
    return HELM_ERR(
        err, HELM_EYAML,
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go "
        "struct field SimpleHead.kind of type string");
  }
  const helm_value *an = md && md->type == HELM_MAP ? helm_map_get(md, "annotations") : NULL;
  if (an && an->type == HELM_MAP && an->u.map.n) {
    h->annotations = helm_value_map();
    for (size_t i = 0; h->annotations && i < an->u.map.n; i++) {
      char *s = scalar_str(an->u.map.vals[i]);
      if (s) helm_map_set(h->annotations, an->u.map.keys[i], helm_value_string(s));
      free(s);
    }
  }
  helm_value_free(v);
  return 0;
}

typedef struct item {
  helm_manifest m;
  size_t seq;
} item;

static int cmp_item(const void *pa, const void *pb) {
  const item *a = pa, *b = pb;
  int ra = helm_install_order(a->m.kind), rb = helm_install_order(b->m.kind);
  if (ra < 0 && rb < 0) {
    int c = strcmp(a->m.kind, b->m.kind);
    if (c) return c;
  } else if (ra < 0) {
    return 1;
  } else if (rb < 0) {
    return -1;
  } else if (ra != rb) {
    return ra < rb ? -1 : 1;
  }
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int is_hook_event(const char *s, size_t n) {
  static const char *const ev[] = {
      "pre-install",  "post-install",  "pre-delete", "post-delete",  "pre-upgrade", "post-upgrade",
      "pre-rollback", "post-rollback", "test",       "test-success", NULL};
  while (n && go_space(*s)) {
    s++;
    n--;
  }
  while (n && go_space(s[n - 1]))
    n--;
  for (int i = 0; ev[i]; i++)
    if (strlen(ev[i]) == n && !strncasecmp(ev[i], s, n)) return 1;
  return 0;
}

static int push(item **arr, size_t *n, size_t *cap, const char *name, char *content,
                const char *kind, int weight) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 32;
    item *p = realloc(*arr, nc * sizeof *p);
    if (!p) return HELM_ENOMEM;
    *arr = p;
    *cap = nc;
  }
  item *it = &(*arr)[*n];
  it->m.name = helm_strdup(name);
  it->m.content = content;
  it->m.kind = helm_strdup(kind);
  it->m.weight = weight;
  it->seq = *n;
  if (!it->m.name || !it->m.kind) {
    free(it->m.name);
    free(it->m.kind);
    return HELM_ENOMEM;
  }
  (*n)++;
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

int helm_sort_manifests(char **names, char **contents, size_t n, helm_release *rel,
                        helm_error *err) {
  /* sorted file paths */
  char ***idx = calloc(n + 1, sizeof *idx);
  if (!idx) return HELM_ENOMEM_ERR(err);
  for (size_t i = 0; i < n; i++)
    idx[i] = &names[i];
  if (n) qsort(idx, n, sizeof *idx, cmp_names);
  item *gen = NULL, *hooks = NULL;
  size_t ng = 0, cg = 0, nh = 0, ch = 0;
  int rc = 0;
  for (size_t f = 0; f < n && !rc; f++) {
    size_t i = (size_t)(idx[f] - names);
    const char *path = names[i];
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (base[0] == '_') continue;
    const char *c = contents[i];
    size_t cl = strlen(c);
    trim(&c, &cl);
    if (!cl) continue;
    char **docs = NULL;
    size_t nd = 0;
    if (helm_split_manifests(contents[i], &docs, &nd)) {
      rc = HELM_ENOMEM_ERR(err);
      break;
    }
    for (size_t d = 0; d < nd; d++) {
      if (rc) {
        free(docs[d]);
        continue;
      }
      helm_head h;
      rc = helm_head_parse(docs[d], &h, err);
      if (rc) {
        helm_error_wrap(err, "YAML parse error on %s", path);
        free(docs[d]);
        continue;
      }
      const helm_value *hook = h.annotations ? helm_map_get(h.annotations, "helm.sh/hook") : NULL;
      if (!hook) {
        rc = push(&gen, &ng, &cg, path, docs[d], h.kind, 0);
      } else {
        const char *hs = hook->u.str.s;
        int ok = 1;
        for (const char *p = hs;;) {
          const char *comma = strchr(p, ',');
          size_t l = comma ? (size_t)(comma - p) : strlen(p);
          if (!is_hook_event(p, l)) ok = 0;
          if (!comma) break;
          p = comma + 1;
        }
        const helm_value *w = helm_map_get(h.annotations, "helm.sh/hook-weight");
        int weight = w ? atoi(w->u.str.s) : 0;
        if (ok)
          rc = push(&hooks, &nh, &ch, path, docs[d], h.kind, weight);
        else
          free(docs[d]); /* unknown hook: skipped, like Helm */
      }
      if (rc == HELM_ENOMEM) rc = HELM_ENOMEM_ERR(err);
      helm_head_clear(&h);
    }
    free(docs);
  }
  free(idx);
  if (!rc) {
    if (ng) qsort(gen, ng, sizeof *gen, cmp_item);
    if (nh) qsort(hooks, nh, sizeof *hooks, cmp_item);
    rel->manifests = calloc(ng + 1, sizeof *rel->manifests);
    rel->hooks = calloc(nh + 1, sizeof *rel->hooks);
    if (!rel->manifests || !rel->hooks) rc = HELM_ENOMEM_ERR(err);
  }
  if (!rc) {
    for (size_t i = 0; i < ng; i++)
      rel->manifests[i] = gen[i].m;
    for (size_t i = 0; i < nh; i++)
      rel->hooks[i] = hooks[i].m;
    rel->n_manifests = ng;
    rel->n_hooks = nh;
  } else {
    for (size_t i = 0; i < ng; i++) {
      free(gen[i].m.name);
      free(gen[i].m.content);
      free(gen[i].m.kind);
    }
    for (size_t i = 0; i < nh; i++) {
      free(hooks[i].m.name);
      free(hooks[i].m.content);
      free(hooks[i].m.kind);
    }
  }
  free(gen);
  free(hooks);
  return rc;
}

void helm_release_free(helm_release *r) {
  if (!r) return;
  free(r->manifest);
  for (size_t i = 0; i < r->n_manifests; i++) {
    free(r->manifests[i].name);
    free(r->manifests[i].content);
    free(r->manifests[i].kind);
  }
  free(r->manifests);
  for (size_t i = 0; i < r->n_hooks; i++) {
    free(r->hooks[i].name);
    free(r->hooks[i].content);
    free(r->hooks[i].kind);
  }
  free(r->hooks);
  free(r->notes);
  free(r->warnings);
  memset(r, 0, sizeof *r);
}

/* Object operations: map an object, GET, LIST (paged), DELETE, and batched
 * reads of live state (one LIST per collection instead of many GETs). */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_PAGE 500

char *kube__describe(const cJSON *obj, size_t index) {
  char *k = kube_object_key(obj);
  return k ? k : kube__asprintf("object #%zu", index + 1);
}

int kube__map_object(kube_client *c, const cJSON *obj, const char *default_ns,
                     const atomic_int *cancel, kube_mapping *m, const char **ns_out,
                     kube_error *err) {
  const char *av = kube__obj_api_version(obj), *kind = kube__obj_kind(obj);
  const char *name = kube__obj_name(obj);
  if (!cJSON_IsObject(obj)) return kube__set(err, KUBE_EINVALID, "not a JSON object");
  if (!av || !*av) return kube__set(err, KUBE_EINVALID, "apiVersion not set");
  if (!kind || !*kind) return kube__set(err, KUBE_EINVALID, "kind not set");
  if (!name || !*name) return kube__set(err, KUBE_EINVALID, "%s has no metadata.name", kind);
  int rc = kube_map_kind(c, av, kind, cancel, m, err);
  if (rc) return rc;
  const char *ns = kube__obj_namespace(obj);
  if (m->namespaced) {
    if (!*ns) ns = default_ns && *default_ns ? default_ns : kube_client_namespace(c);
  } else if (*ns) {
    return kube__set(err, KUBE_EINVALID,
                     "%s \"%s\" is cluster-scoped and cannot have a namespace (metadata.namespace: "
                     "\"%s\")",
                     kind, name, ns);
  }
  if (ns_out) *ns_out = ns;
  return 0;
}

int kube_get(kube_client *c, const char *api_version, const char *kind, const char *ns,
             const char *name, const atomic_int *cancel, cJSON **out, kube_error *err) {
  *out = NULL;
  kube_mapping m;
  int rc = kube_map_kind(c, api_version, kind, cancel, &m, err);
  if (rc) return rc;
  char *path = kube__resource_path(&m, ns, name);
  if (!path) return kube__set(err, KUBE_ENOMEM, "out of memory");
  rc = kube__get_json(c, path, NULL, KUBE_REQ_OTHER, cancel, out, NULL, err);
  free(path);
  return rc;
}

int kube_get_key(kube_client *c, const char *key, const atomic_int *cancel, cJSON **out,
                 kube_error *err) {
  *out = NULL;
  char *g, *k, *ns, *name;
  int rc = kube_key_parse(key, &g, &k, &ns, &name, err);
  if (rc) return rc;
  kube_mapping m;
  rc = kube_map_group_kind(c, g, k, cancel, &m, err);
  if (!rc) {
    char *path = kube__resource_path(&m, ns, name);
    rc = path ? kube__get_json(c, path, NULL, KUBE_REQ_OTHER, cancel, out, NULL, err)
              : kube__set(err, KUBE_ENOMEM, "out of memory");
    free(path);
  }
  free(g), free(k), free(ns), free(name);
  return rc;
}

/* LIST a collection path (all pages); items get apiVersion and kind. */
static int list_path(kube_client *c, const kube_mapping *m, const char *collection,
                     const char *selector, const atomic_int *cancel, cJSON **items,
                     kube_error *err) {
  *items = cJSON_CreateArray();
  char *av = kube__mapping_api_version(m);
  char *sel = NULL;
  if (selector && *selector) sel = kube__url_escape(selector);
  char *cont = NULL;
  int rc = (!*items || !av || (selector && *selector && !sel))
               ? kube__set(err, KUBE_ENOMEM, "out of memory")
               : 0;
  while (!rc) {
    char *path =
        kube__asprintf("%s?limit=%d%s%s%s%s", collection, LIST_PAGE, sel ? "&labelSelector=" : "",
                       sel ? sel : "", cont ? "&continue=" : "", cont ? cont : "");
    cJSON *page = NULL;
    rc = path ? kube__get_json(c, path, NULL, KUBE_REQ_LIST, cancel, &page, NULL, err)
              : kube__set(err, KUBE_ENOMEM, "out of memory");
    free(path);
    free(cont);
    cont = NULL;
    if (rc) break;
    cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(page, "items");
    cJSON *it;
    while (arr && (it = cJSON_DetachItemFromArray(arr, 0))) {
      if (!cJSON_GetObjectItemCaseSensitive(it, "apiVersion"))
        cJSON_AddStringToObject(it, "apiVersion", av);
      if (!cJSON_GetObjectItemCaseSensitive(it, "kind"))
        cJSON_AddStringToObject(it, "kind", m->kind);
      cJSON_AddItemToArray(*items, it);
    }
    cJSON_Delete(arr);
    const char *next = kube__jpath_str(page, "metadata.continue");
    if (next && *next) {
      cont = kube__url_escape(next);
      if (!cont) rc = kube__set(err, KUBE_ENOMEM, "out of memory");
    }
    cJSON_Delete(page);
    if (!cont) break;
  }
  free(cont);
  free(sel);
  free(av);
  if (rc) {
    cJSON_Delete(*items);
    *items = NULL;
  }
  return rc;
}

int kube_list(kube_client *c, const char *api_version, const char *kind, const char *ns,
              const char *label_selector, const atomic_int *cancel, cJSON **items,
              kube_error *err) {
  *items = NULL;
  kube_mapping m;
  int rc = kube_map_kind(c, api_version, kind, cancel, &m, err);
  if (rc) return rc;
  char *path = kube__resource_path(&m, ns, NULL);
  rc = path ? list_path(c, &m, path, label_selector, cancel, items, err)
            : kube__set(err, KUBE_ENOMEM, "out of memory");
  free(path);
  return rc;
}

int kube_delete(kube_client *c, const char *api_version, const char *kind, const char *ns,
                const char *name, const char *propagation, int dry_run, const atomic_int *cancel,
                kube_error *err) {
  kube_mapping m;
  int rc = kube_map_kind(c, api_version, kind, cancel, &m, err);
  if (rc) return rc;
  char *path = kube__resource_path(&m, ns, name);
  char *q = path ? kube__asprintf("%s?propagationPolicy=%s%s", path,
                                  propagation && *propagation ? propagation : "Background",
                                  dry_run ? "&dryRun=All" : "")
                 : NULL;
  rc = q ? kube__request(c, "DELETE", q, NULL, NULL, 0, NULL, KUBE_REQ_OTHER | KUBE_REQ_BARE,
                         cancel, NULL, err)
         : kube__set(err, KUBE_ENOMEM, "out of memory");
  free(q);
  free(path);
  return rc;
}

static void free_json(void *p) {
  cJSON_Delete(p);
}

int kube__read_live(kube_client *c, const kube_mapping *maps, const char *const *nss,
                    const char *const *names, size_t n, const char *selector, int list_min,
                    const atomic_int *cancel, cJSON **live, kube_error *err) {
  for (size_t i = 0; i < n; i++)
    live[i] = NULL;
  char **coll = calloc(n ? n : 1, sizeof(char *));
  if (!coll) return kube__set(err, KUBE_ENOMEM, "out of memory");
  kube_map counts = {0}, lists = {0};
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    coll[i] = kube__resource_path(&maps[i], nss[i], NULL);
    if (!coll[i]) {
      rc = kube__set(err, KUBE_ENOMEM, "out of memory");
      break;
    }
    intptr_t k = (intptr_t)kube__map_get(&counts, coll[i]);
    if (kube__map_put(&counts, coll[i], (void *)(k + 1)))
      rc = kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n && !rc; i++) {
    if (kube__cancelled(cancel)) {
      rc = kube__set(err, KUBE_ECANCELLED, "cancelled");
      break;
    }
    intptr_t cnt = (intptr_t)kube__map_get(&counts, coll[i]);
    if (list_min > 0 && cnt >= list_min) {
      kube_map *byname = kube__map_get(&lists, coll[i]);
      if (!byname) {
        cJSON *items = NULL;
        rc = list_path(c, &maps[i], coll[i], selector, cancel, &items, err);
        if (rc) break;
        byname = calloc(1, sizeof(*byname));
        cJSON *it;
        while (byname && (it = cJSON_DetachItemFromArray(items, 0))) {
          const char *nm = kube__obj_name(it);
          if (!nm || kube__map_put(byname, nm, it)) cJSON_Delete(it);
        }
        cJSON_Delete(items);
        if (!byname || kube__map_put(&lists, coll[i], byname)) {
          if (byname) {
            kube__map_free(byname, free_json);
            free(byname);
          }
          rc = kube__set(err, KUBE_ENOMEM, "out of memory");
          break;
        }
      }
      cJSON *hit = kube__map_get(byname, names[i]);
      live[i] = hit ? cJSON_Duplicate(hit, 1) : NULL;
    } else {
      char *path = kube__resource_path(&maps[i], nss[i], names[i]);
      cJSON *obj = NULL;
      int r = path ? kube__get_json(c, path, NULL, KUBE_REQ_OTHER, cancel, &obj, NULL, err)
                   : kube__set(err, KUBE_ENOMEM, "out of memory");
      free(path);
      if (r == KUBE_ENOTFOUND) {
        if (err) err->code = 0, err->message[0] = 0;
        r = 0;
      }
      if (r) {
        rc = r;
        break;
      }
      live[i] = obj;
    }
  }
  for (size_t i = 0; i < lists.cap; i++) {
    if (lists.slots[i].key) {
      kube__map_free(lists.slots[i].val, free_json);
      free(lists.slots[i].val);
    }
  }
  kube__map_free(&lists, NULL);
  kube__map_free(&counts, NULL);
  for (size_t i = 0; i < n; i++)
    free(coll[i]);
  free(coll);
  if (rc) {
    for (size_t i = 0; i < n; i++) {
      cJSON_Delete(live[i]);
      live[i] = NULL;
    }
  }
  return rc;
}

int kube_read_objects(kube_client *c, const cJSON *const *objects, size_t n,
                      const atomic_int *cancel, cJSON **live, kube_error *err) {
  kube_mapping *maps = calloc(n ? n : 1, sizeof(*maps));
  const char **nss = calloc(n ? n : 1, sizeof(char *));
  const char **names = calloc(n ? n : 1, sizeof(char *));
  size_t *idx = calloc(n ? n : 1, sizeof(size_t));
  cJSON **got = calloc(n ? n : 1, sizeof(cJSON *));
  int rc =
      (!maps || !nss || !names || !idx || !got) ? kube__set(err, KUBE_ENOMEM, "out of memory") : 0;
  size_t k = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    live[i] = NULL;
    const char *ns = NULL;
    int r = kube__map_object(c, objects[i], NULL, cancel, &maps[k], &ns, err);
    if (r == KUBE_ENOKIND) /* a kind nobody serves: no such object */
      continue;
    if (r) {
      char *d = kube__describe(objects[i], i);
      kube__prefix(err, "%s", d ? d : "object");
      free(d);
      rc = r;
      break;
    }
    nss[k] = ns;
    names[k] = kube__obj_name(objects[i]);
    idx[k++] = i;
  }
  if (!rc) rc = kube__read_live(c, maps, nss, names, k, NULL, 2, cancel, got, err);
  if (!rc) {
    for (size_t j = 0; j < k; j++)
      live[idx[j]] = got[j];
    if (err) err->code = 0, err->message[0] = 0;
  }
  free(maps), free(nss), free(names), free(idx), free(got);
  return rc;
}

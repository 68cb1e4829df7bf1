/* kube_prune: delete inventory objects that left the set, in the reverse of
 * apply order (live sync waves read first). */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kube_prune_report_clear(kube_prune_report *r) {
  if (!r) return;
  for (size_t i = 0; r->results && i < r->n; i++) {
    free(r->results[i].key);
    free(r->results[i].message);
  }
  free(r->results);
  free(r->order);
  memset(r, 0, sizeof(*r));
}

typedef struct cand {
  size_t inv; /* index into inventory */
  kube_mapping m;
  char *ns, *name;
  cJSON *live;
} cand;

static void set_result(kube_prune_result *r, kube_prune_status s, int code, const char *msg) {
  r->status = s;
  r->code = code;
  free(r->message);
  r->message = msg ? strdup(msg) : NULL;
}

/* Poll until every deleted object is gone. */
static int wait_gone(kube_client *c, cand *cs, size_t nc, kube_prune_report *rep, int timeout_ms,
                     const atomic_int *cancel, kube_error *err) {
  int64_t deadline = kube__now_ms() + timeout_ms;
  int interval = 100;
  for (;;) {
    size_t left = 0;
    kube_buf names = {0};
    for (size_t k = 0; k < nc; k++) {
      if (rep->results[cs[k].inv].status != KUBE_PRUNE_DELETED) continue;
      char *path = kube__resource_path(&cs[k].m, cs[k].ns, cs[k].name);
      cJSON *obj = NULL;
      kube_error e;
      int r = path ? kube__get_json(c, path, NULL, KUBE_REQ_OTHER, cancel, &obj, NULL, &e)
                   : KUBE_ENOMEM;
      free(path);
      cJSON_Delete(obj);
      if (r == KUBE_ENOTFOUND) continue;
      if (r == KUBE_ECANCELLED) {
        kube__buf_free(&names);
        return kube__set(err, r, "prune cancelled");
      }
      kube__buf_printf(&names, "%s%s", left++ ? ", " : "", rep->results[cs[k].inv].key);
    }
    if (!left) {
      kube__buf_free(&names);
      return 0;
    }
    if (kube__now_ms() >= deadline) {
      int rc = kube__set(err, KUBE_ETIMEOUT,
                         "timed out after %ds waiting for deletion of %zu objects: %s",
                         timeout_ms / 1000, left, names.p ? names.p : "");
      kube__buf_free(&names);
      return rc;
    }
    kube__buf_free(&names);
    if (kube__sleep(interval, cancel)) return kube__set(err, KUBE_ECANCELLED, "prune cancelled");
    interval = interval * 2 > 1000 ? 1000 : interval * 2;
  }
}

int kube_prune(kube_client *c, const char *const *inventory, size_t n_inventory,
               const char *const *keep, size_t n_keep, const kube_prune_options *opts,
               kube_prune_report *rep, kube_error *err) {
  static const kube_prune_options defaults = {0};
  const kube_prune_options *o = opts ? opts : &defaults;
  kube_error local;
  if (!err) err = &local;
  err->code = 0, err->http_status = 0, err->message[0] = 0;
  memset(rep, 0, sizeof(*rep));
  size_t cap = n_inventory ? n_inventory : 1;
  rep->results = calloc(cap, sizeof(*rep->results));
  cand *cs = calloc(cap, sizeof(*cs));
  kube_map keepset = {0};
  int rc = (!rep->results || !cs) ? kube__set(err, KUBE_ENOMEM, "out of memory") : 0;
  for (size_t i = 0; i < n_keep && !rc; i++)
    if (keep[i] && kube__map_put(&keepset, keep[i], (void *)1))
      rc = kube__set(err, KUBE_ENOMEM, "out of memory");
  if (!rc) rep->n = n_inventory;
  size_t nc = 0;
  /* candidates: read each one's live state (sync wave, still there?) */
  for (size_t i = 0; i < n_inventory && !rc; i++) {
    kube_prune_result *r = &rep->results[i];
    if (!(r->key = strdup(inventory[i]))) {
      rc = kube__set(err, KUBE_ENOMEM, "out of memory");
      break;
    }
    if (kube__map_get(&keepset, inventory[i])) {
      r->status = KUBE_PRUNE_KEPT;
      continue;
    }
    r->status = KUBE_PRUNE_PENDING;
    char *g, *k;
    cand *cd = &cs[nc];
    rc = kube_key_parse(inventory[i], &g, &k, &cd->ns, &cd->name, err);
    if (rc) break;
    kube_error e = {0};
    int mr = kube_map_group_kind(c, g, k, o->cancel, &cd->m, &e);
    free(g), free(k);
    if (mr == KUBE_ENOKIND) { /* the kind is not served any more: nothing to delete */
      set_result(r, KUBE_PRUNE_GONE, 0, NULL);
      free(cd->ns), free(cd->name);
      continue;
    }
    if (mr) {
      free(cd->ns), free(cd->name);
      rc = kube__set(err, mr, "prune %s: %s", inventory[i], e.message);
      break;
    }
    char *path = kube__resource_path(&cd->m, cd->ns, cd->name);
    int gr = path ? kube__get_json(c, path, NULL, KUBE_REQ_OTHER, o->cancel, &cd->live, NULL, &e)
                  : kube__set(&e, KUBE_ENOMEM, "out of memory");
    free(path);
    if (gr == KUBE_ENOTFOUND) {
      set_result(r, KUBE_PRUNE_GONE, 0, NULL);
      free(cd->ns), free(cd->name);
      continue;
    }
    if (gr) {
      free(cd->ns), free(cd->name);
      rc = kube__set(err, gr, "prune %s: %s", inventory[i], e.message);
      break;
    }
    cd->inv = i;
    nc++;
  }
  /* delete in the reverse of apply order */
  const cJSON **lives = rc ? NULL : calloc(nc ? nc : 1, sizeof(cJSON *));
  size_t *corder = rc ? NULL : calloc(nc ? nc : 1, sizeof(size_t));
  rep->order = rc ? NULL : calloc(nc ? nc : 1, sizeof(size_t));
  if (!rc && (!lives || !corder || !rep->order)) rc = kube__set(err, KUBE_ENOMEM, "out of memory");
  if (!rc) {
    for (size_t k = 0; k < nc; k++)
      lives[k] = cs[k].live;
    kube_order_delete(lives, nc, corder);
    for (size_t k = 0; k < nc; k++)
      rep->order[k] = cs[corder[k]].inv;
    rep->n_order = nc;
  }
  int first_fail = 0;
  for (size_t j = 0; !rc && j < nc; j++) {
    cand *cd = &cs[corder[j]];
    kube_prune_result *r = &rep->results[cd->inv];
    if (kube__cancelled(o->cancel)) {
      rc = kube__set(err, KUBE_ECANCELLED, "prune cancelled");
      break;
    }
    char *av = kube__mapping_api_version(&cd->m);
    kube_error e = {0};
    int dr = av ? kube_delete(c, av, cd->m.kind, cd->ns, cd->name, o->propagation, o->dry_run,
                              o->cancel, &e)
                : kube__set(&e, KUBE_ENOMEM, "out of memory");
    free(av);
    if (dr == 0) {
      set_result(r, KUBE_PRUNE_DELETED, 0, NULL);
    } else if (dr == KUBE_ENOTFOUND) {
      set_result(r, KUBE_PRUNE_GONE, 0, NULL);
    } else {
      set_result(r, KUBE_PRUNE_FAILED, dr, e.message);
      if (!first_fail) {
        first_fail = dr;
        kube__set(err, dr, "delete %s: %s", r->key, e.message);
      }
      if (!o->continue_on_error || dr == KUBE_ECANCELLED) break;
    }
  }
  for (size_t i = 0; i < rep->n; i++) {
    switch (rep->results[i].status) {
    case KUBE_PRUNE_DELETED:
      rep->deleted++;
      break;
    case KUBE_PRUNE_GONE:
      rep->gone++;
      break;
    case KUBE_PRUNE_FAILED:
      rep->failed++;
      break;
    default:
      break;
    }
  }
  if (!rc && first_fail) {
    rc = first_fail;
    if (rep->failed > 1) {
      char tail[64];
      snprintf(tail, sizeof(tail), " (and %zu more failures)", rep->failed - 1);
      if (strlen(err->message) + strlen(tail) < sizeof(err->message)) strcat(err->message, tail);
    }
  }
  if (!rc && o->wait_timeout_ms > 0 && !o->dry_run && rep->deleted)
    rc = wait_gone(c, cs, nc, rep, o->wait_timeout_ms, o->cancel, err);
  for (size_t k = 0; k < nc; k++) {
    free(cs[k].ns), free(cs[k].name);
    cJSON_Delete(cs[k].live);
  }
  free(cs);
  free(lives);
  free(corder);
  kube__map_free(&keepset, NULL);
  return rc;
}

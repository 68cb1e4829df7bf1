/* kube_wait: poll live objects until all are Healthy; fail fast on Degraded
 * (with the object's conditions and recent events), name every object that
 * is not Healthy on timeout. */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_MIN_MS 100
#define POLL_MAX_MS 2000
#define EVENTS_MAX 5

void kube_wait_report_clear(kube_wait_report *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++)
    free(r->keys ? r->keys[i] : NULL);
  free(r->keys);
  free(r->health);
  memset(r, 0, sizeof(*r));
}

static void add_conditions(kube_buf *b, const cJSON *live) {
  const cJSON *c;
  int first = 1;
  cJSON_ArrayForEach(c, kube__jpath(live, "status.conditions")) {
    const char *t = kube__jstr(c, "type"), *s = kube__jstr(c, "status");
    const char *r = kube__jstr(c, "reason"), *m = kube__jstr(c, "message");
    kube__buf_printf(b, "%s%s=%s", first ? "; conditions: " : ", ", t ? t : "?", s ? s : "?");
    if (r && *r) kube__buf_printf(b, " %s", r);
    if (m && *m) kube__buf_printf(b, " (%s)", m);
    first = 0;
  }
}

static int event_cmp(const void *a, const void *b) {
  const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
  const char *tx = kube__jstr(x, "lastTimestamp"), *ty = kube__jstr(y, "lastTimestamp");
  if (!tx) tx = kube__jstr(x, "eventTime");
  if (!ty) ty = kube__jstr(y, "eventTime");
  return -strcmp(tx ? tx : "", ty ? ty : ""); /* newest first */
}

/* Recent events of the object (best effort: errors are ignored). */
static void add_events(kube_client *c, kube_buf *b, const kube_mapping *m, const char *ns,
                       const char *name, const atomic_int *cancel) {
  if (!m->namespaced || !ns || !*ns) return;
  char *fs = kube__asprintf("involvedObject.name=%s,involvedObject.kind=%s", name, m->kind);
  char *e = fs ? kube__url_escape(fs) : NULL;
  char *path =
      e ? kube__asprintf("/api/v1/namespaces/%s/events?fieldSelector=%s&limit=50", ns, e) : NULL;
  free(e);
  free(fs);
  cJSON *list = NULL;
  kube_error ignore;
  if (path && kube__get_json(c, path, NULL, KUBE_REQ_LIST, cancel, &list, NULL, &ignore) == 0) {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    int n = cJSON_GetArraySize(items);
    const cJSON **ev = n > 0 ? malloc((size_t)n * sizeof(*ev)) : NULL;
    int k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, (ev ? items : NULL)) {
      const char *iname = kube__jpath_str(it, "involvedObject.name");
      if (!iname || !strcmp(iname, name)) /* servers may ignore the field selector */
        ev[k++] = it;
    }
    if (k) {
      qsort(ev, (size_t)k, sizeof(*ev), event_cmp);
      kube__buf_puts(b, "; events:");
      for (int i = 0; i < k && i < EVENTS_MAX; i++) {
        const char *t = kube__jstr(ev[i], "type"), *r = kube__jstr(ev[i], "reason");
        const char *msg = kube__jstr(ev[i], "message");
        kube__buf_printf(b, "%s %s %s: %s", i ? "," : "", t ? t : "", r ? r : "", msg ? msg : "");
      }
    }
    free(ev);
  }
  cJSON_Delete(list);
  free(path);
}

int kube_wait(kube_client *c, const cJSON *const *objects, size_t n, int timeout_ms,
              const atomic_int *cancel, kube_wait_report *report, kube_error *err) {
  kube_wait_report local = {0};
  kube_wait_report *rep = report ? report : &local;
  memset(rep, 0, sizeof(*rep));
  if (err) err->code = 0, err->http_status = 0, err->message[0] = 0;
  size_t cap = n ? n : 1;
  rep->keys = calloc(cap, sizeof(char *));
  rep->health = calloc(cap, sizeof(kube_health));
  kube_mapping *maps = calloc(cap, sizeof(*maps));
  const char **nss = calloc(cap, sizeof(char *)), **names = calloc(cap, sizeof(char *));
  size_t *pend = calloc(cap, sizeof(size_t));
  cJSON **live = calloc(cap, sizeof(cJSON *));
  kube_mapping *pmaps = calloc(cap, sizeof(*pmaps));
  const char **pns = calloc(cap, sizeof(char *)), **pnames = calloc(cap, sizeof(char *));
  int rc = 0;
  if (!rep->keys || !rep->health || !maps || !nss || !names || !pend || !live || !pmaps || !pns ||
      !pnames) {
    rc = kube__set(err, KUBE_ENOMEM, "out of memory");
    goto out;
  }
  rep->n = n;
  size_t npend = 0;
  for (size_t i = 0; i < n; i++) {
    rc = kube__map_object(c, objects[i], NULL, cancel, &maps[i], &nss[i], err);
    if (rc) {
      char *d = kube__describe(objects[i], i);
      kube__prefix(err, "wait for %s", d ? d : "object");
      free(d);
      goto out;
    }
    names[i] = kube__obj_name(objects[i]);
    rep->keys[i] = kube__make_key(maps[i].group, maps[i].kind, nss[i], names[i]);
    rep->health[i].status = KUBE_HEALTH_UNKNOWN;
    pend[npend++] = i;
  }
  int64_t deadline = kube__now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
  int interval = POLL_MIN_MS;
  while (npend) {
    for (size_t j = 0; j < npend; j++) {
      pmaps[j] = maps[pend[j]];
      pns[j] = nss[pend[j]];
      pnames[j] = names[pend[j]];
    }
    rc = kube__read_live(c, pmaps, pns, pnames, npend, NULL, 2, cancel, live, err);
    if (rc) {
      kube__prefix(err, "wait");
      goto out;
    }
    size_t k = 0, bad_j = (size_t)-1, bad_i = 0;
    for (size_t j = 0; j < npend; j++) {
      size_t i = pend[j];
      kube_health_assess(live[j], &rep->health[i]);
      kube_health_status s = rep->health[i].status;
      if (s == KUBE_HEALTH_DEGRADED && bad_j == (size_t)-1) {
        bad_j = j;
        bad_i = i;
      }
      if (s != KUBE_HEALTH_HEALTHY && s != KUBE_HEALTH_SUSPENDED) pend[k++] = i;
    }
    if (bad_j != (size_t)-1) {
      kube_buf b = {0};
      kube__buf_printf(&b, "%s is Degraded", rep->keys[bad_i]);
      if (rep->health[bad_i].message[0]) kube__buf_printf(&b, ": %s", rep->health[bad_i].message);
      add_conditions(&b, live[bad_j]);
      add_events(c, &b, &maps[bad_i], nss[bad_i], names[bad_i], cancel);
      char *msg = kube__buf_take(&b);
      rc = kube__set(err, KUBE_EDEGRADED, "%s", msg ? msg : "object is Degraded");
      free(msg);
      for (size_t j = 0; j < npend; j++)
        cJSON_Delete(live[j]);
      goto out;
    }
    for (size_t j = 0; j < npend; j++) {
      cJSON_Delete(live[j]);
      live[j] = NULL;
    }
    npend = k;
    if (!npend) break;
    int64_t left = deadline - kube__now_ms();
    if (left <= 0) {
      kube_buf b = {0};
      kube__buf_printf(&b, "timed out after %ds waiting for %zu of %zu objects to become Healthy:",
                       timeout_ms / 1000, npend, n);
      for (size_t j = 0; j < npend; j++) {
        const kube_health *h = &rep->health[pend[j]];
        kube__buf_printf(&b, "%s %s is %s%s%s", j ? ";" : "", rep->keys[pend[j]],
                         kube_health_name(h->status), h->message[0] ? ": " : "", h->message);
      }
      char *msg = kube__buf_take(&b);
      rc = kube__set(err, KUBE_ETIMEOUT, "%s", msg ? msg : "timed out");
      free(msg);
      goto out;
    }
    if (kube__sleep(left < interval ? (int)left : interval, cancel)) {
      rc = kube__set(err, KUBE_ECANCELLED, "wait cancelled");
      goto out;
    }
    interval = interval * 3 / 2 > POLL_MAX_MS ? POLL_MAX_MS : interval * 3 / 2;
  }
out:
  free(maps), free(nss), free(names), free(pend), free(live), free(pmaps), free(pns), free(pnames);
  kube_wait_report_clear(&local);
  return rc;
}

/* kube_apply: server-side apply of a set of objects in sync order, CRDs
 * waited for before their custom resources, no PATCH for objects whose live
 * state already matches, a report that always says what was applied. */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PARALLELISM 4
#define MAX_PARALLELISM 32

typedef struct actx {
  kube_client *c;
  const cJSON *const *objs;
  size_t n;
  const kube_apply_options *o;
  const char *manager, *default_ns;
  const atomic_int *cancel;
  kube_apply_report *rep;
  kube_mapping *maps;
  const char **nss;
  int *mapped;   /* maps[i] valid */
  int *deferred; /* kind defined by a CRD of the set, not served yet */
  /* current batch */
  size_t *batch;
  cJSON **live;
  size_t nbatch;
  atomic_size_t next;
  atomic_int stop;
} actx;

const char *kube_apply_status_name(kube_apply_status s) {
  switch (s) {
  case KUBE_APPLY_CREATED:
    return "created";
  case KUBE_APPLY_CONFIGURED:
    return "configured";
  case KUBE_APPLY_UNCHANGED:
    return "unchanged";
  case KUBE_APPLY_FAILED:
    return "failed";
  default:
    return "pending";
  }
}

void kube_apply_report_clear(kube_apply_report *r) {
  if (!r) return;
  for (size_t i = 0; r->results && i < r->n; i++) {
    free(r->results[i].key);
    cJSON_Delete(r->results[i].live);
    free(r->results[i].message);
  }
  free(r->results);
  free(r->order);
  memset(r, 0, sizeof(*r));
}

static int is_crd(const cJSON *o) {
  return kube__phase_class(o) == KUBE_PHASE_CRD;
}

/* Index of the CRD of the set defining group/kind, or (size_t)-1. */
static size_t crd_for(const actx *a, const char *group, const char *kind) {
  for (size_t i = 0; i < a->n; i++) {
    const cJSON *o = a->objs[i];
    if (!is_crd(o)) continue;
    const char *g = kube__jpath_str(o, "spec.group"), *k = kube__jpath_str(o, "spec.names.kind");
    if (g && k && kind && !strcmp(g, group) && !strcmp(k, kind)) return i;
  }
  return (size_t)-1;
}

static void fail(actx *a, size_t i, int code, const char *msg) {
  kube_apply_result *r = &a->rep->results[i];
  r->status = KUBE_APPLY_FAILED;
  r->code = code;
  free(r->message);
  r->message = strdup(msg && *msg ? msg : kube_strerror(code));
}

static void set_key(actx *a, size_t i, const char *group, const char *kind, const char *ns) {
  char *k = kube__make_key(group, kind, ns, kube__obj_name(a->objs[i]));
  if (k) {
    free(a->rep->results[i].key);
    a->rep->results[i].key = k;
  }
}

/* Check every object before anything is sent. */
static int preflight(actx *a, kube_error *err) {
  int first = 0, nfail = 0;
  for (size_t j = 0; j < a->n; j++) {
    size_t i = a->rep->order[j];
    const cJSON *o = a->objs[i];
    kube_error e = {0};
    const char *ns = NULL;
    int rc = kube__map_object(a->c, o, a->default_ns, a->cancel, &a->maps[i], &ns, &e);
    if (rc == KUBE_ENOKIND) {
      char group[256];
      kube__group_of(kube__obj_api_version(o), group, sizeof(group));
      size_t ci = crd_for(a, group, kube__obj_kind(o));
      const cJSON *crd = ci == (size_t)-1 ? NULL : a->objs[ci];
      if (crd) {
        const char *scope = kube__jpath_str(crd, "spec.scope");
        int namespaced = !scope || strcmp(scope, "Cluster");
        const char *ons = kube__obj_namespace(o);
        if (!namespaced && *ons) {
          rc = kube__set(&e, KUBE_EINVALID,
                         "%s \"%s\" is cluster-scoped and cannot have a namespace "
                         "(metadata.namespace: \"%s\")",
                         kube__obj_kind(o), kube__obj_name(o), ons);
        } else {
          a->deferred[i] = 1;
          a->nss[i] = namespaced ? (*ons ? ons : a->default_ns) : "";
          set_key(a, i, group, kube__obj_kind(o), a->nss[i]);
          continue;
        }
      } else {
        char more[160];
        snprintf(more, sizeof(more), "%s", "; ensure CRDs are installed first");
        if (strlen(e.message) + strlen(more) < sizeof(e.message)) strcat(e.message, more);
      }
    }
    if (rc) {
      if (rc == KUBE_ECANCELLED || rc == KUBE_ENETWORK || rc == KUBE_EAUTH ||
          rc == KUBE_EFORBIDDEN || rc == KUBE_ESERVER || rc == KUBE_ENOMEM) {
        /* discovery itself failed: nothing can be applied */
        kube__set(err, rc, "%s", e.message);
        return rc;
      }
      fail(a, i, rc, e.message);
      if (!nfail++) first = rc, kube__set(err, rc, "%s: %s", a->rep->results[i].key, e.message);
      continue;
    }
    a->mapped[i] = 1;
    a->nss[i] = ns;
    set_key(a, i, a->maps[i].group, a->maps[i].kind, ns);
  }
  if (nfail > 1) {
    char tail[64];
    snprintf(tail, sizeof(tail), " (and %d more invalid objects)", nfail - 1);
    if (strlen(err->message) + strlen(tail) < sizeof(err->message)) strcat(err->message, tail);
  }
  if (nfail) kube__prefix(err, "nothing applied");
  return first;
}

/* Live and dry-run result equal but for bookkeeping fields. */
static int same_content(const cJSON *a, const cJSON *b) {
  cJSON *x = cJSON_Duplicate(a, 1), *y = cJSON_Duplicate(b, 1);
  int same = 0;
  if (x && y) {
    static const char *const drop[] = {"managedFields", "resourceVersion", "generation"};
    for (size_t i = 0; i < 3; i++) {
      cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(x, "metadata"),
                                              drop[i]);
      cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(y, "metadata"),
                                              drop[i]);
    }
    same = cJSON_Compare(x, y, 1);
  }
  cJSON_Delete(x);
  cJSON_Delete(y);
  return same;
}

static void apply_one(actx *a, size_t i, cJSON *live) {
  const kube_apply_options *o = a->o;
  kube_apply_result *r = &a->rep->results[i];
  const kube_mapping *m = &a->maps[i];
  const char *ns = a->nss[i], *name = kube__obj_name(a->objs[i]);
  cJSON *body = cJSON_Duplicate(a->objs[i], 1);
  cJSON *meta = body ? cJSON_GetObjectItemCaseSensitive(body, "metadata") : NULL;
  if (!meta) {
    cJSON_Delete(body);
    cJSON_Delete(live);
    fail(a, i, KUBE_ENOMEM, "out of memory");
    return;
  }
  cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
  if (m->namespaced) cJSON_AddStringToObject(meta, "namespace", ns);
  if (live && !o->always_patch) {
    kube_diff_result d;
    if (kube_diff(body, live, a->manager, NULL, 0, &d, NULL) == 0 && !d.drift && !d.not_owned) {
      r->status = KUBE_APPLY_UNCHANGED;
      r->live = live;
      kube_diff_result_clear(&d);
      cJSON_Delete(body);
      return;
    }
    kube_diff_result_clear(&d);
  }
  char *coll = kube__resource_path(m, ns, name);
  char *mgr = kube__url_escape(a->manager);
  char *path = (coll && mgr)
                   ? kube__asprintf("%s?fieldManager=%s%s%s", coll, mgr,
                                    o->force ? "&force=true" : "", o->dry_run ? "&dryRun=All" : "")
                   : NULL;
  char *json = cJSON_PrintUnformatted(body);
  cJSON_Delete(body);
  free(coll);
  free(mgr);
  kube_response resp = {0};
  kube_error e = {0};
  int rc = (path && json) ? kube__request(a->c, "PATCH", path, "application/apply-patch+yaml", json,
                                          strlen(json), NULL, KUBE_REQ_OTHER | KUBE_REQ_BARE,
                                          a->cancel, &resp, &e)
                          : kube__set(&e, KUBE_ENOMEM, "out of memory");
  free(path);
  free(json);
  if (rc) {
    if (rc == KUBE_ECONFLICT && !o->force && strlen(e.message) + 80 < sizeof(e.message))
      strcat(e.message, " (set force to take over the conflicting fields)");
    fail(a, i, rc, e.message);
    kube_response_clear(&resp);
    cJSON_Delete(live);
    return;
  }
  cJSON *got = cJSON_ParseWithLength(resp.body, resp.len);
  if (resp.status == 201)
    r->status = KUBE_APPLY_CREATED;
  else if (!live || !got)
    r->status = KUBE_APPLY_CONFIGURED;
  else if (o->dry_run)
    r->status = same_content(live, got) ? KUBE_APPLY_UNCHANGED : KUBE_APPLY_CONFIGURED;
  else {
    const char *rv0 = kube__jpath_str(live, "metadata.resourceVersion");
    const char *rv1 = kube__jpath_str(got, "metadata.resourceVersion");
    r->status = (rv0 && rv1 && !strcmp(rv0, rv1)) ? KUBE_APPLY_UNCHANGED : KUBE_APPLY_CONFIGURED;
  }
  r->live = got;
  kube_response_clear(&resp);
  cJSON_Delete(live);
}

static void *worker(void *ud) {
  actx *a = ud;
  for (;;) {
    if (atomic_load(&a->stop) || kube__cancelled(a->cancel)) break;
    size_t j = atomic_fetch_add(&a->next, 1);
    if (j >= a->nbatch) break;
    size_t i = a->batch[j];
    cJSON *live = a->live[j];
    a->live[j] = NULL;
    apply_one(a, i, live);
    if (a->rep->results[i].status == KUBE_APPLY_FAILED && !a->o->continue_on_error)
      atomic_store(&a->stop, 1);
  }
  return NULL;
}

/* Read live state and apply the batch's objects, in parallel. */
static int run_batch(actx *a, kube_error *err) {
  size_t k = a->nbatch;
  kube_mapping *maps = calloc(k, sizeof(*maps));
  const char **nss = calloc(k, sizeof(char *)), **names = calloc(k, sizeof(char *));
  int rc = (!maps || !nss || !names) ? kube__set(err, KUBE_ENOMEM, "out of memory") : 0;
  for (size_t j = 0; j < k && !rc; j++) {
    maps[j] = a->maps[a->batch[j]];
    nss[j] = a->nss[a->batch[j]];
    names[j] = kube__obj_name(a->objs[a->batch[j]]);
  }
  if (!rc) {
    kube_error e = {0};
    int r =
        kube__read_live(a->c, maps, nss, names, k, a->o->list_selector, 2, a->cancel, a->live, &e);
    if (r == KUBE_ECANCELLED) {
      rc = kube__set(err, r, "%s", e.message);
    } else if (r && r != KUBE_EFORBIDDEN) { /* forbidden to read: apply without the no-op check */
      for (size_t j = 0; j < k; j++)
        fail(a, a->batch[j], r, e.message);
      if (!a->o->continue_on_error) atomic_store(&a->stop, 1);
      k = 0;
    }
  }
  free(maps), free(nss), free(names);
  if (rc || !k) return rc;
  int p = a->o->parallelism > 0 ? a->o->parallelism : DEFAULT_PARALLELISM;
  if (p > MAX_PARALLELISM) p = MAX_PARALLELISM;
  if ((size_t)p > k) p = (int)k;
  atomic_store(&a->next, 0);
  pthread_t th[MAX_PARALLELISM];
  int started = 0;
  for (int t = 1; t < p; t++)
    if (pthread_create(&th[started], NULL, worker, a) == 0) started++;
  worker(a);
  for (int t = 0; t < started; t++)
    pthread_join(th[t], NULL);
  for (size_t j = 0; j < k; j++) { /* left by a stop */
    cJSON_Delete(a->live[j]);
    a->live[j] = NULL;
  }
  return 0;
}

/* Wait until the set's applied CRDs are Established, then refresh discovery. */
static int wait_crds(actx *a, kube_error *err) {
  const cJSON **crds = calloc(a->n ? a->n : 1, sizeof(*crds));
  if (!crds) return kube__set(err, KUBE_ENOMEM, "out of memory");
  size_t k = 0;
  for (size_t i = 0; i < a->n; i++) {
    kube_apply_status s = a->rep->results[i].status;
    if (is_crd(a->objs[i]) && s != KUBE_APPLY_FAILED && s != KUBE_APPLY_PENDING)
      crds[k++] = a->objs[i];
  }
  int rc = 0;
  if (k) {
    int t = a->o->crd_timeout_ms > 0 ? a->o->crd_timeout_ms : 60000;
    rc = kube_wait(a->c, crds, k, t, a->cancel, NULL, err);
    if (rc) kube__prefix(err, "waiting for CustomResourceDefinitions to be established");
    kube_discovery_invalidate(a->c);
  }
  free(crds);
  return rc;
}

/* Map the custom resources whose CRD was just applied (discovery may lag). */
static void resolve_deferred(actx *a, size_t i) {
  int64_t deadline = kube__now_ms() + (a->o->crd_timeout_ms > 0 ? a->o->crd_timeout_ms : 60000);
  kube_error e = {0};
  char group[256];
  kube__group_of(kube__obj_api_version(a->objs[i]), group, sizeof(group));
  size_t ci = crd_for(a, group, kube__obj_kind(a->objs[i]));
  kube_apply_status cs = ci == (size_t)-1 ? KUBE_APPLY_PENDING : a->rep->results[ci].status;
  if (!a->o->dry_run && (cs == KUBE_APPLY_FAILED || cs == KUBE_APPLY_PENDING)) {
    char msg[1200];
    snprintf(msg, sizeof(msg), "not applied: its CustomResourceDefinition %s was not applied",
             ci == (size_t)-1 ? "" : a->rep->results[ci].key);
    fail(a, i, KUBE_ENOKIND, msg);
    return;
  }
  for (;;) {
    const char *ns = NULL;
    int rc = kube__map_object(a->c, a->objs[i], a->default_ns, a->cancel, &a->maps[i], &ns, &e);
    if (!rc) {
      a->mapped[i] = 1;
      a->deferred[i] = 0;
      a->nss[i] = ns;
      return;
    }
    if (rc != KUBE_ENOKIND || a->o->dry_run || kube__now_ms() > deadline ||
        kube__sleep(250, a->cancel)) {
      if (a->o->dry_run && rc == KUBE_ENOKIND) { /* its CRD is not in the cluster yet */
        kube_apply_result *r = &a->rep->results[i];
        r->code = rc;
        free(r->message);
        r->message = strdup("not validated: its CustomResourceDefinition is only applied "
                            "by this change (dry run)");
      } else {
        fail(a, i, rc, e.message);
      }
      return;
    }
  }
}

static int same_batch(const cJSON *x, const cJSON *y) {
  const char *kx = kube__obj_kind(x), *ky = kube__obj_kind(y);
  const char *ax = kube__obj_api_version(x), *ay = kube__obj_api_version(y);
  return kube__phase_class(x) == kube__phase_class(y) && kube_sync_wave(x) == kube_sync_wave(y) &&
         kx && ky && !strcmp(kx, ky) && ax && ay && !strcmp(ax, ay);
}

static int wait_wave(actx *a, int wave, kube_error *err) {
  const cJSON **objs = calloc(a->n ? a->n : 1, sizeof(*objs));
  if (!objs) return kube__set(err, KUBE_ENOMEM, "out of memory");
  size_t k = 0;
  for (size_t i = 0; i < a->n; i++) {
    kube_apply_status s = a->rep->results[i].status;
    if (kube__phase_class(a->objs[i]) == KUBE_PHASE_OTHER && kube_sync_wave(a->objs[i]) == wave &&
        (s == KUBE_APPLY_CREATED || s == KUBE_APPLY_CONFIGURED || s == KUBE_APPLY_UNCHANGED))
      objs[k++] = a->objs[i];
  }
  int rc = 0;
  if (k) {
    rc = kube_wait(a->c, objs, k, a->o->wave_timeout_ms > 0 ? a->o->wave_timeout_ms : 300000,
                   a->cancel, NULL, err);
    if (rc) kube__prefix(err, "sync wave %d", wave);
  }
  free(objs);
  return rc;
}

static int setup(actx *a, kube_error *err) {
  size_t n = a->n ? a->n : 1;
  kube_apply_report *rep = a->rep;
  rep->results = calloc(n, sizeof(*rep->results));
  rep->order = calloc(n, sizeof(size_t));
  a->maps = calloc(n, sizeof(*a->maps));
  a->nss = calloc(n, sizeof(char *));
  a->mapped = calloc(n, sizeof(int));
  a->deferred = calloc(n, sizeof(int));
  a->batch = calloc(n, sizeof(size_t));
  a->live = calloc(n, sizeof(cJSON *));
  if (!rep->results || !rep->order || !a->maps || !a->nss || !a->mapped || !a->deferred ||
      !a->batch || !a->live)
    return kube__set(err, KUBE_ENOMEM, "out of memory");
  rep->n = a->n;
  for (size_t i = 0; i < a->n; i++) {
    rep->results[i].key = kube__describe(a->objs[i], i);
    if (!rep->results[i].key) return kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  kube_order(a->objs, a->n, rep->order);
  return 0;
}

static void summarize(actx *a, int rc, kube_error *err) {
  kube_apply_report *rep = a->rep;
  rep->created = rep->configured = rep->unchanged = rep->failed = rep->pending = 0;
  size_t first = (size_t)-1;
  for (size_t j = 0; j < rep->n; j++) {
    size_t i = rep->order[j];
    switch (rep->results[i].status) {
    case KUBE_APPLY_CREATED:
      rep->created++;
      break;
    case KUBE_APPLY_CONFIGURED:
      rep->configured++;
      break;
    case KUBE_APPLY_UNCHANGED:
      rep->unchanged++;
      break;
    case KUBE_APPLY_FAILED:
      if (!rep->failed++) first = i;
      break;
    default:
      rep->pending++;
      break;
    }
  }
  if (!rc && first != (size_t)-1) {
    kube_apply_result *r = &rep->results[first];
    kube__set(err, r->code, "apply %s: %s", r->key, r->message ? r->message : "failed");
    if (rep->failed > 1) {
      char tail[64];
      snprintf(tail, sizeof(tail), " (and %zu more failures)", rep->failed - 1);
      if (err && strlen(err->message) + strlen(tail) < sizeof(err->message))
        strcat(err->message, tail);
    }
  }
}

int kube_apply(kube_client *c, const cJSON *const *objects, size_t n,
               const kube_apply_options *opts, kube_apply_report *report, kube_error *err) {
  static const kube_apply_options defaults = {0};
  kube_error local_err;
  if (!err) err = &local_err;
  err->code = 0, err->http_status = 0, err->message[0] = 0;
  memset(report, 0, sizeof(*report));
  actx a = {.c = c, .objs = objects, .n = n, .o = opts ? opts : &defaults, .rep = report};
  a.manager = a.o->field_manager && *a.o->field_manager ? a.o->field_manager : "gitops";
  a.default_ns = a.o->default_namespace && *a.o->default_namespace ? a.o->default_namespace
                                                                   : kube_client_namespace(c);
  a.cancel = a.o->cancel;
  atomic_init(&a.stop, 0);
  atomic_init(&a.next, 0);
  int rc = setup(&a, err);
  if (!rc) rc = preflight(&a, err);
  int crds_waited = 0, have_wave = 0, last_wave = 0;
  for (size_t j = 0; !rc && j < n && !atomic_load(&a.stop);) {
    if (kube__cancelled(a.cancel)) {
      rc = kube__set(err, KUBE_ECANCELLED, "apply cancelled");
      break;
    }
    const cJSON *head = objects[report->order[j]];
    int klass = kube__phase_class(head), wave = kube_sync_wave(head);
    if (klass == KUBE_PHASE_OTHER && !crds_waited) {
      crds_waited = 1;
      if (!a.o->dry_run && (rc = wait_crds(&a, err))) break;
    }
    if (klass == KUBE_PHASE_OTHER && a.o->wait_waves && have_wave && wave != last_wave &&
        (rc = wait_wave(&a, last_wave, err)))
      break;
    if (klass == KUBE_PHASE_OTHER) have_wave = 1, last_wave = wave;
    a.nbatch = 0;
    size_t e = j;
    for (; e < n && same_batch(head, objects[report->order[e]]); e++) {
      size_t i = report->order[e];
      if (a.deferred[i]) resolve_deferred(&a, i);
      if (a.mapped[i] && report->results[i].status == KUBE_APPLY_PENDING)
        a.batch[a.nbatch++] = i;
      else if (report->results[i].status == KUBE_APPLY_FAILED && !a.o->continue_on_error)
        atomic_store(&a.stop, 1);
    }
    if (a.nbatch && !atomic_load(&a.stop)) rc = run_batch(&a, err);
    j = e;
  }
  if (!rc && kube__cancelled(a.cancel) && !err->code)
    rc = kube__set(err, KUBE_ECANCELLED, "apply cancelled");
  if (report->results) summarize(&a, rc, err);
  if (!rc) rc = err->code;
  free(a.maps), free(a.nss), free(a.mapped), free(a.deferred), free(a.batch);
  for (size_t j = 0; a.live && j < n; j++)
    cJSON_Delete(a.live[j]);
  free(a.live);
  return rc;
}

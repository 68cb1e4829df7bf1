/* Health as Argo CD assesses it (gitops-engine pkg/health and Argo CD's
 * built-in CRD check): Healthy / Progressing / Degraded / Suspended /
 * Missing / Unknown with a message. */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <string.h>

const char *kube_health_name(kube_health_status s) {
  switch (s) {
  case KUBE_HEALTH_HEALTHY:
    return "Healthy";
  case KUBE_HEALTH_PROGRESSING:
    return "Progressing";
  case KUBE_HEALTH_DEGRADED:
    return "Degraded";
  case KUBE_HEALTH_SUSPENDED:
    return "Suspended";
  case KUBE_HEALTH_MISSING:
    return "Missing";
  default:
    return "Unknown";
  }
}

/* gitops-engine health.IsWorse: order Healthy, Suspended, Progressing,
 * Missing, Degraded, Unknown. */
static int severity(kube_health_status s) {
  switch (s) {
  case KUBE_HEALTH_HEALTHY:
    return 0;
  case KUBE_HEALTH_SUSPENDED:
    return 1;
  case KUBE_HEALTH_PROGRESSING:
    return 2;
  case KUBE_HEALTH_MISSING:
    return 3;
  case KUBE_HEALTH_DEGRADED:
    return 4;
  default:
    return 5;
  }
}

int kube_health_worse(kube_health_status a, kube_health_status b) {
  return severity(a) > severity(b);
}

static void set(kube_health *h, kube_health_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set(kube_health *h, kube_health_status s, const char *fmt, ...) {
  h->status = s;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(h->message, sizeof(h->message), fmt, ap);
  va_end(ap);
}

static long long num(const cJSON *o, const char *path, long long dflt) {
  long long v;
  return kube__jpath_int(o, path, &v) == 0 ? v : dflt;
}

static const char *str(const cJSON *o, const char *path) {
  const char *s = kube__jpath_str(o, path);
  return s ? s : "";
}

static const cJSON *condition(const cJSON *obj, const char *type) {
  const cJSON *c;
  cJSON_ArrayForEach(c, kube__jpath(obj, "status.conditions")) {
    const char *t = kube__jstr(c, "type");
    if (t && !strcmp(t, type)) return c;
  }
  return NULL;
}

static int is_true(const cJSON *cond) {
  const char *s = kube__jstr(cond, "status");
  return s && !strcmp(s, "True");
}

static void deployment(const cJSON *o, kube_health *h) {
  if (kube__jbool(kube__jpath(o, "spec.paused"))) {
    set(h, KUBE_HEALTH_SUSPENDED, "Deployment is paused");
    return;
  }
  long long gen = num(o, "metadata.generation", 0), obs = num(o, "status.observedGeneration", 0);
  if (gen > obs) {
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for rollout to finish: observed deployment generation less than desired "
        "generation");
    return;
  }
  const cJSON *prog = condition(o, "Progressing");
  const char *reason = kube__jstr(prog, "reason");
  long long want = num(o, "spec.replicas", 1), updated = num(o, "status.updatedReplicas", 0);
  long long replicas = num(o, "status.replicas", 0), avail = num(o, "status.availableReplicas", 0);
  if (reason && !strcmp(reason, "ProgressDeadlineExceeded"))
    set(h, KUBE_HEALTH_DEGRADED, "Deployment \"%s\" exceeded its progress deadline",
        str(o, "metadata.name"));
  else if (updated < want)
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for rollout to finish: %lld out of %lld new replicas have been updated...",
        updated, want);
  else if (replicas > updated)
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for rollout to finish: %lld old replicas are pending termination...",
        replicas - updated);
  else if (avail < updated)
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for rollout to finish: %lld of %lld updated replicas are available...", avail,
        updated);
  else
    set(h, KUBE_HEALTH_HEALTHY, "%s", "");
}

static void statefulset(const cJSON *o, kube_health *h) {
  long long gen = num(o, "metadata.generation", 0), obs = num(o, "status.observedGeneration", 0);
  if (obs == 0 || gen > obs) {
    set(h, KUBE_HEALTH_PROGRESSING, "Waiting for statefulset spec update to be observed...");
    return;
  }
  long long want = num(o, "spec.replicas", 1), ready = num(o, "status.readyReplicas", 0);
  if (ready < want) {
    set(h, KUBE_HEALTH_PROGRESSING, "Waiting for %lld pods to be ready...", want - ready);
    return;
  }
  const char *type = str(o, "spec.updateStrategy.type");
  const cJSON *ru = kube__jpath(o, "spec.updateStrategy.rollingUpdate");
  long long updated = num(o, "status.updatedReplicas", 0);
  if ((!*type || !strcmp(type, "RollingUpdate")) && cJSON_IsObject(ru)) {
    long long part;
    if (kube__jpath_int(ru, "partition", &part) == 0 && updated < want - part) {
      set(h, KUBE_HEALTH_PROGRESSING,
          "Waiting for partitioned roll out to finish: %lld out of %lld new pods have been "
          "updated...",
          updated, want - part);
      return;
    }
    set(h, KUBE_HEALTH_HEALTHY, "partitioned roll out complete: %lld new pods have been updated...",
        updated);
    return;
  }
  if (!strcmp(type, "OnDelete")) {
    set(h, KUBE_HEALTH_HEALTHY, "statefulset has %lld ready pods", ready);
    return;
  }
  const char *ur = str(o, "status.updateRevision"), *cr = str(o, "status.currentRevision");
  if (strcmp(ur, cr))
    set(h, KUBE_HEALTH_PROGRESSING,
        "waiting for statefulset rolling update to complete %lld pods at revision %s...", updated,
        ur);
  else
    set(h, KUBE_HEALTH_HEALTHY, "statefulset rolling update complete %lld pods at revision %s...",
        num(o, "status.currentReplicas", 0), cr);
}

static void daemonset(const cJSON *o, kube_health *h) {
  long long upd = num(o, "status.updatedNumberScheduled", 0);
  long long desired = num(o, "status.desiredNumberScheduled", 0);
  if (!strcmp(str(o, "spec.updateStrategy.type"), "OnDelete")) {
    set(h, KUBE_HEALTH_HEALTHY, "daemon set %lld out of %lld new pods have been updated", upd,
        desired);
    return;
  }
  long long gen = num(o, "metadata.generation", 0), obs = num(o, "status.observedGeneration", 0);
  if (gen > obs) {
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for rollout to finish: observed daemon set generation less than desired "
        "generation");
    return;
  }
  const char *name = str(o, "metadata.name");
  long long avail = num(o, "status.numberAvailable", 0);
  if (upd < desired)
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for daemon set \"%s\" rollout to finish: %lld out of %lld new pods have been "
        "updated...",
        name, upd, desired);
  else if (avail < desired)
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for daemon set \"%s\" rollout to finish: %lld of %lld updated pods are "
        "available...",
        name, avail, desired);
  else
    set(h, KUBE_HEALTH_HEALTHY, "%s", "");
}

static void replicaset(const cJSON *o, kube_health *h) {
  long long gen = num(o, "metadata.generation", 0), obs = num(o, "status.observedGeneration", 0);
  if (gen > obs) {
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for rollout to finish: observed replica set generation less than desired "
        "generation");
    return;
  }
  const cJSON *f = condition(o, "ReplicaFailure");
  long long want = num(o, "spec.replicas", 1), avail = num(o, "status.availableReplicas", 0);
  if (f && is_true(f))
    set(h, KUBE_HEALTH_DEGRADED, "%s", str(f, "message"));
  else if (avail < want)
    set(h, KUBE_HEALTH_PROGRESSING,
        "Waiting for rollout to finish: %lld out of %lld new replicas are available...", avail,
        want);
  else
    set(h, KUBE_HEALTH_HEALTHY, "%s", "");
}

static void job(const cJSON *o, kube_health *h) {
  int failed = 0, complete = 0, suspended = 0;
  const char *fail_msg = "", *msg = "";
  const cJSON *c;
  cJSON_ArrayForEach(c, kube__jpath(o, "status.conditions")) {
    const char *t = kube__jstr(c, "type"), *m = kube__jstr(c, "message");
    if (!t) continue;
    if (!strcmp(t, "Failed")) {
      failed = complete = 1;
      fail_msg = m ? m : "";
    } else if (!strcmp(t, "Complete")) {
      complete = 1;
      msg = m ? m : "";
    } else if (!strcmp(t, "Suspended")) {
      complete = 1;
      msg = m ? m : "";
      if (is_true(c)) suspended = 1;
    }
  }
  if (!complete)
    set(h, KUBE_HEALTH_PROGRESSING, "%s", msg);
  else if (failed)
    set(h, KUBE_HEALTH_DEGRADED, "%s", fail_msg);
  else if (suspended)
    set(h, KUBE_HEALTH_SUSPENDED, "%s", fail_msg);
  else
    set(h, KUBE_HEALTH_HEALTHY, "%s", msg);
}

static const char *ctr_fail_message(const cJSON *st, char *buf, size_t cap) {
  const cJSON *term = kube__jpath(st, "state.terminated");
  if (!cJSON_IsObject(term)) return NULL;
  const char *m = kube__jstr(term, "message"), *r = kube__jstr(term, "reason");
  if (m && *m) return m;
  if (r && !strcmp(r, "OOMKilled")) return r;
  long long code = num(term, "exitCode", 0);
  if (code != 0) {
    snprintf(buf, cap, "container \"%s\" failed with exit code %lld", str(st, "name"), code);
    return buf;
  }
  return NULL;
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

static void pod(const cJSON *o, kube_health *h) {
  const char *policy = str(o, "spec.restartPolicy");
  if (!*policy) policy = "Always";
  const char *lists[] = {"status.initContainerStatuses", "status.containerStatuses"};
  const char *pmsg = str(o, "status.message");
  if (!strcmp(policy, "Always")) {
    for (int l = 0; l < 2; l++) {
      const cJSON *st;
      cJSON_ArrayForEach(st, kube__jpath(o, lists[l])) {
        const char *reason = kube__jpath_str(st, "state.waiting.reason");
        if (reason && (!strncmp(reason, "Err", 3) || ends_with(reason, "Error") ||
                       ends_with(reason, "BackOff"))) {
          set(h, KUBE_HEALTH_DEGRADED, "%s", str(st, "state.waiting.message"));
          return;
        }
      }
    }
  }
  const char *phase = str(o, "status.phase");
  if (!strcmp(phase, "Pending")) {
    set(h, KUBE_HEALTH_PROGRESSING, "%s", pmsg);
  } else if (!strcmp(phase, "Succeeded")) {
    set(h, KUBE_HEALTH_HEALTHY, "%s", pmsg);
  } else if (!strcmp(phase, "Failed")) {
    if (*pmsg) {
      set(h, KUBE_HEALTH_DEGRADED, "%s", pmsg);
      return;
    }
    char buf[300];
    for (int l = 0; l < 2; l++) {
      const cJSON *st;
      cJSON_ArrayForEach(st, kube__jpath(o, lists[l])) {
        const char *m = ctr_fail_message(st, buf, sizeof(buf));
        if (m) {
          set(h, KUBE_HEALTH_DEGRADED, "%s", m);
          return;
        }
      }
    }
    set(h, KUBE_HEALTH_DEGRADED, "%s", "");
  } else if (!strcmp(phase, "Running")) {
    if (!strcmp(policy, "Always")) {
      const cJSON *ready = condition(o, "Ready");
      if (ready && is_true(ready)) {
        set(h, KUBE_HEALTH_HEALTHY, "%s", pmsg);
        return;
      }
      const cJSON *st;
      cJSON_ArrayForEach(st, kube__jpath(o, "status.containerStatuses")) {
        if (cJSON_IsObject(kube__jpath(st, "lastState.terminated"))) {
          set(h, KUBE_HEALTH_DEGRADED, "%s", pmsg);
          return;
        }
      }
      set(h, KUBE_HEALTH_PROGRESSING, "%s", pmsg);
    } else {
      set(h, KUBE_HEALTH_PROGRESSING, "%s", pmsg);
    }
  } else {
    set(h, KUBE_HEALTH_UNKNOWN, "%s", pmsg);
  }
}

static void pvc(const cJSON *o, kube_health *h) {
  const char *phase = str(o, "status.phase");
  if (!strcmp(phase, "Lost"))
    set(h, KUBE_HEALTH_DEGRADED, "%s", "");
  else if (!strcmp(phase, "Pending"))
    set(h, KUBE_HEALTH_PROGRESSING, "%s", "");
  else if (!strcmp(phase, "Bound"))
    set(h, KUBE_HEALTH_HEALTHY, "%s", "");
  else
    set(h, KUBE_HEALTH_UNKNOWN, "%s", "");
}

static void service(const cJSON *o, kube_health *h) {
  if (!strcmp(str(o, "spec.type"), "LoadBalancer") &&
      cJSON_GetArraySize(kube__jpath(o, "status.loadBalancer.ingress")) == 0)
    set(h, KUBE_HEALTH_PROGRESSING, "%s", "");
  else
    set(h, KUBE_HEALTH_HEALTHY, "%s", "");
}

static void ingress(const cJSON *o, kube_health *h) {
  if (cJSON_GetArraySize(kube__jpath(o, "status.loadBalancer.ingress")) > 0)
    set(h, KUBE_HEALTH_HEALTHY, "%s", "");
  else
    set(h, KUBE_HEALTH_PROGRESSING, "%s", "");
}

static void apiservice(const cJSON *o, kube_health *h) {
  const cJSON *c = condition(o, "Available");
  if (c)
    set(h, is_true(c) ? KUBE_HEALTH_HEALTHY : KUBE_HEALTH_PROGRESSING, "%s: %s", str(c, "reason"),
        str(c, "message"));
  else
    set(h, KUBE_HEALTH_PROGRESSING, "Waiting to be processed");
}

/* Argo CD's CRD check, except that "not yet Established" is Progressing (a
 * just-created CRD is on its way, not broken). */
static void crd(const cJSON *o, kube_health *h) {
  const cJSON *conds = kube__jpath(o, "status.conditions");
  if (cJSON_GetArraySize(conds) == 0) {
    set(h, KUBE_HEALTH_PROGRESSING, "Status conditions not found");
    return;
  }
  int established = 0, terminating = 0, names_rejected = 0, violations = 0;
  const char *msg = "";
  const cJSON *c;
  cJSON_ArrayForEach(c, conds) {
    const char *t = kube__jstr(c, "type"), *s = kube__jstr(c, "status"),
               *m = kube__jstr(c, "message");
    if (!t || !s) continue;
    if (!strcmp(t, "Terminating") && !strcmp(s, "True"))
      terminating = 1, msg = m ? m : "";
    else if (!strcmp(t, "NamesAccepted") && !strcmp(s, "False"))
      names_rejected = 1, msg = m ? m : "";
    else if (!strcmp(t, "Established") && !strcmp(s, "True"))
      established = 1;
    else if (!strcmp(t, "NonStructuralSchema") && !strcmp(s, "True"))
      violations = 1, msg = m ? m : "";
  }
  if (terminating)
    set(h, KUBE_HEALTH_PROGRESSING, "CRD is terminating: %s", msg);
  else if (names_rejected)
    set(h, KUBE_HEALTH_DEGRADED, "CRD names have not been accepted: %s", msg);
  else if (!established)
    set(h, KUBE_HEALTH_PROGRESSING, "CRD is not established yet");
  else if (violations)
    set(h, KUBE_HEALTH_DEGRADED, "Schema violations found: %s", msg);
  else
    set(h, KUBE_HEALTH_HEALTHY, "CRD is healthy");
}

/* HPA: conditions from status (v2) or the v1 annotation. */
static void hpa(const cJSON *o, kube_health *h) {
  static const char *const degraded[][2] = {{"AbleToScale", "FailedGetScale"},
                                            {"AbleToScale", "FailedUpdateScale"},
                                            {"ScalingActive", "FailedGetResourceMetric"},
                                            {"ScalingActive", "InvalidSelector"}};
  static const char *const healthy[][2] = {{"AbleToScale", "SucceededRescale"},
                                           {"ScalingLimited", "DesiredWithinRange"},
                                           {"ScalingLimited", "TooFewReplicas"},
                                           {"ScalingLimited", "TooManyReplicas"}};
  const cJSON *conds = kube__jpath(o, "status.conditions");
  cJSON *parsed = NULL;
  if (!cJSON_IsArray(conds)) {
    const char *ann = kube__jstr(kube__jpath(o, "metadata.annotations"),
                                 "autoscaling.alpha.kubernetes.io/conditions");
    if (ann) conds = parsed = cJSON_Parse(ann);
  }
  const cJSON *c;
  cJSON_ArrayForEach(c, conds) {
    const char *t = kube__jstr(c, "type"), *r = kube__jstr(c, "reason");
    if (!t || !r) continue;
    for (size_t i = 0; i < 4; i++) {
      if (!strcmp(t, degraded[i][0]) && !strcmp(r, degraded[i][1])) {
        set(h, KUBE_HEALTH_DEGRADED, "%s", str(c, "message"));
        cJSON_Delete(parsed);
        return;
      }
    }
    for (size_t i = 0; i < 4; i++) {
      if (!strcmp(t, healthy[i][0]) && !strcmp(r, healthy[i][1])) {
        set(h, KUBE_HEALTH_HEALTHY, "%s", str(c, "message"));
        cJSON_Delete(parsed);
        return;
      }
    }
  }
  cJSON_Delete(parsed);
  set(h, KUBE_HEALTH_PROGRESSING, "Waiting to Autoscale");
}

void kube_health_assess(const cJSON *o, kube_health *h) {
  memset(h, 0, sizeof(*h));
  if (!o) {
    set(h, KUBE_HEALTH_MISSING, "%s", "");
    return;
  }
  if (kube__jpath_str(o, "metadata.deletionTimestamp")) {
    set(h, KUBE_HEALTH_PROGRESSING, "Pending deletion");
    return;
  }
  const char *kind = kube__obj_kind(o);
  char group[256];
  kube__group_of(kube__obj_api_version(o), group, sizeof(group));
  kind = kind ? kind : "";
  if (!strcmp(group, "apps") || !strcmp(group, "extensions")) {
    if (!strcmp(kind, "Deployment")) {
      deployment(o, h);
      return;
    }
    if (!strcmp(kind, "StatefulSet")) {
      statefulset(o, h);
      return;
    }
    if (!strcmp(kind, "DaemonSet")) {
      daemonset(o, h);
      return;
    }
    if (!strcmp(kind, "ReplicaSet")) {
      replicaset(o, h);
      return;
    }
  }
  if (!strcmp(group, "networking.k8s.io") || !strcmp(group, "extensions")) {
    if (!strcmp(kind, "Ingress")) {
      ingress(o, h);
      return;
    }
  }
  if (!strcmp(group, "batch") && !strcmp(kind, "Job")) {
    job(o, h);
    return;
  }
  if (!strcmp(group, "autoscaling") && !strcmp(kind, "HorizontalPodAutoscaler")) {
    hpa(o, h);
    return;
  }
  if (!strcmp(group, "apiregistration.k8s.io") && !strcmp(kind, "APIService")) {
    apiservice(o, h);
    return;
  }
  if (!strcmp(group, "apiextensions.k8s.io") && !strcmp(kind, "CustomResourceDefinition")) {
    crd(o, h);
    return;
  }
  if (!group[0]) {
    if (!strcmp(kind, "Pod")) {
      pod(o, h);
      return;
    }
    if (!strcmp(kind, "PersistentVolumeClaim")) {
      pvc(o, h);
      return;
    }
    if (!strcmp(kind, "Service")) {
      service(o, h);
      return;
    }
  }
  set(h, KUBE_HEALTH_HEALTHY, "%s", "");
}

"""Status simulation: what kube-controller-manager, the scheduler and kubelet would do, on a timer.

A write to a watched kind schedules a reconcile: phase 1 right away (the controller has seen the new
generation: rollout in progress), phase 2 after the status delay (rollout done). Test annotations:
  test.gitops/fail: "<message>"  the object (or the pods of its template) fails
  test.gitops/hold: "true"       the object stays in progress forever
"""

import copy
import hashlib
import heapq
import itertools
import json
import threading
import time

from .api import now_rfc3339
from .registry import ResourceType

FAIL = "test.gitops/fail"
HOLD = "test.gitops/hold"
NODE = "test-node"
WATCHED = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod", "PersistentVolumeClaim",
           "PersistentVolume", "Service", "Ingress", "APIService", "CustomResourceDefinition",
           "HorizontalPodAutoscaler", "PodDisruptionBudget", "CronJob"}
_ALPHA = "bcdfghjklmnpqrstvwxz2456789"
# finalizers our simulated controllers own and release as soon as the object is being deleted
SYSTEM_FINALIZERS = {"kubernetes.io/pvc-protection", "kubernetes.io/pv-protection",
                     "external-attacher/csi", "kubernetes.io/pv-controller"}


def _hash_name(data, n=10):
    h = int(hashlib.sha256(data.encode()).hexdigest(), 16)
    out = ""
    for _ in range(n):
        out += _ALPHA[h % len(_ALPHA)]
        h //= len(_ALPHA)
    return out


def _annotations(obj):
    return ((obj or {}).get("metadata") or {}).get("annotations") or {}


def _flags(obj, template=None):
    a = dict(((template or {}).get("metadata") or {}).get("annotations") or {})
    a.update(_annotations(obj))
    fail = a.get(FAIL)
    hold = str(a.get(HOLD, "")).lower() in ("true", "1", "yes")
    return fail, hold


def _cond(conds, type_, status, reason, message, now, update_time=True):
    """Set a condition keeping lastTransitionTime when status is unchanged."""
    for c in conds:
        if c.get("type") == type_:
            if c.get("status") != status:
                c["lastTransitionTime"] = now
            c["status"] = status
            c["reason"] = reason
            c["message"] = message
            if "lastUpdateTime" in c and update_time:
                c["lastUpdateTime"] = now
            return c
    c = {"type": type_, "status": status, "lastTransitionTime": now, "reason": reason, "message": message}
    conds.append(c)
    return c


def _spec_key(obj):
    md = obj.get("metadata") or {}
    return json.dumps({"spec": obj.get("spec"), "a": md.get("annotations"), "g": md.get("generation"),
                       "del": md.get("deletionTimestamp")}, sort_keys=True)


class Controllers:
    def __init__(self, cluster):
        self.cl = cluster
        self.heap = []
        self.seq = itertools.count()
        self.cv = threading.Condition()
        self.running = False
        self.busy = 0
        self.pod_ip = itertools.count(10)
        self.pod_seq = itertools.count()
        cluster.listeners.append(self.on_event)
        self.thread = None

    # ------------------------------------------------------------------ scheduling

    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self._loop, name="controllers", daemon=True)
        self.thread.start()

    def stop(self):
        with self.cv:
            self.running = False
            self.cv.notify_all()

    def schedule(self, kind, group, plural, ns, name, phase, delay):
        with self.cv:
            heapq.heappush(self.heap, (time.time() + delay, next(self.seq), (group, plural, ns, name, phase)))
            self.cv.notify_all()

    def settle(self, timeout=10):
        """Wait until no reconcile is pending (held objects never schedule more work)."""
        end = time.time() + timeout
        with self.cv:
            while self.heap or self.busy:
                left = end - time.time()
                if left <= 0:
                    return False
                self.cv.wait(min(left, 0.05))
        return True

    def run_pending(self, max_rounds=50):
        """Run every scheduled reconcile now, ignoring due times (unit tests, no thread needed)."""
        for _ in range(max_rounds):
            with self.cv:
                if not self.heap:
                    return
                items = [heapq.heappop(self.heap)[2] for _ in range(len(self.heap))]
            for item in sorted(items, key=lambda it: it[4]):
                self._reconcile(*item)

    def _loop(self):
        while True:
            with self.cv:
                if not self.running:
                    return
                if not self.heap:
                    self.cv.wait(0.5)
                    continue
                due = self.heap[0][0]
                now = time.time()
                if due > now:
                    self.cv.wait(due - now)
                    continue
                _, _, item = heapq.heappop(self.heap)
                self.busy += 1
            try:
                self._reconcile(*item)
            except Exception:
                import traceback
                traceback.print_exc()
            finally:
                with self.cv:
                    self.busy -= 1
                    self.cv.notify_all()

    def on_event(self, type_, rt, obj, old):
        md = obj["metadata"]
        if md.get("deletionTimestamp") and any(f in SYSTEM_FINALIZERS for f in md.get("finalizers") or []) \
                and type_ != "DELETED":
            self.schedule(rt.kind, rt.group, rt.plural, md.get("namespace", ""), md["name"], 3, 0.05)
            return
        if type_ == "DELETED" and rt.kind == "PersistentVolumeClaim" and not rt.crd:
            self.schedule("PersistentVolume", "", "persistentvolumes", "", "pvc-" + md["uid"], 4, 0.05)
            return
        if rt.kind not in WATCHED or rt.crd:
            return
        if type_ == "DELETED":
            if rt.kind == "Pod":
                self._pod_gone(obj)
            return
        if type_ == "MODIFIED" and old is not None and _spec_key(old) == _spec_key(obj):
            return
        md = obj["metadata"]
        d = self.cl.status_delay
        if rt.kind == "CustomResourceDefinition":
            self.schedule(rt.kind, rt.group, rt.plural, "", md["name"], 2, min(d, 0.2) if d > 0 else 0)
            return
        self.schedule(rt.kind, rt.group, rt.plural, md.get("namespace", ""), md["name"], 1, min(0.02, d))
        self.schedule(rt.kind, rt.group, rt.plural, md.get("namespace", ""), md["name"], 2, d)

    def _pod_gone(self, pod):
        """A controller replaces a deleted pod (the owner is reconciled again)."""
        ns = pod["metadata"].get("namespace", "")
        for ref in pod["metadata"].get("ownerReferences") or []:
            if not ref.get("controller"):
                continue
            kind = ref.get("kind")
            if kind == "ReplicaSet":
                rs = self.cl.peek(self._rt("apps", "replicasets"), ns, ref.get("name"))
                if rs is None or rs["metadata"].get("deletionTimestamp"):
                    return
                for r2 in rs["metadata"].get("ownerReferences") or []:
                    if r2.get("controller") and r2.get("kind") == "Deployment":
                        kind, ref = "Deployment", r2
                        break
            plural = {"ReplicaSet": "replicasets", "Deployment": "deployments", "StatefulSet": "statefulsets",
                      "DaemonSet": "daemonsets"}.get(kind)
            if plural is None:
                return
            owner = self.cl.peek(self._rt("apps", plural), ns, ref.get("name"))
            if owner is None or owner["metadata"].get("deletionTimestamp") or \
                    owner["metadata"].get("uid") != ref.get("uid") and kind != "Deployment":
                return
            d = self.cl.status_delay
            self.schedule(kind, "apps", plural, ns, ref.get("name"), 1, min(0.02, d))
            self.schedule(kind, "apps", plural, ns, ref.get("name"), 2, d)

    # ------------------------------------------------------------------ dispatch

    def _reconcile(self, group, plural, ns, name, phase):
        cl = self.cl
        rts = cl.registry.versions_of(group, plural)
        if not rts:
            return
        rt = rts[0]
        with cl.lock:
            obj = cl.peek(rt, ns, name)
            if obj is None:
                return
            if phase == 3:
                cl.remove_finalizers(rt, obj, SYSTEM_FINALIZERS)
                return
            if phase == 4:
                if (obj.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete":
                    try:
                        cl.delete(rt, "", name)
                    except Exception:
                        pass
                return
            fn = getattr(self, "_r_" + rt.kind, None)
            if fn is not None:
                fn(rt, obj, phase)

    def _rt(self, group, plural):
        return self.cl.registry.versions_of(group, plural)[0]

    # ------------------------------------------------------------------ events

    def event(self, rt, obj, type_, reason, message, component="kube-controller-manager"):
        """Record a core/v1 Event about obj (repeats bump count/lastTimestamp, like the event recorder)."""
        cl = self.cl
        ert = self._rt("", "events")
        md = obj["metadata"]
        ns = md.get("namespace") or "default"
        if not hasattr(self, "_events"):
            self._events = {}
        key = (md.get("uid"), reason, message)
        now = now_rfc3339()
        name = self._events.get(key)
        cur = cl.peek(ert, ns, name) if name else None
        if cur is not None:
            new = copy.deepcopy(cur)
            new["count"] = cur.get("count", 1) + 1
            new["lastTimestamp"] = now
            cl.write_object(ert, new, manager=component)
            return
        name = "%s.%x" % (md["name"], int(time.time() * 1e9) & 0xFFFFFFFFFFFFFFF)
        self._events[key] = name
        body = {"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": ns},
                "involvedObject": {"apiVersion": rt.api_version, "kind": rt.kind, "name": md["name"],
                                   "namespace": md.get("namespace"), "resourceVersion": md.get("resourceVersion"),
                                   "uid": md.get("uid")},
                "reason": reason, "message": message, "type": type_, "count": 1,
                "firstTimestamp": now, "lastTimestamp": now, "eventTime": None,
                "source": {"component": component} if component != "kubelet" else
                {"component": "kubelet", "host": NODE},
                "reportingComponent": component, "reportingInstance": NODE if component == "kubelet" else ""}
        if not md.get("namespace"):
            body["involvedObject"].pop("namespace")
        try:
            cl.create(ert, ns, body, manager=component)
        except Exception:
            pass

    # ------------------------------------------------------------------ CRDs

    def _r_CustomResourceDefinition(self, rt, crd, phase):
        cl = self.cl
        md = crd["metadata"]
        if md.get("deletionTimestamp"):
            return
        spec = crd.get("spec") or {}
        names = dict(spec.get("names") or {})
        group = spec.get("group", "")
        names.setdefault("singular", (names.get("kind") or "").lower())
        names.setdefault("listKind", (names.get("kind") or "") + "List")
        # conflicts with other CRDs or built-ins
        conflict = None
        for other in cl.registry.all():
            if other.group == group and other.plural == names.get("plural") and other.crd != md["name"]:
                conflict = '"%s" is already in use' % names.get("plural")
        cl.registry.remove_crd(md["name"])
        storage = None
        served = []
        for v in spec.get("versions") or []:
            if v.get("storage"):
                storage = v.get("name")
            if v.get("served", True):
                served.append(v)
        if not conflict:
            from .registry import version_priority_key
            pref = sorted([v.get("name") for v in served], key=version_priority_key)
            for v in served:
                subs = v.get("subresources") or {}
                nrt = ResourceType(group, v.get("name"), names.get("kind"), names.get("plural"),
                                   spec.get("scope") == "Namespaced", short=names.get("shortNames") or [],
                                   categories=names.get("categories") or [], singular=names.get("singular"),
                                   status="status" in subs, scale="scale" in subs, generation=True,
                                   crd=md["name"], storage_version=storage)
                nrt.schema = ((v.get("schema") or {}).get("openAPIV3Schema"))
                nrt.printer_columns = v.get("additionalPrinterColumns")
                nrt.scale_paths = subs.get("scale")
                nrt.preferred_version = pref[0] if pref else None
                cl.registry.add(nrt)

        def mut(st, full):
            now = now_rfc3339()
            conds = st.setdefault("conditions", [])
            if conflict:
                _cond(conds, "NamesAccepted", "False", "NameConflict", conflict, now)
                _cond(conds, "Established", "False", "NotAccepted", "not all names are accepted", now)
            else:
                _cond(conds, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now)
                _cond(conds, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted",
                      now)
                st["acceptedNames"] = {k: names[k] for k in ("plural", "singular", "shortNames", "kind",
                                                             "listKind", "categories") if k in names}
            sv = st.setdefault("storedVersions", [])
            if storage and storage not in sv:
                sv.append(storage)
        cl.write_status(rt, "", md["name"], mut, manager="kube-apiserver")

    # ------------------------------------------------------------------ workloads

    def _owner_ref(self, rt, obj):
        return {"apiVersion": rt.api_version, "kind": rt.kind, "name": obj["metadata"]["name"],
                "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}

    def _owned(self, rt_child, ns, uid):
        out = []
        for o in self.cl._store(rt_child).values():
            if o["metadata"].get("namespace") != ns:
                continue
            for r in o["metadata"].get("ownerReferences") or []:
                if r.get("uid") == uid and r.get("controller"):
                    out.append(o)
        return sorted(out, key=lambda o: o["metadata"]["name"])

    def _ensure_pods(self, owner_rt, owner, template, count, names=None, ready=True, fail=None, hold=False,
                     extra_labels=None, complete=False):
        """Make the owner have exactly `count` pods of template, in the given state."""
        cl = self.cl
        prt = self._rt("", "pods")
        ns = owner["metadata"].get("namespace", "")
        existing = self._owned(prt, ns, owner["metadata"]["uid"])
        want = names or []
        if not names:
            have = [p["metadata"]["name"] for p in existing]
            want = have[:count]
            base = owner["metadata"]["name"]
            i = 0
            while len(want) < count:
                cand = "%s-%s" % (base, _hash_name("%s/%d/%d" % (owner["metadata"]["uid"], i,
                                                                  next(self.pod_seq)), 5))
                i += 1
                if cand not in want:
                    want.append(cand)
        for p in existing:
            if p["metadata"]["name"] not in want:
                cl._delete_now(prt, p)
        pods = []
        for pname in want:
            cur = cl.peek(prt, ns, pname)
            if cur is None:
                tpl = copy.deepcopy(template or {})
                pmd = copy.deepcopy(tpl.get("metadata") or {})
                pmd.pop("creationTimestamp", None)
                pmd["name"] = pname
                pmd["namespace"] = ns
                labels = pmd.setdefault("labels", {})
                labels.update(extra_labels or {})
                if not labels:
                    pmd.pop("labels")
                pmd["ownerReferences"] = [self._owner_ref(owner_rt, owner)]
                body = {"apiVersion": "v1", "kind": "Pod", "metadata": pmd, "spec": tpl.get("spec") or {}}
                try:
                    cur, _ = cl.create(prt, ns, body, manager="kube-controller-manager")
                except Exception:
                    continue
                cur = cl.peek(prt, ns, pname)
            pods.append(cur)
            self._pod_state(prt, cur, ready=ready, fail=fail, hold=hold, complete=complete)
        return pods

    def _pod_state(self, prt, pod, ready=True, fail=None, hold=False, complete=False):
        cl = self.cl
        md = pod["metadata"]
        if fail and not hold:
            for c in (pod.get("spec") or {}).get("containers") or []:
                if (pod.get("spec") or {}).get("restartPolicy", "Always") == "Always":
                    self.event(prt, pod, "Warning", "BackOff",
                               "Back-off restarting failed container %s in pod %s_%s(%s)"
                               % (c.get("name"), md["name"], md.get("namespace"), md["uid"]), "kubelet")
                else:
                    self.event(prt, pod, "Warning", "Failed", "Error: %s" % fail, "kubelet")
        if not (pod.get("spec") or {}).get("nodeName"):
            self.event(prt, pod, "Normal", "Scheduled", "Successfully assigned %s/%s to %s"
                       % (md.get("namespace"), md["name"], NODE), "default-scheduler")
            new = copy.deepcopy(pod)
            new["spec"]["nodeName"] = NODE
            cl.write_object(prt, new, manager="kube-scheduler")
            pod = cl.peek(prt, md.get("namespace", ""), md["name"])
        now = now_rfc3339()
        spec = pod.get("spec") or {}
        ip = getattr(self, "_ips", {}).get(md["uid"])
        if ip is None:
            self._ips = getattr(self, "_ips", {})
            ip = self._ips[md["uid"]] = "10.244.0.%d" % (next(self.pod_ip) % 250 + 2)
        restart = spec.get("restartPolicy", "Always")

        def mut(st, full):
            prev_phase = st.get("phase")
            conds = st.setdefault("conditions", [])
            st.setdefault("hostIP", "172.18.0.2")
            st["hostIPs"] = [{"ip": "172.18.0.2"}]
            st.setdefault("startTime", now)
            st["qosClass"] = _qos(spec)
            cstats = []
            if hold:
                phase = "Pending"
                _cond(conds, "PodScheduled", "True", None, None, now)
                for c in conds:
                    c.pop("reason", None) if c.get("reason") is None else None
                    c.pop("message", None) if c.get("message") is None else None
                for c in spec.get("containers") or []:
                    cstats.append({"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": False,
                                   "restartCount": 0, "started": False,
                                   "state": {"waiting": {"reason": "ContainerCreating"}}})
                ready_s = "False"
            elif fail:
                if restart == "Always":
                    phase = "Running"
                    for c in spec.get("containers") or []:
                        cstats.append({"name": c.get("name"), "image": c.get("image"),
                                       "imageID": _image_id(c.get("image")), "containerID": _cid(md, c),
                                       "ready": False, "restartCount": 3, "started": False,
                                       "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                                                    "message": str(fail), "startedAt": now,
                                                                    "finishedAt": now, "containerID": _cid(md, c)}},
                                       "state": {"waiting": {
                                           "reason": "CrashLoopBackOff",
                                           "message": "back-off 40s restarting failed container=%s pod=%s_%s(%s)"
                                                      % (c.get("name"), md["name"], md.get("namespace"),
                                                         md["uid"])}}})
                else:
                    phase = "Failed"
                    for c in spec.get("containers") or []:
                        cstats.append({"name": c.get("name"), "image": c.get("image"),
                                       "imageID": _image_id(c.get("image")), "containerID": _cid(md, c),
                                       "ready": False, "restartCount": 0, "started": False,
                                       "state": {"terminated": {"exitCode": 1, "reason": "Error",
                                                                "message": str(fail), "startedAt": now,
                                                                "finishedAt": now,
                                                                "containerID": _cid(md, c)}}})
                ready_s = "False"
            elif complete or (restart != "Always" and ready):
                phase = "Succeeded" if ready else "Running"
                for c in spec.get("containers") or []:
                    state = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now,
                                            "finishedAt": now, "containerID": _cid(md, c)}} if ready else \
                        {"running": {"startedAt": now}}
                    cstats.append({"name": c.get("name"), "image": c.get("image"),
                                   "imageID": _image_id(c.get("image")), "containerID": _cid(md, c),
                                   "ready": False, "restartCount": 0, "started": False, "state": state})
                ready_s = "False"
            else:
                phase = "Running" if ready else "Pending"
                for c in spec.get("containers") or []:
                    cstats.append({"name": c.get("name"), "image": c.get("image"),
                                   "imageID": _image_id(c.get("image")) if ready else "",
                                   "containerID": _cid(md, c), "ready": bool(ready), "restartCount": 0,
                                   "started": bool(ready),
                                   "state": {"running": {"startedAt": now}} if ready else
                                   {"waiting": {"reason": "ContainerCreating"}}})
                    if not ready:
                        cstats[-1].pop("containerID")
                ready_s = "True" if ready else "False"
            reason = None
            if ready_s == "False" and phase in ("Running", "Pending") and not hold:
                reason = "ContainersNotReady"
            if phase == "Succeeded" or phase == "Failed":
                reason = "PodCompleted"
            for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"):
                s = "True"
                if t in ("Ready", "ContainersReady"):
                    s = ready_s
                if t == "PodReadyToStartContainers" and (hold or phase in ("Succeeded", "Failed")):
                    s = "False" if phase != "Succeeded" else "False"
                if hold and t not in ("PodScheduled",):
                    s = "False" if t != "Initialized" else "True"
                c = _cond(conds, t, s, reason if (t in ("Ready", "ContainersReady") and s == "False") or
                          (t == "Initialized" and phase == "Succeeded") else None,
                          None, now)
                if c.get("reason") is None:
                    c.pop("reason", None)
                if c.get("message") is None:
                    c.pop("message", None)
                if s == "False" and t in ("Ready", "ContainersReady") and reason == "ContainersNotReady":
                    c["message"] = "containers with unready status: [%s]" % " ".join(
                        x.get("name", "") for x in spec.get("containers") or [])
                c.setdefault("lastProbeTime", None)
            order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
            conds.sort(key=lambda c: order.index(c["type"]) if c["type"] in order else 99)
            st["containerStatuses"] = cstats
            st["phase"] = phase
            if phase != "Pending" or not hold:
                st["podIP"] = ip
                st["podIPs"] = [{"ip": ip}]
        cl.write_status(prt, md.get("namespace", ""), md["name"], mut, manager="kubelet")

    def _r_Pod(self, rt, pod, phase):
        if any(r.get("controller") for r in pod["metadata"].get("ownerReferences") or []):
            return  # driven by its controller
        if pod["metadata"].get("deletionTimestamp"):
            return
        fail, hold = _flags(pod)
        if phase == 1:
            self._pod_state(rt, pod, ready=False, fail=None, hold=True if hold else False)
            if hold:
                return
            self._pod_state(rt, self.cl.peek(rt, pod["metadata"]["namespace"], pod["metadata"]["name"]),
                            ready=False, fail=None)
            return
        if hold:
            return
        self._pod_state(rt, pod, ready=True, fail=fail)

    def _rs_for(self, drt, dep):
        """The ReplicaSet of the deployment's current template (created if missing)."""
        cl = self.cl
        rsrt = self._rt("apps", "replicasets")
        ns = dep["metadata"]["namespace"]
        spec = dep.get("spec") or {}
        tpl = copy.deepcopy(spec.get("template") or {})
        tpl_hash = _hash_name(json.dumps(tpl, sort_keys=True), 10)
        name = "%s-%s" % (dep["metadata"]["name"], tpl_hash)
        owned = self._owned(rsrt, ns, dep["metadata"]["uid"])
        revision = 1
        for o in owned:
            r = int(_annotations(o).get("deployment.kubernetes.io/revision", "0") or 0)
            revision = max(revision, r + (0 if o["metadata"]["name"] == name else 1))
        rs = cl.peek(rsrt, ns, name)
        replicas = spec.get("replicas", 1)
        if rs is None:
            tpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = tpl_hash
            sel = copy.deepcopy(spec.get("selector") or {})
            sel.setdefault("matchLabels", {})["pod-template-hash"] = tpl_hash
            labels = dict((tpl.get("metadata") or {}).get("labels") or {})
            body = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {
                "name": name, "namespace": ns, "labels": labels,
                "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                "deployment.kubernetes.io/max-replicas": str(replicas + max(1, replicas // 4)),
                                "deployment.kubernetes.io/revision": str(revision)},
                "ownerReferences": [self._owner_ref(drt, dep)]},
                "spec": {"replicas": replicas, "selector": sel, "template": tpl}}
            cl.create(rsrt, ns, body, manager="kube-controller-manager")
            rs = cl.peek(rsrt, ns, name)
            self.event(drt, dep, "Normal", "ScalingReplicaSet",
                       "Scaled up replica set %s from 0 to %d" % (name, replicas), "deployment-controller")
        elif (rs.get("spec") or {}).get("replicas") != replicas:
            new = copy.deepcopy(rs)
            new["spec"]["replicas"] = replicas
            new["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/desired-replicas"] = \
                str(replicas)
            cl.write_object(rsrt, new)
            rs = cl.peek(rsrt, ns, name)
        for o in owned:
            if o["metadata"]["name"] != name and (o.get("spec") or {}).get("replicas", 0) != 0:
                new = copy.deepcopy(o)
                new["spec"]["replicas"] = 0
                cl.write_object(rsrt, new)
                self._ensure_pods(rsrt, cl.peek(rsrt, ns, o["metadata"]["name"]), None, 0)
                self._rs_status(rsrt, cl.peek(rsrt, ns, o["metadata"]["name"]), 0, 0)
        rev = _annotations(rs).get("deployment.kubernetes.io/revision", str(revision))
        if _annotations(dep).get("deployment.kubernetes.io/revision") != rev:
            new = copy.deepcopy(dep)
            new["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = rev
            cl.write_object(drt, new)
        return rs

    def _rs_status(self, rsrt, rs, ready, available, replicas=None):
        spec = rs.get("spec") or {}
        want = spec.get("replicas", 1) if replicas is None else replicas
        gen = rs["metadata"].get("generation", 1)
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}

        def mut(st, full):
            st.clear()
            if want:
                st["replicas"] = want
            else:
                st["replicas"] = 0
            st["fullyLabeledReplicas"] = want if want else None
            if st["fullyLabeledReplicas"] is None:
                del st["fullyLabeledReplicas"]
            if ready:
                st["readyReplicas"] = ready
            if available:
                st["availableReplicas"] = available
            st["observedGeneration"] = gen
        self.cl.write_status(rsrt, rs["metadata"]["namespace"], rs["metadata"]["name"], mut)

    def _r_Deployment(self, rt, dep, phase):
        cl = self.cl
        md = dep["metadata"]
        if md.get("deletionTimestamp"):
            return
        spec = dep.get("spec") or {}
        fail, hold = _flags(dep, spec.get("template"))
        paused = spec.get("paused")
        replicas = spec.get("replicas", 1)
        gen = md.get("generation", 1)
        rsrt = self._rt("apps", "replicasets")
        rs = self._rs_for(rt, cl.peek(rt, md["namespace"], md["name"]))
        rsname = rs["metadata"]["name"]
        done = phase == 2 and not hold and not fail
        pods = self._ensure_pods(rsrt, rs, (rs.get("spec") or {}).get("template"), replicas,
                                 ready=done, fail=fail if phase == 2 else None, hold=hold and phase == 2,
                                 extra_labels=None)
        ready = replicas if done else 0
        self._rs_status(rsrt, cl.peek(rsrt, md["namespace"], rsname), ready, ready)
        first = not ((dep.get("status") or {}).get("conditions"))

        def mut(st, full):
            now = now_rfc3339()
            prev_avail = st.get("availableReplicas", 0)
            st["observedGeneration"] = gen
            for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"):
                st.pop(k, None)
            if replicas:
                st["replicas"] = replicas
                st["updatedReplicas"] = replicas
                if ready:
                    st["readyReplicas"] = ready
                    st["availableReplicas"] = ready
                elif not done:
                    st["unavailableReplicas"] = replicas
            conds = st.setdefault("conditions", [])
            avail_ok = ready >= replicas or (prev_avail >= replicas and not fail and phase == 1 and not first)
            if avail_ok and done:
                c = _cond(conds, "Available", "True", "MinimumReplicasAvailable",
                          "Deployment has minimum availability.", now)
            elif replicas == 0:
                c = _cond(conds, "Available", "True", "MinimumReplicasAvailable",
                          "Deployment has minimum availability.", now)
            else:
                c = _cond(conds, "Available", "False", "MinimumReplicasUnavailable",
                          "Deployment does not have minimum availability.", now)
            c.setdefault("lastUpdateTime", now)
            if paused:
                c = _cond(conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now)
            elif fail and phase == 2:
                c = _cond(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                          'ReplicaSet "%s" has timed out progressing.' % rsname, now)
            elif done or replicas == 0:
                c = _cond(conds, "Progressing", "True", "NewReplicaSetAvailable",
                          'ReplicaSet "%s" has successfully progressed.' % rsname, now)
            else:
                reason = "NewReplicaSetCreated" if first else "ReplicaSetUpdated"
                msg = ('Created new replica set "%s"' % rsname) if first else \
                    ('ReplicaSet "%s" is progressing.' % rsname)
                c = _cond(conds, "Progressing", "True", reason, msg, now)
            c.setdefault("lastUpdateTime", now)
            order = {"Available": 0, "Progressing": 1}
            conds.sort(key=lambda c: order.get(c["type"], 9))
            for c in conds:
                c2 = {"lastTransitionTime": c.get("lastTransitionTime"), "lastUpdateTime": c.get("lastUpdateTime"),
                      "message": c.get("message"), "reason": c.get("reason"), "status": c.get("status"),
                      "type": c.get("type")}
                c.clear()
                c.update({k: v for k, v in (("type", c2["type"]), ("status", c2["status"]),
                                            ("lastUpdateTime", c2["lastUpdateTime"]),
                                            ("lastTransitionTime", c2["lastTransitionTime"]),
                                            ("reason", c2["reason"]), ("message", c2["message"]))})
        cl.write_status(rt, md["namespace"], md["name"], mut)

    def _r_ReplicaSet(self, rt, rs, phase):
        if any(r.get("controller") and r.get("kind") == "Deployment"
               for r in rs["metadata"].get("ownerReferences") or []):
            return
        md = rs["metadata"]
        if md.get("deletionTimestamp"):
            return
        spec = rs.get("spec") or {}
        fail, hold = _flags(rs, spec.get("template"))
        replicas = spec.get("replicas", 1)
        done = phase == 2 and not hold and not fail
        self._ensure_pods(rt, rs, spec.get("template"), replicas, ready=done,
                          fail=fail if phase == 2 else None, hold=hold and phase == 2)
        self._rs_status(rt, self.cl.peek(rt, md["namespace"], md["name"]), replicas if done else 0,
                        replicas if done else 0)

    def _r_StatefulSet(self, rt, sts, phase):
        cl = self.cl
        md = sts["metadata"]
        if md.get("deletionTimestamp"):
            return
        spec = sts.get("spec") or {}
        fail, hold = _flags(sts, spec.get("template"))
        replicas = spec.get("replicas", 1)
        rev = "%s-%s" % (md["name"], _hash_name(json.dumps(spec.get("template"), sort_keys=True), 10))
        done = phase == 2 and not hold and not fail
        # PVCs from volumeClaimTemplates
        pvcrt = self._rt("", "persistentvolumeclaims")
        for i in range(replicas):
            for vct in spec.get("volumeClaimTemplates") or []:
                cname = "%s-%s-%d" % ((vct.get("metadata") or {}).get("name"), md["name"], i)
                if cl.peek(pvcrt, md["namespace"], cname) is None:
                    lbl = dict(((spec.get("selector") or {}).get("matchLabels") or {}))
                    body = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                            "metadata": {"name": cname, "namespace": md["namespace"], "labels": lbl},
                            "spec": copy.deepcopy(vct.get("spec") or {})}
                    if not lbl:
                        del body["metadata"]["labels"]
                    try:
                        cl.create(pvcrt, md["namespace"], body, manager="kube-controller-manager")
                    except Exception:
                        pass
        tpl = copy.deepcopy(spec.get("template") or {})
        names = ["%s-%d" % (md["name"], i) for i in range(replicas)]
        # one call keeps surplus pods deleted
        self._ensure_sts_pods(rt, sts, tpl, names, rev, done, fail if phase == 2 else None, hold and phase == 2)
        gen = md.get("generation", 1)

        def mut(st, full):
            st.clear()
            st["observedGeneration"] = gen
            st["replicas"] = replicas
            if done:
                st["readyReplicas"] = replicas
                st["currentReplicas"] = replicas
                st["updatedReplicas"] = replicas
                st["availableReplicas"] = replicas
            else:
                st["availableReplicas"] = 0
                st["updatedReplicas"] = replicas
                st["currentReplicas"] = replicas
            st["currentRevision"] = rev
            st["updateRevision"] = rev
            st["collisionCount"] = 0
        cl.write_status(rt, md["namespace"], md["name"], mut)

    def _ensure_sts_pods(self, rt, sts, tpl, names, rev, done, fail, hold):
        cl = self.cl
        prt = self._rt("", "pods")
        ns = sts["metadata"]["namespace"]
        for p in self._owned(prt, ns, sts["metadata"]["uid"]):
            if p["metadata"]["name"] not in names:
                cl._delete_now(prt, p)
        for i, n in enumerate(names):
            cur = cl.peek(prt, ns, n)
            if cur is None:
                t = copy.deepcopy(tpl)
                pmd = t.get("metadata") or {}
                pmd.pop("creationTimestamp", None)
                lbl = pmd.setdefault("labels", {})
                lbl.update({"apps.kubernetes.io/pod-index": str(i), "controller-revision-hash": rev,
                            "statefulset.kubernetes.io/pod-name": n})
                pmd.update({"name": n, "namespace": ns, "ownerReferences": [self._owner_ref(rt, sts)]})
                pspec = t.get("spec") or {}
                pspec.setdefault("hostname", n)
                if (sts.get("spec") or {}).get("serviceName"):
                    pspec.setdefault("subdomain", sts["spec"]["serviceName"])
                for vct in (sts.get("spec") or {}).get("volumeClaimTemplates") or []:
                    vn = (vct.get("metadata") or {}).get("name")
                    vols = pspec.setdefault("volumes", [])
                    if not any(v.get("name") == vn for v in vols):
                        vols.append({"name": vn, "persistentVolumeClaim": {
                            "claimName": "%s-%s-%d" % (vn, sts["metadata"]["name"], i)}})
                try:
                    cl.create(prt, ns, {"apiVersion": "v1", "kind": "Pod", "metadata": pmd, "spec": pspec},
                              manager="kube-controller-manager")
                except Exception:
                    continue
                cur = cl.peek(prt, ns, n)
            self._pod_state(prt, cur, ready=done, fail=fail, hold=hold)

    def _r_DaemonSet(self, rt, ds, phase):
        cl = self.cl
        md = ds["metadata"]
        if md.get("deletionTimestamp"):
            return
        spec = ds.get("spec") or {}
        fail, hold = _flags(ds, spec.get("template"))
        done = phase == 2 and not hold and not fail
        self._ensure_pods(rt, ds, spec.get("template"), 1, ready=done, fail=fail if phase == 2 else None,
                          hold=hold and phase == 2)
        gen = md.get("generation", 1)

        def mut(st, full):
            st.clear()
            st["currentNumberScheduled"] = 1
            st["desiredNumberScheduled"] = 1
            st["numberMisscheduled"] = 0
            st["numberReady"] = 1 if done else 0
            st["observedGeneration"] = gen
            st["updatedNumberScheduled"] = 1
            if done:
                st["numberAvailable"] = 1
            else:
                st["numberUnavailable"] = 1
        cl.write_status(rt, md["namespace"], md["name"], mut)

    def _r_Job(self, rt, job, phase):
        cl = self.cl
        md = job["metadata"]
        if md.get("deletionTimestamp"):
            return
        spec = job.get("spec") or {}
        st0 = job.get("status") or {}
        if any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
               for c in st0.get("conditions") or []):
            return
        if spec.get("suspend"):
            def smut(st, full):
                now = now_rfc3339()
                _cond(st.setdefault("conditions", []), "Suspended", "True", "JobSuspended", "Job suspended", now)
                for c in st["conditions"]:
                    c.setdefault("lastProbeTime", now)
            cl.write_status(rt, md["namespace"], md["name"], smut)
            return
        fail, hold = _flags(job, spec.get("template"))
        tpl = copy.deepcopy(spec.get("template") or {})
        completions = spec.get("completions") or 1
        labels = {"batch.kubernetes.io/controller-uid": md["uid"], "batch.kubernetes.io/job-name": md["name"],
                  "controller-uid": md["uid"], "job-name": md["name"]}
        finished = phase == 2 and not hold
        self._ensure_pods(rt, job, tpl, 1, ready=finished and not fail,
                          fail=fail if finished else None, hold=hold and phase == 2, extra_labels=labels,
                          complete=finished and not fail)
        backoff = spec.get("backoffLimit", 6)

        def mut(st, full):
            now = now_rfc3339()
            st.setdefault("startTime", now)
            st.setdefault("uncountedTerminatedPods", {})
            conds = st.setdefault("conditions", [])
            if finished and fail:
                if not any(c.get("type") == "Failed" for c in conds):
                    self.event(rt, job, "Warning", "BackoffLimitExceeded",
                               "Job has reached the specified backoff limit", "job-controller")
                st.pop("active", None)
                st["failed"] = backoff + 1
                st["ready"] = 0
                st["terminating"] = 0
                c1 = _cond(conds, "FailureTarget", "True", "BackoffLimitExceeded",
                           "Job has reached the specified backoff limit", now)
                c2 = _cond(conds, "Failed", "True", "BackoffLimitExceeded",
                           "Job has reached the specified backoff limit", now)
                for c in (c1, c2):
                    c.setdefault("lastProbeTime", now)
            elif finished:
                if not any(c.get("type") == "Complete" for c in conds):
                    self.event(rt, job, "Normal", "Completed", "Job completed", "job-controller")
                st.pop("active", None)
                st["succeeded"] = completions
                st["ready"] = 0
                st["terminating"] = 0
                st["completionTime"] = now
                c1 = _cond(conds, "SuccessCriteriaMet", "True", "CompletionsReached",
                           "Reached expected number of succeeded pods", now)
                c2 = _cond(conds, "Complete", "True", "CompletionsReached",
                           "Reached expected number of succeeded pods", now)
                for c in (c1, c2):
                    c.setdefault("lastProbeTime", now)
            else:
                st["active"] = 1
                st["ready"] = 0
                st["terminating"] = 0
            if not conds:
                del st["conditions"]
        cl.write_status(rt, md["namespace"], md["name"], mut)

    def _r_CronJob(self, rt, cj, phase):
        return

    # ------------------------------------------------------------------ the rest

    def _r_PersistentVolumeClaim(self, rt, pvc, phase):
        cl = self.cl
        md = pvc["metadata"]
        fail, hold = _flags(pvc)
        if phase != 2 or hold or fail or md.get("deletionTimestamp"):
            return
        if (pvc.get("status") or {}).get("phase") == "Bound":
            return
        spec = pvc.get("spec") or {}
        pvname = spec.get("volumeName") or "pvc-" + md["uid"]
        storage = (((spec.get("resources") or {}).get("requests") or {}).get("storage")) or "1Gi"
        sc = spec.get("storageClassName")
        if sc is None:
            sc = "standard"
        pvrt = self._rt("", "persistentvolumes")
        if cl.peek(pvrt, "", pvname) is None:
            body = {"apiVersion": "v1", "kind": "PersistentVolume",
                    "metadata": {"name": pvname, "annotations": {
                        "pv.kubernetes.io/provisioned-by": "rancher.io/local-path"},
                        "finalizers": ["kubernetes.io/pv-protection"]},
                    "spec": {"accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                             "capacity": {"storage": storage},
                             "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                          "name": md["name"], "namespace": md["namespace"], "uid": md["uid"]},
                             "hostPath": {"path": "/var/local-path-provisioner/%s_%s_%s"
                                                  % (pvname, md["namespace"], md["name"]), "type": "DirectoryOrCreate"},
                             "persistentVolumeReclaimPolicy": "Delete", "storageClassName": sc,
                             "volumeMode": spec.get("volumeMode", "Filesystem")}}
            try:
                cl.create(pvrt, "", body, manager="local-path-provisioner")
            except Exception:
                pass

            def pvmut(st, full):
                st["phase"] = "Bound"
                st["lastPhaseTransitionTime"] = now_rfc3339()
            cl.write_status(pvrt, "", pvname, pvmut)
        if not spec.get("volumeName") or not spec.get("storageClassName"):
            new = copy.deepcopy(pvc)
            new["spec"]["volumeName"] = pvname
            new["spec"].setdefault("storageClassName", sc)
            a = new["metadata"].setdefault("annotations", {})
            a["pv.kubernetes.io/bind-completed"] = "yes"
            a["pv.kubernetes.io/bound-by-controller"] = "yes"
            a["volume.beta.kubernetes.io/storage-provisioner"] = "rancher.io/local-path"
            a["volume.kubernetes.io/storage-provisioner"] = "rancher.io/local-path"
            new["metadata"].setdefault("finalizers", ["kubernetes.io/pvc-protection"])
            cl.write_object(rt, new)

        def mut(st, full):
            st["phase"] = "Bound"
            st["accessModes"] = spec.get("accessModes") or ["ReadWriteOnce"]
            st["capacity"] = {"storage": storage}
        cl.write_status(rt, md["namespace"], md["name"], mut)

    def _r_PersistentVolume(self, rt, pv, phase):
        if phase != 2 or (pv.get("status") or {}).get("phase") not in (None, "Pending"):
            return

        def mut(st, full):
            st["phase"] = "Bound" if (pv.get("spec") or {}).get("claimRef") else "Available"
            st["lastPhaseTransitionTime"] = now_rfc3339()
        self.cl.write_status(rt, "", pv["metadata"]["name"], mut)

    def _r_Service(self, rt, svc, phase):
        if phase != 2:
            return
        fail, hold = _flags(svc)
        spec = svc.get("spec") or {}

        def mut(st, full):
            if spec.get("type") == "LoadBalancer" and not hold and not fail:
                st["loadBalancer"] = {"ingress": [{"ip": "127.0.0.1", "ipMode": "VIP"}]}
            else:
                st["loadBalancer"] = {}
        self.cl.write_status(rt, svc["metadata"]["namespace"], svc["metadata"]["name"], mut)

    def _r_Ingress(self, rt, ing, phase):
        if phase != 2:
            return
        fail, hold = _flags(ing)
        if hold or fail:
            return

        def mut(st, full):
            st["loadBalancer"] = {"ingress": [{"ip": "127.0.0.1"}]}
        self.cl.write_status(rt, ing["metadata"]["namespace"], ing["metadata"]["name"], mut,
                             manager="nginx-ingress-controller")

    def _r_APIService(self, rt, svc, phase):
        if phase != 2:
            return
        fail, hold = _flags(svc)
        local = not (svc.get("spec") or {}).get("service")

        def mut(st, full):
            now = now_rfc3339()
            conds = st.setdefault("conditions", [])
            if fail:
                _cond(conds, "Available", "False", "FailedDiscoveryCheck", str(fail), now)
            elif hold:
                _cond(conds, "Available", "False", "MissingEndpoints", "endpoints for service are not ready", now)
            elif local:
                _cond(conds, "Available", "True", "Local", "Local APIServices are always available", now)
            else:
                _cond(conds, "Available", "True", "Passed", "all checks passed", now)
        self.cl.write_status(rt, "", svc["metadata"]["name"], mut, manager="kube-apiserver")

    def _r_HorizontalPodAutoscaler(self, rt, hpa, phase):
        if phase != 2:
            return
        spec = hpa.get("spec") or {}

        def mut(st, full):
            n = spec.get("minReplicas", 1)
            st["currentReplicas"] = n
            st["desiredReplicas"] = n
            st.setdefault("currentMetrics", None)
            if st.get("currentMetrics") is None:
                st.pop("currentMetrics")
        self.cl.write_status(rt, hpa["metadata"]["namespace"], hpa["metadata"]["name"], mut)

    def _r_PodDisruptionBudget(self, rt, pdb, phase):
        if phase != 2:
            return
        gen = pdb["metadata"].get("generation", 1)

        def mut(st, full):
            now = now_rfc3339()
            st["observedGeneration"] = gen
            st.setdefault("currentHealthy", 0)
            st.setdefault("desiredHealthy", 0)
            st.setdefault("disruptionsAllowed", 0)
            st.setdefault("expectedPods", 0)
            _cond(st.setdefault("conditions", []), "DisruptionAllowed", "False", "InsufficientPods", "", now)
            for c in st["conditions"]:
                c.setdefault("observedGeneration", gen)
        self.cl.write_status(rt, pdb["metadata"]["namespace"], pdb["metadata"]["name"], mut)


def _qos(spec):
    req = lim = False
    for c in spec.get("containers") or []:
        r = c.get("resources") or {}
        req = req or bool(r.get("requests"))
        lim = lim or bool(r.get("limits"))
    if not req and not lim:
        return "BestEffort"
    return "Burstable"


def _image_id(image):
    image = image or ""
    name = image if ("/" in image.split(":")[0] or "." in image.split("/")[0]) else "docker.io/library/" + image
    return "%s@sha256:%s" % (name.split(":")[0] if "@" not in name else name.split("@")[0],
                             hashlib.sha256(image.encode()).hexdigest())


def _cid(md, c):
    return "containerd://" + hashlib.sha256(("%s/%s" % (md["uid"], c.get("name"))).encode()).hexdigest()

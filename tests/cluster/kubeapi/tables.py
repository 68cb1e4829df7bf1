"""meta.k8s.io/v1 Table rendering (what `kubectl get` asks for), after kube-apiserver's printers."""

import calendar
import re
import time

NAME_DESC = ("Name must be unique within a namespace. Is required when creating resources, although some "
             "resources may allow a client to request the generation of an appropriate name automatically. "
             "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
             "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_DESC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It is "
            "not guaranteed to be set in happens-before order across separate operations. Clients may not set "
            "this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. "
            "Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/"
            "api-conventions.md#metadata")


def human_duration(seconds):
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return "%ds" % s
    minutes = s // 60
    if minutes < 10:
        r = s % 60
        return "%dm" % minutes if r == 0 else "%dm%ds" % (minutes, r)
    if minutes < 180:
        return "%dm" % minutes
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return "%dh" % hours if m == 0 else "%dh%dm" % (hours, m)
    if hours < 48:
        return "%dh" % hours
    if hours < 24 * 8:
        h = hours % 24
        return "%dd" % (hours // 24) if h == 0 else "%dd%dh" % (hours // 24, h)
    if hours < 24 * 365 * 2:
        return "%dd" % (hours // 24)
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return "%dy" % (hours // 24 // 365) if dy == 0 else "%dy%dd" % (hours // 24 // 365, dy)
    return "%dy" % (hours // 24 // 365)


def _ts(s):
    try:
        return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
    except (TypeError, ValueError):
        return None


def age(obj, key="creationTimestamp"):
    t = _ts(((obj.get("metadata") or {}).get(key)))
    if t is None:
        return "<unknown>"
    return human_duration(time.time() - t)


def since(ts):
    t = _ts(ts)
    return "<unknown>" if t is None else human_duration(time.time() - t)


def col(name, type_="string", priority=0, fmt="", desc=""):
    return {"name": name, "type": type_, "format": fmt, "description": desc or name, "priority": priority}


NAME = col("Name", fmt="name", desc=NAME_DESC)
AGE = col("Age", desc=AGE_DESC)


def _g(o, *path, default=None):
    cur = o
    for p in path:
        if isinstance(cur, dict):
            cur = cur.get(p)
        elif isinstance(cur, list) and isinstance(p, int) and p < len(cur):
            cur = cur[p]
        else:
            return default
        if cur is None:
            return default
    return cur


def _containers(o, tpl=True):
    spec = _g(o, "spec", "template", "spec") if tpl else o.get("spec")
    cs = (spec or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _selector(o):
    sel = _g(o, "spec", "selector") or {}
    parts = ["%s=%s" % kv for kv in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        if op == "In":
            parts.append("%s in (%s)" % (e.get("key"), ",".join(e.get("values") or [])))
        elif op == "NotIn":
            parts.append("%s notin (%s)" % (e.get("key"), ",".join(e.get("values") or [])))
        elif op == "Exists":
            parts.append(e.get("key"))
        elif op == "DoesNotExist":
            parts.append("!" + e.get("key"))
    return ",".join(parts) if parts else "<none>"


def _map_selector(m):
    return ",".join("%s=%s" % kv for kv in sorted((m or {}).items())) if m else "<none>"


def _pod_row(o):
    st = o.get("status") or {}
    cs = st.get("containerStatuses") or []
    total = len(_g(o, "spec", "containers") or [])
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in cs)
    reason = st.get("reason") or st.get("phase") or "Pending"
    for c in cs:
        w = _g(c, "state", "waiting", "reason")
        t = _g(c, "state", "terminated", "reason")
        if w:
            reason = w
        elif t and reason not in ("Completed",):
            reason = t
    if (o.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Terminating"
    ip = st.get("podIP") or "<none>"
    node = _g(o, "spec", "nodeName") or "<none>"
    return ["%d/%d" % (ready, total), reason, restarts, age(o), ip, node, "<none>", "<none>"]


def _ports(svc):
    out = []
    for p in _g(svc, "spec", "ports") or []:
        s = "%s/%s" % (p.get("port"), p.get("protocol", "TCP"))
        if p.get("nodePort"):
            s = "%s:%s/%s" % (p.get("port"), p.get("nodePort"), p.get("protocol", "TCP"))
        out.append(s)
    return ",".join(out) if out else "<none>"


def _external_ip(svc):
    t = _g(svc, "spec", "type", default="ClusterIP")
    ext = _g(svc, "spec", "externalIPs") or []
    if t == "ExternalName":
        return _g(svc, "spec", "externalName", default="<none>")
    if t == "LoadBalancer":
        ing = _g(svc, "status", "loadBalancer", "ingress") or []
        ips = [i.get("ip") or i.get("hostname") for i in ing] + ext
        return ",".join(ips) if ips else "<pending>"
    return ",".join(ext) if ext else "<none>"


def _job_status(o):
    for c in _g(o, "status", "conditions") or []:
        if c.get("status") == "True":
            if c.get("type") == "Complete":
                return "Complete"
            if c.get("type") == "Failed":
                return "Failed"
            if c.get("type") == "Suspended":
                return "Suspended"
    if _g(o, "status", "active"):
        return "Running"
    return "Running"


def _duration(o):
    start = _ts(_g(o, "status", "startTime"))
    end = _ts(_g(o, "status", "completionTime"))
    if start is None:
        return ""
    return human_duration((end or time.time()) - start)


BUILTIN = {
    "Node": ([NAME, col("Status"), col("Roles"), AGE, col("Version"), col("Internal-IP", priority=1),
              col("External-IP", priority=1), col("OS-Image", priority=1), col("Kernel-Version", priority=1),
              col("Container-Runtime", priority=1)],
             lambda o: [_node_status(o), ",".join(sorted(k.split("/", 1)[1] for k in (_g(o, "metadata", "labels") or {})
                                                         if k.startswith("node-role.kubernetes.io/"))) or "<none>",
                        age(o), _g(o, "status", "nodeInfo", "kubeletVersion", default=""),
                        ",".join(a["address"] for a in _g(o, "status", "addresses") or []
                                 if a.get("type") == "InternalIP") or "<none>", "<none>",
                        _g(o, "status", "nodeInfo", "osImage", default=""),
                        _g(o, "status", "nodeInfo", "kernelVersion", default=""),
                        _g(o, "status", "nodeInfo", "containerRuntimeVersion", default="")]),
    "ConfigMap": ([NAME, col("Data", "integer"), AGE],
                  lambda o: [len(o.get("data") or {}) + len(o.get("binaryData") or {}), age(o)]),
    "Secret": ([NAME, col("Type"), col("Data", "integer"), AGE],
               lambda o: [o.get("type", "Opaque"), len(o.get("data") or {}), age(o)]),
    "Namespace": ([NAME, col("Status"), AGE], lambda o: [_g(o, "status", "phase", default="Active"), age(o)]),
    "ServiceAccount": ([NAME, col("Secrets", "integer"), AGE],
                       lambda o: [len(o.get("secrets") or []), age(o)]),
    "Service": ([NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE,
                 col("Selector", priority=1)],
                lambda o: [_g(o, "spec", "type", default="ClusterIP"), _g(o, "spec", "clusterIP", default="<none>"),
                           _external_ip(o), _ports(o), age(o), _map_selector(_g(o, "spec", "selector"))]),
    "Pod": ([NAME, col("Ready"), col("Status"), col("Restarts", "string"), AGE, col("IP", priority=1),
             col("Node", priority=1), col("Nominated Node", priority=1), col("Readiness Gates", priority=1)],
            _pod_row),
    "Deployment": ([NAME, col("Ready"), col("Up-to-date", "integer"), col("Available", "integer"), AGE,
                    col("Containers", priority=1), col("Images", priority=1), col("Selector", priority=1)],
                   lambda o: ["%d/%d" % (_g(o, "status", "readyReplicas", default=0),
                                         _g(o, "spec", "replicas", default=1)),
                              _g(o, "status", "updatedReplicas", default=0),
                              _g(o, "status", "availableReplicas", default=0), age(o)] + list(_containers(o))
                   + [_selector(o)]),
    "StatefulSet": ([NAME, col("Ready"), AGE, col("Containers", priority=1), col("Images", priority=1)],
                    lambda o: ["%d/%d" % (_g(o, "status", "readyReplicas", default=0),
                                          _g(o, "spec", "replicas", default=1)), age(o)] + list(_containers(o))),
    "DaemonSet": ([NAME, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"),
                   col("Up-to-date", "integer"), col("Available", "integer"), col("Node Selector"), AGE,
                   col("Containers", priority=1), col("Images", priority=1), col("Selector", priority=1)],
                  lambda o: [_g(o, "status", "desiredNumberScheduled", default=0),
                             _g(o, "status", "currentNumberScheduled", default=0),
                             _g(o, "status", "numberReady", default=0),
                             _g(o, "status", "updatedNumberScheduled", default=0),
                             _g(o, "status", "numberAvailable", default=0),
                             _map_selector(_g(o, "spec", "template", "spec", "nodeSelector")), age(o)]
                  + list(_containers(o)) + [_selector(o)]),
    "ReplicaSet": ([NAME, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), AGE,
                    col("Containers", priority=1), col("Images", priority=1), col("Selector", priority=1)],
                   lambda o: [_g(o, "spec", "replicas", default=1), _g(o, "status", "replicas", default=0),
                              _g(o, "status", "readyReplicas", default=0), age(o)] + list(_containers(o))
                   + [_selector(o)]),
    "Job": ([NAME, col("Status"), col("Completions"), col("Duration"), AGE, col("Containers", priority=1),
             col("Images", priority=1), col("Selector", priority=1)],
            lambda o: [_job_status(o), "%d/%d" % (_g(o, "status", "succeeded", default=0),
                                                  _g(o, "spec", "completions", default=1)),
                       _duration(o), age(o)] + list(_containers(o)) + [_selector(o)]),
    "CronJob": ([NAME, col("Schedule"), col("Timezone"), col("Suspend", "boolean"), col("Active", "integer"),
                 col("Last Schedule"), AGE, col("Containers", priority=1), col("Images", priority=1),
                 col("Selector", priority=1)],
                lambda o: [_g(o, "spec", "schedule", default=""), _g(o, "spec", "timeZone", default="<none>"),
                           bool(_g(o, "spec", "suspend", default=False)), len(_g(o, "status", "active") or []),
                           since(_g(o, "status", "lastScheduleTime")) if _g(o, "status", "lastScheduleTime")
                           else "<none>", age(o),
                           ",".join(c.get("name", "") for c in _g(o, "spec", "jobTemplate", "spec", "template",
                                                                   "spec", "containers") or []),
                           ",".join(c.get("image", "") for c in _g(o, "spec", "jobTemplate", "spec", "template",
                                                                    "spec", "containers") or []), "<none>"]),
    "PersistentVolumeClaim": ([NAME, col("Status"), col("Volume"), col("Capacity"), col("Access Modes"),
                               col("StorageClass"), col("VolumeAttributesClass"), AGE,
                               col("VolumeMode", priority=1)],
                              lambda o: [_g(o, "status", "phase", default="Pending"),
                                         _g(o, "spec", "volumeName", default=""),
                                         _g(o, "status", "capacity", "storage", default=""),
                                         _modes(_g(o, "status", "accessModes")),
                                         _g(o, "spec", "storageClassName", default=""), "<unset>", age(o),
                                         _g(o, "spec", "volumeMode", default="Filesystem")]),
    "PersistentVolume": ([NAME, col("Capacity"), col("Access Modes"), col("Reclaim Policy"), col("Status"),
                          col("Claim"), col("StorageClass"), col("VolumeAttributesClass"), col("Reason"), AGE,
                          col("VolumeMode", priority=1)],
                         lambda o: [_g(o, "spec", "capacity", "storage", default=""),
                                    _modes(_g(o, "spec", "accessModes")),
                                    _g(o, "spec", "persistentVolumeReclaimPolicy", default="Retain"),
                                    _g(o, "status", "phase", default="Pending"),
                                    ("%s/%s" % (_g(o, "spec", "claimRef", "namespace"), _g(o, "spec", "claimRef",
                                                                                            "name")))
                                    if _g(o, "spec", "claimRef") else "",
                                    _g(o, "spec", "storageClassName", default=""), "<unset>",
                                    _g(o, "status", "reason", default=""), age(o),
                                    _g(o, "spec", "volumeMode", default="Filesystem")]),
    "Ingress": ([NAME, col("Class"), col("Hosts"), col("Address"), col("Ports"), AGE],
                lambda o: [_g(o, "spec", "ingressClassName", default="<none>"),
                           ",".join(r.get("host", "*") or "*" for r in _g(o, "spec", "rules") or []) or "*",
                           ",".join(i.get("ip") or i.get("hostname") or ""
                                    for i in _g(o, "status", "loadBalancer", "ingress") or []),
                           "80, 443" if _g(o, "spec", "tls") else "80", age(o)]),
    "IngressClass": ([NAME, col("Controller"), col("Parameters"), AGE],
                     lambda o: [_g(o, "spec", "controller", default=""), "<none>", age(o)]),
    "NetworkPolicy": ([NAME, col("Pod-Selector"), AGE],
                      lambda o: [_selector({"spec": {"selector": _g(o, "spec", "podSelector")}})
                                 if _g(o, "spec", "podSelector") else "<none>", age(o)]),
    "Role": ([NAME, col("Created At", "date")], lambda o: [_g(o, "metadata", "creationTimestamp")]),
    "ClusterRole": ([NAME, col("Created At", "date")], lambda o: [_g(o, "metadata", "creationTimestamp")]),
    "RoleBinding": ([NAME, col("Role"), AGE, col("Users", priority=1), col("Groups", priority=1),
                     col("ServiceAccounts", priority=1)],
                    lambda o: ["%s/%s" % (_g(o, "roleRef", "kind"), _g(o, "roleRef", "name")), age(o)]
                    + _subjects(o)),
    "ClusterRoleBinding": ([NAME, col("Role"), AGE, col("Users", priority=1), col("Groups", priority=1),
                            col("ServiceAccounts", priority=1)],
                           lambda o: ["%s/%s" % (_g(o, "roleRef", "kind"), _g(o, "roleRef", "name")), age(o)]
                           + _subjects(o)),
    "PodDisruptionBudget": ([NAME, col("Min Available"), col("Max Unavailable"), col("Allowed Disruptions",
                                                                                     "integer"), AGE],
                            lambda o: [str(_g(o, "spec", "minAvailable", default="N/A")),
                                       str(_g(o, "spec", "maxUnavailable", default="N/A")),
                                       _g(o, "status", "disruptionsAllowed", default=0), age(o)]),
    "HorizontalPodAutoscaler": ([NAME, col("Reference"), col("Targets"), col("MinPods"), col("MaxPods", "integer"),
                                 col("Replicas", "integer"), AGE],
                                lambda o: ["%s/%s" % (_g(o, "spec", "scaleTargetRef", "kind"),
                                                      _g(o, "spec", "scaleTargetRef", "name")),
                                           "<unknown>/80%" if _g(o, "spec", "metrics") else "<none>",
                                           str(_g(o, "spec", "minReplicas", default=1)),
                                           _g(o, "spec", "maxReplicas", default=0),
                                           _g(o, "status", "currentReplicas", default=0), age(o)]),
    "CustomResourceDefinition": ([NAME, col("Created At", "date")],
                                 lambda o: [_g(o, "metadata", "creationTimestamp")]),
    "APIService": ([NAME, col("Service"), col("Available"), AGE],
                   lambda o: [("%s/%s" % (_g(o, "spec", "service", "namespace"), _g(o, "spec", "service", "name")))
                              if _g(o, "spec", "service") else "Local", _available(o), age(o)]),
    "ValidatingWebhookConfiguration": ([NAME, col("Webhooks", "integer"), AGE],
                                       lambda o: [len(o.get("webhooks") or []), age(o)]),
    "MutatingWebhookConfiguration": ([NAME, col("Webhooks", "integer"), AGE],
                                     lambda o: [len(o.get("webhooks") or []), age(o)]),
    "StorageClass": ([NAME, col("Provisioner"), col("ReclaimPolicy"), col("VolumeBindingMode"),
                      col("AllowVolumeExpansion", "boolean"), AGE],
                     lambda o: [o.get("provisioner", ""), o.get("reclaimPolicy", "Delete"),
                                o.get("volumeBindingMode", "Immediate"), bool(o.get("allowVolumeExpansion")),
                                age(o)]),
    "Lease": ([NAME, col("Holder"), AGE], lambda o: [_g(o, "spec", "holderIdentity", default=""), age(o)]),
    "Endpoints": ([NAME, col("Endpoints"), AGE],
                  lambda o: [",".join("%s:%s" % (a.get("ip"), p.get("port")) for s in o.get("subsets") or []
                                      for a in s.get("addresses") or [] for p in s.get("ports") or [])
                             or "<none>", age(o)]),
    "ResourceQuota": ([NAME, AGE, col("Request"), col("Limit")],
                      lambda o: [age(o), ", ".join("%s: %s/%s" % (k, _g(o, "status", "used", k, default="0"), v)
                                                  for k, v in sorted((_g(o, "spec", "hard") or {}).items())), ""]),
    "LimitRange": ([NAME, col("Created At", "date")], lambda o: [_g(o, "metadata", "creationTimestamp")]),
    "ControllerRevision": ([NAME, col("Controller"), col("Revision", "integer"), AGE],
                           lambda o: ["", o.get("revision", 0), age(o)]),
    "Event": ([col("Last Seen"), col("Type"), col("Reason"), col("Object"), col("Subobject", priority=1),
               col("Source", priority=1), col("Message"), col("First Seen", priority=1),
               col("Count", priority=1), col("Name", priority=1)],
              lambda o: [since(o.get("lastTimestamp") or o.get("eventTime")), o.get("type", ""),
                         o.get("reason", ""), "%s/%s" % ((_g(o, "involvedObject", "kind") or "").lower(),
                                                         _g(o, "involvedObject", "name")),
                         _g(o, "involvedObject", "fieldPath", default=""),
                         ", ".join(x for x in (_g(o, "source", "component"), _g(o, "source", "host")) if x),
                         o.get("message", ""), since(o.get("firstTimestamp")), o.get("count", 1),
                         _g(o, "metadata", "name")]),
}


def _node_status(o):
    ready = "Unknown"
    for c in _g(o, "status", "conditions") or []:
        if c.get("type") == "Ready":
            ready = "Ready" if c.get("status") == "True" else "NotReady"
    if _g(o, "spec", "unschedulable"):
        ready += ",SchedulingDisabled"
    return ready


def _modes(ms):
    short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
    return ",".join(short.get(m, m) for m in ms or [])


def _available(o):
    for c in _g(o, "status", "conditions") or []:
        if c.get("type") == "Available":
            if c.get("status") == "True":
                return "True"
            return "False (%s)" % c.get("reason", "")
    return "Unknown"


def _subjects(o):
    users, groups, sas = [], [], []
    for s in o.get("subjects") or []:
        k = s.get("kind")
        if k == "User":
            users.append(s.get("name"))
        elif k == "Group":
            groups.append(s.get("name"))
        elif k == "ServiceAccount":
            sas.append("%s/%s" % (s.get("namespace", ""), s.get("name")))
    return [", ".join(users), ", ".join(groups), ", ".join(sas)]


# ---------------------------------------------------------------- JSONPath for printer columns

def jsonpath(obj, expr):
    expr = (expr or "").strip()
    if expr.startswith("{") and expr.endswith("}"):
        expr = expr[1:-1]
    if expr.startswith("$"):
        expr = expr[1:]
    toks = re.findall(r"\.([A-Za-z0-9_\-/]+)|\[\?\(@\.([A-Za-z0-9_\-.]+)\s*==\s*[\"']([^\"']*)[\"']\)\]|\[(\d+|\*)\]|"
                      r"\['([^']+)'\]", expr)
    cur = [obj]
    for field, fkey, fval, idx, quoted in toks:
        nxt = []
        for c in cur:
            if field or quoted:
                k = field or quoted
                if isinstance(c, dict) and k in c:
                    nxt.append(c[k])
            elif fkey:
                if isinstance(c, list):
                    for it in c:
                        v = it
                        for part in fkey.split("."):
                            v = v.get(part) if isinstance(v, dict) else None
                        if v is not None and str(v) == fval:
                            nxt.append(it)
            elif idx:
                if isinstance(c, list):
                    if idx == "*":
                        nxt.extend(c)
                    elif int(idx) < len(c):
                        nxt.append(c[int(idx)])
        cur = nxt
    return cur


def _crd_cell(obj, colspec):
    vals = jsonpath(obj, colspec.get("jsonPath", ""))
    if not vals:
        return None
    t = colspec.get("type", "string")
    v = vals[0]
    if t == "date":
        return since(v) if isinstance(v, str) else None
    if t == "integer":
        return v if isinstance(v, int) else None
    if t == "number":
        return v if isinstance(v, (int, float)) else None
    if t == "boolean":
        return v if isinstance(v, bool) else None
    if isinstance(v, (dict, list)):
        import json
        return json.dumps(v, separators=(",", ":"))
    if len(vals) > 1:
        return ",".join(str(x) for x in vals)
    return v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)


def _columns_cells(rt, obj):
    if rt.crd:
        pcs = rt.printer_columns
        if pcs is None:
            pcs = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
        cols = [NAME] + [col(p.get("name"), p.get("type", "string"), p.get("priority", 0), p.get("format", ""),
                             p.get("description", "")) for p in pcs]
        if obj is None:
            return cols, None
        return cols, [obj["metadata"]["name"]] + [_crd_cell(obj, p) for p in pcs]
    spec = BUILTIN.get(rt.kind)
    if spec is None:
        cols = [NAME, col("Created At", "date")]
        if obj is None:
            return cols, None
        return cols, [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp")]
    cols, fn = spec
    if obj is None:
        return cols, None
    cells = ([obj["metadata"]["name"]] if cols[0] is NAME else []) + fn(obj)
    return cols, cells[:len(cols)] + [None] * (len(cols) - len(cells))


def to_table(cluster, body, include):
    kind = body.get("kind") or ""
    api_version = body.get("apiVersion") or ""
    group = api_version.split("/")[0] if "/" in api_version else ""
    is_list = kind.endswith("List") and "items" in body
    k = kind[:-4] if is_list else kind
    rt = cluster.rt_for_kind(group, k)
    if rt is None:
        return None
    items = body["items"] if is_list else [body]
    cols, _ = _columns_cells(rt, None)
    rows = []
    for it in items:
        full = dict(it)
        full.setdefault("apiVersion", api_version)
        full.setdefault("kind", k)
        _, cells = _columns_cells(rt, full)
        row = {"cells": cells}
        if include == "Object":
            row["object"] = full
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": it.get("metadata") or {}}
        rows.append(row)
    meta = {"resourceVersion": (body.get("metadata") or {}).get("resourceVersion", "")} if is_list else \
        {"resourceVersion": (body.get("metadata") or {}).get("resourceVersion", "")}
    if is_list and (body.get("metadata") or {}).get("continue"):
        meta["continue"] = body["metadata"]["continue"]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": cols,
            "rows": rows}

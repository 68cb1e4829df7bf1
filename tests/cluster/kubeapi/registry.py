"""Resource types (built-in and from CRDs) and the discovery documents built from them."""

import threading

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
NO_COLLECTION = ["create", "delete", "get", "list", "patch", "update", "watch"]
SUB_VERBS = ["get", "patch", "update"]


class ResourceType:
    def __init__(self, group, version, kind, plural, namespaced, short=(), categories=(),
                 verbs=None, singular=None, status=False, scale=False, generation=False, crd=None,
                 storage_version=None, extra_subresources=()):
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular or kind.lower()
        self.namespaced = namespaced
        self.short = list(short)
        self.categories = list(categories)
        self.verbs = list(verbs or ALL_VERBS)
        self.status = status
        self.scale = scale
        self.generation = generation
        self.crd = crd  # name of the owning CRD for custom resources
        self.storage_version = storage_version or version
        self.extra_subresources = list(extra_subresources)
        self.schema = None  # openAPIV3Schema for custom resources
        self.printer_columns = None
        self.scale_paths = None

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    @property
    def list_kind(self):
        return self.kind + "List"

    @property
    def gr(self):
        return (self.group, self.plural)

    def __repr__(self):
        return "<ResourceType %s %s>" % (self.api_version, self.plural)


def _b(group, version, kind, plural, namespaced, **kw):
    return ResourceType(group, version, kind, plural, namespaced, **kw)


def builtin_types():
    a = "all"
    t = [
        _b("", "v1", "Namespace", "namespaces", False, short=["ns"], status=True,
           verbs=NO_COLLECTION, extra_subresources=["finalize"]),
        _b("", "v1", "ConfigMap", "configmaps", True, short=["cm"]),
        _b("", "v1", "Secret", "secrets", True),
        _b("", "v1", "Service", "services", True, short=["svc"], categories=[a], status=True,
           verbs=NO_COLLECTION + ["deletecollection"]),
        _b("", "v1", "ServiceAccount", "serviceaccounts", True, short=["sa"], extra_subresources=["token"]),
        _b("", "v1", "Pod", "pods", True, short=["po"], categories=[a], status=True,
           extra_subresources=["log", "exec", "eviction", "binding", "ephemeralcontainers", "resize"]),
        _b("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, short=["pvc"], status=True),
        _b("", "v1", "PersistentVolume", "persistentvolumes", False, short=["pv"], status=True),
        _b("", "v1", "Endpoints", "endpoints", True, short=["ep"], singular="endpoints"),
        _b("", "v1", "Node", "nodes", False, short=["no"], status=True, extra_subresources=["proxy"]),
        _b("", "v1", "Event", "events", True, short=["ev"]),
        _b("", "v1", "ResourceQuota", "resourcequotas", True, short=["quota"], status=True),
        _b("", "v1", "LimitRange", "limitranges", True, short=["limits"]),
        _b("apps", "v1", "Deployment", "deployments", True, short=["deploy"], categories=[a],
           status=True, scale=True, generation=True),
        _b("apps", "v1", "StatefulSet", "statefulsets", True, short=["sts"], categories=[a],
           status=True, scale=True, generation=True),
        _b("apps", "v1", "DaemonSet", "daemonsets", True, short=["ds"], categories=[a],
           status=True, generation=True),
        _b("apps", "v1", "ReplicaSet", "replicasets", True, short=["rs"], categories=[a],
           status=True, scale=True, generation=True),
        _b("apps", "v1", "ControllerRevision", "controllerrevisions", True),
        _b("batch", "v1", "Job", "jobs", True, categories=[a], status=True, generation=True),
        _b("batch", "v1", "CronJob", "cronjobs", True, short=["cj"], categories=[a], status=True,
           generation=True),
        _b("networking.k8s.io", "v1", "Ingress", "ingresses", True, short=["ing"], status=True,
           generation=True),
        _b("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False, generation=True),
        _b("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True, short=["netpol"],
           generation=True),
        _b("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
        _b("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
        _b("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
        _b("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
        _b("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, short=["pdb"],
           status=True, generation=True),
        _b("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True,
           short=["hpa"], categories=[a], status=True),
        _b("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False,
           short=["crd", "crds"], categories=["api-extensions"], status=True, generation=True),
        _b("apiregistration.k8s.io", "v1", "APIService", "apiservices", False,
           categories=["api-extensions"], status=True),
        _b("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
           "validatingwebhookconfigurations", False, categories=["api-extensions"], generation=True),
        _b("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
           "mutatingwebhookconfigurations", False, categories=["api-extensions"], generation=True),
        _b("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, short=["sc"]),
        _b("coordination.k8s.io", "v1", "Lease", "leases", True),
        _b("events.k8s.io", "v1", "Event", "events", True, short=["ev"]),
    ]
    return t


# Preferred order of groups in /apis, as kube-apiserver lists them.
GROUP_ORDER = [
    "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io",
    "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
    "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
    "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
]


class Registry:
    """All served resource types, keyed by (group, version, plural)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.types = {}
        self.generation = 0
        for rt in builtin_types():
            self.add(rt)

    def add(self, rt):
        with self.lock:
            self.types[(rt.group, rt.version, rt.plural)] = rt
            self.generation += 1

    def remove_crd(self, crd_name):
        with self.lock:
            for k in [k for k, v in self.types.items() if v.crd == crd_name]:
                del self.types[k]
            self.generation += 1

    def get(self, group, version, plural):
        with self.lock:
            return self.types.get((group, version, plural))

    def by_kind(self, group, version, kind):
        with self.lock:
            for rt in self.types.values():
                if rt.group == group and rt.version == version and rt.kind == kind:
                    return rt
        return None

    def versions_of(self, group, plural):
        with self.lock:
            return [rt for rt in self.types.values() if rt.group == group and rt.plural == plural]

    def all(self):
        with self.lock:
            return list(self.types.values())

    def groups(self):
        """[(group, [versions], preferred)] in kube-apiserver order (core excluded)."""
        with self.lock:
            gv = {}
            for rt in self.types.values():
                if rt.group == "":
                    continue
                gv.setdefault(rt.group, [])
                if rt.version not in gv[rt.group]:
                    gv[rt.group].append(rt.version)
            crd_pref = {}
            for rt in self.types.values():
                if rt.crd and rt.group not in crd_pref:
                    crd_pref[rt.group] = getattr(rt, "preferred_version", None)

        def order(g):
            if g in GROUP_ORDER:
                return (0, GROUP_ORDER.index(g), g)
            return (1, 0, g)

        out = []
        for g in sorted(gv, key=order):
            vs = sorted(gv[g], key=version_priority_key)
            out.append((g, vs, crd_pref.get(g) or vs[0]))
        return out

    def resources_in(self, group, version):
        with self.lock:
            return sorted([rt for rt in self.types.values() if rt.group == group and rt.version == version],
                          key=lambda r: r.plural)


def version_priority_key(v):
    """Kubernetes version priority: GA > beta > alpha, higher numbers first, then others by name."""
    import re
    m = re.match(r"^v(\d+)(?:(alpha|beta)(\d+))?$", v)
    if not m:
        return (3, 0, 0, v)
    major = int(m.group(1))
    if m.group(2) is None:
        return (0, -major, 0, v)
    minor = int(m.group(3))
    return (1 if m.group(2) == "beta" else 2, -major, -minor, v)


def subresource_list(rt):
    subs = []
    if rt.status:
        subs.append("status")
    if rt.scale:
        subs.append("scale")
    subs.extend(rt.extra_subresources)
    return subs


def api_resource_list(registry, group, version):
    gv = "%s/%s" % (group, version) if group else version
    res = []
    for rt in registry.resources_in(group, version):
        e = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
             "kind": rt.kind, "verbs": rt.verbs}
        if rt.short:
            e["shortNames"] = rt.short
        if rt.categories:
            e["categories"] = rt.categories
        if not rt.crd:
            e["storageVersionHash"] = _hash(gv + "/" + rt.kind)
        res.append(e)
        for sub in subresource_list(rt):
            kind = rt.kind
            verbs = SUB_VERBS
            sg = None
            if sub == "scale":
                kind = "Scale"
                sg = ("autoscaling", "v1")
            elif sub == "finalize":
                verbs = ["update"]
            elif sub == "token":
                kind, sg, verbs = "TokenRequest", ("authentication.k8s.io", "v1"), ["create"]
            elif sub == "log":
                kind, verbs = "Pod", ["get"]
            elif sub == "exec":
                kind, verbs = "PodExecOptions", ["create", "get"]
            elif sub == "eviction":
                kind, sg, verbs = "Eviction", ("policy", "v1"), ["create"]
            elif sub == "binding":
                kind, verbs = "Binding", ["create"]
            elif sub == "proxy":
                kind, verbs = "NodeProxyOptions", ["create", "delete", "get", "patch", "update"]
            elif sub == "ephemeralcontainers" or sub == "resize":
                verbs = SUB_VERBS
            se = {"name": rt.plural + "/" + sub, "singularName": "", "namespaced": rt.namespaced,
                  "kind": kind, "verbs": verbs}
            if sg:
                se["group"], se["version"] = sg
            res.append(se)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res}


def _hash(s):
    import hashlib
    import base64
    return base64.b64encode(hashlib.sha256(s.encode()).digest()[:8]).decode()


def api_group(registry, group):
    for g, vs, pref in registry.groups():
        if g == group:
            return {"kind": "APIGroup", "apiVersion": "v1", "name": g,
                    "versions": [{"groupVersion": "%s/%s" % (g, v), "version": v} for v in vs],
                    "preferredVersion": {"groupVersion": "%s/%s" % (g, pref), "version": pref}}
    return None


def api_group_list(registry):
    groups = []
    for g, vs, pref in registry.groups():
        groups.append({"name": g,
                       "versions": [{"groupVersion": "%s/%s" % (g, v), "version": v} for v in vs],
                       "preferredVersion": {"groupVersion": "%s/%s" % (g, pref), "version": pref}})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_versions(server_address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _aggregated_version(registry, group, version):
    resources = []
    for rt in registry.resources_in(group, version):
        # built-in resources answer an empty group/version (meaning "this group version"), CRDs a full one
        rk = {"group": rt.group, "version": rt.version, "kind": rt.kind} if rt.crd else \
            {"group": "", "version": "", "kind": rt.kind}
        e = {"resource": rt.plural,
             "responseKind": rk,
             "scope": "Namespaced" if rt.namespaced else "Cluster",
             "singularResource": rt.singular,
             "verbs": rt.verbs}
        if rt.short:
            e["shortNames"] = rt.short
        if rt.categories:
            e["categories"] = rt.categories
        subs = []
        for sub in subresource_list(rt):
            if sub not in ("status", "scale"):
                continue
            if sub == "scale":
                rk = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
            else:
                rk = dict(e["responseKind"])
            subs.append({"subresource": sub, "responseKind": rk, "verbs": SUB_VERBS})
        if subs:
            e["subresources"] = subs
        resources.append(e)
    return {"version": version, "resources": resources, "freshness": "Current"}


def aggregated_discovery(registry, core):
    if core:
        items = [{"metadata": {"creationTimestamp": None},
                  "versions": [_aggregated_version(registry, "", "v1")]}]
    else:
        items = []
        for g, vs, pref in registry.groups():
            # preferred version first, like the real server
            ordered = [pref] + [v for v in vs if v != pref]
            items.append({"metadata": {"name": g, "creationTimestamp": None},
                          "versions": [_aggregated_version(registry, g, v) for v in ordered]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}

"""The cluster: object storage, resource versions, CRUD, patch, server-side apply, watch history.

Everything here is independent of HTTP so unit tests can drive it directly."""

import base64
import collections
import copy
import json
import random
import re
import threading
import time
import uuid

from . import errors as E
from . import fieldpath as FP
from .defaults import apply_defaults
from .patch import json_patch, merge_patch, strategic_merge
from .registry import Registry
from .selectors import (fields_match, labels_match, parse_field_selector, parse_label_selector)

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")

MSG_SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                 "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
MSG_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
MSG_1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
            "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
            "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")

# metadata fields the field manager never tracks (stripMeta in k8s fieldmanager)
STRIP_PATHS = {(("f", "apiVersion"),), (("f", "kind"),), (("f", "metadata"),)} | {
    (("f", "metadata"), ("f", n)) for n in ("name", "namespace", "creationTimestamp", "selfLink", "uid",
                                           "clusterName", "generation", "managedFields", "resourceVersion")}
SYSTEM_META = ("uid", "creationTimestamp", "resourceVersion", "generation", "managedFields", "selfLink",
               "deletionTimestamp", "deletionGracePeriodSeconds")

# kinds whose PUT on a missing object creates it (AllowCreateOnUpdate)
CREATE_ON_UPDATE = {"Endpoints", "Event", "Lease", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}
# kinds whose DELETE answers the deleted object instead of a Status (ReturnDeletedObject)
RETURN_DELETED = {"Pod", "Service", "Namespace", "CustomResourceDefinition", "PersistentVolumeClaim",
                  "PersistentVolume"}

# zero values of the Go structs: nodes present in an empty object of the kind (for Update managedFields)
_POD_TPL = {"metadata": {"creationTimestamp": None}, "spec": {"containers": None}}
SKELETONS = {
    "Deployment": {"spec": {"selector": None, "template": _POD_TPL, "strategy": {}}, "status": {}},
    "StatefulSet": {"spec": {"selector": None, "template": _POD_TPL, "serviceName": "",
                             "updateStrategy": {}}, "status": {"replicas": 0, "availableReplicas": 0}},
    "DaemonSet": {"spec": {"selector": None, "template": _POD_TPL, "updateStrategy": {}},
                  "status": {"currentNumberScheduled": 0, "numberMisscheduled": 0,
                             "desiredNumberScheduled": 0, "numberReady": 0}},
    "ReplicaSet": {"spec": {"selector": None, "template": _POD_TPL}, "status": {"replicas": 0}},
    "Job": {"spec": {"template": _POD_TPL}, "status": {}},
    "CronJob": {"spec": {"schedule": "", "jobTemplate": {"metadata": {"creationTimestamp": None},
                                                         "spec": {"template": _POD_TPL}}}, "status": {}},
    "Pod": {"spec": {"containers": None}, "status": {}},
    "Service": {"spec": {}, "status": {"loadBalancer": {}}},
    "Namespace": {"spec": {}, "status": {}},
    "PersistentVolumeClaim": {"spec": {"resources": {}}, "status": {}},
    "PersistentVolume": {"spec": {}, "status": {}},
    "Ingress": {"spec": {}, "status": {"loadBalancer": {}}},
    "NetworkPolicy": {"spec": {"podSelector": {}}},
    "PodDisruptionBudget": {"spec": {}, "status": {"disruptionsAllowed": 0, "currentHealthy": 0,
                                                   "desiredHealthy": 0, "expectedPods": 0}},
    "HorizontalPodAutoscaler": {"spec": {"scaleTargetRef": {"kind": "", "name": ""}, "maxReplicas": 0},
                                "status": {"desiredReplicas": 0, "currentMetrics": None}},
    "Role": {"rules": None}, "ClusterRole": {"rules": None},
    "RoleBinding": {"roleRef": {"apiGroup": "", "kind": "", "name": ""}},
    "ClusterRoleBinding": {"roleRef": {"apiGroup": "", "kind": "", "name": ""}},
    "CustomResourceDefinition": {"spec": {"group": "", "names": {"plural": "", "kind": ""}, "scope": "",
                                          "versions": None},
                                 "status": {"conditions": None, "acceptedNames": {"plural": "", "kind": ""},
                                            "storedVersions": None}},
    "APIService": {"spec": {"groupPriorityMinimum": 0, "versionPriority": 0}, "status": {}},
    "StorageClass": {"provisioner": ""},
    "Lease": {"spec": {}},
    "ResourceQuota": {"spec": {}, "status": {}},
    "LimitRange": {"spec": {"limits": None}},
    "IngressClass": {"spec": {}},
    "Event": {"involvedObject": {}, "source": {}, "firstTimestamp": None, "lastTimestamp": None,
              "eventTime": None, "reportingComponent": "", "reportingInstance": ""},
}


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _gen_suffix(n=5):
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(random.choice(alphabet) for _ in range(n))


def _strip_for_compare(obj):
    o = copy.deepcopy(obj) if obj else {}
    md = o.get("metadata")
    if isinstance(md, dict):
        for k in SYSTEM_META:
            md.pop(k, None)
    return o


class Manager:
    __slots__ = ("manager", "operation", "api_version", "subresource", "time", "set")

    def __init__(self, manager, operation, api_version, subresource="", time_=None, fields=None):
        self.manager = manager
        self.operation = operation
        self.api_version = api_version
        self.subresource = subresource or ""
        self.time = time_
        self.set = set(fields or ())

    @property
    def ident(self):
        if self.operation == "Apply":
            return (self.manager, "Apply", "", self.subresource)
        return (self.manager, "Update", self.api_version, self.subresource)

    def describe(self):
        s = '"%s"' % self.manager
        if self.subresource:
            s += ' with subresource "%s"' % self.subresource
        if self.operation == "Update":
            s += " using %s" % self.api_version
        return s

    def entry(self):
        e = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version}
        if self.time:
            e["time"] = self.time
        e["fieldsType"] = "FieldsV1"
        e["fieldsV1"] = FP.encode_fields(self.set)
        if self.subresource:
            e["subresource"] = self.subresource
        return e


def decode_managed(obj):
    out = collections.OrderedDict()
    for e in ((obj or {}).get("metadata") or {}).get("managedFields") or []:
        if not isinstance(e, dict) or not e.get("manager") and not e.get("operation"):
            continue
        m = Manager(e.get("manager", ""), e.get("operation", "Update"), e.get("apiVersion", ""),
                    e.get("subresource", ""), e.get("time"), FP.decode_fields(e.get("fieldsV1") or {}))
        if m.ident in out:
            out[m.ident].set |= m.set
        else:
            out[m.ident] = m
    return out


def encode_managed(managers):
    ms = [m for m in managers.values() if m.set]
    ms.sort(key=lambda m: (m.operation, m.time or "", m.manager, m.api_version, m.subresource))
    return [m.entry() for m in ms]


def validate_manager_name(name):
    if len(name) > 128:
        raise E.ApiError(422, "Invalid", "fieldManager: Too long: may not be more than 128 bytes", {})


class WatchEvent:
    __slots__ = ("rv", "gr", "namespace", "type", "obj", "old")

    def __init__(self, rv, gr, namespace, type_, obj, old=None):
        self.rv = rv
        self.gr = gr
        self.namespace = namespace
        self.type = type_
        self.obj = obj
        self.old = old


class Cluster:
    def __init__(self, status_delay=0.5, history=50000):
        self.registry = Registry()
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.rv = 100
        self.objects = collections.defaultdict(dict)  # (group, plural) -> {(ns, name): obj}
        self.history = collections.deque(maxlen=history)
        self.status_delay = status_delay
        self.listeners = []  # callables(event_type, rt, obj, old)
        self.dry_run_uid = None
        self._bootstrap()

    # ------------------------------------------------------------------ helpers

    def _next_rv(self):
        self.rv += 1
        return self.rv

    def rt_for_kind(self, group, kind):
        for rt in self.registry.all():
            if rt.group == group and rt.kind == kind:
                return rt
        return None

    def _store(self, rt):
        return self.objects[rt.gr]

    def _versioned(self, rt, obj):
        """The object as seen at rt's version (None conversion: apiVersion rewritten)."""
        if obj is None:
            return None
        o = copy.deepcopy(obj)
        o["apiVersion"] = rt.api_version
        o["kind"] = rt.kind
        return o

    def _record(self, rt, type_, obj, old=None):
        ev = WatchEvent(int(obj["metadata"]["resourceVersion"]), rt.gr, obj["metadata"].get("namespace", ""),
                        type_, obj, old)
        self.history.append(ev)
        self.cond.notify_all()
        for fn in list(self.listeners):
            try:
                fn(type_, rt, obj, old)
            except Exception:  # listeners never break the write path
                import traceback
                traceback.print_exc()

    def _write(self, rt, obj, old, type_="MODIFIED"):
        obj["metadata"]["resourceVersion"] = str(self._next_rv())
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        self._store(rt)[key] = obj
        self._record(rt, type_, obj, old)
        return obj

    def _remove(self, rt, obj):
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        st = self._store(rt)
        if key not in st:
            return None
        del st[key]
        gone = copy.deepcopy(obj)
        gone["metadata"]["resourceVersion"] = str(self._next_rv())
        self._record(rt, "DELETED", gone, obj)
        return gone

    def _bootstrap(self):
        ns_rt = self.registry.get("", "v1", "namespaces")
        for n in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.create(ns_rt, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}},
                        manager="kube-apiserver")
        svc_rt = self.registry.get("", "v1", "services")
        self.create(svc_rt, "default", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                     "clusterIP": "10.96.0.1"}}, manager="kube-apiserver")
        node_rt = self.registry.get("", "v1", "nodes")
        self.create(node_rt, "", {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "test-node", "labels": {
                "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "test-node", "kubernetes.io/os": "linux",
                "node-role.kubernetes.io/control-plane": ""}},
            "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"]}}, manager="kubelet")
        now = now_rfc3339()
        self.write_status(node_rt, "", "test-node", lambda st, full: st.update({
            "addresses": [{"address": "172.18.0.2", "type": "InternalIP"},
                          {"address": "test-node", "type": "Hostname"}],
            "allocatable": {"cpu": "2", "ephemeral-storage": "100Gi", "memory": "8Gi", "pods": "110"},
            "capacity": {"cpu": "2", "ephemeral-storage": "100Gi", "memory": "8Gi", "pods": "110"},
            "conditions": [
                {"type": t, "status": s, "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": r,
                 "message": m} for t, s, r, m in (
                    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"))],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"architecture": "amd64", "bootID": str(uuid.uuid4()), "containerRuntimeVersion":
                         "containerd://1.7.24", "kernelVersion": "6.1.0", "kubeProxyVersion": "v1.32.3",
                         "kubeletVersion": "v1.32.3", "machineID": uuid.uuid4().hex, "operatingSystem": "linux",
                         "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": str(uuid.uuid4())}}),
            manager="kubelet")
        pc_rt = self.registry.get("storage.k8s.io", "v1", "storageclasses")
        self.create(pc_rt, "", {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                                "metadata": {"name": "standard", "annotations": {
                                    "storageclass.kubernetes.io/is-default-class": "true"}},
                                "provisioner": "rancher.io/local-path",
                                "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}, manager="kubectl-create")

    def namespace_children_init(self, ns_name):
        """What the namespace controllers add to a new namespace."""
        sa = self.registry.get("", "v1", "serviceaccounts")
        cm = self.registry.get("", "v1", "configmaps")
        if ("", "default") not in [(k[0], k[1]) for k in []]:
            pass
        if (ns_name, "default") not in self._store(sa):
            self.create(sa, ns_name, {"apiVersion": "v1", "kind": "ServiceAccount",
                                      "metadata": {"name": "default"}}, manager="kube-controller-manager")
        if (ns_name, "kube-root-ca.crt") not in self._store(cm):
            self.create(cm, ns_name, {"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": "kube-root-ca.crt", "annotations": {
                                          "kubernetes.io/description": "Contains a CA bundle that can be used "
                                          "to verify the kube-apiserver when using internal endpoints such "
                                          "as the internal service IP or kubernetes.default.svc. No other "
                                          "usage is guaranteed across distributions of Kubernetes "
                                          "clusters."}},
                                      "data": {"ca.crt": getattr(self, "ca_pem", "")}},
                        manager="kube-controller-manager")

    # ------------------------------------------------------------------ validation

    def _model(self, rt):
        return FP.model_for(rt.kind, rt.schema if rt.crd else None)

    def _check_namespace(self, rt, ns, name, creating=True):
        if not rt.namespaced:
            return
        ns_rt = self.registry.get("", "v1", "namespaces")
        nso = self._store(ns_rt).get(("", ns))
        if nso is None:
            raise E.namespace_not_found(ns)
        if creating and nso["metadata"].get("deletionTimestamp"):
            raise E.forbidden(rt.plural, rt.group, name,
                              "unable to create new content in namespace %s because it is being terminated" % ns,
                              causes=[{"reason": "NamespaceTerminating",
                                       "message": "namespace %s is being terminated" % ns,
                                       "field": "metadata.namespace"}])

    def _validate_body(self, rt, body, url_ns, url_name=None, op="create"):
        if not isinstance(body, dict):
            raise E.bad_request("the object provided is unrecognized (must be of type %s)" % rt.kind)
        av = body.get("apiVersion")
        kind = body.get("kind")
        if av and av != rt.api_version:
            # any served version of the same group is accepted and converted (None strategy)
            other = [r for r in self.registry.versions_of(rt.group, rt.plural) if r.api_version == av]
            if not other:
                raise E.bad_request("the API version in the data (%s) does not match the expected API "
                                    "version (%s)" % (av, rt.api_version))
        md = body.get("metadata")
        if md is None:
            md = body["metadata"] = {}
        if not isinstance(md, dict):
            raise E.bad_request("metadata must be an object")
        name = md.get("name") or ""
        if kind and kind != rt.kind:
            raise E.invalid(rt.kind, rt.group, name, [E.FieldError(
                "Invalid", "kind", kind, "must be %s" % rt.kind)])
        if rt.namespaced:
            bns = md.get("namespace")
            if bns and url_ns and bns != url_ns:
                raise E.bad_request("the namespace of the provided object does not match the namespace "
                                    "sent on the request")
        if url_name is not None and name and name != url_name:
            raise E.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                % (name, url_name))

    def _validate_meta(self, rt, obj, creating):
        md = obj["metadata"]
        name = md.get("name") or ""
        errs = []
        if not name:
            if creating:
                errs.append(E.FieldError("Required", "metadata.name", None, "name or generateName is required"))
            else:
                errs.append(E.FieldError("Required", "metadata.name", None, "name is required"))
        else:
            errs.extend(self._name_errors(rt, obj, name))
        if rt.namespaced and not md.get("namespace"):
            errs.append(E.FieldError("Required", "metadata.namespace", None, ""))
        for key in ("labels",):
            for k, v in (md.get(key) or {}).items():
                if not isinstance(v, str):
                    raise E.bad_request("json: cannot unmarshal %s into Go struct field ObjectMeta.metadata.labels "
                                        "of type string" % type(v).__name__.replace("int", "number"))
                if not _label_value_ok(v):
                    errs.append(E.FieldError("Invalid", "metadata.labels", v,
                                             "a valid label must be an empty string or consist of alphanumeric "
                                             "characters, '-', '_' or '.', and must start and end with an "
                                             "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                                             "'12345', regex used for validation is "
                                             "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
        for v in (md.get("annotations") or {}).values():
            if not isinstance(v, str):
                raise E.bad_request("json: cannot unmarshal number into Go struct field "
                                    "ObjectMeta.metadata.annotations of type string")
        errs.extend(self._kind_errors(rt, obj, creating))
        if errs:
            raise E.invalid(rt.kind, rt.group, name, errs)

    def _name_errors(self, rt, obj, name):
        if rt.kind in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"):
            if name in (".", "..") or "/" in name or "%" in name:
                return [E.FieldError("Invalid", "metadata.name", name,
                                     'may not contain "/"' if "/" in name else 'may not contain "%"')]
            return []
        if rt.kind in ("Namespace",):
            if len(name) > 63 or not DNS1123_LABEL.match(name):
                return [E.FieldError("Invalid", "metadata.name", name, MSG_LABEL)]
            return []
        if rt.kind == "Service":
            if len(name) > 63 or not DNS1035_LABEL.match(name):
                return [E.FieldError("Invalid", "metadata.name", name, MSG_1035)]
            return []
        if len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
            return [E.FieldError("Invalid", "metadata.name", name, MSG_SUBDOMAIN)]
        if rt.kind == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            want = "%s.%s" % ((spec.get("names") or {}).get("plural", ""), spec.get("group", ""))
            if name != want:
                return [E.FieldError("Invalid", "metadata.name", name,
                                     'must be spec.names.plural+"."+spec.group')]
        return []

    def _kind_errors(self, rt, obj, creating):
        errs = []
        spec = obj.get("spec")
        if rt.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
            if not isinstance(spec, dict):
                spec = {}
            sel = spec.get("selector")
            if not sel:
                errs.append(E.FieldError("Required", "spec.selector", None, ""))
            tpl = spec.get("template") or {}
            tl = ((tpl.get("metadata") or {}).get("labels") or {})
            if isinstance(sel, dict) and sel.get("matchLabels"):
                for k, v in sel["matchLabels"].items():
                    if tl.get(k) != v:
                        errs.append(E.FieldError("Invalid", "spec.template.metadata.labels", tl,
                                                 "`selector` does not match template `labels`"))
                        break
            cs = ((tpl.get("spec") or {}).get("containers"))
            if not cs:
                errs.append(E.FieldError("Required", "spec.template.spec.containers", None, ""))
            else:
                errs.extend(_container_errors(cs, "spec.template.spec.containers"))
        elif rt.kind == "Pod":
            cs = (spec or {}).get("containers")
            if not cs:
                errs.append(E.FieldError("Required", "spec.containers", None, ""))
            else:
                errs.extend(_container_errors(cs, "spec.containers"))
        elif rt.kind == "Job":
            tpl = (spec or {}).get("template") or {}
            rp = (tpl.get("spec") or {}).get("restartPolicy")
            if rp not in ("OnFailure", "Never"):
                errs.append(E.FieldError("Required" if rp is None else "NotSupported",
                                         "spec.template.spec.restartPolicy", rp,
                                         'supported values: "OnFailure", "Never"'))
            cs = ((tpl.get("spec") or {}).get("containers"))
            if not cs:
                errs.append(E.FieldError("Required", "spec.template.spec.containers", None, ""))
        elif rt.kind == "Service":
            s = spec or {}
            t = s.get("type", "ClusterIP")
            if t not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
                errs.append(E.FieldError("NotSupported", "spec.type", t,
                                         'supported values: "ClusterIP", "ExternalName", "LoadBalancer", '
                                         '"NodePort"'))
            if t != "ExternalName" and not s.get("ports") and s.get("clusterIP") != "None":
                errs.append(E.FieldError("Required", "spec.ports", None, ""))
        elif rt.kind == "ConfigMap":
            for key in list((obj.get("data") or {}).keys()) + list((obj.get("binaryData") or {}).keys()):
                if not re.match(r"^[-._a-zA-Z0-9]+$", key):
                    errs.append(E.FieldError("Invalid", "data", key,
                                             "a valid config key must consist of alphanumeric characters, "
                                             "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                                             "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"))
            for v in (obj.get("data") or {}).values():
                if not isinstance(v, str):
                    raise E.bad_request("json: cannot unmarshal %s into Go struct field ConfigMap.data of "
                                        "type string" % ("number" if isinstance(v, (int, float)) else
                                                         "bool" if isinstance(v, bool) else "object"))
        elif rt.kind == "Secret":
            for k, v in (obj.get("data") or {}).items():
                try:
                    base64.b64decode(v or "", validate=True)
                except Exception:
                    raise E.bad_request("illegal base64 data at input byte 0")
        elif rt.kind == "CustomResourceDefinition":
            s = spec or {}
            if s.get("scope") not in ("Namespaced", "Cluster"):
                errs.append(E.FieldError("NotSupported" if s.get("scope") else "Required", "spec.scope",
                                         s.get("scope"), 'supported values: "Cluster", "Namespaced"'))
            vs = s.get("versions") or []
            if not vs:
                errs.append(E.FieldError("Invalid", "spec.versions", vs, "must have exactly one version "
                                         "marked as storage version"))
            elif sum(1 for v in vs if isinstance(v, dict) and v.get("storage")) != 1:
                errs.append(E.FieldError("Invalid", "spec.versions", vs,
                                         "must have exactly one version marked as storage version"))
            names = s.get("names") or {}
            if not names.get("plural"):
                errs.append(E.FieldError("Required", "spec.names.plural", None, ""))
            if not names.get("kind"):
                errs.append(E.FieldError("Required", "spec.names.kind", None, ""))
        return errs

    # ------------------------------------------------------------------ reads

    def get(self, rt, ns, name):
        with self.lock:
            obj = self._store(rt).get((ns if rt.namespaced else "", name))
            if obj is None:
                raise E.not_found(rt.plural, rt.group, name)
            return self._versioned(rt, obj)

    def peek(self, rt, ns, name):
        with self.lock:
            return self._store(rt).get((ns if rt.namespaced else "", name))

    def list(self, rt, ns, label_selector="", field_selector="", limit=0, cont=None, strip_type=True):
        lreqs = parse_label_selector(label_selector)
        freqs = parse_field_selector(field_selector, rt.kind, custom=bool(rt.crd))
        with self.lock:
            items = []
            for (ons, oname), obj in sorted(self._store(rt).items()):
                if rt.namespaced and ns and ons != ns:
                    continue
                if not labels_match(lreqs, (obj.get("metadata") or {}).get("labels")):
                    continue
                if not fields_match(freqs, obj):
                    continue
                items.append(obj)
            rv = str(self.rv)
        start = 0
        if cont:
            try:
                tok = json.loads(base64.b64decode(cont))
                start = int(tok["start"])
                rv = tok.get("rv", rv)
            except Exception:
                raise E.bad_request("continue key is not valid: illegal base64 data at input byte 0")
        meta = {"resourceVersion": rv}
        sel = items[start:]
        if limit and limit > 0 and len(sel) > limit:
            sel = sel[:limit]
            meta["continue"] = base64.b64encode(json.dumps({"rv": rv, "start": start + limit}).encode()).decode()
            meta["remainingItemCount"] = len(items) - start - limit
        out = []
        for o in sel:
            # shallow copies: stored objects are never mutated in place, and list answers are read-only
            if strip_type and not rt.crd:
                # the real server answers typed lists without item TypeMeta
                v = {k: x for k, x in o.items() if k not in ("apiVersion", "kind")}
            else:
                v = dict(o)
                v["apiVersion"] = rt.api_version
                v["kind"] = rt.kind
            out.append(v)
        return {"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta, "items": out}

    # ------------------------------------------------------------------ create

    def create(self, rt, ns, body, manager="", dry_run=False, field_validation="", warnings=None,
               subresource=""):
        with self.lock:
            body = copy.deepcopy(body)
            self._validate_body(rt, body, ns)
            md = body["metadata"]
            if not md.get("name") and md.get("generateName"):
                md["name"] = md["generateName"] + _gen_suffix()
            name = md.get("name") or ""
            if rt.namespaced:
                md["namespace"] = ns or md.get("namespace") or ""
            else:
                md.pop("namespace", None)
            self._validate_meta(rt, body, True)
            self._check_namespace(rt, md.get("namespace", ""), name)
            if (md.get("namespace", ""), name) in self._store(rt):
                raise E.already_exists(rt.plural, rt.group, name)
            obj = self._prepare_new(rt, body, field_validation, warnings)
            validate_manager_name(manager)
            skel = self._skeleton(rt, obj)
            managers = collections.OrderedDict()
            self._update_managers(rt, skel, obj, managers, manager, subresource)
            obj["metadata"]["managedFields"] = encode_managed(managers)
            if not obj["metadata"]["managedFields"]:
                obj["metadata"].pop("managedFields")
            return self._finish_create(rt, obj, dry_run)

    def _prepare_new(self, rt, body, field_validation, warnings):
        obj = body
        md = obj["metadata"]
        for k in SYSTEM_META:
            md.pop(k, None)
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = now_rfc3339()
        if rt.generation or rt.crd:
            md["generation"] = 1
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        if rt.status and "status" in obj:
            del obj["status"]
        if rt.kind == "Job" and not rt.crd and isinstance(obj.get("spec"), dict) and \
                not obj["spec"].get("manualSelector"):
            # batch/v1 Job strategy: generated selector and pod labels
            uid, name = md["uid"], md.get("name")
            obj["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
            tpl = obj["spec"].setdefault("template", {})
            lbl = (tpl.setdefault("metadata", {}) or {}).setdefault("labels", {})
            lbl.update({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
                        "controller-uid": uid, "job-name": name})
        self._default(rt, obj, None, field_validation, warnings)
        return obj

    def _finish_create(self, rt, obj, dry_run):
        if dry_run:
            return self._versioned(rt, obj), 201
        obj = self._order(obj)
        self._write(rt, obj, None, "ADDED")
        if rt.kind == "Namespace":
            self.namespace_children_init(obj["metadata"]["name"])
        return self._versioned(rt, obj), 201

    def _order(self, obj):
        """Key order as the real server writes JSON: apiVersion, kind, metadata, then the rest."""
        out = {}
        for k in ("apiVersion", "kind", "metadata"):
            if k in obj:
                out[k] = obj[k]
        for k, v in obj.items():
            if k not in out and k != "status":
                out[k] = v
        if "status" in obj:
            out["status"] = obj["status"]
        md = out.get("metadata")
        if isinstance(md, dict):
            order = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
                     "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
                     "annotations", "ownerReferences", "finalizers", "managedFields"]
            nm = {k: md[k] for k in order if k in md}
            nm.update({k: v for k, v in md.items() if k not in nm})
            out["metadata"] = nm
        return out

    def _skeleton(self, rt, obj):
        sk = copy.deepcopy(SKELETONS.get(rt.kind, {})) if not rt.crd else {}
        sk["apiVersion"] = obj.get("apiVersion")
        sk["kind"] = obj.get("kind")
        sk["metadata"] = {"creationTimestamp": None}
        return sk

    def _default(self, rt, obj, old, field_validation="", warnings=None):
        if rt.crd:
            if rt.schema:
                unknown = []
                _prune_schema(obj, rt.schema, "", unknown, root=True)
                if unknown:
                    fv = (field_validation or "Warn")
                    if fv == "Strict":
                        if len(unknown) == 1:
                            raise E.bad_request('strict decoding error: unknown field "%s"' % unknown[0])
                        raise E.bad_request("strict decoding error: " + ", ".join(
                            'unknown field "%s"' % u for u in unknown))
                    if fv == "Warn" and warnings is not None:
                        for u in unknown:
                            warnings.append('unknown field "%s"' % u)
                _schema_defaults(obj, rt.schema, root=True)
        else:
            apply_defaults(obj, rt.kind, old)

    # ------------------------------------------------------------------ managed fields

    def _ignored(self, rt, subresource):
        """(is_ignored(path)) for reset fields: status on the main resource, all but status on /status."""
        if not rt.status:
            return lambda p: False
        if subresource == "status":
            return lambda p: not (p and p[0] == ("f", "status"))
        return lambda p: bool(p) and p[0] == ("f", "status")

    def _clean_set(self, s, ignored):
        return {p for p in s if p and p not in STRIP_PATHS and not ignored(p)
                and not (len(p) >= 2 and p[0] == ("f", "metadata") and p[1][1] in SYSTEM_META)}

    def _update_managers(self, rt, old, new, managers, manager, subresource=""):
        """SMD Updater.Update + managedFieldsUpdater: ownership for a non-apply write."""
        model = self._model(rt)
        ignored = self._ignored(rt, subresource)
        sk = SKELETONS.get(rt.kind) if not rt.crd else None
        res = FP.compare(_fill(_strip_for_compare(old), sk), _fill(_strip_for_compare(new), sk), model)
        changed = self._clean_set(res["modified"] | res["added"], ignored)
        removed = res["removed"]
        for ident, m in list(managers.items()):
            m.set -= changed
            m.set -= removed
            if not m.set:
                del managers[ident]
        if changed:
            me = Manager(manager, "Update", rt.api_version, subresource, now_rfc3339(), changed)
            if me.ident in managers:
                managers[me.ident].set |= changed
                managers[me.ident].time = me.time
            else:
                managers[me.ident] = me

    # ------------------------------------------------------------------ update / patch

    def update(self, rt, ns, name, body, manager="", dry_run=False, subresource="", field_validation="",
               warnings=None):
        with self.lock:
            body = copy.deepcopy(body)
            self._validate_body(rt, body, ns, name, op="update")
            key = (ns if rt.namespaced else "", name)
            live = self._store(rt).get(key)
            if live is None:
                if rt.kind in CREATE_ON_UPDATE and not subresource:
                    body["metadata"]["name"] = name
                    return self.create(rt, ns, body, manager, dry_run, field_validation, warnings)
                raise E.not_found(rt.plural, rt.group, name)
            rv = body["metadata"].get("resourceVersion")
            if rv and rv != live["metadata"]["resourceVersion"]:
                raise E.conflict(rt.plural, rt.group, name)
            if not rv and rt.crd:
                raise E.invalid(rt.kind, rt.group, name, [E.FieldError(
                    "Invalid", "metadata.resourceVersion", "0x0", "must be specified for an update")])
            return self._commit_update(rt, live, body, manager, dry_run, subresource, field_validation,
                                       warnings, explicit_mf=("managedFields" in body["metadata"]))

    def _commit_update(self, rt, live, new, manager, dry_run, subresource, field_validation, warnings,
                       explicit_mf=False):
        md = new.setdefault("metadata", {})
        lmd = live["metadata"]
        md["name"] = lmd["name"]
        if rt.namespaced:
            md["namespace"] = lmd.get("namespace")
        else:
            md.pop("namespace", None)
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
            if k in lmd:
                md[k] = lmd[k]
            else:
                md.pop(k, None)
        new["apiVersion"] = rt.api_version
        new["kind"] = rt.kind
        if subresource == "status":
            merged = copy.deepcopy(live)
            if "status" in new:
                merged["status"] = new["status"]
            else:
                merged.pop("status", None)
            merged["apiVersion"], merged["kind"] = rt.api_version, rt.kind
            if explicit_mf:
                merged["metadata"]["managedFields"] = md.get("managedFields")
            new = merged
            md = new["metadata"]
        elif rt.status:
            if "status" in live:
                new["status"] = copy.deepcopy(live["status"])
            else:
                new.pop("status", None)
        self._validate_meta(rt, new, False)
        self._default(rt, new, live, field_validation, warnings)
        # managed fields
        live_mf = lmd.get("managedFields")
        new_mf = md.get("managedFields")
        if explicit_mf and new_mf != live_mf:
            managers = decode_managed(new)
            if not new_mf or new_mf == [{}]:
                managers = collections.OrderedDict()
        else:
            managers = decode_managed(live)
            validate_manager_name(manager)
            self._update_managers(rt, live, new, managers, manager, subresource)
        md["managedFields"] = encode_managed(managers)
        if not md["managedFields"]:
            md.pop("managedFields")
        return self._finish_update(rt, live, new, dry_run)

    def _finish_update(self, rt, live, new, dry_run, code=200):
        md = new["metadata"]
        lmd = live["metadata"]
        md["resourceVersion"] = lmd["resourceVersion"]
        if rt.generation or rt.crd:
            md["generation"] = lmd.get("generation", 1)
            if _spec_of(new) != _spec_of(live):
                md["generation"] = lmd.get("generation", 1) + 1
        else:
            md.pop("generation", None)
        new = self._order(new)
        if new == live:
            return self._versioned(rt, live), 200
        if dry_run:
            return self._versioned(rt, new), code
        # finalizers removed from an object being deleted -> delete it now
        if md.get("deletionTimestamp") and not md.get("finalizers"):
            self._write(rt, new, live)
            self._delete_now(rt, new)
            return self._versioned(rt, new), code
        self._write(rt, new, live)
        return self._versioned(rt, new), code

    def patch(self, rt, ns, name, ptype, raw, manager="", force=False, dry_run=False, subresource="",
              field_validation="", warnings=None):
        """raw: request body bytes; ptype: the Content-Type media type."""
        with self.lock:
            if ptype == "application/apply-patch+yaml" or ptype == "application/apply-patch+cbor":
                return self.apply(rt, ns, name, raw, manager, force, dry_run, subresource, field_validation,
                                  warnings)
            if force:
                raise E.bad_request("force is not allowed for non-apply patches" if False else
                                    "Force is only allowed for apply patch")
            key = (ns if rt.namespaced else "", name)
            live = self._store(rt).get(key)
            if live is None:
                raise E.not_found(rt.plural, rt.group, name)
            try:
                patch = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
            except ValueError as e:
                raise E.bad_request("error decoding patch: %s" % e)
            current = self._versioned(rt, live)
            if ptype == "application/merge-patch+json":
                if not isinstance(patch, dict):
                    raise E.bad_request("json: cannot unmarshal %s into Go value of type map[string]interface {}"
                                        % ("array" if isinstance(patch, list) else "string"))
                new = merge_patch(current, patch)
            elif ptype == "application/strategic-merge-patch+json":
                if rt.crd:
                    raise E.unsupported_media(ptype, ["application/json-patch+json",
                                                      "application/merge-patch+json",
                                                      "application/apply-patch+yaml"])
                new = strategic_merge(current, patch, rt.kind)
            elif ptype == "application/json-patch+json":
                new = json_patch(current, patch)
            else:
                accepted = ["application/json-patch+json", "application/merge-patch+json",
                            "application/apply-patch+yaml"]
                if not rt.crd:
                    accepted.insert(2, "application/strategic-merge-patch+json")
                raise E.unsupported_media(ptype, accepted)
            if not isinstance(new, dict):
                raise E.bad_request("patched object is not an object")
            nmd = new.setdefault("metadata", {})
            if nmd.get("name") not in (None, name):
                raise E.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                    % (nmd.get("name"), name))
            if nmd.get("resourceVersion") and nmd["resourceVersion"] != live["metadata"]["resourceVersion"]:
                raise E.conflict(rt.plural, rt.group, name)
            if new.get("apiVersion") != rt.api_version or new.get("kind") != rt.kind:
                self._validate_body(rt, new, ns, name)
            explicit = nmd.get("managedFields") != live["metadata"].get("managedFields")
            return self._commit_update(rt, live, new, manager, dry_run, subresource, field_validation,
                                       warnings, explicit_mf=explicit)

    # ------------------------------------------------------------------ server-side apply

    def apply(self, rt, ns, name, raw, manager, force=False, dry_run=False, subresource="", field_validation="",
              warnings=None):
        if not manager:
            raise E.bad_request("PATCH, application/apply-patch+yaml requires fieldManager parameter")
        validate_manager_name(manager)
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            cfg = load_yaml(text) if text.strip() else None
        except Exception as e:
            raise E.bad_request("error decoding YAML: %s" % str(e).replace("\n", " "))
        if not isinstance(cfg, dict):
            raise E.bad_request("error decoding YAML: object is not a map" if cfg is not None else
                                "Incorrect version specified in apply patch. Specified patch version: , "
                                "expected: %s" % rt.api_version)
        cfg = _yaml_to_json(cfg)
        if cfg.get("apiVersion") != rt.api_version:
            raise E.bad_request("Incorrect version specified in apply patch. Specified patch version: %s, "
                                "expected: %s" % (cfg.get("apiVersion", ""), rt.api_version))
        cmd = cfg.get("metadata")
        if cmd is None:
            cmd = cfg["metadata"] = {}
        if not isinstance(cmd, dict):
            raise E.bad_request("metadata must be an object")
        if cmd.get("managedFields") is not None:
            raise E.bad_request("metadata.managedFields must be nil")
        if cfg.get("kind") != rt.kind:
            raise E.invalid(rt.kind, rt.group, name, [E.FieldError(
                "Invalid", "kind", cfg.get("kind"), "must be %s" % rt.kind)])
        if cmd.get("name") and cmd["name"] != name:
            raise E.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                % (cmd["name"], name))
        if rt.namespaced and cmd.get("namespace") and cmd["namespace"] != ns:
            raise E.bad_request("the namespace of the provided object does not match the namespace sent on "
                                "the request")
        # fields the apply configuration may not set
        for k in ("uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "deletionTimestamp",
                  "deletionGracePeriodSeconds"):
            if k == "resourceVersion" and cmd.get(k):
                continue
            cmd.pop(k, None)
        key = (ns if rt.namespaced else "", name)
        with self.lock:
            live = self._store(rt).get(key)
            if live is not None and cmd.get("resourceVersion") and \
                    cmd["resourceVersion"] != live["metadata"]["resourceVersion"]:
                raise E.conflict(rt.plural, rt.group, name)
            cmd.pop("resourceVersion", None)
            if live is None and subresource:
                raise E.not_found(rt.plural, rt.group, name)
            if live is None:
                self._check_namespace(rt, ns, name)
            model = self._model(rt)
            ignored = self._ignored(rt, subresource)
            config = copy.deepcopy(cfg)
            if rt.crd and rt.schema:
                unknown = []
                _prune_schema(config, rt.schema, "", unknown, root=True)
                if unknown and (field_validation or "Strict") == "Strict":
                    if len(unknown) == 1:
                        raise E.bad_request('.%s: field not declared in schema' % unknown[0])
                    raise E.bad_request("[" + ", ".join(".%s: field not declared in schema" % u
                                                        for u in unknown) + "]")
                if unknown and warnings is not None and field_validation != "Ignore":
                    for u in unknown:
                        warnings.append("unknown field \"%s\"" % u)
            managers = decode_managed(live) if live else collections.OrderedDict()
            me_ident = (manager, "Apply", "", subresource or "")
            last = managers.get(me_ident)
            last_set = set(last.set) if last else None
            cfg_set = self._clean_set(FP.to_set(config, model), ignored)
            base = _strip_for_compare(live) if live else {}
            base_for_merge = copy.deepcopy(base)
            merged = FP.merge(base_for_merge, _drop_ignored(config, rt, subresource), model)
            newme = Manager(manager, "Apply", rt.api_version, subresource, last.time if last else None, cfg_set)
            managers[me_ident] = newme
            if last_set:
                owned = set()
                for m in managers.values():
                    owned |= m.set
                to_remove = {p for p in last_set if p not in owned}
                if to_remove:
                    merged = FP.remove_paths(merged, to_remove, model, keep=owned)
                    _drop_empty_parents(merged, to_remove, model, owned)
            res = FP.compare(base, merged, model)
            changed = res["modified"] | res["added"]
            conflicts = []
            for ident, m in managers.items():
                if ident == me_ident:
                    continue
                cs = m.set & changed
                if cs:
                    conflicts.append((m, cs))
            if conflicts and not force and manager == "kubectl" and live is not None:
                allowed = self._allowed_from_last_applied(rt, live, model)
                if allowed is not None and all(cs <= allowed for _, cs in conflicts):
                    force = True
            if conflicts and not force:
                raise _conflict_error(conflicts)
            for m, cs in conflicts:
                m.set -= cs
            if res["removed"]:
                for ident, m in managers.items():
                    if ident != me_ident:
                        m.set -= res["removed"]
            for ident in [i for i, m in managers.items() if not m.set]:
                del managers[ident]
            if live is None:
                obj = merged
                obj.setdefault("metadata", {})["name"] = name
                if rt.namespaced:
                    obj["metadata"]["namespace"] = ns
                self._validate_meta(rt, obj, True)
                obj = self._prepare_new(rt, obj, field_validation, None)
                if me_ident in managers:
                    managers[me_ident].time = now_rfc3339()
                obj["metadata"]["managedFields"] = encode_managed(managers)
                if not obj["metadata"]["managedFields"]:
                    obj["metadata"].pop("managedFields")
                return self._finish_create(rt, obj, dry_run)
            new = merged
            nmd = new.setdefault("metadata", {})
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
                if k in live["metadata"]:
                    nmd[k] = live["metadata"][k]
            new["apiVersion"], new["kind"] = rt.api_version, rt.kind
            if subresource == "status":
                keep = copy.deepcopy(live)
                keep.pop("status", None)
                if "status" in new:
                    keep["status"] = new["status"]
                keep["metadata"].pop("managedFields", None)
                new = keep
                nmd = new["metadata"]
            elif rt.status:
                if "status" in live:
                    new["status"] = copy.deepcopy(live["status"])
                else:
                    new.pop("status", None)
            if manager == "kubectl" and LAST_APPLIED in ((live["metadata"].get("annotations")) or {}):
                new["metadata"].setdefault("annotations", {})[LAST_APPLIED] = _build_last_applied(cfg)
            self._validate_meta(rt, new, False)
            self._default(rt, new, live, "Ignore", None)
            changed_obj = _strip_for_compare(new) != _strip_for_compare(live)
            if changed_obj:
                managers[me_ident].time = now_rfc3339()
            elif me_ident in managers and managers[me_ident].time is None:
                managers[me_ident].time = now_rfc3339()
            nmd["managedFields"] = encode_managed(managers)
            if not nmd["managedFields"]:
                nmd.pop("managedFields")
            return self._finish_update(rt, live, new, dry_run)

    def _allowed_from_last_applied(self, rt, live, model):
        """Conflicts kubectl may override when moving from client-side to server-side apply: fields of the
        last-applied-configuration annotation whose values still match the live object."""
        raw = ((live["metadata"].get("annotations")) or {}).get(LAST_APPLIED)
        if not raw:
            return None
        try:
            last = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(last, dict):
            return None
        lset = FP.to_set(last, model)
        res = FP.compare(_strip_for_compare(last), _strip_for_compare(live), model)
        return lset - res["modified"]

    # ------------------------------------------------------------------ delete

    def delete(self, rt, ns, name, options=None, dry_run=False):
        options = options or {}
        with self.lock:
            key = (ns if rt.namespaced else "", name)
            live = self._store(rt).get(key)
            if live is None:
                raise E.not_found(rt.plural, rt.group, name)
            pre = options.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != live["metadata"]["uid"]:
                raise E.conflict(rt.plural, rt.group, name,
                                 "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                                 % (pre["uid"], live["metadata"]["uid"]))
            if pre.get("resourceVersion") and pre["resourceVersion"] != live["metadata"]["resourceVersion"]:
                raise E.conflict(rt.plural, rt.group, name,
                                 "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion "
                                 "in object meta: %s" % (pre["resourceVersion"],
                                                         live["metadata"]["resourceVersion"]))
            policy = options.get("propagationPolicy")
            if options.get("orphanDependents") is True and not policy:
                policy = "Orphan"
            if policy not in (None, "", "Foreground", "Background", "Orphan"):
                raise E.invalid("DeleteOptions", "", "", [E.FieldError(
                    "NotSupported", "propagationPolicy", policy,
                    'supported values: "Foreground", "Background", "Orphan", "nil"')])
            if dry_run:
                return self._delete_result(rt, live), 200
            if rt.kind == "Namespace":
                return self._delete_namespace(live), 200
            if rt.kind == "CustomResourceDefinition":
                return self._delete_crd(live), 200
            md = live["metadata"]
            if md.get("deletionTimestamp"):
                # already being deleted: just answer the object
                return self._versioned(rt, live), 200
            finalizers = list(md.get("finalizers") or [])
            if policy == "Foreground" and self._dependents(live["metadata"]["uid"]):
                finalizers.append("foregroundDeletion")
            if policy == "Orphan":
                self._orphan(live["metadata"]["uid"])
            if finalizers:
                new = copy.deepcopy(live)
                new["metadata"]["deletionTimestamp"] = now_rfc3339()
                new["metadata"]["deletionGracePeriodSeconds"] = 0
                new["metadata"]["finalizers"] = finalizers
                if "foregroundDeletion" in finalizers:
                    new["metadata"]["generation"] = md.get("generation", 0) + 1 if "generation" in md else None
                    if new["metadata"]["generation"] is None:
                        new["metadata"].pop("generation")
                self._write(rt, self._order(new), live)
                if "foregroundDeletion" in finalizers:
                    self._foreground(rt, new)
                code = 202 if options.get("orphanDependents") is False else 200
                return self._versioned(rt, self._store(rt).get(key, new)), code
            self._delete_now(rt, live)
            return self._delete_result(rt, live), 200

    def _delete_result(self, rt, obj):
        if rt.kind in RETURN_DELETED or rt.crd:
            return self._versioned(rt, obj)
        d = {"name": obj["metadata"]["name"]}
        if rt.group:
            d["group"] = rt.group
        d["kind"] = rt.plural
        d["uid"] = obj["metadata"]["uid"]
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": d}

    def _delete_now(self, rt, obj):
        gone = self._remove(rt, obj)
        if gone is not None:
            self._gc(obj["metadata"]["uid"])
        return gone

    def _all_objects(self):
        for gr, st in self.objects.items():
            rts = self.registry.versions_of(*gr)
            if not rts:
                continue
            for obj in list(st.values()):
                yield rts[0], obj

    def _dependents(self, uid):
        out = []
        for rt, obj in self._all_objects():
            for ref in obj["metadata"].get("ownerReferences") or []:
                if ref.get("uid") == uid:
                    out.append((rt, obj))
                    break
        return out

    def _gc(self, uid):
        for rt, obj in self._dependents(uid):
            refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            if refs and any(self._uid_exists(r.get("uid")) for r in refs):
                new = copy.deepcopy(obj)
                new["metadata"]["ownerReferences"] = refs
                self._write(rt, new, obj)
                continue
            if obj["metadata"].get("finalizers"):
                if not obj["metadata"].get("deletionTimestamp"):
                    new = copy.deepcopy(obj)
                    new["metadata"]["deletionTimestamp"] = now_rfc3339()
                    new["metadata"]["deletionGracePeriodSeconds"] = 0
                    self._write(rt, new, obj)
                continue
            self._delete_now(rt, obj)

    def _uid_exists(self, uid):
        for rt, obj in self._all_objects():
            if obj["metadata"].get("uid") == uid:
                return True
        return False

    def _orphan(self, uid):
        for rt, obj in self._dependents(uid):
            new = copy.deepcopy(obj)
            new["metadata"]["ownerReferences"] = [r for r in obj["metadata"]["ownerReferences"]
                                                  if r.get("uid") != uid]
            if not new["metadata"]["ownerReferences"]:
                del new["metadata"]["ownerReferences"]
            self._write(rt, new, obj)

    def _foreground(self, rt, obj):
        uid = obj["metadata"]["uid"]
        self._gc(uid)
        if not self._dependents(uid):
            cur = self._store(rt).get((obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
            if cur is None:
                return
            new = copy.deepcopy(cur)
            new["metadata"]["finalizers"] = [f for f in new["metadata"].get("finalizers") or []
                                             if f != "foregroundDeletion"]
            if not new["metadata"]["finalizers"]:
                del new["metadata"]["finalizers"]
                self._write(rt, new, cur)
                self._delete_now(rt, new)
            else:
                self._write(rt, new, cur)

    def _delete_namespace(self, live):
        ns_rt = self.registry.get("", "v1", "namespaces")
        md = live["metadata"]
        if md.get("deletionTimestamp"):
            return self._versioned(ns_rt, live)
        new = copy.deepcopy(live)
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["status"] = {"phase": "Terminating"}
        self._write(ns_rt, new, live)
        delay = max(self.status_delay, 0.05)
        t = threading.Timer(delay, self._finalize_namespace, args=(md["name"],))
        t.daemon = True
        t.start()
        return self._versioned(ns_rt, new)

    def _finalize_namespace(self, name):
        ns_rt = self.registry.get("", "v1", "namespaces")
        with self.lock:
            ns = self._store(ns_rt).get(("", name))
            if ns is None or not ns["metadata"].get("deletionTimestamp"):
                return
            remaining = collections.Counter()
            finalizers = collections.Counter()
            for rt, obj in list(self._all_objects()):
                if not (rt.namespaced and obj["metadata"].get("namespace") == name):
                    continue
                cur = self._store(rt).get((name, obj["metadata"]["name"]))
                if cur is None:
                    continue
                if cur["metadata"].get("finalizers"):
                    if not cur["metadata"].get("deletionTimestamp"):
                        new = copy.deepcopy(cur)
                        new["metadata"]["deletionTimestamp"] = now_rfc3339()
                        new["metadata"]["deletionGracePeriodSeconds"] = 0
                        self._write(rt, self._order(new), cur)
                    remaining[rt.plural + "." + rt.group] += 1
                    for f in cur["metadata"]["finalizers"]:
                        finalizers[f] += 1
                else:
                    self._delete_now(rt, cur)
            cur = self._store(ns_rt).get(("", name))
            if cur is None:
                return
            now = now_rfc3339()
            if remaining:
                rem = "Some resources are remaining: " + ", ".join(
                    "%s has %d resource instances" % (k, v) for k, v in sorted(remaining.items()))
                fin = "Some content in the namespace has finalizers remaining: " + ", ".join(
                    "%s in %d resource instances" % (k, v) for k, v in sorted(finalizers.items()))
                conds = (("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
                          "All resources successfully discovered"),
                         ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
                          "All legacy kube types successfully parsed"),
                         ("NamespaceDeletionContentFailure", "False", "ContentDeleted",
                          "All content successfully deleted, may be waiting on finalization"),
                         ("NamespaceContentRemaining", "True", "SomeResourcesRemain", rem),
                         ("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain", fin))
            else:
                conds = (("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
                          "All resources successfully discovered"),
                         ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
                          "All legacy kube types successfully parsed"),
                         ("NamespaceDeletionContentFailure", "False", "ContentDeleted",
                          "All content successfully deleted, may be waiting on finalization"),
                         ("NamespaceContentRemaining", "False", "ContentRemoved", "All content successfully removed"),
                         ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers",
                          "All content-preserving finalizers finished"))
            old_conds = {c.get("type"): c for c in (cur.get("status") or {}).get("conditions") or []}
            new = copy.deepcopy(cur)
            new["status"] = {"phase": "Terminating", "conditions": [
                {"type": t, "status": st, "lastTransitionTime":
                    old_conds[t]["lastTransitionTime"] if t in old_conds and old_conds[t].get("status") == st
                    else now, "reason": r, "message": m} for t, st, r, m in conds]}
            if remaining:
                if new != cur:
                    self._write(ns_rt, new, cur)
                t = threading.Timer(0.2, self._finalize_namespace, args=(name,))
                t.daemon = True
                t.start()
                return
            new["spec"] = {}
            self._write(ns_rt, new, cur)
            self._remove(ns_rt, new)

    def _delete_crd(self, live):
        crd_rt = self.registry.get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        if live["metadata"].get("deletionTimestamp"):
            return self._versioned(crd_rt, live)
        new = copy.deepcopy(live)
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["metadata"]["finalizers"] = ["customresourcecleanup.apiextensions.k8s.io"]
        conds = [c for c in (new.get("status") or {}).get("conditions") or [] if c.get("type") != "Terminating"]
        conds.append({"type": "Terminating", "status": "True", "lastTransitionTime": now_rfc3339(),
                      "reason": "InstanceDeletionInProgress", "message": "CustomResource deletion is in progress"})
        new.setdefault("status", {})["conditions"] = conds
        self._write(crd_rt, new, live)
        delay = max(self.status_delay / 2, 0.05)
        t = threading.Timer(delay, self._finalize_crd, args=(live["metadata"]["name"],))
        t.daemon = True
        t.start()
        return self._versioned(crd_rt, new)

    def _finalize_crd(self, name):
        crd_rt = self.registry.get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        with self.lock:
            crd = self._store(crd_rt).get(("", name))
            if crd is None:
                return
            spec = crd.get("spec") or {}
            gr = (spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
            rts = self.registry.versions_of(*gr)
            if rts:
                for obj in list(self._store(rts[0]).values()):
                    self._delete_now(rts[0], obj)
            self.registry.remove_crd(name)
            self.objects.pop(gr, None)
            cur = self._store(crd_rt).get(("", name))
            if cur is not None:
                new = copy.deepcopy(cur)
                new["metadata"].pop("finalizers", None)
                self._write(crd_rt, new, cur)
                self._remove(crd_rt, new)

    def delete_collection(self, rt, ns, label_selector="", field_selector="", options=None, dry_run=False):
        lst = self.list(rt, ns, label_selector, field_selector, strip_type=False)
        items = []
        for o in lst["items"]:
            try:
                r, _ = self.delete(rt, o["metadata"].get("namespace", ""), o["metadata"]["name"], options,
                                   dry_run)
                items.append(o)
            except E.ApiError:
                pass
        return {"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": lst["metadata"],
                "items": items}

    # ------------------------------------------------------------------ status writes (controllers)

    def write_status(self, rt, ns, name, mutate, manager="kube-controller-manager"):
        """Apply mutate(status_dict) -> None to the live object's status, recorded as an Update
        of manager on the status subresource. Returns the new object or None."""
        with self.lock:
            live = self._store(rt).get((ns if rt.namespaced else "", name))
            if live is None:
                return None
            new = copy.deepcopy(live)
            st = new.get("status")
            if not isinstance(st, dict):
                st = {}
            r = mutate(st, new)
            if r is False:
                return None
            new["status"] = st
            new = self._order(new)
            if new == live:
                return live
            managers = decode_managed(live)
            self._update_managers(rt, live, new, managers, manager, "status" if rt.status else "")
            new["metadata"]["managedFields"] = encode_managed(managers)
            if not new["metadata"]["managedFields"]:
                new["metadata"].pop("managedFields")
            self._write(rt, new, live)
            return new

    def write_object(self, rt, new, manager="kube-controller-manager"):
        """Controller update of a whole object (spec/metadata), recorded as an Update."""
        with self.lock:
            md = new["metadata"]
            live = self._store(rt).get((md.get("namespace", "") if rt.namespaced else "", md["name"]))
            if live is None:
                return None
            managers = decode_managed(live)
            self._update_managers(rt, live, new, managers, manager)
            new["metadata"]["managedFields"] = encode_managed(managers)
            if not new["metadata"]["managedFields"]:
                new["metadata"].pop("managedFields")
            new = self._order(new)
            if new == live:
                return live
            self._write(rt, new, live)
            return new

    def remove_finalizers(self, rt, obj, names, manager="kube-controller-manager"):
        """Drop the given finalizers (a controller finishing its cleanup); deletes the object when it is
        being deleted and no finalizer is left."""
        with self.lock:
            md = obj["metadata"]
            live = self._store(rt).get((md.get("namespace", "") if rt.namespaced else "", md["name"]))
            if live is None:
                return None
            fins = [f for f in live["metadata"].get("finalizers") or [] if f not in names]
            if fins == (live["metadata"].get("finalizers") or []):
                return live
            new = copy.deepcopy(live)
            if fins:
                new["metadata"]["finalizers"] = fins
            else:
                new["metadata"].pop("finalizers", None)
            managers = decode_managed(live)
            self._update_managers(rt, live, new, managers, manager)
            new["metadata"]["managedFields"] = encode_managed(managers)
            if not new["metadata"]["managedFields"]:
                new["metadata"].pop("managedFields")
            self._write(rt, self._order(new), live)
            if not fins and new["metadata"].get("deletionTimestamp"):
                self._delete_now(rt, new)
            return new

    # ------------------------------------------------------------------ watch

    def events_since(self, rv):
        """History after rv; None if rv is older than what is kept."""
        with self.lock:
            if self.history and rv < self.history[0].rv - 1 and rv < self.rv:
                oldest = self.history[0].rv
                if rv + 1 < oldest:
                    return None
            return [e for e in self.history if e.rv > rv]


# ---------------------------------------------------------------- helpers (module level)

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _build_last_applied(cfg):
    c = copy.deepcopy(cfg)
    ann = (c.get("metadata") or {}).get("annotations")
    if isinstance(ann, dict):
        ann.pop(LAST_APPLIED, None)
        if not ann:
            c["metadata"].pop("annotations")
    return json.dumps(c, separators=(",", ":"), sort_keys=True) + "\n"


def _fill(obj, skel):
    """obj with the zero-valued nodes of the Go struct filled in (what a typed decode would show)."""
    if not skel or not isinstance(obj, dict):
        return obj
    for k, v in skel.items():
        if k not in obj:
            obj[k] = copy.deepcopy(v)
        elif isinstance(v, dict) and isinstance(obj[k], dict):
            _fill(obj[k], v)
    return obj


def _label_value_ok(v):
    return len(v) <= 63 and re.match(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", v) is not None


def _container_errors(cs, prefix):
    errs = []
    if not isinstance(cs, list):
        return errs
    seen = set()
    for i, c in enumerate(cs):
        if not isinstance(c, dict):
            continue
        n = c.get("name")
        if not n:
            errs.append(E.FieldError("Required", "%s[%d].name" % (prefix, i), None, ""))
        elif not DNS1123_LABEL.match(n):
            errs.append(E.FieldError("Invalid", "%s[%d].name" % (prefix, i), n, MSG_LABEL))
        elif n in seen:
            errs.append(E.FieldError("Duplicate", "%s[%d].name" % (prefix, i), n))
        seen.add(n)
        if not c.get("image"):
            errs.append(E.FieldError("Required", "%s[%d].image" % (prefix, i), None, ""))
    return errs


def _spec_of(obj):
    o = {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}
    return json.dumps(o, sort_keys=True)


def load_yaml(text):
    """YAML (or JSON, which needs no PyYAML) -> JSON-like value."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        import yaml
    except ImportError:
        raise E.ApiError(415, "UnsupportedMediaType", "this test server needs PyYAML (python3-yaml) for YAML "
                         "bodies; send JSON", {})
    return _yaml_to_json(yaml.safe_load(text))


def _yaml_to_json(v):
    """YAML-decoded values as JSON would hold them (timestamps/dates as strings, keys as strings)."""
    import datetime
    if isinstance(v, dict):
        return {str(k) if not isinstance(k, bool) else ("true" if k else "false"): _yaml_to_json(x)
                for k, x in v.items()}
    if isinstance(v, list):
        return [_yaml_to_json(x) for x in v]
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def _drop_ignored(config, rt, subresource):
    c = copy.deepcopy(config)
    if rt.status:
        if subresource == "status":
            c = {k: v for k, v in c.items() if k in ("apiVersion", "kind", "metadata", "status")}
        else:
            c.pop("status", None)
    return c


def _drop_empty_parents(obj, removed, model, owned):
    """After pruning leaves, struct nodes left empty and owned by nobody go too (SMD prunes named fields)."""
    parents = set()
    for p in removed:
        for i in range(1, len(p)):
            parents.add(p[:i])
    for p in sorted(parents, key=len, reverse=True):
        if any(FP.has_prefix(o, p) for o in owned):
            continue
        v = FP.get_path(obj, p, model)
        if v == {} or v == []:
            FP._remove_one(obj, p, model)


def _conflict_error(conflicts):
    items = []
    for m, cs in conflicts:
        for p in sorted(cs, key=lambda p: FP.path_string(p)):
            items.append((m, p))
    causes = [{"type": "FieldManagerConflict", "message": "conflict with %s" % m.describe(),
               "field": FP.path_string(p)} for m, p in items]
    if len(items) == 1:
        msg = "Apply failed with 1 conflict: conflict with %s: %s" % (items[0][0].describe(),
                                                                      FP.path_string(items[0][1]))
    else:
        by = collections.OrderedDict()
        for m, p in items:
            by.setdefault(m.describe(), []).append(FP.path_string(p))
        lines = []
        for mgr in sorted(by, key=lambda d: d):
            lines.append("conflicts with %s:" % mgr)
            for p in by[mgr]:
                lines.append("- %s" % p)
        msg = "Apply failed with %d conflicts: %s" % (len(items), "\n".join(lines))
    return E.ApiError(409, "Conflict", msg, {"causes": causes})


def _prune_schema(obj, schema, path, unknown, root=False):
    """Drop fields the structural schema does not declare (recording their paths)."""
    if not isinstance(schema, dict):
        return
    if schema.get("x-kubernetes-preserve-unknown-fields") and not schema.get("properties"):
        return
    if isinstance(obj, dict):
        props = schema.get("properties")
        ap = schema.get("additionalProperties")
        if props is None and ap is None:
            if schema.get("type") == "object" and not schema.get("x-kubernetes-preserve-unknown-fields"):
                if not root:
                    for k in list(obj.keys()):
                        unknown.append((path + "." + k).lstrip("."))
                        del obj[k]
            return
        for k in list(obj.keys()):
            if root and k in ("apiVersion", "kind", "metadata"):
                continue
            sub = (props or {}).get(k)
            if sub is None and isinstance(ap, dict):
                sub = ap
            if sub is None and ap is True:
                continue
            if sub is None:
                if schema.get("x-kubernetes-preserve-unknown-fields"):
                    continue
                unknown.append((path + "." + k).lstrip("."))
                del obj[k]
                continue
            _prune_schema(obj[k], sub, path + "." + k, unknown)
    elif isinstance(obj, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, x in enumerate(obj):
                _prune_schema(x, items, "%s[%d]" % (path, i), unknown)


def _schema_defaults(obj, schema, root=False):
    if not isinstance(schema, dict):
        return
    if isinstance(obj, dict):
        for k, sub in (schema.get("properties") or {}).items():
            if root and k in ("apiVersion", "kind", "metadata"):
                continue
            if k not in obj and isinstance(sub, dict) and "default" in sub:
                obj[k] = copy.deepcopy(sub["default"])
            if k in obj:
                _schema_defaults(obj[k], sub)
        ap = schema.get("additionalProperties")
        if isinstance(ap, dict):
            for k in obj:
                if k not in (schema.get("properties") or {}):
                    _schema_defaults(obj[k], ap)
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for x in obj:
            _schema_defaults(x, schema["items"])

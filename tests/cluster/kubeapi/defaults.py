"""Defaulting of built-in kinds, as kube-apiserver's SetDefaults_* functions do (the common fields)."""

import ipaddress
import itertools
import threading


def _pod_spec(spec):
    if not isinstance(spec, dict):
        return
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    if spec.get("serviceAccountName") and "serviceAccount" not in spec:
        spec["serviceAccount"] = spec["serviceAccountName"]
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            if not isinstance(c, dict):
                continue
            image = c.get("image") or ""
            if "imagePullPolicy" not in c and key != "ephemeralContainers":
                tag = image.rsplit("/", 1)[-1]
                if "@" in tag:
                    c["imagePullPolicy"] = "IfNotPresent"
                elif ":" not in tag or tag.endswith(":latest"):
                    c["imagePullPolicy"] = "Always"
                else:
                    c["imagePullPolicy"] = "IfNotPresent"
            c.setdefault("terminationMessagePath", "/dev/termination-log")
            c.setdefault("terminationMessagePolicy", "File")
            c.setdefault("resources", {})
            for p in c.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                pr = c.get(probe)
                if isinstance(pr, dict):
                    pr.setdefault("timeoutSeconds", 1)
                    pr.setdefault("periodSeconds", 10)
                    pr.setdefault("successThreshold", 1)
                    pr.setdefault("failureThreshold", 3)
                    hg = pr.get("httpGet")
                    if isinstance(hg, dict):
                        hg.setdefault("path", "/")
                        hg.setdefault("scheme", "HTTP")
            for e in c.get("env") or []:
                vf = e.get("valueFrom") if isinstance(e, dict) else None
                if isinstance(vf, dict) and isinstance(vf.get("fieldRef"), dict):
                    vf["fieldRef"].setdefault("apiVersion", "v1")
    for v in spec.get("volumes") or []:
        if not isinstance(v, dict):
            continue
        for src in ("secret", "configMap"):
            if isinstance(v.get(src), dict):
                v[src].setdefault("defaultMode", 420)
        if isinstance(v.get("projected"), dict):
            v["projected"].setdefault("defaultMode", 420)
        if isinstance(v.get("emptyDir"), dict):
            pass
        if isinstance(v.get("hostPath"), dict):
            v["hostPath"].setdefault("type", "")
    for t in spec.get("tolerations") or []:
        pass


def _template(spec):
    tpl = spec.get("template")
    if isinstance(tpl, dict):
        tpl.setdefault("metadata", {})
        if "creationTimestamp" not in tpl["metadata"]:
            tpl["metadata"]["creationTimestamp"] = None
        _pod_spec(tpl.get("spec"))


class IPAllocator:
    def __init__(self, cidr="10.96.0.0/12"):
        self.net = ipaddress.ip_network(cidr)
        self.counter = itertools.count(10)
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            return str(self.net.network_address + next(self.counter))


_ips = IPAllocator()
_node_ports = itertools.count(30000)


def apply_defaults(obj, kind, old=None):
    """Default obj in place. old: the previous object on update (for allocated fields)."""
    spec = obj.get("spec")
    if kind in ("Deployment",):
        if isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            st = spec.setdefault("strategy", {})
            st.setdefault("type", "RollingUpdate")
            if st.get("type") == "RollingUpdate":
                ru = st.setdefault("rollingUpdate", {})
                ru.setdefault("maxUnavailable", "25%")
                ru.setdefault("maxSurge", "25%")
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
            _template(spec)
    elif kind == "StatefulSet":
        if isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            spec.setdefault("podManagementPolicy", "OrderedReady")
            us = spec.setdefault("updateStrategy", {})
            us.setdefault("type", "RollingUpdate")
            if us.get("type") == "RollingUpdate":
                us.setdefault("rollingUpdate", {}).setdefault("partition", 0)
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("persistentVolumeClaimRetentionPolicy",
                            {"whenDeleted": "Retain", "whenScaled": "Retain"})
            for vct in spec.get("volumeClaimTemplates") or []:
                if isinstance(vct, dict):
                    vct.setdefault("apiVersion", "v1")
                    vct.setdefault("kind", "PersistentVolumeClaim")
                    vs = vct.setdefault("spec", {})
                    vs.setdefault("volumeMode", "Filesystem")
                    vct.setdefault("status", {"phase": "Pending"})
            _template(spec)
    elif kind == "DaemonSet":
        if isinstance(spec, dict):
            us = spec.setdefault("updateStrategy", {})
            us.setdefault("type", "RollingUpdate")
            if us.get("type") == "RollingUpdate":
                ru = us.setdefault("rollingUpdate", {})
                ru.setdefault("maxUnavailable", 1)
                ru.setdefault("maxSurge", 0)
            spec.setdefault("revisionHistoryLimit", 10)
            _template(spec)
    elif kind == "ReplicaSet":
        if isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            _template(spec)
    elif kind == "Job":
        if isinstance(spec, dict):
            if "completions" not in spec and "parallelism" not in spec:
                spec["completions"] = 1
            spec.setdefault("parallelism", 1)
            spec.setdefault("backoffLimit", 6)
            spec.setdefault("completionMode", "NonIndexed")
            spec.setdefault("suspend", False)
            spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
            _template(spec)
    elif kind == "CronJob":
        if isinstance(spec, dict):
            spec.setdefault("concurrencyPolicy", "Allow")
            spec.setdefault("suspend", False)
            spec.setdefault("successfulJobsHistoryLimit", 3)
            spec.setdefault("failedJobsHistoryLimit", 1)
            jt = spec.setdefault("jobTemplate", {})
            jt.setdefault("metadata", {}).setdefault("creationTimestamp", None)
            js = jt.get("spec")
            if isinstance(js, dict):
                js.setdefault("backoffLimit", 6)
                js.setdefault("completionMode", "NonIndexed")
                js.setdefault("suspend", False)
                js.setdefault("podReplacementPolicy", "TerminatingOrFailed")
                _template(js)
    elif kind == "Pod":
        _pod_spec(spec)
        if isinstance(spec, dict):
            spec.setdefault("enableServiceLinks", True)
            spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
            spec.setdefault("priority", 0)
            if spec.get("serviceAccountName") is None:
                spec["serviceAccountName"] = "default"
                spec["serviceAccount"] = "default"
            tol = spec.setdefault("tolerations", [])
            keys = {t.get("key") for t in tol if isinstance(t, dict)}
            for k in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
                if k not in keys:
                    tol.append({"effect": "NoExecute", "key": k, "operator": "Exists",
                                "tolerationSeconds": 300})
    elif kind == "Service":
        if isinstance(spec, dict):
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            oldspec = (old or {}).get("spec") or {}
            if spec.get("type") != "ExternalName":
                if not spec.get("clusterIP"):
                    spec["clusterIP"] = oldspec.get("clusterIP") or _ips.next()
                if spec.get("clusterIP") != "None":
                    spec.setdefault("clusterIPs", [spec["clusterIP"]])
                else:
                    spec.setdefault("clusterIPs", ["None"])
                spec.setdefault("ipFamilies", ["IPv4"])
                spec.setdefault("ipFamilyPolicy", "SingleStack")
                spec.setdefault("internalTrafficPolicy", "Cluster")
            if spec.get("type") in ("NodePort", "LoadBalancer"):
                spec.setdefault("externalTrafficPolicy", "Cluster")
                if spec.get("type") == "LoadBalancer":
                    spec.setdefault("allocateLoadBalancerNodePorts", True)
            oldports = {(p.get("port"), p.get("protocol", "TCP")): p for p in oldspec.get("ports") or []
                        if isinstance(p, dict)}
            for p in spec.get("ports") or []:
                if not isinstance(p, dict):
                    continue
                p.setdefault("protocol", "TCP")
                if "targetPort" not in p and "port" in p:
                    p["targetPort"] = p["port"]
                if spec.get("type") in ("NodePort", "LoadBalancer") and not p.get("nodePort"):
                    op = oldports.get((p.get("port"), p.get("protocol")))
                    p["nodePort"] = (op or {}).get("nodePort") or next(_node_ports)
        obj.setdefault("status", {}).setdefault("loadBalancer", {})
    elif kind == "Namespace":
        md = obj.setdefault("metadata", {})
        md.setdefault("labels", {})["kubernetes.io/metadata.name"] = md.get("name")
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj.setdefault("status", {}).setdefault("phase", "Active")
    elif kind == "Secret":
        obj.setdefault("type", "Opaque")
        sd = obj.pop("stringData", None)
        if isinstance(sd, dict):
            import base64
            data = obj.setdefault("data", {})
            for k, v in sd.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
    elif kind == "PersistentVolumeClaim":
        if isinstance(spec, dict):
            spec.setdefault("volumeMode", "Filesystem")
        obj.setdefault("status", {}).setdefault("phase", "Pending")
    elif kind == "PersistentVolume":
        if isinstance(spec, dict):
            spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
            spec.setdefault("volumeMode", "Filesystem")
        obj.setdefault("status", {}).setdefault("phase", "Pending")
    elif kind == "Ingress":
        obj.setdefault("status", {}).setdefault("loadBalancer", {})
        for r in (spec or {}).get("rules") or []:
            for p in ((r or {}).get("http") or {}).get("paths") or []:
                pass
    elif kind == "PodDisruptionBudget":
        pass
    elif kind == "StorageClass":
        obj.setdefault("reclaimPolicy", "Delete")
        obj.setdefault("volumeBindingMode", "Immediate")
    elif kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
        for w in obj.get("webhooks") or []:
            if not isinstance(w, dict):
                continue
            w.setdefault("failurePolicy", "Fail")
            w.setdefault("matchPolicy", "Equivalent")
            w.setdefault("namespaceSelector", {})
            w.setdefault("objectSelector", {})
            w.setdefault("timeoutSeconds", 10)
            if kind == "MutatingWebhookConfiguration":
                w.setdefault("reinvocationPolicy", "Never")
            svc = (w.get("clientConfig") or {}).get("service")
            if isinstance(svc, dict):
                svc.setdefault("port", 443)
            for r in w.get("rules") or []:
                if isinstance(r, dict):
                    r.setdefault("scope", "*")
    elif kind == "CustomResourceDefinition":
        if isinstance(spec, dict):
            names = spec.get("names") or {}
            if names.get("kind") and "listKind" not in names:
                names["listKind"] = names["kind"] + "List"
            if names.get("plural") and "singular" not in names and names.get("kind"):
                names["singular"] = names["kind"].lower()
            spec.setdefault("conversion", {"strategy": "None"})
    elif kind == "APIService":
        pass
    elif kind == "HorizontalPodAutoscaler":
        if isinstance(spec, dict):
            spec.setdefault("minReplicas", 1)
            if "metrics" not in spec:
                spec["metrics"] = [{"type": "Resource", "resource": {
                    "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    elif kind == "NetworkPolicy":
        if isinstance(spec, dict):
            if "policyTypes" not in spec:
                pt = ["Ingress"]
                if spec.get("egress"):
                    pt.append("Egress")
                spec["policyTypes"] = pt
            for rule in (spec.get("ingress") or []) + (spec.get("egress") or []):
                for p in (rule or {}).get("ports") or []:
                    if isinstance(p, dict):
                        p.setdefault("protocol", "TCP")
    elif kind == "Endpoints":
        for s in obj.get("subsets") or []:
            for p in (s or {}).get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
    elif kind == "ResourceQuota":
        pass
    elif kind == "LimitRange":
        pass

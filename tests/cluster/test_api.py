"""Unit tests: the cluster state machine (CRUD, server-side apply, deletion, CRDs, status simulation)."""
import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kubeapi.api import Cluster  # noqa: E402
from kubeapi.controllers import Controllers  # noqa: E402
from kubeapi.errors import ApiError  # noqa: E402


def yaml_dump(obj):
    return json.dumps(obj)  # JSON is YAML


class Base(unittest.TestCase):
    def setUp(self):
        self.cl = Cluster(status_delay=0)
        self.ctl = Controllers(self.cl)
        self.reg = self.cl.registry
        self.cm = self.reg.get("", "v1", "configmaps")
        self.deploy = self.reg.get("apps", "v1", "deployments")
        self.ns = self.reg.get("", "v1", "namespaces")

    def apply(self, rt, ns, obj, manager="kubectl", force=False, dry=False):
        return self.cl.patch(rt, ns, obj["metadata"]["name"], "application/apply-patch+yaml", yaml_dump(obj),
                             manager, force, dry)

    def err(self, fn, *a, **kw):
        with self.assertRaises(ApiError) as e:
            fn(*a, **kw)
        return e.exception

    def managers(self, obj):
        return {(m["manager"], m["operation"]): m["fieldsV1"] for m in obj["metadata"].get("managedFields", [])}


def cm(name, data=None, labels=None):
    o = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
    if labels:
        o["metadata"]["labels"] = labels
    if data is not None:
        o["data"] = data
    return o


class CrudTest(Base):
    def test_create_get_list(self):
        obj, code = self.cl.create(self.cm, "default", cm("a", {"k": "v"}, {"x": "1"}), "kubectl-create")
        self.assertEqual(code, 201)
        md = obj["metadata"]
        for k in ("uid", "resourceVersion", "creationTimestamp", "managedFields"):
            self.assertIn(k, md)
        self.assertNotIn("generation", md)
        self.assertEqual(self.managers(obj)[("kubectl-create", "Update")],
                         {"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}})
        self.assertEqual(self.cl.get(self.cm, "default", "a")["data"], {"k": "v"})
        lst = self.cl.list(self.cm, "default", "x=1")
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]], ["a"])
        self.assertEqual(lst["kind"], "ConfigMapList")

    def test_errors(self):
        self.cl.create(self.cm, "default", cm("a"), "m")
        e = self.err(self.cl.create, self.cm, "default", cm("a"), "m")
        self.assertEqual((e.code, e.reason, e.message), (409, "AlreadyExists", 'configmaps "a" already exists'))
        e = self.err(self.cl.get, self.deploy, "default", "nope")
        self.assertEqual((e.code, e.message), (404, 'deployments.apps "nope" not found'))
        self.assertEqual(e.status()["details"], {"name": "nope", "group": "apps", "kind": "deployments"})
        e = self.err(self.cl.create, self.cm, "missing", cm("a"), "m")
        self.assertEqual(e.message, 'namespaces "missing" not found')
        e = self.err(self.cl.create, self.cm, "default", cm("Bad_Name"), "m")
        self.assertEqual((e.code, e.reason), (422, "Invalid"))
        self.assertTrue(e.message.startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: '
                                             '"Bad_Name": a lowercase RFC 1123 subdomain'))
        e = self.err(self.cl.create, self.cm, "default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}},
                     "m")
        self.assertEqual(e.message, 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName '
                                    'is required')
        e = self.err(self.cl.create, self.cm, "default", {"apiVersion": "v1", "kind": "Secret",
                                                          "metadata": {"name": "s"}}, "m")
        self.assertEqual(e.code, 422)

    def test_update_conflict_and_generation(self):
        d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
             "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                 "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
        obj, _ = self.cl.create(self.deploy, "default", d, "m")
        self.assertEqual(obj["metadata"]["generation"], 1)
        self.assertEqual(obj["spec"]["replicas"], 1)  # defaulted
        stale = json.loads(json.dumps(obj))
        obj["spec"]["replicas"] = 3
        new, _ = self.cl.update(self.deploy, "default", "d", obj, "m")
        self.assertEqual(new["metadata"]["generation"], 2)
        stale["spec"]["replicas"] = 4
        e = self.err(self.cl.update, self.deploy, "default", "d", stale, "m")
        self.assertEqual(e.message, 'Operation cannot be fulfilled on deployments.apps "d": the object has been '
                                    'modified; please apply your changes to the latest version and try again')
        # label change does not bump generation; identical update does not bump resourceVersion
        new["metadata"]["labels"] = {"x": "y"}
        new2, _ = self.cl.update(self.deploy, "default", "d", new, "m")
        self.assertEqual(new2["metadata"]["generation"], 2)
        new3, _ = self.cl.update(self.deploy, "default", "d", new2, "m")
        self.assertEqual(new3["metadata"]["resourceVersion"], new2["metadata"]["resourceVersion"])

    def test_patch_types(self):
        self.cl.create(self.cm, "default", cm("a", {"k": "v"}), "m")
        o, _ = self.cl.patch(self.cm, "default", "a", "application/merge-patch+json", b'{"data":{"j":"w"}}', "p")
        self.assertEqual(o["data"], {"k": "v", "j": "w"})
        o, _ = self.cl.patch(self.cm, "default", "a", "application/json-patch+json",
                             b'[{"op":"remove","path":"/data/k"}]', "p")
        self.assertEqual(o["data"], {"j": "w"})
        o, _ = self.cl.patch(self.cm, "default", "a", "application/strategic-merge-patch+json",
                             b'{"metadata":{"labels":{"l":"1"}}}', "p")
        self.assertEqual(o["metadata"]["labels"], {"l": "1"})
        e = self.err(self.cl.patch, self.cm, "default", "a", "text/plain", b"{}", "p")
        self.assertEqual(e.code, 415)

    def test_delete_and_gc(self):
        owner, _ = self.cl.create(self.cm, "default", cm("owner"), "m")
        child = cm("child")
        child["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                                 "uid": owner["metadata"]["uid"]}]
        self.cl.create(self.cm, "default", child, "m")
        res, code = self.cl.delete(self.cm, "default", "owner", {"propagationPolicy": "Background"})
        self.assertEqual((res["kind"], res["status"], res["details"]["kind"]), ("Status", "Success", "configmaps"))
        self.err(self.cl.get, self.cm, "default", "child")

    def test_orphan_and_finalizers(self):
        owner, _ = self.cl.create(self.cm, "default", cm("owner"), "m")
        child = cm("child")
        child["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                                 "uid": owner["metadata"]["uid"]}]
        child["metadata"]["finalizers"] = ["example.com/hold"]
        self.cl.create(self.cm, "default", child, "m")
        self.cl.delete(self.cm, "default", "owner", {"propagationPolicy": "Orphan"})
        c = self.cl.get(self.cm, "default", "child")
        self.assertNotIn("ownerReferences", c["metadata"])
        obj, code = self.cl.delete(self.cm, "default", "child")
        self.assertIn("deletionTimestamp", obj["metadata"])
        c = self.cl.get(self.cm, "default", "child")
        c["metadata"]["finalizers"] = []
        self.cl.update(self.cm, "default", "child", c, "m")
        self.err(self.cl.get, self.cm, "default", "child")

    def test_namespace_lifecycle(self):
        self.cl.create(self.ns, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}, "m")
        self.cl.create(self.cm, "team", cm("a"), "m")
        names = [i["metadata"]["name"] for i in self.cl.list(self.cm, "team")["items"]]
        self.assertEqual(sorted(names), ["a", "kube-root-ca.crt"])
        obj, _ = self.cl.delete(self.ns, "", "team")
        self.assertEqual(obj["status"]["phase"], "Terminating")
        self.assertIn("deletionTimestamp", obj["metadata"])
        e = self.err(self.cl.create, self.cm, "team", cm("b"), "m")
        self.assertEqual((e.code, e.reason), (403, "Forbidden"))
        self.assertEqual(e.message, 'configmaps "b" is forbidden: unable to create new content in namespace team '
                                    'because it is being terminated')
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                self.cl.get(self.ns, "", "team")
            except ApiError:
                break
            time.sleep(0.02)
        self.err(self.cl.get, self.ns, "", "team")
        self.assertEqual(self.cl.list(self.cm, "team")["items"], [])


class ApplyTest(Base):
    def test_create_on_apply_and_managed_fields(self):
        obj, code = self.apply(self.cm, "default", cm("a", {"k": "v"}, {"app": "x"}))
        self.assertEqual(code, 201)
        self.assertEqual(self.managers(obj)[("kubectl", "Apply")],
                         {"f:data": {"f:k": {}}, "f:metadata": {"f:labels": {"f:app": {}}}})

    def test_field_manager_required(self):
        e = self.err(self.apply, self.cm, "default", cm("a"), manager="")
        self.assertEqual((e.code, e.message), (400, "PATCH, application/apply-patch+yaml requires fieldManager "
                                                    "parameter"))

    def test_conflict_force_and_shared_ownership(self):
        self.apply(self.cm, "default", cm("a", {"k": "v"}))
        # same value: shared ownership, no conflict
        obj, _ = self.apply(self.cm, "default", cm("a", {"k": "v"}), manager="other")
        self.assertIn(("other", "Apply"), self.managers(obj))
        self.assertIn(("kubectl", "Apply"), self.managers(obj))
        e = self.err(self.apply, self.cm, "default", cm("a", {"k": "w"}), manager="other")
        self.assertEqual((e.code, e.reason), (409, "Conflict"))
        self.assertEqual(e.message, 'Apply failed with 1 conflict: conflict with "kubectl": .data.k')
        self.assertEqual(e.status()["details"]["causes"],
                         [{"type": "FieldManagerConflict", "message": 'conflict with "kubectl"', "field": ".data.k"}])
        obj, _ = self.apply(self.cm, "default", cm("a", {"k": "w"}), manager="other", force=True)
        self.assertEqual(obj["data"]["k"], "w")
        self.assertNotIn(("kubectl", "Apply"), self.managers(obj))

    def test_conflict_with_update_manager(self):
        self.cl.create(self.cm, "default", cm("a", {"k": "v"}), "other")
        e = self.err(self.apply, self.cm, "default", cm("a", {"k": "w"}))
        self.assertEqual(e.message, 'Apply failed with 1 conflict: conflict with "other" using v1: .data.k')

    def test_multiple_conflicts_message(self):
        self.cl.create(self.cm, "default", cm("a", {"k": "v", "j": "v"}), "other")
        e = self.err(self.apply, self.cm, "default", cm("a", {"k": "w", "j": "w"}))
        self.assertEqual(e.message, 'Apply failed with 2 conflicts: conflicts with "other" using v1:\n- .data.j\n'
                                    '- .data.k')

    def test_prune_removed_fields(self):
        self.apply(self.cm, "default", cm("a", {"k": "v", "j": "v"}, {"l": "1"}))
        obj, _ = self.apply(self.cm, "default", cm("a", {"k": "v"}))
        self.assertEqual(obj["data"], {"k": "v"})
        self.assertNotIn("labels", obj["metadata"])

    def test_prune_keeps_fields_of_other_appliers(self):
        self.apply(self.cm, "default", cm("a", {"k": "v", "j": "v"}))
        self.apply(self.cm, "default", cm("a", {"j": "v"}), manager="other")
        obj, _ = self.apply(self.cm, "default", cm("a", {"k": "v"}))
        self.assertEqual(obj["data"], {"k": "v", "j": "v"})

    def test_noop_apply_keeps_resource_version(self):
        a, _ = self.apply(self.cm, "default", cm("a", {"k": "v"}))
        b, _ = self.apply(self.cm, "default", cm("a", {"k": "v"}))
        self.assertEqual(a["metadata"]["resourceVersion"], b["metadata"]["resourceVersion"])

    def test_dry_run(self):
        obj, code = self.apply(self.cm, "default", cm("a", {"k": "v"}), dry=True)
        self.assertEqual(obj["data"], {"k": "v"})
        self.err(self.cl.get, self.cm, "default", "a")

    def test_wrong_version(self):
        o = cm("a")
        o["apiVersion"] = "v2"
        e = self.err(self.apply, self.cm, "default", o)
        self.assertEqual(e.message, "Incorrect version specified in apply patch. Specified patch version: v2, "
                                    "expected: v1")

    def test_list_map_ownership(self):
        d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
             "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                 "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
        self.apply(self.deploy, "default", d)
        side = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "s"}]}}}}
        obj, _ = self.apply(self.deploy, "default", side, manager="injector")
        names = [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]]
        self.assertEqual(names, ["c", "sidecar"])
        d["spec"]["template"]["spec"]["containers"][0]["image"] = "j"
        obj, _ = self.apply(self.deploy, "default", d)
        cs = {c["name"]: c["image"] for c in obj["spec"]["template"]["spec"]["containers"]}
        self.assertEqual(cs, {"c": "j", "sidecar": "s"})
        self.assertEqual(obj["metadata"]["generation"], 3)

    def test_status_ignored_on_main_resource(self):
        d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
             "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                 "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
             "status": {"replicas": 9}}
        obj, _ = self.apply(self.deploy, "default", d)
        self.assertNotIn("replicas", obj.get("status") or {})
        self.assertNotIn("f:status", self.managers(obj)[("kubectl", "Apply")])


class MoreApplyTest(Base):
    def _d(self, containers):
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                    "metadata": {"labels": {"a": "b"}}, "spec": {"containers": containers}}}}

    def test_prune_list_items(self):
        self.apply(self.deploy, "default", self._d([
            {"name": "c", "image": "i", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
            {"name": "side", "image": "s"}]))
        obj, _ = self.apply(self.deploy, "default", self._d([{"name": "c", "image": "i",
                                                              "env": [{"name": "A", "value": "1"}]}]))
        cs = obj["spec"]["template"]["spec"]["containers"]
        self.assertEqual([c["name"] for c in cs], ["c"])
        self.assertEqual(cs[0]["env"], [{"name": "A", "value": "1"}])
        self.assertEqual(cs[0]["imagePullPolicy"], "Always")  # defaults stay (untagged image)
        obj, _ = self.apply(self.deploy, "default", self._d([{"name": "c", "image": "i"}]))
        self.assertNotIn("env", obj["spec"]["template"]["spec"]["containers"][0])

    def test_removed_field_gets_default_back(self):
        d = self._d([{"name": "c", "image": "i"}])
        d["spec"]["replicas"] = 5
        self.apply(self.deploy, "default", d)
        del d["spec"]["replicas"]
        obj, _ = self.apply(self.deploy, "default", d)
        self.assertEqual(obj["spec"]["replicas"], 1)

    def test_client_side_to_server_side_migration(self):
        last = json.dumps(cm("a", {"k": "v"}))
        o = cm("a", {"k": "v"})
        o["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": last}
        self.cl.create(self.cm, "default", o, "kubectl-client-side-apply")
        obj, _ = self.apply(self.cm, "default", cm("a", {"k": "w"}))  # manager kubectl: allowed
        self.assertEqual(obj["data"]["k"], "w")
        ann = json.loads(obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
        self.assertEqual(ann["data"], {"k": "w"})
        e = self.err(self.apply, self.cm, "default", cm("a", {"k": "x"}), manager="someone")
        self.assertEqual(e.code, 409)

    def test_apply_status_subresource(self):
        d = self._d([{"name": "c", "image": "i"}])
        self.apply(self.deploy, "default", d)
        st = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "status": {"replicas": 7}, "spec": {"replicas": 9}}
        obj, _ = self.cl.patch(self.deploy, "default", "d", "application/apply-patch+yaml", json.dumps(st),
                               "status-writer", subresource="status")
        self.assertEqual(obj["status"]["replicas"], 7)
        self.assertEqual(obj["spec"]["replicas"], 1)
        entry = [m for m in obj["metadata"]["managedFields"] if m["manager"] == "status-writer"][0]
        self.assertEqual((entry["operation"], entry["subresource"]), ("Apply", "status"))
        self.assertEqual(entry["fieldsV1"], {"f:status": {"f:replicas": {}}})


class CrdTest(Base):
    CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"kind": "Widget", "plural": "widgets"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                                  "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                      "spec": {"type": "object", "properties": {
                                          "size": {"type": "integer", "default": 3}}}}}}}]}}

    def test_crd_lifecycle(self):
        crd_rt = self.reg.get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        self.apply(crd_rt, "", self.CRD)
        self.assertIsNone(self.reg.get("example.com", "v1", "widgets"))
        self.ctl.run_pending()
        w_rt = self.reg.get("example.com", "v1", "widgets")
        self.assertIsNotNone(w_rt)
        crd = self.cl.get(crd_rt, "", "widgets.example.com")
        conds = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
        self.assertEqual(conds, {"NamesAccepted": "True", "Established": "True"})
        w, _ = self.apply(w_rt, "default", {"apiVersion": "example.com/v1", "kind": "Widget",
                                            "metadata": {"name": "w"}, "spec": {}})
        self.assertEqual(w["spec"]["size"], 3)  # schema default
        self.assertEqual(w["metadata"]["generation"], 1)
        e = self.err(self.apply, w_rt, "default", {"apiVersion": "example.com/v1", "kind": "Widget",
                                                   "metadata": {"name": "w"}, "spec": {"bogus": 1}})
        self.assertEqual(e.message, ".spec.bogus: field not declared in schema")
        e = self.err(self.cl.patch, w_rt, "default", "w", "application/strategic-merge-patch+json", b"{}", "m")
        self.assertEqual(e.code, 415)
        self.cl.delete(crd_rt, "", "widgets.example.com")
        deadline = time.time() + 5
        while self.reg.get("example.com", "v1", "widgets") is not None and time.time() < deadline:
            time.sleep(0.02)
        self.assertIsNone(self.reg.get("example.com", "v1", "widgets"))


class StatusTest(Base):
    def _deploy(self, annotations=None):
        d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"a": "b"}}, "template": {
                 "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
        if annotations:
            d["metadata"]["annotations"] = annotations
        self.apply(self.deploy, "default", d)
        self.ctl.run_pending()
        return self.cl.get(self.deploy, "default", "d")

    def conds(self, obj):
        return {c["type"]: (c["status"], c["reason"]) for c in obj["status"]["conditions"]}

    def test_deployment_becomes_available(self):
        d = self._deploy()
        st = d["status"]
        self.assertEqual((st["observedGeneration"], st["replicas"], st["readyReplicas"], st["availableReplicas"],
                          st["updatedReplicas"]), (1, 2, 2, 2, 2))
        self.assertEqual(self.conds(d), {"Available": ("True", "MinimumReplicasAvailable"),
                                         "Progressing": ("True", "NewReplicaSetAvailable")})
        pods = self.cl.list(self.reg.get("", "v1", "pods"), "default")["items"]
        self.assertEqual(len(pods), 2)
        self.assertTrue(all(p["status"]["phase"] == "Running" for p in pods))

    def test_deployment_fail_and_hold(self):
        d = self._deploy({"test.gitops/fail": "boom"})
        self.assertEqual(self.conds(d)["Progressing"], ("False", "ProgressDeadlineExceeded"))
        self.cl.delete(self.deploy, "default", "d")
        d = self._deploy({"test.gitops/hold": "true"})
        self.assertEqual(self.conds(d)["Progressing"][0], "True")
        self.assertEqual(self.conds(d)["Available"][0], "False")

    def test_events_and_node(self):
        pod_rt = self.reg.get("", "v1", "pods")
        self.apply(pod_rt, "default", {"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": "p", "annotations": {"test.gitops/fail": "boom"}},
            "spec": {"containers": [{"name": "c", "image": "i"}]}})
        self.ctl.run_pending()
        p = self.cl.get(pod_rt, "default", "p")
        self.assertEqual(p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "CrashLoopBackOff")
        evs = self.cl.list(self.reg.get("", "v1", "events"), "default",
                           field_selector="involvedObject.name=p,involvedObject.kind=Pod")["items"]
        self.assertIn("BackOff", [e["reason"] for e in evs])
        node = self.cl.get(self.reg.get("", "v1", "nodes"), "", "test-node")
        self.assertIn({"type": "Ready", "status": "True"},
                      [{"type": c["type"], "status": c["status"]} for c in node["status"]["conditions"]])

    def test_job_completes_or_fails(self):
        job_rt = self.reg.get("batch", "v1", "jobs")
        j = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
             "spec": {"template": {"spec": {"restartPolicy": "Never",
                                            "containers": [{"name": "c", "image": "i"}]}}}}
        self.apply(job_rt, "default", j)
        self.ctl.run_pending()
        job = self.cl.get(job_rt, "default", "j")
        self.assertEqual(job["status"]["succeeded"], 1)
        self.assertIn("completionTime", job["status"])
        self.assertIn(("Complete", "True"), [(c["type"], c["status"]) for c in job["status"]["conditions"]])
        j["metadata"]["name"] = "f"
        j["metadata"]["annotations"] = {"test.gitops/fail": "exit 1"}
        self.apply(job_rt, "default", j)
        self.ctl.run_pending()
        job = self.cl.get(job_rt, "default", "f")
        self.assertIn(("Failed", "True"), [(c["type"], c["status"]) for c in job["status"]["conditions"]])


if __name__ == "__main__":
    unittest.main()

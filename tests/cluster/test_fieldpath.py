"""Unit tests: field sets and FieldsV1, patches, selectors."""
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kubeapi import fieldpath as FP  # noqa: E402
from kubeapi.errors import ApiError  # noqa: E402
from kubeapi.patch import json_patch, merge_patch, strategic_merge  # noqa: E402
from kubeapi.selectors import (labels_match, parse_field_selector, parse_label_selector,  # noqa: E402
                               fields_match)

DEPLOY = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                                   "ports": [{"containerPort": 80}],
                                                   "env": [{"name": "A", "value": "1"}]}]}}},
}


class FieldSetTest(unittest.TestCase):
    def test_apply_set_of_deployment(self):
        m = FP.model_for("Deployment")
        s = FP.to_set(DEPLOY, m)
        enc = FP.encode_fields(s)
        c = enc["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
        self.assertEqual(c["."], {})
        self.assertIn('k:{"containerPort":80,"protocol":"TCP"}', c["f:ports"])
        self.assertIn('k:{"name":"A"}', c["f:env"])
        self.assertEqual(enc["f:spec"]["f:selector"], {})  # LabelSelector is atomic
        self.assertEqual(enc["f:metadata"]["f:labels"], {"f:app": {}})  # map entries are leaves here
        self.assertNotIn(".", enc["f:spec"])

    def test_round_trip(self):
        m = FP.model_for("Deployment")
        s = FP.to_set(DEPLOY, m)
        self.assertEqual(FP.decode_fields(FP.encode_fields(s)), s)

    def test_path_string(self):
        p = (("f", "spec"), ("f", "containers"), ("k", '{"name":"nginx"}'), ("f", "image"))
        self.assertEqual(FP.path_string(p), '.spec.containers[name="nginx"].image')
        p = (("f", "spec"), ("f", "ports"), ("k", '{"port":80,"protocol":"TCP"}'))
        self.assertEqual(FP.path_string(p), '.spec.ports[port=80,protocol="TCP"]')
        self.assertEqual(FP.path_string((("f", "metadata"), ("f", "finalizers"), ("v", '"a"'))),
                         '.metadata.finalizers[="a"]')

    def test_compare_marks_added_nodes(self):
        m = FP.model_for("ConfigMap")
        res = FP.compare({"metadata": {}}, {"metadata": {}, "data": {"a": "1"}}, m)
        self.assertEqual(res["added"], {(("f", "data"),), (("f", "data"), ("f", "a"))})
        res = FP.compare({"data": {"a": "1", "b": "2"}}, {"data": {"a": "2"}}, m)
        self.assertEqual(res["modified"], {(("f", "data"), ("f", "a"))})
        self.assertEqual(res["removed"], {(("f", "data"), ("f", "b"))})

    def test_merge_associative_list(self):
        m = FP.model_for("Deployment")
        live = {"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "x", "imagePullPolicy": "Always"}, {"name": "b", "image": "y"}]}}}}
        cfg = {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "z"},
                                                             {"name": "c", "image": "w"}]}}}}
        out = FP.merge(live, cfg, m)
        cs = out["spec"]["template"]["spec"]["containers"]
        self.assertEqual([c["name"] for c in cs], ["a", "b", "c"])
        self.assertEqual(cs[0]["imagePullPolicy"], "Always")
        self.assertEqual(cs[1]["image"], "z")

    def test_atomic_list_replaced(self):
        m = FP.model_for("Deployment")
        out = FP.merge({"spec": {"template": {"spec": {"containers": [{"name": "a", "args": ["1", "2"]}]}}}},
                       {"spec": {"template": {"spec": {"containers": [{"name": "a", "args": ["3"]}]}}}}, m)
        self.assertEqual(out["spec"]["template"]["spec"]["containers"][0]["args"], ["3"])

    def test_schema_model_list_map(self):
        schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}
        m = FP.model_for("Widget", schema)
        s = FP.to_set({"spec": {"ports": [{"name": "a"}], "tags": ["x"], "free": {"k": {"j": 1}}}}, m)
        enc = FP.encode_fields(s)
        self.assertIn('k:{"name":"a"}', enc["f:spec"]["f:ports"])
        self.assertIn('v:"x"', enc["f:spec"]["f:tags"])
        # untyped (preserve-unknown-fields) maps: every entry is a member
        self.assertEqual(enc["f:spec"]["f:free"]["f:k"], {".": {}, "f:j": {}})


class PatchTest(unittest.TestCase):
    def test_merge_patch(self):
        self.assertEqual(merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": 3}}), {"a": {"c": 2, "d": 3}})

    def test_json_patch(self):
        doc = {"a": [1, 2], "b": {"c": 1}}
        out = json_patch(doc, [{"op": "add", "path": "/a/-", "value": 3}, {"op": "remove", "path": "/b/c"},
                               {"op": "replace", "path": "/a/0", "value": 9},
                               {"op": "test", "path": "/a/1", "value": 2}])
        self.assertEqual(out, {"a": [9, 2, 3], "b": {}})
        with self.assertRaises(ApiError) as e:
            json_patch(doc, [{"op": "test", "path": "/a/0", "value": 5}])
        self.assertEqual(e.exception.code, 422)

    def test_strategic_merge_containers_by_name(self):
        orig = {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "1"},
                                                              {"name": "b", "image": "2"}]}}}}
        out = strategic_merge(orig, {"spec": {"template": {"spec": {"containers": [
            {"name": "b", "image": "3"}, {"name": "a", "$patch": "delete"}, {"name": "c", "image": "4"}]}}}},
            "Deployment")
        cs = out["spec"]["template"]["spec"]["containers"]
        self.assertEqual([(c["name"], c["image"]) for c in cs], [("b", "3"), ("c", "4")])

    def test_strategic_merge_replace_and_retain(self):
        orig = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
        out = strategic_merge(orig, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
                              "Deployment")
        self.assertEqual(out["spec"]["strategy"], {"type": "Recreate"})
        out = strategic_merge({"metadata": {"labels": {"a": "1"}}},
                              {"metadata": {"labels": {"$patch": "replace", "b": "2"}}}, "ConfigMap")
        self.assertEqual(out["metadata"]["labels"], {"b": "2"})

    def test_strategic_merge_primitive_finalizers(self):
        out = strategic_merge({"metadata": {"finalizers": ["a"]}}, {"metadata": {"finalizers": ["b"]}}, "ConfigMap")
        self.assertEqual(out["metadata"]["finalizers"], ["a", "b"])


class SelectorTest(unittest.TestCase):
    def test_label_ops(self):
        labels = {"app": "web", "tier": "front"}
        cases = {"app=web": True, "app==web": True, "app!=web": False, "app in (web,db)": True,
                 "app notin (web)": False, "tier": True, "!tier": False, "!missing": True,
                 "app=web,tier in (front)": True, "app=web,tier=back": False, "missing!=x": True}
        for sel, want in cases.items():
            self.assertEqual(labels_match(parse_label_selector(sel), labels), want, sel)

    def test_bad_selector(self):
        with self.assertRaises(ApiError) as e:
            parse_label_selector("a b c")
        self.assertEqual(e.exception.code, 400)

    def test_field_selector(self):
        obj = {"metadata": {"name": "x", "namespace": "n"}}
        self.assertTrue(fields_match(parse_field_selector("metadata.name=x", "ConfigMap"), obj))
        self.assertFalse(fields_match(parse_field_selector("metadata.namespace!=n", "ConfigMap"), obj))
        with self.assertRaises(ApiError) as e:
            parse_field_selector("spec.foo=1", "ConfigMap")
        self.assertEqual(e.exception.message, "field label not supported: spec.foo")


if __name__ == "__main__":
    unittest.main()

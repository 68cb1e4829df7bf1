"""Unit tests: the HTTP layer (auth, discovery, content types, watch, admin API), in process without TLS."""
import http.client
import json
import os
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["KUBEAPI_QUIET"] = "1"

from kubeapi.admin import Admin  # noqa: E402
from kubeapi.api import Cluster  # noqa: E402
from kubeapi.controllers import Controllers  # noqa: E402
from kubeapi.server import Server  # noqa: E402

TOKEN = "t0ken"


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster(status_delay=0.05)
        cls.ctl = Controllers(cls.cluster)
        cls.srv = Server(("127.0.0.1", 0), TOKEN, cls.cluster, Admin(cls.cluster, cls.ctl), None)
        cls.port = cls.srv.server_address[1]
        cls.ctl.start()
        cls.thread = threading.Thread(target=cls.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stopping = True
        cls.srv.shutdown()
        cls.srv.server_close()
        cls.ctl.stop()

    def req(self, method, path, body=None, ctype="application/json", headers=None, token=TOKEN):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = {"Authorization": "Bearer " + token, "User-Agent": "unit-test/v1"}
        if body is not None:
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
            h["Content-Type"] = ctype
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        try:
            return r.status, json.loads(data), r
        except ValueError:
            return r.status, data, r

    def test_unauthorized(self):
        code, body, _ = self.req("GET", "/api/v1/namespaces", token="bad")
        self.assertEqual(code, 401)
        self.assertEqual(body, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": "Unauthorized", "reason": "Unauthorized", "code": 401})

    def test_readyz_without_auth(self):
        code, body, _ = self.req("GET", "/readyz", token="")
        self.assertEqual((code, body), (200, b"ok"))

    def test_discovery(self):
        code, body, _ = self.req("GET", "/api")
        self.assertEqual(body["kind"], "APIVersions")
        code, body, _ = self.req("GET", "/apis/apps/v1")
        names = {r["name"]: r for r in body["resources"]}
        self.assertEqual(names["deployments"]["kind"], "Deployment")
        self.assertIn("deployments/status", names)
        self.assertEqual(names["deployments"]["shortNames"], ["deploy"])
        acc = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        code, body, r = self.req("GET", "/apis", headers={"Accept": acc})
        self.assertEqual(r.getheader("Content-Type"),
                         "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        groups = [i["metadata"]["name"] for i in body["items"]]
        self.assertIn("apps", groups)
        self.assertIn("apiextensions.k8s.io", groups)
        code, body, _ = self.req("GET", "/apis/nope.io/v1")
        self.assertEqual((code, body["reason"]), (404, "NotFound"))

    def test_yaml_body_and_watch(self):
        events = []

        def watch():
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            c.request("GET", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=2"
                             "&fieldSelector=metadata.name%3Dwatched",
                      headers={"Authorization": "Bearer " + TOKEN})
            r = c.getresponse()
            for line in r:
                if line.strip():
                    events.append(json.loads(line))
            c.close()
        t = threading.Thread(target=watch)
        t.start()
        time.sleep(0.3)
        code, body, _ = self.req("POST", "/api/v1/namespaces/default/configmaps",
                                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  a: b\n",
                                 "application/yaml")
        self.assertEqual(code, 201)
        self.req("DELETE", "/api/v1/namespaces/default/configmaps/watched")
        t.join()
        self.assertEqual([e["type"] for e in events], ["ADDED", "DELETED"])
        self.assertEqual(events[0]["object"]["data"], {"a": "b"})

    def test_apply_over_http(self):
        cfg = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  k: v\n"
        path = "/api/v1/namespaces/default/configmaps/ssa"
        code, body, _ = self.req("PATCH", path, cfg, "application/apply-patch+yaml")
        self.assertEqual((code, body["message"]), (400, "PATCH, application/apply-patch+yaml requires "
                                                        "fieldManager parameter"))
        code, body, _ = self.req("PATCH", path + "?fieldManager=a", cfg, "application/apply-patch+yaml")
        self.assertEqual(code, 201)
        code, body, _ = self.req("PATCH", path + "?fieldManager=b", cfg.replace("k: v", "k: w"),
                                 "application/apply-patch+yaml")
        self.assertEqual((code, body["reason"]), (409, "Conflict"))
        code, body, _ = self.req("PATCH", path + "?fieldManager=b&force=true", cfg.replace("k: v", "k: w"),
                                 "application/apply-patch+yaml")
        self.assertEqual((code, body["data"]), (200, {"k": "w"}))

    def test_protobuf_secret(self):
        from kubeapi.openapi import _field
        meta = _field(1, "pb") + _field(11, _field(1, "owner") + _field(2, "helm"))
        secret = _field(1, meta) + _field(2, _field(1, "release") + _field(2, b"\x00\x01")) + \
            _field(3, "helm.sh/release.v1")
        unknown = _field(1, _field(1, "v1") + _field(2, "Secret")) + _field(2, secret)
        code, body, _ = self.req("POST", "/api/v1/namespaces/default/secrets", b"k8s\x00" + unknown,
                                 "application/vnd.kubernetes.protobuf")
        self.assertEqual(code, 201, body)
        self.assertEqual(body["data"], {"release": "AAE="})
        self.assertEqual(body["metadata"]["labels"], {"owner": "helm"})
        self.assertEqual(body["type"], "helm.sh/release.v1")

    def test_faults_and_counters(self):
        self.req("DELETE", "/_test/requests")
        self.req("POST", "/_test/faults", {"path": "^/api/v1/namespaces/default/configmaps$", "method": "GET",
                                           "count": 1, "action": "error", "code": 500})
        code, body, _ = self.req("GET", "/api/v1/namespaces/default/configmaps")
        self.assertEqual((code, body["reason"]), (500, "InternalError"))
        code, body, _ = self.req("GET", "/api/v1/namespaces/default/configmaps")
        self.assertEqual(code, 200)
        self.req("POST", "/_test/faults", {"path": "configmaps", "count": 1, "action": "error", "code": 429,
                                           "retryAfter": 2})
        code, body, r = self.req("GET", "/api/v1/namespaces/default/configmaps")
        self.assertEqual((code, r.getheader("Retry-After"), body["reason"]), (429, "2", "TooManyRequests"))
        self.req("POST", "/_test/faults", {"path": "configmaps", "count": 1, "action": "drop"})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.req("GET", "/api/v1/namespaces/default/configmaps")
        self.req("POST", "/_test/faults", {"path": "configmaps", "count": 1, "action": "delay", "seconds": 0.3})
        t0 = time.time()
        code, _, _ = self.req("GET", "/api/v1/namespaces/default/configmaps")
        self.assertEqual(code, 200)
        self.assertGreaterEqual(time.time() - t0, 0.3)
        code, body, _ = self.req("GET", "/_test/requests")
        self.assertEqual(body["byPath"]["GET /api/v1/namespaces/default/configmaps"], 5)
        self.assertEqual(body["byMethod"]["GET"], 5)
        self.req("DELETE", "/_test/requests")
        code, body, _ = self.req("GET", "/_test/requests")
        self.assertEqual(body["total"], 0)


if __name__ == "__main__":
    unittest.main()

"""The /_test admin API: request counters, fault injection, runtime settings (see README.md)."""

import collections
import json
import re
import threading
import time

from . import errors as E


class Admin:
    def __init__(self, cluster, controllers):
        self.cluster = cluster
        self.controllers = controllers
        self.lock = threading.Lock()
        self.faults = []
        self.next_id = 1
        self.reset_counts()

    # ------------------------------------------------------------------ counters

    def reset_counts(self):
        with getattr(self, "lock", threading.Lock()):
            self.total = 0
            self.by_method = collections.Counter()
            self.by_path = collections.Counter()
            self.log = collections.deque(maxlen=5000)

    def count(self, method, path, query, ua):
        with self.lock:
            self.total += 1
            self.by_method[method] += 1
            self.by_path["%s %s" % (method, path)] += 1
            self.log.append({"method": method, "path": path, "query": query, "userAgent": ua,
                             "time": time.time()})

    # ------------------------------------------------------------------ faults

    def fault_for(self, method, path):
        with self.lock:
            for f in self.faults:
                if f["remaining"] <= 0:
                    continue
                if f.get("method") and f["method"].upper() != method:
                    continue
                if not re.search(f["path"], path):
                    continue
                f["remaining"] -= 1
                f["hits"] += 1
                return dict(f)
        return None

    def add_fault(self, spec):
        if not isinstance(spec, dict):
            raise E.bad_request("fault must be an object")
        action = spec.get("action", "error")
        if action not in ("error", "drop", "delay"):
            raise E.bad_request('action must be one of "error", "drop", "delay"')
        try:
            re.compile(spec.get("path", ".*"))
        except re.error as e:
            raise E.bad_request("bad path regex: %s" % e)
        f = {"id": self.next_id, "path": spec.get("path", ".*"), "method": spec.get("method", ""),
             "action": action, "remaining": int(spec.get("count", 1)), "hits": 0}
        if action == "error":
            f["code"] = int(spec.get("code", 500))
            f["retryAfter"] = int(spec.get("retryAfter", 1))
            for k in ("message", "reason"):
                if k in spec:
                    f[k] = spec[k]
        if action == "delay":
            f["seconds"] = float(spec.get("seconds", 1))
        self.next_id += 1
        self.faults.append(f)
        return f

    # ------------------------------------------------------------------ dispatch

    def handle(self, method, path, q, raw):
        body = None
        if raw and raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise E.bad_request("admin API bodies are JSON")
        p = path.rstrip("/")
        if p == "/_test/requests":
            if method == "GET":
                with self.lock:
                    out = {"total": self.total, "byMethod": dict(self.by_method), "byPath": dict(self.by_path)}
                    if q.get("log") in ("1", "true"):
                        out["log"] = list(self.log)
                return 200, out
            if method in ("DELETE", "POST"):
                self.reset_counts()
                return 200, {"total": 0}
        if p == "/_test/requests/reset" and method == "POST":
            self.reset_counts()
            return 200, {"total": 0}
        if p == "/_test/faults":
            if method == "GET":
                with self.lock:
                    return 200, {"faults": [dict(f) for f in self.faults]}
            if method == "POST":
                with self.lock:
                    specs = body if isinstance(body, list) else [body]
                    return 201, {"faults": [self.add_fault(s) for s in specs]}
            if method == "DELETE":
                with self.lock:
                    self.faults = []
                return 200, {"faults": []}
        m = re.match(r"^/_test/faults/(\d+)$", p)
        if m and method == "DELETE":
            with self.lock:
                self.faults = [f for f in self.faults if f["id"] != int(m.group(1))]
            return 200, {"deleted": int(m.group(1))}
        if p == "/_test/config":
            if method == "GET":
                return 200, {"statusDelay": self.cluster.status_delay}
            if method in ("PUT", "PATCH", "POST"):
                if isinstance(body, dict) and "statusDelay" in body:
                    self.cluster.status_delay = float(body["statusDelay"])
                return 200, {"statusDelay": self.cluster.status_delay}
        if p == "/_test/settle" and method == "POST":
            timeout = float(q.get("timeout", "10"))
            ok = self.controllers.settle(timeout)
            return (200 if ok else 504), {"settled": ok}
        if p == "/_test/state" and method == "GET":
            with self.cluster.lock:
                out = {"resourceVersion": self.cluster.rv, "objects": {}}
                for (g, plural), st in self.cluster.objects.items():
                    if st:
                        out["objects"]["%s/%s" % (g, plural) if g else plural] = sorted(
                            "%s/%s" % k if k[0] else k[1] for k in st)
            return 200, out
        raise E.ApiError(404, "NotFound", "no admin endpoint %s %s" % (method, path), {})

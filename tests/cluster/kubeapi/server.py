"""HTTPS front end: routing, auth, content negotiation, watch streams, the /_test admin API."""

import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import errors as E
from . import registry as R
from .admin import Admin
from .api import Cluster, load_yaml
from .selectors import fields_match, labels_match, parse_field_selector, parse_label_selector

VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.3", "gitCommit": "32cc146f75aad04beaaa245a7157eb35063a9f99",
    "gitTreeState": "clean", "buildDate": "2025-03-11T19:52:21Z", "goVersion": "go1.23.6",
    "compiler": "gc", "platform": "linux/amd64",
}
AGG_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGG_V2B1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"


def _qs_bool(v):
    return v is not None and v.lower() in ("true", "1")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, token, cluster, admin, ssl_ctx=None):
        self.token = token
        self.cluster = cluster
        self.admin = admin
        self.ssl_ctx = ssl_ctx
        self.stopping = False
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_ctx is not None:
            sock = self.ssl_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-apiserver-test"
    sys_version = ""
    timeout = 120

    def setup(self):
        super().setup()
        conn = self.connection
        if isinstance(conn, ssl.SSLSocket):
            try:
                conn.settimeout(10)
                conn.do_handshake()
                conn.settimeout(None)
            except Exception:
                self.close_connection = True
                raise ConnectionError("tls handshake failed")

    def log_message(self, fmt, *args):
        if os.environ.get("KUBEAPI_QUIET"):
            return
        sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))

    # ------------------------------------------------------------------ plumbing

    def _send(self, code, body, ctype="application/json", headers=None):
        if isinstance(body, (dict, list)):
            data = json.dumps(body, separators=(",", ":")).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            if isinstance(v, list):
                for x in v:
                    self.send_header(k, x)
            else:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, err):
        self._send(err.code, err.status(), headers=err.headers)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        return self.rfile.read(n) if n else b""

    def _decode(self, raw):
        ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
        if not raw.strip():
            raise E.bad_request("the body of the request was in an unknown format - accepted media types "
                                "include: application/json, application/yaml, "
                                "application/vnd.kubernetes.protobuf")
        if ctype in ("application/yaml", "application/x-yaml", "text/yaml"):
            try:
                return load_yaml(raw.decode("utf-8"))
            except E.ApiError:
                raise
            except Exception as e:
                raise E.bad_request("error converting YAML to JSON: %s" % str(e).replace("\n", " "))
        if ctype == "application/vnd.kubernetes.protobuf":
            from .protobuf import ProtoError, decode_body
            try:
                return decode_body(raw)
            except ProtoError:
                raise E.unsupported_media(ctype, ["application/json", "application/yaml"])
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError as e:
            raise E.bad_request("couldn't get version/kind; json parse error: %s" % e)

    # ------------------------------------------------------------------ entry points

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def _dispatch(self):
        srv = self.server
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        self.q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        self.raw_query = url.query
        try:
            if path in ("/readyz", "/livez", "/healthz") or path.startswith(("/readyz/", "/livez/", "/healthz/")):
                return self._send(200, "ok", "text/plain; charset=utf-8",
                                  {"X-Content-Type-Options": "nosniff"})
            auth = self.headers.get("Authorization") or ""
            if auth != "Bearer " + srv.token:
                raise E.unauthorized()
            if path.startswith("/_test/"):
                raw = self._body() if self.command in ("POST", "PUT", "PATCH", "DELETE") else b""
                code, body = srv.admin.handle(self.command, path, self.q, raw)
                return self._send(code, body)
            srv.admin.count(self.command, path, self.raw_query, self.headers.get("User-Agent", ""))
            fault = srv.admin.fault_for(self.command, path)
            if fault is not None:
                if fault["action"] == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if fault["action"] == "delay":
                    time.sleep(float(fault.get("seconds", 1)))
                elif fault["action"] == "error":
                    code = int(fault.get("code", 500))
                    self._body()
                    if code == 429:
                        raise E.too_many_requests(fault.get("retryAfter", 1))
                    err = E.internal_error(fault.get("message", "injected fault"))
                    err.code = code
                    if code == 503:
                        err.reason = "ServiceUnavailable"
                        err.message = fault.get("message", "the server is currently unable to handle the request")
                        err.details = {}
                    elif code == 504:
                        err.reason = "Timeout"
                        err.message = fault.get("message", "the server was unable to return a response in the time "
                                                           "allotted, but may still be processing the request")
                        err.details = {}
                    if fault.get("reason"):
                        err.reason = fault["reason"]
                    raise err
            self._route(path)
        except E.ApiError as e:
            self._error(e)
        except (ConnectionError, BrokenPipeError, ssl.SSLError):
            self.close_connection = True
        except Exception as e:  # never leave a client without an answer
            traceback.print_exc()
            try:
                self._error(E.internal_error(str(e)))
            except Exception:
                self.close_connection = True

    # ------------------------------------------------------------------ routing

    def _route(self, path):
        cl = self.server.cluster
        reg = cl.registry
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/") if p != ""]
        m = self.command
        if not parts:
            return self._send(200, {"paths": self._paths()})
        if parts == ["version"]:
            return self._send(200, VERSION)
        if parts[0] == "openapi":
            return self._openapi(parts)
        if parts[0] == "api":
            if len(parts) == 1:
                if m != "GET":
                    raise E.method_not_allowed()
                return self._discovery(core=True)
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis":
            if len(parts) == 1:
                if m != "GET":
                    raise E.method_not_allowed()
                return self._discovery(core=False)
            group = parts[1]
            if len(parts) == 2:
                g = R.api_group(reg, group)
                if g is None:
                    raise E.path_not_found()
                return self._send(200, g)
            version, rest = parts[2], parts[3:]
        else:
            return self._send(404, "404 page not found\n", "text/plain; charset=utf-8",
                              {"X-Content-Type-Options": "nosniff"})
        if not reg.resources_in(group, version):
            raise E.path_not_found()
        if not rest:
            return self._send(200, R.api_resource_list(reg, group, version))
        watch = False
        if rest[0] == "watch":
            watch, rest = True, rest[1:]
        ns = ""
        if len(rest) >= 2 and rest[0] == "namespaces" and not (len(rest) == 3 and rest[2] in ("status", "finalize")) \
                and len(rest) >= 3:
            ns, rest = rest[1], rest[2:]
        if not rest:
            raise E.path_not_found()
        plural = rest[0]
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        if len(rest) > 3:
            raise E.path_not_found()
        rt = reg.get(group, version, plural)
        if rt is None:
            raise E.path_not_found()
        if ns and not rt.namespaced:
            raise E.path_not_found()
        if sub and sub not in R.subresource_list(rt):
            raise E.path_not_found()
        if name is not None and rt.namespaced and not ns:
            raise E.path_not_found()
        if watch or (m == "GET" and name is None and _qs_bool(self.q.get("watch"))):
            if name is not None:
                self.q["fieldSelector"] = "metadata.name=%s" % name
            return self._watch(rt, ns)
        if name is None:
            return self._collection(rt, ns)
        return self._item(rt, ns, name, sub)

    def _paths(self):
        reg = self.server.cluster.registry
        ps = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version", "/openapi/v2",
              "/openapi/v3"]
        for g, vs, _ in reg.groups():
            ps.append("/apis/" + g)
            for v in vs:
                ps.append("/apis/%s/%s" % (g, v))
        return sorted(ps)

    def _discovery(self, core):
        reg = self.server.cluster.registry
        accept = self.headers.get("Accept") or ""
        if "as=APIGroupDiscoveryList" in accept:
            for cand, ct in ((AGG_V2, AGG_V2), (AGG_V2B1, AGG_V2B1)):
                if "v=" + ct.split("v=")[1].split(";")[0] in accept:
                    doc = R.aggregated_discovery(reg, core)
                    if ct == AGG_V2B1:
                        doc["apiVersion"] = "apidiscovery.k8s.io/v2beta1"
                    etag = '"%X"' % (hash(json.dumps(doc, sort_keys=True)) & 0xFFFFFFFFFFFF)
                    if self.headers.get("If-None-Match") == etag:
                        return self._send(304, b"", ct, {"Etag": etag})
                    return self._send(200, doc, ct, {"Etag": etag, "Vary": "Accept"})
        if core:
            host = "%s:%d" % self.server.server_address[:2]
            return self._send(200, R.api_versions(host), headers={"Vary": "Accept"})
        return self._send(200, R.api_group_list(reg), headers={"Vary": "Accept"})

    def _openapi(self, parts):
        from . import openapi
        code, body, ctype = openapi.serve(self.server.cluster.registry, parts, self.headers.get("Accept") or "")
        return self._send(code, body, ctype)

    # ------------------------------------------------------------------ verbs

    def _common(self):
        q = self.q
        dry = q.get("dryRun")
        if dry not in (None, "", "All"):
            raise E.bad_request('Invalid dry run option: "%s"' % dry if False else
                                "dryRun: Unsupported value: \"%s\": supported values: \"All\"" % dry)
        fv = q.get("fieldValidation", "")
        if fv not in ("", "Strict", "Warn", "Ignore"):
            raise E.bad_request('fieldValidation parameter "%s" is not supported. Supported values are '
                                '"Strict", "Warn", "Ignore"' % fv if False else
                                "invalid field validation directive: %s" % fv)
        ua = self.headers.get("User-Agent") or ""
        manager = q.get("fieldManager") or ua.split("/")[0]
        return dry == "All", fv, manager

    def _warn_headers(self, warnings):
        if not warnings:
            return {}
        return {"Warning": ['299 - "%s"' % w.replace('"', '\\"') for w in warnings]}

    def _respond_obj(self, code, obj, headers=None):
        accept = self.headers.get("Accept") or ""
        if "as=Table" in accept and obj.get("kind") != "Status":
            from .tables import to_table
            t = to_table(self.server.cluster, obj, self.q.get("includeObject", "PartialObjectMetadata"))
            if t is not None:
                ct = "application/json;as=Table;v=v1;g=meta.k8s.io"
                return self._send(code, t, ct, headers)
        return self._send(code, obj, headers=headers)

    def _collection(self, rt, ns):
        cl = self.server.cluster
        m = self.command
        if m in ("GET", "HEAD"):
            limit = int(self.q.get("limit") or 0)
            lst = cl.list(rt, ns, self.q.get("labelSelector", ""), self.q.get("fieldSelector", ""), limit,
                          self.q.get("continue") or None)
            return self._respond_obj(200, lst)
        if m == "POST":
            if rt.namespaced and not ns:
                raise E.path_not_found()
            body = self._decode(self._body())
            dry, fv, manager = self._common()
            warnings = []
            obj, code = cl.create(rt, ns, body, manager, dry, fv, warnings)
            return self._respond_obj(code, obj, self._warn_headers(warnings))
        if m == "DELETE":
            raw = self._body()
            opts = self._delete_options(raw)
            dry, _, _ = self._common()
            lst = cl.delete_collection(rt, ns, self.q.get("labelSelector", ""), self.q.get("fieldSelector", ""),
                                       opts, dry)
            return self._respond_obj(200, lst)
        raise E.method_not_allowed()

    def _delete_options(self, raw):
        opts = {}
        if raw and raw.strip():
            opts = self._decode(raw) or {}
            if not isinstance(opts, dict):
                raise E.bad_request("DeleteOptions must be an object")
        for k in ("propagationPolicy", "gracePeriodSeconds", "orphanDependents"):
            if k in self.q and k not in opts:
                v = self.q[k]
                if k == "orphanDependents":
                    v = _qs_bool(v)
                opts[k] = v
        if self.q.get("dryRun") == "All":
            opts["dryRun"] = ["All"]
        return opts

    def _item(self, rt, ns, name, sub):
        cl = self.server.cluster
        m = self.command
        if sub == "scale":
            return self._scale(rt, ns, name)
        if sub and sub != "status":
            raise E.method_not_allowed()
        if m in ("GET", "HEAD"):
            return self._respond_obj(200, cl.get(rt, ns, name))
        if m == "PUT":
            body = self._decode(self._body())
            dry, fv, manager = self._common()
            warnings = []
            obj, code = cl.update(rt, ns, name, body, manager, dry, sub, fv, warnings)
            return self._respond_obj(code, obj, self._warn_headers(warnings))
        if m == "PATCH":
            raw = self._body()
            ptype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            dry, fv, manager = self._common()
            force = self.q.get("force")
            if force is not None and force.lower() not in ("true", "false", "1", "0", ""):
                raise E.bad_request("force: Invalid value")
            if ptype == "application/apply-patch+yaml":
                manager = self.q.get("fieldManager", "")
            warnings = []
            obj, code = cl.patch(rt, ns, name, ptype, raw, manager, _qs_bool(force), dry, sub, fv, warnings)
            return self._respond_obj(code, obj, self._warn_headers(warnings))
        if m == "DELETE":
            if sub:
                raise E.method_not_allowed()
            opts = self._delete_options(self._body())
            dry = self.q.get("dryRun") == "All" or "All" in (opts.get("dryRun") or [])
            obj, code = cl.delete(rt, ns, name, opts, dry)
            return self._respond_obj(code, obj)
        if m == "POST":
            raise E.method_not_allowed()
        raise E.method_not_allowed()

    def _scale(self, rt, ns, name):
        cl = self.server.cluster
        obj = cl.get(rt, ns, name)

        def scale_of(o):
            md = o["metadata"]
            sel = ((o.get("spec") or {}).get("selector") or {})
            ml = sel.get("matchLabels") or {}
            s = {"kind": "Scale", "apiVersion": "autoscaling/v1",
                 "metadata": {"name": md["name"], "namespace": md.get("namespace"), "uid": md["uid"],
                              "resourceVersion": md["resourceVersion"],
                              "creationTimestamp": md["creationTimestamp"]},
                 "spec": {"replicas": (o.get("spec") or {}).get("replicas", 0)},
                 "status": {"replicas": (o.get("status") or {}).get("replicas", 0),
                            "selector": ",".join("%s=%s" % kv for kv in sorted(ml.items()))}}
            return s

        if self.command == "GET":
            return self._send(200, scale_of(obj))
        if self.command in ("PUT", "PATCH"):
            raw = self._body()
            cur = scale_of(obj)
            if self.command == "PUT":
                new = self._decode(raw)
            else:
                from .patch import json_patch, merge_patch
                ptype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                p = json.loads(raw or b"{}")
                new = json_patch(cur, p) if ptype == "application/json-patch+json" else merge_patch(cur, p)
            replicas = (new.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int):
                raise E.bad_request("spec.replicas must be an integer")
            full = cl.get(rt, ns, name)
            full["spec"]["replicas"] = replicas
            dry, fv, manager = self._common()
            res, code = cl.update(rt, ns, name, full, manager, dry)
            return self._send(200, scale_of(res))
        raise E.method_not_allowed()

    # ------------------------------------------------------------------ watch

    def _watch(self, rt, ns):
        cl = self.server.cluster
        lreqs = parse_label_selector(self.q.get("labelSelector", ""))
        freqs = parse_field_selector(self.q.get("fieldSelector", ""), rt.kind, bool(rt.crd))
        timeout = float(self.q.get("timeoutSeconds") or 1800)
        deadline = time.time() + timeout
        rv_param = self.q.get("resourceVersion", "")
        bookmarks = _qs_bool(self.q.get("allowWatchBookmarks"))
        initial = []
        with cl.lock:
            if rv_param in ("", "0"):
                lst = cl.list(rt, ns, self.q.get("labelSelector", ""), self.q.get("fieldSelector", ""),
                              strip_type=False)
                initial = [("ADDED", o) for o in lst["items"]]
                since = cl.rv
            else:
                try:
                    since = int(rv_param)
                except ValueError:
                    raise E.bad_request('invalid resource version: "%s"' % rv_param)
        self.send_response(200)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = False

        def chunk(obj):
            data = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
            self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def matches(o):
            if o is None:
                return False
            md = o.get("metadata") or {}
            if rt.namespaced and ns and md.get("namespace") != ns:
                return False
            return labels_match(lreqs, md.get("labels")) and fields_match(freqs, o)

        as_table = "as=Table" in (self.headers.get("Accept") or "")
        try:
            for t, o in initial:
                if as_table:
                    from .tables import to_table
                    o = to_table(cl, o, self.q.get("includeObject", "PartialObjectMetadata")) or o
                chunk({"type": t, "object": o})
            last_bookmark = time.time()
            while not self.server.stopping:
                evs = cl.events_since(since)
                if evs is None:
                    chunk({"type": "ERROR", "object": E.gone(
                        "too old resource version: %d (%d)" % (since, cl.rv)).status()})
                    break
                for ev in evs:
                    since = max(since, ev.rv)
                    if ev.gr != rt.gr:
                        continue
                    new_m = matches(ev.obj)
                    old_m = matches(getattr(ev, "old", None)) if ev.type == "MODIFIED" else new_m
                    t = ev.type
                    if t == "MODIFIED":
                        if new_m and not old_m:
                            t = "ADDED"
                        elif old_m and not new_m:
                            t = "DELETED"
                        elif not new_m:
                            continue
                    elif not new_m:
                        continue
                    obj = cl._versioned(rt, ev.obj)
                    if as_table:
                        from .tables import to_table
                        obj = to_table(cl, obj, self.q.get("includeObject", "PartialObjectMetadata")) or obj
                    chunk({"type": t, "object": obj})
                now = time.time()
                if now >= deadline:
                    break
                if bookmarks and now - last_bookmark > 1:
                    chunk({"type": "BOOKMARK", "object": {"kind": rt.kind, "apiVersion": rt.api_version,
                                                          "metadata": {"resourceVersion": str(since)}}})
                    last_bookmark = now
                with cl.cond:
                    if not cl.history or cl.history[-1].rv <= since:
                        cl.cond.wait(min(1.0, max(0.01, deadline - now)))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (ConnectionError, BrokenPipeError, ssl.SSLError, OSError):
            self.close_connection = True


def make_ssl_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description="Kubernetes API server for tests")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--status-delay", type=float, default=0.5)
    ap.add_argument("--no-tls", action="store_true")
    a = ap.parse_args(argv)
    d = a.dir
    token = open(os.path.join(d, "token")).read().strip()
    cluster = Cluster(status_delay=a.status_delay)
    try:
        cluster.ca_pem = open(os.path.join(d, "ca.crt")).read()
    except OSError:
        cluster.ca_pem = ""
    from .controllers import Controllers
    ctl = Controllers(cluster)
    admin = Admin(cluster, ctl)
    ctx = None if a.no_tls else make_ssl_context(os.path.join(d, "server.crt"), os.path.join(d, "server.key"))
    srv = Server(("127.0.0.1", a.port), token, cluster, admin, ctx)
    port = srv.server_address[1]
    tmp = os.path.join(d, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, os.path.join(d, "port"))
    ctl.start()
    sys.stderr.write("kube-apiserver (test) listening on https://127.0.0.1:%d\n" % port)
    sys.stderr.flush()
    import signal

    def stop(*_):
        srv.stopping = True
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        ctl.stop()
        srv.server_close()

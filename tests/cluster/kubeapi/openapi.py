"""OpenAPI endpoints, just enough for kubectl and helm.

/openapi/v3 (index) and /openapi/v3/apis/GROUP/VERSION list every resource path with its operations, the
x-kubernetes-group-version-kind extension and the fieldValidation query parameter: kubectl and helm read
this to decide that the server validates fields itself (server-side field validation), so they need no
client-side schema. Component schemas are the CRDs' openAPIV3Schema for custom resources and a permissive
object for built-in kinds (no built-in schemas are served, so `kubectl explain` knows no fields).

/openapi/v2 is served as the protobuf the clients ask for (gnostic openapi_v2.Document) with the same paths
and no definitions: client-side validation then finds no model and accepts everything.
"""

import hashlib
import json

from . import registry as R

PARAMS_WRITE = ["dryRun", "fieldManager", "fieldValidation"]


def _gv_key(group, version):
    return "api/v1" if not group else "apis/%s/%s" % (group, version)


def _paths_for(rt):
    prefix = "/" + _gv_key(rt.group, rt.version)
    gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    if rt.namespaced:
        coll = prefix + "/namespaces/{namespace}/" + rt.plural
    else:
        coll = prefix + "/" + rt.plural
    item = coll + "/{name}"
    ref = {"$ref": "#/components/schemas/" + _schema_name(rt)}

    def op(action, params, body=False, patch=False):
        o = {"description": "%s %s" % (action, rt.kind), "operationId": action + rt.kind,
             "parameters": [{"name": p, "in": "query", "schema": {"type": "string", "uniqueItems": True},
                             "description": p} for p in params],
             "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
             "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk}
        if patch:
            o["parameters"].append({"name": "force", "in": "query", "schema": {"type": "boolean"}})
            o["requestBody"] = {"content": {t: {"schema": {"type": "object"}} for t in (
                "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
                "application/strategic-merge-patch+json")}, "required": True}
        elif body:
            o["requestBody"] = {"content": {"*/*": {"schema": ref}}, "required": True}
        return o

    paths = {
        coll: {"get": op("list", ["labelSelector", "fieldSelector", "limit", "continue", "watch"]),
               "post": op("post", PARAMS_WRITE, body=True),
               "delete": op("deletecollection", ["dryRun", "labelSelector", "fieldSelector"])},
        item: {"get": op("get", []), "put": op("put", PARAMS_WRITE, body=True),
               "patch": op("patch", PARAMS_WRITE, patch=True), "delete": op("delete", ["dryRun"])},
    }
    if rt.status:
        paths[item + "/status"] = {"get": op("get", []), "put": op("put", PARAMS_WRITE, body=True),
                                   "patch": op("patch", PARAMS_WRITE, patch=True)}
    return paths


def _schema_name(rt):
    g = rt.group or "core"
    rev = ".".join(reversed(g.split("."))) if rt.crd else "io.k8s.api.%s" % g.split(".")[0]
    return "%s.%s.%s" % (rev, rt.version, rt.kind)


def _doc(registry, group, version):
    rts = registry.resources_in(group, version)
    paths = {}
    schemas = {}
    for rt in rts:
        paths.update(_paths_for(rt))
        s = {"type": "object", "x-kubernetes-group-version-kind": [
            {"group": rt.group, "version": rt.version, "kind": rt.kind}]}
        if rt.crd and rt.schema:
            s = dict(rt.schema)
            s["x-kubernetes-group-version-kind"] = [{"group": rt.group, "version": rt.version, "kind": rt.kind}]
        else:
            s["x-kubernetes-preserve-unknown-fields"] = True
        schemas[_schema_name(rt)] = s
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.3"}, "paths": paths,
            "components": {"schemas": schemas}}


def _hash(doc):
    return hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:128].upper()


def serve(registry, parts, accept):
    if parts == ["openapi", "v3"]:
        out = {"paths": {}}
        gvs = [("", "v1")] + [(g, v) for g, vs, _ in registry.groups() for v in vs]
        for g, v in gvs:
            key = _gv_key(g, v)
            out["paths"][key] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (key, _hash(_doc(registry, g, v)))}
        return 200, out, "application/json"
    if len(parts) >= 4 and parts[:2] == ["openapi", "v3"]:
        rest = parts[2:]
        if rest[0] == "api" and len(rest) == 2:
            g, v = "", rest[1]
        elif rest[0] == "apis" and len(rest) == 3:
            g, v = rest[1], rest[2]
        else:
            return 404, _nf(), "application/json"
        if not registry.resources_in(g, v):
            return 404, _nf(), "application/json"
        return 200, _doc(registry, g, v), "application/json"
    if parts == ["openapi", "v2"]:
        if "protobuf" in accept:
            return 200, _v2_protobuf(registry), "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
        return 200, _v2_json(registry), "application/json"
    return 404, _nf(), "application/json"


def _nf():
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "the server could not find the requested resource", "reason": "NotFound",
            "details": {}, "code": 404}


def _v2_json(registry):
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.32.3"}, "paths": {},
            "definitions": {}}


# ---------------------------------------------------------------- protobuf (gnostic openapi_v2)

def _varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def _field(num, data):
    if isinstance(data, str):
        data = data.encode()
    return _varint((num << 3) | 2) + _varint(len(data)) + data


def _v2_protobuf(registry):
    # Document{swagger=1, info=2 Info{title=1, version=2}, paths=8 Paths{}}
    info = _field(1, "Kubernetes") + _field(2, "v1.32.3")
    return _field(1, "2.0") + _field(2, info) + _field(8, b"")

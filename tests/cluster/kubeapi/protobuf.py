"""Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) for the few types
client-go's typed clients send to us: helm's release storage (Secret, ConfigMap) and DeleteOptions.
Answers are always JSON (clients accept it). Other types get 415 like an unknown media type."""

import base64
import calendar
import time

MAGIC = b"k8s\x00"

# field number -> (name, type); types: str, bytes, int, bool, time, msg:NAME, map:str, map:bytes, rep:str,
# rep:msg:NAME
SCHEMAS = {
    "Unknown": {1: ("typeMeta", "msg:TypeMeta"), 2: ("raw", "bytes"), 3: ("contentEncoding", "str"),
                4: ("contentType", "str")},
    "TypeMeta": {1: ("apiVersion", "str"), 2: ("kind", "str")},
    "ObjectMeta": {1: ("name", "str"), 2: ("generateName", "str"), 3: ("namespace", "str"),
                   4: ("selfLink", "str"), 5: ("uid", "str"), 6: ("resourceVersion", "str"),
                   7: ("generation", "int"), 8: ("creationTimestamp", "time"), 9: ("deletionTimestamp", "time"),
                   10: ("deletionGracePeriodSeconds", "int"), 11: ("labels", "map:str"),
                   12: ("annotations", "map:str"), 13: ("ownerReferences", "rep:msg:OwnerReference"),
                   14: ("finalizers", "rep:str"), 17: ("managedFields", "rep:msg:ManagedFieldsEntry")},
    "OwnerReference": {1: ("kind", "str"), 3: ("name", "str"), 4: ("uid", "str"), 5: ("apiVersion", "str"),
                       6: ("controller", "bool"), 7: ("blockOwnerDeletion", "bool")},
    "ManagedFieldsEntry": {1: ("manager", "str"), 2: ("operation", "str"), 3: ("apiVersion", "str"),
                           4: ("time", "time"), 6: ("fieldsType", "str"), 7: ("fieldsV1", "msg:FieldsV1"),
                           8: ("subresource", "str")},
    "FieldsV1": {1: ("Raw", "bytes")},
    "Secret": {1: ("metadata", "msg:ObjectMeta"), 2: ("data", "map:bytes"), 3: ("type", "str"),
               4: ("stringData", "map:str"), 5: ("immutable", "bool")},
    "ConfigMap": {1: ("metadata", "msg:ObjectMeta"), 2: ("data", "map:str"), 3: ("binaryData", "map:bytes"),
                  4: ("immutable", "bool")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "int"), 2: ("preconditions", "msg:Preconditions"),
                      3: ("orphanDependents", "bool"), 4: ("propagationPolicy", "str"), 5: ("dryRun", "rep:str"),
                      6: ("ignoreStoreReadErrorWithClusterBreakingPotential", "bool")},
    "Preconditions": {1: ("uid", "str"), 2: ("resourceVersion", "str")},
    "Namespace": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "rep:str")},
    "ServiceAccount": {1: ("metadata", "msg:ObjectMeta"), 2: ("secrets", "rep:msg:ObjectReference"),
                       3: ("imagePullSecrets", "rep:msg:LocalObjectReference"),
                       4: ("automountServiceAccountToken", "bool")},
    "ObjectReference": {1: ("kind", "str"), 2: ("namespace", "str"), 3: ("name", "str"), 4: ("uid", "str"),
                        5: ("apiVersion", "str"), 6: ("resourceVersion", "str"), 7: ("fieldPath", "str")},
    "LocalObjectReference": {1: ("name", "str")},
    "Role": {1: ("metadata", "msg:ObjectMeta"), 2: ("rules", "rep:msg:PolicyRule")},
    "ClusterRole": {1: ("metadata", "msg:ObjectMeta"), 2: ("rules", "rep:msg:PolicyRule"),
                    3: ("aggregationRule", "msg:AggregationRule")},
    "AggregationRule": {1: ("clusterRoleSelectors", "rep:msg:LabelSelector")},
    "PolicyRule": {1: ("verbs", "rep:str"), 2: ("apiGroups", "rep:str"), 3: ("resources", "rep:str"),
                   4: ("resourceNames", "rep:str"), 5: ("nonResourceURLs", "rep:str")},
    "RoleBinding": {1: ("metadata", "msg:ObjectMeta"), 2: ("subjects", "rep:msg:Subject"),
                    3: ("roleRef", "msg:RoleRef")},
    "ClusterRoleBinding": {1: ("metadata", "msg:ObjectMeta"), 2: ("subjects", "rep:msg:Subject"),
                           3: ("roleRef", "msg:RoleRef")},
    "Subject": {1: ("kind", "str"), 2: ("apiGroup", "str"), 3: ("name", "str"), 4: ("namespace", "str")},
    "RoleRef": {1: ("apiGroup", "str"), 2: ("kind", "str"), 3: ("name", "str")},
    "LabelSelector": {1: ("matchLabels", "map:str"), 2: ("matchExpressions", "rep:msg:LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: ("key", "str"), 2: ("operator", "str"), 3: ("values", "rep:str")},
    "ResourceQuota": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:ResourceQuotaSpec")},
    "ResourceQuotaSpec": {1: ("hard", "map:quantity"), 2: ("scopes", "rep:str")},
    "Time": {1: ("seconds", "int"), 2: ("nanos", "int")},
    "Quantity": {1: ("string", "str")},
}


class ProtoError(Exception):
    pass


def _varint(b, i):
    shift = 0
    out = 0
    while True:
        if i >= len(b):
            raise ProtoError("truncated varint")
        c = b[i]
        i += 1
        out |= (c & 0x7F) << shift
        if not c & 0x80:
            return out, i
        shift += 7


def _fields(b):
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            v = b[i:i + n]
            i += n
        elif wt == 1:
            v = b[i:i + 8]
            i += 8
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ProtoError("unsupported wire type %d" % wt)
        yield num, wt, v


def _time(b):
    t = decode(b, "Time")
    s = t.get("seconds", 0)
    if not s:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))


def decode(b, typ):
    schema = SCHEMAS[typ]
    out = {}
    for num, wt, v in _fields(b):
        if num not in schema:
            continue
        name, t = schema[num]
        if t == "str":
            out[name] = v.decode("utf-8")
        elif t == "bytes":
            out[name] = bytes(v)
        elif t == "int":
            if v >= 1 << 63:
                v -= 1 << 64
            out[name] = v
        elif t == "bool":
            out[name] = bool(v)
        elif t == "time":
            tv = _time(v)
            if tv:
                out[name] = tv
        elif t.startswith("msg:"):
            out[name] = decode(v, t[4:])
        elif t.startswith("map:"):
            k = val = None
            kv = {}
            for n2, _, v2 in _fields(v):
                kv[n2] = v2
            k = kv.get(1, b"").decode("utf-8")
            val = kv.get(2, b"")
            if t == "map:str":
                val = val.decode("utf-8")
            elif t == "map:quantity":
                val = decode(val, "Quantity").get("string", "")
            else:
                val = base64.b64encode(val).decode()
            out.setdefault(name, {})[k] = val
        elif t == "rep:str":
            out.setdefault(name, []).append(v.decode("utf-8"))
        elif t.startswith("rep:msg:"):
            out.setdefault(name, []).append(decode(v, t[8:]))
    return out


def _clean_meta(md):
    for k in list(md.keys()):
        if md[k] in ("", 0) and k not in ("generation",):
            del md[k]
    if md.get("generation") == 0:
        md.pop("generation")
    for mf in md.get("managedFields") or []:
        if "fieldsV1" in mf:
            import json
            raw = mf["fieldsV1"].get("Raw", b"")
            mf["fieldsV1"] = json.loads(raw) if raw else {}
    return md


def _drop_empty(v):
    """proto2 writes every optional string; JSON omits the empty ones."""
    if isinstance(v, dict):
        for k in list(v.keys()):
            if v[k] == "" and k not in ("apiGroup",):
                del v[k]
            else:
                _drop_empty(v[k])
    elif isinstance(v, list):
        for x in v:
            _drop_empty(x)


def decode_body(data):
    """Protobuf envelope -> JSON-like dict. Raises ProtoError for types we do not know."""
    if not data.startswith(MAGIC):
        raise ProtoError("missing protobuf magic")
    unk = decode(data[len(MAGIC):], "Unknown")
    tm = unk.get("typeMeta") or {}
    kind = tm.get("kind", "")
    if kind not in SCHEMAS or kind in ("Unknown", "TypeMeta", "Time", "Quantity"):
        raise ProtoError("no protobuf schema for kind %r" % kind)
    obj = decode(unk.get("raw", b""), kind)
    out = {"apiVersion": tm.get("apiVersion", ""), "kind": kind}
    if "metadata" in obj:
        out["metadata"] = _clean_meta(obj.pop("metadata"))
    _drop_empty(obj)
    out.update(obj)
    return out

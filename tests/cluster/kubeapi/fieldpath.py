"""Field sets, type models and managedFields (FieldsV1) encoding, after
sigs.k8s.io/structured-merge-diff (SMD), the library kube-apiserver uses for server-side apply.

A path is a tuple of path elements; a path element is a pair:
  ('f', name)          field of a struct or entry of a map   -> "f:name"
  ('k', '{"k":"v"}')   item of an associative list by key     -> 'k:{"k":"v"}'
  ('v', 'json')        item of a set list by value            -> "v:json"
  ('i', n)             item of a list by index                -> "i:n"
A field set is a Python set of paths (its members).
"""

import json

MISSING = object()


def jdump(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------- type models

class Model:
    """Schema of one node: how lists are keyed, which maps are atomic, which keys are named fields."""

    def field(self, name):
        return DEDUCED

    def item(self):
        return DEDUCED

    def list_type(self):
        return ("atomic", None, None)

    def atomic_map(self):
        return False

    def is_named(self, name):
        return False

    def is_map_node(self):
        return True


class DeducedModel(Model):
    pass


DEDUCED = DeducedModel()

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
LABEL_SELECTORS = ("podSelector", "namespaceSelector", "labelSelector", "objectSelector")
# map[string]X fields of built-in types (their keys are not named fields)
MAP_FIELDS = {"labels", "annotations", "data", "binaryData", "stringData", "matchLabels", "limits",
              "requests", "capacity", "allocatable", "parameters", "hard", "used", "nodeSelector",
              "max", "min", "default", "defaultRequest", "maxLimitRequestRatio", "volumeAttributes",
              "overhead", "claims", "options", "allocatedResources"}


class BuiltinModel(Model):
    """Heuristic model of Kubernetes built-in types (the list-map keys, set lists and atomic
    structs that matter in practice); everything unknown is a struct with atomic lists."""

    __slots__ = ("kind", "path", "mapnode")

    def __init__(self, kind, path=(), mapnode=False):
        self.kind = kind
        self.path = path
        self.mapnode = mapnode

    def field(self, name):
        if self.mapnode:
            return BuiltinModel(self.kind, self.path + ("*",))
        return BuiltinModel(self.kind, self.path + (name,), name in MAP_FIELDS and not
                            (self.kind == "LimitRange" and name == "limits" and self.path == ("spec",)))

    def item(self):
        return BuiltinModel(self.kind, self.path + ("[]",))

    def is_named(self, name):
        return not self.mapnode

    def is_map_node(self):
        return self.mapnode

    def atomic_map(self):
        p = self.path
        if not p:
            return False
        name = p[-1]
        if name == "nodeSelector":
            return True
        if name == "selector":
            # Service spec.selector is an atomic map, LabelSelector an atomic struct
            return True
        if name in LABEL_SELECTORS:
            return True
        return False

    def list_type(self):
        p = self.path
        if not p:
            return ("atomic", None, None)
        name = p[-1]
        parent = p[-3] if len(p) >= 3 and p[-2] == "[]" else None
        if name in CONTAINER_LISTS:
            return ("map", ["name"], {})
        if name == "ports":
            if parent in CONTAINER_LISTS:
                return ("map", ["containerPort", "protocol"], {"protocol": "TCP"})
            if self.kind == "Service" and p == ("spec", "ports"):
                return ("map", ["port", "protocol"], {"protocol": "TCP"})
            return ("atomic", None, None)
        if name == "env" and parent in CONTAINER_LISTS:
            return ("map", ["name"], {})
        if name == "volumeMounts":
            return ("map", ["mountPath"], {})
        if name == "volumeDevices":
            return ("map", ["devicePath"], {})
        if name in ("volumes", "imagePullSecrets", "resourceClaims", "schedulingGates"):
            return ("map", ["name"], {})
        if name == "hostAliases":
            return ("map", ["ip"], {})
        if name == "topologySpreadConstraints":
            return ("map", ["topologyKey", "whenUnsatisfiable"], {})
        if name == "conditions":
            return ("map", ["type"], {})
        if name == "ownerReferences" and p == ("metadata", "ownerReferences"):
            return ("map", ["uid"], {})
        if name == "finalizers" and len(p) == 2 and p[0] == "metadata":
            return ("set", None, None)
        if name == "webhooks" and self.kind.endswith("WebhookConfiguration"):
            return ("map", ["name"], {})
        return ("atomic", None, None)


class SchemaModel(Model):
    """Model from an OpenAPI v3 (CRD structural) schema node."""

    __slots__ = ("node", "meta_kind")

    def __init__(self, node, meta_kind=None):
        self.node = node or {}
        self.meta_kind = meta_kind

    def _props(self):
        return self.node.get("properties") or {}

    def field(self, name):
        props = self._props()
        if self.meta_kind is not None and name == "metadata":
            return BuiltinModel(self.meta_kind, ("metadata",))
        if name in props:
            return SchemaModel(props[name])
        ap = self.node.get("additionalProperties")
        if isinstance(ap, dict):
            return SchemaModel(ap)
        return DEDUCED

    def item(self):
        it = self.node.get("items")
        if isinstance(it, dict):
            return SchemaModel(it)
        return DEDUCED

    def is_named(self, name):
        if self.meta_kind is not None and name in ("apiVersion", "kind", "metadata"):
            return True
        return name in self._props()

    def is_map_node(self):
        return not self._props()

    def atomic_map(self):
        return self.node.get("x-kubernetes-map-type") == "atomic"

    def list_type(self):
        lt = self.node.get("x-kubernetes-list-type")
        if lt == "map":
            keys = list(self.node.get("x-kubernetes-list-map-keys") or [])
            defaults = {}
            iprops = ((self.node.get("items") or {}).get("properties") or {})
            for k in keys:
                if "default" in (iprops.get(k) or {}):
                    defaults[k] = iprops[k]["default"]
            return ("map", keys, defaults)
        if lt == "set":
            return ("set", None, None)
        return ("atomic", None, None)


def model_for(kind, schema=None):
    if schema is not None:
        return SchemaModel(schema, meta_kind=kind)
    return BuiltinModel(kind)


# ---------------------------------------------------------------- path elements

class KeyError_(Exception):
    pass


def list_item_pe(lt, index, item):
    kind, keys, defaults = lt
    if kind == "map":
        if not isinstance(item, dict):
            raise KeyError_("associative list with keys has an element that is not a map")
        kv = {}
        for k in keys:
            if k in item and item[k] is not None:
                kv[k] = item[k]
            elif k in defaults:
                kv[k] = defaults[k]
            else:
                if len(keys) == 1:
                    raise KeyError_('associative list with keys has an element that omits key field "%s" '
                                    "(and doesn't have default value)" % k)
        if not kv:
            raise KeyError_('associative list with keys has an element that omits all key fields %s '
                            "(and doesn't have default values for any key fields)" % jdump(keys))
        return ("k", jdump(kv))
    if kind == "set":
        return ("v", jdump(item))
    return ("i", index)


def pe_string(pe):
    t, v = pe
    if t == "f":
        return "." + v
    if t == "k":
        d = json.loads(v)
        parts = []
        for k in sorted(d):
            val = d[k]
            parts.append("%s=%s" % (k, json.dumps(val) if isinstance(val, str) else jdump(val)))
        return "[" + ",".join(parts) + "]"
    if t == "v":
        val = json.loads(v)
        return "[=" + (json.dumps(val) if isinstance(val, str) else jdump(val)) + "]"
    return "[%d]" % v


def path_string(path):
    return "".join(pe_string(pe) for pe in path)


# ---------------------------------------------------------------- sets from values

def _iter_list(value, model, path):
    lt = model.list_type()
    seen = set()
    out = []
    for i, item in enumerate(value):
        try:
            pe = list_item_pe(lt, i, item)
        except KeyError_:
            pe = ("i", i)
        if pe in seen:
            continue
        seen.add(pe)
        out.append((pe, item))
    return out


def to_set(value, model, path=(), out=None):
    """ToFieldSet: leaves, list items, and map entries (not struct fields)."""
    if out is None:
        out = set()
    if isinstance(value, dict):
        if model.atomic_map():
            out.add(path)
            return out
        for k, v in value.items():
            p = path + (("f", k),)
            to_set(v, model.field(k), p, out)
            if not model.is_named(k):
                out.add(p)
    elif isinstance(value, list):
        lt = model.list_type()
        if lt[0] == "atomic":
            out.add(path)
            return out
        item_model = model.item()
        for pe, item in _iter_list(value, model, path):
            p = path + (pe,)
            to_set(item, item_model, p, out)
            out.add(p)
    else:
        out.add(path)
    return out


def compare(lhs, rhs, model, path=(), res=None):
    """Compare like SMD TypedValue.Compare: returns dict(added, modified, removed) sets."""
    if res is None:
        res = {"added": set(), "modified": set(), "removed": set()}
    _cmp(lhs, rhs, model, path, res)
    return res


def _is_leaf(l, r, model):
    if isinstance(l, dict) or isinstance(r, dict):
        if model.atomic_map():
            return True
        ld = l if isinstance(l, dict) else None
        rd = r if isinstance(r, dict) else None
        if not ld and not rd:
            return True
        return False
    if isinstance(l, list) or isinstance(r, list):
        if model.list_type()[0] == "atomic":
            return True
        if not l and not r:
            return True
        return False
    return True


def _shape(v):
    return "map" if isinstance(v, dict) else "list" if isinstance(v, list) else "scalar"


def _cmp(l, r, model, path, res):
    if l is MISSING and r is MISSING:
        return
    # a change of type (map <-> list <-> scalar) is a modification of the node itself
    if l is not MISSING and r is not MISSING and l is not None and r is not None and \
            _shape(l) != _shape(r):
        if path:
            res["modified"].add(path)
        return
    if _is_leaf(l if l is not MISSING else None, r if r is not MISSING else None, model):
        if l is MISSING:
            res["added"].add(path)
        elif r is MISSING:
            res["removed"].add(path)
        elif l != r:
            res["modified"].add(path)
        return
    if isinstance(l, dict) or isinstance(r, dict):
        ld = l if isinstance(l, dict) else {}
        rd = r if isinstance(r, dict) else {}
        for k in list(ld.keys()) + [k for k in rd if k not in ld]:
            _cmp(ld.get(k, MISSING), rd.get(k, MISSING), model.field(k), path + (("f", k),), res)
    else:
        ll = l if isinstance(l, list) else []
        rl = r if isinstance(r, list) else []
        item_model = model.item()
        lm = dict(_iter_list(ll, model, path))
        rm = dict(_iter_list(rl, model, path))
        for pe in list(lm.keys()) + [p for p in rm if p not in lm]:
            _cmp(lm.get(pe, MISSING), rm.get(pe, MISSING), item_model, path + (pe,), res)
    # postItemHook for non-leaf nodes
    if path:
        if l is MISSING:
            res["added"].add(path)
        elif r is MISSING:
            res["removed"].add(path)


# ---------------------------------------------------------------- merge / remove

def merge(lhs, rhs, model):
    """SMD merge (live <- applied config): maps and associative lists merge, the rest is replaced."""
    if rhs is MISSING:
        return lhs
    if lhs is MISSING or lhs is None:
        return _strip_nulls_copy(rhs)
    if isinstance(rhs, dict) and isinstance(lhs, dict) and not model.atomic_map() and (lhs or rhs):
        out = {}
        for k, v in lhs.items():
            if k in rhs:
                if rhs[k] is None:
                    continue  # explicit null removes the field
                out[k] = merge(v, rhs[k], model.field(k))
            else:
                out[k] = v
        for k, v in rhs.items():
            if k not in lhs and v is not None:
                out[k] = _strip_nulls_copy(v)
        return out
    if isinstance(rhs, list) and isinstance(lhs, list) and model.list_type()[0] != "atomic" and (lhs or rhs):
        item_model = model.item()
        rl = _iter_list(rhs, model, ())
        robs = dict(rl)
        lobs = set()
        out = []
        for pe, item in _iter_list(lhs, model, ()):
            lobs.add(pe)
            if pe in robs:
                out.append(merge(item, robs[pe], item_model))
            else:
                out.append(item)
        for pe, item in rl:
            if pe not in lobs:
                out.append(_strip_nulls_copy(item))
        return out
    return _strip_nulls_copy(rhs)


def _strip_nulls_copy(v):
    if isinstance(v, dict):
        return {k: _strip_nulls_copy(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls_copy(x) for x in v]
    return v


def get_path(value, path, model):
    """Value at path, or MISSING."""
    cur = value
    m = model
    for pe in path:
        t, v = pe
        if t == "f":
            if not isinstance(cur, dict) or v not in cur:
                return MISSING
            cur = cur[v]
            m = m.field(v)
        else:
            if not isinstance(cur, list):
                return MISSING
            found = MISSING
            for p2, item in _iter_list(cur, m, ()):
                if p2 == pe:
                    found = item
                    break
            if found is MISSING:
                return MISSING
            cur = found
            m = m.item()
    return cur


def remove_paths(value, paths, model, keep=frozenset()):
    """Remove each path in paths from value (a deep copy is made). Descendants listed in keep
    (and the key fields of list items that hold them) survive."""
    import copy
    out = copy.deepcopy(value)
    for p in sorted(paths, key=len):
        if not p:
            continue
        kept = [k for k in keep if len(k) > len(p) and k[:len(p)] == p]
        if kept:
            _prune_except(out, p, kept, model)
        else:
            _remove_one(out, p, model)
    return out


def _locate_parent(value, path, model):
    cur = value
    m = model
    for pe in path[:-1]:
        t, v = pe
        if t == "f":
            if not isinstance(cur, dict) or v not in cur:
                return None, None
            cur = cur[v]
            m = m.field(v)
        else:
            if not isinstance(cur, list):
                return None, None
            nxt = None
            for p2, item in _iter_list(cur, m, ()):
                if p2 == pe:
                    nxt = item
                    break
            if nxt is None:
                return None, None
            cur = nxt
            m = m.item()
    return cur, m


def _remove_one(value, path, model):
    parent, m = _locate_parent(value, path, model)
    if parent is None:
        return
    t, v = path[-1]
    if t == "f":
        if isinstance(parent, dict):
            parent.pop(v, None)
    elif isinstance(parent, list):
        for i, (p2, item) in enumerate(_iter_list(parent, m, ())):
            if p2 == path[-1]:
                for j, it in enumerate(parent):
                    if it is item:
                        del parent[j]
                        break
                break


def _prune_except(value, path, kept, model):
    """Keep only the kept descendants under path."""
    node = get_path(value, path, model)
    if not isinstance(node, (dict, list)):
        return
    # collect child elements that lead to kept paths
    depth = len(path)
    needed = {k[depth] for k in kept}
    m = _model_at(model, path)
    if isinstance(node, dict):
        for k in list(node.keys()):
            if ("f", k) not in needed:
                if m is not None and _is_key_field(path, k):
                    continue
                del node[k]
            else:
                sub = path + (("f", k),)
                deeper = [x for x in kept if len(x) > len(sub) and x[:len(sub)] == sub]
                if deeper and sub not in kept:
                    _prune_except(value, sub, deeper, model)
    else:
        for pe, item in list(_iter_list(node, m, ())):
            if pe not in needed:
                node.remove(item)
            else:
                sub = path + (pe,)
                deeper = [x for x in kept if len(x) > len(sub) and x[:len(sub)] == sub]
                if deeper and sub not in kept:
                    _prune_except(value, sub, deeper, model)


def _is_key_field(path, k):
    if path and path[-1][0] == "k":
        return k in json.loads(path[-1][1])
    return False


def _model_at(model, path):
    m = model
    for t, v in path:
        m = m.field(v) if t == "f" else m.item()
    return m


# ---------------------------------------------------------------- FieldsV1 encoding

def _pe_key(pe):
    t, v = pe
    if t == "f":
        return "f:" + v
    if t == "k":
        return "k:" + v
    if t == "v":
        return "v:" + v
    return "i:%d" % v


def _pe_sort(pe):
    order = {"f": 0, "v": 1, "i": 2, "k": 3}
    t, v = pe
    return (order.get(t, 9), v if t != "i" else "%020d" % v)


def encode_fields(paths):
    """Set -> FieldsV1 JSON object."""
    root = {}
    members = set(paths)
    tree = {}
    for p in members:
        node = tree
        for pe in p:
            node = node.setdefault(pe, {})
    def build(node, prefix):
        out = {}
        keys = sorted(node.keys(), key=_pe_sort)
        if prefix in members and node and prefix != ():
            out["."] = {}
        for pe in keys:
            out[_pe_key(pe)] = build(node[pe], prefix + (pe,))
        return out
    root = build(tree, ())
    return root


def decode_fields(obj, prefix=()):
    """FieldsV1 JSON object -> set."""
    out = set()
    if not isinstance(obj, dict):
        return out
    if prefix and not obj:
        out.add(prefix)
        return out
    for k, v in obj.items():
        if k == ".":
            if prefix:
                out.add(prefix)
            continue
        t, _, rest = k.partition(":")
        if t == "f":
            pe = ("f", rest)
        elif t == "k":
            pe = ("k", jdump(json.loads(rest)))
        elif t == "v":
            pe = ("v", jdump(json.loads(rest)))
        elif t == "i":
            pe = ("i", int(rest))
        else:
            continue
        out |= decode_fields(v, prefix + (pe,))
    return out


def has_prefix(path, prefix):
    return len(path) >= len(prefix) and path[:len(prefix)] == prefix

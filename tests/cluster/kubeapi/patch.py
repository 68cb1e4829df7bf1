"""JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes strategic merge patch."""

import copy
import json

from .errors import ApiError, bad_request
from .fieldpath import BuiltinModel


def _invalid(msg):
    return ApiError(422, "Invalid", msg, {})


# ---------------------------------------------------------------- JSON merge patch

def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# ---------------------------------------------------------------- JSON patch

def _unescape(tok):
    return tok.replace("~1", "/").replace("~0", "~")


def _split(ptr):
    if ptr == "":
        return []
    if not ptr.startswith("/"):
        raise _invalid("invalid JSON pointer %q" % ptr if False else 'invalid JSON pointer "%s"' % ptr)
    return [_unescape(t) for t in ptr[1:].split("/")]


def _walk(doc, toks, op):
    cur = doc
    for t in toks:
        if isinstance(cur, dict):
            if t not in cur:
                raise _invalid("jsonpatch %s operation does not apply: doc is missing path: %s"
                               % (op, "/" + "/".join(toks)))
            cur = cur[t]
        elif isinstance(cur, list):
            try:
                i = int(t)
            except ValueError:
                raise _invalid("Unable to access invalid index: %s" % t)
            if i < 0 or i >= len(cur):
                raise _invalid("Unable to access invalid index: %d" % i)
            cur = cur[i]
        else:
            raise _invalid("jsonpatch %s operation does not apply: doc is missing path: %s"
                           % (op, "/" + "/".join(toks)))
    return cur


def json_patch(doc, ops):
    if not isinstance(ops, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise bad_request("invalid JSON patch operation")
        name = op["op"]
        path = op.get("path", "")
        toks = _split(path)
        if name == "test":
            cur = _walk(doc, toks, name)
            if cur != op.get("value"):
                raise _invalid("testing value %s failed: test failed" % path)
            continue
        if name in ("remove", "replace"):
            if not toks:
                if name == "replace":
                    doc = copy.deepcopy(op.get("value"))
                    continue
                raise _invalid("jsonpatch remove operation does not apply: doc is missing path: ")
            parent = _walk(doc, toks[:-1], name)
            last = toks[-1]
            if isinstance(parent, dict):
                if last not in parent:
                    raise _invalid("jsonpatch %s operation does not apply: doc is missing key: %s"
                                   % (name, path))
                if name == "remove":
                    del parent[last]
                else:
                    parent[last] = copy.deepcopy(op.get("value"))
            elif isinstance(parent, list):
                try:
                    i = int(last)
                except ValueError:
                    raise _invalid("Unable to access invalid index: %s" % last)
                if i < 0 or i >= len(parent):
                    raise _invalid("Unable to access invalid index: %d" % i)
                if name == "remove":
                    del parent[i]
                else:
                    parent[i] = copy.deepcopy(op.get("value"))
            continue
        if name in ("add", "move", "copy"):
            if name == "add":
                if "value" not in op:
                    raise _invalid("missing value")
                value = copy.deepcopy(op["value"])
            else:
                ftoks = _split(op.get("from", ""))
                value = copy.deepcopy(_walk(doc, ftoks, name))
                if name == "move":
                    fp = _walk(doc, ftoks[:-1], name)
                    if isinstance(fp, dict):
                        del fp[ftoks[-1]]
                    else:
                        del fp[int(ftoks[-1])]
            if not toks:
                doc = value
                continue
            parent = _walk(doc, toks[:-1], name)
            last = toks[-1]
            if isinstance(parent, dict):
                parent[last] = value
            elif isinstance(parent, list):
                if last == "-":
                    parent.append(value)
                else:
                    try:
                        i = int(last)
                    except ValueError:
                        raise _invalid("Unable to access invalid index: %s" % last)
                    if i < 0 or i > len(parent):
                        raise _invalid("Unable to access invalid index: %d" % i)
                    parent.insert(i, value)
            else:
                raise _invalid("jsonpatch add operation does not apply: doc is missing path: %s" % path)
            continue
        raise bad_request("Unexpected kind: %s" % name)
    return doc


# ---------------------------------------------------------------- strategic merge patch

DIRECTIVE = "$patch"
RETAIN = "$retainKeys"
ORDER_PREFIX = "$setElementOrder/"
DELETE_PRIM_PREFIX = "$deleteFromPrimitiveList/"


def _merge_key(model):
    kind, keys, _ = model.list_type()
    if kind == "map":
        if keys == ["containerPort", "protocol"]:
            return "containerPort"
        if keys == ["port", "protocol"]:
            return "port"
        if keys == ["topologyKey", "whenUnsatisfiable"]:
            return "topologyKey"
        return keys[0]
    if kind == "set":
        return "$primitive"
    return None


def strategic_merge(original, patch, kind):
    if not isinstance(patch, dict):
        raise bad_request("unable to find api field in struct %s for the json field" % kind)
    return _smp_map(copy.deepcopy(original) if isinstance(original, dict) else {}, patch, BuiltinModel(kind))


def _smp_map(orig, patch, model):
    directive = patch.get(DIRECTIVE)
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != DIRECTIVE}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise bad_request("Unknown patch type: %s" % directive if False else
                          "unable to find api field in struct for the json field \"%s\"" % DIRECTIVE)
    retain = patch.get(RETAIN)
    orders = {}
    out = orig
    for k, v in patch.items():
        if k in (DIRECTIVE, RETAIN):
            continue
        if k.startswith(ORDER_PREFIX):
            orders[k[len(ORDER_PREFIX):]] = v
            continue
        if k.startswith(DELETE_PRIM_PREFIX):
            field = k[len(DELETE_PRIM_PREFIX):]
            if isinstance(out.get(field), list) and isinstance(v, list):
                out[field] = [x for x in out[field] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
            continue
        sub = model.field(k)
        cur = out.get(k)
        if isinstance(v, dict) and not sub.atomic_map():
            r = _smp_map(copy.deepcopy(cur) if isinstance(cur, dict) else {}, v, sub)
            if r is None:
                out.pop(k, None)
            else:
                out[k] = r
        elif isinstance(v, list):
            mk = _merge_key(sub)
            if mk is None:
                out[k] = [_strip_directives(x) for x in v]
            else:
                out[k] = _smp_list(cur if isinstance(cur, list) else [], v, sub, mk)
        else:
            out[k] = copy.deepcopy(v)
    for field, order in orders.items():
        if isinstance(out.get(field), list) and isinstance(order, list):
            out[field] = _reorder(out[field], order, _merge_key(model.field(field)))
    if isinstance(retain, list):
        for k in list(out.keys()):
            if k not in retain and k not in patch:
                del out[k]
    return out


def _strip_directives(v):
    if isinstance(v, dict):
        return {k: _strip_directives(x) for k, x in v.items()
                if k not in (DIRECTIVE, RETAIN) and not k.startswith(ORDER_PREFIX)}
    if isinstance(v, list):
        return [_strip_directives(x) for x in v]
    return v


def _smp_list(orig, patch, model, mk):
    if mk == "$primitive":
        out = list(orig)
        for x in patch:
            if isinstance(x, dict) and x.get(DIRECTIVE) == "replace":
                return [y for y in patch if not isinstance(y, dict)]
            if x not in out:
                out.append(x)
        return out
    for x in patch:
        if isinstance(x, dict) and x.get(DIRECTIVE) == "replace":
            return [_strip_directives(y) for y in patch if not (isinstance(y, dict) and DIRECTIVE in y)]
    out = [copy.deepcopy(x) for x in orig]
    item_model = model.item()
    for x in patch:
        if not isinstance(x, dict):
            out.append(x)
            continue
        key = x.get(mk)
        idx = None
        for i, y in enumerate(out):
            if isinstance(y, dict) and y.get(mk) == key and key is not None:
                idx = i
                break
        if x.get(DIRECTIVE) == "delete":
            out = [y for y in out if not (isinstance(y, dict) and y.get(mk) == key)]
            continue
        if idx is None:
            out.append(_strip_directives(x))
        else:
            r = _smp_map(out[idx], x, item_model)
            if r is None:
                del out[idx]
            else:
                out[idx] = r
    return out


def _reorder(items, order, mk):
    if mk is None:
        return items
    def key(x):
        if mk == "$primitive":
            return json.dumps(x, sort_keys=True)
        return json.dumps(x.get(mk) if isinstance(x, dict) else x, sort_keys=True)
    okeys = []
    for o in order:
        okeys.append(key(o) if mk == "$primitive" else json.dumps(o.get(mk) if isinstance(o, dict) else o,
                                                                   sort_keys=True))
    pos = {k: i for i, k in enumerate(okeys)}
    ordered = sorted([x for x in items if key(x) in pos], key=lambda x: pos[key(x)])
    rest = [x for x in items if key(x) not in pos]
    return ordered + rest

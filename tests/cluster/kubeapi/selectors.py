"""Label and field selectors in the syntax of k8s.io/apimachinery/pkg/labels and fields."""

import re

from .errors import bad_request

_KEY_RE = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                     r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VAL_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


class Requirement:
    def __init__(self, key, op, values):
        self.key = key
        self.op = op
        self.values = values

    def matches(self, labels):
        has = self.key in labels
        v = labels.get(self.key)
        if self.op in ("=", "=="):
            return has and v == self.values[0]
        if self.op == "!=":
            return not has or v != self.values[0]
        if self.op == "in":
            return has and v in self.values
        if self.op == "notin":
            return not has or v not in self.values
        if self.op == "exists":
            return has
        if self.op == "!":
            return not has
        if self.op in (">", "<"):
            if not has:
                return False
            try:
                n = int(v)
                m = int(self.values[0])
            except ValueError:
                return False
            return n > m if self.op == ">" else n < m
        return False


def _split_top(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def _check_key(key, whole):
    if not _KEY_RE.match(key) or len(key.split("/")[-1]) > 63:
        raise bad_request('unable to parse requirement: values[0][%s]: Invalid value: "%s": name part must '
                          "consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                          "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                          "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                          % (key, key))


def _check_val(v):
    if len(v) > 63 or not _VAL_RE.match(v):
        raise bad_request('unable to parse requirement: values[0][%s]: Invalid value: "%s": a valid label '
                          "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                          "and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                          "'my_value',  or '12345', regex used for validation is "
                          "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" % (v, v))


def parse_label_selector(s):
    s = (s or "").strip()
    if not s:
        return []
    reqs = []
    for part in _split_top(s):
        p = part.strip()
        if not p:
            raise bad_request("found '', expected: identifier after ','" if reqs else
                              "found ',', expected: !, identifier, or 'end of string'")
        m = re.match(r"^(\S+?)\s+(in|notin)\s*\((.*)\)$", p)
        if m:
            key, op, vals = m.group(1), m.group(2), [v.strip() for v in m.group(3).split(",")]
            _check_key(key, s)
            for v in vals:
                _check_val(v)
            reqs.append(Requirement(key, op, vals))
            continue
        m = re.match(r"^([^=!<>\s]+)\s*(==|!=|=|>|<)\s*(.*)$", p)
        if m:
            key, op, val = m.group(1), m.group(2), m.group(3).strip()
            _check_key(key, s)
            _check_val(val) if op not in (">", "<") else None
            reqs.append(Requirement(key, op, [val]))
            continue
        if p.startswith("!"):
            key = p[1:].strip()
            _check_key(key, s)
            reqs.append(Requirement(key, "!", []))
            continue
        if re.match(r"^\S+$", p):
            _check_key(p, s)
            reqs.append(Requirement(p, "exists", []))
            continue
        raise bad_request("unable to parse requirement: found '%s', expected: in, notin, =, ==, !=, gt, lt"
                          % p.split()[-1])
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    return all(r.matches(labels) for r in reqs)


def selector_from_label_selector(sel):
    """A metav1.LabelSelector (matchLabels/matchExpressions) as requirements; None matches nothing."""
    if sel is None:
        return None
    reqs = []
    for k, v in (sel.get("matchLabels") or {}).items():
        reqs.append(Requirement(k, "=", [v]))
    for e in sel.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}.get(e.get("operator"))
        if op:
            reqs.append(Requirement(e.get("key"), op, list(e.get("values") or [])))
    return reqs


# fields each kind supports in a fieldSelector besides metadata.name / metadata.namespace
EXTRA_FIELDS = {
    "Pod": {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"},
    "Secret": {"type"},
    "Event": {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
              "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
              "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"},
    "Namespace": {"status.phase"},
    "Job": {"status.successful"},
    "ReplicaSet": {"status.replicas"},
}


def parse_field_selector(s, kind, custom=False):
    s = (s or "").strip()
    if not s:
        return []
    out = []
    for part in s.split(","):
        p = part.strip()
        m = re.match(r"^([^=!]+?)\s*(==|!=|=)\s*(.*)$", p)
        if not m:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (s, p))
        key, op, val = m.group(1).strip(), m.group(2), m.group(3).strip()
        if key not in ("metadata.name", "metadata.namespace") and key not in EXTRA_FIELDS.get(kind, ()):
            raise bad_request('"%s" is not a known field selector: only "metadata.name", '
                              '"metadata.namespace"' % key if custom else
                              'field label not supported: %s' % key)
        out.append((key, op, val))
    return out


def _field_value(obj, key):
    cur = obj
    for part in key.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def fields_match(reqs, obj):
    for key, op, val in reqs:
        v = _field_value(obj, key)
        if op in ("=", "==") and v != val:
            return False
        if op == "!=" and v == val:
            return False
    return True

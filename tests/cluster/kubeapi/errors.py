"""API errors in the metav1.Status form kube-apiserver uses, with its messages."""


class ApiError(Exception):
    """An error answered as a Status object."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:
            body["reason"] = self.reason
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(rt_group, resource, name=None, causes=None, kind_is_resource=True):
    d = {}
    if name is not None:
        d["name"] = name
    if rt_group:
        d["group"] = rt_group
    if resource:
        d["kind"] = resource
    if causes:
        d["causes"] = causes
    return d


def qualified(resource, group):
    return "%s.%s" % (resource, group) if group else resource


def not_found(resource, group, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified(resource, group), name),
                    _details(group, resource, name))


def namespace_not_found(name):
    return not_found("namespaces", "", name)


def already_exists(resource, group, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (qualified(resource, group), name),
                    _details(group, resource, name))


def conflict(resource, group, name, why=None):
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s'
                    % (qualified(resource, group), name, why), _details(group, resource, name))


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(resource, group, name, why, causes=None):
    d = _details(group, resource, name, causes)
    return ApiError(403, "Forbidden", '%s "%s" is forbidden: %s' % (qualified(resource, group), name, why), d)


def method_not_allowed(message="the server does not allow this method on the requested resource"):
    return ApiError(405, "MethodNotAllowed", message, {})


def unsupported_media(ctype, accepted):
    return ApiError(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types include: "
                    + ", ".join(accepted), {})


def path_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


class FieldError:
    """One field error, like k8s.io/apimachinery/pkg/util/validation/field.Error."""

    def __init__(self, kind, field, value=None, detail=""):
        self.kind = kind  # Required, Invalid, Forbidden, NotSupported, Duplicate, TooLong
        self.field = field
        self.value = value
        self.detail = detail

    def message(self):
        if self.kind == "Required":
            s = "Required value"
            return s + (": " + self.detail if self.detail else "")
        if self.kind == "Forbidden":
            return "Forbidden" + (": " + self.detail if self.detail else "")
        if self.kind == "Duplicate":
            return "Duplicate value: %s" % _fmt_value(self.value)
        if self.kind == "NotSupported":
            return "Unsupported value: %s%s" % (_fmt_value(self.value), (": " + self.detail) if self.detail else "")
        if self.kind == "TooLong":
            return "Too long: " + self.detail
        return "Invalid value: %s%s" % (_fmt_value(self.value), (": " + self.detail) if self.detail else "")

    def reason(self):
        return {
            "Required": "FieldValueRequired",
            "Invalid": "FieldValueInvalid",
            "Forbidden": "FieldValueForbidden",
            "Duplicate": "FieldValueDuplicate",
            "NotSupported": "FieldValueNotSupported",
            "TooLong": "FieldValueTooLong",
        }.get(self.kind, "FieldValueInvalid")

    def error_string(self):
        return "%s: %s" % (self.field, self.message())


def _fmt_value(v):
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (dict, list)):
        import json
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def invalid(kind, group, name, errs):
    """422 Invalid, as apierrors.NewInvalid."""
    if len(errs) == 1:
        agg = errs[0].error_string()
    else:
        agg = "[" + ", ".join(e.error_string() for e in errs) + "]"
    causes = [{"reason": e.reason(), "message": e.message(), "field": e.field} for e in errs]
    msg = '%s "%s" is invalid: %s' % (qualified(kind, group), name, agg)
    d = {"name": name}
    if group:
        d["group"] = group
    d["kind"] = kind
    d["causes"] = causes
    return ApiError(422, "Invalid", msg, d)


def too_many_requests(retry_after):
    return ApiError(429, "TooManyRequests", "Too many requests, please try again later.",
                    {"retryAfterSeconds": int(retry_after)},
                    headers={"Retry-After": str(int(retry_after))})


def internal_error(message):
    return ApiError(500, "InternalError", "Internal error occurred: " + message,
                    {"causes": [{"message": message}]})


def gone(message):
    return ApiError(410, "Expired", message)

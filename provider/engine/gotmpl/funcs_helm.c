/* Helm's template functions (engine/funcs.go) and Sprig's JSON functions. */
#include "engine/gotmpl/tmpl_internal.h"

#include <stdio.h>
#include <stdlib.h>

#define H exec_heap(x)

static tval *f_include(texec *x, tval **a, int n) {
  (void)n;
  return exec_include(x, a[0]->u.s.p, a[1]);
}

static tval *f_tpl(texec *x, tval **a, int n) {
  (void)n;
  return exec_tpl(x, a[0]->u.s.p, a[0]->u.s.n, a[1]);
}

static tval *f_required(texec *x, tval **a, int n) {
  (void)n;
  tval *v = a[1];
  if (v->kind == TMPL_NIL || v->kind == TMPL_INVALID || (v->kind == TMPL_STRING && v->u.s.n == 0)) {
    exec_mark_fail(x);
    return fn_error(x, "HELM_ERR_START%sHELM_ERR_END", a[0]->u.s.p);
  }
  return v;
}

static tval *f_fail(texec *x, tval **a, int n) {
  (void)n;
  exec_mark_fail(x);
  return fn_error(x, "HELM_ERR_START%sHELM_ERR_END", a[0]->u.s.p);
}

static tval *f_toyaml(texec *x, tval **a, int n) {
  (void)n;
  sb b = {0};
  char eb[256];
  if (yaml_emit(&b, a[0], eb, sizeof eb) != 0) {
    sb_free(&b);
    return tv_str(H, "", 0);
  }
  if (b.n && b.p[b.n - 1] == '\n') b.n--;
  return sb_to_val(H, &b);
}

int yaml3_emit(sb *b, const tval *v);

static tval *f_toyamlpretty(texec *x, tval **a, int n) {
  (void)n;
  sb b = {0};
  if (yaml3_emit(&b, a[0]) != 0) {
    sb_free(&b);
    return tv_str(H, "", 0);
  }
  if (b.n && b.p[b.n - 1] == '\n') b.n--;
  return sb_to_val(H, &b);
}

static tval *f_fromyaml(texec *x, tval **a, int n) {
  (void)n;
  char eb[1024] = "";
  tval *v = yaml_decode(H, a[0]->u.s.p, a[0]->u.s.n, false, eb, sizeof eb);
  tval *m = tv_map(H);
  if (!v) {
    tm_set(H, m, "Error", 5, tv_cstr(H, eb));
    return m;
  }
  if (v->kind == TMPL_NIL) return m;
  if (v->kind != TMPL_MAP) {
    const char *what = v->kind == TMPL_LIST     ? "array"
                       : v->kind == TMPL_STRING ? "string"
                       : v->kind == TMPL_BOOL   ? "bool"
                                                : "number";
    char msg[256];
    tmpl_msgf(msg, sizeof msg,
              "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go "
              "value of type map[string]interface {}",
              what);
    tm_set(H, m, "Error", 5, tv_cstr(H, msg));
    return m;
  }
  return v;
}

static tval *f_fromyamlarray(texec *x, tval **a, int n) {
  (void)n;
  char eb[1024] = "";
  tval *v = yaml_decode(H, a[0]->u.s.p, a[0]->u.s.n, false, eb, sizeof eb);
  if (!v) {
    tval *l = tv_list(H, 1);
    tl_push(H, l, tv_cstr(H, eb));
    return l;
  }
  if (v->kind == TMPL_NIL) return tv_list(H, 0);
  if (v->kind != TMPL_LIST) {
    const char *what = v->kind == TMPL_MAP      ? "object"
                       : v->kind == TMPL_STRING ? "string"
                       : v->kind == TMPL_BOOL   ? "bool"
                                                : "number";
    char msg[256];
    tmpl_msgf(msg, sizeof msg,
              "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go "
              "value of type []interface {}",
              what);
    tval *l = tv_list(H, 1);
    tl_push(H, l, tv_cstr(H, msg));
    return l;
  }
  return v;
}

static tval *f_tojson(texec *x, tval **a, int n) {
  (void)n;
  sb b = {0};
  int err = 0;
  json_encode(&b, a[0], true, NULL, &err);
  if (err) {
    sb_free(&b);
    return tv_str(H, "", 0);
  }
  return sb_to_val(H, &b);
}

static tval *f_musttojson(texec *x, tval **a, int n) {
  (void)n;
  sb b = {0};
  int err = 0;
  json_encode(&b, a[0], true, NULL, &err);
  if (err) {
    sb_free(&b);
    return fn_error(x, "json: unsupported value");
  }
  return sb_to_val(H, &b);
}

static tval *f_toprettyjson(texec *x, tval **a, int n) {
  (void)n;
  sb b = {0};
  int err = 0;
  json_encode(&b, a[0], true, "  ", &err);
  if (err) {
    sb_free(&b);
    return tv_str(H, "", 0);
  }
  return sb_to_val(H, &b);
}

static tval *f_torawjson(texec *x, tval **a, int n) {
  (void)n;
  sb b = {0};
  int err = 0;
  json_encode(&b, a[0], false, NULL, &err);
  if (err) {
    sb_free(&b);
    return fn_error(x, "json: unsupported value");
  }
  return sb_to_val(H, &b);
}

static const char *json_kind(const tval *v) {
  switch (v->kind) {
  case TMPL_LIST:
    return "array";
  case TMPL_MAP:
    return "object";
  case TMPL_STRING:
    return "string";
  case TMPL_BOOL:
    return "bool";
  default:
    return "number";
  }
}

static tval *f_fromjson_helm(texec *x, tval **a, int n) {
  (void)n;
  char eb[512] = "";
  tval *v = json_decode(H, a[0]->u.s.p, a[0]->u.s.n, eb, sizeof eb);
  tval *m = tv_map(H);
  if (!v) {
    tm_set(H, m, "Error", 5, tv_cstr(H, eb));
    return m;
  }
  if (v->kind == TMPL_NIL) return m;
  if (v->kind != TMPL_MAP) {
    char msg[256];
    tmpl_msgf(msg, sizeof msg,
              "json: cannot unmarshal %s into Go value of type map[string]interface {}",
              json_kind(v));
    tm_set(H, m, "Error", 5, tv_cstr(H, msg));
    return m;
  }
  return v;
}

static tval *f_fromjsonarray(texec *x, tval **a, int n) {
  (void)n;
  char eb[512] = "";
  tval *v = json_decode(H, a[0]->u.s.p, a[0]->u.s.n, eb, sizeof eb);
  if (!v || (v->kind != TMPL_LIST && v->kind != TMPL_NIL)) {
    char msg[256];
    if (v)
      tmpl_msgf(msg, sizeof msg, "json: cannot unmarshal %s into Go value of type []interface {}",
                json_kind(v));
    tval *l = tv_list(H, 1);
    tl_push(H, l, tv_cstr(H, v ? msg : eb));
    return l;
  }
  if (v->kind == TMPL_NIL) return tv_list(H, 0);
  return v;
}

static tval *f_mustfromjson(texec *x, tval **a, int n) {
  (void)n;
  char eb[512] = "";
  tval *v = json_decode(H, a[0]->u.s.p, a[0]->u.s.n, eb, sizeof eb);
  if (!v) return fn_error(x, "%s", eb);
  return v;
}

static tval *f_totoml(texec *x, tval **a, int n) {
  (void)n;
  sb b = {0};
  char eb[256] = "";
  if (toml_emit(&b, a[0], eb, sizeof eb) != 0) {
    sb_free(&b);
    return tv_cstr(H, eb);
  }
  return sb_to_val(H, &b);
}

static tval *f_fromtoml(texec *x, tval **a, int n) {
  (void)n;
  (void)a;
  tval *m = tv_map(H);
  tm_set(H, m, "Error", 5, tv_cstr(H, "fromToml is not supported by this engine"));
  return m;
}

static tval *f_lookup(texec *x, tval **a, int n) {
  (void)n;
  return exec_lookup(x, a);
}

const tfunc tmpl_funcs_helm[] = {
    {"include", f_include, 2, {P_STR, P_ANY}, false, 0, "string"},
    {"tpl", f_tpl, 2, {P_STR, P_ANY}, false, 0, "string"},
    {"required", f_required, 2, {P_STR, P_ANY}, false, 0, "interface {}"},
    {"fail", f_fail, 1, {P_STR}, false, 0, "string"},
    {"toYaml", f_toyaml, 1, {P_ANY}, false, 0, "string"},
    {"toYamlPretty", f_toyamlpretty, 1, {P_ANY}, false, 0, "string"},
    {"fromYaml", f_fromyaml, 1, {P_STR}, false, 0, "map[string]interface {}"},
    {"fromYamlArray", f_fromyamlarray, 1, {P_STR}, false, 0, "[]interface {}"},
    {"toJson", f_tojson, 1, {P_ANY}, false, 0, "string"},
    {"fromJson", f_fromjson_helm, 1, {P_STR}, false, 0, "map[string]interface {}"},
    {"fromJsonArray", f_fromjsonarray, 1, {P_STR}, false, 0, "[]interface {}"},
    {"toToml", f_totoml, 1, {P_ANY}, false, 0, "string"},
    {"fromToml", f_fromtoml, 1, {P_STR}, false, 0, "map[string]interface {}"},
    {"lookup", f_lookup, 4, {P_STR, P_STR, P_STR, P_STR}, false, 0, "map[string]interface {}"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

const tfunc tmpl_funcs_misc[] = {
    {"mustToJson", f_musttojson, 1, {P_ANY}, false, 0, "string"},
    {"toPrettyJson", f_toprettyjson, 1, {P_ANY}, false, 0, "string"},
    {"mustToPrettyJson", f_toprettyjson, 1, {P_ANY}, false, 0, "string"},
    {"toRawJson", f_torawjson, 1, {P_ANY}, false, 0, "string"},
    {"mustToRawJson", f_torawjson, 1, {P_ANY}, false, 0, "string"},
    {"mustFromJson", f_mustfromjson, 1, {P_STR}, false, 0, "interface {}"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

/* Chart.yaml (chart.Metadata) and requirements.yaml: typed fields the way
 * sigs.k8s.io/yaml fills Go structs, plus Metadata.Validate(). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm_internal.h"

/* float32 shortest %g, as strconv.FormatFloat(f, 'g', -1, 32). */
static void fmt_f32(double d, char *buf, size_t cap) {
  float f = (float)d;
  char tmp[64];
  int prec;
  for (prec = 1; prec <= 9; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, (double)f);
    if (strtof(tmp, NULL) == f) break;
  }
  /* re-use the float64 formatter on the parsed shortest text */
  helm_format_float(strtod(tmp, NULL), buf, cap);
}

/* Scalar → Go string field. Returns NULL (and sets *bad) for maps/lists. */
static char *as_string(const helm_value *v, int *bad) {
  char buf[64];
  if (!v) return helm_strdup("");
  switch (v->type) {
  case HELM_NULL:
    return helm_strdup("");
  case HELM_STRING:
    return helm_strdup(v->u.str.s);
  case HELM_BOOL:
    return helm_strdup(v->u.b ? "true" : "false");
  case HELM_INT:
    snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
    return helm_strdup(buf);
  case HELM_FLOAT:
    if (v->u.f == floor(v->u.f) && fabs(v->u.f) < 1e15) {
      snprintf(buf, sizeof buf, "%lld", (long long)v->u.f);
      return helm_strdup(buf);
    }
    fmt_f32(v->u.f, buf, sizeof buf);
    return helm_strdup(buf);
  default:
    *bad = 1;
    return NULL;
  }
}

static const char *json_kind(const helm_value *v) {
  switch (v->type) {
  case HELM_MAP:
    return "object";
  case HELM_LIST:
    return "array";
  case HELM_STRING:
    return "string";
  case HELM_BOOL:
    return "bool";
  default:
    return "number";
  }
}

/* Replace control characters like Helm's sanitizeString (space for spaces). */
static void sanitize(char *s) {
  if (!s) return;
  char *w = s;
  for (char *r = s; *r; r++) {
    unsigned char c = (unsigned char)*r;
    if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
      *w++ = ' ';
    else if (c < 0x20 || c == 0x7f)
      continue;
    else
      *w++ = (char)c;
  }
  *w = 0;
}

typedef struct field_err {
  helm_error *err;
  const char *file;
  int rc;
} field_err;

static char *str_field(field_err *fe, const helm_value *m, const char *key, const char *gofield,
                       const char *gotype) {
  const helm_value *v = helm_map_get(m, key);
  int bad = 0;
  char *s = as_string(v, &bad);
  if (bad && !fe->rc)
    fe->rc = HELM_ERR(fe->err, HELM_EYAML,
                      "cannot load %s: error unmarshaling JSON: while decoding JSON: json: cannot "
                      "unmarshal %s into Go struct field %s.%s of type string",
                      fe->file, json_kind(v), gotype, gofield);
  return s;
}

/* Typed copy of a string list ([]string). */
static helm_value *str_list(field_err *fe, const helm_value *v, const char *gotype, const char *f) {
  helm_value *l = helm_value_list();
  if (!l || !v || v->type == HELM_NULL) return l;
  if (v->type != HELM_LIST) {
    if (!fe->rc)
      fe->rc = HELM_ERR(fe->err, HELM_EYAML,
                        "cannot load %s: error unmarshaling JSON: while decoding JSON: json: "
                        "cannot unmarshal %s into Go struct field %s.%s of type []string",
                        fe->file, json_kind(v), gotype, f);
    return l;
  }
  for (size_t i = 0; i < v->u.list.n; i++) {
    int bad = 0;
    char *s = as_string(v->u.list.items[i], &bad);
    if (bad) {
      if (!fe->rc)
        fe->rc = HELM_ERR(fe->err, HELM_EYAML,
                          "cannot load %s: error unmarshaling JSON: while decoding JSON: "
                          "json: cannot unmarshal %s into Go struct field %s.%s of type string",
                          fe->file, json_kind(v->u.list.items[i]), gotype, f);
      continue;
    }
    helm_list_append(l, helm_value_string(s));
    free(s);
  }
  return l;
}

void helm_dependency_clear(helm_dependency *d) {
  free(d->name);
  free(d->version);
  free(d->repository);
  free(d->condition);
  free(d->alias);
  for (size_t i = 0; i < d->n_tags; i++)
    free(d->tags[i]);
  free(d->tags);
  helm_value_free(d->import_values);
  memset(d, 0, sizeof *d);
}

int helm_dependency_from_value(helm_dependency *d, const helm_value *v) {
  field_err fe = {0};
  memset(d, 0, sizeof *d);
  d->name = str_field(&fe, v, "name", "name", "Dependency");
  d->version = str_field(&fe, v, "version", "version", "Dependency");
  d->repository = str_field(&fe, v, "repository", "repository", "Dependency");
  d->condition = str_field(&fe, v, "condition", "condition", "Dependency");
  d->alias = str_field(&fe, v, "alias", "alias", "Dependency");
  helm_value *tags = str_list(&fe, helm_map_get(v, "tags"), "Dependency", "tags");
  if (tags) {
    d->tags = calloc(tags->u.list.n + 1, sizeof(char *));
    for (size_t i = 0; d->tags && i < tags->u.list.n; i++)
      d->tags[d->n_tags++] = helm_strdup(tags->u.list.items[i]->u.str.s);
    helm_value_free(tags);
  }
  const helm_value *iv = helm_map_get(v, "import-values");
  if (iv && iv->type == HELM_LIST) d->import_values = helm_value_copy(iv);
  const helm_value *en = helm_map_get(v, "enabled");
  d->enabled = en && en->type == HELM_BOOL ? en->u.b : 0;
  sanitize(d->name);
  sanitize(d->version);
  sanitize(d->repository);
  sanitize(d->condition);
  sanitize(d->alias);
  if (!d->name || !d->version || !d->repository || !d->condition || !d->alias) return HELM_ENOMEM;
  return 0;
}

/* Dependencies value (typed, as chart.Dependency marshals to JSON). */
static helm_value *dep_value(const helm_dependency *d) {
  helm_value *m = helm_value_map();
  if (!m) return NULL;
  helm_map_set(m, "name", helm_value_string(d->name));
  if (*d->version) helm_map_set(m, "version", helm_value_string(d->version));
  helm_map_set(m, "repository", helm_value_string(d->repository));
  if (*d->condition) helm_map_set(m, "condition", helm_value_string(d->condition));
  if (d->n_tags) {
    helm_value *t = helm_value_list();
    for (size_t i = 0; t && i < d->n_tags; i++)
      helm_list_append(t, helm_value_string(d->tags[i]));
    helm_map_set(m, "tags", t);
  }
  if (d->enabled) helm_map_set(m, "enabled", helm_value_bool(1));
  if (d->import_values) helm_map_set(m, "import-values", helm_value_copy(d->import_values));
  if (*d->alias) helm_map_set(m, "alias", helm_value_string(d->alias));
  return m;
}

static int parse_deps(helm_chart *c, const helm_value *deps, field_err *fe) {
  for (size_t i = 0; i < c->n_deps; i++)
    helm_dependency_clear(&c->deps[i]);
  free(c->deps);
  c->deps = NULL;
  c->n_deps = 0;
  if (!deps || deps->type == HELM_NULL) return 0;
  if (deps->type != HELM_LIST)
    return fe->rc =
               HELM_ERR(fe->err, HELM_EYAML,
                        "cannot load %s: error unmarshaling JSON: while decoding JSON: json: "
                        "cannot unmarshal %s into Go struct field Metadata.dependencies of type "
                        "[]*chart.Dependency",
                        fe->file, json_kind(deps));
  c->deps = calloc(deps->u.list.n + 1, sizeof *c->deps);
  if (!c->deps) return fe->rc = HELM_ENOMEM_ERR(fe->err);
  for (size_t i = 0; i < deps->u.list.n; i++) {
    const helm_value *dv = deps->u.list.items[i];
    if (dv->type == HELM_NULL) continue;
    if (dv->type != HELM_MAP)
      return fe->rc =
                 HELM_ERR(fe->err, HELM_EYAML,
                          "cannot load %s: error unmarshaling JSON: while decoding JSON: "
                          "json: cannot unmarshal %s into Go struct field Metadata.dependencies "
                          "of type chart.Dependency",
                          fe->file, json_kind(dv));
    if (helm_dependency_from_value(&c->deps[c->n_deps], dv) != 0)
      return fe->rc = HELM_ENOMEM_ERR(fe->err);
    c->n_deps++;
  }
  return 0;
}

/* Rebuild c->metadata (the .Chart view) from the typed fields + extras. */
static int build_metadata(helm_chart *c, const helm_value *raw, field_err *fe) {
  helm_value *m = helm_value_map();
  if (!m) return HELM_ENOMEM_ERR(fe->err);
  static const char *const strs[] = {"name",       "home",        "version",   "description",
                                     "icon",       "apiVersion",  "condition", "tags",
                                     "appVersion", "kubeVersion", "type",      NULL};
  for (int i = 0; strs[i]; i++) {
    const char *k = strs[i];
    char *s;
    if (!strcmp(k, "name"))
      s = helm_strdup(c->name);
    else if (!strcmp(k, "version"))
      s = helm_strdup(c->version);
    else if (!strcmp(k, "apiVersion"))
      s = helm_strdup(c->api_version);
    else if (!strcmp(k, "appVersion"))
      s = helm_strdup(c->app_version);
    else if (!strcmp(k, "kubeVersion"))
      s = helm_strdup(c->kube_version);
    else if (!strcmp(k, "type"))
      s = helm_strdup(c->type);
    else if (!strcmp(k, "description"))
      s = helm_strdup(c->description);
    else if (!strcmp(k, "condition"))
      s = helm_strdup(c->condition);
    else if (!strcmp(k, "tags"))
      s = helm_strdup(c->tags);
    else {
      s = str_field(fe, raw, k, k, "Metadata");
      sanitize(s);
    }
    if (s && *s) helm_map_set(m, k, helm_value_string(s));
    free(s);
  }
  helm_value *l = str_list(fe, helm_map_get(raw, "sources"), "Metadata", "sources");
  if (l && l->u.list.n)
    helm_map_set(m, "sources", l);
  else
    helm_value_free(l);
  l = str_list(fe, helm_map_get(raw, "keywords"), "Metadata", "keywords");
  if (l && l->u.list.n)
    helm_map_set(m, "keywords", l);
  else
    helm_value_free(l);
  const helm_value *mt = helm_map_get(raw, "maintainers");
  if (mt && mt->type == HELM_LIST && mt->u.list.n) {
    helm_value *ml = helm_value_list();
    for (size_t i = 0; ml && i < mt->u.list.n; i++) {
      const helm_value *e = mt->u.list.items[i];
      helm_value *o = helm_value_map();
      if (!o) break;
      if (e->type == HELM_MAP) {
        static const char *const mk[] = {"name", "email", "url", NULL};
        for (int j = 0; mk[j]; j++) {
          char *s = str_field(fe, e, mk[j], mk[j], "Maintainer");
          sanitize(s);
          if (s && *s) helm_map_set(o, mk[j], helm_value_string(s));
          free(s);
        }
      }
      helm_list_append(ml, o);
    }
    helm_map_set(m, "maintainers", ml);
  }
  if (c->deprecated) helm_map_set(m, "deprecated", helm_value_bool(1));
  const helm_value *an = helm_map_get(raw, "annotations");
  if (an && an->type == HELM_MAP && an->u.map.n) {
    helm_value *am = helm_value_map();
    for (size_t i = 0; am && i < an->u.map.n; i++) {
      int bad = 0;
      char *s = as_string(an->u.map.vals[i], &bad);
      if (bad && !fe->rc)
        fe->rc = HELM_ERR(fe->err, HELM_EYAML,
                          "cannot load %s: error unmarshaling JSON: while decoding JSON: "
                          "json: cannot unmarshal %s into Go struct field "
                          "Metadata.annotations of type string",
                          fe->file, json_kind(an->u.map.vals[i]));
      if (s) helm_map_set(am, an->u.map.keys[i], helm_value_string(s));
      free(s);
    }
    helm_map_set(m, "annotations", am);
  }
  if (c->n_deps) {
    helm_value *dl = helm_value_list();
    for (size_t i = 0; dl && i < c->n_deps; i++)
      helm_list_append(dl, dep_value(&c->deps[i]));
    helm_map_set(m, "dependencies", dl);
  }
  helm_value_free(c->metadata);
  c->metadata = m;
  return fe->rc;
}

int helm_chartfile_parse(helm_chart *c, const char *text, size_t len, helm_error *err) {
  helm_value *raw = NULL;
  int rc = helm_yaml_parse(text, len, &raw, err);
  if (rc) return helm_error_wrap(err, "cannot load Chart.yaml");
  field_err fe = {.err = err, .file = "Chart.yaml"};
  if (raw->type == HELM_NULL) {
    helm_value_free(raw);
    raw = helm_value_map();
    if (!raw) return HELM_ENOMEM_ERR(err);
  }
  if (raw->type != HELM_MAP) {
    rc = HELM_ERR(err, HELM_EYAML,
                  "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: "
                  "cannot unmarshal %s into Go value of type chart.Metadata",
                  json_kind(raw));
    helm_value_free(raw);
    return rc;
  }
#define SET(field, key)                                                                            \
  do {                                                                                             \
    free(c->field);                                                                                \
    c->field = str_field(&fe, raw, key, key, "Metadata");                                          \
    sanitize(c->field);                                                                            \
  } while (0)
  SET(api_version, "apiVersion");
  SET(name, "name");
  SET(version, "version");
  SET(app_version, "appVersion");
  SET(type, "type");
  SET(kube_version, "kubeVersion");
  SET(description, "description");
  SET(condition, "condition");
  SET(tags, "tags");
#undef SET
  const helm_value *dep = helm_map_get(raw, "deprecated");
  c->deprecated = dep && dep->type == HELM_BOOL && dep->u.b;
  if (!fe.rc && !*c->api_version) {
    free(c->api_version);
    c->api_version = helm_strdup("v1");
  }
  if (!fe.rc) parse_deps(c, helm_map_get(raw, "dependencies"), &fe);
  if (!fe.rc) build_metadata(c, raw, &fe);
  helm_value_free(raw);
  return fe.rc;
}

int helm_chartfile_parse_requirements(helm_chart *c, const char *text, size_t len,
                                      helm_error *err) {
  helm_value *raw = NULL;
  int rc = helm_yaml_parse(text, len, &raw, err);
  if (rc) return helm_error_wrap(err, "cannot load requirements.yaml");
  field_err fe = {.err = err, .file = "requirements.yaml"};
  if (raw->type == HELM_MAP) {
    const helm_value *d = helm_map_get(raw, "dependencies");
    if (d) parse_deps(c, d, &fe);
    if (!fe.rc && c->metadata) {
      helm_value *dl = helm_value_list();
      for (size_t i = 0; dl && i < c->n_deps; i++)
        helm_list_append(dl, dep_value(&c->deps[i]));
      helm_map_set(c->metadata, "dependencies", dl);
    }
  }
  helm_value_free(raw);
  return fe.rc;
}

/* Masterminds semver.NewVersion (loose: optional v, 1-3 parts). */
static int valid_semver(const char *s) {
  const char *p = s;
  if (*p == 'v') p++;
  for (int part = 0; part < 3; part++) {
    if (!isdigit((unsigned char)*p)) return 0;
    while (isdigit((unsigned char)*p))
      p++;
    if (*p != '.') break;
    if (part == 2) return 0;
    p++;
  }
  if (*p == '-') {
    p++;
    if (!*p) return 0;
    while (isalnum((unsigned char)*p) || *p == '-' || *p == '.')
      p++;
  }
  if (*p == '+') {
    p++;
    if (!*p) return 0;
    while (isalnum((unsigned char)*p) || *p == '-' || *p == '.')
      p++;
  }
  return *p == 0;
}

int helm_chart_validate(const helm_chart *c, helm_error *err) {
  if (!c->api_version || !*c->api_version)
    return HELM_ERR(err, HELM_EINVALID, "validation: chart.metadata.apiVersion is required");
  if (!c->name || !*c->name)
    return HELM_ERR(err, HELM_EINVALID, "validation: chart.metadata.name is required");
  if (strchr(c->name, '/') || !strcmp(c->name, ".") || !strcmp(c->name, ".."))
    return HELM_ERR(err, HELM_EINVALID, "validation: chart.metadata.name \"%s\" is invalid",
                    c->name);
  if (!c->version || !*c->version)
    return HELM_ERR(err, HELM_EINVALID, "validation: chart.metadata.version is required");
  if (!valid_semver(c->version))
    return HELM_ERR(err, HELM_EINVALID, "validation: chart.metadata.version \"%s\" is invalid",
                    c->version);
  if (c->type && *c->type && strcmp(c->type, "application") && strcmp(c->type, "library"))
    return HELM_ERR(err, HELM_EINVALID,
                    "validation: chart.metadata.type must be application or library");
  for (size_t i = 0; i < c->n_deps; i++) {
    const helm_dependency *d = &c->deps[i];
    if (*d->alias) {
      for (const char *p = d->alias; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
          return HELM_ERR(err, HELM_EINVALID,
                          "validation: dependency \"%s\" has disallowed characters in the alias",
                          d->name);
    }
    const char *key = *d->alias ? d->alias : d->name;
    for (size_t j = 0; j < i; j++) {
      const char *k2 = *c->deps[j].alias ? c->deps[j].alias : c->deps[j].name;
      if (!strcmp(k2, key))
        return HELM_ERR(err, HELM_EINVALID,
                        "validation: more than one dependency with name or alias \"%s\"", key);
    }
  }
  return 0;
}

/* engine/manifest — node tree -> JSON, as sigs.k8s.io/yaml does it on top
 * of yaml.v2: scalar resolution and tags, aliases (with an expansion cap),
 * merge keys with yaml.v2's override order, keys converted to strings,
 * duplicate keys rejected, inf/nan rejected. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_yaml.h"

#define TAG_MERGE MF_TAG_PREFIX "merge"

static int fail(mf_decoder *d, int code, const mf_node *n, const char *fmt, const char *a,
                const char *b, const char *c) {
  char msg[400];
  snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "", c ? c : "");
  return mf_err_set(d->err, code, d->file, n ? n->line : 0, n ? n->col : 0,
                    "error converting YAML to JSON: %s", msg);
}

static int oom(mf_decoder *d) {
  return mf_err_oom(d->err, d->file);
}

/* Printable excerpt of a scalar for messages. */
static const char *excerpt(const mf_node *n, char *buf, size_t cap) {
  size_t m = n->len < cap - 4 ? n->len : cap - 4;
  size_t o = 0;
  for (size_t i = 0; i < m; i++)
    buf[o++] = (n->value[i] >= 0x20 && n->value[i] != 0x7f) || (unsigned char)n->value[i] >= 0x80
                   ? n->value[i]
                   : '?';
  if (m < n->len) buf[o++] = '.', buf[o++] = '.', buf[o++] = '.';
  buf[o] = '\0';
  return buf;
}

static int count(mf_decoder *d, const mf_node *n) {
  if (d->alias_depth > 0 && ++d->alias_nodes > d->opts->max_alias_nodes) {
    char lim[32];
    snprintf(lim, sizeof(lim), "%zu", d->opts->max_alias_nodes);
    return fail(
        d, MF_ELIMIT, n,
        "yaml: document contains excessive aliasing (more than %s nodes expanded through aliases)",
        lim, NULL, NULL);
  }
  return 0;
}

static int check_depth(mf_decoder *d, const mf_node *n, int depth) {
  if (depth > d->opts->max_depth) {
    char lim[32];
    snprintf(lim, sizeof(lim), "%d", d->opts->max_depth);
    return fail(d, MF_ELIMIT, n, "nesting deeper than %s levels", lim, NULL, NULL);
  }
  return 0;
}

/* A resolved scalar (after tags). */
typedef struct scalar {
  mf_resolved r;
  char *str; /* for strings: the bytes (binary decoded), NUL-terminated */
  size_t len;
} scalar;

static int resolve_scalar(mf_decoder *d, const mf_node *n, scalar *s) {
  memset(s, 0, sizeof(*s));
  char ex[80], t1[80], t2[80];
  if (!n->tag && !n->implicit) {
    s->r.kind = MF_R_STR;
  } else if (mf_resolve(n->tag ? n->tag : "", n->value, n->len, &s->r) < 0) {
    mf_resolved plain;
    mf_resolve("", n->value, n->len, &plain);
    const char *got = plain.kind == MF_R_BOOL                                 ? "!!bool"
                      : plain.kind == MF_R_NULL                               ? "!!null"
                      : plain.kind == MF_R_INT                                ? "!!int"
                      : plain.kind == MF_R_FLOAT || plain.kind == MF_R_BIGINT ? "!!float"
                      : plain.kind == MF_R_TIMESTAMP                          ? "!!timestamp"
                      : plain.kind == MF_R_MERGE                              ? "!!merge"
                                                                              : "!!str";
    snprintf(t1, sizeof(t1), "%s", got);
    return fail(d, MF_EVALUE, n, "yaml: cannot decode %s `%s` as a %s", t1,
                excerpt(n, ex, sizeof(ex)), mf_short_tag(n->tag, t2, sizeof(t2)));
  }
  if (s->r.kind == MF_R_BINARY) {
    bool is_oom;
    s->str = mf_base64_decode(n->value, n->len, &s->len, &is_oom);
    if (!s->str)
      return is_oom ? oom(d)
                    : fail(d, MF_EVALUE, n, "yaml: !!binary value contains invalid base64 data",
                           NULL, NULL, NULL);
    s->r.kind = MF_R_STR;
  }
  if (s->r.kind == MF_R_STR || s->r.kind == MF_R_TIMESTAMP || s->r.kind == MF_R_MERGE) {
    if (!s->str) {
      s->str = malloc(n->len + 1);
      if (!s->str) return oom(d);
      memcpy(s->str, n->value, n->len);
      s->str[n->len] = '\0';
      s->len = n->len;
    }
    if (memchr(s->str, '\0', s->len)) {
      free(s->str);
      s->str = NULL;
      return fail(d, MF_EVALUE, n, "strings with NUL characters are not supported", NULL, NULL,
                  NULL);
    }
    if (!mf_utf8_valid(s->str, s->len)) {
      char *fixed = mf_utf8_sanitize(s->str, s->len);
      free(s->str);
      s->str = fixed;
      if (!fixed) return oom(d);
      s->len = strlen(fixed);
    }
    s->r.kind = MF_R_STR;
  }
  return 0;
}

static int scalar_json(mf_decoder *d, const mf_node *n, cJSON **out) {
  scalar s;
  int rc = resolve_scalar(d, n, &s);
  if (rc) return rc;
  char num[64];
  switch (s.r.kind) {
  case MF_R_NULL:
    *out = cJSON_CreateNull();
    break;
  case MF_R_BOOL:
    *out = cJSON_CreateBool(s.r.b);
    break;
  case MF_R_INT:
  case MF_R_BIGINT:
    *out = mf_raw_number(s.r.num);
    break;
  case MF_R_FLOAT:
    if (!isfinite(s.r.f)) {
      mf_fmt_go_g(s.r.f, 64, num, sizeof(num));
      return fail(d, MF_EVALUE, n,
                  "json: unsupported value: %s (.inf and .nan cannot be represented in JSON)", num,
                  NULL, NULL);
    }
    mf_fmt_go_json(s.r.f, num, sizeof(num));
    *out = mf_raw_number(num);
    break;
  default:
    *out = cJSON_CreateString(s.str);
    break;
  }
  free(s.str);
  return *out ? 0 : oom(d);
}

/* A mapping key as sigs.k8s.io/yaml turns it into a JSON object key. */
static int key_string(mf_decoder *d, mf_node *k, char **out) {
  mf_node *kn = k;
  int rc;
  if (kn->kind == MF_N_ALIAS) {
    kn = kn->target;
    if ((rc = count(d, kn))) return rc;
  }
  if (kn->kind != MF_N_SCALAR)
    return fail(d, MF_EVALUE, k, "yaml: invalid map key: a %s cannot be a mapping key",
                kn->kind == MF_N_SEQ ? "sequence" : "mapping", NULL, NULL);
  scalar s;
  if ((rc = resolve_scalar(d, kn, &s))) return rc;
  char buf[sizeof(s.r.num)];
  char ex[80];
  switch (s.r.kind) {
  case MF_R_STR:
    *out = s.str;
    return 0;
  case MF_R_NULL:
    return fail(d, MF_EVALUE, k, "unsupported map key of type: null, key: %s",
                excerpt(kn, ex, sizeof(ex)), NULL, NULL);
  case MF_R_BOOL:
    snprintf(buf, sizeof(buf), "%s", s.r.b ? "true" : "false");
    break;
  case MF_R_INT:
    if (s.r.is_unsigned)
      return fail(d, MF_EVALUE, k, "unsupported map key of type: uint64, key: %s",
                  excerpt(kn, ex, sizeof(ex)), NULL, NULL);
    snprintf(buf, sizeof(buf), "%s", s.r.num);
    break;
  case MF_R_FLOAT:
  case MF_R_BIGINT:
    mf_fmt_go_g(s.r.f, 32, buf, sizeof(buf));
    if (!strcmp(buf, "+Inf"))
      snprintf(buf, sizeof(buf), ".inf");
    else if (!strcmp(buf, "-Inf"))
      snprintf(buf, sizeof(buf), "-.inf");
    else if (!strcmp(buf, "NaN"))
      snprintf(buf, sizeof(buf), ".nan");
    break;
  default:
    *out = s.str;
    return 0;
  }
  free(s.str);
  *out = strdup(buf);
  return *out ? 0 : oom(d);
}

static bool is_merge(const mf_node *k) {
  return k->kind == MF_N_SCALAR && k->len == 2 && memcmp(k->value, "<<", 2) == 0 &&
         (k->implicit || (k->tag && !strcmp(k->tag, TAG_MERGE)));
}

typedef struct mapctx {
  cJSON *obj;
  mf_strmap keys; /* key -> cJSON item; aux = pass that set it; line */
} mapctx;

static int map_into(mf_decoder *d, mf_node *n, mapctx *m, int depth);

static int merge_one(mf_decoder *d, mf_node *v, mapctx *m, int depth) {
  int rc;
  if (v->kind == MF_N_MAP) return map_into(d, v, m, depth);
  if (v->kind == MF_N_ALIAS && v->target->kind == MF_N_MAP) {
    if (v->visiting)
      return fail(d, MF_EVALUE, v, "yaml: anchor '%s' value contains itself", v->value, NULL, NULL);
    v->visiting = true;
    d->alias_depth++;
    rc = count(d, v->target);
    if (!rc) rc = map_into(d, v->target, m, depth);
    d->alias_depth--;
    v->visiting = false;
    return rc;
  }
  return fail(d, MF_EVALUE, v, "yaml: map merge requires map or sequence of maps as the value",
              NULL, NULL, NULL);
}

static int merge(mf_decoder *d, mf_node *v, mapctx *m, int depth) {
  if (v->kind == MF_N_SEQ) {
    /* Backwards: earlier maps take precedence. */
    for (size_t i = v->n; i-- > 0;) {
      int rc = merge_one(d, v->kids[i], m, depth);
      if (rc) return rc;
    }
    return 0;
  }
  return merge_one(d, v, m, depth);
}

static int map_into(mf_decoder *d, mf_node *n, mapctx *m, int depth) {
  long pass = ++d->pass;
  int rc;
  for (size_t i = 0; i + 1 < n->n; i += 2) {
    mf_node *k = n->kids[i], *v = n->kids[i + 1];
    if (is_merge(k)) {
      if ((rc = merge(d, v, m, depth))) return rc;
      continue;
    }
    char *key = NULL;
    if ((rc = count(d, k)) || (rc = key_string(d, k, &key))) return rc;
    cJSON *val = NULL;
    if ((rc = mf_decode_node(d, v, depth + 1, &val))) {
      free(key);
      return rc;
    }
    bool created;
    mf_strmap_ent *e = mf_strmap_put(&m->keys, key, strlen(key), &created);
    if (!e) {
      free(key);
      cJSON_Delete(val);
      return oom(d);
    }
    if (!created && e->aux == pass) {
      char line[32];
      snprintf(line, sizeof(line), "%d", e->line);
      rc = fail(d, MF_EDUPKEY, k, "yaml: mapping key \"%s\" already defined at line %s", key, line,
                NULL);
      free(key);
      cJSON_Delete(val);
      return rc;
    }
    e->aux = pass;
    e->line = k->line;
    if (created) {
      if (!cJSON_AddItemToObject(m->obj, key, val)) {
        free(key);
        cJSON_Delete(val);
        return oom(d);
      }
      free(key);
    } else {
      /* ReplaceItemViaPointer does not name the new item */
      val->string = key;
      cJSON_ReplaceItemViaPointer(m->obj, e->ptr, val);
    }
    e->ptr = val;
  }
  return 0;
}

int mf_decode_node(mf_decoder *d, mf_node *n, int depth, cJSON **out) {
  int rc;
  *out = NULL;
  if ((rc = check_depth(d, n, depth)) || (rc = count(d, n))) return rc;
  switch (n->kind) {
  case MF_N_ALIAS:
    if (n->visiting)
      return fail(d, MF_EVALUE, n, "yaml: anchor '%s' value contains itself", n->value, NULL, NULL);
    n->visiting = true;
    d->alias_depth++;
    rc = mf_decode_node(d, n->target, depth, out);
    d->alias_depth--;
    n->visiting = false;
    return rc;
  case MF_N_SCALAR:
    return scalar_json(d, n, out);
  case MF_N_SEQ: {
    cJSON *arr = cJSON_CreateArray();
    if (!arr) return oom(d);
    for (size_t i = 0; i < n->n; i++) {
      cJSON *item;
      if ((rc = mf_decode_node(d, n->kids[i], depth + 1, &item))) {
        cJSON_Delete(arr);
        return rc;
      }
      if (!cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        cJSON_Delete(arr);
        return oom(d);
      }
    }
    *out = arr;
    return 0;
  }
  case MF_N_MAP: {
    mapctx m = {.obj = cJSON_CreateObject()};
    if (!m.obj) return oom(d);
    rc = map_into(d, n, &m, depth);
    mf_strmap_free(&m.keys);
    if (rc) {
      cJSON_Delete(m.obj);
      return rc;
    }
    *out = m.obj;
    return 0;
  }
  }
  return fail(d, MF_EINVAL, n, "internal: unknown node kind", NULL, NULL, NULL);
}

/* gitops_helm_release: Helm 3 release storage codec, release building, index.yaml
 * version selection and redaction (see hr_release.h). */
#include "resources/hr_release.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "engine/manifest/manifest.h"

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...) {
  if (err && cap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* ---------- base64 ---------- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *hr_base64_encode(const unsigned char *data, size_t len) {
  char *out = malloc(4 * ((len + 2) / 3) + 1);
  if (!out) return NULL;
  size_t o = 0, i = 0;
  for (; i + 2 < len; i += 3) {
    unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
    out[o++] = B64[v >> 18];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = B64[(v >> 6) & 63];
    out[o++] = B64[v & 63];
  }
  if (i < len) {
    unsigned v = (unsigned)data[i] << 16 | (i + 1 < len ? (unsigned)data[i + 1] << 8 : 0);
    out[o++] = B64[v >> 18];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = i + 1 < len ? B64[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  out[o] = 0;
  return out;
}

static int b64val(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

unsigned char *hr_base64_decode(const char *s, size_t len, size_t *out_len) {
  unsigned char *out = malloc(len / 4 * 3 + 4);
  if (!out) return NULL;
  size_t o = 0;
  unsigned acc = 0;
  int bits = 0, pad = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isspace(c)) continue;
    if (c == '=') {
      pad++;
      continue;
    }
    int v = b64val(c);
    if (v < 0 || pad) {
      free(out);
      return NULL;
    }
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (pad > 2) {
    free(out);
    return NULL;
  }
  out[o] = 0;
  *out_len = o;
  return out;
}

/* ---------- gzip ---------- */

static unsigned char *gzip_bytes(const char *in, size_t len, size_t *out_len) {
  z_stream z = {0};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  size_t cap = deflateBound(&z, (uLong)len) + 32;
  unsigned char *out = malloc(cap);
  if (!out) {
    deflateEnd(&z);
    return NULL;
  }
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)len;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  *out_len = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

#define HR_MAX_RELEASE (64u << 20)

static char *gunzip_bytes(const unsigned char *in, size_t len, size_t *out_len) {
  z_stream z = {0};
  if (inflateInit2(&z, 31) != Z_OK) return NULL;
  size_t cap = len * 4 + 1024, n = 0;
  char *out = malloc(cap + 1);
  int rc = Z_OK;
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)len;
  while (out && rc != Z_STREAM_END) {
    if (n == cap) {
      char *g = cap * 2 <= HR_MAX_RELEASE ? realloc(out, cap * 2 + 1) : NULL;
      if (!g) {
        free(out);
        out = NULL;
        break;
      }
      out = g;
      cap *= 2;
    }
    z.next_out = (Bytef *)out + n;
    z.avail_out = (uInt)(cap - n);
    rc = inflate(&z, Z_NO_FLUSH);
    n = cap - z.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END) {
      free(out);
      out = NULL;
    }
  }
  inflateEnd(&z);
  if (out) {
    out[n] = 0;
    *out_len = n;
  }
  return out;
}

/* ---------- codec ---------- */

char *hr_release_encode(const cJSON *release) {
  char *json = cJSON_PrintUnformatted(release);
  if (!json) return NULL;
  size_t zlen = 0;
  unsigned char *z = gzip_bytes(json, strlen(json), &zlen);
  free(json);
  if (!z) return NULL;
  char *b = hr_base64_encode(z, zlen);
  free(z);
  return b;
}

int hr_release_decode(const char *text, size_t len, cJSON **out, char *err, size_t errcap) {
  size_t blen = 0;
  unsigned char *b = hr_base64_decode(text, len, &blen);
  if (!b) return fail(err, errcap, "release data is not valid base64");
  char *json = (char *)b;
  size_t jlen = blen;
  if (blen >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 0x08) {
    json = gunzip_bytes(b, blen, &jlen);
    free(b);
    if (!json) return fail(err, errcap, "release data: corrupt gzip stream");
  }
  cJSON *j = cJSON_ParseWithLength(json, jlen);
  free(json);
  if (!cJSON_IsObject(j)) {
    cJSON_Delete(j);
    return fail(err, errcap, "release data is not a JSON object");
  }
  *out = j;
  return 0;
}

void hr_secret_name(const char *name, long revision, char *buf, size_t cap) {
  snprintf(buf, cap, "sh.helm.release.v1.%s.v%ld", name, revision);
}

const char *hr_release_str(const cJSON *rel, const char *dotted) {
  char part[128];
  const cJSON *cur = rel;
  while (cur && *dotted) {
    const char *dot = strchr(dotted, '.');
    size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
    if (n >= sizeof part) return NULL;
    memcpy(part, dotted, n);
    part[n] = 0;
    cur = cJSON_GetObjectItemCaseSensitive(cur, part);
    dotted += n + (dot ? 1 : 0);
  }
  return cJSON_IsString(cur) ? cur->valuestring : NULL;
}

long hr_release_version(const cJSON *rel) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(rel, "version");
  return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

static void set_str(cJSON *obj, const char *key, const char *val) {
  cJSON *s = cJSON_CreateString(val ? val : "");
  if (cJSON_GetObjectItemCaseSensitive(obj, key))
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, s);
  else
    cJSON_AddItemToObject(obj, key, s);
}

int hr_release_set_status(cJSON *rel, const char *status, const char *description) {
  cJSON *info = cJSON_GetObjectItemCaseSensitive(rel, "info");
  if (!cJSON_IsObject(info)) return -1;
  set_str(info, "status", status);
  if (description) set_str(info, "description", description);
  return 0;
}

cJSON *hr_release_secret(const cJSON *rel, long modified_at) {
  const char *name = hr_release_str(rel, "name");
  const char *ns = hr_release_str(rel, "namespace");
  const char *status = hr_release_str(rel, "info.status");
  long ver = hr_release_version(rel);
  char sname[512], vbuf[32], mbuf[32];
  if (!name) return NULL;
  hr_secret_name(name, ver, sname, sizeof sname);
  snprintf(vbuf, sizeof vbuf, "%ld", ver);
  snprintf(mbuf, sizeof mbuf, "%ld", modified_at);
  char *enc = hr_release_encode(rel);
  char *enc2 = enc ? hr_base64_encode((const unsigned char *)enc, strlen(enc)) : NULL;
  free(enc);
  if (!enc2) return NULL;
  cJSON *s = cJSON_CreateObject();
  cJSON_AddStringToObject(s, "apiVersion", "v1");
  cJSON_AddStringToObject(s, "kind", "Secret");
  cJSON *md = cJSON_AddObjectToObject(s, "metadata");
  cJSON_AddStringToObject(md, "name", sname);
  cJSON_AddStringToObject(md, "namespace", ns ? ns : "default");
  cJSON *labels = cJSON_AddObjectToObject(md, "labels");
  cJSON_AddStringToObject(labels, "modifiedAt", mbuf);
  cJSON_AddStringToObject(labels, "name", name);
  cJSON_AddStringToObject(labels, "owner", "helm");
  cJSON_AddStringToObject(labels, "status", status ? status : "unknown");
  cJSON_AddStringToObject(labels, "version", vbuf);
  cJSON_AddStringToObject(s, "type", "helm.sh/release.v1");
  cJSON *data = cJSON_AddObjectToObject(s, "data");
  cJSON_AddStringToObject(data, "release", enc2);
  free(enc2);
  return s;
}

int hr_release_from_secret(const cJSON *secret, cJSON **out, char *err, size_t errcap) {
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(secret, "data");
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(data, "release");
  if (!cJSON_IsString(r)) return fail(err, errcap, "the release Secret has no data.release");
  size_t n = 0;
  unsigned char *inner = hr_base64_decode(r->valuestring, strlen(r->valuestring), &n);
  if (!inner) return fail(err, errcap, "data.release of the release Secret is not base64");
  int rc = hr_release_decode((const char *)inner, n, out, err, errcap);
  free(inner);
  return rc;
}

void hr_time_now(char *buf, size_t cap) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  char base[64];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, cap, "%s.%09ldZ", base, (long)ts.tv_nsec);
}

/* ---------- building ---------- */

static cJSON *value_json(const helm_value *v) {
  if (!v) return cJSON_CreateObject();
  char *s = helm_value_to_json(v);
  cJSON *j = s ? cJSON_Parse(s) : NULL;
  free(s);
  return j ? j : cJSON_CreateObject();
}

static cJSON *files_json(const helm_file *f, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", f[i].name);
    char *b = hr_base64_encode(f[i].data, f[i].size);
    cJSON_AddStringToObject(o, "data", b ? b : "");
    free(b);
    cJSON_AddItemToArray(a, o);
  }
  return a;
}

static cJSON *split_csv(const char *s) {
  cJSON *a = cJSON_CreateArray();
  while (s && *s) {
    const char *c = strchr(s, ',');
    size_t n = c ? (size_t)(c - s) : strlen(s);
    while (n && isspace((unsigned char)*s))
      s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
      n--;
    if (n) {
      char *t = strndup(s, n);
      cJSON_AddItemToArray(a, cJSON_CreateString(t ? t : ""));
      free(t);
    }
    s = c ? c + 1 : NULL;
  }
  return a;
}

static cJSON *hook_json(const helm_manifest *h) {
  cJSON *docs = NULL;
  mf_error e = {0};
  mf_parse_opts po;
  mf_parse_opts_default(&po);
  mf_yaml_to_json(h->content, strlen(h->content), h->name, &po, &docs, &e);
  const cJSON *doc = cJSON_GetArrayItem(docs, 0);
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
  const cJSON *nm = cJSON_GetObjectItemCaseSensitive(md, "name");
  const cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
  const cJSON *ev = cJSON_GetObjectItemCaseSensitive(ann, "helm.sh/hook");
  const cJSON *dp = cJSON_GetObjectItemCaseSensitive(ann, "helm.sh/hook-delete-policy");
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "name", cJSON_IsString(nm) ? nm->valuestring : "");
  cJSON_AddStringToObject(o, "kind", h->kind ? h->kind : "");
  cJSON_AddStringToObject(o, "path", h->name);
  cJSON_AddStringToObject(o, "manifest", h->content);
  cJSON_AddItemToObject(o, "events", split_csv(cJSON_IsString(ev) ? ev->valuestring : ""));
  cJSON *lr = cJSON_AddObjectToObject(o, "last_run");
  cJSON_AddStringToObject(lr, "started_at", "");
  cJSON_AddStringToObject(lr, "completed_at", "");
  cJSON_AddStringToObject(lr, "phase", "");
  if (h->weight) cJSON_AddNumberToObject(o, "weight", h->weight);
  if (cJSON_IsString(dp) && *dp->valuestring)
    cJSON_AddItemToObject(o, "delete_policies", split_csv(dp->valuestring));
  cJSON_Delete(docs);
  return o;
}

cJSON *hr_release_build(const char *name, const char *ns, long revision, const char *status,
                        const char *description, const char *first_deployed,
                        const char *last_deployed, const helm_chart *c, const helm_value *config,
                        const helm_release *r) {
  cJSON *rel = cJSON_CreateObject();
  cJSON_AddStringToObject(rel, "name", name);
  cJSON *info = cJSON_AddObjectToObject(rel, "info");
  cJSON_AddStringToObject(info, "first_deployed", first_deployed ? first_deployed : "");
  cJSON_AddStringToObject(info, "last_deployed", last_deployed ? last_deployed : "");
  cJSON_AddStringToObject(info, "deleted", "");
  cJSON_AddStringToObject(info, "description", description ? description : "");
  cJSON_AddStringToObject(info, "status", status);
  if (r && r->notes && *r->notes) cJSON_AddStringToObject(info, "notes", r->notes);
  cJSON *chart = cJSON_AddObjectToObject(rel, "chart");
  cJSON_AddItemToObject(chart, "metadata", value_json(c ? c->metadata : NULL));
  cJSON_AddNullToObject(chart, "lock");
  cJSON_AddItemToObject(chart, "templates",
                        c ? files_json(c->templates, c->n_templates) : cJSON_CreateArray());
  cJSON_AddItemToObject(chart, "values", value_json(c ? c->values : NULL));
  if (c && c->schema) {
    char *b = hr_base64_encode((const unsigned char *)c->schema, c->schema_len);
    cJSON_AddStringToObject(chart, "schema", b ? b : "");
    free(b);
  } else {
    cJSON_AddNullToObject(chart, "schema");
  }
  cJSON_AddItemToObject(chart, "files", c ? files_json(c->files, c->n_files) : cJSON_CreateArray());
  cJSON_AddItemToObject(rel, "config", value_json(config));
  cJSON_AddStringToObject(rel, "manifest", r && r->manifest ? r->manifest : "");
  if (r && r->n_hooks) {
    cJSON *hooks = cJSON_AddArrayToObject(rel, "hooks");
    for (size_t i = 0; i < r->n_hooks; i++)
      cJSON_AddItemToArray(hooks, hook_json(&r->hooks[i]));
  }
  cJSON_AddNumberToObject(rel, "version", (double)revision);
  cJSON_AddStringToObject(rel, "namespace", ns);
  return rel;
}

/* ---------- index.yaml ---------- */

void hr_chart_version_clear(hr_chart_version *v) {
  free(v->version);
  free(v->app_version);
  free(v->url);
  free(v->digest);
  memset(v, 0, sizeof *v);
}

typedef struct {
  long num[3];
  const char *pre; /* points into the string, ends at '+' or NUL */
  size_t pre_len;
} semver;

static int semver_parse(const char *s, semver *v) {
  memset(v, 0, sizeof *v);
  if (*s == 'v' || *s == 'V') s++;
  for (int i = 0; i < 3; i++) {
    if (!isdigit((unsigned char)*s)) {
      if (i == 0) return -1;
      break; /* Masterminds accepts 1 and 1.2 */
    }
    char *end;
    v->num[i] = strtol(s, &end, 10);
    s = end;
    if (i < 2 && *s == '.')
      s++;
    else
      break;
  }
  if (*s == '-') {
    v->pre = ++s;
    v->pre_len = strcspn(s, "+");
    s += v->pre_len;
  }
  return *s == 0 || *s == '+' ? 0 : -1;
}

static int pre_compare(const char *a, size_t al, const char *b, size_t bl) {
  if (!al && !bl) return 0;
  if (!al) return 1; /* a release is higher than its prereleases */
  if (!bl) return -1;
  while (al && bl) {
    size_t an = strcspn(a, "."), bn = strcspn(b, ".");
    if (an > al) an = al;
    if (bn > bl) bn = bl;
    int anum = 1, bnum = 1;
    for (size_t i = 0; i < an; i++)
      anum &= isdigit((unsigned char)a[i]) != 0;
    for (size_t i = 0; i < bn; i++)
      bnum &= isdigit((unsigned char)b[i]) != 0;
    int c;
    if (anum && bnum) {
      long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
      c = x < y ? -1 : x > y;
    } else if (anum != bnum) {
      c = anum ? -1 : 1;
    } else {
      c = strncmp(a, b, an < bn ? an : bn);
      if (!c) c = an < bn ? -1 : an > bn;
    }
    if (c) return c;
    a += an, al -= an, b += bn, bl -= bn;
    if (al) a++, al--;
    if (bl) b++, bl--;
  }
  return al ? 1 : bl ? -1 : 0;
}

int hr_semver_compare(const char *a, const char *b) {
  semver x, y;
  int xa = semver_parse(a, &x) == 0, ya = semver_parse(b, &y) == 0;
  if (!xa || !ya) return xa - ya;
  for (int i = 0; i < 3; i++)
    if (x.num[i] != y.num[i]) return x.num[i] < y.num[i] ? -1 : 1;
  return pre_compare(x.pre, x.pre_len, y.pre, y.pre_len);
}

static char *map_str(const helm_value *m, const char *key) {
  const helm_value *v = helm_map_get(m, key);
  if (!v || v->type != HELM_STRING) return NULL;
  return strdup(v->u.str.s);
}

static char *resolve_url(const char *repo, const char *url) {
  if (strstr(url, "://")) return strdup(url);
  size_t rl = strlen(repo);
  while (rl && repo[rl - 1] == '/')
    rl--;
  while (*url == '/')
    url++; /* Helm resolves against the repository URL as a directory */
  char *out = malloc(rl + strlen(url) + 2);
  if (out) sprintf(out, "%.*s/%s", (int)rl, repo, url);
  return out;
}

int hr_index_select(const char *text, size_t len, const char *repo_url, const char *chart,
                    const char *constraint, hr_chart_version *out, char *err, size_t errcap) {
  helm_value *idx = NULL;
  helm_error he = {0};
  memset(out, 0, sizeof *out);
  if (helm_yaml_parse(text, len, &idx, &he) != 0) {
    fail(err, errcap, "index.yaml of %s: %s", repo_url, he.message ? he.message : "invalid YAML");
    helm_error_clear(&he);
    return -1;
  }
  const helm_value *entries = idx && idx->type == HELM_MAP ? helm_map_get(idx, "entries") : NULL;
  const helm_value *list =
      entries && entries->type == HELM_MAP ? helm_map_get(entries, chart) : NULL;
  if (!list || list->type != HELM_LIST || !list->u.list.n) {
    helm_value_free(idx);
    return fail(err, errcap, "chart \"%s\" not found in %s repository", chart, repo_url);
  }
  const char *c = constraint && *constraint ? constraint : NULL;
  const helm_value *best = NULL;
  const char *best_ver = NULL;
  for (size_t i = 0; i < list->u.list.n; i++) { /* exact string first, as Helm does */
    const helm_value *e = list->u.list.items[i];
    const helm_value *v = e->type == HELM_MAP ? helm_map_get(e, "version") : NULL;
    if (c && v && v->type == HELM_STRING && strcmp(v->u.str.s, c) == 0) {
      best = e;
      break;
    }
  }
  if (!best) {
    for (size_t i = 0; i < list->u.list.n; i++) {
      const helm_value *e = list->u.list.items[i];
      const helm_value *v = e->type == HELM_MAP ? helm_map_get(e, "version") : NULL;
      if (!v || v->type != HELM_STRING) continue;
      int ok = helm_semver_check(c ? c : "*", v->u.str.s);
      if (ok < 0 && c) {
        helm_value_free(idx);
        return fail(err, errcap, "invalid version constraint \"%s\"", c);
      }
      if (ok == 1 && (!best_ver || hr_semver_compare(v->u.str.s, best_ver) > 0)) {
        best = e;
        best_ver = v->u.str.s;
      }
    }
  }
  if (!best) {
    helm_value_free(idx);
    if (c)
      return fail(err, errcap, "chart \"%s\" version \"%s\" not found in %s repository", chart, c,
                  repo_url);
    return fail(err, errcap, "chart \"%s\" has no stable version in %s repository", chart,
                repo_url);
  }
  out->version = map_str(best, "version");
  out->app_version = map_str(best, "appVersion");
  out->digest = map_str(best, "digest");
  const helm_value *urls = helm_map_get(best, "urls");
  const helm_value *u0 =
      urls && urls->type == HELM_LIST && urls->u.list.n ? urls->u.list.items[0] : NULL;
  if (u0 && u0->type == HELM_STRING) out->url = resolve_url(repo_url, u0->u.str.s);
  helm_value_free(idx);
  if (!out->url || !out->version) {
    hr_chart_version_clear(out);
    return fail(err, errcap, "chart \"%s\" in %s repository has no download URL", chart, repo_url);
  }
  return 0;
}

/* ---------- redaction ---------- */

char *hr_redact_text(const char *text, const char *const *sens, size_t n) {
  char *cur = strdup(text ? text : "");
  for (size_t i = 0; cur && i < n; i++) {
    const char *s = sens[i];
    size_t sl = s ? strlen(s) : 0;
    if (!sl) continue;
    size_t count = 0;
    for (const char *p = strstr(cur, s); p; p = strstr(p + sl, s))
      count++;
    if (!count) continue;
    size_t rl = strlen(HR_REDACTED);
    char *o = malloc(strlen(cur) + count * rl + 1), *w = o;
    if (!o) {
      free(cur);
      return NULL;
    }
    const char *r = cur;
    for (const char *p = strstr(r, s); p; p = strstr(r, s)) {
      memcpy(w, r, (size_t)(p - r));
      w += p - r;
      memcpy(w, HR_REDACTED, rl);
      w += rl;
      r = p + sl;
    }
    strcpy(w, r);
    free(cur);
    cur = o;
  }
  return cur;
}

static void redact_strings(cJSON *node, const char *const *sens, size_t n) {
  for (cJSON *c = node ? node->child : NULL; c; c = c->next) {
    if (cJSON_IsString(c)) {
      for (size_t i = 0; i < n; i++) {
        if (sens[i] && *sens[i] && strstr(c->valuestring, sens[i])) {
          cJSON_SetValuestring(c, HR_REDACTED);
          break;
        }
      }
    } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
      redact_strings(c, sens, n);
    }
  }
}

void hr_redact_object(cJSON *obj, const char *const *sens, size_t n) {
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
  const cJSON *api = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
  if (cJSON_IsString(kind) && strcmp(kind->valuestring, "Secret") == 0 && cJSON_IsString(api) &&
      strcmp(api->valuestring, "v1") == 0) {
    const char *fields[] = {"data", "stringData"};
    for (size_t i = 0; i < 2; i++) {
      cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, fields[i]);
      for (cJSON *e = cJSON_IsObject(m) ? m->child : NULL; e; e = e->next)
        if (!cJSON_IsNull(e)) {
          cJSON *r = cJSON_CreateString(HR_REDACTED);
          r->string = e->string; /* swap the value in place, keep the key */
          e->string = NULL;
          cJSON_ReplaceItemViaPointer(m, e, r);
          e = r;
        }
    }
  }
  redact_strings(obj, sens, n);
}

/* gitops_helm_release: chart loading (local path or http(s) Helm repository),
 * user values, rendering and the plan-visible objects map. */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/kube/kube.h"
#include "engine/manifest/manifest.h"
#include "resources/hr_internal.h"

int hr_attr_error(tf_diags *d, const char *attr, const char *summary, const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  tf_path p;
  tf_path_init(&p);
  if (attr) tf_path_push_attr(&p, attr);
  tf_diags_add(d, TF_ERROR, attr ? &p : NULL, summary, "%s", buf);
  tf_path_free(&p);
  return -1;
}

void hr_sha256_hex(const char *s, size_t len, char out[65]) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)s, len, md);
  for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
    sprintf(out + 2 * i, "%02x", md[i]);
  out[64] = 0;
}

void hr_render_free(hr_render *h) {
  helm_chart_free(h->chart);
  helm_value_free(h->config);
  helm_release_free(&h->r);
  free(h->version);
  free(h->app_version);
  for (size_t i = 0; i < h->n_sensitive; i++)
    free(h->sensitive[i]);
  free(h->sensitive);
  memset(h, 0, sizeof *h);
}

/* ---------- HTTP ---------- */

typedef struct {
  char *data;
  size_t len;
} hr_buf;

static size_t on_data(char *p, size_t sz, size_t nm, void *ud) {
  hr_buf *b = ud;
  size_t n = sz * nm;
  if (b->len + n > (256u << 20)) return 0;
  char *g = realloc(b->data, b->len + n + 1);
  if (!g) return 0;
  memcpy(g + b->len, p, n);
  b->data = g;
  b->len += n;
  g[b->len] = 0;
  return n;
}

static int http_get(const tf_value *cfg, const char *url, hr_buf *out, char *err, size_t cap) {
  CURL *c = curl_easy_init();
  if (!c) return snprintf(err, cap, "cannot start an HTTP client"), -1;
  memset(out, 0, sizeof *out);
  const char *user = res_get_string(cfg, "repository_username");
  const char *pass = res_get_string(cfg, "repository_password");
  const char *ca = res_get_string(cfg, "repository_ca_file");
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "Helm/3.17 terraform-provider-gitops");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
  if (user && *user) {
    curl_easy_setopt(c, CURLOPT_USERNAME, user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, pass ? pass : "");
  }
  if (ca && *ca) curl_easy_setopt(c, CURLOPT_CAINFO, ca);
  if (res_get_bool(cfg, "insecure") == 1) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK || status != 200) {
    if (rc != CURLE_OK)
      snprintf(err, cap, "GET %s: %s", url, curl_easy_strerror(rc));
    else
      snprintf(err, cap, "GET %s: HTTP status %ld", url, status);
    free(out->data);
    memset(out, 0, sizeof *out);
    return -1;
  }
  if (!out->data) out->data = calloc(1, 1);
  return 0;
}

/* Downloads are cached by digest under $TMPDIR/gitops-helm-cache. */
static char *cache_path(const char *digest) {
  const char *tmp = getenv("TMPDIR");
  char *p = NULL;
  if (!digest || strlen(digest) != 64) return NULL;
  if (asprintf(&p, "%s/gitops-helm-cache", tmp && *tmp ? tmp : "/tmp") < 0) return NULL;
  mkdir(p, 0700);
  char *f = NULL;
  if (asprintf(&f, "%s/%s.tgz", p, digest) < 0) f = NULL;
  free(p);
  return f;
}

static int read_file(const char *path, hr_buf *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  memset(out, 0, sizeof *out);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (on_data(chunk, 1, n, out) != n) break;
  fclose(f);
  return out->data ? 0 : -1;
}

static int load_from_repo(const tf_value *cfg, const char *repo, const char *chart,
                          const char *version, helm_chart **out, tf_diags *d) {
  char err[2048];
  char *url = NULL;
  size_t rl = strlen(repo);
  while (rl && repo[rl - 1] == '/')
    rl--;
  if (asprintf(&url, "%.*s/index.yaml", (int)rl, repo) < 0) return -1;
  hr_buf idx;
  int rc = http_get(cfg, url, &idx, err, sizeof err);
  free(url);
  if (rc != 0)
    return hr_attr_error(
        d, "repository", "Unreachable Helm repository",
        "Looks like \"%s\" is not a valid chart repository or cannot be reached: %s", repo, err);
  hr_chart_version v;
  rc = hr_index_select(idx.data, idx.len, repo, chart, version, &v, err, sizeof err);
  free(idx.data);
  if (rc != 0)
    return hr_attr_error(d, version && *version ? "version" : "chart", "Chart not found", "%s",
                         err);
  char *cp = cache_path(v.digest);
  hr_buf tgz = {0};
  char digest[65] = "";
  int cached = cp && read_file(cp, &tgz) == 0;
  if (cached) {
    hr_sha256_hex(tgz.data, tgz.len, digest);
    if (strcmp(digest, v.digest) != 0) {
      free(tgz.data);
      cached = 0;
    }
  }
  if (!cached) {
    if (http_get(cfg, v.url, &tgz, err, sizeof err) != 0) {
      free(cp);
      hr_chart_version_clear(&v);
      return hr_attr_error(d, "repository", "Chart download failed", "%s", err);
    }
    hr_sha256_hex(tgz.data, tgz.len, digest);
    if (v.digest && *v.digest && strcmp(digest, v.digest) != 0) {
      free(tgz.data);
      free(cp);
      hr_attr_error(d, "repository", "Chart download failed",
                    "%s: digest %s does not match the index (%s)", v.url, digest, v.digest);
      hr_chart_version_clear(&v);
      return -1;
    }
    if (cp) {
      char *tmp = NULL;
      if (asprintf(&tmp, "%s.%d", cp, (int)getpid()) >= 0) {
        FILE *f = fopen(tmp, "wb");
        if (f && fwrite(tgz.data, 1, tgz.len, f) == tgz.len && fclose(f) == 0)
          rename(tmp, cp);
        else if (f)
          fclose(f);
        unlink(tmp);
        free(tmp);
      }
    }
  }
  free(cp);
  helm_error he = {0};
  rc = helm_chart_load_archive((const unsigned char *)tgz.data, tgz.len, NULL, out, &he);
  free(tgz.data);
  if (rc != 0) {
    hr_attr_error(d, "chart", "Invalid chart", "%s: %s", v.url, he.message ? he.message : "");
    helm_error_clear(&he);
  }
  hr_chart_version_clear(&v);
  return rc == 0 ? 0 : -1;
}

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int load_chart(const tf_value *cfg, helm_chart **out, tf_diags *d) {
  const char *repo = res_get_string(cfg, "repository");
  const char *chart = res_get_string(cfg, "chart");
  const char *version = res_get_string(cfg, "version");
  if (repo && (strncmp(repo, "http://", 7) == 0 || strncmp(repo, "https://", 8) == 0))
    return load_from_repo(cfg, repo, chart, version, out, d);
  char *path = NULL;
  if (repo && *repo) {
    char *cand = NULL;
    if (asprintf(&cand, "%s/Chart.yaml", repo) < 0) return -1;
    int self = access(cand, F_OK) == 0 || !is_dir(repo);
    free(cand);
    if (self ? asprintf(&path, "%s", repo) < 0 : asprintf(&path, "%s/%s", repo, chart) < 0)
      return -1;
  } else if (asprintf(&path, "%s", chart) < 0) {
    return -1;
  }
  helm_error he = {0};
  int rc = helm_chart_load(path, NULL, out, &he);
  if (rc != 0) {
    hr_attr_error(d, repo && *repo ? "repository" : "chart", "Chart not found",
                  "could not load the chart at %s: %s", path, he.message ? he.message : "");
    helm_error_clear(&he);
  } else if (version && *version && strcmp(version, (*out)->version ? (*out)->version : "") != 0 &&
             helm_semver_check(version, (*out)->version ? (*out)->version : "") != 1) {
    hr_attr_error(d, "version", "Chart version mismatch",
                  "the chart at %s has version %s, which does not satisfy \"%s\"", path,
                  (*out)->version ? (*out)->version : "", version);
    helm_chart_free(*out);
    *out = NULL;
    rc = -1;
  }
  free(path);
  return rc == 0 ? 0 : -1;
}

/* ---------- values ---------- */

static void merge_maps(helm_value *dst, helm_value *src) {
  for (size_t i = 0; i < src->u.map.n; i++) {
    helm_value *sv = src->u.map.vals[i];
    helm_value *dv = helm_map_get(dst, src->u.map.keys[i]);
    if (dv && dv->type == HELM_MAP && sv->type == HELM_MAP) {
      merge_maps(dv, sv);
    } else {
      helm_map_set(dst, src->u.map.keys[i], helm_value_copy(sv));
    }
  }
}

static int set_one(helm_value *into, const char *block, size_t idx, const char *name,
                   const char *value, const char *type, tf_diags *d) {
  helm_error he = {0};
  char *expr = NULL;
  if (asprintf(&expr, "%s=%s", name ? name : "", value ? value : "") < 0) return -1;
  int string = type && strcmp(type, "string") == 0;
  int rc = helm_strvals_parse(expr, string ? HELM_SET_STRING : HELM_SET, into, &he);
  free(expr);
  if (rc != 0) {
    tf_path p;
    tf_path_init(&p);
    tf_path_push_attr(&p, block);
    tf_path_push_index(&p, (int64_t)idx);
    tf_path_push_attr(&p, "name");
    tf_diags_add(d, TF_ERROR, &p, "Invalid value", "failed parsing %s data: %s", block,
                 he.message ? he.message : "");
    tf_path_free(&p);
    helm_error_clear(&he);
    return -1;
  }
  return 0;
}

static int user_values(const tf_value *cfg, hr_render *h, tf_diags *d) {
  helm_value *vals = helm_value_map();
  const tf_value *list = tf_value_get_attr(cfg, "values");
  for (size_t i = 0; list && !tf_value_is_null(list) && i < tf_value_len(list); i++) {
    const tf_value *s = tf_value_at(list, i);
    if (tf_value_is_null(s)) continue;
    helm_value *v = NULL;
    helm_error he = {0};
    if (helm_yaml_parse_values(tf_value_str(s), tf_value_str_len(s), &v, &he) != 0) {
      tf_path p;
      tf_path_init(&p);
      tf_path_push_attr(&p, "values");
      tf_path_push_index(&p, (int64_t)i);
      tf_diags_add(d, TF_ERROR, &p, "Invalid values", "failed to parse values: %s",
                   he.message ? he.message : "");
      tf_path_free(&p);
      helm_error_clear(&he);
      helm_value_free(vals);
      return -1;
    }
    if (v && v->type == HELM_MAP) merge_maps(vals, v);
    helm_value_free(v);
  }
  const char *blocks[] = {"set", "set_list", "set_sensitive"};
  for (size_t b = 0; b < 3; b++) {
    const tf_value *bl = tf_value_get_attr(cfg, blocks[b]);
    for (size_t i = 0; bl && !tf_value_is_null(bl) && i < tf_value_len(bl); i++) {
      const tf_value *e = tf_value_at(bl, i);
      const char *name = res_get_string(e, "name");
      int rc = 0;
      if (b == 1) {
        const tf_value *vl = tf_value_get_attr(e, "value");
        size_t cap = 3, len = 0;
        char *s = malloc(cap);
        s[len++] = '{';
        for (size_t k = 0; vl && !tf_value_is_null(vl) && k < tf_value_len(vl); k++) {
          const tf_value *x = tf_value_at(vl, k);
          const char *xs = tf_value_is_null(x) ? "" : tf_value_str(x);
          size_t xl = strlen(xs);
          s = realloc(s, cap += xl + 2);
          if (k) s[len++] = ',';
          memcpy(s + len, xs, xl);
          len += xl;
        }
        s[len++] = '}';
        s[len] = 0;
        rc = set_one(vals, blocks[b], i, name, s, "auto", d);
        free(s);
      } else {
        const char *value = res_get_string(e, "value");
        rc = set_one(vals, blocks[b], i, name, value, res_get_string(e, "type"), d);
        if (b == 2 && value && *value) {
          h->sensitive = realloc(h->sensitive, (h->n_sensitive + 1) * sizeof *h->sensitive);
          h->sensitive[h->n_sensitive++] = strdup(value);
        }
      }
      if (rc != 0) {
        helm_value_free(vals);
        return -1;
      }
    }
  }
  h->config = vals;
  return 0;
}

int hr_render_config(const res_ctx *ctx, const tf_value *cfg, int is_upgrade, hr_render *h,
                     tf_diags *d) {
  (void)ctx;
  memset(h, 0, sizeof *h);
  h->name = res_get_string(cfg, "name");
  h->ns = res_get_string(cfg, "namespace");
  if (!h->ns || !*h->ns) h->ns = "default";
  if (user_values(cfg, h, d) != 0) return -1;
  if (load_chart(cfg, &h->chart, d) != 0) return -1;
  helm_error he = {0};
  if (h->chart->type && *h->chart->type && strcmp(h->chart->type, "application") != 0) {
    return hr_attr_error(d, "chart", "Chart not installable", "%s charts are not installable",
                         h->chart->type);
  }
  if (helm_chart_check_dependencies(h->chart, &he) != 0) {
    hr_attr_error(d, "chart", "Missing chart dependencies",
                  "%s (charts/ must hold the dependencies: dependency_update does not download)",
                  he.message ? he.message : "");
    helm_error_clear(&he);
    return -1;
  }
  h->version = strdup(h->chart->version ? h->chart->version : "");
  h->app_version = strdup(h->chart->app_version ? h->chart->app_version : "");
  helm_render_options ro = {.release_name = h->name, .namespace_ = h->ns, .is_upgrade = is_upgrade};
  if (helm_render(h->chart, h->config, &ro, &h->r, &he) != 0) {
    hr_attr_error(d, "chart", "Chart rendering failed", "%s", he.message ? he.message : "");
    helm_error_clear(&he);
    return -1;
  }
  const char *m = h->r.manifest ? h->r.manifest : "";
  hr_sha256_hex(m, strlen(m), h->digest);
  return 0;
}

/* ---------- objects ---------- */

static int cluster_scoped(const char *kind) {
  static const char *const k[] = {"Namespace",
                                  "ClusterRole",
                                  "ClusterRoleBinding",
                                  "CustomResourceDefinition",
                                  "PersistentVolume",
                                  "StorageClass",
                                  "PriorityClass",
                                  "ValidatingWebhookConfiguration",
                                  "MutatingWebhookConfiguration",
                                  "APIService",
                                  "IngressClass",
                                  "RuntimeClass",
                                  "CSIDriver",
                                  "CSINode",
                                  "Node",
                                  "VolumeAttachment",
                                  "ValidatingAdmissionPolicy",
                                  "ValidatingAdmissionPolicyBinding",
                                  "ClusterIssuer"};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    if (strcmp(kind, k[i]) == 0) return 1;
  return 0;
}

static cJSON *obj_map(cJSON *parent, const char *key) {
  cJSON *m = cJSON_GetObjectItemCaseSensitive(parent, key);
  if (!cJSON_IsObject(m)) {
    if (m) cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
    m = cJSON_AddObjectToObject(parent, key);
  }
  return m;
}

static void put(cJSON *m, const char *k, const char *v) {
  if (cJSON_GetObjectItemCaseSensitive(m, k))
    cJSON_ReplaceItemInObjectCaseSensitive(m, k, cJSON_CreateString(v));
  else
    cJSON_AddStringToObject(m, k, v);
}

void hr_objects_free(cJSON **objs, size_t n) {
  for (size_t i = 0; objs && i < n; i++)
    cJSON_Delete(objs[i]);
  free(objs);
}

int hr_manifest_objects(const char *manifest, const char *name, const char *ns, cJSON ***out,
                        size_t *n, char *err, size_t errcap) {
  mf_docs docs = {0};
  mf_error e = {0};
  *out = NULL;
  *n = 0;
  if (mf_parse(manifest ? manifest : "", manifest ? strlen(manifest) : 0, "manifest", &docs, &e) !=
      0) {
    char buf[1024];
    snprintf(err, errcap, "%s", mf_error_format(&e, buf, sizeof buf));
    return -1;
  }
  cJSON **objs = calloc(docs.count + 1, sizeof *objs);
  for (size_t i = 0; objs && i < docs.count; i++) {
    cJSON *o = docs.items[i].obj;
    docs.items[i].obj = NULL;
    cJSON *md = obj_map(o, "metadata");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
    const cJSON *onns = cJSON_GetObjectItemCaseSensitive(md, "namespace");
    if (cJSON_IsString(kind) && !cluster_scoped(kind->valuestring) &&
        (!cJSON_IsString(onns) || !*onns->valuestring))
      put(md, "namespace", ns);
    put(obj_map(md, "labels"), "app.kubernetes.io/managed-by", "Helm");
    cJSON *ann = obj_map(md, "annotations");
    put(ann, "meta.helm.sh/release-name", name);
    put(ann, "meta.helm.sh/release-namespace", ns);
    objs[(*n)++] = o;
  }
  mf_docs_free(&docs);
  *out = objs;
  return objs ? 0 : -1;
}

tf_value *hr_objects_map(const char *manifest, const char *name, const char *ns,
                         const char *const *sens, size_t n_sens, tf_diags *d) {
  cJSON **objs = NULL;
  size_t n = 0;
  char err[1024];
  if (hr_manifest_objects(manifest, name, ns, &objs, &n, err, sizeof err) != 0) {
    hr_attr_error(d, "chart", "Invalid manifest", "the chart rendered an invalid manifest: %s",
                  err);
    return NULL;
  }
  const char **keys = calloc(n + 1, sizeof *keys);
  tf_value **vals = calloc(n + 1, sizeof *vals);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    char *k = kube_object_key(objs[i]);
    if (!k) continue;
    int dup = 0;
    for (size_t j = 0; j < m; j++)
      dup |= strcmp(keys[j], k) == 0;
    if (dup) {
      free(k);
      continue;
    }
    hr_redact_object(objs[i], sens, n_sens);
    char *y = mf_to_yaml(objs[i]);
    keys[m] = k;
    vals[m++] = tf_value_string(y ? y : "");
    free(y);
  }
  tf_type *t = tf_type_collection(TF_MAP, tf_type_primitive(TF_STRING));
  tf_value *v = tf_value_collection(t, m, keys, vals);
  tf_type_unref(t);
  for (size_t i = 0; i < m; i++)
    free((char *)keys[i]);
  free(keys);
  free(vals);
  hr_objects_free(objs, n);
  return v;
}

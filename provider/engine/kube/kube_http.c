/* HTTP with libcurl: pooled easy handles sharing one connection cache (a
 * locked curl share), HTTP/2 where offered, timeouts, retries with
 * exponential back-off on 429/5xx/resets/timeouts honouring Retry-After,
 * bounded responses, cancellation, credentials, request counters. */
#include "engine/kube/kube_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct xfer {
  kube_buf body;
  size_t max;
  int too_big;
  const atomic_int *cancel;
  char ctype[256];
  long retry_after_s; /* -1 when absent */
} xfer;

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud) {
  xfer *x = ud;
  size_t n = size * nmemb;
  if (x->body.len + n > x->max) {
    x->too_big = 1;
    return 0;
  }
  kube__buf_add(&x->body, ptr, n);
  return x->body.oom ? 0 : n;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud) {
  xfer *x = ud;
  size_t n = size * nitems;
  char line[512];
  size_t l = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
  memcpy(line, buf, l);
  line[l] = 0;
  while (l && (line[l - 1] == '\r' || line[l - 1] == '\n'))
    line[--l] = 0;
  if (strncasecmp(line, "HTTP/", 5) == 0) { /* a new response (after 100 / redirects) */
    x->ctype[0] = 0;
    x->retry_after_s = -1;
  } else if (strncasecmp(line, "content-type:", 13) == 0) {
    const char *v = line + 13;
    while (*v == ' ')
      v++;
    size_t vl = strlen(v) < sizeof(x->ctype) - 1 ? strlen(v) : sizeof(x->ctype) - 1;
    memcpy(x->ctype, v, vl);
    x->ctype[vl] = 0;
  } else if (strncasecmp(line, "retry-after:", 12) == 0) {
    const char *v = line + 12;
    while (*v == ' ')
      v++;
    char *end;
    long s = strtol(v, &end, 10);
    if (end != v && s >= 0) x->retry_after_s = s;
  }
  return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
  (void)dt, (void)dn, (void)ut, (void)un;
  xfer *x = ud;
  return kube__cancelled(x->cancel) ? 1 : 0;
}

static CURL *pool_take(kube_client *c) {
  CURL *h = NULL;
  pthread_mutex_lock(&c->pool_mu);
  if (c->npool) h = c->pool[--c->npool];
  pthread_mutex_unlock(&c->pool_mu);
  return h ? h : curl_easy_init();
}

static void pool_give(kube_client *c, CURL *h) {
  curl_easy_reset(h);
  pthread_mutex_lock(&c->pool_mu);
  if (c->npool < KUBE_POOL_MAX) {
    c->pool[c->npool++] = h;
    h = NULL;
  }
  pthread_mutex_unlock(&c->pool_mu);
  if (h) curl_easy_cleanup(h);
}

static int retryable_curl(CURLcode cc) {
  switch (cc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_SSL_CONNECT_ERROR:
    return 1;
  default:
    return 0;
  }
}

static int retryable_status(long st) {
  return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

static void count(kube_client *c, const char *method, int cls, int retry) {
  atomic_fetch_add(&c->n_requests, 1);
  if (retry) atomic_fetch_add(&c->n_retries, 1);
  if (cls == KUBE_REQ_DISCOVERY) atomic_fetch_add(&c->n_discovery, 1);
  if (strcmp(method, "GET") == 0)
    atomic_fetch_add(cls == KUBE_REQ_LIST ? &c->n_list : &c->n_get, 1);
  else if (strcmp(method, "PATCH") == 0)
    atomic_fetch_add(&c->n_patch, 1);
  else if (strcmp(method, "DELETE") == 0)
    atomic_fetch_add(&c->n_delete, 1);
  else if (strcmp(method, "POST") == 0)
    atomic_fetch_add(&c->n_post, 1);
  else if (strcmp(method, "PUT") == 0)
    atomic_fetch_add(&c->n_put, 1);
}

static struct curl_slist *headers_for(const char *content_type, const char *accept,
                                      const char *token) {
  struct curl_slist *h = NULL, *t;
  char line[256];
  snprintf(line, sizeof(line), "Accept: %s", accept ? accept : "application/json");
  h = curl_slist_append(h, line);
  if (content_type) {
    snprintf(line, sizeof(line), "Content-Type: %s", content_type);
    if ((t = curl_slist_append(h, line))) h = t;
  }
  if ((t = curl_slist_append(h, "Expect:"))) h = t;
  if (token && *token) {
    char *auth = kube__asprintf("Authorization: Bearer %s", token);
    if (auth && (t = curl_slist_append(h, auth))) h = t;
    if (auth) {
      memset(auth, 0, strlen(auth));
      free(auth);
    }
  }
  return h;
}

static void set_blob(CURL *h, CURLoption opt, const char *pem) {
  struct curl_blob b = {(void *)pem, strlen(pem), CURL_BLOB_COPY};
  curl_easy_setopt(h, opt, &b);
}

/* One attempt.  Returns the CURLcode; *status, x filled. */
static CURLcode attempt(kube_client *c, CURL *h, const char *method, const char *url,
                        const char *content_type, const char *body, size_t body_len,
                        const char *accept, const kube_cred *cred, xfer *x, long *status,
                        char *errbuf) {
  const kube_rest_config *cfg = &c->cfg;
  struct curl_slist *hdr = headers_for(content_type, accept, cred->token);
  errbuf[0] = 0;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_SHARE, c->share);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->opts.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->opts.request_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  if (cfg->insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (cfg->ca_pem) {
    /* only the cluster's CA, as client-go */
    curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    set_blob(h, CURLOPT_CAINFO_BLOB, cfg->ca_pem);
  }
  if (cred->cert_pem && cred->key_pem) {
    set_blob(h, CURLOPT_SSLCERT_BLOB, cred->cert_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    set_blob(h, CURLOPT_SSLKEY_BLOB, cred->key_pem);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!cred->token && cfg->username) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, cfg->username);
    curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
  }
  if (cfg->proxy_url) curl_easy_setopt(h, CURLOPT_PROXY, cfg->proxy_url);
  if (c->connect_to) curl_easy_setopt(h, CURLOPT_CONNECT_TO, c->connect_to);
  if (strcmp(method, "GET") == 0) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    if (strcmp(method, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body || strcmp(method, "DELETE") != 0) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    }
  }
  CURLcode cc = curl_easy_perform(h);
  *status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
  long connects = 0;
  if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0)
    atomic_fetch_add(&c->n_connects, (uint_fast64_t)connects);
  curl_slist_free_all(hdr);
  return cc;
}

void kube_response_clear(kube_response *r) {
  if (!r) return;
  free(r->body);
  free(r->content_type);
  memset(r, 0, sizeof(*r));
}

static int backoff_ms(const kube_client *c, int attempt_no, long retry_after_s) {
  long long d = (long long)c->opts.backoff_initial_ms << (attempt_no > 20 ? 20 : attempt_no - 1);
  if (d > c->opts.backoff_max_ms) d = c->opts.backoff_max_ms;
  if (retry_after_s >= 0) {
    long long ra = (long long)retry_after_s * 1000;
    if (ra > c->opts.max_retry_after_ms) ra = c->opts.max_retry_after_ms;
    if (ra > d) d = ra;
  }
  return (int)d;
}

int kube__request(kube_client *c, const char *method, const char *path, const char *content_type,
                  const char *body, size_t body_len, const char *accept, int cls,
                  const atomic_int *cancel, kube_response *resp, kube_error *err) {
  kube_response local = {0};
  if (!resp) resp = &local;
  memset(resp, 0, sizeof(*resp));
  if (err) err->code = 0, err->http_status = 0, err->message[0] = 0;
  char *url = kube__asprintf("%s%s", c->url_base, path);
  if (!url) return kube__set(err, KUBE_ENOMEM, "out of memory");
  int rc = 0, auth_retried = 0, attempts = 0;
  int bare = (cls & KUBE_REQ_BARE) != 0;
  cls &= ~KUBE_REQ_BARE;
  char errbuf[CURL_ERROR_SIZE];
  for (;;) {
    if (kube__cancelled(cancel)) {
      rc = kube__set(err, KUBE_ECANCELLED, "%s %s: cancelled", method, path);
      break;
    }
    kube_cred cred;
    uint64_t gen = 0;
    rc = kube__auth_get(&c->auth, cancel, &cred, &gen, err);
    if (rc) break;
    CURL *h = pool_take(c);
    if (!h) {
      kube__cred_clear(&cred);
      rc = kube__set(err, KUBE_ENOMEM, "out of memory (curl handle)");
      break;
    }
    xfer x = {.max = c->opts.max_response_bytes, .cancel = cancel, .retry_after_s = -1};
    count(c, method, cls, attempts > 0);
    attempts++;
    long status = 0;
    CURLcode cc = attempt(c, h, method, url, content_type, body, body_len, accept, &cred, &x,
                          &status, errbuf);
    pool_give(c, h);
    kube__cred_clear(&cred);
    if (err) err->http_status = (int)status;
    if (cc == CURLE_ABORTED_BY_CALLBACK && kube__cancelled(cancel)) {
      kube__buf_free(&x.body);
      rc = kube__set(err, KUBE_ECANCELLED, "%s %s: cancelled", method, path);
      break;
    }
    if (x.too_big) {
      kube__buf_free(&x.body);
      rc = kube__set(err, KUBE_ETOOBIG, "%s %s: response larger than %zu bytes", method, path,
                     c->opts.max_response_bytes);
      break;
    }
    int retry = 0;
    if (cc != CURLE_OK) {
      retry = retryable_curl(cc);
      const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
      const char *hint = "";
      if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE)
        hint = " (TLS verification failed: check cluster_ca_certificate / tls_server_name, or "
               "set insecure)";
      else if (cc == CURLE_SSL_CERTPROBLEM)
        hint = " (client certificate or key unusable)";
      rc = kube__set(err, KUBE_ENETWORK, "%s %s: %s%s", method, url, detail, hint);
    } else if (status == 401 && !auth_retried && kube__auth_invalidate(&c->auth, gen)) {
      auth_retried = 1;
      kube__buf_free(&x.body);
      continue; /* fresh exec / tokenFile credentials, does not count as a retry */
    } else if (status >= 200 && status < 300) {
      rc = 0;
    } else {
      char msg[2048];
      kube__status_message(status, x.body.p, x.body.len, msg, sizeof(msg));
      if (bare)
        rc = kube__set(err, kube__code_for_status(status), "%s", msg);
      else
        rc = kube__set(err, kube__code_for_status(status), "%s %s: %s", method, path, msg);
      if (err) err->http_status = (int)status;
      retry = retryable_status(status);
    }
    if (retry && attempts < c->opts.max_attempts) {
      int d = backoff_ms(c, attempts, x.retry_after_s);
      kube__buf_free(&x.body);
      if (kube__sleep(d, cancel)) {
        rc = kube__set(err, KUBE_ECANCELLED, "%s %s: cancelled", method, path);
        break;
      }
      continue;
    }
    if (rc && retry && attempts > 1) {
      char tail[64];
      snprintf(tail, sizeof(tail), " (gave up after %d attempts)", attempts);
      if (err && strlen(err->message) + strlen(tail) < sizeof(err->message))
        strcat(err->message, tail);
    }
    if (cc == CURLE_OK) {
      resp->status = status;
      resp->len = x.body.len;
      resp->body = kube__buf_take(&x.body);
      resp->content_type = strdup(x.ctype);
      if (!resp->body || !resp->content_type) {
        kube_response_clear(resp);
        rc = kube__set(err, KUBE_ENOMEM, "out of memory");
      }
    } else {
      kube__buf_free(&x.body);
    }
    break;
  }
  free(url);
  kube_response_clear(&local);
  if (!rc && err) err->code = 0, err->message[0] = 0;
  return rc;
}

int kube_request(kube_client *c, const char *method, const char *path, const char *content_type,
                 const char *body, size_t body_len, const char *accept, const atomic_int *cancel,
                 kube_response *resp, kube_error *err) {
  if (!c || !method || !path || path[0] != '/')
    return kube__set(err, KUBE_EINVALID, "kube_request: bad arguments");
  return kube__request(c, method, path, content_type, body, body_len, accept, KUBE_REQ_OTHER,
                       cancel, resp, err);
}

int kube__get_json(kube_client *c, const char *path, const char *accept, int cls,
                   const atomic_int *cancel, cJSON **out, char **content_type, kube_error *err) {
  *out = NULL;
  if (content_type) *content_type = NULL;
  kube_response r;
  int rc = kube__request(c, "GET", path, NULL, NULL, 0, accept, cls, cancel, &r, err);
  if (rc) {
    kube_response_clear(&r);
    return rc;
  }
  *out = cJSON_ParseWithLength(r.body, r.len);
  if (!*out) {
    kube_response_clear(&r);
    return kube__set(err, KUBE_ESERVER, "GET %s: response is not JSON", path);
  }
  if (content_type) {
    *content_type = r.content_type;
    r.content_type = NULL;
  }
  kube_response_clear(&r);
  return 0;
}

int kube_server_version(kube_client *c, const atomic_int *cancel, char **git_version, char **major,
                        char **minor, kube_error *err) {
  cJSON *v = NULL;
  if (git_version) *git_version = NULL;
  if (major) *major = NULL;
  if (minor) *minor = NULL;
  int rc = kube__get_json(c, "/version", NULL, KUBE_REQ_DISCOVERY, cancel, &v, NULL, err);
  if (rc) return rc;
  if (git_version) *git_version = kube__strdup(kube__jstr(v, "gitVersion"));
  if (major) *major = kube__strdup(kube__jstr(v, "major"));
  if (minor) *minor = kube__strdup(kube__jstr(v, "minor"));
  cJSON_Delete(v);
  return 0;
}

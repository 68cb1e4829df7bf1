/* Per-client credential cache: exec plugin credentials until they expire
 * (re-run after a 401), tokenFile re-read every minute like client-go. */
#include "engine/kube/kube_internal.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_FILE_PERIOD_MS 60000

void kube__auth_init(kube_auth *a, const kube_rest_config *cfg, int exec_timeout_ms) {
  memset(a, 0, sizeof(*a));
  pthread_mutex_init(&a->mu, NULL);
  a->cfg = cfg;
  a->exec_timeout_ms = exec_timeout_ms;
  atomic_init(&a->exec_runs, 0);
}

void kube__auth_dispose(kube_auth *a) {
  kube__cred_clear(&a->cur);
  pthread_mutex_destroy(&a->mu);
}

static int dup_into(kube_cred *out, const char *tok, const char *crt, const char *key) {
  out->token = tok ? strdup(tok) : NULL;
  out->cert_pem = crt ? strdup(crt) : NULL;
  out->key_pem = key ? strdup(key) : NULL;
  if ((tok && !out->token) || (crt && !out->cert_pem) || (key && !out->key_pem)) {
    kube__cred_clear(out);
    return -1;
  }
  return 0;
}

static int read_token_file(kube_auth *a, kube_error *err) {
  char *tok = NULL;
  kube_error e;
  if (kube__read_file(a->cfg->token_file, &tok, NULL, &e)) {
    if (a->have) /* keep the last good token, as client-go does */
      return 0;
    return kube__set(err, KUBE_EAUTH, "tokenFile: %s", e.message);
  }
  size_t n = strlen(tok);
  while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
    tok[--n] = 0;
  kube__cred_clear(&a->cur);
  a->cur.token = tok;
  a->have = 1;
  a->loaded_ms = kube__now_ms();
  a->generation++;
  return 0;
}

int kube__auth_get(kube_auth *a, const atomic_int *cancel, kube_cred *out, uint64_t *gen,
                   kube_error *err) {
  memset(out, 0, sizeof(*out));
  *gen = 0;
  const kube_rest_config *cfg = a->cfg;
  if (!cfg->has_exec && !cfg->token_file) {
    if (dup_into(out, cfg->token, cfg->client_cert_pem, cfg->client_key_pem))
      return kube__set(err, KUBE_ENOMEM, "out of memory");
    return 0;
  }
  pthread_mutex_lock(&a->mu);
  int rc = 0;
  if (cfg->has_exec) {
    int valid = a->have && (a->cur.expires_ms == 0 || kube__wall_ms() < a->cur.expires_ms);
    if (!valid) {
      kube_cred fresh;
      atomic_fetch_add(&a->exec_runs, 1);
      rc = kube__exec_run(cfg, a->exec_timeout_ms, cancel, &fresh, err);
      if (!rc) {
        kube__cred_clear(&a->cur);
        a->cur = fresh;
        a->have = 1;
        a->generation++;
      }
    }
    if (!rc && dup_into(out, a->cur.token ? a->cur.token : cfg->token,
                        a->cur.cert_pem ? a->cur.cert_pem : cfg->client_cert_pem,
                        a->cur.cert_pem ? a->cur.key_pem : cfg->client_key_pem))
      rc = kube__set(err, KUBE_ENOMEM, "out of memory");
    out->expires_ms = a->cur.expires_ms;
  } else {
    if (!a->have || kube__now_ms() - a->loaded_ms > TOKEN_FILE_PERIOD_MS)
      rc = read_token_file(a, err);
    if (!rc && dup_into(out, a->cur.token, cfg->client_cert_pem, cfg->client_key_pem))
      rc = kube__set(err, KUBE_ENOMEM, "out of memory");
  }
  *gen = a->generation;
  pthread_mutex_unlock(&a->mu);
  return rc;
}

int kube__auth_invalidate(kube_auth *a, uint64_t gen) {
  if (!a->cfg->has_exec && !a->cfg->token_file) return 0;
  pthread_mutex_lock(&a->mu);
  if (a->generation == gen && a->have) {
    if (a->cfg->has_exec) {
      kube__cred_clear(&a->cur);
      a->have = 0;
    } else {
      a->loaded_ms = kube__now_ms() - TOKEN_FILE_PERIOD_MS - 1; /* re-read, keep as fallback */
    }
  }
  pthread_mutex_unlock(&a->mu);
  return 1;
}

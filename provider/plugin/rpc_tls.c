#include "plugin/rpc_tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t errlen, const char *what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", buf);
}

static char *bio_to_string(BIO *bio) {
  char *data;
  long n = BIO_get_mem_data(bio, &data);
  char *s = malloc((size_t)n + 1);
  if (!s) return NULL;
  memcpy(s, data, (size_t)n);
  s[n] = '\0';
  return s;
}

static int add_ext(X509 *cert, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (!ext) return -1;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok ? 0 : -1;
}

/* Base64 without '=' padding, as Go's base64.RawStdEncoding. */
static char *der_to_raw_b64(const unsigned char *der, int len) {
  size_t cap = 4 * (((size_t)len + 2) / 3) + 1;
  char *out = malloc(cap);
  if (!out) return NULL;
  int n = EVP_EncodeBlock((unsigned char *)out, der, len);
  while (n > 0 && out[n - 1] == '=')
    n--;
  out[n] = '\0';
  return out;
}

int rpc_tls_generate(rpc_tls_identity *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  int rc = -1;
  EVP_PKEY *key = EVP_EC_gen("P-521");
  X509 *cert = X509_new();
  BIGNUM *serial = BN_new();
  BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
  unsigned char *der = NULL;
  if (!key || !cert || !serial || !kb || !cb) {
    set_err(err, errlen, "out of memory or EC key generation failed");
    goto done;
  }
  /* Random serial < 2^128, as go-plugin. */
  if (!BN_rand(serial, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert))) {
    set_err(err, errlen, "serial");
    goto done;
  }
  X509_set_version(cert, 2);
  X509_gmtime_adj(X509_getm_notBefore(cert), -30);
  X509_time_adj_ex(X509_getm_notAfter(cert), 262980 / 24, 262980 % 24 * 3600, NULL);
  X509_NAME *name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"HashiCorp", -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  if (add_ext(cert, NID_basic_constraints, "critical,CA:TRUE") ||
      add_ext(cert, NID_key_usage,
              "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign") ||
      add_ext(cert, NID_ext_key_usage, "clientAuth,serverAuth") ||
      add_ext(cert, NID_subject_alt_name, "DNS:localhost") ||
      add_ext(cert, NID_subject_key_identifier, "hash")) {
    set_err(err, errlen, "certificate extensions");
    goto done;
  }
  if (!X509_sign(cert, key, EVP_sha512())) {
    set_err(err, errlen, "signing the certificate");
    goto done;
  }
  if (!PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
      !PEM_write_bio_X509(cb, cert)) {
    set_err(err, errlen, "PEM encoding");
    goto done;
  }
  int der_len = i2d_X509(cert, &der);
  if (der_len <= 0) {
    set_err(err, errlen, "DER encoding");
    goto done;
  }
  out->key_pem = bio_to_string(kb);
  out->cert_pem = bio_to_string(cb);
  out->cert_b64 = der_to_raw_b64(der, der_len);
  if (!out->key_pem || !out->cert_pem || !out->cert_b64) {
    rpc_tls_identity_free(out);
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  rc = 0;
done:
  OPENSSL_free(der);
  BIO_free(kb);
  BIO_free(cb);
  BN_free(serial);
  X509_free(cert);
  EVP_PKEY_free(key);
  return rc;
}

void rpc_tls_identity_free(rpc_tls_identity *id) {
  if (!id) return;
  if (id->key_pem) OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
  free(id->key_pem);
  free(id->cert_pem);
  free(id->cert_b64);
  memset(id, 0, sizeof *id);
}

int rpc_tls_check_cert_pem(const char *pem, char *err, size_t errlen) {
  BIO *b = BIO_new_mem_buf(pem, -1);
  X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
  int rc = x ? 0 : -1;
  if (!x) set_err(err, errlen, "PLUGIN_CLIENT_CERT holds no PEM certificate");
  X509_free(x);
  BIO_free(b);
  return rc;
}

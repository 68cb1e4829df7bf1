/* Sprig crypto functions with OpenSSL: genPrivateKey, genCA(WithKey),
 * genSelfSignedCert(WithKey), genSignedCert(WithKey), buildCustomCert,
 * derivePassword (scrypt + HMAC), encryptAES/decryptAES, bcrypt/htpasswd
 * (libxcrypt's bcrypt, loaded at run time). */
#include "engine/gotmpl/tmpl_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define H exec_heap(x)

int b64_encode(const unsigned char *in, size_t n, sb *out);
int b64_decode(const char *in, size_t n, sb *out);

static char *bio_string(BIO *b, size_t *len) {
  char *p;
  long n = BIO_get_mem_data(b, &p);
  char *r = malloc((size_t)n + 1);
  if (!r) abort();
  memcpy(r, p, (size_t)n);
  r[n] = 0;
  if (len) *len = (size_t)n;
  return r;
}

static char *key_pem(EVP_PKEY *k) {
  BIO *b = BIO_new(BIO_s_mem());
  int id = EVP_PKEY_get_base_id(k);
  if (id == EVP_PKEY_RSA) {
    /* "RSA PRIVATE KEY" (PKCS#1) */
    PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL);
  } else if (id == EVP_PKEY_EC) {
    PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL);
  } else {
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
  }
  char *s = bio_string(b, NULL);
  BIO_free(b);
  return s;
}

/* CPU-heavy operations are charged to the execution's iteration budget so a
 * hostile chart cannot loop on them for minutes */
static bool charge(texec *x, uint64_t units) {
  if (exec_count_iters(x, units)) {
    fn_error(x, "range iteration limit exceeded");
    return false;
  }
  return true;
}

static EVP_PKEY *gen_key(const char *typ) {
  if (!strcmp(typ, "") || !strcmp(typ, "rsa")) return EVP_RSA_gen(4096);
  if (!strcmp(typ, "ecdsa")) return EVP_EC_gen("P-256");
  if (!strcmp(typ, "ed25519")) return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  if (!strcmp(typ, "dsa")) {
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
    EVP_PKEY *params = NULL, *key = NULL;
    if (pc && EVP_PKEY_paramgen_init(pc) > 0 && EVP_PKEY_CTX_set_dsa_paramgen_bits(pc, 2048) > 0 &&
        EVP_PKEY_CTX_set_dsa_paramgen_q_bits(pc, 256) > 0 && EVP_PKEY_paramgen(pc, &params) > 0) {
      EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new(params, NULL);
      if (kc && EVP_PKEY_keygen_init(kc) > 0) EVP_PKEY_keygen(kc, &key);
      EVP_PKEY_CTX_free(kc);
    }
    EVP_PKEY_free(params);
    EVP_PKEY_CTX_free(pc);
    return key;
  }
  return NULL;
}

static tval *f_genprivatekey(texec *x, tval **a, int n) {
  (void)n;
  const char *typ = a[0]->u.s.p;
  if (strcmp(typ, "") && strcmp(typ, "rsa") && strcmp(typ, "dsa") && strcmp(typ, "ecdsa") &&
      strcmp(typ, "ed25519")) {
    sb o = {0};
    sb_printf(&o, "Unknown type %s", typ);
    return sb_to_val(H, &o);
  }
  if (!charge(x, !strcmp(typ, "") || !strcmp(typ, "rsa") || !strcmp(typ, "dsa") ? 1000000 : 10000))
    return NULL;
  EVP_PKEY *k = gen_key(typ);
  if (!k) return tv_cstr(H, "failed to generate private key");
  char *s = key_pem(k);
  EVP_PKEY_free(k);
  tval *r = tv_cstr(H, s);
  free(s);
  return r;
}

/* ---------------- certificates ---------------- */
static tval *cert_value(texec *x, const char *cert, const char *key) {
  tval *s = tmpl_struct(H, "sprig.certificate");
  tm_set(H, s, "Cert", 4, tv_cstr(H, cert));
  tm_set(H, s, "Key", 3, tv_cstr(H, key));
  return s;
}

static int add_ext(X509 *c, X509 *issuer, int nid, const char *val) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, c, NULL, NULL, 0);
  X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, val);
  if (!e) return -1;
  X509_add_ext(c, e, -1);
  X509_EXTENSION_free(e);
  return 0;
}

/* ips / dns: []interface{} of strings */
static const char *collect_sans(texec *x, tval *ips, tval *dns, sb *san) {
  static char err[512];
  if (ips && ips->kind == TMPL_LIST)
    for (size_t i = 0; i < ips->u.l->n; i++) {
      tval *e = ips->u.l->v[i];
      if (e->kind != TMPL_STRING) {
        sb v = {0};
        gofmt_value(&v, e);
        tmpl_msgf(err, sizeof err, "error parsing ip: %s is not a string", v.p ? v.p : "<nil>");
        sb_free(&v);
        return err;
      }
      unsigned char buf[16];
      ASN1_OCTET_STRING *o = a2i_IPADDRESS(e->u.s.p);
      if (!o) {
        tmpl_msgf(err, sizeof err, "error parsing ip: %s", e->u.s.p);
        return err;
      }
      ASN1_OCTET_STRING_free(o);
      (void)buf;
      sb_printf(san, "%sIP:%s", san->n ? "," : "", e->u.s.p);
    }
  if (dns && dns->kind == TMPL_LIST)
    for (size_t i = 0; i < dns->u.l->n; i++) {
      tval *e = dns->u.l->v[i];
      if (e->kind != TMPL_STRING) {
        sb v = {0};
        gofmt_value(&v, e);
        tmpl_msgf(err, sizeof err, "error processing alternate dns name: %s is not a string",
                  v.p ? v.p : "<nil>");
        sb_free(&v);
        return err;
      }
      sb_printf(san, "%sDNS:%s", san->n ? "," : "", e->u.s.p);
    }
  (void)x;
  return NULL;
}

/* issue a certificate for `key` signed by (issuer_cert, issuer_key); issuer_cert NULL = self */
static tval *make_cert(texec *x, const char *cn, tval *ips, tval *dns, int64_t days, bool is_ca,
                       EVP_PKEY *key, X509 *issuer_cert, EVP_PKEY *issuer_key) {
  sb san = {0};
  const char *e = collect_sans(x, ips, dns, &san);
  if (e) {
    sb_free(&san);
    return fn_error(x, "%s", e);
  }
  X509 *c = X509_new();
  X509_set_version(c, 2);
  BIGNUM *bn = BN_new();
  BN_rand(bn, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c));
  BN_free(bn);
  X509_NAME *name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
  X509_set_subject_name(c, name);
  X509_set_issuer_name(c, issuer_cert ? X509_get_subject_name(issuer_cert) : name);
  time_t now = (time_t)exec_now(x);
  ASN1_TIME_set(X509_getm_notBefore(c), now);
  ASN1_TIME_set(X509_getm_notAfter(c), now + (time_t)days * 86400);
  X509_set_pubkey(c, key);
  X509 *iss = issuer_cert ? issuer_cert : c;
  add_ext(c, iss, NID_key_usage,
          is_ca ? "critical,digitalSignature,keyEncipherment,keyCertSign"
                : "critical,digitalSignature,keyEncipherment");
  add_ext(c, iss, NID_ext_key_usage, "serverAuth,clientAuth");
  add_ext(c, iss, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (is_ca) add_ext(c, iss, NID_subject_key_identifier, "hash");
  if (issuer_cert && X509_get_ext_by_NID(issuer_cert, NID_subject_key_identifier, -1) >= 0)
    add_ext(c, iss, NID_authority_key_identifier, "keyid:always");
  if (san.n) add_ext(c, iss, NID_subject_alt_name, san.p);
  sb_free(&san);
  X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256());
  BIO *b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, c);
  char *cs = bio_string(b, NULL);
  BIO_free(b);
  char *ks = key_pem(key);
  tval *r = cert_value(x, cs, ks);
  free(cs);
  free(ks);
  X509_NAME_free(name);
  X509_free(c);
  return r;
}

static EVP_PKEY *parse_key_pem(const char *pem, char *err, size_t errcap) {
  BIO *b = BIO_new_mem_buf(pem, -1);
  EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
  BIO_free(b);
  if (!k) tmpl_msgf(err, errcap, "no PEM data found");
  return k;
}

static bool cert_arg(texec *x, tval *v, const char **cert, const char **key) {
  if (v->kind != TMPL_STRUCT || !v->tname || strcmp(v->tname, "sprig.certificate")) {
    fn_error(x, "wrong type for value; expected sprig.certificate; got %s", tv_type(v));
    return false;
  }
  tval *c = tm_get(v, "Cert", 4), *k = tm_get(v, "Key", 3);
  *cert = c ? c->u.s.p : "";
  *key = k ? k->u.s.p : "";
  return true;
}

static tval *f_genca(texec *x, tval **a, int n) {
  (void)n;
  if (!charge(x, 200000)) return NULL;
  EVP_PKEY *k = EVP_RSA_gen(2048);
  if (!k) return fn_error(x, "error generating rsa key");
  tval *r = make_cert(x, a[0]->u.s.p, NULL, NULL, a[1]->u.i, true, k, NULL, NULL);
  EVP_PKEY_free(k);
  return r;
}
static tval *f_gencawithkey(texec *x, tval **a, int n) {
  (void)n;
  char err[256];
  EVP_PKEY *k = parse_key_pem(a[2]->u.s.p, err, sizeof err);
  if (!k) return fn_error(x, "parsing private key: %s", err);
  tval *r = make_cert(x, a[0]->u.s.p, NULL, NULL, a[1]->u.i, true, k, NULL, NULL);
  EVP_PKEY_free(k);
  return r;
}
static tval *f_genselfsigned(texec *x, tval **a, int n) {
  (void)n;
  if (!charge(x, 200000)) return NULL;
  EVP_PKEY *k = EVP_RSA_gen(2048);
  if (!k) return fn_error(x, "error generating rsa key");
  tval *r = make_cert(x, a[0]->u.s.p, a[1], a[2], a[3]->u.i, false, k, NULL, NULL);
  EVP_PKEY_free(k);
  return r;
}
static tval *f_genselfsignedwithkey(texec *x, tval **a, int n) {
  (void)n;
  char err[256];
  EVP_PKEY *k = parse_key_pem(a[4]->u.s.p, err, sizeof err);
  if (!k) return fn_error(x, "parsing private key: %s", err);
  tval *r = make_cert(x, a[0]->u.s.p, a[1], a[2], a[3]->u.i, false, k, NULL, NULL);
  EVP_PKEY_free(k);
  return r;
}

static tval *signed_impl(texec *x, tval **a, EVP_PKEY *k) {
  const char *cacert, *cakey;
  if (!cert_arg(x, a[4], &cacert, &cakey)) return NULL;
  BIO *b = BIO_new_mem_buf(cacert, -1);
  X509 *ca = PEM_read_bio_X509(b, NULL, NULL, NULL);
  BIO_free(b);
  if (!ca) return fn_error(x, "unable to decode certificate");
  char err[256];
  EVP_PKEY *ck = parse_key_pem(cakey, err, sizeof err);
  if (!ck) {
    X509_free(ca);
    return fn_error(x, "error parsing private key: %s", err);
  }
  tval *r = make_cert(x, a[0]->u.s.p, a[1], a[2], a[3]->u.i, false, k, ca, ck);
  X509_free(ca);
  EVP_PKEY_free(ck);
  return r;
}

static tval *f_gensigned(texec *x, tval **a, int n) {
  (void)n;
  if (!charge(x, 200000)) return NULL;
  EVP_PKEY *k = EVP_RSA_gen(2048);
  if (!k) return fn_error(x, "error generating rsa key");
  tval *r = signed_impl(x, a, k);
  EVP_PKEY_free(k);
  return r;
}
static tval *f_gensignedwithkey(texec *x, tval **a, int n) {
  (void)n;
  char err[256];
  EVP_PKEY *k = parse_key_pem(a[5]->u.s.p, err, sizeof err);
  if (!k) return fn_error(x, "parsing private key: %s", err);
  tval *r = signed_impl(x, a, k);
  EVP_PKEY_free(k);
  return r;
}

static tval *f_buildcustomcert(texec *x, tval **a, int n) {
  (void)n;
  sb cert = {0}, key = {0};
  if (b64_decode(a[0]->u.s.p, a[0]->u.s.n, &cert) != 0) {
    sb_free(&cert);
    return fn_error(x, "unable to decode base64 certificate");
  }
  if (b64_decode(a[1]->u.s.p, a[1]->u.s.n, &key) != 0) {
    sb_free(&cert);
    sb_free(&key);
    return fn_error(x, "unable to decode base64 private key");
  }
  BIO *b = BIO_new_mem_buf(cert.p ? cert.p : "", (int)cert.n);
  X509 *c = PEM_read_bio_X509(b, NULL, NULL, NULL);
  BIO_free(b);
  if (!c) {
    sb_free(&cert);
    sb_free(&key);
    return fn_error(x, "unable to decode certificate");
  }
  X509_free(c);
  char err[256];
  EVP_PKEY *k = parse_key_pem(key.p ? key.p : "", err, sizeof err);
  if (!k) {
    sb_free(&cert);
    sb_free(&key);
    return fn_error(x, "error parsing private key: %s", err);
  }
  EVP_PKEY_free(k);
  tval *r = cert_value(x, cert.p, key.p);
  sb_free(&cert);
  sb_free(&key);
  return r;
}

/* ---------------- derivePassword (masterpassword algorithm) ---------------- */
static const char *tmpl_maximum[] = {"anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno", NULL};
static const char *tmpl_long[] = {"CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv",
                                  "CvcvCvcvCvcvno", "CvccnoCvcvCvcv",
                                  "CvccCvcvnoCvcv", "CvccCvcvCvcvno",
                                  "CvcvnoCvccCvcv", "CvcvCvccnoCvcv",
                                  "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
                                  "CvcvCvcvnoCvcc", "CvcvCvcvCvccno",
                                  "CvccnoCvccCvcv", "CvccCvccnoCvcv",
                                  "CvccCvccCvcvno", "CvcvnoCvccCvcc",
                                  "CvcvCvccnoCvcc", "CvcvCvccCvccno",
                                  "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
                                  "CvccCvcvCvccno", NULL};
static const char *tmpl_medium[] = {"CvcnoCvc", "CvcCvcno", NULL};
static const char *tmpl_short[] = {"Cvcn", NULL};
static const char *tmpl_basic[] = {"aaanaaan", "aannaaan", "aaannaaa", NULL};
static const char *tmpl_pin[] = {"nnnn", NULL};

static const char *tchars(char c) {
  switch (c) {
  case 'V':
    return "AEIOU";
  case 'C':
    return "BCDFGHJKLMNPQRSTVWXYZ";
  case 'v':
    return "aeiou";
  case 'c':
    return "bcdfghjklmnpqrstvwxyz";
  case 'A':
    return "AEIOUBCDFGHJKLMNPQRSTVWXYZ";
  case 'a':
    return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
  case 'n':
    return "0123456789";
  case 'o':
    return "@&%?,=[]_:-+*$#!'^~;()/.";
  case 'x':
    return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()";
  }
  return "";
}

static void put_be32(sb *b, uint32_t v) {
  char t[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
  sb_putn(b, t, 4);
}

static tval *f_derivepassword(texec *x, tval **a, int n) {
  (void)n;
  uint32_t counter = (uint32_t)a[0]->u.i;
  const char *typ = a[1]->u.s.p;
  const char **tpls = !strcmp(typ, "maximum")  ? tmpl_maximum
                      : !strcmp(typ, "long")   ? tmpl_long
                      : !strcmp(typ, "medium") ? tmpl_medium
                      : !strcmp(typ, "short")  ? tmpl_short
                      : !strcmp(typ, "basic")  ? tmpl_basic
                      : !strcmp(typ, "pin")    ? tmpl_pin
                                               : NULL;
  if (!tpls) {
    sb o = {0};
    sb_printf(&o, "cannot find password template %s", typ);
    return sb_to_val(H, &o);
  }
  const char *seed = "com.lyndir.masterpassword";
  sb salt = {0};
  sb_puts(&salt, seed);
  put_be32(&salt, (uint32_t)a[3]->u.s.n);
  sb_putn(&salt, a[3]->u.s.p, a[3]->u.s.n);
  unsigned char key[64];
  if (!charge(x, 100000)) {
    sb_free(&salt);
    return NULL;
  }
  if (EVP_PBE_scrypt(a[2]->u.s.p, a[2]->u.s.n, (const unsigned char *)salt.p, salt.n, 32768, 8, 2,
                     64 * 1024 * 1024, key, sizeof key) != 1) {
    sb_free(&salt);
    return tv_cstr(H, "failed to derive password");
  }
  salt.n = strlen(seed);
  put_be32(&salt, (uint32_t)a[4]->u.s.n);
  sb_putn(&salt, a[4]->u.s.p, a[4]->u.s.n);
  put_be32(&salt, counter);
  unsigned char mac[32];
  unsigned int ml = 0;
  HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)salt.p, salt.n, mac, &ml);
  sb_free(&salt);
  int nt = 0;
  while (tpls[nt])
    nt++;
  const char *t = tpls[mac[0] % nt];
  sb o = {0};
  for (size_t i = 0; t[i]; i++) {
    const char *pc = tchars(t[i]);
    sb_putc(&o, pc[mac[i + 1] % strlen(pc)]);
  }
  return sb_to_val(H, &o);
}

/* ---------------- AES ---------------- */
static tval *f_encryptaes(texec *x, tval **a, int n) {
  (void)n;
  if (a[1]->u.s.n == 0) return tv_str(H, "", 0);
  unsigned char key[32] = {0};
  memcpy(key, a[0]->u.s.p, a[0]->u.s.n < 32 ? a[0]->u.s.n : 32);
  size_t len = a[1]->u.s.n;
  size_t pad = 16 - len % 16;
  size_t total = 16 + len + pad;
  unsigned char *buf = malloc(total);
  if (!buf) abort();
  RAND_bytes(buf, 16);
  unsigned char *plain = malloc(len + pad);
  if (!plain) abort();
  memcpy(plain, a[1]->u.s.p, len);
  memset(plain + len, (int)pad, pad);
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  int outl = 0, fl = 0;
  EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, buf);
  EVP_CIPHER_CTX_set_padding(c, 0);
  EVP_EncryptUpdate(c, buf + 16, &outl, plain, (int)(len + pad));
  EVP_EncryptFinal_ex(c, buf + 16 + outl, &fl);
  EVP_CIPHER_CTX_free(c);
  sb o = {0};
  b64_encode(buf, total, &o);
  free(buf);
  free(plain);
  return sb_to_val(H, &o);
}

static tval *f_decryptaes(texec *x, tval **a, int n) {
  (void)n;
  sb ct = {0};
  if (b64_decode(a[1]->u.s.p, a[1]->u.s.n, &ct) != 0) {
    sb_free(&ct);
    return fn_error(x, "illegal base64 data");
  }
  if (ct.n < 16 || ct.n % 16) {
    sb_free(&ct);
    return fn_error(x, "ciphertext too short");
  }
  unsigned char key[32] = {0};
  memcpy(key, a[0]->u.s.p, a[0]->u.s.n < 32 ? a[0]->u.s.n : 32);
  unsigned char *out = malloc(ct.n);
  if (!out) abort();
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  int outl = 0, fl = 0;
  EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, (unsigned char *)ct.p);
  EVP_CIPHER_CTX_set_padding(c, 0);
  EVP_DecryptUpdate(c, out, &outl, (unsigned char *)ct.p + 16, (int)(ct.n - 16));
  EVP_DecryptFinal_ex(c, out + outl, &fl);
  EVP_CIPHER_CTX_free(c);
  size_t len = ct.n - 16;
  size_t unpad = len ? out[len - 1] : 0;
  sb_free(&ct);
  if (unpad > len) {
    free(out);
    return fn_error(x, "runtime error: slice bounds out of range");
  }
  tval *r = tv_str(H, (char *)out, len - unpad);
  free(out);
  return r;
}

/* ---------------- bcrypt via libxcrypt ---------------- */
typedef char *(*crypt_rn_fn)(const char *, const char *, void *, int);
typedef char *(*gensalt_rn_fn)(const char *, unsigned long, const char *, int, char *, int);

static void *crypt_lib;
static crypt_rn_fn crypt_rn;
static gensalt_rn_fn gensalt_rn;
static pthread_once_t crypt_once = PTHREAD_ONCE_INIT;

static void crypt_load(void) {
  crypt_lib = dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
  if (crypt_lib) {
    crypt_rn = (crypt_rn_fn)(uintptr_t)dlsym(crypt_lib, "crypt_rn");
    gensalt_rn = (gensalt_rn_fn)(uintptr_t)dlsym(crypt_lib, "crypt_gensalt_rn");
  }
}

static tval *bcrypt_hash(texec *x, const char *pw, sb *out) {
  pthread_once(&crypt_once, crypt_load);
  if (!charge(x, 50000)) return NULL;
  if (!crypt_rn || !gensalt_rn) {
    sb_puts(out, "failed to encrypt string with bcrypt: bcrypt unavailable");
    return NULL;
  }
  unsigned char rnd[16];
  RAND_bytes(rnd, sizeof rnd);
  char setting[128];
  if (!gensalt_rn("$2a$", 10, (const char *)rnd, sizeof rnd, setting, sizeof setting)) {
    sb_puts(out, "failed to encrypt string with bcrypt: gensalt");
    return NULL;
  }
  void *data = calloc(1, 32768);
  if (!data) abort();
  char *h = crypt_rn(pw, setting, data, 32768);
  if (h && h[0] == '$')
    sb_puts(out, h);
  else
    sb_puts(out, "failed to encrypt string with bcrypt: crypt");
  free(data);
  (void)x;
  return NULL;
}

static tval *f_bcrypt(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  if (!bcrypt_hash(x, a[0]->u.s.p, &o) && exec_count_iters(x, 0)) {
    sb_free(&o);
    return NULL;
  }
  return sb_to_val(H, &o);
}

static tval *f_htpasswd(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  if (memchr(a[0]->u.s.p, ':', a[0]->u.s.n)) {
    sb_printf(&o, "invalid username: %s", a[0]->u.s.p);
    return sb_to_val(H, &o);
  }
  sb_putn(&o, a[0]->u.s.p, a[0]->u.s.n);
  sb_putc(&o, ':');
  if (!bcrypt_hash(x, a[1]->u.s.p, &o) && exec_count_iters(x, 0)) {
    sb_free(&o);
    return NULL;
  }
  return sb_to_val(H, &o);
}

const tfunc tmpl_funcs_crypto[] = {
    {"genPrivateKey", f_genprivatekey, 1, {P_STR}, false, 0, "string"},
    {"genCA", f_genca, 2, {P_STR, P_INT}, false, 0, "sprig.certificate"},
    {"genCAWithKey", f_gencawithkey, 3, {P_STR, P_INT, P_STR}, false, 0, "sprig.certificate"},
    {"genSelfSignedCert",
     f_genselfsigned,
     4,
     {P_STR, P_LIST, P_LIST, P_INT},
     false,
     0,
     "sprig.certificate"},
    {"genSelfSignedCertWithKey",
     f_genselfsignedwithkey,
     5,
     {P_STR, P_LIST, P_LIST, P_INT, P_STR},
     false,
     0,
     "sprig.certificate"},
    {"genSignedCert",
     f_gensigned,
     5,
     {P_STR, P_LIST, P_LIST, P_INT, P_ANY},
     false,
     0,
     "sprig.certificate"},
    {"genSignedCertWithKey",
     f_gensignedwithkey,
     6,
     {P_STR, P_LIST, P_LIST, P_INT, P_ANY, P_STR},
     false,
     0,
     "sprig.certificate"},
    {"buildCustomCert", f_buildcustomcert, 2, {P_STR, P_STR}, false, 0, "sprig.certificate"},
    {"derivePassword",
     f_derivepassword,
     5,
     {P_ULINT, P_STR, P_STR, P_STR, P_STR},
     false,
     0,
     "string"},
    {"encryptAES", f_encryptaes, 2, {P_STR, P_STR}, false, 0, "string"},
    {"decryptAES", f_decryptaes, 2, {P_STR, P_STR}, false, 0, "string"},
    {"bcrypt", f_bcrypt, 1, {P_STR}, false, 0, "string"},
    {"htpasswd", f_htpasswd, 2, {P_STR, P_STR}, false, 0, "string"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};

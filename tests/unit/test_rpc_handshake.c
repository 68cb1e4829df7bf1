/* Launch contract: version negotiation, socket paths, handshake line, AutoMTLS cert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/rpc_handshake.h"
#include "plugin/rpc_tls.h"

static void negotiate(void **state) {
  (void)state;
  assert_int_equal(rpc_negotiate_version("5,6"), 6);
  assert_int_equal(rpc_negotiate_version("6,5"), 6);
  assert_int_equal(rpc_negotiate_version(" 6 "), 6);
  assert_int_equal(rpc_negotiate_version("x,6"), 6);
  assert_int_equal(rpc_negotiate_version("5"), 6); /* lowest supported; the client decides */
  assert_int_equal(rpc_negotiate_version(""), 6);
  assert_int_equal(rpc_negotiate_version(NULL), 6);
  assert_int_equal(rpc_negotiate_version("6x,,"), 6);
}

static void handshake_line(void **state) {
  (void)state;
  char buf[256];
  int n = rpc_handshake_line(buf, sizeof buf, 6, "unix", "/tmp/plugin1", NULL);
  assert_string_equal(buf, "1|6|unix|/tmp/plugin1|grpc|\n");
  assert_int_equal(n, (int)strlen(buf));
  rpc_handshake_line(buf, sizeof buf, 6, "unix", "/tmp/p", "QUJD");
  assert_string_equal(buf, "1|6|unix|/tmp/p|grpc|QUJD\n");
  assert_int_equal(rpc_handshake_line(buf, 8, 6, "unix", "/tmp/p", NULL), -1);
}

static void socket_path(void **state) {
  (void)state;
  char buf[108];
  setenv("PLUGIN_UNIX_SOCKET_DIR", "/tmp", 1);
  assert_int_equal(rpc_socket_path(buf, sizeof buf), 0);
  assert_true(strncmp(buf, "/tmp/plugin", 11) == 0);
  /* A directory too long for sun_path falls back to the next candidate. */
  char longdir[200];
  memset(longdir, 'a', sizeof longdir);
  longdir[0] = '/';
  longdir[199] = '\0';
  setenv("PLUGIN_UNIX_SOCKET_DIR", longdir, 1);
  setenv("TMPDIR", "/tmp/", 1);
  assert_int_equal(rpc_socket_path(buf, sizeof buf), 0);
  assert_true(strncmp(buf, "/tmp/plugin", 11) == 0);
  unsetenv("PLUGIN_UNIX_SOCKET_DIR");
  unsetenv("TMPDIR");
}

static void cookie(void **state) {
  (void)state;
  unsetenv(RPC_MAGIC_COOKIE_KEY);
  assert_false(rpc_cookie_ok());
  setenv(RPC_MAGIC_COOKIE_KEY, "wrong", 1);
  assert_false(rpc_cookie_ok());
  setenv(RPC_MAGIC_COOKIE_KEY, RPC_MAGIC_COOKIE_VALUE, 1);
  assert_true(rpc_cookie_ok());
}

/* The certificate must satisfy Go's TLS client: SAN localhost, serverAuth, valid now. */
static void tls_identity(void **state) {
  (void)state;
  rpc_tls_identity id;
  char err[256];
  assert_int_equal(rpc_tls_generate(&id, err, sizeof err), 0);
  assert_null(strchr(id.cert_b64, '='));
  assert_null(strchr(id.cert_b64, '\n'));
  assert_true(strlen(id.cert_b64) > 50);
  BIO *b = BIO_new_mem_buf(id.cert_pem, -1);
  X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
  assert_non_null(x);
  assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
  assert_true(X509_get_extended_key_usage(x) & XKU_SSL_SERVER);
  assert_true(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
  assert_true(X509_check_ca(x) > 0);
  assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
  assert_true(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
  EVP_PKEY *pk = X509_get0_pubkey(x);
  assert_int_equal(EVP_PKEY_get_bits(pk), 521);
  assert_int_equal(X509_verify(x, pk), 1);
  X509_free(x);
  BIO_free(b);
  assert_int_equal(rpc_tls_check_cert_pem(id.cert_pem, err, sizeof err), 0);
  assert_int_equal(rpc_tls_check_cert_pem("not a cert", err, sizeof err), -1);
  rpc_tls_identity_free(&id);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(negotiate), cmocka_unit_test(handshake_line), cmocka_unit_test(socket_path),
      cmocka_unit_test(cookie),    cmocka_unit_test(tls_identity),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* rpc_tls — the plugin side of go-plugin's AutoMTLS: a one-time self-signed
 * server certificate made the way go-plugin makes it. */
#ifndef RPC_TLS_H
#define RPC_TLS_H

#include <stddef.h>

typedef struct {
  char *key_pem;  /* PKCS#8 private key */
  char *cert_pem; /* self-signed certificate */
  char *cert_b64; /* DER, base64 standard alphabet without padding (handshake field 6) */
} rpc_tls_identity;

/* ECDSA P-521, CN/SAN localhost, serverAuth+clientAuth, CA, valid now-30s..+30y.
 * Returns 0, or -1 with a message in err. */
int rpc_tls_generate(rpc_tls_identity *out, char *err, size_t errlen);
void rpc_tls_identity_free(rpc_tls_identity *id);
/* Checks that pem holds at least one parseable X.509 certificate. */
int rpc_tls_check_cert_pem(const char *pem, char *err, size_t errlen);

#endif

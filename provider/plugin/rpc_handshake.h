/* rpc_handshake — go-plugin's launch contract: cookie, protocol version,
 * listener address and the handshake line Terraform reads from stdout. */
#ifndef RPC_HANDSHAKE_H
#define RPC_HANDSHAKE_H

#include <stddef.h>

#define RPC_MAGIC_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define RPC_MAGIC_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
#define RPC_PROTOCOL_VERSION 6

/* 1 when the environment carries Terraform's magic cookie. */
int rpc_cookie_ok(void);
/* Highest version in a PLUGIN_PROTOCOL_VERSIONS list that we support; when none
 * matches (or the list is absent), our lowest supported version, as go-plugin does. */
int rpc_negotiate_version(const char *versions_env);
/* A fresh absolute socket path in PLUGIN_UNIX_SOCKET_DIR, $TMPDIR or /tmp that
 * fits sun_path. Returns 0 or -1. */
int rpc_socket_path(char *buf, size_t cap);
/* "1|VER|NETWORK|ADDR|grpc|CERT\n" into buf; returns its length or -1. */
int rpc_handshake_line(char *buf, size_t cap, int version, const char *network, const char *address,
                       const char *cert_b64);

#endif

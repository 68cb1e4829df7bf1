/* rpc_server — a gRPC server on the gRPC C core, serving a table of methods
 * with one thread per call (Terraform sends up to 10 calls at once). Calls to
 * methods not in the table are answered UNIMPLEMENTED. */
#ifndef RPC_SERVER_H
#define RPC_SERVER_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  RPC_UNARY,       /* one request message, one response message */
  RPC_HOLD_STREAM, /* server stream kept open without messages until the client leaves */
  RPC_SHUTDOWN     /* unary; the server stops and the process exits after replying */
} rpc_kind;

/* Returns a grpc_status_code. On 0 (OK) *resp and *resp_len hold a malloc'd message
 * (NULL/0 = empty message). On another status, *resp may carry a malloc'd text. */
typedef int (*rpc_handler)(void *ctx, const uint8_t *req, size_t req_len, uint8_t **resp,
                           size_t *resp_len);

typedef struct {
  const char *path; /* "/package.Service/Method" */
  rpc_kind kind;
  rpc_handler handler; /* unused for RPC_HOLD_STREAM */
} rpc_method;

typedef struct {
  const rpc_method *methods;
  size_t n_methods;
  void *ctx;
  const char *client_cert_pem; /* PLUGIN_CLIENT_CERT, or NULL for plaintext */
  int protocol_version;
  /* Debug mode: plaintext, print TF_REATTACH_PROVIDERS for this address, serve until SIGINT. */
  const char *debug_provider_address;
} rpc_server_options;

/* Runs the server until Shutdown (or SIGINT in debug mode). Returns the process exit code. */
int rpc_server_run(const rpc_server_options *opts);

#endif

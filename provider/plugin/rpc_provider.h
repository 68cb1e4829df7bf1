/* rpc_provider — the tfplugin6.Provider service and go-plugin's internal
 * services, as a method table for rpc_server. */
#ifndef RPC_PROVIDER_H
#define RPC_PROVIDER_H

#include "plugin/rpc_server.h"

/* Builds the schemas (once). Returns 0, or -1 when a schema is invalid (a bug). */
int rpc_provider_init(void);
void rpc_provider_shutdown(void);
const rpc_method *rpc_provider_methods(size_t *n);

#endif

/* terraform-provider-gitops: started by Terraform (go-plugin handshake), or by
 * hand with --debug (TF_REATTACH_PROVIDERS) or --version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm.h"
#include "log/hclog.h"
#include "plugin/rpc_handshake.h"
#include "plugin/rpc_provider.h"
#include "plugin/rpc_server.h"

#define PROVIDER_VERSION "0.1.0"
#define PROVIDER_ADDRESS "registry.terraform.io/gitops/gitops"

static const char usage[] =
    "terraform-provider-gitops " PROVIDER_VERSION "\n"
    "\n"
    "This binary is a plugin. These are not meant to be executed directly.\n"
    "Please execute the program that consumes these plugins, which will\n"
    "load any plugins automatically (Terraform or OpenTofu).\n"
    "\n"
    "To use a local build with Terraform, run `make install` in the source tree and\n"
    "follow the dev_overrides snippet it prints. Other modes:\n"
    "  terraform-provider-gitops --debug     serve for TF_REATTACH_PROVIDERS\n"
    "  terraform-provider-gitops --version   print the version\n"
    "  terraform-provider-gitops template [NAME] CHART [flags]\n"
    "                                        render a chart like `helm template`\n";

static int serve(const char *debug_address) {
  size_t n;
  if (rpc_provider_init() != 0)
    hclog_kv(HCLOG_ERROR, "provider", "invalid provider schema (reported to Terraform)", NULL);
  const rpc_method *m = rpc_provider_methods(&n);
  const char *cert = getenv("PLUGIN_CLIENT_CERT");
  rpc_server_options opts = {
      .methods = m,
      .n_methods = n,
      .client_cert_pem = debug_address || !cert || !*cert ? NULL : cert,
      .protocol_version = rpc_negotiate_version(getenv("PLUGIN_PROTOCOL_VERSIONS")),
      .debug_provider_address = debug_address,
  };
  int rc = rpc_server_run(&opts);
  rpc_provider_shutdown();
  return rc;
}

int main(int argc, char **argv) {
  hclog_init();
  if (argc > 1 && strcmp(argv[1], "--version") == 0) {
    printf("terraform-provider-gitops %s (plugin protocol %d)\n", PROVIDER_VERSION,
           RPC_PROTOCOL_VERSION);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "--debug") == 0) return serve(PROVIDER_ADDRESS);
  if (argc > 1 && strcmp(argv[1], "template") == 0) return helm_cli_template(argc - 1, argv + 1);
  if (argc > 1 || !rpc_cookie_ok()) {
    fputs(usage, stderr);
    return 1;
  }
  return serve(NULL);
}

#!/usr/bin/env bash
# Copies the provider into the local plugin directory Terraform searches and
# prints the dev_overrides snippet for the CLI configuration.
set -euo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
VERSION=$("$BIN" --version | awk '{print $2}')
ARCH=$(uname -m); case "$ARCH" in x86_64) ARCH=amd64;; aarch64) ARCH=arm64;; esac
OS=$(uname -s | tr 'A-Z' 'a-z')
DIR="${TF_PLUGIN_DIR:-$HOME/.terraform.d/plugins}/registry.terraform.io/gitops/gitops/$VERSION/${OS}_$ARCH"
mkdir -p "$DIR"
install -m 0755 "$BIN" "$DIR/terraform-provider-gitops_v$VERSION"
cat <<MSG
Installed $DIR/terraform-provider-gitops_v$VERSION
(found by 'terraform init' through the implied local mirror).

To use the build tree directly without 'terraform init', put this in ~/.terraformrc
(or a file named by TF_CLI_CONFIG_FILE):

provider_installation {
  dev_overrides {
    "gitops/gitops" = "$(dirname "$BIN")"
  }
  direct {}
}

and in your configuration:

terraform {
  required_providers {
    gitops = { source = "gitops/gitops" }
  }
}
MSG

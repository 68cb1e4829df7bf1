#!/usr/bin/env bash
# Installs every Debian package the build and the tests need. Idempotent: does
# nothing when all of them are present. Needs root (or sudo) only when installing.
set -euo pipefail

PACKAGES=(
  build-essential clang libclang-rt-14-dev pkg-config clang-format
  libgrpc-dev protobuf-c-compiler libprotobuf-c-dev protobuf-compiler
  libgit2-dev libcurl4-openssl-dev libcjson-dev libyaml-dev libssl-dev libmsgpack-dev
  libcmocka-dev zlib1g-dev
  golang-go golang-goprotobuf-dev golang-google-protobuf-dev golang-google-grpc-dev
  golang-github-hashicorp-go-plugin-dev golang-github-hashicorp-go-hclog-dev
  golang-github-zclconf-go-cty-dev golang-github-hashicorp-hcl-v2-dev
  git openssh-server openssh-client openssl python3 python3-yaml curl ca-certificates procps unzip
)

# npm fetches the test oracles (helm, kubectl); machines that ship Node.js have it.
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

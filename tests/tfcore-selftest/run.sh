#!/usr/bin/env bash
# Self-tests for tfcore (tests/tfcore) against the Go test provider in
# tests/tfcore-selftest/provider. Run from anywhere:
#   tests/tfcore-selftest/run.sh [-v] [TEST_NAME_SUBSTRING]
# Ends with "tfcore-selftest: N passed, M failed"; exits non-zero on failure.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERBOSE=0
[ "${1:-}" = "-v" ] && { VERBOSE=1; shift; }
ONLY="${1:-}"

if [ -z "${TFCORE_SKIP_BUILD:-}" ] && ! "$ROOT/scripts/build-tfcore.sh" selftest; then
  echo "tfcore-selftest: build failed"
  echo "tfcore-selftest: 0 passed, 1 failed"
  exit 1
fi

TFCORE="$ROOT/build/tfcore"
PROV="$ROOT/build/tfcore-testprovider/terraform-provider-tftest"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tfcore-selftest.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

PASS=0
FAIL=0
FAILED_NAMES=()
CUR=""
CUR_OK=1
OUT=""
RC=0

unset TF_DISABLE_PLUGIN_TLS TF_CLI_CONFIG_FILE TFTEST_MODE TF_WORKSPACE TF_LOG TF_LOG_PROVIDER
export TFCORE_PROVIDER_tftest="$PROV"

begin() { # begin NAME -> returns 1 if the test is filtered out
  CUR="$1"; CUR_OK=1
  if [ -n "$ONLY" ] && [[ "$CUR" != *"$ONLY"* ]]; then return 1; fi
  D="$WORK/$CUR"
  mkdir -p "$D"
  export TFTEST_STORE="$D/store.json" TFTEST_LOG="$D/provider.log" TFCORE_TRACE_RPC="$D/rpc.log"
  return 0
}

bad() {
  CUR_OK=0
  echo "  FAIL [$CUR]: $*"
  if [ "$VERBOSE" = 1 ]; then echo "----- output (rc=$RC) -----"; echo "$OUT"; echo "---------------------------"; fi
}

end() {
  if [ "$CUR_OK" = 1 ]; then PASS=$((PASS + 1)); echo "ok   $CUR"
  else FAIL=$((FAIL + 1)); FAILED_NAMES+=("$CUR"); echo "FAIL $CUR"; fi
}

# tf ARGS... : run tfcore in $D, capture combined output and exit code
tf() {
  OUT="$(cd "$D" && timeout 120 "$TFCORE" "$@" 2>&1)"
  RC=$?
}

config() { cat > "$D/main.tf"; }

rc_is() { [ "$RC" = "$1" ] || bad "exit code $RC, want $1 (tfcore $*)"; }
has() { grep -qF -- "$1" <<<"$OUT" || bad "output lacks: $1"; }
lacks() { if grep -qF -- "$1" <<<"$OUT"; then bad "output unexpectedly has: $1"; fi; }
file_has() { grep -qF -- "$2" "$1" 2>/dev/null || bad "$1 lacks: $2"; }

HDR='terraform {
  required_providers {
    tftest = { source = "example.com/test/tftest" }
  }
}
'

# ---------------------------------------------------------------------------
if begin lifecycle_ok; then
  config <<EOF
$HDR
resource "tftest_thing" "a" {
  name  = "alpha"
  value = "v1"
  zone  = "z1"
  rule {
    port = 80
  }
}
output "id" { value = tftest_thing.a.id }
EOF
  tf plan -detailed-exitcode;  rc_is 2; has "# tftest_thing.a will be created"; has '+ name        = "alpha"'
  has "+ id          = (known after apply)"; has "Plan: 1 to add, 0 to change, 0 to destroy."
  tf apply -auto-approve;      rc_is 0; has "tftest_thing.a: Creation complete after"; has "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
  has 'id = "thing-1"'
  file_has "$D/terraform.tfstate" '"version": 4'
  file_has "$D/terraform.tfstate" '"provider": "provider[\"example.com/test/tftest\"]"'
  file_has "$D/terraform.tfstate" '"schema_version": 1'
  file_has "$D/terraform.tfstate" '"private": '
  tf plan -detailed-exitcode;  rc_is 0; has "No changes. Your infrastructure matches the configuration."
  tf apply;                    rc_is 0; has "Apply complete! Resources: 0 added, 0 changed, 0 destroyed."
  sed -i 's/"v1"/"v2"/' "$D/main.tf"
  tf plan -detailed-exitcode;  rc_is 2; has "# tftest_thing.a will be updated in-place"; has '~ value       = "v1" -> "v2"'
  has "Plan: 0 to add, 1 to change, 0 to destroy."
  tf apply -auto-approve;      rc_is 0; has "Modifications complete"; has "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."
  sed -i 's/"z1"/"z2"/' "$D/main.tf"
  tf plan -detailed-exitcode;  rc_is 2; has "# tftest_thing.a must be replaced"; has "-/+ resource"; has "# forces replacement"
  has "Plan: 1 to add, 0 to change, 1 to destroy."
  tf apply;                    rc_is 0; has "Apply complete! Resources: 1 added, 0 changed, 1 destroyed."
  tf destroy -auto-approve;    rc_is 0; has "# tftest_thing.a will be destroyed"; has "Destroy complete! Resources: 1 destroyed."
  grep -q '"type": "tftest_thing"' "$D/terraform.tfstate" && bad "resource left in state after destroy"
  file_has "$D/store.json" '"objects": {}'
  tf plan -detailed-exitcode;  rc_is 2
  end
fi

# ---------------------------------------------------------------------------
if begin rpc_sequence; then
  config <<EOF
$HDR
provider "tftest" {
  prefix = "p-"
}
resource "tftest_thing" "a" { name = "a" }
EOF
  tf apply; rc_is 0; has 'p-thing-1'
  : > "$D/rpc.log"; : > "$D/provider.log"
  tf plan; rc_is 0
  want="GetProviderSchema GetResourceIdentitySchemas GetProviderSchema GetResourceIdentitySchemas ValidateProviderConfig ValidateResourceConfig GetProviderSchema GetResourceIdentitySchemas ValidateProviderConfig ConfigureProvider UpgradeResourceState ReadResource ValidateResourceConfig PlanResourceChange"
  got="$(awk '{print $2}' "$D/rpc.log" | tr '\n' ' ' | sed 's/ $//')"
  [ "$got" = "$want" ] || bad "plan RPC sequence: got [$got] want [$want]"
  : > "$D/rpc.log"
  sed -i 's/name = "a"/name = "b"/' "$D/main.tf"
  tf apply; rc_is 0
  got="$(awk '{print $2}' "$D/rpc.log" | tr '\n' ' ' | sed 's/ $//')"
  want_tail="ValidateProviderConfig ConfigureProvider UpgradeResourceState ValidateResourceConfig PlanResourceChange ApplyResourceChange"
  [[ "$got" == *"$want_tail" ]] || bad "apply RPC sequence: got [$got], want it to end with [$want_tail]"
  n="$(grep -c '^start ' "$D/provider.log")"
  [ "$n" = 7 ] || bad "expected 3 processes for plan + 4 for apply, provider started $n times"
  file_has "$D/provider.log" "ConfigureProvider tv=1.16.0 wo=true"
  end
fi

# ---------------------------------------------------------------------------
if begin automtls_and_plaintext; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  tf plan; rc_is 0
  file_has "$D/provider.log" "start tls=true"
  lacks "tls=false"
  grep -q "tls=false" "$D/provider.log" && bad "a plugin ran without PLUGIN_CLIENT_CERT"
  : > "$D/provider.log"
  OUT="$(cd "$D" && TF_DISABLE_PLUGIN_TLS=1 timeout 60 "$TFCORE" plan 2>&1)"; RC=$?
  rc_is 0; has "Plan: 1 to add"
  file_has "$D/provider.log" "start tls=false"
  grep -q "tls=true" "$D/provider.log" && bad "PLUGIN_CLIENT_CERT set although TF_DISABLE_PLUGIN_TLS=1"
  versions="$(sed -n 's/.*versions=//p' "$D/provider.log" | head -1)"
  [ "$versions" = "5,6" ] || [ "$versions" = "6,5" ] || bad "PLUGIN_PROTOCOL_VERSIONS was '$versions'"
  end
fi

# ---------------------------------------------------------------------------
if begin proto5_refused; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  OUT="$(cd "$D" && TFTEST_MODE=proto5 timeout 60 "$TFCORE" plan 2>&1)"; RC=$?
  rc_is 1; has "announced plugin protocol version 5"
  end
fi

# ---------------------------------------------------------------------------
run_mode() { # run_mode MODE ARGS...
  local mode="$1"; shift
  OUT="$(cd "$D" && TFTEST_MODE="$mode" timeout 120 "$TFCORE" "$@" 2>&1)"; RC=$?
}

if begin check_plan_changes_config; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  run_mode plan_change_config plan; rc_is 1
  has "Error: Provider produced invalid plan"
  has 'Provider "example.com/test/tftest" planned an invalid value for tftest_thing.a.name: planned value cty.StringVal("a-changed") does not match config value cty.StringVal("a").'
  has "This is a bug in the provider, which should be reported in the provider's own issue tracker."
  run_mode plan_change_config plan -detailed-exitcode; rc_is 1
  end
fi

if begin check_apply_differs; then
  config <<EOF
$HDR
resource "tftest_thing" "a" {
  name  = "a"
  value = "v1"
}
EOF
  run_mode apply_differs apply; rc_is 1
  has "Error: Provider produced inconsistent result after apply"
  has 'When applying changes to tftest_thing.a, provider "provider[\"example.com/test/tftest\"]" produced an unexpected new value: .value: was cty.StringVal("v1"), but now cty.StringVal("v1!").'
  file_has "$D/terraform.tfstate" '"status": "tainted"'
  tf plan; rc_is 0; has "# tftest_thing.a is tainted, so must be replaced"; has "Plan: 1 to add, 0 to change, 1 to destroy."
  end
fi

if begin check_apply_unknown; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  run_mode apply_unknown apply; rc_is 1
  has "Error: Provider returned invalid result object after apply"
  has "After the apply operation, the provider still indicated an unknown value for tftest_thing.a.computed_at. All values must be known after apply"
  file_has "$D/terraform.tfstate" '"computed_at": null'
  end
fi

if begin check_apply_null; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  run_mode apply_null apply; rc_is 1
  has "Error: Provider returned invalid result object after apply"
  has "After applying a Create plan, the provider returned a null object for tftest_thing.a."
  end
fi

if begin check_destroy_nonnull; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  tf apply; rc_is 0
  run_mode destroy_nonnull destroy; rc_is 1
  has "After applying a Delete plan, the provider returned a non-null object for tftest_thing.a."
  end
fi

if begin check_final_plan; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  run_mode replan_differs apply; rc_is 1
  has "Error: Provider produced inconsistent final plan"
  has "When expanding the plan for tftest_thing.a to include new values learned so far during apply, provider \"example.com/test/tftest\" produced an invalid new value for .size: was cty.NumberIntVal("
  lacks "Creation complete"
  end
fi

if begin check_refresh_unknown; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  tf apply; rc_is 0
  run_mode refresh_unknown plan; rc_is 1
  has "Error: Provider produced invalid object"
  has 'Provider "example.com/test/tftest" planned an invalid value for tftest_thing.a during refresh: The returned state contains unknown values.'
  end
fi

DATA_CFG="$HDR
data \"tftest_info\" \"i\" { input = \"abc\" }
output \"up\" { value = data.tftest_info.i.upper }
"

if begin check_data_null; then
  config <<<"$DATA_CFG"
  run_mode data_null plan; rc_is 1
  has "Error: Provider produced null object"
  has 'Provider "example.com/test/tftest" produced a null value for data.tftest_info.i.'
  end
fi

if begin check_data_unknown; then
  config <<<"$DATA_CFG"
  run_mode data_unknown plan; rc_is 1
  has "Error: Provider produced invalid object"
  has 'Provider "example.com/test/tftest" produced a value for data.tftest_info.i that is not wholly known.'
  end
fi

if begin data_source_ok; then
  config <<<"$DATA_CFG"
  tf apply; rc_is 0; has 'up = "ABC"'; has "data.tftest_info.i: Read complete"
  file_has "$D/terraform.tfstate" '"mode": "data"'
  tf plan -detailed-exitcode; rc_is 0
  end
fi

if begin check_bad_schema_type; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  run_mode bad_schema_type plan; rc_is 1
  has "Error: Failed to load plugin schemas"
  has 'attribute "name" has an invalid type'
  end
fi

# ---------------------------------------------------------------------------
if begin import_checks; then
  config <<EOF
$HDR
resource "tftest_thing" "src" { name = "imported" }
EOF
  tf apply; rc_is 0
  mkdir -p "$D/imp"
  cat > "$D/imp/main.tf" <<EOF
$HDR
resource "tftest_thing" "b" { name = "imported" }
EOF
  OUT="$(cd "$D/imp" && TFTEST_MODE=import_none timeout 60 "$TFCORE" import tftest_thing.b thing-1 2>&1)"; RC=$?
  rc_is 1; has "Error: Import returned no resources"; has "While attempting to import with ID thing-1, the provider returned no instance states."
  OUT="$(cd "$D/imp" && TFTEST_MODE=import_two timeout 60 "$TFCORE" import tftest_thing.b thing-1 2>&1)"; RC=$?
  rc_is 1; has "Error: Multiple import states not supported"
  OUT="$(cd "$D/imp" && timeout 60 "$TFCORE" import tftest_thing.b nope 2>&1)"; RC=$?
  rc_is 1; has "Error: Cannot import non-existent remote object"
  OUT="$(cd "$D/imp" && timeout 60 "$TFCORE" import tftest_thing.nothere thing-1 2>&1)"; RC=$?
  rc_is 1; has 'Error: resource address "tftest_thing.nothere" does not exist in the configuration.'
  OUT="$(cd "$D/imp" && timeout 60 "$TFCORE" import tftest_thing.b thing-1 2>&1)"; RC=$?
  rc_is 0; has 'tftest_thing.b: Importing from ID "thing-1"...'; has "Import successful!"
  file_has "$D/imp/terraform.tfstate" '"id": "thing-1"'
  OUT="$(cd "$D/imp" && timeout 60 "$TFCORE" plan -detailed-exitcode 2>&1)"; RC=$?
  rc_is 0; has "No changes."
  OUT="$(cd "$D/imp" && timeout 60 "$TFCORE" import tftest_thing.b thing-1 2>&1)"; RC=$?
  rc_is 1; has "Error: Resource already managed by Terraform"
  end
fi

# ---------------------------------------------------------------------------
if begin count_expansion; then
  config <<EOF
$HDR
variable "n" { default = 3 }
resource "tftest_thing" "c" {
  count = var.n
  name  = "c-\${count.index}"
}
output "names" { value = tftest_thing.c[*].name }
EOF
  tf plan; rc_is 0; has "# tftest_thing.c[0] will be created"; has "# tftest_thing.c[2] will be created"; has "Plan: 3 to add, 0 to change, 0 to destroy."
  tf apply; rc_is 0; has "Apply complete! Resources: 3 added"; has '"c-2",'
  file_has "$D/terraform.tfstate" '"index_key": 2'
  file_has "$D/terraform.tfstate" '"each": "list"'
  tf plan -var n=1; rc_is 0; has "Plan: 0 to add, 0 to change, 2 to destroy."
  has "# (because index [2] is out of range for count)"
  tf apply -var 'n=1'; rc_is 0; has "Apply complete! Resources: 0 added, 0 changed, 2 destroyed."
  end
fi

if begin for_each_expansion; then
  config <<EOF
$HDR
variable "m" {
  type    = map(string)
  default = { a = "x", b = "y" }
}
resource "tftest_thing" "m" {
  for_each = var.m
  name     = each.key
  value    = each.value
}
resource "tftest_thing" "s" {
  for_each = toset(["p", "q"])
  name     = "set-\${each.value}"
}
resource "tftest_thing" "dep" {
  name  = "dep"
  value = tftest_thing.m["a"].id
}
EOF
  tf apply; rc_is 0; has 'tftest_thing.m["a"]: Creation complete'; has 'tftest_thing.s["q"]: Creation complete'
  has "Apply complete! Resources: 5 added"
  file_has "$D/terraform.tfstate" '"index_key": "b"'
  file_has "$D/terraform.tfstate" '"each": "map"'
  file_has "$D/terraform.tfstate" '"tftest_thing.m"'
  tf plan -detailed-exitcode; rc_is 0
  tf plan -var 'm={a="x"}'; rc_is 0; has '# tftest_thing.m["b"] will be destroyed'; has "Plan: 0 to add, 0 to change, 1 to destroy."
  end
fi

if begin unknown_count_error; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
resource "tftest_thing" "b" {
  count = length(tftest_thing.a.id)
  name  = "b"
}
EOF
  tf plan; rc_is 1; has "Error: Invalid count argument"; has 'The "count" value depends on resource attributes that cannot be determined until apply'
  has "on main.tf line 9"
  end
fi

# ---------------------------------------------------------------------------
if begin references_and_deferred_data; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
data "tftest_info" "d" { input = tftest_thing.a.id }
resource "tftest_thing" "b" {
  name  = "b"
  value = data.tftest_info.d.upper
}
resource "tftest_thing" "c" {
  name       = "c"
  depends_on = [tftest_thing.b]
}
output "b_value" { value = tftest_thing.b.value }
EOF
  tf plan; rc_is 0; has "# data.tftest_info.d will be read during apply"; has "(config refers to values not yet known)"
  has "Plan: 3 to add"; has "+ b_value = (known after apply)"
  tf apply; rc_is 0; has 'b_value = "THING-1"'
  a_line="$(grep -n 'tftest_thing.a: Creation complete' <<<"$OUT" | cut -d: -f1)"
  d_line="$(grep -n 'data.tftest_info.d: Read complete' <<<"$OUT" | cut -d: -f1)"
  b_line="$(grep -n 'tftest_thing.b: Creating' <<<"$OUT" | cut -d: -f1)"
  c_line="$(grep -n 'tftest_thing.c: Creating' <<<"$OUT" | cut -d: -f1)"
  b_done="$(grep -n 'tftest_thing.b: Creation complete' <<<"$OUT" | cut -d: -f1)"
  { [ -n "$a_line" ] && [ -n "$d_line" ] && [ -n "$b_line" ] && [ "$a_line" -lt "$d_line" ] && [ "$d_line" -lt "$b_line" ] && [ "$b_done" -lt "$c_line" ]; } || bad "wrong apply order a=$a_line d=$d_line b=$b_line b_done=$b_done c=$c_line"
  file_has "$D/terraform.tfstate" '"data.tftest_info.d"'
  tf plan -detailed-exitcode; rc_is 0
  end
fi

if begin parallelism; then
  {
    echo "$HDR"
    for i in $(seq 1 12); do echo "resource \"tftest_thing\" \"r$i\" { name = \"r$i\" }"; done
  } > "$D/main.tf"
  OUT="$(cd "$D" && TFTEST_DELAY_MS=300 timeout 120 "$TFCORE" plan 2>&1)"; RC=$?
  rc_is 0; has "Plan: 12 to add"
  max="$(sed -n 's/^maxinflight //p' "$D/provider.log" | sort -n | tail -1)"
  { [ -n "$max" ] && [ "$max" -ge 5 ] && [ "$max" -le 10 ]; } || bad "max concurrent PlanResourceChange with default parallelism was '$max' (want 5..10)"
  : > "$D/provider.log"
  OUT="$(cd "$D" && TFTEST_DELAY_MS=50 timeout 120 "$TFCORE" plan -parallelism=1 2>&1)"; RC=$?
  rc_is 0
  max="$(sed -n 's/^maxinflight //p' "$D/provider.log" | sort -n | tail -1)"
  [ "$max" = 1 ] || bad "max concurrent PlanResourceChange with -parallelism=1 was '$max'"
  end
fi

# ---------------------------------------------------------------------------
if begin workspaces; then
  config <<EOF
$HDR
resource "tftest_thing" "w" { name = "ws-\${terraform.workspace}" }
EOF
  tf workspace show; rc_is 0; has "default"
  tf workspace new dev; rc_is 0; has 'Created and switched to workspace "dev"!'
  tf apply; rc_is 0; has "Apply complete! Resources: 1 added"
  [ -f "$D/terraform.tfstate.d/dev/terraform.tfstate" ] || bad "no terraform.tfstate.d/dev/terraform.tfstate"
  file_has "$D/terraform.tfstate.d/dev/terraform.tfstate" '"name": "ws-dev"'
  file_has "$D/.terraform/environment" "dev"
  tf workspace list; rc_is 0; has "* dev"; has "  default"
  tf workspace select default; rc_is 0
  tf plan -detailed-exitcode; rc_is 2; has '+ name        = "ws-default"'
  tf workspace select nope; rc_is 1
  tf workspace select dev; rc_is 0
  tf plan -detailed-exitcode; rc_is 0
  end
fi

# ---------------------------------------------------------------------------
if begin config_errors; then
  config <<EOF
$HDR
resource "tftest_thing" "a" {
  value = "x"
  bogus = 1
}
EOF
  tf plan -detailed-exitcode; rc_is 1
  has "Error: Missing required argument"; has 'The argument "name" is required, but no definition was found.'
  has "Error: Unsupported argument"; has 'An argument named "bogus" is not expected here.'
  has "on main.tf line 9, in resource \"tftest_thing\" \"a\":"
  tf validate; rc_is 1; has "Error: Missing required argument"
  end
fi

if begin provider_diag_location; then
  config <<EOF
$HDR
resource "tftest_thing" "a" {
  name  = "a"
  value = "invalid"
}
EOF
  tf plan; rc_is 1
  has "Error: Invalid value"; has "  with tftest_thing.a,"
  has "  on main.tf line 9, in resource \"tftest_thing\" \"a\":"; has '   9:   value = "invalid"'
  has 'The value "invalid" is not allowed.'
  end
fi

if begin validate_ok; then
  config <<EOF
$HDR
variable "v" { type = string }
resource "tftest_thing" "a" {
  count = 2
  name  = "\${var.v}-\${count.index}"
}
EOF
  tf validate; rc_is 0; has "Success! The configuration is valid."
  tf plan; rc_is 1; has "Error: No value for required variable"
  end
fi

# ---------------------------------------------------------------------------
if begin variables_locals_functions; then
  config <<EOF
$HDR
variable "tags" {
  type    = map(string)
  default = {}
}
variable "n" {
  type = number
  validation {
    condition     = var.n < 10
    error_message = "n must be below 10."
  }
}
locals {
  doc  = jsondecode(file("\${path.module}/doc.json"))
  name = upper(format("%s-%d", local.doc.base, var.n))
  yml  = yamldecode("k: v")
}
resource "tftest_thing" "a" {
  name  = local.name
  value = join(",", [for k, v in merge(var.tags, { z = "1" }) : "\${k}=\${v}"])
  tags  = var.tags
  dynamic "rule" {
    for_each = [80, 443]
    content {
      port = rule.value
    }
  }
}
output "name" { value = tftest_thing.a.name }
output "yml" { value = local.yml.k }
output "secret" {
  value     = "s3cr3t"
  sensitive = true
}
EOF
  echo '{"base": "app"}' > "$D/doc.json"
  echo 'tags = { a = "b" }' > "$D/vars.tfvars"
  tf plan -var n=12; rc_is 1; has "n must be below 10."
  tf apply -var n=3 -var-file=vars.tfvars; rc_is 0; has 'name = "APP-3"'; has 'yml = "v"'; has "secret = <sensitive>"
  file_has "$D/terraform.tfstate" '"value": "a=b,z=1"'
  file_has "$D/terraform.tfstate" '"port": 443'
  tf output -raw name; rc_is 0; [ "$OUT" = "APP-3" ] || bad "output -raw name gave '$OUT'"
  tf output -json; rc_is 0; has '"sensitive": true'
  tf plan -detailed-exitcode -var n=3 -var-file=vars.tfvars; rc_is 0
  end
fi

if begin ignore_changes; then
  config <<EOF
$HDR
resource "tftest_thing" "a" {
  name  = "a"
  value = "one"
  lifecycle {
    ignore_changes = [value]
  }
}
EOF
  tf apply; rc_is 0
  sed -i 's/"one"/"two"/' "$D/main.tf"
  tf plan -detailed-exitcode; rc_is 0; has "No changes."
  end
fi

if begin create_before_destroy; then
  config <<EOF
$HDR
resource "tftest_thing" "a" {
  name = "a"
  zone = "z1"
  lifecycle {
    create_before_destroy = true
  }
}
EOF
  tf apply; rc_is 0
  sed -i 's/"z1"/"z2"/' "$D/main.tf"
  tf apply; rc_is 0; has "+/- resource"; has "Apply complete! Resources: 1 added, 0 changed, 1 destroyed."
  c="$(grep -n 'tftest_thing.a: Creation complete' <<<"$OUT" | cut -d: -f1)"
  x="$(grep -n 'Destruction complete' <<<"$OUT" | cut -d: -f1)"
  { [ -n "$c" ] && [ -n "$x" ] && [ "$c" -lt "$x" ]; } || bad "create_before_destroy order create=$c destroy=$x"
  has "tftest_thing.a (deposed object 00000001): Destroying..."
  grep -q deposed "$D/terraform.tfstate" && bad "deposed object left in state"
  tf plan -detailed-exitcode; rc_is 0
  end
fi

if begin provider_alias_and_dev_overrides; then
  config <<EOF
$HDR
provider "tftest" {
  alias  = "other"
  prefix = "o-"
}
resource "tftest_thing" "a" {
  provider = tftest.other
  name     = "a"
}
EOF
  cat > "$D/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "example.com/test/tftest" = "$(dirname "$PROV")"
  }
  direct {}
}
EOF
  OUT="$(cd "$D" && env -u TFCORE_PROVIDER_tftest TF_CLI_CONFIG_FILE="$D/cli.tfrc" timeout 60 "$TFCORE" apply 2>&1)"; RC=$?
  rc_is 0; has "Warning: Provider development overrides are in effect"; has "[id=o-thing-1]"
  file_has "$D/terraform.tfstate" '"provider": "provider[\"example.com/test/tftest\"].other"'
  OUT="$(cd "$D" && env -u TFCORE_PROVIDER_tftest timeout 60 "$TFCORE" plan 2>&1)"; RC=$?
  rc_is 1; has "Error: Missing required provider"
  OUT="$(cd "$D" && env -u TFCORE_PROVIDER_tftest timeout 60 "$TFCORE" plan -provider "tftest=$PROV" -detailed-exitcode 2>&1)"; RC=$?
  rc_is 0
  end
fi

if begin orphan_and_show; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
resource "tftest_thing" "b" {
  name  = "b"
  value = tftest_thing.a.id
}
EOF
  tf apply; rc_is 0
  tf show; rc_is 0; has '# tftest_thing.b:'; has 'value       = "thing-1"'
  cat > "$D/main.tf" <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
EOF
  tf plan; rc_is 0; has "# tftest_thing.b will be destroyed"; has "(because tftest_thing.b is not in configuration)"
  tf apply; rc_is 0; has "Apply complete! Resources: 0 added, 0 changed, 1 destroyed."
  # drift: object deleted outside -> planned for creation
  echo '{"counter": 5, "objects": {}}' > "$D/store.json"
  tf plan -detailed-exitcode; rc_is 2; has "# tftest_thing.a will be created"
  end
fi

if begin replace_and_state_cmds; then
  config <<EOF
$HDR
resource "tftest_thing" "a" { name = "a" }
resource "tftest_thing" "b" { name = "b" }
EOF
  tf apply; rc_is 0
  tf plan -replace=tftest_thing.a -detailed-exitcode; rc_is 2
  has "# tftest_thing.a will be replaced, as requested"; has "Plan: 1 to add, 0 to change, 1 to destroy."
  tf state list; rc_is 0; has "tftest_thing.a"; has "tftest_thing.b"
  tf state rm tftest_thing.b; rc_is 0; has "Removed tftest_thing.b"
  tf state list; rc_is 0; lacks "tftest_thing.b"
  tf plan -detailed-exitcode; rc_is 2; has "# tftest_thing.b will be created"
  end
fi

if begin prevent_destroy; then
  config <<EOF
$HDR
resource "tftest_thing" "a" {
  name = "a"
  lifecycle {
    prevent_destroy = true
  }
}
EOF
  tf apply; rc_is 0
  tf destroy; rc_is 1; has "Error: Instance cannot be destroyed"; has "Resource tftest_thing.a has lifecycle.prevent_destroy set"
  file_has "$D/terraform.tfstate" '"name": "a"'
  end
fi

# ---------------------------------------------------------------------------
echo
if [ "$FAIL" -gt 0 ]; then echo "failed: ${FAILED_NAMES[*]}"; fi
echo "tfcore-selftest: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

// Command tfcore is a Terraform-core stand-in for testing provider plugins:
// it reads .tf files, launches a provider plugin like Terraform does
// (go-plugin, gRPC, AutoMTLS, protocol 6) and runs validate/plan/apply/
// destroy/import with Terraform's checks and messages.
package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	plugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

const usage = `Usage: tfcore [-chdir=DIR] <command> [options] [args]

Commands:
  validate                 Check the configuration (validate walk)
  plan                     Show changes (-detailed-exitcode, -destroy, -refresh=false)
  apply                    Plan and apply (never prompts; -auto-approve accepted)
  destroy                  Destroy everything in state
  import ADDR ID           Import an existing object
  refresh                  Refresh state (refresh-only plan, saved)
  show [-json]             Show the state
  output [NAME] [-json|-raw]
  workspace new|select|show|list|delete [NAME]
  state list | state rm ADDR...
  version

Options (after the command):
  -var 'k=v'  -var-file=FILE  -parallelism=N (10)  -auto-approve  -no-color
  -detailed-exitcode  -refresh=false  -input=false  -lock=false
  -replace=ADDR            force replacement of an instance (plan/apply)
  -provider NAME=PATH      provider binary for local name or source address
Environment:
  TFCORE_PROVIDER_<name>=PATH   provider binary for local provider name
  TF_CLI_CONFIG_FILE            CLI config with provider_installation.dev_overrides
  TF_DISABLE_PLUGIN_TLS=1       plaintext gRPC instead of AutoMTLS
  TF_LOG / TF_LOG_PROVIDER / TF_LOG_PATH   plugin logs
  TFCORE_TRACE_RPC=FILE         append "SOURCE RPCNAME" for every RPC made
`

func main() {
	code := realMain(os.Args[1:])
	plugin.CleanupClients()
	os.Exit(code)
}

type cliArgs struct {
	cmd              string
	args             []string
	opts             *Options
	detailedExitcode bool
	destroy          bool
	jsonOut          bool
	raw              bool
}

func parseArgs(argv []string) (*cliArgs, error) {
	ca := &cliArgs{opts: &Options{Dir: ".", Parallelism: 10, Refresh: true, ProviderOverrides: map[string]string{}, Replace: map[string]bool{}}}
	i := 0
	for ; i < len(argv) && strings.HasPrefix(argv[i], "-"); i++ {
		a := argv[i]
		switch {
		case strings.HasPrefix(a, "-chdir="):
			ca.opts.Dir = strings.TrimPrefix(a, "-chdir=")
		case a == "-chdir" && i+1 < len(argv):
			i++
			ca.opts.Dir = argv[i]
		case a == "-version" || a == "--version" || a == "-v":
			ca.cmd = "version"
		case a == "-help" || a == "--help" || a == "-h":
			ca.cmd = "help"
		default:
			return nil, fmt.Errorf("unknown global option %s", a)
		}
	}
	if ca.cmd != "" {
		return ca, nil
	}
	if i >= len(argv) {
		ca.cmd = "help"
		return ca, nil
	}
	ca.cmd = argv[i]
	i++
	value := func(a, name string) (string, bool, error) {
		if strings.HasPrefix(a, name+"=") {
			return a[len(name)+1:], true, nil
		}
		if a == name {
			if i+1 >= len(argv) {
				return "", true, fmt.Errorf("option %s needs a value", name)
			}
			i++
			return argv[i], true, nil
		}
		return "", false, nil
	}
	for ; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			ca.args = append(ca.args, a)
			continue
		}
		a = strings.Replace(a, "--", "-", 1)
		if v, ok, err := value(a, "-var"); ok {
			if err != nil {
				return nil, err
			}
			ca.opts.Vars = append(ca.opts.Vars, v)
			continue
		}
		if v, ok, err := value(a, "-var-file"); ok {
			if err != nil {
				return nil, err
			}
			ca.opts.VarFiles = append(ca.opts.VarFiles, v)
			continue
		}
		if v, ok, err := value(a, "-parallelism"); ok {
			if err != nil {
				return nil, err
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("invalid -parallelism %q", v)
			}
			ca.opts.Parallelism = n
			continue
		}
		if v, ok, err := value(a, "-provider"); ok {
			if err != nil {
				return nil, err
			}
			j := strings.Index(v, "=")
			if j < 0 {
				return nil, fmt.Errorf("-provider needs NAME=PATH")
			}
			ca.opts.ProviderOverrides[v[:j]] = v[j+1:]
			continue
		}
		if v, ok, err := value(a, "-replace"); ok {
			if err != nil {
				return nil, err
			}
			ca.opts.Replace[v] = true
			continue
		}
		if v, ok, err := value(a, "-chdir"); ok {
			if err != nil {
				return nil, err
			}
			ca.opts.Dir = v
			continue
		}
		switch {
		case a == "-auto-approve", a == "-no-color", a == "-input=false", a == "-lock=false", a == "-compact-warnings",
			a == "-input=true", a == "-lock=true", strings.HasPrefix(a, "-lock-timeout"):
		case a == "-detailed-exitcode":
			ca.detailedExitcode = true
		case a == "-destroy":
			ca.destroy = true
		case a == "-refresh=false":
			ca.opts.Refresh = false
		case a == "-refresh=true":
			ca.opts.Refresh = true
		case a == "-json":
			ca.jsonOut = true
		case a == "-raw":
			ca.raw = true
		default:
			return nil, fmt.Errorf("unknown option %s", argv[i])
		}
	}
	return ca, nil
}

func realMain(argv []string) int {
	ca, err := parseArgs(argv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "\nError: Invalid command line\n\n%s\n\n%s", err, usage)
		return 1
	}
	if f := os.Getenv("TFCORE_TRACE_RPC"); f != "" {
		traceRPCFile, _ = os.OpenFile(f, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0644)
	}
	switch ca.cmd {
	case "help":
		fmt.Print(usage)
		return 0
	case "version":
		fmt.Printf("Terraform v%s (tfcore)\non %s\n", terraformVersion, "linux_amd64")
		return 0
	case "workspace":
		return cmdWorkspace(ca)
	case "state":
		return cmdState(ca)
	case "validate", "plan", "apply", "destroy", "import", "refresh", "show", "output":
	default:
		fmt.Fprintf(os.Stderr, "\nError: Unknown command %q\n\n%s", ca.cmd, usage)
		return 1
	}
	dir := ca.opts.Dir
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		fmt.Fprintf(os.Stderr, "\nError: Invalid -chdir option\n\nThe directory %s does not exist.\n", dir)
		return 1
	}
	if err := os.Chdir(dir); err != nil {
		fmt.Fprintf(os.Stderr, "\nError: Invalid -chdir option\n\n%s\n", err)
		return 1
	}
	ca.opts.Dir = "."
	ws := currentWorkspace(".")
	st, d := loadState(statePath(".", ws))
	r := &Run{opts: ca.opts, state: st, out: os.Stdout, errOut: os.Stderr, workspace: ws,
		sem: make(chan struct{}, ca.opts.Parallelism), providers: map[string]*Provider{}}
	if d.HasErrors() {
		printDiags(os.Stdout, os.Stderr, d)
		return 1
	}
	switch ca.cmd {
	case "output":
		return cmdOutput(r, ca)
	}
	mod, d := loadModule(".")
	r.mod = mod
	r.addDiags(d)
	if d.HasErrors() {
		r.flushDiags()
		return 1
	}
	if ca.cmd == "show" {
		return cmdShow(r, ca)
	}
	if ovs := devOverrides(); len(ovs) > 0 {
		var lines []string
		for _, k := range sortedKeys(ovs) {
			lines = append(lines, fmt.Sprintf(" - %s in %s", k, ovs[k]))
		}
		r.addDiags(Diags{{Severity: SevWarning, Summary: "Provider development overrides are in effect",
			Detail: "The following provider development overrides are set in the CLI configuration:\n" + strings.Join(lines, "\n") + "\n\nThe behavior may therefore not match any released version of the provider and applying changes may cause the state to become incompatible with published releases."}})
	}
	vars, d := resolveVariables(mod, ca.opts.Vars, ca.opts.VarFiles)
	if ca.cmd == "validate" {
		vars = map[string]cty.Value{}
		d = nil
	}
	r.addDiags(d)
	if d.HasErrors() {
		r.flushDiags()
		return 1
	}
	r.ev = newEvaluator(".", ws)
	r.ev.vars = vars
	r.addDiags(r.loadSchemas())
	if r.hasErrors() {
		r.flushDiags()
		return 1
	}
	if ca.cmd != "import" {
		r.validateWalk()
		if r.hasErrors() {
			r.flushDiags()
			return 1
		}
	}
	switch ca.cmd {
	case "validate":
		r.flushDiags()
		fmt.Println("Success! The configuration is valid.")
		return 0
	case "plan":
		return cmdPlan(r, ca)
	case "apply":
		return cmdApply(r, ca, ca.destroy)
	case "destroy":
		return cmdApply(r, ca, true)
	case "refresh":
		return cmdRefresh(r, ca)
	case "import":
		return cmdImport(r, ca)
	}
	return 1
}

func (r *Run) saveState() bool {
	if err := r.state.Save(statePath(".", r.workspace), r.schemaForState); err != nil {
		fmt.Fprintf(os.Stderr, "\nError: Failed to save state\n\n%s\n", err)
		return false
	}
	return true
}

func cmdPlan(r *Run, ca *cliArgs) int {
	prior := copyOutputs(r.state.Outputs)
	var plan *Plan
	if ca.destroy {
		plan = r.destroyPlan()
	} else {
		plan = r.planWalk(false, false)
	}
	if r.hasErrors() {
		r.flushDiags()
		return 1
	}
	changes := r.renderPlan(plan, prior)
	r.flushDiags()
	if changes {
		fmt.Print("\nNote: You didn't use the -out option to save this plan, so Terraform can't\nguarantee to take exactly these actions if you run \"terraform apply\" now.\n")
	}
	if ca.detailedExitcode && changes {
		return 2
	}
	return 0
}

// destroyPlan is Terraform's destroy planning: a refresh walk (unless
// -refresh=false or the state is empty), then the destroy plan walk.
func (r *Run) destroyPlan() *Plan {
	if r.opts.Refresh && len(r.state.Resources) > 0 {
		r.planWalk(false, true)
		if r.hasErrors() {
			return &Plan{Changes: map[string]*Change{}, Outputs: map[string]cty.Value{}, Destroy: true}
		}
	}
	saved := r.opts.Refresh
	r.opts.Refresh = false
	defer func() { r.opts.Refresh = saved }()
	return r.planWalk(true, false)
}

func copyOutputs(m map[string]OutputVal) map[string]OutputVal {
	out := map[string]OutputVal{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cmdApply(r *Run, ca *cliArgs, destroy bool) int {
	prior := copyOutputs(r.state.Outputs)
	var plan *Plan
	if destroy {
		plan = r.destroyPlan()
	} else {
		plan = r.planWalk(false, false)
	}
	if r.hasErrors() {
		r.flushDiags()
		return 1
	}
	changes := r.renderPlan(plan, prior)
	r.flushDiags()
	hasResChanges := false
	for _, c := range plan.Changes {
		if c.Action != NoOp {
			hasResChanges = true
		}
	}
	stats := &applyStats{}
	if hasResChanges {
		fmt.Println()
		stats = r.applyWalk(plan)
	} else if !destroy {
		r.state.mu.Lock()
		r.state.Outputs = map[string]OutputVal{}
		for n, v := range plan.Outputs {
			if v.IsWhollyKnown() && !v.IsNull() {
				r.state.Outputs[n] = OutputVal{Value: v, Sensitive: r.mod.Outputs[n].Sensitive}
			}
		}
		r.state.mu.Unlock()
	} else {
		r.state.Outputs = map[string]OutputVal{}
	}
	_ = changes
	saved := r.saveState()
	if r.hasErrors() || !saved {
		r.flushDiags()
		return 1
	}
	r.flushDiags()
	if destroy {
		fmt.Printf("\nDestroy complete! Resources: %d destroyed.\n", stats.destroyed)
		return 0
	}
	fmt.Printf("\nApply complete! Resources: %d added, %d changed, %d destroyed.\n", stats.added, stats.changed, stats.destroyed)
	fmt.Print(renderOutputs(r.state.Outputs))
	return 0
}

func cmdRefresh(r *Run, ca *cliArgs) int {
	plan := r.planWalk(false, true)
	if r.hasErrors() {
		r.flushDiags()
		return 1
	}
	r.state.mu.Lock()
	for n, v := range plan.Outputs {
		if v.IsWhollyKnown() && !v.IsNull() {
			r.state.Outputs[n] = OutputVal{Value: v, Sensitive: r.mod.Outputs[n].Sensitive}
		}
	}
	r.state.mu.Unlock()
	if !r.saveState() {
		return 1
	}
	r.flushDiags()
	fmt.Print(renderOutputs(r.state.Outputs))
	return 0
}

func cmdShow(r *Run, ca *cliArgs) int {
	// schemas are needed to decode; best effort
	_ = r.loadSchemas()
	if ca.jsonOut {
		b, _ := r.state.Encode(r.schemaForState)
		fmt.Println(string(b))
		return 0
	}
	if len(r.state.Resources) == 0 && len(r.state.Outputs) == 0 {
		fmt.Println("No state.")
		return 0
	}
	fmt.Print(r.renderStateHuman())
	return 0
}

func cmdOutput(r *Run, ca *cliArgs) int {
	outs := r.state.Outputs
	if len(ca.args) > 0 {
		name := ca.args[0]
		o, ok := outs[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "\nError: Output %q not found\n\nThe output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `terraform apply`, since the state won't be updated with new output variables until that command is run.\n", name)
			return 1
		}
		switch {
		case ca.jsonOut:
			b, _ := ctyjson.Marshal(o.Value, o.Value.Type())
			fmt.Println(string(b))
		case ca.raw:
			if o.Value.Type().IsPrimitiveType() && !o.Value.IsNull() {
				if o.Value.Type() == cty.String {
					fmt.Print(o.Value.AsString())
				} else {
					fmt.Print(formatValue(o.Value, 0, false))
				}
				return 0
			}
			fmt.Fprintf(os.Stderr, "\nError: Unsupported value for raw output\n\nThe -raw option only supports strings, numbers, and boolean values, but output value %q is %s.\n", name, o.Value.Type().FriendlyName())
			return 1
		default:
			fmt.Println(formatValue(o.Value, 0, true))
		}
		return 0
	}
	if ca.jsonOut {
		m := map[string]interface{}{}
		for n, o := range outs {
			vb, _ := ctyjson.Marshal(o.Value, o.Value.Type())
			tb, _ := o.Value.Type().MarshalJSON()
			m[n] = map[string]interface{}{"sensitive": o.Sensitive, "type": json.RawMessage(tb), "value": json.RawMessage(vb)}
		}
		b, _ := json.MarshalIndent(m, "", "  ")
		fmt.Println(string(b))
		return 0
	}
	if len(outs) == 0 {
		fmt.Fprint(os.Stderr, "\nWarning: No outputs found\n\nThe state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `terraform refresh` for it to become available. If you are using interpolation, please verify the interpolated value is not empty. You can use the `terraform show` command to view the resources that are being used.\n")
		return 0
	}
	for _, n := range sortedKeys(outs) {
		o := outs[n]
		if o.Sensitive {
			fmt.Printf("%s = <sensitive>\n", n)
		} else {
			fmt.Printf("%s = %s\n", n, formatValue(o.Value, 0, true))
		}
	}
	return 0
}

var validWorkspace = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func cmdWorkspace(ca *cliArgs) int {
	dir := ca.opts.Dir
	if len(ca.args) == 0 {
		fmt.Fprint(os.Stderr, "Usage: tfcore workspace new|select|show|list|delete [NAME]\n")
		return 1
	}
	sub := ca.args[0]
	cur := currentWorkspace(dir)
	envFile := filepath.Join(dir, ".terraform", "environment")
	setCur := func(name string) error {
		if err := os.MkdirAll(filepath.Join(dir, ".terraform"), 0755); err != nil {
			return err
		}
		return ioutil.WriteFile(envFile, []byte(name), 0644)
	}
	exists := func(name string) bool {
		for _, w := range listWorkspaces(dir) {
			if w == name {
				return true
			}
		}
		return false
	}
	switch sub {
	case "show":
		fmt.Println(cur)
		return 0
	case "list":
		for _, w := range listWorkspaces(dir) {
			if w == cur {
				fmt.Printf("* %s\n", w)
			} else {
				fmt.Printf("  %s\n", w)
			}
		}
		fmt.Println()
		return 0
	case "new", "select", "delete":
		if len(ca.args) < 2 {
			fmt.Fprintf(os.Stderr, "\nError: Expected a single argument: NAME.\n")
			return 1
		}
		name := ca.args[1]
		if !validWorkspace.MatchString(name) {
			fmt.Fprintf(os.Stderr, "\nError: Invalid workspace name\n\nThe workspace name %q is not allowed. The name must contain only URL safe\ncharacters, and no path separators.\n", name)
			return 1
		}
		switch sub {
		case "new":
			if exists(name) {
				fmt.Fprintf(os.Stderr, "\nError: Workspace %q already exists\n", name)
				return 1
			}
			if err := os.MkdirAll(filepath.Join(dir, "terraform.tfstate.d", name), 0755); err != nil {
				fmt.Fprintf(os.Stderr, "\nError: %s\n", err)
				return 1
			}
			if err := setCur(name); err != nil {
				fmt.Fprintf(os.Stderr, "\nError: %s\n", err)
				return 1
			}
			fmt.Printf("Created and switched to workspace %q!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"terraform plan\" Terraform will not see any existing state\nfor this configuration.\n", name)
			return 0
		case "select":
			if !exists(name) {
				fmt.Fprintf(os.Stderr, "\nError: Workspace %q doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand \nor include the \"-or-create\" flag with the \"select\" subcommand.\n", name)
				return 1
			}
			if err := setCur(name); err != nil {
				fmt.Fprintf(os.Stderr, "\nError: %s\n", err)
				return 1
			}
			fmt.Printf("Switched to workspace %q.\n", name)
			return 0
		case "delete":
			if name == "default" {
				fmt.Fprint(os.Stderr, "\nError: Can't delete default workspace\n")
				return 1
			}
			if !exists(name) {
				fmt.Fprintf(os.Stderr, "\nError: Workspace %q doesn't exist.\n", name)
				return 1
			}
			if name == cur {
				fmt.Fprintf(os.Stderr, "\nError: Workspace %q is your active workspace.\n\nYou cannot delete the currently active workspace. Please switch\nto another workspace and try again.\n", name)
				return 1
			}
			st, _ := loadState(statePath(dir, name))
			if len(st.Resources) > 0 {
				n := 0
				for _, rs := range st.Resources {
					n += len(rs.Instances)
				}
				if n > 0 {
					fmt.Fprintf(os.Stderr, "\nError: Workspace is not empty\n\nWorkspace %q is currently tracking the following resource instances:\n", name)
					return 1
				}
			}
			os.RemoveAll(filepath.Join(dir, "terraform.tfstate.d", name))
			fmt.Printf("Deleted workspace %q!\n", name)
			return 0
		}
	}
	fmt.Fprintf(os.Stderr, "\nError: unknown workspace subcommand %q\n", sub)
	return 1
}

// cmdState implements "state list" and "state rm ADDR...".
func cmdState(ca *cliArgs) int {
	if len(ca.args) == 0 {
		fmt.Fprint(os.Stderr, "Usage: tfcore state list|rm [ADDR...]\n")
		return 1
	}
	if err := os.Chdir(ca.opts.Dir); err != nil {
		fmt.Fprintf(os.Stderr, "\nError: Invalid -chdir option\n\n%s\n", err)
		return 1
	}
	ws := currentWorkspace(".")
	path := statePath(".", ws)
	st, d := loadState(path)
	if d.HasErrors() {
		printDiags(os.Stdout, os.Stderr, d)
		return 1
	}
	switch ca.args[0] {
	case "list":
		for _, k := range sortedKeys(st.Resources) {
			rs := st.Resources[k]
			for _, ik := range sortedInstanceKeys(rs) {
				fmt.Println(k + ik)
			}
		}
		return 0
	case "rm":
		removed := 0
		for _, a := range ca.args[1:] {
			key, idx, err := parseInstanceAddr(a)
			if err != nil {
				fmt.Fprintf(os.Stderr, "\nError: Invalid address\n\n%s\n", err)
				return 1
			}
			rs := st.Resources[key]
			if rs == nil {
				continue
			}
			for _, ik := range sortedInstanceKeys(rs) {
				if idx == cty.NilVal || ik == keyString(idx) {
					delete(rs.Instances, ik)
					delete(rs.Keys, ik)
					fmt.Printf("Removed %s\n", key+ik)
					removed++
				}
			}
		}
		if removed == 0 {
			fmt.Fprint(os.Stderr, "\nError: Invalid target address\n\nNo matching objects found. To view the available instances, use \"terraform state list\". Please modify the address to reference a specific instance.\n")
			return 1
		}
		// raw attributes are kept as stored; no schema needed
		if err := st.Save(path, func(Mode, string, string) *Schema { return nil }); err != nil {
			fmt.Fprintf(os.Stderr, "\nError: Failed to save state\n\n%s\n", err)
			return 1
		}
		fmt.Printf("Successfully removed %d resource instance(s).\n", removed)
		return 0
	}
	fmt.Fprintf(os.Stderr, "\nError: unknown state subcommand %q\n", ca.args[0])
	return 1
}

// ---- import ------------------------------------------------------------------------

func parseInstanceAddr(s string) (key string, idx cty.Value, err error) {
	t, hd := hclsyntax.ParseTraversalAbs([]byte(s), "<addr>", hcl.Pos{Line: 1, Column: 1})
	if hd.HasErrors() {
		return "", cty.NilVal, fmt.Errorf("%s", hd.Error())
	}
	var parts []string
	idx = cty.NilVal
	for _, step := range t {
		switch ts := step.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, ts.Name)
		case hcl.TraverseAttr:
			parts = append(parts, ts.Name)
		case hcl.TraverseIndex:
			idx = ts.Key
		}
	}
	if len(parts) < 2 {
		return "", cty.NilVal, fmt.Errorf("a resource address must have a type and a name")
	}
	return strings.Join(parts, "."), idx, nil
}

func cmdImport(r *Run, ca *cliArgs) int {
	if len(ca.args) != 2 {
		fmt.Fprint(os.Stderr, "\nError: Invalid number of arguments\n\nThe import command expects two arguments.\n")
		return 1
	}
	addrStr, id := ca.args[0], ca.args[1]
	key, idx, err := parseInstanceAddr(addrStr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "\nError: Invalid address\n\n%s\n", err)
		return 1
	}
	rc := r.mod.Resources[key]
	if rc == nil || rc.Mode != ManagedMode {
		parts := strings.SplitN(key, ".", 2)
		fmt.Fprintf(os.Stderr, "\nError: resource address %q does not exist in the configuration.\n\nBefore importing this resource, please create its configuration in the root module. For example:\n\nresource %q %q {\n  # (resource arguments)\n}\n", key, parts[0], parts[len(parts)-1])
		return 1
	}
	addr := key + keyString(idx)
	if rs := r.state.Resources[key]; rs != nil && rs.Instances[keyString(idx)] != nil {
		fmt.Fprintf(os.Stderr, "\nError: Resource already managed by Terraform\n\nTerraform is already managing a remote object for %s. To import to this address you must first remove the existing object from the state.\n", addr)
		return 1
	}
	r.walkName = "import"
	r.providers = map[string]*Provider{}
	defer r.closeProviders()
	// the provider config may reference locals/variables only
	nodes := map[string]*gnode{}
	r.commonNodes(nodes, []string{rc.ProviderKey()}, false, nil, nil)
	r.walk(nodes)
	if r.hasErrors() {
		r.flushDiags()
		return 1
	}
	p := r.provider(rc.ProviderKey())
	s := r.resourceSchema(ManagedMode, rc.Type, rc.ProviderName)
	fmt.Printf("%s: Importing from ID %q...\n", addr, id)
	res, d := p.ImportResourceState(rc.Type, id)
	r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
	if d.HasErrors() {
		r.flushDiags()
		return 1
	}
	switch {
	case len(res) == 0:
		r.addDiags(Diags{errDiag("Import returned no resources", fmt.Sprintf("While attempting to import with ID %s, the provider returned no instance states.", id))})
	case len(res) > 1:
		r.addDiags(Diags{errDiag("Multiple import states not supported", fmt.Sprintf("While attempting to import with ID %s, the provider returned multiple resource instance states. This is not currently supported.", id))})
	case res[0].TypeName == "":
		r.addDiags(Diags{errDiag("Invalid import result", fmt.Sprintf("import of %s didn't set type", addr))})
	case res[0].DecodeErr != nil:
		r.addDiags(Diags{errDiag("Provider produced invalid object", fmt.Sprintf("Provider %q produced an invalid value for %s during import: %s."+bugSuffix, p.Source, addr, res[0].DecodeErr))})
	case res[0].State.IsNull():
		r.addDiags(Diags{errDiag("Import returned null resource", fmt.Sprintf("While attempting to import with ID %s, the provider returned an instance with no state.", id))})
	}
	if r.hasErrors() {
		r.flushDiags()
		return 1
	}
	ir := res[0]
	for _, wp := range s.Block.nonNullWriteOnly(ir.State, nil) {
		r.addDiags(Diags{errDiag("Provider produced invalid object", fmt.Sprintf("Provider %q returned a value for the write-only attribute \"%s%s\" during import. Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker.", p.Source, addr, formatPath(wp)))})
	}
	if r.hasErrors() {
		r.flushDiags()
		return 1
	}
	fmt.Printf("%s: Import prepared!\n  Prepared %s for import\n", addr, ir.TypeName)
	fmt.Printf("%s: Refreshing state...%s\n", addr, idSuffix(ir.State))
	nv, priv, d := p.ReadResource(rc.Type, ir.State, ir.Private)
	r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
	if d.HasErrors() {
		r.flushDiags()
		return 1
	}
	if nv.IsNull() {
		r.addDiags(Diags{errDiag("Cannot import non-existent remote object",
			fmt.Sprintf("While attempting to import an existing object to %q, the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"terraform apply\" to create a new remote object for this resource.", addr))})
		r.flushDiags()
		return 1
	}
	if !nv.IsWhollyKnown() {
		r.addDiags(Diags{errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q planned an invalid value for %s during refresh: The returned state contains unknown values."+bugSuffix, p.Source, addr))})
		r.flushDiags()
		return 1
	}
	rs := r.state.Resources[key]
	if rs == nil {
		rs = &ResourceState{Mode: ManagedMode, Type: rc.Type, Name: rc.Name, Instances: map[string]*InstanceObj{}, Keys: map[string]cty.Value{}}
		r.state.Resources[key] = rs
	}
	rs.Provider = r.providerAddr(rc.ProviderKey())
	if idx != cty.NilVal {
		if idx.Type() == cty.Number {
			rs.EachMode = "list"
		} else {
			rs.EachMode = "map"
		}
	}
	rs.Instances[keyString(idx)] = &InstanceObj{Value: nv, SchemaVersion: s.Version, Private: priv}
	rs.Keys[keyString(idx)] = idx
	if !r.saveState() {
		return 1
	}
	r.flushDiags()
	fmt.Print("\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour Terraform state and will henceforth be managed by Terraform.\n\n")
	return 0
}

// ---- CLI config dev_overrides ---------------------------------------------------------

var devOverridesCache map[string]string

var devOverrideLine = regexp.MustCompile(`"?([A-Za-z0-9_./-]+)"?\s*=\s*"([^"]*)"`)

func devOverrides() map[string]string {
	if devOverridesCache != nil {
		return devOverridesCache
	}
	devOverridesCache = map[string]string{}
	path := os.Getenv("TF_CLI_CONFIG_FILE")
	if path == "" {
		path = os.Getenv("TERRAFORM_CONFIG")
	}
	if path == "" {
		return devOverridesCache
	}
	src, err := ioutil.ReadFile(path)
	if err != nil {
		return devOverridesCache
	}
	// The CLI config is HCL 1 (quoted keys); extract the dev_overrides block by hand.
	text := string(src)
	i := strings.Index(text, "dev_overrides")
	if i < 0 {
		return devOverridesCache
	}
	j := strings.Index(text[i:], "{")
	k := strings.Index(text[i:], "}")
	if j < 0 || k < j {
		return devOverridesCache
	}
	for _, m := range devOverrideLine.FindAllStringSubmatch(text[i+j+1:i+k], -1) {
		devOverridesCache[normalizeSource(m[1])] = os.ExpandEnv(m[2])
	}
	return devOverridesCache
}

func findExecutableIn(dir, local, src string) string {
	entries, err := ioutil.ReadDir(dir)
	if err != nil {
		return ""
	}
	prefix := "terraform-provider-" + typeOfSource(src)
	var names []string
	for _, e := range entries {
		n := e.Name()
		if n == prefix || strings.HasPrefix(n, prefix+"_") || strings.HasPrefix(n, prefix+".") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return filepath.Join(dir, names[0])
}

func decodeRaw(raw []byte, s *Schema) cty.Value {
	if len(raw) == 0 {
		return cty.NilVal
	}
	v, err := ctyjson.Unmarshal(raw, s.Block.ImpliedType())
	if err != nil {
		return cty.NilVal
	}
	return v
}

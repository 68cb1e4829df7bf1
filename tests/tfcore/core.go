package main

// The engine: schemas, graph construction, the validate / plan / apply walks.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

type Action int

const (
	NoOp Action = iota
	Create
	Read
	Update
	DeleteThenCreate
	CreateThenDelete
	Delete
)

func (a Action) String() string {
	return [...]string{"NoOp", "Create", "Read", "Update", "DeleteThenCreate", "CreateThenDelete", "Delete"}[a]
}

func (a Action) IsReplace() bool { return a == DeleteThenCreate || a == CreateThenDelete }

type Change struct {
	Addr           string
	ResKey         string
	Mode           Mode
	Type, Name     string
	Key            cty.Value
	ProvKey        string
	Action         Action
	Before, After  cty.Value
	PriorPrivate   []byte
	PlannedPrivate []byte
	ReplacePaths   []cty.Path
	Tainted        bool
	ByRequest      bool
	Reason         string
	Orphan         bool
}

type Plan struct {
	mu      sync.Mutex
	Changes map[string]*Change
	Outputs map[string]cty.Value
	Destroy bool
	Errored bool
}

func (p *Plan) add(c *Change) {
	p.mu.Lock()
	p.Changes[c.Addr] = c
	p.mu.Unlock()
}

func (p *Plan) ordered() []*Change {
	var out []*Change
	for _, c := range p.Changes {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return addrLess(out[i], out[j]) })
	return out
}

func addrLess(a, b *Change) bool {
	if a.ResKey != b.ResKey {
		if (a.Mode == DataMode) != (b.Mode == DataMode) {
			return a.Mode == DataMode
		}
		return a.ResKey < b.ResKey
	}
	ka, kb := a.Key, b.Key
	if ka != cty.NilVal && kb != cty.NilVal && ka.Type() == cty.Number && kb.Type() == cty.Number {
		return ka.LessThan(kb).True()
	}
	return a.Addr < b.Addr
}

type Options struct {
	Dir               string
	Vars              []string
	VarFiles          []string
	Parallelism       int
	Refresh           bool
	Replace           map[string]bool // -replace=ADDR
	NoColor           bool
	ProviderOverrides map[string]string
}

type Run struct {
	mod       *Module
	opts      *Options
	ev        *Evaluator
	state     *State
	schemas   map[string]*ProviderSchema // by local provider name
	provPaths map[string]string          // by local provider name
	sem       chan struct{}
	out       io.Writer
	errOut    io.Writer

	diagMu sync.Mutex
	diags  Diags

	provMu    sync.Mutex
	providers map[string]*Provider // by provider config key, current walk
	workspace string
	walkName  string
}

func (r *Run) addDiags(d Diags) {
	if len(d) == 0 {
		return
	}
	r.diagMu.Lock()
	r.diags = append(r.diags, d...)
	r.diagMu.Unlock()
}

func (r *Run) hasErrors() bool {
	r.diagMu.Lock()
	defer r.diagMu.Unlock()
	return r.diags.HasErrors()
}

func (r *Run) flushDiags() {
	r.diagMu.Lock()
	d := r.diags
	r.diags = nil
	r.diagMu.Unlock()
	printDiags(r.out, r.errOut, d)
}

func (r *Run) acquire() { r.sem <- struct{}{} }
func (r *Run) release() { <-r.sem }

// ---- provider discovery and schemas --------------------------------------------

// usedProviders returns the local provider names in use by config or state.
func (r *Run) usedProviders() []string {
	set := map[string]bool{}
	for _, rc := range r.mod.Resources {
		set[rc.ProviderName] = true
	}
	for _, pc := range r.mod.Providers {
		set[pc.Name] = true
	}
	for _, rs := range r.state.Resources {
		set[r.providerKeyFromState(rs)] = true
	}
	var out []string
	for k := range set {
		out = append(out, strings.SplitN(k, ".", 2)[0])
	}
	sort.Strings(out)
	return dedupe(out)
}

func dedupe(in []string) []string {
	var out []string
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// providerKeyFromState maps provider["SOURCE"].alias to a config key.
func (r *Run) providerKeyFromState(rs *ResourceState) string {
	p := rs.Provider
	alias := ""
	if i := strings.LastIndex(p, "]."); i >= 0 {
		alias = p[i+2:]
		p = p[:i+1]
	}
	src := strings.TrimSuffix(strings.TrimPrefix(p, `provider["`), `"]`)
	local := ""
	for name, s := range r.mod.RequiredProviders {
		if s == src {
			local = name
		}
	}
	if local == "" {
		parts := strings.Split(src, "/")
		local = parts[len(parts)-1]
	}
	if alias != "" {
		return local + "." + alias
	}
	return local
}

func (r *Run) findProviderBinary(local string) (string, Diags) {
	var diags Diags
	src := r.mod.ProviderSource(local)
	if p, ok := r.opts.ProviderOverrides[local]; ok {
		return p, nil
	}
	if p, ok := r.opts.ProviderOverrides[src]; ok {
		return p, nil
	}
	for _, name := range []string{"TFCORE_PROVIDER_" + local, "TFCORE_PROVIDER_" + strings.ReplaceAll(local, "-", "_")} {
		if p := os.Getenv(name); p != "" {
			return p, nil
		}
	}
	if dir, ok := devOverrides()[src]; ok {
		if p := findExecutableIn(dir, local, src); p != "" {
			return p, nil
		}
		return "", diags.Append(errDiag("Failed to load plugin schemas",
			fmt.Sprintf("Could not find executable file starting with terraform-provider-%s in the development override directory %s for provider %s.", typeOfSource(src), dir, src)))
	}
	return "", diags.Append(errDiag("Missing required provider",
		fmt.Sprintf("This configuration requires provider %s, but tfcore does not know where it is. Set TFCORE_PROVIDER_%s=/path/to/terraform-provider-%s, pass -provider %s=PATH, or add a dev_overrides entry to the CLI configuration in TF_CLI_CONFIG_FILE.", src, local, typeOfSource(src), local)))
}

func typeOfSource(src string) string {
	parts := strings.Split(src, "/")
	return parts[len(parts)-1]
}

func (r *Run) loadSchemas() Diags {
	var diags Diags
	r.schemas = map[string]*ProviderSchema{}
	r.provPaths = map[string]string{}
	for _, local := range r.usedProviders() {
		path, d := r.findProviderBinary(local)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		r.provPaths[local] = path
		src := r.mod.ProviderSource(local)
		p, err := startProvider(src, path)
		if err != nil {
			diags = diags.Append(errDiag("Failed to load plugin schemas",
				fmt.Sprintf("Error while loading schemas for plugin components: Failed to obtain provider schema: Could not load the schema for provider %s: failed to instantiate provider %q to obtain schema: %s..", src, src, err)))
			continue
		}
		s, d := p.GetSchema()
		p.Close()
		diags = append(diags, d...)
		if s == nil {
			continue
		}
		for _, typ := range sortedKeys(s.Resources) {
			for _, err := range s.Resources[typ].Block.InternalValidate() {
				diags = diags.Append(errDiag("Failed to load plugin schemas",
					fmt.Sprintf("Error while loading schemas for plugin components: provider %s has invalid schema for managed resource type %q, which is a bug in the provider: %q.", src, typ, err.Error())))
			}
		}
		for _, typ := range sortedKeys(s.DataSources) {
			for _, err := range s.DataSources[typ].Block.InternalValidate() {
				diags = diags.Append(errDiag("Failed to load plugin schemas",
					fmt.Sprintf("Error while loading schemas for plugin components: provider %s has invalid schema for data source %q, which is a bug in the provider: %q.", src, typ, err.Error())))
			}
		}
		r.schemas[local] = s
	}
	if diags.HasErrors() {
		return diags
	}
	// every resource type must be known
	for _, k := range sortedKeys(r.mod.Resources) {
		rc := r.mod.Resources[k]
		if r.resourceSchema(rc.Mode, rc.Type, rc.ProviderName) == nil {
			rng := rc.TypeRange
			what := "resource"
			if rc.Mode == DataMode {
				what = "data source"
			}
			diags = diags.Append(Diag{Severity: SevError, Summary: "Invalid " + what + " type",
				Detail: fmt.Sprintf("The provider %s does not support %s type %q.", r.mod.ProviderSource(rc.ProviderName), what, rc.Type), Subject: &rng})
		}
	}
	return diags
}

func (r *Run) resourceSchema(mode Mode, typ, local string) *Schema {
	s := r.schemas[strings.SplitN(local, ".", 2)[0]]
	if s == nil {
		return nil
	}
	if mode == DataMode {
		return s.DataSources[typ]
	}
	return s.Resources[typ]
}

func (r *Run) schemaForState(mode Mode, typ, provider string) *Schema {
	local := r.providerKeyFromState(&ResourceState{Provider: provider})
	return r.resourceSchema(mode, typ, local)
}

func (r *Run) providerAddr(key string) string {
	parts := strings.SplitN(key, ".", 2)
	alias := ""
	if len(parts) == 2 {
		alias = parts[1]
	}
	return providerAddrString(r.mod.ProviderSource(parts[0]), alias)
}

// ---- references ------------------------------------------------------------------

func (r *Run) refsToDeps(travs []hcl.Traversal) ([]string, Diags) {
	var diags Diags
	var deps []string
	for _, t := range travs {
		root := t.RootName()
		rng := t.SourceRange()
		attrAt := func(i int) (string, bool) {
			if len(t) <= i {
				return "", false
			}
			switch s := t[i].(type) {
			case hcl.TraverseAttr:
				return s.Name, true
			}
			return "", false
		}
		switch root {
		case "var":
			n, ok := attrAt(1)
			if ok {
				if _, exists := r.mod.Variables[n]; !exists {
					diags = diags.Append(Diag{Severity: SevError, Summary: "Reference to undeclared input variable",
						Detail: fmt.Sprintf("An input variable with the name %q has not been declared. This variable can be declared with a variable %q {} block.", n, n), Subject: &rng})
				}
			}
		case "local":
			n, ok := attrAt(1)
			if ok {
				if _, exists := r.mod.Locals[n]; !exists {
					diags = diags.Append(Diag{Severity: SevError, Summary: "Reference to undeclared local value",
						Detail: fmt.Sprintf("A local value with the name %q has not been declared.", n), Subject: &rng})
					continue
				}
				deps = append(deps, "local."+n)
			}
		case "data":
			ty, ok1 := attrAt(1)
			n, ok2 := attrAt(2)
			if ok1 && ok2 {
				k := "data." + ty + "." + n
				if _, exists := r.mod.Resources[k]; !exists {
					diags = diags.Append(Diag{Severity: SevError, Summary: "Reference to undeclared resource",
						Detail: fmt.Sprintf("A data resource %q %q has not been declared in the root module.", ty, n), Subject: &rng})
					continue
				}
				deps = append(deps, k)
			}
		case "count", "each", "path", "terraform", "self":
		case "module":
			diags = diags.Append(Diag{Severity: SevError, Summary: "Reference to undeclared module",
				Detail: "tfcore does not support modules.", Subject: &rng})
		default:
			n, ok := attrAt(1)
			if ok {
				k := root + "." + n
				if _, exists := r.mod.Resources[k]; !exists {
					diags = diags.Append(Diag{Severity: SevError, Summary: "Reference to undeclared resource",
						Detail: fmt.Sprintf("A managed resource %q %q has not been declared in the root module.", root, n), Subject: &rng})
					continue
				}
				deps = append(deps, k)
			}
		}
	}
	return deps, diags
}

func (r *Run) resourceRefs(rc *ResourceConfig) ([]hcl.Traversal, []hcl.Traversal) {
	var travs []hcl.Traversal
	if s := r.resourceSchema(rc.Mode, rc.Type, rc.ProviderName); s != nil {
		travs = append(travs, dynblock.VariablesHCLDec(rc.Config, s.Block.DecoderSpec())...)
	}
	if rc.Count != nil {
		travs = append(travs, rc.Count.Variables()...)
	}
	if rc.ForEach != nil {
		travs = append(travs, rc.ForEach.Variables()...)
	}
	return travs, rc.DependsOn
}

func (r *Run) providerSchemaBlock(key string) *Block {
	s := r.schemas[strings.SplitN(key, ".", 2)[0]]
	if s == nil {
		return &Block{}
	}
	return s.Provider
}

// ---- graph walking ---------------------------------------------------------------

type gnode struct {
	deps []string
	fn   func() bool
}

func (r *Run) walk(nodes map[string]*gnode) {
	// drop deps on non-existent nodes, detect cycles
	for _, n := range nodes {
		var ds []string
		for _, d := range n.deps {
			if _, ok := nodes[d]; ok {
				ds = append(ds, d)
			}
		}
		n.deps = ds
	}
	if cyc := findCycle(nodes); cyc != nil {
		r.addDiags(Diags{errDiag("Cycle: "+strings.Join(cyc, ", "), "")})
		return
	}
	done := map[string]chan struct{}{}
	ok := map[string]bool{}
	var okMu sync.Mutex
	for k := range nodes {
		done[k] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for k, n := range nodes {
		wg.Add(1)
		go func(k string, n *gnode) {
			defer wg.Done()
			defer close(done[k])
			good := true
			for _, d := range n.deps {
				<-done[d]
				okMu.Lock()
				if !ok[d] {
					good = false
				}
				okMu.Unlock()
			}
			if good {
				good = n.fn()
			}
			okMu.Lock()
			ok[k] = good
			okMu.Unlock()
		}(k, n)
	}
	wg.Wait()
}

func findCycle(nodes map[string]*gnode) []string {
	state := map[string]int{}
	var stack []string
	var found []string
	var visit func(k string) bool
	visit = func(k string) bool {
		state[k] = 1
		stack = append(stack, k)
		for _, d := range nodes[k].deps {
			if state[d] == 1 {
				for i, s := range stack {
					if s == d {
						found = append([]string{}, stack[i:]...)
					}
				}
				return true
			}
			if state[d] == 0 && visit(d) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[k] = 2
		return false
	}
	for _, k := range sortedKeys(nodes) {
		if state[k] == 0 && visit(k) {
			sort.Strings(found)
			return found
		}
	}
	return nil
}

// ---- per-walk providers --------------------------------------------------------------

func (r *Run) closeProviders() {
	r.provMu.Lock()
	defer r.provMu.Unlock()
	for _, p := range r.providers {
		p.Close()
	}
	r.providers = map[string]*Provider{}
}

func (r *Run) provider(key string) *Provider {
	r.provMu.Lock()
	defer r.provMu.Unlock()
	return r.providers[key]
}

// neededProviderKeys lists provider config keys used by config and state.
func (r *Run) neededProviderKeys(includeState bool) []string {
	set := map[string]bool{}
	for _, rc := range r.mod.Resources {
		set[rc.ProviderKey()] = true
	}
	if includeState {
		for _, rs := range r.state.Resources {
			set[r.providerKeyFromState(rs)] = true
		}
	}
	return sortedKeys(set)
}

// startWalkProvider starts and (optionally) configures the provider for key.
func (r *Run) startWalkProvider(key string, configure bool) bool {
	local := strings.SplitN(key, ".", 2)[0]
	path, ok := r.provPaths[local]
	if !ok {
		return false
	}
	src := r.mod.ProviderSource(local)
	p, err := startProvider(src, path)
	if err != nil {
		r.addDiags(Diags{errDiag("Failed to instantiate provider",
			fmt.Sprintf("Failed to instantiate provider %q to obtain schema: %s", src, err))})
		return false
	}
	p.Name = r.providerAddr(key)
	r.provMu.Lock()
	r.providers[key] = p
	r.provMu.Unlock()
	s, d := p.GetSchema()
	r.addDiags(d)
	if s == nil {
		return false
	}
	p.schema = s
	pb := s.Provider
	pc := r.mod.Providers[key]
	var cfg cty.Value
	var rng *hcl.Range
	if pc != nil {
		dr := pc.DeclRange
		rng = &dr
		var hd hcl.Diagnostics
		ctx := r.ev.Ctx(keyData{})
		if r.walkName == "validate" {
			ctx = r.validateCtx()
		}
		cfg, hd = hcldec.Decode(dynblock.Expand(pc.Config, ctx), pb.DecoderSpec(), ctx)
		if hd.HasErrors() {
			r.addDiags(hclDiags(hd))
			return false
		}
	} else {
		cfg = pb.EmptyValue()
	}
	if !configure {
		if pc != nil && pc.HasBody {
			d := p.ValidateProviderConfig(cfg)
			r.addDiags(r.locate(d, p.Name, pc.Config, rng))
			return !d.HasErrors()
		}
		return true
	}
	d = p.ValidateProviderConfig(cfg)
	var body hcl.Body
	if pc != nil {
		body = pc.Config
	}
	r.addDiags(r.locate(d, p.Name, body, rng))
	if d.HasErrors() {
		return false
	}
	d = p.ConfigureProvider(cfg)
	r.addDiags(r.locate(d, p.Name, body, rng))
	return !d.HasErrors()
}

// locate attaches config locations to provider diagnostics.
func (r *Run) locate(d Diags, addr string, body hcl.Body, blockRng *hcl.Range) Diags {
	for i := range d {
		if !d[i].FromProvider {
			continue
		}
		if d[i].HasPath && body != nil {
			if rng := findPathInBody(body, d[i].AttrPath); rng != nil {
				d[i].Subject = rng
				d[i].Address = addr
				continue
			}
		}
		if blockRng != nil {
			rr := *blockRng
			d[i].Subject = &rr
			d[i].Address = addr
		}
	}
	return d
}

// findPathInBody finds the config expression for an attribute path.
func findPathInBody(body hcl.Body, path cty.Path) *hcl.Range {
	sb, ok := body.(*hclsyntax.Body)
	if !ok || len(path) == 0 {
		return nil
	}
	ga, ok := path[0].(cty.GetAttrStep)
	if !ok {
		return nil
	}
	if a, ok := sb.Attributes[ga.Name]; ok {
		rng := a.Expr.Range()
		return &rng
	}
	var blocks []*hclsyntax.Block
	for _, b := range sb.Blocks {
		if b.Type == ga.Name {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) == 0 {
		return nil
	}
	rest := path[1:]
	blk := blocks[0]
	if len(rest) > 0 {
		if is, ok := rest[0].(cty.IndexStep); ok {
			rest = rest[1:]
			switch is.Key.Type() {
			case cty.Number:
				i, _ := is.Key.AsBigFloat().Int64()
				if int(i) < len(blocks) {
					blk = blocks[i]
				}
			case cty.String:
				for _, b := range blocks {
					if len(b.Labels) > 0 && b.Labels[0] == is.Key.AsString() {
						blk = b
					}
				}
			}
		}
	}
	if inner := findPathInBody(blk.Body, rest); inner != nil {
		return inner
	}
	rng := blk.DefRange()
	return &rng
}

// ---- config evaluation -------------------------------------------------------------------

func (r *Run) validateCtx() *hcl.EvalContext {
	vars := map[string]cty.Value{}
	vv := map[string]cty.Value{}
	for n, v := range r.mod.Variables {
		vv[n] = cty.UnknownVal(v.Type)
	}
	vars["var"] = cty.ObjectVal(vv)
	lv := map[string]cty.Value{}
	for n := range r.mod.Locals {
		lv[n] = cty.DynamicVal
	}
	vars["local"] = cty.ObjectVal(lv)
	managed := map[string]map[string]cty.Value{}
	data := map[string]cty.Value{}
	dataByType := map[string]map[string]cty.Value{}
	for _, rc := range r.mod.Resources {
		if rc.Mode == DataMode {
			if dataByType[rc.Type] == nil {
				dataByType[rc.Type] = map[string]cty.Value{}
			}
			dataByType[rc.Type][rc.Name] = cty.DynamicVal
		} else {
			if managed[rc.Type] == nil {
				managed[rc.Type] = map[string]cty.Value{}
			}
			managed[rc.Type][rc.Name] = cty.DynamicVal
		}
	}
	for t, m := range managed {
		vars[t] = cty.ObjectVal(m)
	}
	for t, m := range dataByType {
		data[t] = cty.ObjectVal(m)
	}
	vars["data"] = cty.ObjectVal(data)
	base := r.ev.Ctx(keyData{})
	vars["path"] = base.Variables["path"]
	vars["terraform"] = base.Variables["terraform"]
	vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)})
	vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal})
	return &hcl.EvalContext{Variables: vars, Functions: r.ev.funcs}
}

func (r *Run) evalBody(body hcl.Body, b *Block, ctx *hcl.EvalContext) (cty.Value, Diags) {
	expanded := dynblock.Expand(body, ctx)
	v, hd := hcldec.Decode(expanded, b.DecoderSpec(), ctx)
	if hd.HasErrors() {
		return cty.NullVal(b.ImpliedType()), hclDiags(hd)
	}
	// make sure the value conforms to the implied type (dynamic parts stay)
	if cv, err := convert.Convert(v, b.ImpliedType()); err == nil {
		v = cv
	}
	return prepareComputedBlocks(b, v), hclDiags(hd)
}

// prepareComputedBlocks turns empty configured collections of computed
// blocks (protocol 6.11) into null, as Terraform does before planning.
func prepareComputedBlocks(b *Block, v cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return v
	}
	changed := false
	vals := v.AsValueMap()
	for n, nb := range b.BlockTypes {
		bv, ok := vals[n]
		if !ok || bv.IsNull() || !bv.IsKnown() {
			continue
		}
		if nb.Block.Computed && (nb.Nesting == NestingList || nb.Nesting == NestingSet || nb.Nesting == NestingMap) && bv.LengthInt() == 0 {
			vals[n] = cty.NullVal(bv.Type())
			changed = true
			continue
		}
		if nb.Nesting == NestingSingle || nb.Nesting == NestingGroup {
			if nv := prepareComputedBlocks(&nb.Block, bv); !nv.RawEquals(bv) {
				vals[n] = nv
				changed = true
			}
		}
	}
	if !changed {
		return v
	}
	return cty.ObjectVal(vals)
}

type instKey struct {
	Key cty.Value
	KD  keyData
}

// expand evaluates count / for_each.
func (r *Run) expand(rc *ResourceConfig, allowUnknown bool) ([]instKey, string, Diags) {
	var diags Diags
	ctx := r.ev.Ctx(keyData{})
	switch {
	case rc.Count != nil:
		v, hd := rc.Count.Value(ctx)
		diags = append(diags, hclDiags(hd)...)
		if hd.HasErrors() {
			return nil, "", diags
		}
		rng := rc.Count.Range()
		if !v.IsKnown() {
			if allowUnknown {
				return []instKey{{Key: cty.UnknownVal(cty.Number), KD: keyData{CountIndex: cty.UnknownVal(cty.Number)}}}, "list", diags
			}
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid count argument",
				Detail: `The "count" value depends on resource attributes that cannot be determined until apply, so Terraform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.`, Subject: &rng})
		}
		if v.IsNull() {
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid count argument",
				Detail: `The given "count" argument value is null. An integer is required.`, Subject: &rng})
		}
		nv, err := convert.Convert(v, cty.Number)
		if err != nil {
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid count argument",
				Detail: fmt.Sprintf(`The given "count" argument value is unsuitable: %s.`, err), Subject: &rng})
		}
		bf := nv.AsBigFloat()
		n, acc := bf.Int64()
		if !bf.IsInt() || acc != 0 {
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid count argument",
				Detail: `The given "count" argument value is unsuitable: value must be a whole number.`, Subject: &rng})
		}
		if n < 0 {
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid count argument",
				Detail: `The given "count" argument value is unsuitable: must be greater than or equal to zero.`, Subject: &rng})
		}
		var out []instKey
		for i := int64(0); i < n; i++ {
			k := cty.NumberIntVal(i)
			out = append(out, instKey{Key: k, KD: keyData{CountIndex: k}})
		}
		return out, "list", diags
	case rc.ForEach != nil:
		v, hd := rc.ForEach.Value(ctx)
		diags = append(diags, hclDiags(hd)...)
		if hd.HasErrors() {
			return nil, "", diags
		}
		rng := rc.ForEach.Range()
		ty := v.Type()
		if !v.IsWhollyKnown() && !(v.IsKnown() && (ty.IsMapType() || ty.IsObjectType())) {
			if allowUnknown {
				return []instKey{{Key: cty.UnknownVal(cty.String), KD: keyData{EachKey: cty.UnknownVal(cty.String), EachValue: cty.DynamicVal}}}, "map", diags
			}
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid for_each argument",
				Detail: `The "for_each" map includes keys or set values that cannot be determined until apply, and so Terraform cannot determine the full set of keys that will identify the instances of this resource.

When working with unknown values in for_each, it's better to define the map keys statically in your configuration and place apply-time results only in the map values.

Alternatively, you could use the -target planning option to first apply only the resources that the for_each value depends on, and then apply a second time to fully converge.`, Subject: &rng})
		}
		if v.IsNull() {
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid for_each argument",
				Detail: `The given "for_each" argument value is unsuitable: the given "for_each" argument value is null. A map, or set of strings is allowed.`, Subject: &rng})
		}
		var out []instKey
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				out = append(out, instKey{Key: k, KD: keyData{EachKey: k, EachValue: ev}})
			}
		case ty.IsSetType():
			if ty.ElementType() != cty.String {
				return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid for_each set argument",
					Detail: fmt.Sprintf(`The given "for_each" argument value is unsuitable: "for_each" supports sets of strings, but you have provided a set containing type %s.`, ty.ElementType().FriendlyName()), Subject: &rng})
			}
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				if ev.IsNull() {
					return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid for_each set argument",
						Detail: `The given "for_each" argument value is unsuitable: "for_each" sets must not contain null values.`, Subject: &rng})
				}
				out = append(out, instKey{Key: ev, KD: keyData{EachKey: ev, EachValue: ev}})
			}
		default:
			return nil, "", diags.Append(Diag{Severity: SevError, Summary: "Invalid for_each argument",
				Detail: fmt.Sprintf(`The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type %s.`, ty.FriendlyName()), Subject: &rng})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key.AsString() < out[j].Key.AsString() })
		return out, "map", diags
	}
	return []instKey{{Key: cty.NilVal}}, "", diags
}

func aggregate(rc *ResourceConfig, keys []instKey, vals map[string]cty.Value) cty.Value {
	switch {
	case rc.Count != nil:
		if len(keys) == 0 {
			return cty.EmptyTupleVal
		}
		var vs []cty.Value
		for _, k := range keys {
			vs = append(vs, vals[keyString(k.Key)])
		}
		return cty.TupleVal(vs)
	case rc.ForEach != nil:
		m := map[string]cty.Value{}
		for _, k := range keys {
			m[k.Key.AsString()] = vals[keyString(k.Key)]
		}
		return cty.ObjectVal(m)
	}
	if v, ok := vals[""]; ok {
		return v
	}
	return cty.DynamicVal
}

// applyIgnoreChanges replaces ignored parts of config with prior values.
func applyIgnoreChanges(rc *ResourceConfig, prior, cfg cty.Value) cty.Value {
	if prior.IsNull() || !prior.IsKnown() {
		return cfg
	}
	if rc.IgnoreAll {
		return mergeIgnoreAll(prior, cfg)
	}
	if len(rc.IgnoreChanges) == 0 {
		return cfg
	}
	paths := make([]cty.Path, 0)
	for _, t := range rc.IgnoreChanges {
		var p cty.Path
		for _, s := range t {
			switch ts := s.(type) {
			case hcl.TraverseRoot:
				p = p.GetAttr(ts.Name)
			case hcl.TraverseAttr:
				p = p.GetAttr(ts.Name)
			case hcl.TraverseIndex:
				p = p.Index(ts.Key)
			}
		}
		paths = append(paths, p)
	}
	out, _ := cty.Transform(cfg, func(p cty.Path, v cty.Value) (cty.Value, error) {
		for _, ip := range paths {
			if p.Equals(ip) {
				pv, err := ip.Apply(prior)
				if err != nil {
					return v, nil
				}
				if pv.Type().Equals(v.Type()) {
					return pv, nil
				}
				if cv, err := convert.Convert(pv, v.Type()); err == nil {
					return cv, nil
				}
			}
		}
		return v, nil
	})
	return out
}

func mergeIgnoreAll(prior, cfg cty.Value) cty.Value {
	// ignore_changes = all: every attribute keeps its prior value
	if !prior.Type().Equals(cfg.Type()) {
		if cv, err := convert.Convert(prior, cfg.Type()); err == nil {
			return cv
		}
		return cfg
	}
	return prior
}

// rawStateJSON returns the attributes JSON for UpgradeResourceState.
func (r *Run) rawStateJSON(obj *InstanceObj, s *Schema) []byte {
	if obj.Value != cty.NilVal {
		j, err := ctyjson.Marshal(cty.UnknownAsNull(obj.Value), s.Block.ImpliedType())
		if err == nil {
			return j
		}
	}
	raw := obj.RawAttrs
	if obj.SchemaVersion == s.Version && len(raw) > 0 {
		// strip attributes no longer in the schema, like Terraform
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			ty := s.Block.ImpliedType()
			changed := false
			for k := range m {
				if !ty.HasAttribute(k) {
					delete(m, k)
					changed = true
				}
			}
			if changed {
				if b, err := json.Marshal(m); err == nil {
					return b
				}
			}
		}
	}
	return raw
}

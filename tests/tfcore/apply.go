package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/zclconf/go-cty/cty"
)

func dynblockVars(body hcl.Body, b *Block) []hcl.Traversal {
	return dynblock.VariablesHCLDec(body, b.DecoderSpec())
}

type applyStats struct {
	mu                             sync.Mutex
	added, changed, destroyed, imp int
}

func (r *Run) say(format string, args ...interface{}) {
	r.diagMu.Lock()
	fmt.Fprintf(r.out, format+"\n", args...)
	r.diagMu.Unlock()
}

func idSuffix(v cty.Value) string {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute("id") {
		return ""
	}
	id := v.GetAttr("id")
	if id.IsNull() || !id.IsKnown() || id.Type() != cty.String {
		return ""
	}
	return " [id=" + id.AsString() + "]"
}

func elapsed(t time.Time) string {
	return fmt.Sprintf("%ds", int(time.Since(t).Seconds()))
}

// applyWalk carries out a plan.
func (r *Run) applyWalk(plan *Plan) *applyStats {
	r.walkName = "apply"
	r.providers = map[string]*Provider{}
	defer r.closeProviders()
	stats := &applyStats{}
	nodes := map[string]*gnode{}
	var outMu sync.Mutex
	outVals := map[string]cty.Value{}

	changesByRes := map[string][]*Change{}
	for _, c := range plan.ordered() {
		changesByRes[c.ResKey] = append(changesByRes[c.ResKey], c)
	}
	provSet := map[string]bool{}
	if !plan.Destroy {
		// like Terraform, every provider used by the configuration is
		// started and configured in the apply walk
		for _, k := range r.neededProviderKeys(false) {
			provSet[k] = true
		}
	}
	for _, c := range plan.Changes {
		if c.Action != NoOp {
			provSet[c.ProvKey] = true
		}
	}
	// providers also needed for config resources (nothing else)
	r.commonNodes(nodes, sortedKeys(provSet), !plan.Destroy, outVals, &outMu)

	// config dependencies between resources (for destroy ordering)
	cfgDeps := map[string][]string{}
	for _, k := range sortedKeys(r.mod.Resources) {
		rc := r.mod.Resources[k]
		travs, dependsOn := r.resourceRefs(rc)
		deps, _ := r.refsToDeps(append(travs, dependsOn...))
		cfgDeps[k] = deps
	}
	// reverse deps from config + state
	dependents := map[string]map[string]bool{} // A -> set of B that depend on A
	addDep := func(b, a string) {
		if dependents[a] == nil {
			dependents[a] = map[string]bool{}
		}
		dependents[a][b] = true
	}
	for b, ds := range cfgDeps {
		for _, a := range ds {
			addDep(b, a)
		}
	}
	for _, rs := range r.state.Resources {
		for _, obj := range rs.Instances {
			for _, a := range obj.Deps {
				addDep(rs.Key(), a)
			}
		}
	}
	// expand local transitively through locals: resource deps via locals
	resolveRes := func(deps []string) []string {
		seen := map[string]bool{}
		var out []string
		var visit func(d string)
		visit = func(d string) {
			if seen[d] {
				return
			}
			seen[d] = true
			if len(d) > 6 && d[:6] == "local." {
				if l := r.mod.Locals[d[6:]]; l != nil {
					ds, _ := r.refsToDeps(l.Expr.Variables())
					for _, x := range ds {
						visit(x)
					}
				}
				return
			}
			out = append(out, d)
		}
		for _, d := range deps {
			visit(d)
		}
		return out
	}
	for b, ds := range cfgDeps {
		for _, a := range resolveRes(ds) {
			addDep(b, a)
		}
	}

	destroyNodesOf := map[string][]string{}
	for _, c := range plan.ordered() {
		if c.Action == Delete || c.Action.IsReplace() {
			destroyNodesOf[c.ResKey] = append(destroyNodesOf[c.ResKey], "destroy."+c.Addr)
		}
	}

	// destroy nodes
	for _, c := range plan.ordered() {
		if !(c.Action == Delete || c.Action.IsReplace()) {
			continue
		}
		c := c
		deps := []string{"provider." + c.ProvKey}
		for b := range dependents[c.ResKey] {
			deps = append(deps, destroyNodesOf[b]...)
			if _, inCfg := r.mod.Resources[c.ResKey]; !inCfg {
				deps = append(deps, b)
			}
		}
		if c.Action == CreateThenDelete {
			deps = append(deps, c.ResKey)
		}
		nodes["destroy."+c.Addr] = &gnode{deps: deps, fn: func() bool { return r.applyDestroy(c, stats) }}
	}

	// resource nodes
	for _, k := range sortedKeys(r.mod.Resources) {
		if plan.Destroy {
			break
		}
		rc := r.mod.Resources[k]
		deps := append([]string{}, cfgDeps[k]...)
		deps = append(deps, "provider."+rc.ProviderKey())
		changes := changesByRes[k]
		for _, c := range changes {
			if c.Action == DeleteThenCreate {
				deps = append(deps, "destroy."+c.Addr)
			}
		}
		nodes[k] = &gnode{deps: deps, fn: func() bool { return r.applyResource(rc, changes, plan, stats) }}
	}
	r.walk(nodes)

	// outputs into state
	if !plan.Destroy {
		r.state.mu.Lock()
		r.state.Outputs = map[string]OutputVal{}
		for n, v := range outVals {
			if v.IsWhollyKnown() && !v.IsNull() {
				r.state.Outputs[n] = OutputVal{Value: v, Sensitive: r.mod.Outputs[n].Sensitive}
			}
		}
		r.state.mu.Unlock()
	} else {
		r.state.mu.Lock()
		r.state.Outputs = map[string]OutputVal{}
		r.state.mu.Unlock()
	}
	return stats
}

func (r *Run) applyResource(rc *ResourceConfig, changes []*Change, plan *Plan, stats *applyStats) bool {
	s := r.resourceSchema(rc.Mode, rc.Type, rc.ProviderName)
	// values of instances, starting from the plan's view
	keys, _, d := r.expand(rc, false)
	r.addDiags(d)
	if d.HasErrors() {
		return false
	}
	byAddr := map[string]*Change{}
	for _, c := range changes {
		byAddr[c.Addr] = c
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	vals := map[string]cty.Value{}
	good := true
	rs := r.state.Resources[rc.Key()]
	for _, k := range keys {
		k := k
		ik := keyString(k.Key)
		addr := rc.Key() + ik
		c := byAddr[addr]
		if c == nil || c.Action == NoOp || c.Action == Delete {
			r.state.mu.Lock()
			var v cty.Value = cty.DynamicVal
			if rs != nil && rs.Instances[ik] != nil && rs.Instances[ik].Value != cty.NilVal {
				v = rs.Instances[ik].Value
			}
			r.state.mu.Unlock()
			vals[ik] = v
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.acquire()
			defer r.release()
			p := r.provider(c.ProvKey)
			var v cty.Value
			var ok bool
			if c.Mode == DataMode {
				v, ok = r.applyRead(rc, rs, k, c, p, s, stats)
			} else {
				v, ok = r.applyInstance(rc, rs, k, c, p, s, stats)
			}
			mu.Lock()
			vals[ik] = v
			if !ok {
				good = false
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.ev.SetResource(rc.Key(), aggregate(rc, keys, vals))
	return good
}

func (r *Run) applyRead(rc *ResourceConfig, rs *ResourceState, k instKey, c *Change, p *Provider, s *Schema, stats *applyStats) (cty.Value, bool) {
	addr := c.Addr
	cfg, d := r.evalBody(rc.Config, s.Block, r.ev.Ctx(k.KD))
	r.addDiags(d.withAddr(addr, nil))
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	d = p.ValidateDataResourceConfig(rc.Type, cfg)
	r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	start := time.Now()
	r.say("%s: Reading...", addr)
	v, ok := r.readData(addr, rc, p, s, cfg)
	if !ok {
		return cty.DynamicVal, false
	}
	r.say("%s: Read complete after %s%s", addr, elapsed(start), idSuffix(v))
	r.state.mu.Lock()
	rs.Instances[keyString(k.Key)] = &InstanceObj{Value: v}
	rs.Keys[keyString(k.Key)] = k.Key
	r.state.mu.Unlock()
	return v, true
}

// upgradeForApply re-reads a state object at the start of the apply walk.
func (r *Run) upgradeForApply(addr, typ string, obj *InstanceObj, p *Provider, s *Schema) (cty.Value, Diags) {
	return r.readPrior(addr, typ, obj, p, s, false)
}

func (r *Run) applyInstance(rc *ResourceConfig, rs *ResourceState, k instKey, c *Change, p *Provider, s *Schema, stats *applyStats) (cty.Value, bool) {
	addr := c.Addr
	ik := keyString(k.Key)
	ty := s.Block.ImpliedType()
	prior := cty.NullVal(ty)
	var priorPrivate []byte
	if c.Action == Update {
		r.state.mu.Lock()
		obj := rs.Instances[ik]
		r.state.mu.Unlock()
		if obj != nil {
			v, d := r.upgradeForApply(addr, rc.Type, obj, p, s)
			r.addDiags(d)
			if d.HasErrors() {
				return cty.DynamicVal, false
			}
			prior = v
			priorPrivate = obj.Private
		}
	}
	cfg, d := r.evalBody(rc.Config, s.Block, r.ev.Ctx(k.KD))
	r.addDiags(d.withAddr(addr, nil))
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	cfg = applyIgnoreChanges(rc, prior, cfg)
	d = p.ValidateResourceConfig(rc.Type, cfg)
	r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	proposed := ProposedNew(s.Block, prior, cfg)
	resp, d := p.PlanResourceChange(rc.Type, prior, proposed, cfg, priorPrivate, c.PlannedPrivate)
	r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	d = r.checkPlanned(addr, p, s, prior, cfg, resp, true)
	r.addDiags(d)
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	planned := resp.Planned
	// action consistency
	newAction := c.Action
	if c.Action == Update {
		reqRep, d := requiredReplace(addr, p, prior, planned, resp.RequiresReplace)
		r.addDiags(d)
		if d.HasErrors() {
			return cty.DynamicVal, false
		}
		eq := planned.Equals(prior)
		switch {
		case len(reqRep) > 0:
			newAction = DeleteThenCreate
			if rc.CreateBeforeDestroy {
				newAction = CreateThenDelete
			}
		case eq.IsKnown() && eq.True():
			newAction = NoOp
		}
	}
	if newAction != c.Action && !(c.Action == Update && newAction == NoOp) {
		r.addDiags(Diags{errDiag("Provider produced inconsistent final plan",
			fmt.Sprintf("When expanding the plan for %s to include new values learned so far during apply, provider %q changed the planned action from %s to %s."+bugSuffix, addr, p.Source, c.Action, newAction))})
		return cty.DynamicVal, false
	}
	if errs := AssertObjectCompatible(s.Block, c.After, planned); len(errs) > 0 {
		var ds Diags
		for _, err := range errs {
			ds = append(ds, errDiag("Provider produced inconsistent final plan",
				fmt.Sprintf("When expanding the plan for %s to include new values learned so far during apply, provider %q produced an invalid new value for %s."+bugSuffix, addr, p.Source, formatErr(err))))
		}
		r.addDiags(ds)
		return cty.DynamicVal, false
	}
	if newAction == NoOp {
		return prior, true
	}
	start := time.Now()
	verb, done := "Creating...", "Creation complete"
	if c.Action == Update {
		verb, done = "Modifying..."+idSuffix(prior), "Modifications complete"
	}
	r.say("%s: %s", addr, verb)
	ar, d := p.ApplyResourceChange(rc.Type, prior, planned, cfg, resp.PlannedPrivate)
	d = r.locate(d, addr, rc.Config, &rc.DeclRange)
	newVal := ar.New
	if ar.DecodeErr != nil {
		d = d.Append(errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q produced an invalid value after apply for %s. The result cannot not be saved in the Terraform state."+bugSuffix+"\n\n%s", p.Source, addr, ar.DecodeErr)))
		newVal = cty.NullVal(ty)
	}
	for _, up := range unknownPaths(newVal) {
		d = d.Append(errDiag("Provider returned invalid result object after apply",
			fmt.Sprintf("After the apply operation, the provider still indicated an unknown value for %s%s. All values must be known after apply, so this is always a bug in the provider and should be reported in the provider's own repository. Terraform will still save the other known object values in the state.", addr, formatPath(up))))
	}
	newVal = cty.UnknownAsNull(newVal)
	for _, wp := range s.Block.nonNullWriteOnly(newVal, nil) {
		d = d.Append(errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q returned a value for the write-only attribute \"%s%s\" after apply. Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker.", p.Source, addr, formatPath(wp))))
	}
	actName := "Create"
	if c.Action == Update {
		actName = "Update"
	}
	if !d.HasErrors() && newVal.IsNull() {
		d = d.Append(errDiag("Provider returned invalid result object after apply",
			fmt.Sprintf("After applying a %s plan, the provider returned a null object for %s. Only destroying should always produce a null value, so this is always a bug in the provider and should be reported in the provider's own repository.", actName, addr)))
	}
	if !d.HasErrors() {
		for _, err := range AssertObjectCompatible(s.Block, planned, newVal) {
			d = d.Append(errDiag("Provider produced inconsistent result after apply",
				fmt.Sprintf("When applying changes to %s, provider %q produced an unexpected new value: %s."+bugSuffix, addr, r.providerAddr(c.ProvKey), formatErr(err))))
		}
	}
	r.addDiags(d)
	// save what we got
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	if newVal.IsNull() {
		if d.HasErrors() {
			// keep prior object (nothing created for a create)
			if prior.IsNull() {
				if c.Action == Create || c.Action.IsReplace() {
					// nothing to save
				}
			}
			if c.Action == CreateThenDelete || c.Action == DeleteThenCreate || c.Action == Create {
				return cty.DynamicVal, false
			}
			return prior, false
		}
	}
	obj := &InstanceObj{Value: newVal, SchemaVersion: s.Version, Private: ar.Private,
		Deps: r.stateDepsFor(rc), CBD: rc.CreateBeforeDestroy}
	if d.HasErrors() && (c.Action == Create || c.Action.IsReplace()) {
		obj.Tainted = true
	}
	if c.Action == CreateThenDelete {
		// keep the old object as deposed until the destroy node runs
		if old := rs.Instances[ik]; old != nil {
			old.Deposed = "00000001"
			rs.Instances[ik+" (deposed)"] = old
			rs.Keys[ik+" (deposed)"] = k.Key
		}
	}
	rs.Instances[ik] = obj
	rs.Keys[ik] = k.Key
	if d.HasErrors() {
		return newVal, false
	}
	r.say("%s: %s after %s%s", addr, done, elapsed(start), idSuffix(newVal))
	stats.mu.Lock()
	if c.Action == Update {
		stats.changed++
	} else {
		stats.added++
	}
	stats.mu.Unlock()
	return newVal, true
}

// stateDepsFor lists the resources a resource depends on (for state).
func (r *Run) stateDepsFor(rc *ResourceConfig) []string {
	travs, dependsOn := r.resourceRefs(rc)
	deps, _ := r.refsToDeps(append(travs, dependsOn...))
	seen := map[string]bool{}
	var out []string
	var visit func(d string)
	visit = func(d string) {
		if seen[d] {
			return
		}
		seen[d] = true
		if len(d) > 6 && d[:6] == "local." {
			if l := r.mod.Locals[d[6:]]; l != nil {
				ds, _ := r.refsToDeps(l.Expr.Variables())
				for _, x := range ds {
					visit(x)
				}
			}
			return
		}
		out = append(out, d)
	}
	for _, d := range deps {
		visit(d)
	}
	return sortStrings(out)
}

func sortStrings(in []string) []string {
	m := map[string]bool{}
	for _, s := range in {
		m[s] = true
	}
	return sortedKeys(m)
}

func (r *Run) applyDestroy(c *Change, stats *applyStats) bool {
	p := r.provider(c.ProvKey)
	if p == nil {
		return false
	}
	s := r.resourceSchema(ManagedMode, c.Type, c.ProvKey)
	r.state.mu.Lock()
	rs := r.state.Resources[c.ResKey]
	ik := keyString(c.Key)
	if c.Action == CreateThenDelete {
		ik += " (deposed)"
	}
	var obj *InstanceObj
	if rs != nil {
		obj = rs.Instances[ik]
	}
	r.state.mu.Unlock()
	if obj == nil {
		return true
	}
	prior, d := r.upgradeForApply(c.Addr, c.Type, obj, p, s)
	r.addDiags(d)
	if d.HasErrors() {
		return false
	}
	start := time.Now()
	label := c.Addr
	if c.Action == CreateThenDelete {
		label += " (deposed object 00000001)"
	}
	r.say("%s: Destroying...%s", label, idSuffix(prior))
	ty := s.Block.ImpliedType()
	ar, d := p.ApplyResourceChange(c.Type, prior, cty.NullVal(ty), cty.NullVal(ty), obj.Private)
	if ar.DecodeErr != nil {
		d = d.Append(errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q produced an invalid value after apply for %s. The result cannot not be saved in the Terraform state."+bugSuffix+"\n\n%s", p.Source, c.Addr, ar.DecodeErr)))
	}
	if !d.HasErrors() && ar.DecodeErr == nil && !ar.New.IsNull() {
		d = d.Append(errDiag("Provider returned invalid result object after apply",
			fmt.Sprintf("After applying a Delete plan, the provider returned a non-null object for %s. Destroying should always produce a null value, so this is always a bug in the provider and should be reported in the provider's own repository. Terraform will still save this errant object in the state for debugging and recovery.", c.Addr)))
	}
	r.addDiags(d)
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	if d.HasErrors() {
		if ar.DecodeErr == nil && !ar.New.IsNull() {
			obj.Value = cty.UnknownAsNull(ar.New)
			obj.Private = ar.Private
		}
		return false
	}
	delete(rs.Instances, ik)
	delete(rs.Keys, ik)
	r.say("%s: Destruction complete after %s", label, elapsed(start))
	stats.mu.Lock()
	stats.destroyed++
	stats.mu.Unlock()
	return true
}

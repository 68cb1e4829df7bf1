package main

import (
	"fmt"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

const bugSuffix = "\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker."

// ---- validate walk ------------------------------------------------------------------

func (r *Run) validateWalk() {
	r.walkName = "validate"
	r.providers = map[string]*Provider{}
	defer r.closeProviders()
	keys := r.neededProviderKeys(false)
	var wg sync.WaitGroup
	okMap := map[string]bool{}
	var mu sync.Mutex
	for _, k := range keys {
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			ok := r.startWalkProvider(k, false)
			mu.Lock()
			okMap[k] = ok
			mu.Unlock()
		}(k)
	}
	wg.Wait()
	ctx := r.validateCtx()
	for _, k := range sortedKeys(r.mod.Resources) {
		rc := r.mod.Resources[k]
		wg.Add(1)
		go func(rc *ResourceConfig) {
			defer wg.Done()
			r.acquire()
			defer r.release()
			// references must resolve
			travs, dependsOn := r.resourceRefs(rc)
			_, d := r.refsToDeps(append(travs, dependsOn...))
			r.addDiags(d)
			if !okMap[rc.ProviderKey()] {
				return
			}
			p := r.provider(rc.ProviderKey())
			s := r.resourceSchema(rc.Mode, rc.Type, rc.ProviderName)
			if p == nil || s == nil {
				return
			}
			cfg, d := r.evalBody(rc.Config, s.Block, ctx)
			r.addDiags(d)
			if d.HasErrors() {
				return
			}
			if rc.Mode == DataMode {
				r.addDiags(r.locate(p.ValidateDataResourceConfig(rc.Type, cfg), rc.Key(), rc.Config, &rc.DeclRange))
			} else {
				r.addDiags(r.locate(p.ValidateResourceConfig(rc.Type, cfg), rc.Key(), rc.Config, &rc.DeclRange))
			}
		}(rc)
	}
	wg.Wait()
	for _, n := range sortedKeys(r.mod.Locals) {
		_, d := r.refsToDeps(r.mod.Locals[n].Expr.Variables())
		r.addDiags(d)
	}
	for _, n := range sortedKeys(r.mod.Outputs) {
		_, d := r.refsToDeps(append(r.mod.Outputs[n].Expr.Variables(), r.mod.Outputs[n].DependsOn...))
		r.addDiags(d)
	}
}

// ---- shared graph pieces ----------------------------------------------------------------

// commonNodes adds provider, local and output nodes.
func (r *Run) commonNodes(nodes map[string]*gnode, provKeys []string, outputs bool, outVals map[string]cty.Value, outMu *sync.Mutex) {
	for _, k := range provKeys {
		k := k
		var deps []string
		if pc := r.mod.Providers[k]; pc != nil {
			travs := hclVariables(pc.Config, r.providerSchemaBlock(k))
			ds, d := r.refsToDeps(travs)
			r.addDiags(d)
			deps = ds
		}
		nodes["provider."+k] = &gnode{deps: deps, fn: func() bool { return r.startWalkProvider(k, true) }}
	}
	for _, n := range sortedKeys(r.mod.Locals) {
		l := r.mod.Locals[n]
		deps, d := r.refsToDeps(l.Expr.Variables())
		r.addDiags(d)
		nodes["local."+n] = &gnode{deps: deps, fn: func() bool {
			v, hd := l.Expr.Value(r.ev.Ctx(keyData{}))
			r.addDiags(hclDiags(hd))
			if hd.HasErrors() {
				return false
			}
			r.ev.SetLocal(l.Name, v)
			return true
		}}
	}
	if !outputs {
		return
	}
	for _, n := range sortedKeys(r.mod.Outputs) {
		o := r.mod.Outputs[n]
		deps, d := r.refsToDeps(append(o.Expr.Variables(), o.DependsOn...))
		r.addDiags(d)
		nodes["output."+n] = &gnode{deps: deps, fn: func() bool {
			v, hd := o.Expr.Value(r.ev.Ctx(keyData{}))
			r.addDiags(hclDiags(hd))
			if hd.HasErrors() {
				return false
			}
			outMu.Lock()
			outVals[o.Name] = v
			outMu.Unlock()
			return true
		}}
	}
}

func hclVariables(body hcl.Body, b *Block) []hcl.Traversal {
	if body == nil || b == nil {
		return nil
	}
	return dynblockVars(body, b)
}

// ---- plan walk -----------------------------------------------------------------------------

func (r *Run) planWalk(destroy, refreshOnly bool) *Plan {
	r.walkName = "plan"
	r.providers = map[string]*Provider{}
	defer r.closeProviders()
	plan := &Plan{Changes: map[string]*Change{}, Outputs: map[string]cty.Value{}, Destroy: destroy}
	nodes := map[string]*gnode{}
	var outMu sync.Mutex
	provKeys := r.neededProviderKeys(true)
	r.commonNodes(nodes, provKeys, !destroy, plan.Outputs, &outMu)

	if destroy {
		// refresh and delete every managed instance in state
		for _, k := range sortedKeys(r.state.Resources) {
			rs := r.state.Resources[k]
			pk := r.providerKeyFromState(rs)
			rsCopy := rs
			nodes["orphan."+k] = &gnode{deps: []string{"provider." + pk}, fn: func() bool {
				return r.planOrphanResource(rsCopy, pk, plan, "", false)
			}}
		}
		r.walk(nodes)
		return plan
	}

	for _, k := range sortedKeys(r.mod.Resources) {
		rc := r.mod.Resources[k]
		travs, dependsOn := r.resourceRefs(rc)
		deps, d := r.refsToDeps(travs)
		r.addDiags(d)
		dodeps, d := r.refsToDeps(dependsOn)
		r.addDiags(d)
		deps = append(deps, dodeps...)
		deps = append(deps, "provider."+rc.ProviderKey())
		nodes[k] = &gnode{deps: deps, fn: func() bool { return r.planResource(rc, plan, dodeps, refreshOnly) }}
	}
	for _, k := range sortedKeys(r.state.Resources) {
		if _, inConfig := r.mod.Resources[k]; inConfig {
			continue
		}
		rs := r.state.Resources[k]
		pk := r.providerKeyFromState(rs)
		nodes["orphan."+k] = &gnode{deps: []string{"provider." + pk}, fn: func() bool {
			return r.planOrphanResource(rs, pk, plan, fmt.Sprintf("because %s is not in configuration", rs.Key()), refreshOnly)
		}}
	}
	r.walk(nodes)
	return plan
}

func (r *Run) planResource(rc *ResourceConfig, plan *Plan, dependsOn []string, refreshOnly bool) bool {
	s := r.resourceSchema(rc.Mode, rc.Type, rc.ProviderName)
	p := r.provider(rc.ProviderKey())
	if s == nil || p == nil {
		return false
	}
	keys, eachMode, d := r.expand(rc, false)
	r.addDiags(d)
	if d.HasErrors() {
		return false
	}
	r.state.mu.Lock()
	rs := r.state.Resources[rc.Key()]
	if rs == nil {
		rs = &ResourceState{Mode: rc.Mode, Type: rc.Type, Name: rc.Name, Instances: map[string]*InstanceObj{}, Keys: map[string]cty.Value{}}
		r.state.Resources[rc.Key()] = rs
	}
	rs.Provider = r.providerAddr(rc.ProviderKey())
	rs.EachMode = eachMode
	wanted := map[string]bool{}
	for _, k := range keys {
		wanted[keyString(k.Key)] = true
	}
	var orphans []string
	for ik := range rs.Instances {
		if !wanted[ik] {
			orphans = append(orphans, ik)
		}
	}
	r.state.mu.Unlock()

	var wg sync.WaitGroup
	var mu sync.Mutex
	vals := map[string]cty.Value{}
	good := true
	for _, ik := range orphans {
		if rc.Mode == DataMode {
			r.state.mu.Lock()
			delete(rs.Instances, ik)
			delete(rs.Keys, ik)
			r.state.mu.Unlock()
			continue
		}
		ik := ik
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.acquire()
			defer r.release()
			reason := ""
			key := rs.Keys[ik]
			switch {
			case rc.Count != nil && key != cty.NilVal && key.Type() == cty.Number:
				reason = fmt.Sprintf("because index %s is out of range for count", ik)
			case rc.ForEach != nil && key != cty.NilVal && key.Type() == cty.String:
				reason = fmt.Sprintf("because key %s is not in for_each map", ik)
			case key == cty.NilVal && (rc.Count != nil || rc.ForEach != nil):
				reason = fmt.Sprintf("because resource uses count or for_each")
			case key != cty.NilVal && rc.Count == nil && rc.ForEach == nil:
				reason = "because resource does not use count or for_each"
			}
			if !r.planOrphanInstance(rs, ik, rc.ProviderKey(), p, s, plan, reason, refreshOnly) {
				mu.Lock()
				good = false
				mu.Unlock()
			}
		}()
	}
	for _, k := range keys {
		k := k
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.acquire()
			defer r.release()
			var v cty.Value
			var ok bool
			if rc.Mode == DataMode {
				v, ok = r.planDataInstance(rc, rs, k, p, s, plan, dependsOn)
			} else {
				v, ok = r.planManagedInstance(rc, rs, k, p, s, plan, refreshOnly)
			}
			mu.Lock()
			vals[keyString(k.Key)] = v
			if !ok {
				good = false
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if !good {
		return false
	}
	r.ev.SetResource(rc.Key(), aggregate(rc, keys, vals))
	return true
}

// readPrior upgrades and (optionally) refreshes one state object.
func (r *Run) readPrior(addr string, typ string, obj *InstanceObj, p *Provider, s *Schema, refresh bool) (cty.Value, Diags) {
	var diags Diags
	ty := s.Block.ImpliedType()
	if obj.SchemaVersion > s.Version {
		return cty.NullVal(ty), diags.Append(errDiag("Resource instance managed by newer provider version",
			fmt.Sprintf("The current state of %s was created by a newer provider version than is currently selected. Upgrade the %s provider to work with this state.", addr, typeOfSource(p.Source))))
	}
	v, d := p.UpgradeResourceState(typ, obj.SchemaVersion, r.rawStateJSON(obj, s))
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.NullVal(ty), diags
	}
	if !v.IsWhollyKnown() {
		return cty.NullVal(ty), diags.Append(errDiag("Invalid resource state upgrade",
			fmt.Sprintf("The %s provider upgraded the state for %s from a previous version, but produced an invalid result: The returned state contains unknown values.", typeOfSource(p.Source), addr)))
	}
	for _, wp := range s.Block.nonNullWriteOnly(v, nil) {
		return cty.NullVal(ty), diags.Append(errDiag("Invalid resource state upgrade",
			fmt.Sprintf("The %s provider upgraded the state for %s from a previous version, but produced an invalid result: write-only attribute %q is not null.", typeOfSource(p.Source), addr, formatPath(wp))))
	}
	obj.Value = v
	if !refresh || v.IsNull() {
		return v, diags
	}
	r.say("%s: Refreshing state...%s", addr, idSuffix(v))
	nv, priv, d := p.ReadResource(typ, v, obj.Private)
	diags = append(diags, d...)
	if d.HasErrors() {
		return v, diags
	}
	if !nv.IsWhollyKnown() {
		return v, diags.Append(errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q planned an invalid value for %s during refresh: The returned state contains unknown values."+bugSuffix, p.Source, addr)))
	}
	for _, wp := range s.Block.nonNullWriteOnly(nv, nil) {
		return v, diags.Append(errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q returned a value for the write-only attribute \"%s%s\" during refresh. Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker.", p.Source, addr, formatPath(wp))))
	}
	obj.Value = nv
	obj.Private = priv
	return nv, diags
}

func (r *Run) planOrphanResource(rs *ResourceState, pk string, plan *Plan, reason string, refreshOnly bool) bool {
	if rs.Mode == DataMode {
		if plan.Destroy || !refreshOnly {
			r.state.mu.Lock()
			for ik := range rs.Instances {
				delete(rs.Instances, ik)
			}
			r.state.mu.Unlock()
		}
		return true
	}
	p := r.provider(pk)
	s := r.resourceSchema(ManagedMode, rs.Type, pk)
	if p == nil || s == nil {
		r.addDiags(Diags{errDiag("Invalid resource type", fmt.Sprintf("The provider %s does not support resource type %q.", rs.Provider, rs.Type))})
		return false
	}
	var wg sync.WaitGroup
	good := true
	var mu sync.Mutex
	r.state.mu.Lock()
	iks := sortedInstanceKeys(rs)
	r.state.mu.Unlock()
	for _, ik := range iks {
		ik := ik
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.acquire()
			defer r.release()
			if !r.planOrphanInstance(rs, ik, pk, p, s, plan, reason, refreshOnly) {
				mu.Lock()
				good = false
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return good
}

func (r *Run) planOrphanInstance(rs *ResourceState, ik, pk string, p *Provider, s *Schema, plan *Plan, reason string, refreshOnly bool) bool {
	r.state.mu.Lock()
	obj := rs.Instances[ik]
	key := rs.Keys[ik]
	r.state.mu.Unlock()
	addr := rs.Key() + ik
	prior, d := r.readPrior(addr, rs.Type, obj, p, s, r.opts.Refresh)
	r.addDiags(d)
	if d.HasErrors() {
		return false
	}
	if prior.IsNull() {
		r.state.mu.Lock()
		delete(rs.Instances, ik)
		r.state.mu.Unlock()
		return true
	}
	if refreshOnly {
		return true
	}
	if p.schema.PlanDestroy {
		ty := s.Block.ImpliedType()
		resp, d := p.PlanResourceChange(rs.Type, prior, cty.NullVal(ty), cty.NullVal(ty), obj.Private, nil)
		r.addDiags(d)
		if d.HasErrors() {
			return false
		}
		if !resp.Planned.IsNull() || resp.DecodeErr != nil {
			r.addDiags(Diags{errDiag("Provider produced invalid plan",
				fmt.Sprintf("Provider %q planned a non-null destroy value for %s."+bugSuffix, p.Source, addr))})
			return false
		}
	}
	if rc := r.mod.Resources[rs.Key()]; rc != nil && rc.PreventDestroy {
		rng := rc.DeclRange
		r.addDiags(Diags{{Severity: SevError, Summary: "Instance cannot be destroyed",
			Detail: fmt.Sprintf("Resource %s has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag.", addr), Subject: &rng}})
		return false
	}
	plan.add(&Change{Addr: addr, ResKey: rs.Key(), Mode: ManagedMode, Type: rs.Type, Name: rs.Name, Key: key,
		ProvKey: pk, Action: Delete, Before: prior, After: cty.NullVal(prior.Type()), PriorPrivate: obj.Private,
		Reason: reason, Orphan: true})
	return true
}

// checkPlanned runs Terraform's checks on a PlanResourceChange response.
func (r *Run) checkPlanned(addr string, p *Provider, s *Schema, prior, cfg cty.Value, resp planResp, assertValid bool) Diags {
	var diags Diags
	if resp.DecodeErr != nil {
		return diags.Append(errDiag("Provider produced invalid plan",
			fmt.Sprintf("Provider %q planned an invalid value for %s: %s."+bugSuffix, p.Source, addr, resp.DecodeErr)))
	}
	if resp.Deferred {
		diags = diags.Append(errDiag("Provider deferred changes when Terraform did not allow deferrals",
			fmt.Sprintf("The provider signaled a deferred action for %q, but in this context deferrals are disabled. This is a bug in the provider, please file an issue with the provider developers.", addr)))
	}
	for _, wp := range s.Block.nonNullWriteOnly(resp.Planned, nil) {
		diags = diags.Append(errDiag("Provider produced invalid plan",
			fmt.Sprintf("Provider %q returned a value for the write-only attribute \"%s%s\" during planning. Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker.", p.Source, addr, formatPath(wp))))
	}
	if !assertValid {
		return diags
	}
	if errs := AssertPlanValid(s.Block, prior, cfg, resp.Planned); len(errs) > 0 {
		if resp.LegacyTypeSys {
			getPluginLogger().Warn(fmt.Sprintf("Provider %s produced an invalid plan for %s, but we are tolerating it because it is using the legacy plugin SDK.", p.Source, addr))
		} else {
			for _, err := range errs {
				diags = diags.Append(errDiag("Provider produced invalid plan",
					fmt.Sprintf("Provider %q planned an invalid value for %s."+bugSuffix, p.Source, formatErrPrefixed(err, addr))))
			}
		}
	}
	return diags
}

// requiredReplace filters requires_replace paths to those whose values changed.
func requiredReplace(addr string, p *Provider, prior, planned cty.Value, paths []cty.Path) ([]cty.Path, Diags) {
	var diags Diags
	var out []cty.Path
	if prior.IsNull() {
		return nil, nil
	}
	for _, path := range paths {
		pv, perr := path.Apply(prior)
		nv, nerr := path.Apply(planned)
		if perr != nil && nerr != nil {
			diags = diags.Append(errDiag("Provider produced invalid plan",
				fmt.Sprintf("Provider %q has indicated \"requires replacement\" on %s for a non-existent attribute path %#v."+bugSuffix, p.Source, addr, path)))
			continue
		}
		if perr == nil && nerr == nil {
			eq := pv.Equals(nv)
			if eq.IsKnown() && eq.True() {
				continue
			}
		}
		out = append(out, path)
	}
	return out, diags
}

func (r *Run) planManagedInstance(rc *ResourceConfig, rs *ResourceState, k instKey, p *Provider, s *Schema, plan *Plan, refreshOnly bool) (cty.Value, bool) {
	ty := s.Block.ImpliedType()
	ik := keyString(k.Key)
	addr := rc.Key() + ik
	r.state.mu.Lock()
	obj := rs.Instances[ik]
	r.state.mu.Unlock()
	prior := cty.NullVal(ty)
	var priorPrivate []byte
	tainted := false
	if obj != nil {
		v, d := r.readPrior(addr, rc.Type, obj, p, s, r.opts.Refresh)
		r.addDiags(d)
		if d.HasErrors() {
			return cty.DynamicVal, false
		}
		if v.IsNull() {
			r.state.mu.Lock()
			delete(rs.Instances, ik)
			delete(rs.Keys, ik)
			r.state.mu.Unlock()
			obj = nil
		} else {
			prior = v
			priorPrivate = obj.Private
			tainted = obj.Tainted
		}
	}
	if refreshOnly {
		if prior.IsNull() {
			return cty.DynamicVal, true
		}
		return prior, true
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
	planPrior := prior
	if tainted {
		planPrior = cty.NullVal(ty)
		priorPrivate = nil
	}
	proposed := ProposedNew(s.Block, planPrior, cfg)
	resp, d := p.PlanResourceChange(rc.Type, planPrior, proposed, cfg, priorPrivate, nil)
	r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	d = r.checkPlanned(addr, p, s, planPrior, cfg, resp, true)
	r.addDiags(d)
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	planned := resp.Planned
	plannedPrivate := resp.PlannedPrivate
	reqRep, d := requiredReplace(addr, p, planPrior, planned, resp.RequiresReplace)
	r.addDiags(d)
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	var action Action
	switch {
	case prior.IsNull():
		action = Create
	case tainted || len(reqRep) > 0 || r.opts.Replace[addr]:
		action = DeleteThenCreate
		if rc.CreateBeforeDestroy {
			action = CreateThenDelete
		}
	default:
		eq := planned.Equals(prior)
		if eq.IsKnown() && eq.True() {
			action = NoOp
		} else {
			action = Update
		}
	}
	if action.IsReplace() && !tainted {
		// plan again as a create
		proposed = ProposedNew(s.Block, cty.NullVal(ty), cfg)
		resp2, d := p.PlanResourceChange(rc.Type, cty.NullVal(ty), proposed, cfg, resp.PlannedPrivate, nil)
		r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
		if d.HasErrors() {
			return cty.DynamicVal, false
		}
		d = r.checkPlanned(addr, p, s, cty.NullVal(ty), cfg, resp2, false)
		r.addDiags(d)
		if d.HasErrors() {
			return cty.DynamicVal, false
		}
		planned = resp2.Planned
		plannedPrivate = resp2.PlannedPrivate
	}
	if action.IsReplace() && rc.PreventDestroy {
		rng := rc.DeclRange
		r.addDiags(Diags{{Severity: SevError, Summary: "Instance cannot be destroyed",
			Detail: fmt.Sprintf("Resource %s has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag.", addr), Subject: &rng}})
		return cty.DynamicVal, false
	}
	plan.add(&Change{Addr: addr, ResKey: rc.Key(), Mode: ManagedMode, Type: rc.Type, Name: rc.Name, Key: k.Key,
		ProvKey: rc.ProviderKey(), Action: action, Before: prior, After: planned, PriorPrivate: priorPrivate,
		PlannedPrivate: plannedPrivate, ReplacePaths: reqRep, Tainted: tainted,
		ByRequest: r.opts.Replace[addr] && len(reqRep) == 0 && !tainted})
	if action == NoOp {
		return prior, true
	}
	return planned, true
}

// planDataInstance reads the data source now, or plans the read for apply.
func (r *Run) planDataInstance(rc *ResourceConfig, rs *ResourceState, k instKey, p *Provider, s *Schema, plan *Plan, dependsOn []string) (cty.Value, bool) {
	ik := keyString(k.Key)
	addr := rc.Key() + ik
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
	reason := ""
	if !cfg.IsWhollyKnown() {
		reason = "config refers to values not yet known"
	} else {
		plan.mu.Lock()
		for _, c := range plan.Changes {
			for _, dep := range dependsOn {
				if c.ResKey == dep && c.Action != NoOp {
					reason = "depends on a resource or a module with changes pending"
				}
			}
		}
		plan.mu.Unlock()
	}
	if reason != "" {
		planned := PlannedDataResourceObject(s.Block, cfg)
		plan.add(&Change{Addr: addr, ResKey: rc.Key(), Mode: DataMode, Type: rc.Type, Name: rc.Name, Key: k.Key,
			ProvKey: rc.ProviderKey(), Action: Read, Before: cty.NullVal(planned.Type()), After: planned, Reason: reason})
		return planned, true
	}
	r.say("%s: Reading...", addr)
	v, ok := r.readData(addr, rc, p, s, cfg)
	if !ok {
		return cty.DynamicVal, false
	}
	r.say("%s: Read complete after 0s%s", addr, idSuffix(v))
	r.state.mu.Lock()
	rs.Instances[ik] = &InstanceObj{Value: v}
	rs.Keys[ik] = k.Key
	r.state.mu.Unlock()
	return v, true
}

func (r *Run) readData(addr string, rc *ResourceConfig, p *Provider, s *Schema, cfg cty.Value) (cty.Value, bool) {
	v, derr, d := p.ReadDataSource(rc.Type, cfg)
	r.addDiags(r.locate(d, addr, rc.Config, &rc.DeclRange))
	if d.HasErrors() {
		return cty.DynamicVal, false
	}
	if derr != nil {
		r.addDiags(Diags{errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q produced an invalid value for %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker.\n\n%s", p.Source, addr, derr))})
		return cty.DynamicVal, false
	}
	if v.IsNull() {
		r.addDiags(Diags{errDiag("Provider produced null object",
			fmt.Sprintf("Provider %q produced a null value for %s."+bugSuffix, p.Source, addr))})
		return cty.DynamicVal, false
	}
	if !v.IsWhollyKnown() {
		r.addDiags(Diags{errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q produced a value for %s that is not wholly known."+bugSuffix, p.Source, addr))})
		return cty.DynamicVal, false
	}
	for _, wp := range s.Block.nonNullWriteOnly(v, nil) {
		r.addDiags(Diags{errDiag("Provider produced invalid object",
			fmt.Sprintf("Provider %q returned a value for the write-only attribute \"%s%s\". Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker.", p.Source, addr, formatPath(wp)))})
		return cty.DynamicVal, false
	}
	return v, true
}

// outputValue converts for display/state.
func outputValue(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if cv, err := convert.Convert(v, v.Type()); err == nil {
		return cv
	}
	return v
}

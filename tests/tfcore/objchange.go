package main

// Terraform's object-change rules, written from the behaviour described in
// the protocol spec §5: ProposedNew, the planned data-source object, the
// plan validity rules (AssertPlanValid) and the apply compatibility rules
// (AssertObjectCompatible). Messages follow Terraform's wording.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// ---- path formatting --------------------------------------------------------

func formatPath(p cty.Path) string {
	var sb strings.Builder
	for _, s := range p {
		switch st := s.(type) {
		case cty.GetAttrStep:
			sb.WriteString("." + st.Name)
		case cty.IndexStep:
			switch st.Key.Type() {
			case cty.String:
				sb.WriteString("[" + strconv.Quote(st.Key.AsString()) + "]")
			case cty.Number:
				sb.WriteString("[" + st.Key.AsBigFloat().Text('f', -1) + "]")
			default:
				sb.WriteString("[...]")
			}
		}
	}
	return sb.String()
}

// pathErr is an error at a path, formatted like tfdiags.FormatError.
type pathErr struct {
	Path cty.Path
	Msg  string
}

func (e pathErr) Error() string { return e.Msg }

func newPathErr(p cty.Path, format string, args ...interface{}) error {
	return pathErr{Path: copyPath(p), Msg: fmt.Sprintf(format, args...)}
}

// formatErr renders "PATH: msg" (or just msg without path).
func formatErr(err error) string {
	if pe, ok := err.(pathErr); ok {
		if len(pe.Path) == 0 {
			return pe.Msg
		}
		return fmt.Sprintf("%s: %s", formatPath(pe.Path), pe.Msg)
	}
	return err.Error()
}

// formatErrPrefixed renders "PREFIXPATH: msg" (tfdiags.FormatErrorPrefixed).
func formatErrPrefixed(err error, prefix string) string {
	if pe, ok := err.(pathErr); ok {
		if len(pe.Path) == 0 {
			return fmt.Sprintf("%s: %s", prefix, pe.Msg)
		}
		return fmt.Sprintf("%s%s: %s", prefix, formatPath(pe.Path), pe.Msg)
	}
	return fmt.Sprintf("%s: %s", prefix, err)
}

// ---- ProposedNew ------------------------------------------------------------

func ProposedNew(b *Block, prior, config cty.Value) cty.Value {
	if config.IsNull() && prior.IsNull() {
		return prior
	}
	if prior.IsNull() {
		prior = b.EmptyValue()
	}
	return proposeBlock(b, prior, config)
}

// PlannedDataResourceObject: computed attributes not set in config become
// unknown.
func PlannedDataResourceObject(b *Block, config cty.Value) cty.Value {
	return proposeBlock(b, cty.UnknownVal(b.ImpliedType()), config)
}

func getAttrOrNull(obj cty.Value, name string) cty.Value {
	if obj.IsNull() {
		return cty.NullVal(obj.Type().AttributeType(name))
	}
	return obj.GetAttr(name)
}

func proposeBlock(b *Block, prior, config cty.Value) cty.Value {
	if config.IsNull() || !config.IsKnown() {
		return prior
	}
	out := proposeAttrs(b.Attributes, prior, config)
	for name, nb := range b.BlockTypes {
		out[name] = proposeNestedBlock(nb, getAttrOrNull(prior, name), config.GetAttr(name))
	}
	return cty.ObjectVal(out)
}

func proposeNestedBlock(nb *NestedBlock, prior, config cty.Value) cty.Value {
	if !config.IsKnown() {
		return config
	}
	switch nb.Nesting {
	case NestingSingle, NestingGroup:
		return ProposedNew(&nb.Block, prior, config)
	case NestingList:
		isTuple := config.Type().IsTupleType()
		if config.IsNull() || config.LengthInt() == 0 {
			if isTuple {
				return cty.EmptyTupleVal
			}
			return cty.ListValEmpty(nb.Block.ImpliedType())
		}
		var vals []cty.Value
		for it := config.ElementIterator(); it.Next(); {
			idx, cv := it.Element()
			if prior.IsKnown() && (prior.IsNull() || !prior.HasIndex(idx).True()) {
				vals = append(vals, cv)
				continue
			}
			vals = append(vals, ProposedNew(&nb.Block, prior.Index(idx), cv))
		}
		if isTuple {
			return cty.TupleVal(vals)
		}
		return cty.ListVal(vals)
	case NestingMap:
		if config.Type().IsObjectType() {
			if config.IsNull() || config.LengthInt() == 0 {
				return cty.EmptyObjectVal
			}
			vals := map[string]cty.Value{}
			for k := range config.Type().AttributeTypes() {
				cv := config.GetAttr(k)
				if !prior.IsKnown() || prior.IsNull() || !prior.Type().HasAttribute(k) {
					vals[k] = cv
					continue
				}
				vals[k] = ProposedNew(&nb.Block, prior.GetAttr(k), cv)
			}
			return cty.ObjectVal(vals)
		}
		if config.IsNull() || config.LengthInt() == 0 {
			return cty.MapValEmpty(nb.Block.ImpliedType())
		}
		vals := map[string]cty.Value{}
		for it := config.ElementIterator(); it.Next(); {
			idx, cv := it.Element()
			k := idx.AsString()
			if prior.IsKnown() && (prior.IsNull() || !prior.HasIndex(idx).True()) {
				vals[k] = cv
				continue
			}
			vals[k] = ProposedNew(&nb.Block, prior.Index(idx), cv)
		}
		return cty.MapVal(vals)
	case NestingSet:
		if config.IsNull() || config.LengthInt() == 0 {
			return cty.SetValEmpty(nb.Block.ImpliedType())
		}
		var priorElems, cmpElems []cty.Value
		if prior.IsKnown() && !prior.IsNull() {
			for it := prior.ElementIterator(); it.Next(); {
				_, pv := it.Element()
				priorElems = append(priorElems, pv)
				cmpElems = append(cmpElems, blockCompareValue(&nb.Block, pv))
			}
		}
		used := make([]bool, len(priorElems))
		var vals []cty.Value
		for it := config.ElementIterator(); it.Next(); {
			_, cv := it.Element()
			pv := cty.NullVal(nb.Block.ImpliedType())
			for i := range priorElems {
				if !used[i] && cmpElems[i].RawEquals(cv) {
					pv = priorElems[i]
					used[i] = true
					break
				}
			}
			vals = append(vals, ProposedNew(&nb.Block, pv, cv))
		}
		return cty.SetVal(vals)
	}
	return config
}

// blockCompareValue nulls out computed attributes, so a prior set element
// can be matched with the config element it came from.
func blockCompareValue(b *Block, v cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	vals := map[string]cty.Value{}
	for n, a := range b.Attributes {
		av := v.GetAttr(n)
		if a.Computed {
			vals[n] = cty.NullVal(av.Type())
		} else if a.NestedType != nil {
			vals[n] = objectCompareValue(a.NestedType, av)
		} else {
			vals[n] = av
		}
	}
	for n, nb := range b.BlockTypes {
		bv := v.GetAttr(n)
		switch nb.Nesting {
		case NestingSingle, NestingGroup:
			vals[n] = blockCompareValue(&nb.Block, bv)
		default:
			vals[n] = mapCollection(bv, func(ev cty.Value) cty.Value { return blockCompareValue(&nb.Block, ev) })
		}
	}
	return cty.ObjectVal(vals)
}

func objectCompareValue(o *Object, v cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	one := func(ev cty.Value) cty.Value {
		if ev.IsNull() || !ev.IsKnown() {
			return ev
		}
		vals := map[string]cty.Value{}
		for n, a := range o.Attributes {
			av := ev.GetAttr(n)
			if a.Computed {
				vals[n] = cty.NullVal(av.Type())
			} else if a.NestedType != nil {
				vals[n] = objectCompareValue(a.NestedType, av)
			} else {
				vals[n] = av
			}
		}
		return cty.ObjectVal(vals)
	}
	if o.Nesting == NestingSingle || o.Nesting == NestingGroup {
		return one(v)
	}
	return mapCollection(v, one)
}

// mapCollection applies f to each element of a list/set/map/tuple/object.
func mapCollection(v cty.Value, f func(cty.Value) cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	ty := v.Type()
	switch {
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
		if v.LengthInt() == 0 {
			return v
		}
		var vals []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			vals = append(vals, f(ev))
		}
		switch {
		case ty.IsListType():
			return cty.ListVal(vals)
		case ty.IsSetType():
			return cty.SetVal(vals)
		default:
			return cty.TupleVal(vals)
		}
	case ty.IsMapType(), ty.IsObjectType():
		if v.LengthInt() == 0 {
			return v
		}
		vals := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			vals[k.AsString()] = f(ev)
		}
		if ty.IsMapType() {
			return cty.MapVal(vals)
		}
		return cty.ObjectVal(vals)
	}
	return v
}

func hasNonNullNonComputed(o *Object, v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	check := func(ev cty.Value) bool {
		if ev.IsNull() || !ev.IsKnown() {
			return false
		}
		for n, a := range o.Attributes {
			if !a.Computed && !ev.GetAttr(n).IsNull() {
				return true
			}
		}
		return false
	}
	if o.Nesting == NestingSingle || o.Nesting == NestingGroup {
		return check(v)
	}
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if check(ev) {
			return true
		}
	}
	return false
}

func proposeAttrs(attrs map[string]*Attribute, prior, config cty.Value) map[string]cty.Value {
	out := map[string]cty.Value{}
	for name, a := range attrs {
		var pv cty.Value
		if prior.IsNull() {
			pv = cty.NullVal(prior.Type().AttributeType(name))
		} else {
			pv = prior.GetAttr(name)
		}
		cv := config.GetAttr(name)
		switch {
		case a.Computed && cv.IsNull():
			if a.Optional && a.NestedType != nil && pv.IsKnown() && hasNonNullNonComputed(a.NestedType, pv) {
				out[name] = cv
			} else {
				out[name] = pv
			}
		case a.NestedType != nil:
			if !cv.IsKnown() {
				out[name] = cv
			} else {
				out[name] = proposeNestedAttr(a.NestedType, pv, cv)
			}
		default:
			out[name] = cv
		}
	}
	return out
}

func proposeNestedAttr(o *Object, prior, config cty.Value) cty.Value {
	switch o.Nesting {
	case NestingSingle, NestingGroup:
		if config.IsNull() {
			return config
		}
		if !prior.IsKnown() {
			return cty.ObjectVal(proposeAttrs(o.Attributes, cty.UnknownVal(config.Type()), config))
		}
		return cty.ObjectVal(proposeAttrs(o.Attributes, prior, config))
	case NestingList:
		if config.IsNull() || !config.IsKnown() || config.LengthInt() == 0 {
			return config
		}
		var vals []cty.Value
		for it := config.ElementIterator(); it.Next(); {
			idx, cv := it.Element()
			if prior.IsKnown() && (prior.IsNull() || !prior.HasIndex(idx).True()) {
				vals = append(vals, cv)
				continue
			}
			vals = append(vals, cty.ObjectVal(proposeAttrs(o.Attributes, prior.Index(idx), cv)))
		}
		if config.Type().IsTupleType() {
			return cty.TupleVal(vals)
		}
		return cty.ListVal(vals)
	case NestingMap:
		if config.IsNull() || !config.IsKnown() || config.LengthInt() == 0 {
			return config
		}
		vals := map[string]cty.Value{}
		for it := config.ElementIterator(); it.Next(); {
			idx, cv := it.Element()
			k := idx.AsString()
			if prior.IsKnown() && (prior.IsNull() || !prior.HasIndex(idx).True()) {
				vals[k] = cv
				continue
			}
			vals[k] = cty.ObjectVal(proposeAttrs(o.Attributes, prior.Index(idx), cv))
		}
		if config.Type().IsObjectType() {
			return cty.ObjectVal(vals)
		}
		return cty.MapVal(vals)
	case NestingSet:
		if config.IsNull() || !config.IsKnown() || config.LengthInt() == 0 {
			return config
		}
		var priorElems, cmpElems []cty.Value
		if prior.IsKnown() && !prior.IsNull() {
			for it := prior.ElementIterator(); it.Next(); {
				_, pv := it.Element()
				priorElems = append(priorElems, pv)
				cmpElems = append(cmpElems, objectCompareValue(&Object{Attributes: o.Attributes, Nesting: NestingSingle}, pv))
			}
		}
		used := make([]bool, len(priorElems))
		var vals []cty.Value
		for it := config.ElementIterator(); it.Next(); {
			_, cv := it.Element()
			matched := false
			for i := range priorElems {
				if !used[i] && cmpElems[i].RawEquals(cv) {
					used[i] = true
					matched = true
					vals = append(vals, cty.ObjectVal(proposeAttrs(o.Attributes, priorElems[i], cv)))
					break
				}
			}
			if !matched {
				vals = append(vals, cv)
			}
		}
		return cty.SetVal(vals)
	}
	return config
}

// ---- AssertPlanValid ---------------------------------------------------------

func AssertPlanValid(b *Block, prior, config, planned cty.Value) []error {
	return planValidBlock(b, prior, config, planned, nil)
}

func planValidBlock(b *Block, prior, config, planned cty.Value, path cty.Path) []error {
	var errs []error
	if planned.IsNull() && !config.IsNull() {
		return append(errs, newPathErr(path, "planned for absence but config wants existence"))
	}
	if config.IsNull() && !planned.IsNull() {
		return append(errs, newPathErr(path, "planned for existence but config wants absence"))
	}
	if planned.IsNull() {
		return nil
	}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		errs = append(errs, planValidAttr(a, getAttrOrNull(prior, name), config.GetAttr(name), planned.GetAttr(name), append(copyPath(path), cty.GetAttrStep{Name: name}))...)
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		nb := b.BlockTypes[name]
		p := append(copyPath(path), cty.GetAttrStep{Name: name})
		pv := planned.GetAttr(name)
		cv := config.GetAttr(name)
		var prv cty.Value
		if prior.IsNull() {
			prv = cty.NullVal(nb.ImpliedType())
		} else {
			prv = prior.GetAttr(name)
		}
		if pv.RawEquals(cv) {
			continue
		}
		if !cv.IsKnown() {
			errs = append(errs, newPathErr(p, "planned value %#v for unknown dynamic block", pv))
			continue
		}
		if !pv.IsKnown() {
			errs = append(errs, newPathErr(p, "attribute representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
			continue
		}
		switch nb.Nesting {
		case NestingSingle, NestingGroup:
			errs = append(errs, planValidBlock(&nb.Block, prv, cv, pv, p)...)
		case NestingList:
			if pv.IsNull() {
				errs = append(errs, newPathErr(p, "attribute representing a list of nested blocks must be empty to indicate no blocks, not null"))
				continue
			}
			if cv.IsNull() {
				cv = cty.ListValEmpty(nb.Block.ImpliedType())
			}
			if pv.LengthInt() != cv.LengthInt() {
				errs = append(errs, newPathErr(p, "block count in plan (%d) disagrees with count in config (%d)", pv.LengthInt(), cv.LengthInt()))
				continue
			}
			for it := pv.ElementIterator(); it.Next(); {
				idx, pev := it.Element()
				ep := append(copyPath(p), cty.IndexStep{Key: idx})
				if !pev.IsKnown() {
					errs = append(errs, newPathErr(ep, "element representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
					continue
				}
				if !cv.HasIndex(idx).True() {
					continue
				}
				prev := cty.NullVal(nb.Block.ImpliedType())
				if !prv.IsNull() && prv.IsKnown() && prv.HasIndex(idx).True() {
					prev = prv.Index(idx)
				}
				errs = append(errs, planValidBlock(&nb.Block, prev, cv.Index(idx), pev, ep)...)
			}
		case NestingMap:
			if pv.IsNull() {
				errs = append(errs, newPathErr(p, "attribute representing a map of nested blocks must be empty to indicate no blocks, not null"))
				continue
			}
			pm := valueMap(pv)
			cm := valueMap(cv)
			prm := valueMap(prv)
			for _, k := range sortedKeys(pm) {
				ep := append(copyPath(p), cty.IndexStep{Key: cty.StringVal(k)})
				cev, ok := cm[k]
				if !ok {
					errs = append(errs, newPathErr(p, "block key %q from plan is not present in config", k))
					continue
				}
				if !pm[k].IsKnown() {
					errs = append(errs, newPathErr(ep, "element representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
					continue
				}
				prev, ok := prm[k]
				if !ok {
					prev = cty.NullVal(nb.Block.ImpliedType())
				}
				errs = append(errs, planValidBlock(&nb.Block, prev, cev, pm[k], ep)...)
			}
			for _, k := range sortedKeys(cm) {
				if _, ok := pm[k]; !ok {
					errs = append(errs, newPathErr(p, "block key %q from config is not present in plan", k))
				}
			}
		case NestingSet:
			if pv.IsNull() {
				errs = append(errs, newPathErr(p, "attribute representing a set of nested blocks must be empty to indicate no blocks, not null"))
				continue
			}
			for it := pv.ElementIterator(); it.Next(); {
				idx, pev := it.Element()
				if !pev.IsKnown() {
					errs = append(errs, newPathErr(append(copyPath(p), cty.IndexStep{Key: idx}), "element representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
				}
			}
		}
	}
	return errs
}

func valueMap(v cty.Value) map[string]cty.Value {
	out := map[string]cty.Value{}
	if v.IsNull() || !v.IsKnown() {
		return out
	}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		out[k.AsString()] = ev
	}
	return out
}

func planValidAttr(a *Attribute, prior, config, planned cty.Value, path cty.Path) []error {
	if planned.RawEquals(config) {
		return nil
	}
	if planned.RawEquals(prior) && !prior.IsNull() && !config.IsNull() {
		return nil
	}
	if a.WriteOnly && !planned.IsNull() {
		return []error{newPathErr(path, "planned value for write-only attribute is not null")}
	}
	switch {
	case a.Computed && !a.Optional:
		return nil
	case config.IsNull() && a.Computed:
		return nil
	case config.IsNull() && !planned.IsNull():
		if a.Sensitive {
			return []error{newPathErr(path, "sensitive planned value for a non-computed attribute")}
		}
		return []error{newPathErr(path, "planned value %#v for a non-computed attribute", planned)}
	}
	if a.NestedType != nil {
		return planValidObject(a.NestedType, prior, config, planned, path)
	}
	if prior.IsNull() {
		if a.Sensitive {
			return []error{newPathErr(path, "sensitive planned value does not match config value")}
		}
		return []error{newPathErr(path, "planned value %#v does not match config value %#v", planned, config)}
	}
	if a.Sensitive {
		return []error{newPathErr(path, "sensitive planned value does not match config value nor prior value")}
	}
	return []error{newPathErr(path, "planned value %#v does not match config value %#v nor prior value %#v", planned, config, prior)}
}

func planValidAttrs(attrs map[string]*Attribute, prior, config, planned cty.Value, path cty.Path) []error {
	var errs []error
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		var pv cty.Value
		if prior.IsNull() || !prior.IsKnown() {
			pv = cty.NullVal(a.ImpliedType())
		} else {
			pv = prior.GetAttr(name)
		}
		errs = append(errs, planValidAttr(a, pv, config.GetAttr(name), planned.GetAttr(name), append(copyPath(path), cty.GetAttrStep{Name: name}))...)
	}
	return errs
}

func planValidObject(o *Object, prior, config, planned cty.Value, path cty.Path) []error {
	if planned.IsNull() && !config.IsNull() {
		return []error{newPathErr(path, "planned for absence but config wants existence")}
	}
	if config.IsNull() && !planned.IsNull() {
		return []error{newPathErr(path, "planned for existence but config wants absence")}
	}
	if !config.IsKnown() && !planned.IsKnown() {
		return nil
	}
	if config.IsKnown() && !planned.IsKnown() {
		return []error{newPathErr(path, "planned unknown for configured value")}
	}
	if planned.IsNull() {
		return nil
	}
	switch o.Nesting {
	case NestingSingle, NestingGroup:
		return planValidAttrs(o.Attributes, prior, config, planned, path)
	case NestingList:
		pl, cl := planned.Length(), config.Length()
		if !pl.IsKnown() && !cl.IsKnown() {
			return nil
		}
		eq := pl.Equals(cl)
		if !eq.IsKnown() || eq.False() {
			return []error{newPathErr(path, "count in plan (%#v) disagrees with count in config (%#v)", pl, cl)}
		}
		var errs []error
		for it := planned.ElementIterator(); it.Next(); {
			idx, pev := it.Element()
			if !config.HasIndex(idx).True() {
				continue
			}
			prev := cty.NullVal(pev.Type())
			if !prior.IsNull() && prior.IsKnown() && prior.HasIndex(idx).True() {
				prev = prior.Index(idx)
			}
			errs = append(errs, planValidAttrs(o.Attributes, prev, config.Index(idx), pev, append(copyPath(path), cty.IndexStep{Key: idx}))...)
		}
		return errs
	case NestingMap:
		pl, cl := planned.Length(), config.Length()
		if !pl.IsKnown() && !cl.IsKnown() {
			return nil
		}
		eq := pl.Equals(cl)
		if !eq.IsKnown() || eq.False() {
			return []error{newPathErr(path, "count in plan (%#v) disagrees with count in config (%#v)", pl, cl)}
		}
		pm, cm, prm := valueMap(planned), valueMap(config), valueMap(prior)
		var errs []error
		for _, k := range sortedKeys(pm) {
			cev, ok := cm[k]
			if !ok {
				errs = append(errs, newPathErr(path, "map key %q from plan is not present in config", k))
				continue
			}
			prev, ok := prm[k]
			if !ok {
				prev = cty.NullVal(pm[k].Type())
			}
			errs = append(errs, planValidAttrs(o.Attributes, prev, cev, pm[k], append(copyPath(path), cty.IndexStep{Key: cty.StringVal(k)}))...)
		}
		for _, k := range sortedKeys(cm) {
			if _, ok := pm[k]; !ok {
				errs = append(errs, newPathErr(path, "map key %q from config is not present in plan", k))
			}
		}
		return errs
	case NestingSet:
		pl, cl := planned.Length(), config.Length()
		if !pl.IsKnown() || !cl.IsKnown() {
			return nil
		}
		if pl.Equals(cl).False() {
			return []error{newPathErr(path, "count in plan (%#v) disagrees with count in config (%#v)", pl, cl)}
		}
	}
	return nil
}

// ---- AssertObjectCompatible ----------------------------------------------------

func AssertObjectCompatible(b *Block, planned, actual cty.Value) []error {
	return compatBlock(b, planned, actual, nil)
}

func compatBlock(b *Block, planned, actual cty.Value, path cty.Path) []error {
	var errs []error
	root := ""
	if len(path) == 0 {
		root = "Root object "
	}
	if planned.IsNull() && !actual.IsNull() {
		return []error{newPathErr(path, "%swas absent, but now present", root)}
	}
	if actual.IsNull() && !planned.IsNull() {
		return []error{newPathErr(path, "%swas present, but now absent", root)}
	}
	if planned.IsNull() {
		return nil
	}
	if !planned.IsKnown() {
		return nil
	}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		p := append(copyPath(path), cty.GetAttrStep{Name: name})
		more := compatValue(planned.GetAttr(name), actual.GetAttr(name), p)
		if a.Sensitive && len(more) > 0 {
			errs = append(errs, newPathErr(p, "inconsistent values for sensitive attribute"))
		} else {
			errs = append(errs, more...)
		}
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		nb := b.BlockTypes[name]
		pv, av := planned.GetAttr(name), actual.GetAttr(name)
		p := append(copyPath(path), cty.GetAttrStep{Name: name})
		switch nb.Nesting {
		case NestingSingle, NestingGroup:
			if !pv.IsKnown() && av.IsNull() {
				continue
			}
			errs = append(errs, compatBlock(&nb.Block, pv, av, p)...)
		case NestingList:
			if !pv.IsKnown() || !av.IsKnown() || pv.IsNull() || av.IsNull() {
				continue
			}
			if pv.LengthInt() != av.LengthInt() {
				errs = append(errs, newPathErr(p, "block count changed from %d to %d", pv.LengthInt(), av.LengthInt()))
				continue
			}
			for it := pv.ElementIterator(); it.Next(); {
				idx, pev := it.Element()
				if !av.HasIndex(idx).True() {
					continue
				}
				errs = append(errs, compatBlock(&nb.Block, pev, av.Index(idx), append(copyPath(p), cty.IndexStep{Key: idx}))...)
			}
		case NestingMap:
			if !pv.IsKnown() || pv.IsNull() || av.IsNull() || !av.IsKnown() {
				continue
			}
			pm, am := valueMap(pv), valueMap(av)
			if !pv.Type().IsObjectType() && len(pm) != len(am) {
				errs = append(errs, newPathErr(p, "block count changed from %d to %d", len(pm), len(am)))
				continue
			}
			for _, k := range sortedKeys(pm) {
				aev, ok := am[k]
				if !ok {
					errs = append(errs, newPathErr(p, "block key %q has vanished", k))
					continue
				}
				errs = append(errs, compatBlock(&nb.Block, pm[k], aev, append(copyPath(p), cty.IndexStep{Key: cty.StringVal(k)}))...)
			}
			for _, k := range sortedKeys(am) {
				if _, ok := pm[k]; !ok {
					errs = append(errs, newPathErr(p, "new block key %q has appeared", k))
				}
			}
		case NestingSet:
			if !pv.IsKnown() || !av.IsKnown() || pv.IsNull() || av.IsNull() {
				continue
			}
			errs = append(errs, compatSetElems(pv, av, p, func(pe, ae cty.Value) bool {
				return len(compatBlock(&nb.Block, pe, ae, append(copyPath(p), cty.IndexStep{Key: ae}))) == 0
			})...)
			if pv.LengthInt() < av.LengthInt() {
				errs = append(errs, newPathErr(p, "block set length changed from %d to %d", pv.LengthInt(), av.LengthInt()))
			}
		}
	}
	return errs
}

func indexStr(v cty.Value) string {
	switch v.Type() {
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case cty.String:
		return strconv.Quote(v.AsString())
	}
	return fmt.Sprintf("%#v", v)
}

func compatValue(planned, actual cty.Value, path cty.Path) []error {
	if planned.Type() == cty.DynamicPseudoType {
		return nil
	}
	if probs := actual.Type().TestConformance(planned.Type()); len(probs) > 0 {
		return []error{newPathErr(path, "wrong final value type: %s", convert.MismatchMessage(actual.Type(), planned.Type()))}
	}
	if !planned.IsKnown() {
		return nil
	}
	if actual.IsNull() {
		if planned.IsNull() {
			return nil
		}
		return []error{newPathErr(path, "was %#v, but now null", planned)}
	}
	if planned.IsNull() {
		return []error{newPathErr(path, "was null, but now %#v", actual)}
	}
	ty := planned.Type()
	var errs []error
	switch {
	case !actual.IsKnown():
		errs = append(errs, newPathErr(path, "was known, but now unknown"))
	case ty.IsPrimitiveType():
		if !actual.Equals(planned).True() {
			errs = append(errs, newPathErr(path, "was %#v, but now %#v", planned, actual))
		}
	case ty.IsListType() || ty.IsMapType() || ty.IsTupleType():
		for it := planned.ElementIterator(); it.Next(); {
			k, pv := it.Element()
			if !actual.HasIndex(k).True() {
				errs = append(errs, newPathErr(path, "element %s has vanished", indexStr(k)))
				continue
			}
			errs = append(errs, compatValue(pv, actual.Index(k), append(copyPath(path), cty.IndexStep{Key: k}))...)
		}
		for it := actual.ElementIterator(); it.Next(); {
			k, _ := it.Element()
			if !planned.HasIndex(k).True() {
				errs = append(errs, newPathErr(path, "new element %s has appeared", indexStr(k)))
			}
		}
	case ty.IsObjectType():
		for _, name := range sortedKeys(ty.AttributeTypes()) {
			errs = append(errs, compatValue(planned.GetAttr(name), actual.GetAttr(name), append(copyPath(path), cty.GetAttrStep{Name: name}))...)
		}
	case ty.IsSetType():
		errs = append(errs, compatSetElems(planned, actual, path, func(pe, ae cty.Value) bool {
			return len(compatValue(pe, ae, append(copyPath(path), cty.IndexStep{Key: ae}))) == 0
		})...)
		if planned.LengthInt() < actual.LengthInt() {
			errs = append(errs, newPathErr(path, "length changed from %d to %d", planned.LengthInt(), actual.LengthInt()))
		}
	}
	return errs
}

func compatSetElems(planned, actual cty.Value, path cty.Path, f func(p, a cty.Value) bool) []error {
	ps := planned.AsValueSlice()
	as := actual.AsValueSlice()
	peq := make([]bool, len(ps))
	aeq := make([]bool, len(as))
	for i, pv := range ps {
		for j, av := range as {
			if f(pv, av) {
				peq[i] = true
				aeq[j] = true
			}
		}
	}
	var errs []error
	for i, ok := range peq {
		if !ok {
			errs = append(errs, newPathErr(path, "planned set element %#v does not correlate with any element in actual", ps[i]))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for j, ok := range aeq {
		if !ok {
			errs = append(errs, newPathErr(path, "actual set element %#v does not correlate with any element in plan", as[j]))
		}
	}
	return errs
}

// unknownPaths lists the paths of unknown values inside v.
func unknownPaths(v cty.Value) []cty.Path {
	var out []cty.Path
	_ = cty.Walk(v, func(p cty.Path, v cty.Value) (bool, error) {
		if !v.IsKnown() {
			out = append(out, copyPath(p))
			return false, nil
		}
		return true, nil
	})
	return out
}

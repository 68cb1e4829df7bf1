package main

// Human-readable output in Terraform's style.

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// formatValue renders a value like Terraform's console/outputs.
func formatValue(v cty.Value, indent int, typeWrap bool) string {
	if v == cty.NilVal {
		return "null"
	}
	if !v.IsKnown() {
		return "(known after apply)"
	}
	if v.IsNull() {
		return "null"
	}
	ty := v.Type()
	pad := strings.Repeat("  ", indent)
	switch {
	case ty == cty.String:
		return strconv.Quote(v.AsString())
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			i, _ := bf.Int(nil)
			return i.String()
		}
		return bf.Text('f', -1)
	case ty == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		if v.LengthInt() == 0 {
			s := "[]"
			if typeWrap && ty.IsListType() {
				return "tolist([])"
			}
			if typeWrap && ty.IsSetType() {
				return "toset([])"
			}
			return s
		}
		var b strings.Builder
		b.WriteString("[\n")
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			b.WriteString(pad + "  " + formatValue(ev, indent+1, typeWrap) + ",\n")
		}
		b.WriteString(pad + "]")
		if typeWrap && ty.IsListType() {
			return "tolist(" + b.String() + ")"
		}
		if typeWrap && ty.IsSetType() {
			return "toset(" + b.String() + ")"
		}
		return b.String()
	case ty.IsMapType() || ty.IsObjectType():
		if v.LengthInt() == 0 {
			if typeWrap && ty.IsMapType() {
				return "tomap({})"
			}
			return "{}"
		}
		var keys []string
		vals := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			keys = append(keys, k.AsString())
			vals[k.AsString()] = ev
		}
		sort.Strings(keys)
		width := 0
		for _, k := range keys {
			if l := len(fmtKey(k, ty.IsMapType())); l > width {
				width = l
			}
		}
		var b strings.Builder
		b.WriteString("{\n")
		for _, k := range keys {
			fk := fmtKey(k, ty.IsMapType())
			b.WriteString(fmt.Sprintf("%s  %-*s = %s\n", pad, width, fk, formatValue(vals[k], indent+1, typeWrap)))
		}
		b.WriteString(pad + "}")
		if typeWrap && ty.IsMapType() {
			return "tomap(" + b.String() + ")"
		}
		return b.String()
	}
	return fmt.Sprintf("%#v", v)
}

func fmtKey(k string, isMap bool) string {
	return strconv.Quote(k)
}

var _ = hclsyntax.ValidIdentifier

var _ = big.NewFloat

// ---- plan rendering ------------------------------------------------------------------

func actionSymbol(a Action) string {
	switch a {
	case Create:
		return "  +"
	case Update:
		return "  ~"
	case Delete:
		return "  -"
	case DeleteThenCreate:
		return "-/+"
	case CreateThenDelete:
		return "+/-"
	case Read:
		return " <="
	}
	return "   "
}

func (r *Run) renderPlan(plan *Plan, priorOutputs map[string]OutputVal) (hasChanges bool) {
	var changes []*Change
	for _, c := range plan.ordered() {
		if c.Action != NoOp {
			changes = append(changes, c)
		}
	}
	outChanges := r.outputChanges(plan, priorOutputs)
	out := r.out
	if len(changes) == 0 && len(outChanges) == 0 {
		fmt.Fprint(out, "\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n")
		return false
	}
	if len(changes) > 0 {
		used := map[Action]bool{}
		for _, c := range changes {
			used[c.Action] = true
		}
		fmt.Fprint(out, "\nTerraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n")
		legend := []struct {
			a Action
			s string
		}{{Create, "  + create"}, {Update, "  ~ update in-place"}, {Delete, "  - destroy"},
			{DeleteThenCreate, "-/+ destroy and then create replacement"}, {CreateThenDelete, "+/- create replacement and then destroy"},
			{Read, " <= read (data resources)"}}
		for _, l := range legend {
			if used[l.a] {
				fmt.Fprintln(out, l.s)
			}
		}
		fmt.Fprint(out, "\nTerraform will perform the following actions:\n")
		for _, c := range changes {
			fmt.Fprint(out, "\n"+r.renderChange(c))
		}
		add, change, destroy := 0, 0, 0
		for _, c := range changes {
			switch c.Action {
			case Create:
				add++
			case Update:
				change++
			case Delete:
				destroy++
			case DeleteThenCreate, CreateThenDelete:
				add++
				destroy++
			}
		}
		fmt.Fprintf(out, "\nPlan: %d to add, %d to change, %d to destroy.\n", add, change, destroy)
	}
	if len(outChanges) > 0 {
		fmt.Fprint(out, "\nChanges to Outputs:\n")
		for _, l := range outChanges {
			fmt.Fprintln(out, l)
		}
		if len(changes) == 0 {
			fmt.Fprint(out, "\nYou can apply this plan to save these new output values to the Terraform\nstate, without changing any real infrastructure.\n")
		}
	}
	return true
}

func (r *Run) outputChanges(plan *Plan, prior map[string]OutputVal) []string {
	var lines []string
	names := map[string]bool{}
	for n := range plan.Outputs {
		names[n] = true
	}
	if plan.Destroy {
		for n := range prior {
			names[n] = true
		}
	}
	for _, n := range sortedKeys(names) {
		nv, hasNew := plan.Outputs[n]
		pv, hasOld := prior[n]
		sens := false
		if o := r.mod.Outputs[n]; o != nil {
			sens = o.Sensitive
		}
		show := func(v cty.Value) string {
			if sens || pv.Sensitive {
				return "(sensitive value)"
			}
			return formatValue(v, 2, false)
		}
		switch {
		case plan.Destroy && hasOld:
			lines = append(lines, fmt.Sprintf("  - %s = %s -> null", n, show(pv.Value)))
		case hasNew && !hasOld:
			if nv.IsNull() {
				continue
			}
			lines = append(lines, fmt.Sprintf("  + %s = %s", n, show(nv)))
		case hasNew && hasOld:
			eq := nv.Equals(pv.Value)
			if nv.Type().Equals(pv.Value.Type()) && eq.IsKnown() && eq.True() {
				continue
			}
			if !nv.IsKnown() || !eq.IsKnown() || !eq.True() {
				lines = append(lines, fmt.Sprintf("  ~ %s = %s -> %s", n, show(pv.Value), show(nv)))
			}
		}
	}
	for n, pv := range prior {
		if _, ok := plan.Outputs[n]; !ok && !plan.Destroy {
			_ = pv
			lines = append(lines, fmt.Sprintf("  - %s = %s -> null", n, formatValue(pv.Value, 2, false)))
		}
	}
	return lines
}

func (r *Run) renderChange(c *Change) string {
	var b strings.Builder
	var head string
	switch c.Action {
	case Create:
		head = "will be created"
	case Update:
		head = "will be updated in-place"
	case Delete:
		head = "will be destroyed"
	case DeleteThenCreate, CreateThenDelete:
		head = "must be replaced"
		if c.Tainted {
			head = "is tainted, so must be replaced"
		} else if c.ByRequest {
			head = "will be replaced, as requested"
		}
	case Read:
		head = "will be read during apply"
	}
	fmt.Fprintf(&b, "  # %s %s\n", c.Addr, head)
	if c.Reason != "" {
		fmt.Fprintf(&b, "  # (%s)\n", c.Reason)
	}
	kind := "resource"
	if c.Mode == DataMode {
		kind = "data"
	}
	fmt.Fprintf(&b, "%s %s %q %q {\n", actionSymbol(c.Action), kind, c.Type, c.Name)
	s := r.resourceSchema(c.Mode, c.Type, c.ProvKey)
	if s != nil {
		r.renderBlockDiff(&b, s.Block, c.Before, c.After, c, 3, nil)
	}
	b.WriteString("    }\n")
	return b.String()
}

func diffSym(before, after cty.Value) string {
	switch {
	case before.IsNull() && after.IsNull():
		return " "
	case before.IsNull():
		return "+"
	case after.IsNull():
		return "-"
	}
	if !after.IsKnown() || !before.IsKnown() {
		return "~"
	}
	eq := before.Equals(after)
	if eq.IsKnown() && eq.True() {
		return " "
	}
	return "~"
}

func (r *Run) renderBlockDiff(b *strings.Builder, blk *Block, before, after cty.Value, c *Change, indent int, path cty.Path) {
	pad := strings.Repeat("  ", indent)
	get := func(v cty.Value, n string) cty.Value {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
			if v != cty.NilVal && !v.IsKnown() {
				return cty.UnknownVal(v.Type().AttributeType(n))
			}
			return cty.NullVal(blk.ImpliedType().AttributeType(n))
		}
		return v.GetAttr(n)
	}
	names := sortedKeys(blk.Attributes)
	width := 0
	for _, n := range names {
		bv, av := get(before, n), get(after, n)
		if bv.IsNull() && av.IsNull() {
			continue
		}
		if len(n) > width {
			width = len(n)
		}
	}
	hidden := 0
	for _, n := range names {
		a := blk.Attributes[n]
		bv, av := get(before, n), get(after, n)
		if bv.IsNull() && av.IsNull() {
			continue
		}
		sym := diffSym(bv, av)
		if c.Action == Delete {
			sym = "-"
		}
		if c.Action == Create || c.Action == Read {
			if av.IsNull() {
				continue
			}
			sym = "+"
		}
		if sym == " " && c.Action != Delete && n != "id" && n != "name" && len(path) == 0 {
			hidden++
			continue
		}
		show := func(v cty.Value) string {
			if a.Sensitive && v.IsKnown() && !v.IsNull() {
				return "(sensitive value)"
			}
			return formatValue(v, indent+1, false)
		}
		var val string
		switch {
		case c.Action == Delete:
			val = show(bv) + " -> null"
		case sym == "+":
			val = show(av)
		case sym == "-":
			val = show(bv) + " -> null"
		case sym == "~":
			val = show(bv) + " -> " + show(av)
		default:
			val = show(av)
		}
		suffix := ""
		ap := append(copyPath(path), cty.GetAttrStep{Name: n})
		for _, rp := range c.ReplacePaths {
			if rp.Equals(ap) {
				suffix = " # forces replacement"
			}
		}
		fmt.Fprintf(b, "%s%s %-*s = %s%s\n", pad, sym, width, n, val, suffix)
	}
	for _, n := range sortedKeys(blk.BlockTypes) {
		nb := blk.BlockTypes[n]
		bv, av := get(before, n), get(after, n)
		r.renderNestedBlocks(b, n, nb, bv, av, c, indent, append(copyPath(path), cty.GetAttrStep{Name: n}))
	}
	if hidden > 0 {
		word := "attributes"
		if hidden == 1 {
			word = "attribute"
		}
		fmt.Fprintf(b, "%s  # (%d unchanged %s hidden)\n", pad, hidden, word)
	}
}

func (r *Run) renderNestedBlocks(b *strings.Builder, name string, nb *NestedBlock, before, after cty.Value, c *Change, indent int, path cty.Path) {
	pad := strings.Repeat("  ", indent)
	elems := func(v cty.Value) []cty.Value {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
			return nil
		}
		if nb.Nesting == NestingSingle || nb.Nesting == NestingGroup {
			return []cty.Value{v}
		}
		var out []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			out = append(out, ev)
		}
		return out
	}
	bs, as := elems(before), elems(after)
	n := len(bs)
	if len(as) > n {
		n = len(as)
	}
	for i := 0; i < n; i++ {
		bv := cty.NullVal(nb.Block.ImpliedType())
		av := cty.NullVal(nb.Block.ImpliedType())
		if i < len(bs) {
			bv = bs[i]
		}
		if i < len(as) && c.Action != Delete {
			av = as[i]
		}
		sym := diffSym(bv, av)
		if sym == " " && c.Action != Create {
			continue
		}
		fmt.Fprintf(b, "%s%s %s {\n", pad, sym, name)
		r.renderBlockDiff(b, &nb.Block, bv, av, c, indent+2, append(copyPath(path), cty.IndexStep{Key: cty.NumberIntVal(int64(i))}))
		fmt.Fprintf(b, "%s  }\n", pad)
	}
}

// ---- outputs -------------------------------------------------------------------------------

func renderOutputs(outs map[string]OutputVal) string {
	if len(outs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nOutputs:\n\n")
	width := 0
	for n := range outs {
		if len(n) > width {
			width = len(n)
		}
	}
	for _, n := range sortedKeys(outs) {
		o := outs[n]
		if o.Sensitive {
			fmt.Fprintf(&b, "%s = <sensitive>\n", n)
		} else {
			fmt.Fprintf(&b, "%s = %s\n", n, formatValue(o.Value, 0, true))
		}
	}
	return b.String()
}

// renderStateHuman is "terraform show" for a state.
func (r *Run) renderStateHuman() string {
	var b strings.Builder
	for _, k := range sortedKeys(r.state.Resources) {
		rs := r.state.Resources[k]
		pk := r.providerKeyFromState(rs)
		s := r.resourceSchema(rs.Mode, rs.Type, pk)
		for _, ik := range sortedInstanceKeys(rs) {
			obj := rs.Instances[ik]
			kind := "resource"
			if rs.Mode == DataMode {
				kind = "data"
			}
			status := ""
			if obj.Tainted {
				status = " (tainted)"
			}
			fmt.Fprintf(&b, "# %s%s:%s\n%s %q %q {\n", rs.Key(), ik, status, kind, rs.Type, rs.Name)
			v := obj.Value
			if v == cty.NilVal && s != nil {
				v = decodeRaw(obj.RawAttrs, s)
			}
			if v != cty.NilVal && !v.IsNull() && v.Type().IsObjectType() {
				names := sortedKeys(v.Type().AttributeTypes())
				width := 0
				for _, n := range names {
					if !v.GetAttr(n).IsNull() && len(n) > width {
						width = len(n)
					}
				}
				for _, n := range names {
					av := v.GetAttr(n)
					if av.IsNull() {
						continue
					}
					if s != nil && s.Block.Attributes[n] != nil && s.Block.Attributes[n].Sensitive {
						fmt.Fprintf(&b, "    %-*s = (sensitive value)\n", width, n)
						continue
					}
					fmt.Fprintf(&b, "    %-*s = %s\n", width, n, formatValue(av, 2, false))
				}
			}
			b.WriteString("}\n\n")
		}
	}
	if len(r.state.Outputs) > 0 {
		b.WriteString("\nOutputs:\n\n")
		for _, n := range sortedKeys(r.state.Outputs) {
			o := r.state.Outputs[n]
			if o.Sensitive {
				fmt.Fprintf(&b, "%s = (sensitive value)\n", n)
			} else {
				fmt.Fprintf(&b, "%s = %s\n", n, formatValue(o.Value, 0, true))
			}
		}
	}
	return b.String()
}
